"""The debris rule catalogue: named rules shipped as TOML data, one file per language.

A rule file looks like::

    language = "en"

    [[rule]]
    id = "en.advertisement"          # "<language>.<name>", unique across all catalogues
    kind = "paragraph"               # "paragraph" or "section"
    description = "Ad slot label"
    pattern = '''advertisement|sponsored'''
    examples = ["Advertisement"]               # must match
    counterexamples = ["The advertisement ran for weeks."]  # must not match

`pattern` is a `regex` pattern matched case-insensitively against the *whole* paragraph after
`match_form` (whitespace collapsed, surrounding bullets and separators stripped), so a rule can
never remove a sentence that merely contains its words. A `section` rule's paragraph is a heading
that opens a block of teasers ("Related articles", "Check also"): the heading and the teaser-like
paragraphs right after it go, up to the first paragraph that reads as prose.
"""

from __future__ import annotations

import math
import operator
import re
import tomllib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache, reduce
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import regex

from dedup.config import RulesConfig
from dedup.errors import ConfigError
from dedup.language import stopwords

RuleKind = Literal["paragraph", "section"]

_EDGE = regex.compile(r"^[\s\p{Z}•·|▪►▶»›*–—\-:#]+|[\s\p{Z}•·|▪►▶»›*–—\-:#]+$")
_SPACE = regex.compile(r"[\s\p{Z}\u200b-\u200d\ufeff]+")
# The same for ASCII text (most paragraphs), with the standard library's faster engine: the ASCII members of the
# classes above.
_ASCII_SPACE = re.compile(r"[\t\n\x0b\x0c\r ]+")
_ASCII_EDGE = " #*-:|"
# Debris is short: paragraphs longer than this are never matched, which keeps matching linear.
MAX_MATCH_CHARS = 400
# Catalogue tried after the document's own language.
FALLBACK_LANGUAGE = "en"
# Remembered verdicts per RuleSet, at most.
MEMO_SIZE = 200_000
# A memo miss (None is a verdict: no rule).
_UNKNOWN: Any = object()


def match_form(text: str) -> str:
    """The form rules see: whitespace collapsed, bullets and separators stripped at both ends."""
    if text.isascii():
        return _ASCII_SPACE.sub(" ", text).strip(_ASCII_EDGE)
    return _EDGE.sub("", _SPACE.sub(" ", text))


@dataclass(frozen=True)
class Rule:
    id: str
    kind: RuleKind
    pattern: str
    description: str
    language: str
    examples: tuple[str, ...] = ()
    counterexamples: tuple[str, ...] = ()
    origin: str = ""


class RuleSet:
    """Compiled rules; `match` tells which rule (if any) claims a whole paragraph.

    Rules are grouped by catalogue language. User rule files always apply. A document whose
    language has a catalogue is matched against that catalogue and the English one (site chrome is
    often English whatever the page's language); any other document against every catalogue in
    name order. The first group that matches is credited, so an English page's "Sponsored" is
    reported as an `en.` rule. (Restricting catalogues left the evaluation scores unchanged to four
    decimals and made cleaning about a third faster.) Within a group the rule listed first wins,
    as in one alternation of the group's patterns.
    """

    def __init__(self, rules: Sequence[Rule]) -> None:
        self.rules: tuple[Rule, ...] = tuple(rules)
        members: dict[str, list[int]] = {}
        for i, rule in enumerate(self.rules):
            members.setdefault(rule.language, []).append(i)
        self._members = {lang: tuple(ids) for lang, ids in members.items()}
        self._groups = {lang: _group(tuple(self.rules[i].pattern for i in ids)) for lang, ids in members.items()}
        # Debris lines recur across the pages of a crawl ("Home", "Share", a footer): remember
        # verdicts, bounded so that memory does not grow with the corpus.
        self._memo: dict[tuple[str, str | None], Rule | None] = {}
        builtin = set(builtin_languages())
        user = [lang for lang in self._groups if lang not in builtin]
        catalogues = sorted(lang for lang in self._groups if lang in builtin)
        fallback = [FALLBACK_LANGUAGE] if FALLBACK_LANGUAGE in catalogues else []
        # The groups tried, in order, for a document in each language with a catalogue, and for any other.
        self._orders: dict[str | None, tuple[str, ...]] = {
            lang: tuple(dict.fromkeys([*user, lang, *fallback])) for lang in catalogues
        }
        self._everywhere = (*user, *catalogues)

    def __len__(self) -> int:
        return len(self.rules)

    def match(self, text: str, language: str | None = None) -> Rule | None:
        if not self._groups or len(text) > MAX_MATCH_CHARS:
            return None
        form = match_form(text)
        if not form:
            return None
        key = (form, language)
        # One lookup, not a test then a read: a RuleSet is shared (`load_ruleset`), and another thread may clear the
        # memo in between.
        hit = self._memo.get(key, _UNKNOWN)
        if hit is not _UNKNOWN:
            return hit
        if len(self._memo) >= MEMO_SIZE:
            self._memo.clear()
        hit = self._match(form, language)
        self._memo[key] = hit
        return hit

    def _match(self, form: str, language: str | None) -> Rule | None:
        for lang in self._orders.get(language, self._everywhere):
            found = self._groups[lang].match(form)
            if found is not None:
                return self.rules[self._members[lang][found]]
        return None


@lru_cache(maxsize=64)
def _alternation(patterns: tuple[tuple[int, str], ...]) -> regex.Pattern[str]:
    # Compiling a catalogue takes seconds and every `Pipeline` (each `dedup.clean` call) builds a RuleSet: compile
    # each distinct alternation once per process. A compiled pattern holds no state, so sharing it changes nothing.
    return regex.compile("|".join(f"(?P<r{i}>{pattern})" for i, pattern in patterns), regex.IGNORECASE)


# --- Prefilter -------------------------------------------------------------------------------------------------------
# Almost no paragraph is debris, yet one alternation costs tens of microseconds to reject one: the engine tries every
# alternative at position 0. So each rule's top-level alternatives ("branches") get cheap necessary conditions,
# derived from the pattern, and the alternation is run only when some branch of the group meets them:
#
# - the lengths its matches can have, and the characters they can have in their first and last few positions (a few
#   table lookups give the branches that pass, as a bitmask);
# - a few literal strings one of which each of its matches contains ("cookie", "getty images"), looked for in the
#   case-folded paragraph.
#
# The alternation still gives every verdict: a pattern alone does not always match what it matches as an
# alternative (see `_chars_matched`), so matching rules one by one could credit another rule. The conditions only
# need to hold for each pattern as an alternative. A pattern the analysis does not understand always passes; one
# with inline flags that may reach into the other alternatives turns the prefilter off for its group.
#
# Case folding needs no model of its own. Character sets are bitsets over `_alphabet()` and only constrain the
# alphabet's characters: what a piece of pattern matches there is asked of the engine (Kelvin sign, dotted I, final
# sigma, long s, ...); any other character is allowed everywhere. Literal strings only hold characters whose every
# case partner, in the engine's own tables, folds to the same string under `_fold`.

# Characters checked at each end of a paragraph.
_EDGE_CHARS = 4
# Remembered edge verdicts per group and end of a paragraph, at most.
_EDGE_MEMO_SIZE = 100_000
# Character sets with more members than this are looked up rather than listed.
_LISTED_MEMBERS = 64
# Stands for "no bound" in match lengths.
_UNBOUNDED = 1 << 40
# At most this many tuples of edge characters per piece of pattern.
_MAX_EDGES = 64
# At most this many literal strings per set: each costs a substring search.
_MAX_STRINGS = 32
# The cost model that picks literal strings (see `_cost`).
_TYPICAL_CHARS = 200
_FULL_MATCH_COST = 80
# Longer literal strings than this rarity (see `_rarity`) are not worth more pieces of pattern.
_RAREST = 6
# A pattern's top-level alternatives get conditions of their own, up to this many (then neighbours share them).
_MAX_BRANCHES = 48
# Literal strings are spelled from at most this many consecutive pieces of a pattern.
_MAX_RUN = 10
# Repeats up to this count of a literal are spelled out ("s?" is "" or "s").
_MAX_SPELLED_REPEAT = 4
# Code point ranges most paragraphs are written in: Latin, Greek, Cyrillic, general punctuation, currency, letterlike
# symbols, arrows, geometric shapes, CJK punctuation, fullwidth forms. The catalogues' own characters are added.
_ALPHABET_RANGES = (
    (0x0000, 0x024F),
    (0x0370, 0x03FF),
    (0x0400, 0x052F),
    (0x1E00, 0x1EFF),
    (0x2000, 0x206F),
    (0x20A0, 0x20CF),
    (0x2100, 0x214F),
    (0x2190, 0x21FF),
    (0x25A0, 0x25FF),
    (0x3000, 0x303F),
    (0xFF00, 0xFFEF),
)
# Inline flags other than scoped i, s and m: they may reach into the other alternatives of an alternation (an ASCII
# flag does, even scoped; a global one, verbose or version 1 does), where the analysis of those would not hold.
_LEAKY = re.compile(r"\(\?(?![ims]*(?:-[ims]+)?:)[\^-]?[a-zA-Z]")
_REPEAT = re.compile(r"\{(\d+)(?:(,)(\d*))?\}")
_WORD = re.compile(r"\w+")
_SCOPED_FLAGS = re.compile(r"\(\?([ims]*)(?:-([ims]+))?:")
# One-character escapes outside a set; `\p`, `\P`, `\N` and `\x` may take a braced argument.
_CLASS_ESCAPES = frozenset("dDwWsStnrfapPNxuU")
_HEX_DIGITS = {"x": 2, "u": 4, "U": 8}
_FLAG_BITS = {"i": regex.IGNORECASE, "s": regex.DOTALL, "m": regex.MULTILINE}
# Characters with a meaning of their own outside a set (`]` and `}` alone stand for themselves), and repeats.
_SPECIAL = frozenset("\\.^$*+?{[()|")
_REPEATS = frozenset("*+?{")
# A character outside the alphabet with no case partners (private use).
_OUTSIDER = "\ue000"
# The engine's case partners of a character (itself included). Without it no literal is trusted.
_ALL_CASES = getattr(getattr(regex, "_regex", None), "get_all_cases", None)


class _Unanalysable(Exception):
    """The pattern uses a construct the analysis does not model."""


# --- Shapes: lengths and edge characters.
# A shape over-approximates the strings a pattern fullmatches, as (lo, hi, head, tail): `lo`..`hi` bounds their
# length; `head` holds, for every match, a tuple of its first characters (each one a set of alphabet characters, one
# tuple standing for many matches): _EDGE_CHARS of them, or all of them when the match is shorter. `tail` holds the
# same for the last characters, read backwards. Past _MAX_EDGES tuples, some are merged into their union.
# (Plain tuples and frozensets: the catalogues need some 10^5 of these.)
_Edges = frozenset[tuple[int, ...]]
_Shape = tuple[int, int, _Edges, _Edges]
_NO_CHARS: _Edges = frozenset({()})
_EMPTY: _Shape = (0, 0, _NO_CHARS, _NO_CHARS)


@cache
def _alphabet() -> tuple[str, dict[str, int], int]:
    """The characters sets are tracked over, each one's bit, and the bitset of all of them."""
    chars = {chr(c) for low, high in _ALPHABET_RANGES for c in range(low, high + 1)}
    folder = resources.files("dedup") / "rules"
    for entry in folder.iterdir():
        if entry.name.endswith(".toml"):
            for ch in set(entry.read_text(encoding="utf-8")):
                chars.update(v for v in (ch, ch.lower(), ch.upper(), ch.casefold()) if len(v) == 1)
    text = "".join(sorted(c for c in chars if not 0xD800 <= ord(c) <= 0xDFFF))
    return text, {c: i for i, c in enumerate(text)}, (1 << len(text)) - 1


@lru_cache(maxsize=8192)
def _chars_matched(item: str, flags: int) -> int:
    """The alphabet characters a one-character pattern can match, as the engine decides under `flags`.

    The engine's answer depends on the context, ignoring case: `\\p{Lu}` alone matches "ﬁ" (a lowercase letter
    without an uppercase), but not once merged into a set with other one-character alternatives, or in an
    alternation's first-character check. So both are asked, and either answer is taken.
    """
    alphabet = _alphabet()[0]
    bits = bytearray(b"0") * len(alphabet)
    for pattern in (item, f"(?:{_OUTSIDER}|{item})"):
        try:
            # Kept out of regex's own cache, which holds the rules' compiled patterns.
            compiled = regex.compile(pattern, flags, cache_pattern=False)
        except regex.error as exc:
            raise _Unanalysable(item) from exc
        for m in compiled.finditer(alphabet):
            if m.end() - m.start() != 1:
                raise _Unanalysable(item)
            bits[m.start()] = ord("1")
    bits.reverse()
    return int(bits, 2)


def _partners(char: str) -> int:
    """The alphabet characters the engine matches with `char`, ignoring case: its case partners, from the engine's own
    tables. (The answer `_chars_matched` gets, much faster: the catalogues hold hundreds of distinct letters.)"""
    if _ALL_CASES is None:
        return _chars_matched(regex.escape(char), regex.IGNORECASE)
    index = _alphabet()[1]
    chars = 0
    for c in _ALL_CASES(regex.IGNORECASE, ord(char)):
        b = index.get(chr(c))
        if b is not None:
            chars |= 1 << b
    return chars


def _item(chars: int) -> _Shape:
    edges = frozenset({(chars,)})
    return (1, 1, edges, edges)


def _capped(edges: frozenset[tuple[int, ...]] | set[tuple[int, ...]]) -> _Edges:
    if len(edges) <= _MAX_EDGES:
        return frozenset(edges)
    # Merge tuples of one length that start alike, then, if still too many, all tuples of one length.
    for key_length in (1, 0):
        alike: dict[tuple[int, ...], list[tuple[int, ...]]] = {}
        for t in edges:
            alike.setdefault((len(t), *t[:key_length]), []).append(t)
        edges = {
            ts[0] if len(ts) == 1 else tuple(reduce(operator.or_, column) for column in zip(*ts, strict=True))
            for ts in alike.values()
        }
        if len(edges) <= _MAX_EDGES:
            break
    return frozenset(edges)


def _extend(first: _Edges, then: _Edges) -> _Edges:
    """The edge tuples of a match of one piece followed by a match of another."""
    if first == _NO_CHARS:
        return then
    out: set[tuple[int, ...]] = set()
    for a in first:
        room = _EDGE_CHARS - len(a)
        if room:
            out.update(a + b[:room] for b in then)
        else:
            out.add(a)
    return _capped(out)


def _concat(a: _Shape, b: _Shape) -> _Shape:
    alo, ahi, ahead, atail = a
    blo, bhi, bhead, btail = b
    head = ahead if alo >= _EDGE_CHARS else _extend(ahead, bhead)
    tail = btail if blo >= _EDGE_CHARS else _extend(btail, atail)
    return (min(alo + blo, _UNBOUNDED), min(ahi + bhi, _UNBOUNDED), head, tail)


def _sequence_shape(shapes: list[_Shape]) -> _Shape:
    """The shape of a sequence, from its first and last few pieces: those past _EDGE_CHARS characters from an end
    cannot change that end's tuples."""
    lo = min(sum(s[0] for s in shapes), _UNBOUNDED)
    hi = min(sum(s[1] for s in shapes), _UNBOUNDED)
    head, done = _NO_CHARS, 0
    for s in shapes:
        if done >= _EDGE_CHARS:
            break
        head, done = _extend(head, s[2]), done + s[0]
    tail, done = _NO_CHARS, 0
    for s in reversed(shapes):
        if done >= _EDGE_CHARS:
            break
        tail, done = _extend(tail, s[3]), done + s[0]
    return (lo, hi, head, tail)


def _union(a: _Shape, b: _Shape) -> _Shape:
    return (min(a[0], b[0]), max(a[1], b[1]), _capped(a[2] | b[2]), _capped(a[3] | b[3]))


def _power(a: _Shape, times: int) -> _Shape:
    if times > _EDGE_CHARS:
        # More copies add no tuples: a match's first (last) _EDGE_CHARS characters come from at most _EDGE_CHARS of
        # its copies that match something, and when fewer do, the others match nothing.
        edges = _power(a, _EDGE_CHARS)
        return (min(a[0] * times, _UNBOUNDED), min(a[1] * times, _UNBOUNDED), edges[2], edges[3])
    result = _EMPTY
    for _ in range(times):
        result = _concat(result, a)
    return result


def _star(a: _Shape) -> _Shape:
    # A tuple of a*'s first characters comes from at most _EDGE_CHARS copies of `a` that match something (copies that
    # match nothing add nothing), so _EDGE_CHARS rounds of "nothing, or one more copy" reach them all.
    head = tail = _NO_CHARS
    for _ in range(_EDGE_CHARS):
        head = _capped(_NO_CHARS | _extend(a[2], head))
        tail = _capped(_NO_CHARS | _extend(a[3], tail))
    return (0, _UNBOUNDED if a[1] else 0, head, tail)


def _repeat(a: _Shape, low: int, high: int) -> _Shape:
    fixed = _power(a, low)
    if high >= _UNBOUNDED:
        return _concat(fixed, _star(a))
    return _concat(fixed, _power(_union(a, _EMPTY), high - low))


# --- Literal strings, compared case-folded.
# `None` stands for "unknown" (too many, or not literal).
_Strings = frozenset[str] | None
_EPSILON = frozenset({""})


def _fold(text: str) -> str:
    """Case-folded text; a per-character mapping, so a literal's fold occurs in the fold of any text it occurs in."""
    folded = text.casefold()
    if text.isascii():
        return folded
    # The engine pairs i with İ and I with ı (Turkic), which `casefold` keeps apart ("i̇" and "ı").
    return folded.replace("ı", "i").replace("\u0307", "")


@cache
def _foldable(char: str) -> bool:
    """Whether every character the engine matches with `char`, ignoring case, folds as `char` does."""
    if _ALL_CASES is None:
        return False
    folded = _fold(char)
    return all(_fold(chr(c)) == folded for c in _ALL_CASES(regex.IGNORECASE, ord(char)))


def _minimal(strings: frozenset[str]) -> frozenset[str]:
    """The strings that contain none of the others: an occurrence of any of the others implies one of these."""
    if len(strings) == 1:
        return strings
    kept: list[str] = []
    for s in sorted(strings, key=len):
        if not any(k in s for k in kept):
            kept.append(s)
    return frozenset(kept)


def _needles(exact: _Strings) -> _Strings:
    """Literal strings one of which occurs wherever one of `exact` does; None when one can be empty."""
    if exact is None or "" in exact:
        return None
    return _minimal(exact)


@lru_cache(maxsize=65536)
def _rarity(s: str) -> int:
    """A rough guess at how seldom `s` occurs in prose, as a power of ten: its characters other than spaces,
    punctuation counting extra; function words ("this", "more") are everywhere whatever their length."""
    words = _WORD.findall(s)
    if words and all(w in _function_words() for w in words):
        return 1
    return sum(0 if c.isspace() else 1 if c.isalnum() else 3 for c in s)


@cache
def _function_words() -> frozenset[str]:
    return frozenset().union(*stopwords().values())


@lru_cache(maxsize=65536)
def _cost(strings: frozenset[str]) -> float:
    """A rough cost of looking for `strings` before a full match, in substring searches: one per string, and the
    full match (taken as _FULL_MATCH_COST searches) when one is found in a paragraph of _TYPICAL_CHARS."""
    found = min(1.0, sum(_TYPICAL_CHARS * 10.0 ** -_rarity(s) for s in strings))
    return len(strings) + _FULL_MATCH_COST * found


def _better(a: _Strings, b: _Strings) -> _Strings:
    if a is None:
        return b
    if b is None:
        return a
    return a if _cost(a) <= _cost(b) else b


def _product(a: _Strings, b: _Strings) -> _Strings:
    if a is None or b is None or len(a) * len(b) > _MAX_STRINGS:
        return None
    return frozenset(x + y for x in a for y in b)


# --- Nodes: a piece of pattern's shape, the exact strings it matches (folded) and the strings one of which every
# match of it contains.
_Node = tuple[_Shape, _Strings, _Strings]
_EMPTY_NODE: _Node = (_EMPTY, _EPSILON, None)


def _node(shape: _Shape, exact: _Strings, needles: _Strings) -> _Node:
    return (shape, exact, _better(needles, _needles(exact)))


def _either(a: _Node, b: _Node) -> _Node:
    exact = None if a[1] is None or b[1] is None else a[1] | b[1]
    if exact is not None and len(exact) > _MAX_STRINGS:
        exact = None
    needles = None if a[2] is None or b[2] is None else _minimal(a[2] | b[2])
    if needles is not None and len(needles) > _MAX_STRINGS:
        needles = None
    return _node(_union(a[0], b[0]), exact, needles)


def _repeated(a: _Node, low: int, high: int) -> _Node:
    exact: _Strings = None
    if a[1] is not None and high <= _MAX_SPELLED_REPEAT:
        spelled: set[str] = set()
        power: _Strings = _EPSILON
        for count in range(high + 1):
            if power is None:
                break
            if count >= low:
                spelled |= power
            power = _product(power, a[1]) if count < high else power
        else:
            exact = frozenset(spelled) if len(spelled) <= _MAX_STRINGS else None
    return _node(_repeat(a[0], low, high), exact, a[2] if low >= 1 else None)


def _combine(nodes: list[_Node]) -> _Node:
    """The node of a sequence of pieces."""
    needles: _Strings = None
    for _, strings, found in nodes:
        if strings is None or len(strings) > 1:  # a single string is a run of its own, below
            needles = _better(needles, found)
    # Every run of consecutive literal pieces spells one of its strings in each match. Runs that begin or end inside
    # a stretch of single strings spell less of them: glue such stretches first.
    glued: list[_Strings] = []
    for _, piece, _ in nodes:
        last = glued[-1] if glued else None
        if piece is not None and last is not None and len(piece) == 1 and len(last) == 1:
            glued[-1] = frozenset({next(iter(last)) + next(iter(piece))})
        else:
            glued.append(piece)
    exact: _Strings = _EPSILON
    for piece in glued:
        exact = _product(exact, piece)
        if exact is None:
            break
    best = math.inf if needles is None else _cost(needles)
    for start, first in enumerate(glued):
        if first is None:
            continue
        run: _Strings = _EPSILON
        for piece in glued[start : start + _MAX_RUN]:
            run = _product(run, piece)
            if run is None:
                break
            found = _needles(run)
            if found is None:
                continue
            cost = _cost(found)
            if cost < best:
                needles, best = found, cost
            if min(map(_rarity, found)) >= _RAREST:
                break  # a longer run only spells more strings
    return _node(_sequence_shape([shape for shape, _, _ in nodes]), exact, needles)


class _Analyser:
    """Reads a `regex` pattern (version 0 syntax, IGNORECASE) and computes its `_Node`.

    Only a conservative subset of the syntax is accepted; anything else raises `_Unanalysable`.
    """

    def __init__(self, pattern: str) -> None:
        self.pattern = pattern
        self.pos = 0

    def branches(self) -> list[_Node]:
        """The nodes of the pattern's branches: its top-level alternatives; one with no literal strings worth looking
        for is spread over the alternatives of its largest group ("(?:a|b)c" is "ac" or "bc"), which may have some,
        or shorter matches."""
        found: list[_Node] = []
        while True:
            atoms = self._atoms(regex.IGNORECASE)
            nodes = [node for node, _ in atoms]
            whole = _combine(nodes)
            spread = max(range(len(atoms)), key=lambda k: len(atoms[k][1]), default=None)
            if (whole[2] is not None and _cost(whole[2]) < _FULL_MATCH_COST) or spread is None or not atoms[spread][1]:
                found.append(whole)
            else:
                for alternative in atoms[spread][1]:
                    nodes[spread] = alternative
                    found.append(_combine(nodes))
            if self._peek() != "|":
                break
            self.pos += 1
        if self.pos != len(self.pattern):
            raise _Unanalysable("unbalanced parenthesis")
        return found

    def _peek(self, offset: int = 0) -> str:
        i = self.pos + offset
        return self.pattern[i] if i < len(self.pattern) else ""

    def _alternatives(self, flags: int) -> list[_Node]:
        found = [self._sequence(flags)]
        while self._peek() == "|":
            self.pos += 1
            found.append(self._sequence(flags))
        return found

    def _sequence(self, flags: int) -> _Node:
        return _combine([node for node, _ in self._atoms(flags)])

    def _atoms(self, flags: int) -> list[tuple[_Node, tuple[_Node, ...]]]:
        """The nodes of a sequence's pieces, each with the alternatives it is made of when it is a group (with
        nothing among them when the group is optional)."""
        atoms: list[tuple[_Node, tuple[_Node, ...]]] = []
        while (c := self._peek()) not in ("", "|", ")"):
            if c not in _SPECIAL and self._peek(1) not in _REPEATS:
                # Most of a pattern is plain characters: the short way.
                self.pos += 1
                atoms.append((_literal(c, flags), ()))
                continue
            atom, repeatable, alternatives = self._atom(flags)
            bounds = self._quantifier()
            if bounds is not None:
                if not repeatable:
                    raise _Unanalysable("repeated assertion")
                atom = _repeated(atom, *bounds)
                alternatives = (*alternatives, _EMPTY_NODE) if bounds == (0, 1) and alternatives else ()
            atoms.append((atom, alternatives))
        return atoms

    def _quantifier(self) -> tuple[int, int] | None:
        c = self._peek()
        if c == "*":
            bounds = (0, _UNBOUNDED)
        elif c == "+":
            bounds = (1, _UNBOUNDED)
        elif c == "?":
            bounds = (0, 1)
        elif c == "{":
            m = _REPEAT.match(self.pattern, self.pos)
            if m is None:
                raise _Unanalysable("brace that is not a counted repeat")
            low = int(m.group(1))
            high = low if m.group(2) is None else int(m.group(3)) if m.group(3) else _UNBOUNDED
            bounds = (low, min(high, _UNBOUNDED))
            self.pos = m.end() - 1
        else:
            return None
        self.pos += 1
        if self._peek() in ("?", "+"):  # lazy and possessive repeats match no other strings
            self.pos += 1
        if self._peek() in ("*", "+", "?", "{"):
            raise _Unanalysable("repeated repeat")
        return bounds

    def _atom(self, flags: int) -> tuple[_Node, bool, tuple[_Node, ...]]:
        """The next atom's node, whether it may be repeated (assertions may not, here), and its alternatives when it
        is a group."""
        c = self._peek()
        if c == "(":
            return self._group(flags)
        if c == "[":
            return self._one_char(self._set_end(), flags), True, ()
        if c == "\\":
            return self._escape(flags)
        if c in ("^", "$"):
            self.pos += 1
            return _EMPTY_NODE, False, ()
        if c in ("*", "+", "?", "{"):
            raise _Unanalysable("nothing to repeat")
        if c == ".":
            return self._one_char(self.pos + 1, flags), True, ()
        self.pos += 1
        return _literal(c, flags), True, ()

    def _one_char(self, end: int, flags: int) -> _Node:
        item = self.pattern[self.pos : end]
        self.pos = end
        return (_item(_chars_matched(item, flags)), None, None)

    def _group(self, flags: int) -> tuple[_Node, bool, tuple[_Node, ...]]:
        # Catalogue patterns repeat whole groups (month names, times of day): analyse each distinct one once.
        end = self._group_end()
        text = self.pattern[self.pos : end]
        self.pos = end
        return _group_node(text, flags)

    def _group_end(self) -> int:
        """The index just past the group that starts at `pos` (not yet checked to be well formed)."""
        p, i, depth = self.pattern, self.pos, 0
        while i < len(p):
            c = p[i]
            if c == "\\":
                i = self._escape_end(i)
                continue
            if c == "[":
                saved, self.pos = self.pos, i
                i = self._set_end()
                self.pos = saved
                continue
            if c == "(":
                depth += 1
            elif c == ")":
                depth -= 1
                if depth == 0:
                    return i + 1
            i += 1
        raise _Unanalysable("unclosed group")

    def group(self, flags: int) -> tuple[_Node, bool, tuple[_Node, ...]]:
        """The node of the group that is the whole pattern, whether it may be repeated, and its alternatives."""
        p, start = self.pattern, self.pos
        assertion = False
        if p.startswith(("(?:", "(?>"), start):
            self.pos += 3
        elif p.startswith(("(?=", "(?!"), start):
            self.pos += 3
            assertion = True
        elif p.startswith(("(?<=", "(?<!"), start):
            self.pos += 4
            assertion = True
        else:
            m = _SCOPED_FLAGS.match(p, start)
            if m is None:
                raise _Unanalysable("group kind")
            for letter in m.group(1):
                flags |= _FLAG_BITS[letter]
            for letter in m.group(2) or "":
                flags &= ~_FLAG_BITS[letter]
            self.pos = m.end()
        if assertion:
            # A lookaround consumes nothing: ignoring what it demands only widens the shape. Its content need not be
            # read, as long as nothing in it reaches beyond it.
            if _LEAKY.search(p, self.pos, len(p) - 1):
                raise _Unanalysable("lookaround content")
            self.pos = len(p)
            return _EMPTY_NODE, False, ()
        alternatives = self._alternatives(flags)
        if self.pos != len(p) - 1 or p[self.pos] != ")":
            raise _Unanalysable("unbalanced group")
        self.pos += 1
        return reduce(_either, alternatives), True, tuple(alternatives)

    def _set_end(self) -> int:
        """The index just past the character set that starts at `pos`."""
        p, i = self.pattern, self.pos + 1
        if p.startswith("^", i):
            i += 1
        if p.startswith("]", i):  # a leading ']' is a member
            i += 1
        while i < len(p):
            c = p[i]
            if c == "]":
                return i + 1
            if c == "[" or p.startswith(("&&", "||", "--", "~~"), i):
                raise _Unanalysable("nested set, POSIX class or set operation")
            if c == "\\":
                i = self._escape_end(i)
            else:
                i += 1
        raise _Unanalysable("unclosed set")

    def _escape_end(self, i: int) -> int:
        p = self.pattern
        if i + 1 >= len(p):
            raise _Unanalysable("trailing backslash")
        if p[i + 1] in "pPNx" and p.startswith("{", i + 2):
            close = p.find("}", i + 3)
            if close < 0:
                raise _Unanalysable("unclosed brace")
            return close + 1
        if p[i + 1] in "pP":
            return i + 3
        return i + 2 + _HEX_DIGITS.get(p[i + 1], 0)

    def _escape(self, flags: int) -> tuple[_Node, bool, tuple[_Node, ...]]:
        nxt = self._peek(1)
        if nxt in ("b", "B", "A", "Z"):
            self.pos += 2
            return _EMPTY_NODE, False, ()
        if nxt in _CLASS_ESCAPES:
            return self._one_char(self._escape_end(self.pos), flags), True, ()
        if nxt == "" or nxt.isalnum() or nxt == "_":
            # Backreferences, \g, \G, \K, \X, \m, \z, octal escapes, ...
            raise _Unanalysable(f"escape \\{nxt}")
        # An escaped symbol stands for itself, as long as the engine agrees.
        escaped = self._one_char(self.pos + 2, flags)
        literal = _literal(nxt, flags)
        return (literal if literal[0] == escaped[0] else escaped), True, ()


@lru_cache(maxsize=8192)
def _literal(char: str, flags: int) -> _Node:
    shape = _item(_partners(char) if flags & regex.IGNORECASE else _chars_matched(regex.escape(char), flags))
    if flags & regex.IGNORECASE and not _foldable(char):
        return (shape, None, None)
    return _node(shape, frozenset({_fold(char)}), None)


@lru_cache(maxsize=16384)
def _group_node(text: str, flags: int) -> tuple[_Node, bool, tuple[_Node, ...]]:
    return _Analyser(text).group(flags)


# A branch's conditions: its shape, and literal strings one of which each of its matches contains (None: no such
# strings worth looking for).
_Branch = tuple[_Shape, tuple[str, ...] | None]


@lru_cache(maxsize=4096)
def _analysis(pattern: str) -> tuple[_Branch, ...] | None:
    """The conditions of each of the pattern's top-level alternatives (a pattern matches where one of them does, and
    they are more selective apart), or None when the analysis cannot vouch for them."""
    try:
        nodes = _Analyser(pattern).branches()
    except (_Unanalysable, RecursionError):
        return None
    if len(nodes) > _MAX_BRANCHES:
        size = -(-len(nodes) // _MAX_BRANCHES)
        nodes = [reduce(_either, nodes[i : i + size]) for i in range(0, len(nodes), size)]
    branches: list[_Branch] = []
    for shape, _, needles in nodes:
        if needles is None or _cost(needles) >= _FULL_MATCH_COST:
            branches.append((shape, None))
        else:
            branches.append((shape, tuple(sorted(needles, key=lambda s: (-len(s), s)))))
    return tuple(branches)


def _bits(mask: int) -> Iterator[int]:
    while mask:
        low = mask & -mask
        yield low.bit_length() - 1
        mask ^= low


def _analyses(patterns: tuple[str, ...]) -> list[tuple[_Branch, ...] | None] | None:
    """Each pattern's analysis (None: it may match anything), or None when the prefilter cannot be trusted for the
    group: its alternation is then simply matched, always."""
    if regex.DEFAULT_VERSION != regex.VERSION0:
        return None  # the analysis reads version 0 syntax
    analyses = []
    for pattern in patterns:
        analysis = _analysis(pattern)
        if analysis is None and _LEAKY.search(pattern):
            return None
        analyses.append(analysis)
    return analyses


class _Position:
    """Which of many tuples allow a character at one position, as a bitmask over the tuples.

    The tuples allow a few distinct sets there: the members of the small ones are listed, and a character's
    membership in the few large ones (letters, "anything but ...") is checked when it is first asked about.
    """

    def __init__(self, sets: list[int]) -> None:
        by_set: dict[int, int] = {}
        for b, chars in enumerate(sets):
            by_set[chars] = by_set.get(chars, 0) | 1 << b
        alphabet = _alphabet()[0]
        self.small: dict[str, int] = {}
        self.large: list[tuple[int, int]] = []
        for chars, tuples in by_set.items():
            if chars.bit_count() > _LISTED_MEMBERS:
                self.large.append((chars, tuples))
                continue
            for b in _bits(chars):
                self.small[alphabet[b]] = self.small.get(alphabet[b], 0) | tuples
        self.allowed: dict[str, int] = {}

    def allowing(self, c: str) -> int | None:
        """The tuples that allow `c`; None when it is outside the alphabet, where every tuple does."""
        allowed = self.allowed.get(c)
        if allowed is None:
            b = _alphabet()[1].get(c)
            if b is None:
                return None
            allowed = self.small.get(c, 0)
            for chars, tuples in self.large:
                if chars >> b & 1:
                    allowed |= tuples
            self.allowed[c] = allowed
        return allowed


class _EdgeIndex:
    """Finds the branches with an edge tuple that a paragraph's first characters (or its last ones, reversed) fit.

    Each tuple of each branch gets a bit, and `positions` give, per position, the tuples that allow a character there.
    Paragraphs share their first and last few characters far more often than their text ("The ", "said."), so the
    verdicts are remembered, boundedly; there are few distinct ones, and equal verdicts share one int.
    """

    def __init__(self, edge_sets: list[_Edges]) -> None:
        tuples: list[tuple[int, ...]] = []
        self.spans: list[int] = []  # per branch, its tuples' bits
        self.owners: list[int] = []  # per tuple, its branch's bit
        for i, edges in enumerate(edge_sets):
            first = len(tuples)
            # Past a whole match's last character, no alphabet character fits.
            tuples.extend(t + (0,) * (_EDGE_CHARS - len(t)) for t in sorted(edges))
            self.owners.extend([1 << i] * len(edges))
            self.spans.append((1 << len(tuples)) - (1 << first))
        self.all_tuples = (1 << len(tuples)) - 1
        self.positions = [_Position([t[j] for t in tuples]) for j in range(_EDGE_CHARS)]
        self.fitting_tuples: dict[str, int] = {}
        self.fitting_branches: dict[str, int] = {}
        self.verdicts: dict[int, int] = {}

    def _remember(self, memo: dict[str, int], edge: str, verdict: int) -> int:
        if len(self.fitting_tuples) + len(self.fitting_branches) >= _EDGE_MEMO_SIZE:
            self.fitting_tuples.clear()
            self.fitting_branches.clear()
            self.verdicts.clear()
        verdict = memo[edge] = self.verdicts.setdefault(verdict, verdict)
        return verdict

    def tuples(self, edge: str) -> int:
        """The tuples that `edge` fits, as a bitmask."""
        fit = self.fitting_tuples.get(edge)
        if fit is None:
            fit = self.all_tuples
            for position, c in zip(self.positions, edge, strict=False):
                allowed = position.allowing(c)
                if allowed is not None:
                    fit &= allowed
            fit = self._remember(self.fitting_tuples, edge, fit)
        return fit

    def branches(self, edge: str) -> int:
        """The branches with a tuple that `edge` fits, as a bitmask. (Worked out from the tuples, which is cheap at
        the head, where few fit; at the tail, the few branches still in question are checked against the tuples.)"""
        found = self.fitting_branches.get(edge)
        if found is None:
            found = 0
            owners = self.owners
            for b in _bits(self.tuples(edge)):
                found |= owners[b]
            found = self._remember(self.fitting_branches, edge, found)
        return found


class _Prefilter:
    """The conditions of a group's branches, and the lookup tables that check them."""

    def __init__(self, analyses: list[tuple[_Branch, ...] | None]) -> None:
        every = _alphabet()[2]
        anything = frozenset({(every,) * _EDGE_CHARS})
        always: tuple[_Branch, ...] = (((0, _UNBOUNDED, anything, anything), None),)
        # One entry per branch, in pattern order.
        shapes: list[_Shape] = []
        self.needles: list[tuple[str, ...] | None] = []
        for analysis in analyses:
            for shape, needles in always if analysis is None else analysis:
                shapes.append(shape)
                self.needles.append(needles)
        # Per paragraph length, the branches that allow it: those that start to allow it by then and stop after.
        starts = [0] * (MAX_MATCH_CHARS + 1)
        stops = [0] * (MAX_MATCH_CHARS + 1)
        for i, (lo, hi, _, _) in enumerate(shapes):
            if lo <= MAX_MATCH_CHARS:
                starts[lo] |= 1 << i
                if hi < MAX_MATCH_CHARS:
                    stops[hi + 1] |= 1 << i
        self.lengths: list[int] = []
        live = 0
        for n in range(MAX_MATCH_CHARS + 1):
            live = (live | starts[n]) & ~stops[n]
            self.lengths.append(live)
        self.every_branch = (1 << len(shapes)) - 1
        self.heads = _EdgeIndex([s[2] for s in shapes])
        self.tails = _EdgeIndex([s[3] for s in shapes])

    def may_match(self, form: str) -> bool:
        """False when no branch can fullmatch `form`."""
        n = len(form)
        candidates = self.lengths[n] if n <= MAX_MATCH_CHARS else self.every_branch
        # Heads first: they rule out far more than tails (prose ends like much debris does, in a word and a stop).
        if candidates:
            candidates &= self.heads.branches(form[:_EDGE_CHARS])
        if not candidates:
            return False
        tail = self.tails.tuples(form[: -_EDGE_CHARS - 1 : -1])
        spans = self.tails.spans
        folded = None
        while candidates:
            low = candidates & -candidates
            candidates ^= low
            branch = low.bit_length() - 1
            if not tail & spans[branch]:
                continue
            needles = self.needles[branch]
            if needles is None:
                return True
            if folded is None:
                folded = _fold(form)
            for needle in needles:
                if needle in folded:
                    return True
        return False


class _Group:
    """One catalogue's patterns: their alternation, and a prefilter that tells when it need not be run.

    The prefilter is prepared on first use: a corpus seldom needs every catalogue, and the analysis costs about a
    tenth of a second per catalogue.
    """

    def __init__(self, patterns: tuple[str, ...]) -> None:
        self.patterns = patterns
        self.alternation = _alternation(tuple(enumerate(patterns)))
        self._prefilter: _Prefilter | None = None
        self._prepared = False

    @property
    def prefilter(self) -> _Prefilter | None:
        """None when it cannot be trusted for these patterns."""
        if not self._prepared:
            analyses = _analyses(self.patterns)
            self._prefilter = None if analyses is None else _Prefilter(analyses)
            self._prepared = True
        return self._prefilter

    def match(self, form: str) -> int | None:
        """The index of the first pattern that fullmatches `form`, if any."""
        prefilter = self.prefilter
        if prefilter is not None and not prefilter.may_match(form):
            return None
        # The alternation itself decides: a pattern alone can match differently (see `_chars_matched`).
        m = self.alternation.fullmatch(form)
        if m is None:
            return None
        name = m.lastgroup
        assert name is not None
        return int(name[1:])


@lru_cache(maxsize=64)
def _group(patterns: tuple[str, ...]) -> _Group:
    # Like the alternation it replaces, a group is the same for every RuleSet with these patterns (its memos only
    # remember what it computes): share it.
    return _Group(patterns)


def _rule_from_table(table: dict[str, object], language: str, origin: str) -> Rule:
    def need(key: str) -> str:
        value = table.get(key)
        if not isinstance(value, str) or not value:
            raise ConfigError(f"{origin}: rule {table.get('id', '?')!r} needs a non-empty string {key!r}")
        return value

    unknown = set(table) - {"id", "kind", "pattern", "description", "examples", "counterexamples"}
    if unknown:
        raise ConfigError(f"{origin}: rule {table.get('id', '?')!r} has unknown key(s) {', '.join(sorted(unknown))}")
    rule_id, pattern = need("id"), need("pattern")
    kind = table.get("kind", "paragraph")
    if kind not in ("paragraph", "section"):
        raise ConfigError(f"{origin}: rule {rule_id}: kind must be 'paragraph' or 'section', got {kind!r}")
    try:
        compiled = regex.compile(pattern, regex.IGNORECASE)
    except regex.error as exc:
        raise ConfigError(f"{origin}: rule {rule_id}: bad pattern: {exc}") from exc
    if compiled.groups:
        raise ConfigError(f"{origin}: rule {rule_id}: use (?:...) groups; capturing groups are not allowed in patterns")
    if compiled.fullmatch(""):
        raise ConfigError(f"{origin}: rule {rule_id}: pattern matches the empty paragraph")

    def strings(key: str) -> tuple[str, ...]:
        value = table.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f"{origin}: rule {rule_id}: {key} must be a list of strings")
        return tuple(value)

    return Rule(
        id=rule_id,
        kind=kind,  # type: ignore[arg-type]
        pattern=pattern,
        description=str(table.get("description", "")),
        language=language,
        examples=strings("examples"),
        counterexamples=strings("counterexamples"),
        origin=origin,
    )


def parse_rules(text: str, origin: str) -> list[Rule]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"rule file {origin} is not valid TOML: {exc}") from exc
    language = data.get("language", "any")
    tables = data.get("rule", [])
    if not isinstance(tables, list):
        raise ConfigError(f"rule file {origin}: use [[rule]] tables")
    return [_rule_from_table(t, str(language), origin) for t in tables]


def builtin_languages() -> list[str]:
    return list(_builtin_languages())


@cache
def _builtin_languages() -> tuple[str, ...]:
    # Package data: it cannot change while the process runs.
    folder = resources.files("dedup") / "rules"
    return tuple(sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".toml")))


def builtin_rules(languages: Iterable[str] = ("all",)) -> list[Rule]:
    return list(_builtin_rules(tuple(languages)))


@cache
def _builtin_rules(languages: tuple[str, ...]) -> tuple[Rule, ...]:
    # The catalogues are package data that cannot change while the process runs: parse them once.
    wanted = list(languages)
    available = builtin_languages()
    if "all" in wanted:
        wanted = available
    missing = sorted(set(wanted) - set(available))
    if missing:
        raise ConfigError(f"no rule catalogue for language(s) {', '.join(missing)}; available: {', '.join(available)}")
    folder = resources.files("dedup") / "rules"
    rules: list[Rule] = []
    for lang in sorted(set(wanted)):
        rules.extend(parse_rules((folder / f"{lang}.toml").read_text(encoding="utf-8"), f"rules/{lang}.toml"))
    return tuple(rules)


# RuleSets kept for reuse, at most (one per distinct configuration in use; a process seldom has more than one).
_RULESETS_KEPT = 8
_RULESETS: dict[tuple[tuple[str, ...], tuple[str, ...], tuple[tuple[str, str | OSError], ...]], RuleSet] = {}


def load_ruleset(config: RulesConfig) -> RuleSet:
    """The built-in catalogues for `config.languages`, plus `rules_files`, minus `disable`.

    Every `dedup.clean` call builds a pipeline, and building its RuleSet cost more than cleaning a short document:
    equal configurations share one. A RuleSet is a function of the catalogues and the rule files' text, so the files
    are read on every call and their text is part of the key (an edited file gives a new RuleSet whatever its
    modification time says), and sharing changes no verdict: its memo only remembers what it computed."""
    files: list[tuple[str, str | OSError]] = []
    for path in config.rules_files:
        try:
            files.append((path, Path(path).read_text(encoding="utf-8")))
        except OSError as exc:
            files.append((path, exc))
    key = (config.languages, config.disable, tuple(files))
    if any(isinstance(text, OSError) for _, text in files):
        return _build_ruleset(*key)  # raises, with the error an uncached load meets first
    found = _RULESETS.get(key)
    if found is None:
        found = _build_ruleset(*key)
        if len(_RULESETS) >= _RULESETS_KEPT:
            _RULESETS.clear()
        _RULESETS[key] = found
    return found


def _build_ruleset(
    languages: tuple[str, ...], disable: tuple[str, ...], files: tuple[tuple[str, str | OSError], ...]
) -> RuleSet:
    rules = builtin_rules(languages)
    for path, text in files:
        if isinstance(text, OSError):
            raise ConfigError(f"cannot read rule file {path}: {text.strerror}") from text
        rules.extend(parse_rules(text, str(path)))
    seen: dict[str, str] = {}
    for rule in rules:
        if rule.id in seen:
            raise ConfigError(f"rule id {rule.id} is defined twice ({seen[rule.id]} and {rule.origin})")
        seen[rule.id] = rule.origin
    unknown = sorted(set(disable) - set(seen))
    if unknown:
        raise ConfigError(f"cannot disable unknown rule(s) {', '.join(unknown)}")
    disabled = set(disable)
    return RuleSet([r for r in rules if r.id not in disabled])
