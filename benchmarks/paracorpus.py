"""A multilingual paragraph corpus with planted near-duplicates and checked ground truth, for the engine benchmarks.

Why this exists: measuring near-duplicate detection (recall, precision, speed) needs many paragraphs whose
near-duplicate pairs are *known*. Real text has unknown near-duplicates of its own, so this script builds a corpus
in which every near-duplicate pair is planted and recorded, and checks that no other pair comes close:

- real text: English (and the few German, French, Russian and Chinese paragraphs) from the evaluation gold in
  `../shared/eval` (WCXB `main_content` split on blank lines, AEB `articleBody` split on lines), and German, French,
  Russian and Chinese prose extracted from Debian's translated manual pages (`manpages-de`, `manpages-fr`,
  `manpages-ru`, `manpages-zh`, fetched with `apt-get download` into `benchmarks/.cache/paracorpus/`, no root
  needed). Every paragraph is checked to be prose in its language (stopwords, Cyrillic or Han share);
- generated text, where a language's real paragraphs run out before its quota: a Markov chain trained on that
  language's real paragraphs (word order 2; Chinese: character order 3), lengths drawn from the real ones;
- planted near-duplicates: a fraction of the paragraphs with at least 30 words (Chinese: 60 Han characters) get one or
  two copies with 1-3 word edits each (substitution, insertion, deletion, swap of adjacent words), placed at random
  positions. `truth.jsonl` lists every source-copy and copy-copy pair with its edits and its word 3-gram Jaccard;
- the check: before planting, exact duplicates are removed and every pair with word 3-gram Jaccard >= 0.3 or word
  1-gram Jaccard >= 0.6 (tokens of `dedup.shingle.tokens`) is found with MinHash LSH (datasketch signatures, banded
  at a low threshold) plus exact Jaccard, and one paragraph of it dropped; the finished corpus is checked again, so
  the only near-duplicate pairs in it are the planted ones.

The same --size and --seed give byte-identical files (given the same manual-page package versions and eval data).

    python -m benchmarks.paracorpus [--size N] [--seed S] [--out DIR] [--eval-dir DIR] [--near-fraction F] [--force]

Other benchmark scripts call `build(size, seed)` (returns the corpus directory, reusing a finished one) and
`load(path)` (returns the paragraphs and the planted pairs).
"""

from __future__ import annotations

import argparse
import bisect
import gzip
import itertools
import json
import math
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import regex

from dedup.shingle import tokens, word_shingles

GENERATOR_VERSION = "2"
BENCH_DIR = Path(__file__).resolve().parent
CACHE_DIR = BENCH_DIR / ".cache" / "paracorpus"
DEFAULT_EVAL_DIR = BENCH_DIR.parents[1] / "shared" / "eval"
DEFAULT_SIZE = 100_000
DEFAULT_SEED = 1
DEFAULT_NEAR_FRACTION = 0.10

LANGS: tuple[str, ...] = ("en", "de", "fr", "ru", "zh")
# Share of the finished corpus per language: 32% non-English.
SHARES: dict[str, float] = {"en": 0.68, "de": 0.08, "fr": 0.08, "ru": 0.08, "zh": 0.08}
PACKAGES: dict[str, str] = {"de": "manpages-de", "fr": "manpages-fr", "ru": "manpages-ru", "zh": "manpages-zh"}
# Directories under usr/share/man/ per language. Chinese: simplified only; the zh_TW pages are script conversions of
# the zh_CN ones (same text, other characters), duplicates that a token Jaccard would not see.
MAN_DIRS: dict[str, tuple[str, ...]] = {"de": ("de",), "fr": ("fr",), "ru": ("ru",), "zh": ("zh_CN",)}

MIN_WORDS = 12  # prose: at least this many tokens (alphabetic languages)
MIN_HAN = 40  # prose: at least this many Han characters (Chinese)
PLANT_MIN_WORDS = 30  # a planted source has at least this many tokens
PLANT_MIN_HAN = 60  # or, in Chinese, this many Han characters
NEAR_J3 = 0.3  # a pair at or above either Jaccard is a near-duplicate
NEAR_J1 = 0.6
MAX_EDITS = 3
MAX_COPIES = 2
MARKOV_ORDER_WORDS = 2
MARKOV_ORDER_CHARS = 3
LENGTH_TOLERANCE = 0.15  # a generated paragraph ends at a sentence end this close to its drawn length
GENERATED_SLACK = 0.10  # generate this share more than missing, so that the pairs the check drops rarely need a top-up
GENERATED_SLACK_MIN = 20
MAX_GENERATION_FAILURES = 10_000  # consecutive generated paragraphs rejected before giving up on a language
MAX_CHECK_ROUNDS = 50
# MinHash LSH for the check: (permutations, bands, rows). A pair at Jaccard s becomes a candidate with probability
# 1 - (1 - s**rows)**bands: 3-grams at 0.3 -> 0.999994, 1-grams at 0.6 -> 0.99986 (with 128 permutations in 64 bands
# of 2 rows, 0.9976 at 0.3, one pair slipped through in 100,000 paragraphs). Candidates whose signatures agree on
# fewer than these shares of their values (at least 4.5 standard deviations below the thresholds) skip the exact
# Jaccard.
LSH_3GRAM = (256, 128, 2)
LSH_1GRAM = (256, 64, 4)
ESTIMATE_FLOOR_3GRAM = 0.12
ESTIMATE_FLOOR_1GRAM = 0.45
MINHASH_SEED = 1
JACCARD_BINS: tuple[float, ...] = (0.0, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0)

_HAN = regex.compile(r"\p{Han}")
_CYRILLIC = regex.compile(r"\p{Cyrillic}")
_LATIN = regex.compile(r"\p{Latin}")
_LETTER = regex.compile(r"\p{L}")
_CJK = regex.compile(r"[\p{Han}\p{Hiragana}\p{Katakana}\u3000-\u303f\uff00-\uffef]")
_SENTENCE_END = ".!?。！？"


def _wordset(words: str) -> frozenset[str]:
    return frozenset(words.split())


# Function words that tell English, German and French apart; the other lists only keep Spanish, Italian, Dutch and
# Portuguese paragraphs of the eval pages from passing for French or English. A word in k lists counts 1/k for each.
_STOPWORDS: dict[str, frozenset[str]] = {
    "en": _wordset(
        "the and of to is that for with are this be on as by it or not from can which was have has will you your if "
        "when but all their they we at its been were would should these there than then into such only also other "
        "may must what how who any each some does do an in"
    ),
    "de": _wordset(
        "der die das und ist nicht mit von den dem für auf ein eine einen einem eines einer sich auch wird werden "
        "wenn oder sind zu im bei nach aus wie kann können dieser diese dieses nur noch wurde durch über als aber "
        "zum zur sie es dass daß wir ich hat haben muss soll des in an"
    ),
    "fr": _wordset(
        "le la les et est des du un une pour dans que qui pas sur par avec ce cette ces sont ne se au aux il elle "
        "ils être peut plus ou mais son sa ses leur été fait comme si sera lorsque quand tous tout de en"
    ),
    "other": _wordset(
        "el los las del por con una para es está como más pero sus y il della che di per non sono gli nel alla è "
        "het een van niet zijn voor met op dat o os não uma com são do da de en"
    ),
}

_OWNERS: dict[str, tuple[tuple[str, float], ...]] = {
    word: tuple((lang, 1.0 / n) for lang in _STOPWORDS if word in _STOPWORDS[lang])
    for word in sorted(set().union(*_STOPWORDS.values()))
    for n in [sum(word in words for words in _STOPWORDS.values())]
}


# --- data records ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RealParagraph:
    """One paragraph of real text and where it came from (a page id or a manual page path)."""

    lang: str
    text: str
    source: str


@dataclass(frozen=True)
class Sources:
    """Everything the corpus is built from: real paragraphs in reading order, and the packages they came from."""

    paragraphs: tuple[RealParagraph, ...]
    packages: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class CorpusParagraph:
    """One line of `paragraphs.jsonl`: `id` is the paragraph's position in the corpus."""

    id: int
    lang: str
    origin: str  # "real" | "generated" | "planted"
    text: str


@dataclass(frozen=True)
class PlantedPair:
    """One line of `truth.jsonl`: a planted near-duplicate pair.

    For "source-copy" pairs `a` is the source and `b` the copy; for "copy-copy" pairs `a < b` and each edit carries
    the id of the copy it was made on. `pos` in an edit is the word's index in the text as it was before that edit.
    """

    a: int
    b: int
    kind: str  # "source-copy" | "copy-copy"
    source: int
    edits: tuple[dict[str, Any], ...]
    jaccard3: float
    jaccard1: float


@dataclass
class Stats:
    """What the build did besides writing paragraphs; ends up in the manifest."""

    real_available: dict[str, int] = field(default_factory=dict)
    exact_duplicates: int = 0
    real_near_pairs: int = 0
    real_near_dropped: int = 0
    generated_near_pairs: int = 0
    generated_near_dropped: int = 0
    generated_rejected: int = 0
    replanted_copies: int = 0
    candidate_pairs: int = 0


# --- language and prose ---------------------------------------------------------------------------------------------


def normalize(text: str) -> str:
    """Whitespace runs to one space, ends stripped."""
    return " ".join(text.split())


def han_count(text: str) -> int:
    return len(_HAN.findall(text))


def detect_language(text: str) -> str | None:
    """One of LANGS, or None: Han share of tokens for Chinese, Cyrillic share of letters for Russian, then function
    words for English, German and French."""
    toks = tokens(text)
    if not toks:
        return None
    han = sum(1 for t in toks if len(t) == 1 and _HAN.match(t))
    if han >= 0.5 * len(toks):
        return "zh"
    letters = len(_LETTER.findall(text))
    if letters == 0:
        return None
    if len(_CYRILLIC.findall(text)) >= 0.6 * letters:
        return "ru"
    if len(_LATIN.findall(text)) < 0.8 * letters:
        return None
    scores = dict.fromkeys(_STOPWORDS, 0.0)
    for tok in toks:
        for lang, weight in _OWNERS.get(tok, ()):
            scores[lang] += weight
    ranked = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))
    (best, top), (_, second) = ranked[0], ranked[1]
    if best == "other" or top < 3 or top < 2 * second:
        return None
    return best


def long_enough(text: str, lang: str) -> bool:
    """At least MIN_WORDS tokens (Chinese: MIN_HAN Han characters)."""
    return han_count(text) >= MIN_HAN if lang == "zh" else len(tokens(text)) >= MIN_WORDS


def is_prose(text: str, lang: str) -> bool:
    """Long enough to be prose, and really in `lang`."""
    return long_enough(text, lang) and detect_language(text) == lang


def plantable(text: str, lang: str) -> bool:
    """Long enough to be the source of planted copies."""
    if lang == "zh":
        return han_count(text) >= PLANT_MIN_HAN
    return len(tokens(text)) >= PLANT_MIN_WORDS


# --- roff to paragraphs ---------------------------------------------------------------------------------------------

_SPECIAL: dict[str, str] = {
    "em": "—", "en": "–", "hy": "-", "mi": "-", "lq": "“", "rq": "”", "oq": "‘", "cq": "’", "aq": "'", "dq": '"',
    "bu": "•", "co": "©", "rg": "®", "tm": "™", "pl": "+", "mu": "×", "di": "÷", ">=": "≥", "<=": "≤", "!=": "≠",
    "->": "→", "<-": "←", "ga": "`", "ha": "^", "ti": "~", "sl": "/", "rs": "\\", "ba": "|", "br": "|", "de": "°",
    "Fo": "«", "Fc": "»", "fo": "‹", "fc": "›", "sc": "§", "ps": "¶", "Eu": "€", "eu": "€", "Po": "£", "ss": "ß",
    ":a": "ä", ":o": "ö", ":u": "ü", ":A": "Ä", ":O": "Ö", ":U": "Ü", ":e": "ë", ":i": "ï", "'e": "é", "`e": "è",
    "^e": "ê", "'E": "É", "`a": "à", "^a": "â", ",c": "ç", ",C": "Ç", "^o": "ô", "^i": "î", "^u": "û", "`u": "ù",
    "oe": "œ", "OE": "Œ", "ae": "æ", "AE": "Æ", "`A": "À", "'a": "á", "'o": "ó", "'i": "í", "'u": "ú", "~n": "ñ",
    "ul": "_", "bv": "|", "pd": "∂", "*W": "Ω", "*p": "π", "*b": "β", "**": "∗", "em-": "—",
}  # fmt: skip
_STRINGS: dict[str, str] = {"lq": "“", "rq": "”", "R": "®", "Tm": "™", "Aq": "'", "C`": "“", "C'": "”"}
_CHAR_ESCAPES: dict[str, str] = {"-": "-", "e": "\\", "\\": "\\", "~": " ", " ": " ", "0": " ", "t": " ", "'": "'"}
_CHAR_ESCAPES.update({"`": "`", ".": ".", "_": "_"})
_ESCAPE = regex.compile(
    r"""\\(?:
        "(?P<comment>.*)$
      | f(?:\[[^\]]*\]|\(..|.)
      | s[+-]?(?:\(\d\d|\[\d+\]|\d)
      | \((?P<special2>..)
      | \[(?P<special>[^\]]*)\]
      | \*(?:\((?P<str2>..)|\[(?P<strn>[^\]]*)\]|(?P<str1>.))
      | [hvlLDoxXbZwHSR]'[^']*'
      | N'(?P<num>\d+)'
      | [nkgmMFY](?:\(..|\[[^\]]*\]|.)
      | (?P<char>.)
    )""",
    regex.X,
)
_ARG = regex.compile(r'"((?:[^"]|"")*)"?|(\S+)')
_SKIP_BLOCKS: dict[str, str] = {"nf": "fi", "EX": "EE", "Vb": "Ve", "CS": "CE", "TS": "TE", "EQ": "EN", "PS": "PE"}
_FONT_SPACED = frozenset({"B", "I", "SM", "SB"})
_FONT_ALTERNATING = frozenset({"BR", "BI", "IB", "IR", "RB", "RI"})
_MDOC_INLINE = _wordset(
    "Nm Ar Fl Cm Pa Xr Em Sy Li Va Ev Dv Er Fn Fa Ql Dq Sq Pq Op Ic Ad Ms Tn Ux At Bx No Ns Aq Bq Qq Lk Mt Ft Vt St "
    "An Dl"
)
_NOOP = _wordset(
    "ad na hy nh ft ps vs ll ne ds nr ce cs ss fam ta UC PD IX mk ev rm rn ns rs lf tr pc cc c2 ec eo ch wh it em hw "
    "lg ul cu uf Dd Dt Os UR MT so in ti"
)


def _unescape_match(m: regex.Match[str]) -> str:
    if m.group("comment") is not None:
        return ""
    for name, table in (("special2", _SPECIAL), ("str2", _STRINGS), ("strn", _STRINGS), ("str1", _STRINGS)):
        key = m.group(name)
        if key is not None:
            return table.get(key, "")
    special = m.group("special")
    if special is not None:
        if regex.fullmatch(r"u[0-9A-Fa-f]{4,6}", special):
            return chr(int(special[1:], 16))
        return _SPECIAL.get(special, "")
    num = m.group("num")
    if num is not None:
        return chr(int(num)) if int(num) < 0x110000 else ""
    char = m.group("char")
    if char is not None:
        return _CHAR_ESCAPES.get(char, "")
    return ""


def unescape(text: str) -> str:
    """roff escapes to plain text: font and size changes dropped, special characters spelled out, comments cut."""
    return _ESCAPE.sub(_unescape_match, text)


def _join_pieces(pieces: Sequence[tuple[str, bool]]) -> str:
    """Join text pieces with a space, except glued pieces (`\\c`, trailing punctuation) and between CJK characters."""
    out = ""
    for text, glue in pieces:
        text = normalize(text)
        if not text:
            continue
        if out and not glue and not (_CJK.match(out[-1]) and _CJK.match(text[0])):
            out += " "
        out += text
    return normalize(out)


def _request(line: str) -> tuple[str, list[str]]:
    """A control line's request name and its arguments (quotes removed)."""
    body = line[1:].lstrip()
    if body.startswith(('\\"', "\\#")) or not body:
        return "\\", []
    name, _, rest = body.partition(" ")
    name = name.split("\t")[0]
    args = [q.replace('""', '"') if q or not plain else plain for q, plain in _ARG.findall(rest)]
    return name, args


def roff_paragraphs(source: str) -> list[str]:
    """Text paragraphs of a man(7) / mdoc(7) page: text lines between paragraph macros joined, macros dropped.

    Headings, `.TP` tags, `.IP` tags, no-fill blocks (examples), tables and macro definitions are left out; font
    macros (`.B`, `.BR`, ...) and mdoc inline macros keep their text inside the paragraph.
    """
    paragraphs: list[str] = []
    pieces: list[tuple[str, bool]] = []
    skip_until: str | None = None
    in_braces = False
    skip_next_text = False
    glue_next = False

    def flush() -> None:
        nonlocal glue_next
        text = _join_pieces(pieces)
        if text:
            paragraphs.append(text)
        pieces.clear()
        glue_next = False

    def add(text: str) -> None:
        nonlocal glue_next, skip_next_text
        if skip_next_text:  # a .TP tag or the heading after a bare .SH, written as text or as a font macro
            skip_next_text = False
            return
        raw = text.rstrip()
        continues = raw.endswith("\\c")
        pieces.append((unescape(raw[:-2] if continues else raw), glue_next))
        glue_next = continues

    for raw_line in source.splitlines():
        line = raw_line.rstrip()
        if skip_until is not None:
            if line[:1] in (".", "'") and _request(line)[0] == skip_until:
                skip_until = None
            continue
        if in_braces:
            if "\\}" in line:
                in_braces = False
            continue
        if not line.strip():
            flush()
            continue
        if line[0] not in ".'":
            add(line)
            continue
        name, args = _request(line)
        if name in ("if", "ie", "el"):
            in_braces = "\\{" in line and "\\}" not in line
        elif name in ("de", "de1", "am", "ig"):
            skip_until = "."
        elif name in _SKIP_BLOCKS:
            flush()
            skip_until = _SKIP_BLOCKS[name]
        elif name in _FONT_SPACED:
            if args:
                add(" ".join(args))
        elif name in _FONT_ALTERNATING:
            if args:
                add("".join(args))
        elif name in ("UE", "ME"):
            if args:
                pieces.append((unescape(args[0]), True))
        elif name in ("TP", "TQ"):
            flush()
            skip_next_text = True
        elif name in ("SH", "SS", "Sh", "Ss"):
            flush()
            skip_next_text = not args
        elif name in _MDOC_INLINE:
            if skip_next_text:
                skip_next_text = False
                continue
            for arg in args:
                if regex.fullmatch(r"[A-Z][a-z][a-z]?", arg):
                    continue
                glue = bool(regex.fullmatch(r"[.,:;)\]!?]+", arg))
                pieces.append((unescape(arg), glue))
        elif name in _NOOP or name == "\\":
            pass
        else:
            flush()
            skip_next_text = False
    flush()
    return paragraphs


# --- real text sources ----------------------------------------------------------------------------------------------


def eval_paragraphs(eval_dir: Path) -> list[RealParagraph]:
    """Prose paragraphs of the evaluation gold, in file order, each tagged with its detected language."""
    wcxb = sorted((eval_dir / "wcxb-dev" / "ground-truth").glob("*.json"))
    aeb_path = eval_dir / "aeb" / "ground-truth.json"
    if not wcxb or not aeb_path.is_file():
        raise SystemExit(f"no evaluation gold under {eval_dir} (wcxb-dev/ground-truth, aeb/ground-truth.json)")
    out: list[RealParagraph] = []

    def keep(block: str, source: str) -> None:
        text = normalize(block)
        lang = detect_language(text) if text else None
        if lang is not None and long_enough(text, lang):
            out.append(RealParagraph(lang, text, source))

    for path in wcxb:
        gold = json.loads(path.read_text(encoding="utf-8")).get("ground_truth") or {}
        for block in regex.split(r"\n[ \t]*\n", gold.get("main_content") or ""):
            keep(block, f"wcxb/{path.stem}")
    aeb = json.loads(aeb_path.read_text(encoding="utf-8"))
    for key in sorted(aeb):
        for block in (aeb[key].get("articleBody") or "").split("\n"):
            keep(block, f"aeb/{key}")
    return out


def fetch_manpages(cache_dir: Path) -> dict[str, tuple[str, Path]]:
    """The translated manual-page packages, downloaded (once) with `apt-get download` and unpacked with `dpkg-deb -x`.

    Returns {lang: (version, unpacked root)}. Stops with a message saying what to run when the download fails.
    """
    debs = cache_dir / "debs"
    debs.mkdir(parents=True, exist_ok=True)
    missing = [pkg for pkg in PACKAGES.values() if not sorted(debs.glob(f"{pkg}_*.deb"))]
    if missing:
        try:
            proc = subprocess.run(
                ["apt-get", "download", *missing], cwd=debs, capture_output=True, text=True, check=False
            )
            failed = proc.returncode != 0
            detail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] if failed else []
        except FileNotFoundError:
            failed, detail = True, ["apt-get not found"]
        if failed or any(not sorted(debs.glob(f"{pkg}_*.deb")) for pkg in missing):
            rel = debs.relative_to(BENCH_DIR.parent) if debs.is_relative_to(BENCH_DIR.parent) else debs
            raise SystemExit(
                f"could not download {' '.join(missing)} ({'; '.join(detail) or 'no .deb written'}).\n"
                f"Run `apt-get update` (as root, once), then from the repository root "
                f"`cd {rel} && apt-get download {' '.join(missing)}` (no root needed), and run this script again."
            )
    out: dict[str, tuple[str, Path]] = {}
    for lang, pkg in PACKAGES.items():
        deb = sorted(debs.glob(f"{pkg}_*.deb"))[-1]
        version = subprocess.run(
            ["dpkg-deb", "-f", str(deb), "Version"], capture_output=True, text=True, check=True
        ).stdout.strip()
        root = cache_dir / "unpacked" / f"{pkg}_{version}"
        if not (root / ".complete").is_file():
            if root.exists():
                shutil.rmtree(root)
            root.mkdir(parents=True)
            subprocess.run(["dpkg-deb", "-x", str(deb), str(root)], check=True)
            (root / ".complete").write_text("ok\n", encoding="utf-8")
        out[lang] = (version, root)
    return out


def manpage_paragraphs(lang: str, root: Path) -> list[RealParagraph]:
    """Prose paragraphs of one language's manual pages, pages in sorted path order."""
    out: list[RealParagraph] = []
    for sub in MAN_DIRS[lang]:
        base = root / "usr" / "share" / "man" / sub
        for path in sorted(p for p in base.rglob("*") if p.is_file()):
            raw = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
            source = f"{PACKAGES[lang]}:{path.relative_to(base.parent).as_posix()}"
            for text in roff_paragraphs(raw.decode("utf-8", errors="replace")):
                if is_prose(text, lang):
                    out.append(RealParagraph(lang, text, source))
    return out


def load_sources(eval_dir: Path = DEFAULT_EVAL_DIR, cache_dir: Path = CACHE_DIR) -> Sources:
    """The real paragraphs: eval gold first, then each language's manual pages."""
    paragraphs = eval_paragraphs(eval_dir)
    packages: dict[str, str] = {}
    for lang, (version, root) in fetch_manpages(cache_dir).items():
        packages[PACKAGES[lang]] = version
        paragraphs.extend(manpage_paragraphs(lang, root))
    return Sources(tuple(paragraphs), packages)


# --- near-duplicate check -------------------------------------------------------------------------------------------


def shingle_set(text: str) -> frozenset[str]:
    return frozenset(word_shingles(tokens(text), 3))


def word_set(text: str) -> frozenset[str]:
    return frozenset(tokens(text))


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    if not a and not b:
        return 1.0
    inter = len(a & b)
    return inter / (len(a) + len(b) - inter)


class SimilarityIndex:
    """MinHash signatures (datasketch, cached per text) and the LSH + exact-Jaccard search for near-duplicate pairs."""

    def __init__(self) -> None:
        self._sig3: dict[str, npt.NDArray[np.uint32]] = {}
        self._sig1: dict[str, npt.NDArray[np.uint32]] = {}
        self._verified: dict[tuple[str, str], tuple[float, float]] = {}  # exact Jaccards of candidate text pairs
        self.candidates = 0

    def _signatures(self, texts: Sequence[str]) -> tuple[npt.NDArray[np.uint32], npt.NDArray[np.uint32]]:
        from datasketch import MinHash

        todo = [t for t in dict.fromkeys(texts) if t not in self._sig3]
        for start in range(0, len(todo), 5000):
            chunk = todo[start : start + 5000]
            toks = [tokens(t) for t in chunk]
            for cache, sets, num_perm in (
                (self._sig3, [word_shingles(x, 3) for x in toks], LSH_3GRAM[0]),
                (self._sig1, toks, LSH_1GRAM[0]),
            ):
                encoded = [[s.encode("utf-8") for s in set(x)] for x in sets]
                mins = MinHash.bulk(encoded, num_perm=num_perm, seed=MINHASH_SEED)
                for text, m in zip(chunk, mins, strict=True):
                    cache[text] = np.asarray(m.hashvalues, dtype=np.uint64).astype(np.uint32)
        return np.stack([self._sig3[t] for t in texts]), np.stack([self._sig1[t] for t in texts])

    def near_pairs(
        self, texts: Sequence[str], checked: Collection[str] = frozenset()
    ) -> list[tuple[int, int, float, float]]:
        """Every pair (i, j), i < j, with word 3-gram Jaccard >= NEAR_J3 or word Jaccard >= NEAR_J1, found among
        MinHash LSH candidates; with both Jaccards. Sorted. Pairs of two texts in `checked` (known to be free of
        pairs among themselves) are skipped."""
        if len(texts) < 2:
            return []
        sig3, sig1 = self._signatures(texts)
        n = len(texts)
        codes = _distinct(np.concatenate([band_pairs(sig3, *LSH_3GRAM[1:]), band_pairs(sig1, *LSH_1GRAM[1:])]))
        if checked:
            new = np.array([t not in checked for t in texts], dtype=bool)
            i, j = np.divmod(codes, n)
            codes = codes[new[i] | new[j]]
        keep = np.zeros(len(codes), dtype=bool)
        floor3, floor1 = ESTIMATE_FLOOR_3GRAM * sig3.shape[1], ESTIMATE_FLOOR_1GRAM * sig1.shape[1]
        for start in range(0, len(codes), 65536):
            i, j = np.divmod(codes[start : start + 65536], n)
            same3 = np.count_nonzero(sig3[i] == sig3[j], axis=1)
            same1 = np.count_nonzero(sig1[i] == sig1[j], axis=1)
            keep[start : start + 65536] = (same3 >= floor3) | (same1 >= floor1)
        codes = codes[keep]
        sets3: dict[int, frozenset[str]] = {}
        sets1: dict[int, frozenset[str]] = {}
        found: list[tuple[int, int, float, float]] = []
        for code in codes.tolist():
            i, j = divmod(code, n)
            key = (texts[i], texts[j])
            if key not in self._verified:
                for k in (i, j):
                    if k not in sets1:
                        sets3[k], sets1[k] = shingle_set(texts[k]), word_set(texts[k])
                self._verified[key] = (jaccard(sets3[i], sets3[j]), jaccard(sets1[i], sets1[j]))
                self.candidates += 1
            j3, j1 = self._verified[key]
            if j3 >= NEAR_J3 or j1 >= NEAR_J1:
                found.append((i, j, j3, j1))
        return found


def _distinct(values: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """Sorted distinct values (a sort is much faster than np.unique's hashing on large int arrays)."""
    values = np.sort(values)
    return values[np.r_[True, values[1:] != values[:-1]]] if len(values) else values


def band_pairs(signatures: npt.NDArray[np.uint32], bands: int, rows: int) -> npt.NDArray[np.int64]:
    """Codes i * n + j (i < j) of the pairs that agree on all rows of at least one band."""
    n = signatures.shape[0]
    empty = (signatures == np.uint32(0xFFFFFFFF)).all(axis=1)
    found: list[npt.NDArray[np.int64]] = []
    sig = signatures.astype(np.uint64)
    for band in range(bands):
        key = np.full(n, ((band + 1) * 0x9E3779B97F4A7C15) & 0xFFFF_FFFF_FFFF_FFFF, dtype=np.uint64)
        for col in sig[:, band * rows : (band + 1) * rows].T:
            key = (key ^ col) * np.uint64(0xBF58476D1CE4E5B9)
            key ^= key >> np.uint64(29)
        key[empty] = np.arange(empty.sum(), dtype=np.uint64) ^ np.uint64(0xFFFF_FFFF_FFFF_0000)
        order = np.argsort(key, kind="stable")
        keys = key[order]
        starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
        ends = np.r_[starts[1:], n]
        sizes = ends - starts
        for size in np.unique(sizes[sizes > 1]).tolist():
            # all buckets of one size at once: a (buckets, size) matrix of members, then every pair of columns
            members = np.sort(order[starts[sizes == size][:, None] + np.arange(size)], axis=1).astype(np.int64)
            i, j = np.triu_indices(size, k=1)
            found.append((members[:, i] * n + members[:, j]).ravel())
    if not found:
        return np.empty(0, dtype=np.int64)
    return _distinct(np.concatenate(found))


def greedy_drop(n: int, pairs: Iterable[tuple[int, int, float, float]]) -> set[int]:
    """Indices to drop so that no pair is left: going in index order, an item conflicting with a kept earlier item
    goes (earlier items are preferred)."""
    earlier: dict[int, list[int]] = {}
    for i, j, _, _ in pairs:
        earlier.setdefault(j, []).append(i)
    dropped: set[int] = set()
    for j in sorted(earlier):
        if any(i not in dropped for i in earlier[j]):
            dropped.add(j)
    assert all(0 <= k < n for k in dropped)
    return dropped


# --- Markov extension -----------------------------------------------------------------------------------------------


def _units(text: str, lang: str) -> list[str]:
    """What the Markov chain and the edits work on: whitespace words; in Chinese, single Han characters and runs of
    anything else (for the chain: single characters)."""
    if lang == "zh":
        return regex.findall(r"\p{Han}|[^\p{Han}]+", text)
    return text.split()


def _join(units: Sequence[str], lang: str) -> str:
    return "".join(units) if lang == "zh" else " ".join(units)


class Markov:
    """A Markov chain over words (order 2) or, for Chinese, characters (order 3), trained on real paragraphs.

    Generates paragraphs whose length (in units) is drawn from the training paragraphs' lengths: a paragraph ends at
    the sentence end nearest to that length (within 15%, else it is cut there); a training paragraph's end reached too
    early counts as a sentence end and goes on with a new paragraph start.
    """

    def __init__(self, paragraphs: Sequence[str], lang: str) -> None:
        self.lang = lang
        self.order = MARKOV_ORDER_CHARS if lang == "zh" else MARKOV_ORDER_WORDS
        self.next: dict[tuple[str, ...], list[str]] = {}
        self.lengths: list[int] = []
        start = ("",) * self.order
        for text in paragraphs:
            units = list(text) if lang == "zh" else text.split()
            if not units:
                continue
            self.lengths.append(len(units))
            state = start
            for unit in [*units, ""]:
                self.next.setdefault(state, []).append(unit)
                state = (*state[1:], unit)
        if not self.lengths:
            raise ValueError(f"no training text for {lang}")

    @property
    def vocabulary(self) -> set[str]:
        return {u for nxt in self.next.values() for u in nxt if u}

    def generate(self, rng: random.Random) -> str:
        target = rng.choice(self.lengths)
        slack = max(1, round(LENGTH_TOLERANCE * target))
        start = ("",) * self.order
        state = start
        out: list[str] = []
        ends: list[int] = []  # lengths at which a sentence (or a training paragraph) ended
        while True:
            unit = rng.choice(self.next[state])
            if not unit:
                state = start
                if out and (not ends or ends[-1] != len(out)):
                    ends.append(len(out))
                if len(out) >= target:
                    break
                continue
            out.append(unit)
            state = (*state[1:], unit)
            if unit[-1] in _SENTENCE_END:
                ends.append(len(out))
            if len(out) >= target and (ends[-1:] == [len(out)] or len(out) >= target + slack):
                break
        near = [e for e in ends if abs(e - target) <= slack]
        cut = min(near, key=lambda e: (abs(e - target), e)) if near else target
        return normalize(("" if self.lang == "zh" else " ").join(out[:cut]))


# --- edits ----------------------------------------------------------------------------------------------------------

_CORE = regex.compile(r"^(\W*)(\p{L}+)(\W*)$")  # one word of letters, punctuation around it
_SCRIPT: dict[str, regex.Pattern[str]] = {
    "en": regex.compile(r"\p{Latin}{2,}"),
    "de": regex.compile(r"\p{Latin}{2,}"),
    "fr": regex.compile(r"\p{Latin}{2,}"),
    "ru": regex.compile(r"\p{Cyrillic}{2,}"),
    "zh": regex.compile(r"\p{Han}"),
}


def vocabulary(texts: Iterable[str], lang: str, min_count: int = 2) -> list[str]:
    """Words (Chinese: Han characters) of a language's real text seen at least `min_count` times, in its script,
    lowercased, sorted: what substitutions and insertions draw from."""
    units: Counter[str] = Counter()
    for text in texts:
        units.update(_units(text, lang))
    counts: Counter[str] = Counter()
    script = _SCRIPT[lang]
    for unit, n in units.items():  # each distinct unit once: the same counts as unit by unit, several times faster
        m = _CORE.match(unit) if lang != "zh" else None
        word = m.group(2) if m else unit
        if script.fullmatch(word):
            counts[word.lower()] += n
    return sorted(w for w, c in counts.items() if c >= min_count and len(tokens(w)) == 1)


def _core(unit: str, lang: str) -> tuple[str, str, str] | None:
    """(prefix, word, suffix) of an editable unit, or None: one token of letters (a Han character in Chinese)."""
    if lang == "zh":
        return ("", unit, "") if _HAN.fullmatch(unit) else None
    m = _CORE.match(unit)
    if m is None or len(tokens(m.group(2))) != 1:
        return None
    return m.group(1), m.group(2), m.group(3)


def _cased(word: str, like: str) -> str:
    return word[:1].upper() + word[1:] if like[:1].isupper() else word


def _apply_edit(units: list[str], lang: str, vocab: Sequence[str], rng: random.Random) -> dict[str, Any] | None:
    """One random word edit of `units`, in place; the edit's record, or None if the drawn kind had nowhere to go."""
    op = rng.choice(("substitute", "insert", "delete", "swap"))
    cores = {i: c for i, u in enumerate(units) if (c := _core(u, lang)) is not None}
    if op == "insert":
        pos = rng.randint(1, len(units))
        word = rng.choice(vocab)
        units.insert(pos, word)
        return {"op": op, "pos": pos, "new": word}
    if op == "substitute":
        if not cores:
            return None
        pos = rng.choice(sorted(cores))
        pre, old, suf = cores[pos]
        word = _cased(rng.choice(vocab), old)
        if word.casefold() == old.casefold():
            return None
        units[pos] = pre + word + suf
        return {"op": op, "pos": pos, "old": old, "new": word}
    if op == "delete":
        if lang == "zh":
            # a Han character between two runs of other text: deleting it would merge their words
            spots = [i for i in cores if i == 0 or i == len(units) - 1 or _HAN.match(units[i - 1])]
        else:
            spots = list(cores) if len(units) > 1 else []
        if not spots:
            return None
        pos = rng.choice(sorted(spots))
        pre, old, suf = cores[pos]
        del units[pos]
        if pre or suf:  # punctuation around the deleted word stays with a neighbour
            if pos > 0:
                units[pos - 1] += pre + suf
            else:
                units[0] = pre + suf + units[0]
        if pos == 0 and lang != "zh":
            units[0] = _cased(units[0], old)
        return {"op": op, "pos": pos, "old": old}
    spots = [i for i in cores if i + 1 in cores and cores[i][1].casefold() != cores[i + 1][1].casefold()]
    if not spots:
        return None
    pos = rng.choice(sorted(spots))
    (p1, w1, s1), (p2, w2, s2) = cores[pos], cores[pos + 1]
    if w1[:1].isupper() and not w2[:1].isupper():  # "The cat" -> "Cat the"
        w1, w2 = w1[:1].lower() + w1[1:], w2[:1].upper() + w2[1:]
    units[pos], units[pos + 1] = p1 + w2 + s1, p2 + w1 + s2
    return {"op": op, "pos": pos, "old": _join([cores[pos][1], cores[pos + 1][1]], lang), "new": _join([w2, w1], lang)}


def make_copy(text: str, lang: str, vocab: Sequence[str], rng: random.Random) -> tuple[str, list[dict[str, Any]]]:
    """An edited copy of `text`: 1-3 word edits (Chinese: Han-character edits); the copy's tokens always differ."""
    if not vocab:
        raise ValueError(f"empty vocabulary for {lang}")
    source_tokens = tokens(text)
    for _ in range(100):
        units = _units(text, lang)
        edits: list[dict[str, Any]] = []
        wanted = rng.randint(1, MAX_EDITS)
        tries = 0
        while len(edits) < wanted and tries < 50:
            tries += 1
            edit = _apply_edit(units, lang, vocab, rng)
            if edit is not None:
                edits.append(edit)
                units = _units(_join(units, lang), lang)
        copy = normalize(_join(units, lang))
        if edits and tokens(copy) != source_tokens:
            return copy, edits
    raise ValueError(f"could not edit {text[:60]!r}")


# --- corpus assembly ------------------------------------------------------------------------------------------------


@dataclass
class _Item:
    lang: str
    text: str
    origin: str
    source: int = -1  # for copies: index of the source item
    edits: list[dict[str, Any]] = field(default_factory=list)


def _rng(seed: int, *parts: object) -> random.Random:
    return random.Random(":".join(str(p) for p in (seed, *parts)))


def quotas(size: int) -> dict[str, int]:
    """Paragraphs per language in the finished corpus (largest remainder, so they add up to `size`)."""
    raw = {lang: SHARES[lang] * size for lang in LANGS}
    out = {lang: int(v) for lang, v in raw.items()}
    for lang in sorted(LANGS, key=lambda x: (-(raw[x] - out[x]), LANGS.index(x)))[: size - sum(out.values())]:
        out[lang] += 1
    return out


def clean_real(sources: Sources, index: SimilarityIndex, stats: Stats) -> dict[str, list[str]]:
    """Real paragraphs per language with exact duplicates and near-duplicate pairs (one member of each) removed;
    earlier paragraphs win (eval gold before manual pages, pages in sorted order)."""
    seen: set[str] = set()
    ordered: list[RealParagraph] = []
    for p in sources.paragraphs:
        if p.lang not in LANGS:
            continue
        text = normalize(p.text)
        if text in seen:
            stats.exact_duplicates += 1
            continue
        seen.add(text)
        ordered.append(RealParagraph(p.lang, text, p.source))
    pairs = index.near_pairs([p.text for p in ordered])
    dropped = greedy_drop(len(ordered), pairs)
    stats.real_near_pairs = len(pairs)
    stats.real_near_dropped = len(dropped)
    out: dict[str, list[str]] = {lang: [] for lang in LANGS}
    for k, p in enumerate(ordered):
        if k not in dropped:
            out[p.lang].append(p.text)
    stats.real_available = {lang: len(out[lang]) for lang in LANGS}
    return out


def base_streams(
    real: dict[str, list[str]], need: dict[str, int], seed: int, index: SimilarityIndex, stats: Stats
) -> dict[str, list[_Item]]:
    """Per language, `need` paragraphs free of near-duplicate pairs (across all languages): real ones in a seeded
    order, then generated ones where the real ones run out. Generated paragraphs that pair with anything are dropped
    (a few more than needed are generated up front) and replaced until the check finds no pair."""
    streams: dict[str, list[_Item]] = {}
    chains: dict[str, Markov] = {}
    gen_rngs: dict[str, random.Random] = {}
    seen: set[str] = set()
    for lang in LANGS:
        texts = list(real[lang])
        _rng(seed, "order", lang).shuffle(texts)
        streams[lang] = [_Item(lang, t, "real") for t in texts[: need[lang]]]
        seen.update(real[lang])
        if len(streams[lang]) < need[lang]:
            chains[lang] = Markov(real[lang], lang)
            gen_rngs[lang] = _rng(seed, "markov", lang)
    generated: list[_Item] = []  # in generation order: later ones lose a pair
    checked = set(seen)  # the cleaned real text has no pair left among itself
    for rounds in range(MAX_CHECK_ROUNDS):
        for lang in chains:
            short = need[lang] - len(streams[lang])
            if short <= 0:
                continue
            # the first time a share more than missing; after that twice what the check took away
            extra = math.ceil(GENERATED_SLACK * short) if rounds == 0 else short
            goal = need[lang] + max(GENERATED_SLACK_MIN, extra)
            failures = 0
            while len(streams[lang]) < goal:
                text = chains[lang].generate(gen_rngs[lang])
                if text in seen or not is_prose(text, lang):
                    stats.generated_rejected += 1
                    failures += 1
                    if failures > MAX_GENERATION_FAILURES:
                        raise RuntimeError(
                            f"the {lang} generator keeps repeating known text or leaving the language: "
                            f"too little {lang} training text ({len(real[lang])} paragraphs)"
                        )
                    continue
                failures = 0
                seen.add(text)
                item = _Item(lang, text, "generated")
                streams[lang].append(item)
                generated.append(item)
        if generated:
            ordered = [it for lang in LANGS for it in streams[lang] if it.origin == "real"] + generated
            pairs = index.near_pairs([it.text for it in ordered], checked)
            dropped = greedy_drop(len(ordered), pairs)
            n_real = len(ordered) - len(generated)
            if any(k < n_real for k in dropped):
                raise RuntimeError("a real paragraph lost a near-duplicate pair after the real text was cleaned")
            stats.generated_near_pairs += len(pairs)
            stats.generated_near_dropped += len(dropped)
            gone = {id(ordered[k]) for k in dropped}
            generated = [it for it in generated if id(it) not in gone]
            for lang in LANGS:
                streams[lang] = [it for it in streams[lang] if id(it) not in gone]
            checked.update(it.text for it in ordered if id(it) not in gone)
        if all(len(streams[lang]) >= need[lang] for lang in LANGS):
            return {lang: streams[lang][: need[lang]] for lang in LANGS}
    raise RuntimeError(f"generated paragraphs still pair with other paragraphs after {MAX_CHECK_ROUNDS} rounds")


def plan_base(stream: Sequence[_Item], total: int, near_fraction: float) -> tuple[int, int, int]:
    """(base paragraphs, planted sources, copies) for one language so that base + copies == total, with
    sources = round(near_fraction * plantable base paragraphs) and about 1.5 copies per source."""
    flags = [plantable(it.text, it.lang) for it in stream[:total]]
    prefix = [0, *np.cumsum(flags, dtype=np.int64).tolist()] if flags else [0]
    for base in range(min(total, len(stream)), -1, -1):
        sources = round(near_fraction * prefix[base])
        copies = total - base
        if copies >= round(1.5 * sources) and sources <= copies <= MAX_COPIES * sources:
            return base, sources, copies
    raise ValueError(f"cannot plan {total} paragraphs from a stream of {len(stream)}")


@dataclass(frozen=True)
class Corpus:
    paragraphs: tuple[CorpusParagraph, ...]
    truth: tuple[PlantedPair, ...]
    manifest: dict[str, Any]


def _quiet(message: str) -> None:
    pass


def make_corpus(
    sources: Sources,
    size: int,
    seed: int,
    near_fraction: float = DEFAULT_NEAR_FRACTION,
    log: Callable[[str], None] = _quiet,
) -> Corpus:
    """The whole corpus in memory (no file access): see the module docstring for the steps."""
    if size < len(LANGS):
        raise ValueError(f"size must be at least {len(LANGS)}")
    if not 0.0 <= near_fraction <= 1.0:
        raise ValueError("near_fraction must be in [0, 1]")
    stats = Stats()
    index = SimilarityIndex()
    log(f"{len(sources.paragraphs):,} real paragraphs; removing duplicates and near-duplicate pairs")
    real = clean_real(sources, index, stats)
    missing = [lang for lang in LANGS if not real[lang]]
    if missing:
        raise SystemExit(f"no real paragraphs for {', '.join(missing)}: cannot build or train a generator")
    need = quotas(size)
    log("real text left per language: " + ", ".join(f"{k} {v:,}" for k, v in stats.real_available.items()))
    log("generating the missing paragraphs and checking them")
    streams = base_streams(real, need, seed, index, stats)
    log("planting near-duplicate copies")

    items: list[_Item] = []
    groups: list[int] = []  # planted group per item (the source's index), -1 outside any group
    plans: dict[str, tuple[int, int, int]] = {}
    vocabs: dict[str, list[str]] = {}
    for lang in LANGS:
        base, n_sources, n_copies = plan_base(streams[lang], need[lang], near_fraction)
        plans[lang] = (base, n_sources, n_copies)
        start = len(items)
        items.extend(streams[lang][:base])
        groups.extend([-1] * base)
        rng = _rng(seed, "plant", lang)
        eligible = [start + k for k in range(base) if plantable(items[start + k].text, lang)]
        chosen = sorted(rng.sample(eligible, n_sources))
        twice = set(rng.sample(chosen, n_copies - n_sources))
        vocab = vocabs[lang] = vocabulary(real[lang], lang)
        for src in chosen:
            groups[src] = src
            for _ in range(2 if src in twice else 1):
                text, edits = make_copy(items[src].text, lang, vocab, rng)
                items.append(_Item(lang, text, "planted", src, edits))
                groups.append(src)

    log("checking the finished corpus")
    # The finished corpus must hold no near-duplicate pair outside the planted groups: an edited copy that came
    # close to an unrelated paragraph (or to another text exactly) is edited again.
    for attempt in range(20):
        texts = [it.text for it in items]
        bad: set[int] = set()
        counts = Counter(texts)
        bad.update(k for k, it in enumerate(items) if it.origin == "planted" and counts[it.text] > 1)
        for i, j, _, _ in index.near_pairs(texts):
            if groups[i] == groups[j] != -1:
                continue
            copies = [k for k in (i, j) if items[k].origin == "planted"]
            if not copies:
                raise RuntimeError(f"unplanted near-duplicate pair left in the base corpus: {i}, {j}")
            bad.add(copies[-1])
        if not bad:
            break
        for k in sorted(bad):
            it = items[k]
            rng = _rng(seed, "replant", k, attempt)
            it.text, it.edits = make_copy(items[it.source].text, it.lang, vocabs[it.lang], rng)
            stats.replanted_copies += 1
    else:
        raise RuntimeError("planted copies kept pairing with unrelated paragraphs")

    order = list(range(len(items)))
    _rng(seed, "positions").shuffle(order)
    position = {k: pos for pos, k in enumerate(order)}
    paragraphs = tuple(
        CorpusParagraph(pos, items[k].lang, items[k].origin, items[k].text) for pos, k in enumerate(order)
    )
    truth = _truth(items, position)
    manifest = _manifest(size, seed, near_fraction, sources, paragraphs, truth, plans, stats, index)
    return Corpus(paragraphs, truth, manifest)


def _truth(items: Sequence[_Item], position: dict[int, int]) -> tuple[PlantedPair, ...]:
    copies_of: dict[int, list[int]] = {}
    for k, it in enumerate(items):
        if it.origin == "planted":
            copies_of.setdefault(it.source, []).append(k)
    pairs: list[PlantedPair] = []

    def pair(x: int, y: int, kind: str, src: int, edits: list[dict[str, Any]]) -> PlantedPair:
        tx, ty = items[x].text, items[y].text
        j3 = jaccard(shingle_set(tx), shingle_set(ty))
        j1 = jaccard(word_set(tx), word_set(ty))
        return PlantedPair(position[x], position[y], kind, position[src], tuple(edits), round(j3, 6), round(j1, 6))

    for src, copies in copies_of.items():
        for c in copies:
            pairs.append(pair(src, c, "source-copy", src, items[c].edits))
        for x_i, x in enumerate(copies):
            for y in copies[x_i + 1 :]:
                a, b = (x, y) if position[x] < position[y] else (y, x)
                edits = [{**e, "copy": position[a]} for e in items[a].edits]
                edits += [{**e, "copy": position[b]} for e in items[b].edits]
                pairs.append(pair(a, b, "copy-copy", src, edits))
    return tuple(sorted(pairs, key=lambda p: (p.a, p.b)))


def jaccard_histogram(values: Iterable[float]) -> dict[str, int]:
    """Counts per bin: "<0.3", then [0.3, 0.4), ..., [0.9, 1.0]."""
    labels = ["<0.3"] + [f"{lo:.1f}-{hi:.1f}" for lo, hi in itertools.pairwise(JACCARD_BINS[1:])]
    out = dict.fromkeys(labels, 0)
    for v in values:
        k = bisect.bisect_right(JACCARD_BINS, v) - 1
        out[labels[min(max(k, 0), len(labels) - 1)]] += 1
    return out


def _manifest(
    size: int,
    seed: int,
    near_fraction: float,
    sources: Sources,
    paragraphs: Sequence[CorpusParagraph],
    truth: Sequence[PlantedPair],
    plans: dict[str, tuple[int, int, int]],
    stats: Stats,
    index: SimilarityIndex,
) -> dict[str, Any]:
    counts: dict[str, dict[str, int]] = {lang: {"real": 0, "generated": 0, "planted": 0} for lang in LANGS}
    for p in paragraphs:
        counts[p.lang][p.origin] += 1
    origins = {o: sum(c[o] for c in counts.values()) for o in ("real", "generated", "planted")}
    lengths: dict[str, dict[str, dict[str, float]]] = {}
    for lang in LANGS:
        lengths[lang] = {}
        for origin in ("real", "generated"):
            sizes = sorted(len(tokens(p.text)) for p in paragraphs if p.lang == lang and p.origin == origin)
            if sizes:
                lengths[lang][origin] = {
                    "mean": round(sum(sizes) / len(sizes), 1),
                    **{f"p{q}": float(sizes[min(len(sizes) - 1, len(sizes) * q // 100)]) for q in (10, 50, 90)},
                }
    kinds = Counter(p.kind for p in truth)
    return {
        "generator_version": GENERATOR_VERSION,
        "size": size,
        "seed": seed,
        "near_fraction": near_fraction,
        "languages": {lang: {**counts[lang], "total": sum(counts[lang].values())} for lang in LANGS},
        "origins": origins,
        "tokens_per_paragraph": lengths,
        "planted_sources": {lang: plans[lang][1] for lang in LANGS},
        "planted_pairs": {"source-copy": kinds["source-copy"], "copy-copy": kinds["copy-copy"], "total": len(truth)},
        "planted_jaccard3": jaccard_histogram(p.jaccard3 for p in truth),
        "real_available": stats.real_available,
        "dropped": {
            "exact_duplicates": stats.exact_duplicates,
            "real_near_pairs": stats.real_near_pairs,
            "real_near_dropped": stats.real_near_dropped,
            "generated_near_pairs": stats.generated_near_pairs,
            "generated_near_dropped": stats.generated_near_dropped,
            "generated_rejected": stats.generated_rejected,
            "replanted_copies": stats.replanted_copies,
        },
        "check": {
            "near_jaccard3": NEAR_J3,
            "near_jaccard1": NEAR_J1,
            "lsh_3gram": dict(zip(("num_perm", "bands", "rows"), LSH_3GRAM, strict=True)),
            "lsh_1gram": dict(zip(("num_perm", "bands", "rows"), LSH_1GRAM, strict=True)),
            "candidate_pairs_verified": index.candidates,
        },
        "source_packages": dict(sorted(sources.packages.items())),
    }


# --- files ----------------------------------------------------------------------------------------------------------


def _write_atomic(path: Path, lines: Iterable[str]) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            for line in lines:
                fh.write(line)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _dumps(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


def write_corpus(corpus: Corpus, out: Path) -> Path:
    """paragraphs.jsonl, truth.jsonl, then manifest.json (written last: its presence marks a finished corpus)."""
    out.mkdir(parents=True, exist_ok=True)
    (out / "manifest.json").unlink(missing_ok=True)
    _write_atomic(
        out / "paragraphs.jsonl",
        (_dumps({"id": p.id, "lang": p.lang, "origin": p.origin, "text": p.text}) + "\n" for p in corpus.paragraphs),
    )
    _write_atomic(
        out / "truth.jsonl",
        (
            _dumps(
                {
                    "a": t.a,
                    "b": t.b,
                    "kind": t.kind,
                    "source": t.source,
                    "edits": list(t.edits),
                    "jaccard3": t.jaccard3,
                    "jaccard1": t.jaccard1,
                }
            )
            + "\n"
            for t in corpus.truth
        ),
    )
    _write_atomic(out / "manifest.json", [json.dumps(corpus.manifest, ensure_ascii=False, indent=2) + "\n"])
    return out


def default_out(size: int, seed: int) -> Path:
    return CACHE_DIR / f"corpus-{size}-{seed}"


def build(
    size: int = DEFAULT_SIZE,
    seed: int = DEFAULT_SEED,
    *,
    out: Path | None = None,
    eval_dir: Path = DEFAULT_EVAL_DIR,
    near_fraction: float = DEFAULT_NEAR_FRACTION,
    sources: Sources | None = None,
    force: bool = False,
    log: Callable[[str], None] = _quiet,
) -> Path:
    """Build the corpus (or reuse a finished one with the same parameters and generator version); its directory.

    `sources` replaces the eval gold and the manual pages (tests inject small in-memory sources this way).
    """
    out = out or default_out(size, seed)
    manifest_path = out / "manifest.json"
    if not force and manifest_path.is_file():
        old = json.loads(manifest_path.read_text(encoding="utf-8"))
        same = (old.get("generator_version"), old.get("size"), old.get("seed"), old.get("near_fraction"))
        if sources is None and same == (GENERATOR_VERSION, size, seed, near_fraction):
            return out
    if sources is None:
        log("reading the evaluation gold and the manual pages")
        sources = load_sources(eval_dir, CACHE_DIR)
    corpus = make_corpus(sources, size, seed, near_fraction, log)
    return write_corpus(corpus, out)


def load(path: Path) -> tuple[list[CorpusParagraph], list[PlantedPair]]:
    """The paragraphs (in id order) and planted pairs of a corpus directory written by `build`."""
    path = Path(path)
    if not (path / "manifest.json").is_file():
        raise FileNotFoundError(f"no finished corpus in {path} (manifest.json missing)")
    paragraphs = [CorpusParagraph(**json.loads(line)) for line in _lines(path / "paragraphs.jsonl")]
    truth: list[PlantedPair] = []
    for line in _lines(path / "truth.jsonl"):
        row = json.loads(line)
        row["edits"] = tuple(row["edits"])
        truth.append(PlantedPair(**row))
    return paragraphs, truth


def _lines(path: Path) -> Iterator[str]:
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield line


# --- command line ---------------------------------------------------------------------------------------------------


def summary(manifest: dict[str, Any], seconds: float | None = None) -> str:
    langs: dict[str, dict[str, int]] = manifest["languages"]
    lines = [f"{'lang':<6}{'real':>9}{'generated':>11}{'planted':>9}{'total':>9}{'share':>8}"]
    total = manifest["size"]
    for lang, c in langs.items():
        share = c["total"] / total if total else 0.0
        lines.append(f"{lang:<6}{c['real']:>9,}{c['generated']:>11,}{c['planted']:>9,}{c['total']:>9,}{share:>8.1%}")
    o = manifest["origins"]
    lines.append(f"{'all':<6}{o['real']:>9,}{o['generated']:>11,}{o['planted']:>9,}{total:>9,}{1:>8.0%}")
    pp = manifest["planted_pairs"]
    lines.append(
        f"planted pairs: {pp['total']:,} ({pp['source-copy']:,} source-copy, {pp['copy-copy']:,} copy-copy); "
        f"jaccard3 bins: " + ", ".join(f"{k}: {v:,}" for k, v in manifest["planted_jaccard3"].items())
    )
    d = manifest["dropped"]
    lines.append(
        f"dropped: {d['exact_duplicates']:,} exact duplicates; real text {d['real_near_dropped']:,} paragraphs "
        f"({d['real_near_pairs']:,} near pairs); generated {d['generated_near_dropped']:,} "
        f"({d['generated_near_pairs']:,} near pairs); copies re-edited {d['replanted_copies']:,}"
    )
    if seconds is not None:
        lines.append(f"seconds: {seconds:.1f}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.paracorpus", description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=DEFAULT_SIZE, help="paragraphs in the corpus (default 100000)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--out", type=Path, default=None, help="default benchmarks/.cache/paracorpus/corpus-SIZE-SEED")
    parser.add_argument("--eval-dir", type=Path, default=DEFAULT_EVAL_DIR, help="default ../shared/eval")
    parser.add_argument("--near-fraction", type=float, default=DEFAULT_NEAR_FRACTION)
    parser.add_argument("--force", action="store_true", help="rebuild even if a finished corpus is there")
    args = parser.parse_args(argv)
    started = time.perf_counter()

    def log(message: str) -> None:
        print(f"[{time.perf_counter() - started:6.1f}s] {message}", file=sys.stderr, flush=True)

    out = build(
        args.size,
        args.seed,
        out=args.out,
        eval_dir=args.eval_dir,
        near_fraction=args.near_fraction,
        force=args.force,
        log=log,
    )
    seconds = time.perf_counter() - started
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    print(f"corpus: {out}")
    print(summary(manifest, seconds))
    return 0


if __name__ == "__main__":
    sys.exit(main())
