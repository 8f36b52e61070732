"""`RuleSet.match` prefilters rules before matching them; its verdicts must be the plain alternation's.

The reference here is what `RuleSet` did before the prefilter: one alternation per catalogue language, fullmatched
group by group (user rules, the document's language, English; or every catalogue in name order), crediting the
rule of the first alternative that matches.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import pytest
import regex
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benchmarks.rule_speed import PlainAlternations
from dedup.language import detect
from dedup.pipeline import LANGUAGE_SAMPLE_CHARS
from dedup.rules import (
    MAX_MATCH_CHARS,
    Rule,
    RuleSet,
    _alphabet,
    _analysis,
    _chars_matched,
    _fold,
    _foldable,
    builtin_languages,
    builtin_rules,
    match_form,
    parse_rules,
)
from dedup.shingle import tokens
from tests.conftest import require_eval

LANGUAGES: list[str | None] = [*builtin_languages(), None, "pl", "xx"]
RULES = builtin_rules()
BUILTIN = RuleSet(RULES)


class Reference:
    """The plain alternations, as `RuleSet` matched before it had a prefilter, taking a paragraph like `match`."""

    def __init__(self, rules: Sequence[Rule]) -> None:
        self.plain = PlainAlternations(rules)

    def match(self, text: str, language: str | None = None) -> Rule | None:
        if not self.plain.groups or len(text) > MAX_MATCH_CHARS:
            return None
        form = match_form(text)
        return self.plain.match(form, language) if form else None


REFERENCE = Reference(RULES)


def assert_same(rules: RuleSet, reference: Reference, texts: Iterable[str], languages: Sequence[str | None]) -> None:
    for text in texts:
        for language in languages:
            got, want = rules.match(text, language), reference.match(text, language)
            assert got == want, (
                f"{text!r} ({language}): prefilter says {got and got.id}, alternation says {want and want.id}"
            )


def user_rules(*patterns: str, language: str = "xx") -> list[Rule]:
    body = "".join(f"[[rule]]\nid = '{language}.r{i}'\npattern = '''{p}'''\n" for i, p in enumerate(patterns))
    return parse_rules(f'language = "{language}"\n{body}', "test.toml")


# --- Text generators ---------------------------------------------------------------------------------------------

CATALOGUE_TEXTS = sorted({t for rule in RULES for t in (*rule.examples, *rule.counterexamples)})
# Characters whose case partners the engine and Python disagree on, or that fold to more than one character.
TRICKY = "kKKsSſiIİıσςΣµΜμßẞÅåǅǄǆﬁŉΐĸ\u0345ι"
WORDS = ["the", "Advertisement", "Share", "photo", "Getty Images", "cookies", "2024", "Reuters", "·", "|", "—"]
WORDS += [":", "新闻"]


LITERALS = TRICKY + "abcxyzABC019 .,:-'’/()[]{}|*+?$^#&é新"


def _partner(c: str) -> str:
    matched = regex.findall(regex.escape(c), TRICKY + c.upper() + c.lower() + c.swapcase(), regex.IGNORECASE)
    return next((ch for ch in matched if ch != c), c)


# Another character the engine matches with each one ignoring case, when there is one. (Worked out here: strategies
# may not compile patterns, as regex's cache uses `random`.)
PARTNERS = {c: _partner(c) for t in (*CATALOGUE_TEXTS, LITERALS) for c in {*t, *t.upper(), *t.lower(), *t.title()}}


@st.composite
def mutated(draw: st.DrawFn) -> str:
    text = draw(st.sampled_from(CATALOGUE_TEXTS))
    for _ in range(draw(st.integers(0, 3))):
        op = draw(
            st.sampled_from(
                ["upper", "lower", "swapcase", "title", "prepend", "append", "cut", "chop", "drop", "partner", "insert"]
            )
        )
        if op in ("upper", "lower", "swapcase", "title"):
            text = getattr(text, op)()
        elif op == "prepend":
            text = draw(st.sampled_from(WORDS)) + draw(st.sampled_from([" ", "", ": ", " | "])) + text
        elif op == "append":
            text = text + draw(st.sampled_from([" ", "", ". ", " - "])) + draw(st.sampled_from(WORDS))
        elif text and op == "cut":
            text = text[: draw(st.integers(0, len(text)))]
        elif text and op == "chop":
            text = text[draw(st.integers(0, len(text))) :]
        elif text and op in ("drop", "partner", "insert"):
            i = draw(st.integers(0, len(text) - 1))
            new = {
                "drop": "",
                "partner": PARTNERS.get(text[i], text[i]),
                "insert": text[i] + draw(st.sampled_from(TRICKY + " .,")),
            }[op]
            text = text[:i] + new + text[i + 1 :]
    return text


ALPHABET = st.one_of(
    st.characters(codec="utf-8", exclude_categories=("Cs",)),
    st.sampled_from(TRICKY + "abcdefghijklmnopqrstuvwxyz ABCXYZ0123456789.,:|/-()'’©#@新闻更多阅读Подробнее"),
)
TEXTS = st.one_of(mutated(), st.text(ALPHABET, max_size=40))


# --- Equality with the alternation -------------------------------------------------------------------------------


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TEXTS, st.sampled_from(LANGUAGES))
def test_random_and_mutated_texts_get_the_alternations_verdict(text: str, language: str | None) -> None:
    assert_same(BUILTIN, REFERENCE, [text], [language])


def test_every_catalogue_example_and_counterexample() -> None:
    assert_same(BUILTIN, REFERENCE, CATALOGUE_TEXTS, LANGUAGES)
    # Their variants too: shouted, whispered, clipped at either end.
    variants = {v for t in CATALOGUE_TEXTS for v in (t.upper(), t.lower(), t.swapcase(), t[:-1], t[1:])}
    assert_same(BUILTIN, REFERENCE, sorted(variants), ["en", None])


@pytest.mark.integration
def test_eval_gold_paragraphs() -> None:
    from benchmarks.eval_text import load_aeb, load_wcxb

    eval_dir = require_eval()
    pairs: set[tuple[str, str | None]] = set()
    for page in [*load_aeb(eval_dir), *load_wcxb(eval_dir)]:
        language = detect(tokens(page.gold[:LANGUAGE_SAMPLE_CHARS]))
        pairs.update((p, language) for p in page.gold.splitlines() if p.strip() and len(p) <= MAX_MATCH_CHARS)
    assert len(pairs) > 10_000
    rules = RuleSet(RULES)
    ordered = sorted(pairs, key=lambda pair: (pair[0], pair[1] or ""))
    for text, language in ordered:
        assert rules.match(text, language) == REFERENCE.match(text, language), (text, language)
    # Every catalogue at once (an undetected language) for a sample: the slowest path of the reference.
    assert_same(rules, REFERENCE, [text for text, _ in ordered[::20]], [None])


def test_builtin_catalogues_are_fully_analysed() -> None:
    # Not a correctness matter: a rule the analysis gives up on is always fullmatched, which is slow.
    assert [r.id for r in RULES if _analysis(r.pattern) is None] == []
    assert all(group.prefilter is not None for group in BUILTIN._groups.values())


# --- Tricky constructs, as user rules ------------------------------------------------------------------------------


def check(patterns: Sequence[str], matching: Sequence[str], other: Sequence[str] = ()) -> RuleSet:
    """A rule set of `patterns` whose verdicts are the alternation's, matches `matching` and not `other`."""
    rules = user_rules(*patterns)
    ruleset, reference = RuleSet(rules), Reference(rules)
    assert_same(ruleset, reference, [*matching, *other], [None, "en"])
    for text in matching:
        assert ruleset.match(text) is not None, text
    for text in other:
        assert ruleset.match(text) is None, text
    return ruleset


def test_emptyable_prefix_and_suffix() -> None:
    check(
        [r"(?:the )?(?:very )*(?:latest )?news(?: today)?\.?"],
        ["news", "The news", "the very very latest NEWS today.", "latest news"],
        ["the", "the latest", "newsy", "the news of the day"],
    )


def test_alternation_at_top_level_credits_the_first_rule() -> None:
    rules = check([r"foo|bar baz|qu+x", r"bar baz|zip"], ["foo", "BAR BAZ", "quuux", "zip"], ["bar", "qx"])
    hit = rules.match("bar baz")
    assert hit is not None and hit.id == "xx.r0"


def test_lookarounds_at_the_start() -> None:
    check(
        [r"(?=\d)\d+ comments?", r"(?!no )[a-z]+ shares", r"(?<![a-z])hello", r"(?=.*end$)[^.]{3,20}"],
        ["12 comments", "many SHARES", "Hello", "at the end"],
        ["no shares", "x comments", "hello there"],
    )


def test_classes_with_unicode_properties() -> None:
    check(
        [r"[\p{Lu}][\p{Ll}]+ [\p{N}]+", r"\p{Han}{2,4}新闻", r"[^\p{L}\s]+", r"\P{L}+x"],
        ["Seite 12", "Île ٣", "中国新闻", "…!?", "12x"],
        ["seite", "新闻", "abc"],
    )


def test_classes_that_the_engine_reads_differently_in_a_set() -> None:
    # Ignoring case, \P{Lu} alone does not match "ĸ" (a lowercase letter without an uppercase), but merged into a set
    # with another one-character alternative it does; \p{Lu} the other way round.
    check([r"(?:q|\P{Lu})x", r"\p{Lu}y", r"(?:q|\p{Lu})z"], ["ĸx", "ĸy", "Qz"], ["ĸz"])


def test_non_ascii_case_folding() -> None:
    check(
        [r"kelvin", r"straße", r"σοφία", r"istanbul", r"iı", r"ǆ", r"s{3}"],
        # Kelvin sign, capital sharp s, final sigma, dotted and dotless i, title-case digraph, long s.
        ["\u212aelvin", "STRAẞE", "ΣΟΦΊΑ", "İSTANBUL", "istanbul", "II", "İI", "ǅ", "ſSs"],
        ["strasse", "STRASSE", "sofia"],
    )
    check([r"σοφός", r"λόγος"], ["ΣΟΦΌΣ", "σοφός", "λόγοσ", "ΛΌΓΟΣ"])


def test_possessive_atomic_lazy_and_scoped_flags() -> None:
    check(
        [r"a++b", r"(?>ab|a)c", r"x+?y", r"(?-i:ABC) def", r"(?s:a.b)", r"(?i:mixed)"],
        ["aab", "abc", "ac", "xxy", "ABC DEF", "a-b", "MiXeD"],
        ["abc def", "b"],
    )


def test_unanalysable_patterns_are_always_tried() -> None:
    # POSIX classes and grapheme clusters are beyond the analysis, but mean the same alone and in the alternation.
    patterns = [r"[[:alpha:]]+ x", r"\X\X", r"plain"]
    rules = check(patterns, ["abc x", "e\u0301e\u0301", "plain"], ["123 x"])
    assert [_analysis(p) is None for p in patterns] == [True, True, False]
    assert rules._groups["xx"].prefilter is not None


@pytest.mark.parametrize(
    ("patterns", "text"),
    [
        # An ASCII flag leaks into the alternatives after it, even scoped.
        ([r"(?a)zz", r"\w+"], "é"),
        ([r"(?a:zz)", r"\w+"], "é"),
        # Version 1 turns on full case folding for every alternative.
        ([r"(?V1)zz", r"ß"], "SS"),
        # A global verbose flag.
        ([r"(?x) a b c", r"d e"], "de"),
        # Global flags inside a lookaround.
        ([r"q(?=(?x)a b)a b", r"d e"], "de"),
    ],
)
def test_leaking_flags_turn_the_prefilter_off(patterns: list[str], text: str) -> None:
    rules = user_rules(*patterns)
    ruleset = RuleSet(rules)
    assert ruleset._groups["xx"].prefilter is None
    assert_same(ruleset, Reference(rules), [text, text.upper(), "zz"], [None])


@pytest.mark.parametrize(
    ("patterns", "texts"),
    [
        # Recursion reaches the other alternatives: the alternation matches "axb" through the first rule.
        ([r"x", r"a(?R)?b"], ["axb", "ab", "aabb", "x"]),
        # Fuzzy matching.
        ([r"(?:hello){e<=1}", r"help"], ["hallo", "hello", "help", "helo"]),
        # Backtracking verbs: a pruned first rule hides the second.
        ([r"a(*PRUNE)b|a", r"ac"], ["ac", "ab", "a"]),
        # A conditional on the first rule's group, and a call to it.
        ([r"x", r"(?(1)a|b)c", r"y(?1)"], ["bc", "ac", "yx", "x"]),
    ],
)
def test_patterns_that_reach_other_alternatives_keep_their_verdicts(patterns: list[str], texts: list[str]) -> None:
    rules = [
        Rule(id=f"xx.r{i}", kind="paragraph", pattern=p, description="", language="xx") for i, p in enumerate(patterns)
    ]
    ruleset = RuleSet(rules)
    assert_same(ruleset, Reference(rules), texts, [None])


def test_user_rules_alongside_the_catalogues() -> None:
    rules = [
        *RULES,
        *user_rules(r"sponsored|(?:[a-z]+ )?weather", r"[\p{L}]+ \d+"),
        *user_rules(r"advertisement", language="en"),
    ]
    assert_same(
        RuleSet(rules), Reference(rules), ["Sponsored", "Advertisement", "Local weather", "Seite 3", "x"], LANGUAGES
    )


# --- Random patterns ---------------------------------------------------------------------------------------------

CLASSES = [r"\d", r"\w", r"\s", r"\W", r"\p{L}", r"\p{Lu}", r"\p{Ll}", r"\p{Lt}", r"\P{L}", r"\P{Lu}", r"[^\p{L}]"]
CLASSES += [r"[a-f]", r"[^x]", r"[\p{N}.,]", ".", r"[ks]", r"[^\w ]", r"\p{Upper}", r"[\p{Lu}x]", r"\p{Greek}"]


# Characters each class matches.
CLASS_SAMPLES = {cls: [c for c in LITERALS + "5Ж" if regex.fullmatch(cls, c, regex.IGNORECASE)] for cls in CLASSES}


@st.composite
def pattern_and_sample(draw: st.DrawFn, depth: int = 0) -> tuple[str, str]:
    """A pattern and a text built to match it (or nearly: assertions and atomic groups are not honoured)."""
    kinds = ["literal", "class"] + (
        ["sequence", "alternation", "group", "repeat", "assertion", "flags"] if depth < 3 else []
    )
    kind = draw(st.sampled_from(kinds))
    if kind == "literal":
        c = draw(st.sampled_from(LITERALS))
        return regex.escape(c), draw(st.sampled_from([c, PARTNERS[c]]))
    if kind == "class":
        cls = draw(st.sampled_from(CLASSES))
        return cls, draw(st.sampled_from(CLASS_SAMPLES[cls]))
    if kind == "sequence":
        parts = draw(st.lists(pattern_and_sample(depth + 1), min_size=1, max_size=4))
        return "".join(p for p, _ in parts), "".join(s for _, s in parts)
    if kind == "alternation":
        parts = draw(st.lists(pattern_and_sample(depth + 1), min_size=2, max_size=3))
        return "|".join(p for p, _ in parts), draw(st.sampled_from([s for _, s in parts]))
    inner, sample = draw(pattern_and_sample(depth + 1))
    if kind == "group":
        return draw(st.sampled_from(["(?:{})", "(?>{})"])).format(inner), sample
    if kind == "flags":
        return draw(st.sampled_from(["(?-i:{})", "(?i:{})", "(?s:{})", "(?m:{})", "(?i-s:{})"])).format(inner), sample
    if kind == "assertion":
        where = draw(st.sampled_from(["(?={}){}", "(?!{})", "(?<={}){}", "{}(?<!{})", "^{}$", r"\b{}", r"{}\B"]))
        return where.format(inner, inner), sample
    low, high = draw(st.sampled_from([(0, 1), (0, None), (1, None), (2, 2), (0, 3), (1, 4)]))
    quantifier = {(0, 1): "?", (0, None): "*", (1, None): "+"}.get((low, high), f"{{{low},{high}}}")
    quantifier += draw(st.sampled_from(["", "?", "+"]))
    times = draw(st.integers(low, low + 2 if high is None else high))
    return f"(?:{inner}){quantifier}", sample * times


@settings(max_examples=800, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(pattern_and_sample(), min_size=1, max_size=3), st.sampled_from(["", "x", " y", "Z."]))
def test_random_patterns_get_the_alternations_verdict(rules: list[tuple[str, str]], extra: str) -> None:
    patterns = [f"(?:{p})" for p, _ in rules]
    try:
        for p in patterns:
            regex.compile(p, regex.IGNORECASE)
    except regex.error:
        return  # not a pattern (a lookbehind the engine refuses, ...)
    built = [
        Rule(id=f"xx.r{i}", kind="paragraph", pattern=p, description="", language="xx") for i, p in enumerate(patterns)
    ]
    texts = {v for _, s in rules for v in (s, s.upper(), s.lower(), s.swapcase(), s + extra, extra + s, s[1:], s[:-1])}
    assert_same(RuleSet(built), Reference(built), sorted(texts), [None])


# --- Case folding premises --------------------------------------------------------------------------------------

EVERY_CHARACTER = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF)


def engine_partners(c: str) -> set[str]:
    """The characters the engine matches with `c` ignoring case: alone, or merged into a set with another
    one-character alternative (a private-use character, without case partners)."""
    found = set(regex.findall(regex.escape(c), EVERY_CHARACTER, regex.IGNORECASE))
    return found | set(regex.findall(f"(?:\ue001|{regex.escape(c)})", EVERY_CHARACTER, regex.IGNORECASE)) - {"\ue001"}


@pytest.mark.parametrize(
    "c", sorted(set(TRICKY + "abcdefghijklmnopqrstuvwxyzäöüéèçñå" + "абвгдеёжзийклмнопрстуфхцчшщъыьэюя"))
)
def test_literal_characters_are_found_in_the_fold_of_every_partner(c: str) -> None:
    partners = engine_partners(c)
    if _foldable(c):
        assert {_fold(p) for p in partners} == {_fold(c)}
    # And a rule made of it claims every partner, in every position the prefilter looks at.
    rules = RuleSet(
        user_rules(regex.escape(c), f"zz{regex.escape(c)}zz", f"{regex.escape(c)}.{{5,9}}{regex.escape(c)}")
    )
    for p in partners:
        for text in (p, f"zz{p}zz", f"{p}-----{p}"):
            assert rules.match(text) is not None, (c, p, text)


CLASS_ITEM = regex.compile(r"\[\^?\]?(?:\\.|\\[pP]\{[^}]*\}|[^\]\\])*\]|\\[dDwWsS]|\\[pP]\{[^}]*\}")


def test_catalogue_classes_are_probed_for_every_context() -> None:
    # A class constrains the alphabet's characters only to what the engine may match with it: alone, merged into a
    # set with other one-character alternatives, or behind an alternation's first-character check.
    alphabet = _alphabet()[0]
    items = sorted({m.group() for rule in RULES for m in CLASS_ITEM.finditer(rule.pattern)})
    assert len(items) > 20
    for item in items:
        probed = _chars_matched(item, regex.IGNORECASE)
        # The other alternatives are private-use characters: not in the alphabet, and without case partners.
        contexts = [item, f"(?:\ue001|{item})", f"(?:{item}|\ue001\ue002)", f"(?P<a>\ue001)|(?P<b>{item})"]
        for context in contexts:
            for m in regex.finditer(context, alphabet, regex.IGNORECASE):
                assert probed >> m.start() & 1, (item, context, m.group())


def test_every_catalogue_character_is_folded_soundly() -> None:
    chars = {c for rule in RULES for c in rule.pattern if c.isalpha() and c.lower() != c.upper()}
    for c in sorted(chars):
        if _foldable(c):
            assert {_fold(p) for p in engine_partners(c)} == {_fold(c)}, c
