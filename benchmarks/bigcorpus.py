"""A planted corpus of scraped pages of any size (10k to 1M), with ground truth, for the large-corpus benchmark.

Every page is what a naive scraper writes: content paragraphs with debris lines around and between them, the site's
template paragraphs at its head or tail, sometimes a paragraph repeated further down, sometimes a near copy of an
earlier page. Everything dedup should remove is planted and recorded, and nothing else comes close to a
near-duplicate:

- content: real paragraphs first (the evaluation gold and Debian's translated manual pages, read and language-
  checked by `benchmarks.paracorpus`; exact duplicates and one member of every near-duplicate pair removed), then
  generated ones where the real text runs out. At 1M pages (about 7M content paragraphs against some 75,000 real
  ones) generated text is nearly all of it, so the generator must not repeat itself: `RunMarkov` is an order-2
  Markov chain over a language's real paragraphs that never follows its training text for more than a few words
  (2-8; Chinese: 3-12 characters) before it jumps to another place with the same last two words (or the same last
  word). A plain order-2 chain copies long runs of its training text wherever a word pair occurs once, and two of
  its paragraphs that pass the same run share enough word 3-grams to be near-duplicates: at a million pages, a
  large share of them. Paragraph lengths follow the real ones, and so do their endings (13% of real paragraphs end
  without a sentence end, mostly a colon before a list; the generated ones as often). Languages: paracorpus's
  shares of the pages (68% English, 8% each German, French, Russian, Chinese; a language with fewer than
  MIN_LANG_REAL real paragraphs gives its share to English);
- sources: synthetic hosts (one per 25 pages, 8 to 1,000) with Zipf-like sizes, each with one language, its own
  debris habits (6-14 lines of `benchmarks/data/debris.txt`) and 0-3 template paragraphs (a header line, an "about
  us" blurb, a disclaimer, ...) on a fixed share (50-100%) of its pages; only hosts expected to have 8 pages get
  templates, so that a template recurs in dedup's `min_docs` (3) pages (meta.json counts the ones that do not);
- debris: the lines of `benchmarks/data/debris.txt` (share bars, "Advertisement", bylines, dates, photo credits,
  cookie and newsletter prompts, ...) with their placeholders filled per page (names, dates, numbers, topics),
  0-10 per page at the head, between paragraphs or at the tail. The list was written for this benchmark without
  looking at dedup's rule catalogue;
- repeats inside a page: an exact copy of an earlier content paragraph (6% of pages), a near copy (1-3 word edits of
  a paragraph of at least 20 words, word 3-gram Jaccard in [0.3, 1) with it; 6%), a short paragraph (a caption, at
  most 30 words) repeated right after it with a small change (4%), and the whole body twice (1%);
- near-duplicate pages: 3% of the pages are near copies of an earlier page (a uniform reservoir sample of 1,000
  earlier originals; 60% on the same host, else on another host of its language): each paragraph as it is or with
  1-3 word edits, sometimes one left out or one added, the debris and templates around them the new page's own;
- the check: no two paragraphs of different content ids (`cid`: content and its planted copies share one), and no
  content paragraph and template, reach word 3-gram Jaccard 0.3. Paragraphs are signed with dedup's own engine
  (`dedup.minhash.Signer`, 768 permutations) and banded with `dedup.lsh.band_keys` (256 bands of 3 rows: a pair at
  0.3 becomes a candidate with probability 0.9991); band keys, a one-byte sketch of 128 values and the shingle
  hashes are spilled to disk as they are computed, candidates come out of each band's sorted keys one band at a
  time, pass the sketch and are confirmed by exact Jaccard of the shingle sets (`NearCheck`). It runs on the real
  text (once, cached), on the content pool before any page is written (at 0.27, a margin for the edits of planted
  copies; the later paragraph of a pair is dropped and another one generated) and on the finished corpus with
  other permutations (at 0.3, planted copies included; a pair across content ids replaces the later content id
  by a spare generated paragraph and the pages are written again: every page draws from its own random stream, so
  only the pages holding it change; at 1M pages this catches the few pairs the pool check's LSH missed).

Memory: the pages are written as they are made, the content pool sits in files, the check works from disk (about
1.3 kB per paragraph; it holds 136 bytes per paragraph in memory while it compares, about 1 GB at 1M pages); the rest
is per host, per language (the generators, about 300 MB) or bounded (the reservoir). The same --docs and --seed give
byte-identical files (given the same eval data and manual-page packages).

    python -m benchmarks.bigcorpus --docs N [--seed S] --out DIR [--as-text-dir] [--max-real K] [--no-final-check]
    python -m benchmarks.bigcorpus score --truth DIR/truth.jsonl --report OUT/report.jsonl [--markdown] [--debris]

Files:
- `corpus.jsonl`: {"id", "url", "text"} per page; paragraphs are separated by one blank line and hold no line break,
  so dedup (`dedup.segment`) cuts each one as one unit and paragraph indices agree with the truth;
- `truth.jsonl`, one line per page in the same order: {"id", "url", "host", "lang", "near_duplicate_of" (the id of
  the earlier page it is a near copy of, or null), "near_duplicate_jaccard" (word 3-gram Jaccard of the two pages'
  content, or null), "doubled", "paragraphs": [...]}, a paragraph being one of
  {"kind": "content", "cid", "origin": "real" | "generated"} (in a near copy also "copy_of": its index in the
  source page, and "jaccard"), {"kind": "debris", "line": its line number in debris.txt},
  {"kind": "repeat", "of": the index of the earlier paragraph it copies, "mode": "exact" | "near", "jaccard",
  "cid" (when it copies content), "case": "caption" | "doubled" (when one of those)} or
  {"kind": "boilerplate", "template": its index among the host's templates};
- `meta.json` (written last): the parameters, counts per kind, language and origin, Jaccard histograms of the
  planted copies, host and template figures, bytes, the content pool and both checks;
- with --as-text-dir, `text/<host>/<id>.txt`, one file per page, so that `dedup clean DIR/text -o OUT` reads the
  corpus with each host as a source (its folder).

`score` compares a dedup report.jsonl with the truth: removed-paragraph precision and recall, overall, per planted
kind and per dedup reason (see `score`).
"""

from __future__ import annotations

import argparse
import bisect
import gzip
import hashlib
import json
import math
import os
import random
import shutil
import sys
import tempfile
import time
from array import array
from collections import Counter
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, TextIO

import numpy as np
import numpy.typing as npt
import regex

from benchmarks import paracorpus as pc
from dedup.config import MinHashConfig
from dedup.lsh import LSHParams, band_keys
from dedup.minhash import Signer
from dedup.shingle import tokens

I64 = npt.NDArray[np.int64]

GENERATOR_VERSION = "1"
BENCH_DIR = Path(__file__).resolve().parent
DEBRIS_FILE = BENCH_DIR / "data" / "debris.txt"
CACHE_DIR = BENCH_DIR / ".cache" / "bigcorpus"
DEFAULT_EVAL_DIR = pc.DEFAULT_EVAL_DIR
DEFAULT_DOCS = 10_000
DEFAULT_SEED = 1
LANGS = pc.LANGS

# --- documents ---
CONTENT_MEDIAN = 6.0  # content paragraphs of an original page: lognormal around this median
CONTENT_SIGMA = 0.6
CONTENT_MIN = 2
CONTENT_MAX = 30
NEAR_DUP_SHARE = 0.03  # pages that are near copies of an earlier page
NEAR_DUP_SAME_HOST = 0.6  # ... on the same host (else on another host of the same language)
NEAR_DUP_EDITED = 0.5  # share of a near copy's paragraphs that get 1-3 word edits (the rest are copied as they are)
NEAR_DUP_DROP = 0.25  # a near copy leaves out one paragraph (of a page with at least NEAR_DUP_DROP_MIN of them)
NEAR_DUP_DROP_MIN = 5
NEAR_DUP_ADD = 0.25  # a near copy gets one new paragraph
RESERVOIR = 1000  # earlier pages a near copy is taken from (a uniform reservoir sample of all earlier originals)
EXACT_REPEAT_SHARE = 0.06  # pages with an exact copy of one of their content paragraphs further down
NEAR_REPEAT_SHARE = 0.06  # pages with a near copy (1-3 word edits) of one of their paragraphs further down
NEAR_REPEAT_MIN_WORDS = 20  # whitespace words (Chinese: tokens, one per Han character)
CAPTION_SHARE = 0.04  # pages with a short paragraph (a caption) repeated with a small change right after it
CAPTION_MAX_WORDS = 30
DOUBLED_SHARE = 0.01  # pages whose whole body is there twice
REPEAT_JACCARD_MIN = pc.NEAR_J3  # a planted near copy has word 3-gram Jaccard in [0.3, 1) with its original
DEBRIS_WEIGHTS = (15, 12, 12, 12, 10, 9, 8, 7, 6, 5, 4)  # pages with 0, 1, ..., 10 debris lines
DEBRIS_WHERE_WEIGHTS = {"head": 3, "body": 2, "tail": 4}
# --- hosts ---
DOCS_PER_HOST = 25
MIN_HOSTS = 8
MAX_HOSTS = 1000
ZIPF_S = 1.0  # host weight 1 / (rank + ZIPF_OFFSET) ** ZIPF_S
ZIPF_OFFSET = 2
TEMPLATE_MIN_EXPECTED_DOCS = 8
TEMPLATE_COUNT_WEIGHTS = (20, 35, 30, 15)  # hosts with 0, 1, 2, 3 templates
TEMPLATE_SHARE = (0.5, 1.0)  # a template is on this share of its host's pages
HOST_DEBRIS = (6, 14)  # debris lines a host uses
FOREIGN_ENGLISH_DEBRIS = 3  # at most this many English debris lines on a non-English host
MIN_DOCS_BOILERPLATE = 3  # dedup's default min_docs: a template on fewer pages cannot be found as boilerplate
# --- text ---
MIN_LANG_REAL = 200  # real paragraphs a language needs to be in the corpus (its generator trains on them)
MIN_TOKENS = 12  # a generated paragraph has at least this many tokens
RUN_WORDS = (2, 8)  # RunMarkov follows its training text for this many words (Chinese: characters) between jumps
RUN_CHARS = (3, 12)
RUN_PER_LENGTH = 6  # ... at most 1/6 of the paragraph's length (Chinese: 1/8)
RUN_PER_LENGTH_CHARS = 8
ORDER2_PREFERENCE = 0.5  # a jump follows the last two words with this probability when it can, else the last word
ORDER1_MIN = 3  # a one-word jump needs the word this many times in the training text
TRAIN_TOKEN_RATIO = 1.3  # training paragraphs (not Chinese) with more tokens than this per word are code or tables
# --- check ---
NEAR_J3 = pc.NEAR_J3  # word 3-gram Jaccard at which two paragraphs are near-duplicates
POOL_THRESHOLD = 0.27  # the pool is cleaned at a lower threshold so that edited copies stay below NEAR_J3
CHECK_NUM_PERM = 768
CHECK_BANDS = 256
CHECK_ROWS = 3
SKETCH_PERM = 128  # one byte of each of the first 128 values; J 0.27 agrees on 34.9 of them, sd 5.0
SKETCH_FLOOR = 14
POOL_CHECK_SEED = 11
FINAL_CHECK_SEED = 12
MAX_BUCKET = 1000  # a band bucket larger than this gives a star from its first member instead of all pairs
# Generate more than missing, so that the check's drops rarely need a second round: this share of the generated
# paragraphs and of the real ones in the pool (a real one near a template).
POOL_SLACK_GENERATED = 0.02
POOL_SLACK_REAL = 0.01
POOL_SLACK_MIN = 50
SPARES_MIN = 20  # generated paragraphs kept back per language to replace content a final check finds in a pair
SPARES_SHARE = 0.0005
MAX_POOL_ROUNDS = 20
MAX_FINAL_ROUNDS = 3
GEN_BATCH = 20_000
KINDS = ("content", "debris", "repeat", "boilerplate")

_LATIN_WORD = regex.compile(r"[a-z0-9]+")


def _quiet(message: str) -> None:
    pass


def _rng(seed: int, *parts: object) -> random.Random:
    return pc._rng(seed, "bigcorpus", *parts)


def _dumps(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


# --- real text ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RealText:
    """Real paragraphs per language (normalised, in source order) and the manual-page package versions; `cleaned`
    once exact duplicates and near-duplicate pairs are out (`clean_real`), `removed` says how many per language."""

    by_lang: dict[str, list[str]]
    packages: dict[str, str] = field(default_factory=dict)
    cleaned: bool = False
    removed: dict[str, int] = field(default_factory=dict)


def _sources_key(eval_dir: Path) -> str:
    """What the real text depends on: paracorpus's code, the eval gold files (name, size, mtime) and the packages."""
    h = hashlib.sha256(Path(pc.__file__).read_bytes())
    h.update(repr((GENERATOR_VERSION, POOL_THRESHOLD, POOL_CHECK_SEED, CHECK_NUM_PERM, CHECK_BANDS)).encode())
    files = [*sorted((eval_dir / "wcxb-dev" / "ground-truth").glob("*.json")), eval_dir / "aeb" / "ground-truth.json"]
    for path in files:
        if path.is_file():
            st = path.stat()
            h.update(f"{path.relative_to(eval_dir).as_posix()}\t{st.st_size}\t{st.st_mtime_ns}\n".encode())
    for deb in sorted((pc.CACHE_DIR / "debs").glob("*.deb")):
        h.update(f"{deb.name}\n".encode())
    return h.hexdigest()[:24]


def load_real(eval_dir: Path = DEFAULT_EVAL_DIR, cache: bool = True) -> RealText:
    """The real paragraphs `benchmarks.paracorpus` reads: eval gold, then each language's manual pages (downloaded
    once with `apt-get download` into paracorpus's cache). Kept in `benchmarks/.cache/bigcorpus/` under a key of
    everything they depend on (reading them takes some 20 seconds)."""
    path = CACHE_DIR / f"real-{_sources_key(eval_dir)}.json.gz"
    if cache and path.is_file():
        data = json.loads(gzip.decompress(path.read_bytes()).decode("utf-8"))
        return RealText(data["by_lang"], data["packages"], True, data["removed"])
    sources = pc.load_sources(eval_dir, pc.CACHE_DIR)
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=CACHE_DIR) as tmp:
        real = clean_real(real_from(sources.paragraphs, sources.packages), Path(tmp))
    if cache:
        path = CACHE_DIR / f"real-{_sources_key(eval_dir)}.json.gz"  # the packages may have just been downloaded
        data = {"by_lang": real.by_lang, "packages": real.packages, "removed": real.removed}
        _write_bytes(path, gzip.compress(json.dumps(data, ensure_ascii=False).encode("utf-8"), mtime=0))
    return real


def _write_bytes(path: Path, data: bytes) -> None:
    """Write atomically: a temporary file beside `path`, then a rename."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def real_from(paragraphs: Iterable[pc.RealParagraph], packages: dict[str, str] | None = None) -> RealText:
    by_lang: dict[str, list[str]] = {lang: [] for lang in LANGS}
    for p in paragraphs:
        if p.lang in by_lang:
            text = pc.normalize(p.text)
            if text:
                by_lang[p.lang].append(text)
    return RealText(by_lang, dict(sorted((packages or {}).items())))


def clean_real(real: RealText, workdir: Path) -> RealText:
    """Exact duplicates and one member of every near-duplicate pair removed (the pool check itself: same threshold
    and signatures, so the pool finds no pair among the real paragraphs); earlier paragraphs win, languages in
    LANGS order."""
    texts: list[str] = []
    langs: list[str] = []
    removed: Counter[str] = Counter()
    for lang in LANGS:
        unique = list(dict.fromkeys(real.by_lang.get(lang, ())))
        removed[lang] += len(real.by_lang.get(lang, ())) - len(unique)
        texts += unique
        langs += [lang] * len(unique)
    check = NearCheck(workdir, POOL_THRESHOLD, POOL_CHECK_SEED)
    try:
        for start in range(0, len(texts), GEN_BATCH):
            check.add(texts[start : start + GEN_BATCH])
        pairs = check.pairs()
    finally:
        check.close()
    dropped: set[int] = set()
    greedy_drop(pairs, dropped)
    by_lang: dict[str, list[str]] = {lang: [] for lang in LANGS}
    for k, (text, lang) in enumerate(zip(texts, langs, strict=True)):
        if k in dropped:
            removed[lang] += 1
        else:
            by_lang[lang].append(text)
    return RealText(by_lang, real.packages, True, {lang: removed[lang] for lang in LANGS})


def language_shares(real: RealText) -> dict[str, float]:
    """Document share per language: paracorpus's, with the share of a language that has too little real text moved to
    English."""
    shares = {lang: pc.SHARES[lang] for lang in LANGS if len(real.by_lang.get(lang, ())) >= MIN_LANG_REAL}
    if "en" not in shares:
        raise SystemExit(f"fewer than {MIN_LANG_REAL} English real paragraphs: nothing to train a generator on")
    shares["en"] += 1.0 - sum(shares.values())
    return shares


# --- generated text -------------------------------------------------------------------------------------------------

_ENDS = frozenset(".!?。！？")
_CLOSERS = "\"'”’»)」』"
_TRAILING = ",;:-–—、，；：(（"


def _ends_sentence(unit: str) -> bool:
    core = unit.rstrip(_CLOSERS)
    return bool(core) and core[-1] in _ENDS


class RunMarkov:
    """An order-2 Markov chain over a language's real paragraphs (words; Chinese: characters) that follows its
    training text for a few units only.

    A paragraph starts at a sentence start of the training text and copies it for a run of `RUN_WORDS` units (at most
    1/6 of the paragraph's length), then jumps: to another place where the last two units occur (with probability
    `ORDER2_PREFERENCE`, when they occur elsewhere), else to another place of the last unit (when it occurs at least
    `ORDER1_MIN` times), else it copies on and tries again after the next unit (after twice the run, anywhere). At the
    end of a training paragraph, or at a sentence end after a full run, it goes on at another sentence start. It
    stops at the first sentence end once it is near a length drawn from the training paragraphs' lengths (by twice
    that length at the latest, then closing the sentence itself).

    Every three consecutive words of its output inside a run are three consecutive words of the training text, so a
    run of n words shares n - 2 3-grams with it; with runs of at most 8 words, a generated paragraph shares at most a
    few 3-grams with any one real paragraph or with another generated one, however many are generated.
    """

    def __init__(self, paragraphs: Sequence[str], lang: str) -> None:
        self.lang = lang
        self.chars = lang == "zh"
        self.run_min, self.run_max = RUN_CHARS if self.chars else RUN_WORDS
        self.per_length = RUN_PER_LENGTH_CHARS if self.chars else RUN_PER_LENGTH
        ids: dict[str, int] = {"": 0}
        self.units: list[str] = [""]
        flat = array("q", [0])
        starts = array("q")
        lengths: list[int] = []
        for text in paragraphs:
            seq = list(text) if self.chars else text.split()
            if not seq or (not self.chars and len(tokens(text)) > TRAIN_TOKEN_RATIO * len(seq)):
                continue
            lengths.append(len(seq))
            at_start = True
            for unit in seq:
                uid = ids.setdefault(unit, len(ids))
                if uid == len(self.units):
                    self.units.append(unit)
                if at_start and not unit.isspace():
                    starts.append(len(flat))
                    at_start = False
                flat.append(uid)
                at_start = at_start or _ends_sentence(unit)
            flat.append(0)
        if not lengths or not starts:
            raise ValueError(f"no training text for {lang}")
        self.flat = flat
        self.starts = starts
        self.lengths = lengths
        self.is_end = [_ends_sentence(u) for u in self.units]
        size = len(self.units)
        self.size = size
        arr = np.frombuffer(flat, dtype=np.int64)
        pos = np.flatnonzero(arr)
        order = np.argsort(arr[pos], kind="stable")
        self.o1_pos = array("q", pos[order].tobytes())
        self.o1_off = array("q", np.concatenate([[0], np.cumsum(np.bincount(arr[pos], minlength=size))]).tobytes())
        pairs = np.flatnonzero((arr[:-1] != 0) & (arr[1:] != 0)) + 1  # position of the second unit of each pair
        keys = arr[pairs - 1] * size + arr[pairs]
        order = np.argsort(keys, kind="stable")
        keys, pairs = keys[order], pairs[order]
        first = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
        counts = np.diff(np.r_[first, len(keys)])
        many = counts >= 2
        self.o2: dict[int, tuple[int, int]] = dict(
            zip(keys[first[many]].tolist(), zip(first[many].tolist(), counts[many].tolist(), strict=True), strict=True)
        )
        self.o2_pos = array("q", pairs.tobytes())
        # Open endings: training paragraphs that end without a sentence end (a colon before a list, a cut caption).
        # A generated paragraph ends like one of them as often as the training paragraphs do: near its length, it
        # jumps (on its last unit, as a one-unit jump) to a place a few units before such an end and copies up to it.
        open_ends = [e for e in np.flatnonzero(arr == 0)[1:].tolist() if not self.is_end[flat[e - 1]]]
        self.open_share = len(open_ends) / len(lengths)
        self.open_tails: dict[int, list[int]] = {}
        for e in open_ends:
            for k in range(1, self.run_max + 1):
                q = e - k - 1  # going on after q copies the k units up to the end
                if q <= 0 or flat[q] == 0:
                    break
                self.open_tails.setdefault(flat[q], []).append(q)

    def _jump(self, p: int, unit: int, rng: random.Random, forced: bool) -> int:
        if rng.random() < ORDER2_PREFERENCE:
            entry = self.o2.get(self.flat[p - 1] * self.size + unit)
            if entry is not None:
                q = self.o2_pos[entry[0] + rng.randrange(entry[1])]
                if q != p:
                    return q
        lo, hi = self.o1_off[unit], self.o1_off[unit + 1]
        if hi - lo >= ORDER1_MIN:
            q = self.o1_pos[lo + rng.randrange(hi - lo)]
            if q != p:
                return q
        if forced:
            return self.o1_pos[rng.randrange(len(self.o1_pos))]
        return -1

    def generate(self, rng: random.Random) -> str:
        flat, starts, is_end = self.flat, self.starts, self.is_end
        target = self.lengths[rng.randrange(len(self.lengths))]
        slack = max(2, target // 6)
        longest = max(self.run_min, min(self.run_max, target // self.per_length))
        loose = rng.random() < self.open_share  # this paragraph ends like an open-ended training paragraph
        out: list[int] = []
        p = starts[rng.randrange(len(starts))]
        run, limit = 0, rng.randint(self.run_min, longest)
        closing = heading = ended_open = False
        while True:
            unit = flat[p]
            if unit == 0:
                if heading and out and not is_end[out[-1]]:
                    ended_open = True
                    break
                p = starts[rng.randrange(len(starts))]
                run, limit, heading = 0, rng.randint(self.run_min, longest), False
                continue
            out.append(unit)
            run += 1
            closing = len(out) >= target - slack
            if is_end[unit] and not heading:
                if closing and not loose:
                    break
                if run >= limit and not closing:
                    p = starts[rng.randrange(len(starts))]
                    run, limit = 0, rng.randint(self.run_min, longest)
                    continue
            if len(out) >= 2 * target + 10:
                break
            if loose and closing and not heading:
                tails = self.open_tails.get(unit)
                if tails:
                    q = tails[rng.randrange(len(tails))]
                    if q != p:
                        p, heading = q + 1, True
                        continue
            if run >= limit and not heading:
                q = self._jump(p, unit, rng, forced=run >= 2 * limit + 2)
                if q >= 0:
                    p, run, limit = q, 0, rng.randint(self.run_min, longest)
            p += 1
        text = pc.normalize(("" if self.chars else " ").join(self.units[u] for u in out))
        if not ended_open and not _ends_sentence(text):
            text = text.rstrip(_TRAILING + " ") + ("。" if self.chars else ".")
        return text


def word_count(text: str, lang: str) -> int:
    """Whitespace words; in Chinese, dedup's tokens (one per Han character)."""
    return len(tokens(text)) if lang == "zh" else len(text.split())


def long_enough(text: str, lang: str) -> bool:
    """A generated paragraph is kept with at least MIN_TOKENS words (Chinese: paracorpus's MIN_HAN Han characters);
    whitespace words are counted, a cheap lower bound of dedup's tokens for these languages."""
    if lang == "zh":
        return pc.han_count(text) >= pc.MIN_HAN
    return len(text.split()) >= MIN_TOKENS


# --- debris, hosts and templates ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DebrisLine:
    """One template line of `benchmarks/data/debris.txt`; `line` is its line number there (its id in the truth)."""

    line: int
    lang: str
    where: str  # "head" | "body" | "tail"
    text: str


def load_debris(path: Path = DEBRIS_FILE) -> tuple[DebrisLine, ...]:
    out: list[DebrisLine] = []
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not raw.strip() or raw.startswith("#"):
            continue
        lang, where, text = raw.split("\t")
        if lang not in LANGS or where not in DEBRIS_WHERE_WEIGHTS:
            raise ValueError(f"{path}:{number}: bad language or position in {raw!r}")
        out.append(DebrisLine(number, lang, where, text))
    return tuple(out)


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


_FIRST: dict[str, tuple[str, ...]] = {
    "en": _words(
        "James Mary John Patricia Robert Jennifer Michael Linda David Elizabeth William Susan Richard Jessica Joseph "
        "Sarah Thomas Karen Daniel Nancy Matthew Lisa Anthony Emily Mark Priya Wei Carlos Fatima Olivia"
    ),
    "de": _words(
        "Anna Lukas Julia Felix Laura Jonas Sophie Maximilian Lena Paul Katharina Tobias Hannah Stefan Sabine"
    ),
    "fr": _words("Marie Jean Camille Louis Léa Pierre Chloé Nicolas Manon Julien Sophie Antoine Claire Émilie"),
    "ru": _words("Александр Мария Дмитрий Анна Сергей Елена Андрей Ольга Иван Наталья Михаил Татьяна Алексей"),
    "zh": ("张", "王", "李", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "马", "朱", "胡"),
}
_LAST: dict[str, tuple[str, ...]] = {
    "en": _words(
        "Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez Wilson Anderson "
        "Taylor Moore Jackson Martin Lee Thompson White Harris Clark Lewis Robinson Walker Young Allen Patel Nguyen "
        "Kim Chen"
    ),
    "de": _words("Müller Schmidt Schneider Fischer Weber Meyer Wagner Becker Schulz Hoffmann Koch Richter Klein Wolf"),
    "fr": _words("Martin Bernard Dubois Robert Richard Petit Durand Leroy Moreau Simon Laurent Lefebvre Michel"),
    "ru": _words("Иванов Смирнов Кузнецов Попов Васильев Петров Соколов Михайлов Новиков Фёдоров Морозов"),
    "zh": ("伟", "芳", "娜", "洋", "静", "帆", "磊", "敏", "杰", "婷", "明", "丽", "超", "琳", "斌"),
}
_AGENCIES: dict[str, tuple[str, ...]] = {
    "en": ("Reuters", "AP", "AFP", "Getty Images", "Bloomberg", "EPA", "Shutterstock", "Alamy"),
    "de": ("dpa", "AFP", "Reuters", "Getty Images", "imago images", "picture alliance"),
    "fr": ("AFP", "Reuters", "Maxppp", "Getty Images", "Hans Lucas"),
    "ru": ("ТАСС", "РИА Новости", "Reuters", "AFP", "Интерфакс"),
    "zh": ("新华社", "中新社", "视觉中国", "人民视觉", "路透社"),
}
_TAGS: dict[str, tuple[str, ...]] = {
    "en": _words(
        "politics business technology science health sports culture travel climate education finance markets "
        "opinion world local energy security entertainment food"
    ),
    "de": _words("Politik Wirtschaft Sport Kultur Wissen Gesundheit Digital Reisen Panorama Auto Klima"),
    "fr": _words("Politique Économie Sport Culture Santé Société International Sciences Tech Planète"),
    "ru": _words("Политика Экономика Спорт Культура Наука Общество Технологии Здоровье Происшествия"),
    "zh": ("国内", "国际", "财经", "科技", "体育", "娱乐", "教育", "健康", "汽车", "文化"),
}
_CITIES: dict[str, tuple[str, ...]] = {
    "en": ("London", "New York", "Chicago", "Sydney", "Toronto", "Boston", "Denver", "Austin", "Seattle", "Dublin"),
    "de": ("Berlin", "Hamburg", "München", "Köln", "Wien", "Zürich", "Leipzig", "Bremen"),
    "fr": ("Paris", "Lyon", "Marseille", "Lille", "Bordeaux", "Nantes", "Genève", "Bruxelles"),
    "ru": ("Москва", "Санкт-Петербург", "Казань", "Новосибирск", "Екатеринбург", "Самара"),
    "zh": ("北京", "上海", "广州", "深圳", "成都", "杭州", "武汉"),
}
_MONTHS: dict[str, tuple[str, ...]] = {
    "en": _words("January February March April May June July August September October November December"),
    "de": _words("Januar Februar März April Mai Juni Juli August September Oktober November Dezember"),
    "fr": _words("janvier février mars avril mai juin juillet août septembre octobre novembre décembre"),
    "ru": _words("января февраля марта апреля мая июня июля августа сентября октября ноября декабря"),
}
_WEEKDAYS = _words("Monday Tuesday Wednesday Thursday Friday Saturday Sunday")
_HOST_WORDS: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "en": (
        _words(
            "daily morning evening city metro global tech green river north south harbor valley pioneer summit "
            "coastal capital urban open bright smart prairie lake mountain sun star civic county union liberty"
        ),
        _words(
            "news times post herald journal review report wire digest gazette tribune insider today hub guide world "
            "weekly ledger observer chronicle courier bulletin monitor press dispatch beat notes labs blog voice"
        ),
        ("com", "net", "org", "co.uk", "io", "news"),
    ),
    "de": (
        _words("rhein nord sued stadt land berg see tal mark hansa alpen wald elbe main donau"),
        _words("post bote blatt zeitung anzeiger kurier rundschau nachrichten magazin echo journal welt"),
        ("de", "at", "ch"),
    ),
    "fr": (
        _words("lepetit lavoix lecho journal gazette courrier depeche reveil info progres"),
        _words("parisien nord lyon provence bretagne alsace normandie savoie sud ouest"),
        ("fr", "be", "ch"),
    ),
    "ru": (
        _words("novosti vesti gazeta obzor vremya mir den pravda kurier vestnik"),
        _words("24 online info press dnya goroda regiona plus today media"),
        ("ru", "su", "by", "kz"),
    ),
    "zh": (
        _words("xinwen zixun keji caijing shenghuo tiyu jiaoyu wenhua qiche jiankang"),
        _words("wang zhijia ribao kuaibao zaixian 365 tianxia zhongguo shijie quan"),
        ("cn", "com.cn", "com"),
    ),
}
# Template paragraphs (a site's boilerplate): (where, pattern) per language.
_TEMPLATES: dict[str, tuple[tuple[str, str], ...]] = {
    "en": (
        ("head", "{site} | {tag} news, analysis and opinion from {city}"),
        ("head", "{site} — independent journalism from {city} since {year}"),
        (
            "tail",
            "{site} is an independent {tag} publication based in {city}. Since {year} our team of {n2} reporters "
            "and editors has covered {tag}, {tag2} and {tag3} for readers across the region.",
        ),
        (
            "tail",
            "Support independent journalism. {site} relies on readers like you to keep our reporting free for "
            "everyone. Become a member today for as little as ${n2} a month.",
        ),
        (
            "tail",
            "Disclaimer: The information on {site} is provided for general informational purposes only and does not "
            "constitute professional advice. {site} may earn a commission when you buy through links on our site.",
        ),
        (
            "tail",
            "The views and opinions expressed in this article are those of the author and do not necessarily reflect "
            "the official policy or position of {site}.",
        ),
        (
            "tail",
            "Got a news tip? Contact the {site} newsroom at tips@{host} or call our {city} office. We read every "
            "message and protect our sources.",
        ),
        (
            "tail",
            "{site} participates in affiliate programs with retailers. Prices and availability were accurate at the "
            "time of publication and are subject to change.",
        ),
        (
            "tail",
            "About the author: {name} writes about {tag} and {tag2} for {site}. Before joining the {city} newsroom in "
            "{year}, {first} covered {tag3} for regional newspapers.",
        ),
    ),
    "de": (
        ("head", "{site} | Nachrichten aus {city} und der Region"),
        (
            "tail",
            "{site} ist ein unabhängiges Nachrichtenportal aus {city}. Seit {year} berichten unsere {n2} "
            "Redakteurinnen und Redakteure über {tag}, {tag2} und {tag3}.",
        ),
        (
            "tail",
            "Unterstützen Sie unabhängigen Journalismus: Mit einem Abo von {site} ab {n2} Euro im Monat ermöglichen "
            "Sie unsere Berichterstattung aus {city}.",
        ),
        (
            "tail",
            "Hinweis: Die Inhalte auf {site} dienen ausschließlich der allgemeinen Information und ersetzen keine "
            "fachliche Beratung im Einzelfall.",
        ),
    ),
    "fr": (
        ("head", "{site} | L'actualité de {city} et de sa région"),
        (
            "tail",
            "{site} est un média indépendant basé à {city}. Depuis {year}, notre équipe de {n2} journalistes couvre "
            "{tag}, {tag2} et {tag3} pour nos lecteurs.",
        ),
        (
            "tail",
            "Soutenez le journalisme indépendant : abonnez-vous à {site} à partir de {n2} euros par mois et accédez à "
            "tous nos articles.",
        ),
        (
            "tail",
            "Les opinions exprimées dans cet article n'engagent que leur auteur et ne reflètent pas nécessairement la "
            "position de la rédaction de {site}.",
        ),
    ),
    "ru": (
        ("head", "{site} | Главные новости: {city} и регион"),
        (
            "tail",
            "{site} — независимое информационное издание из города {city}. С {year} года наша редакция из {n2} "
            "журналистов пишет о темах {tag}, {tag2} и {tag3}.",
        ),
        (
            "tail",
            "Мнение автора может не совпадать с позицией редакции {site}. Перепечатка материалов возможна только с "
            "письменного разрешения редакции.",
        ),
        (
            "tail",
            "Поддержите независимую журналистику: оформите подписку на {site} от {n2}0 рублей в месяц и читайте все "
            "материалы без ограничений.",
        ),
    ),
    "zh": (
        ("head", "{site} | {city}本地新闻与{tag}资讯"),
        (
            "tail",
            "{site}是一家总部位于{city}的独立新闻网站，自{year}年起，我们的{n2}名记者和编辑持续报道{tag}、{tag2}和{tag3}等领域的新闻。",
        ),
        (
            "tail",
            "本文仅代表作者本人观点，不代表{site}立场。未经{site}书面授权，任何单位和个人不得转载、摘编或以其他方式使用本网站内容。",
        ),
        ("tail", "免责声明：{site}所载内容仅供参考，不构成任何投资建议。据此操作，风险自担。"),
    ),
}
_PLACEHOLDER = regex.compile(r"\{(\w+)\}")


@dataclass(frozen=True)
class Template:
    """A host's template paragraph: its text, where it goes and the share of the host's pages it is on."""

    text: str
    where: str
    share: float


@dataclass(frozen=True)
class Host:
    index: int
    name: str  # the domain, also the source folder of --as-text-dir
    site: str  # the display name
    lang: str
    weight: float
    templates: tuple[Template, ...]
    debris: tuple[int, ...]  # indices into the debris catalogue this host uses
    url_style: int
    date_style: int
    sections: tuple[str, ...]


def _person(lang: str, rng: random.Random) -> str:
    first, last = rng.choice(_FIRST[lang]), rng.choice(_LAST[lang])
    return last + first if lang == "zh" else f"{first} {last}"


def _date(lang: str, style: int, rng: random.Random) -> str:
    year, month, day = rng.randint(2012, 2024), rng.randint(1, 12), rng.randint(1, 28)
    if lang == "zh":
        return f"{year}年{month}月{day}日" if style == 0 else f"{year}-{month:02d}-{day:02d}"
    if style == 1:
        sep = "/" if lang in ("en", "fr") else "."
        return f"{day:02d}{sep}{month:02d}{sep}{year}" if lang != "en" else f"{month:02d}/{day:02d}/{year}"
    if style == 2:
        return f"{year}-{month:02d}-{day:02d}"
    name = _MONTHS[lang][month - 1]
    if lang == "en":
        return f"{name} {day}, {year}"
    return f"{day}. {name} {year}" if lang == "de" else f"{day} {name} {year}"


def _time(lang: str, style: int, rng: random.Random) -> str:
    hour, minute = rng.randint(0, 23), rng.randint(0, 59)
    if lang == "en" and style == 0:
        return f"{(hour + 11) % 12 + 1}:{minute:02d} {'AM' if hour < 12 else 'PM'}"
    return f"{hour:02d}:{minute:02d}"


def fill(pattern: str, host: Host, lang: str, rng: random.Random) -> str:
    """A debris or template pattern with its placeholders filled; the result is one normalised line."""
    tags = rng.sample(_TAGS[lang], 3)

    def value(m: regex.Match[str]) -> str:
        key = m.group(1)
        if key in ("name", "name2"):
            return _person(lang, rng)
        if key == "first":
            return rng.choice(_FIRST[lang])
        if key == "date":
            return _date(lang, host.date_style, rng)
        if key == "time":
            return _time(lang, host.date_style, rng)
        if key == "n":
            return str(rng.randint(1, 999))
        if key == "n2":
            return str(rng.randint(2, 25))
        if key == "year":
            return str(rng.randint(2012, 2024))
        if key == "site":
            return host.site
        if key == "host":
            return host.name
        if key == "handle":
            return "@" + host.name.split(".")[0].replace("-", "")
        if key in ("tag", "tag2", "tag3"):
            return tags[("tag", "tag2", "tag3").index(key)]
        if key == "city":
            return rng.choice(_CITIES[lang])
        if key == "agency":
            return rng.choice(_AGENCIES[lang])
        if key == "weekday":
            return rng.choice(_WEEKDAYS)
        raise KeyError(f"unknown placeholder {{{key}}} in {pattern!r}")

    return pc.normalize(_PLACEHOLDER.sub(value, pattern))


def host_count(docs: int) -> int:
    return min(MAX_HOSTS, max(MIN_HOSTS, docs // DOCS_PER_HOST))


def make_hosts(docs: int, seed: int, shares: dict[str, float], debris: Sequence[DebrisLine]) -> list[Host]:
    """Hosts with Zipf-like weights; languages given greedily by weight so that each language's share of the
    expected pages is close to `shares`; templates only for hosts expected to have TEMPLATE_MIN_EXPECTED_DOCS pages."""
    rng = _rng(seed, "hosts")
    count = host_count(docs)
    raw = [1.0 / (rank + ZIPF_OFFSET) ** ZIPF_S for rank in range(count)]
    total = sum(raw)
    weights = [w / total for w in raw]
    assigned = dict.fromkeys(shares, 0.0)
    names: set[str] = set()
    hosts: list[Host] = []
    for index, weight in enumerate(weights):
        lang = max(shares, key=lambda x: (shares[x] - assigned[x], -LANGS.index(x)))
        assigned[lang] += weight
        first, second, tlds = _HOST_WORDS[lang]
        while True:
            a, b = rng.choice(first), rng.choice(second)
            name = f"{a}{'-' if rng.random() < 0.3 else ''}{b}.{rng.choice(tlds)}"
            if name not in names:
                break
            if rng.random() < 0.5:
                name = f"{a}{b}{rng.randint(2, 99)}.{rng.choice(tlds)}"
                if name not in names:
                    break
        names.add(name)
        site = " ".join(w.capitalize() for w in (a, b)) if lang != "zh" else f"{a.capitalize()}{b.capitalize()}"
        date_style = rng.randrange(3)
        stub = Host(index, name, site, lang, weight, (), (), rng.randrange(4), date_style, ())
        templates: list[Template] = []
        if docs * weight >= TEMPLATE_MIN_EXPECTED_DOCS:
            k = rng.choices(range(len(TEMPLATE_COUNT_WEIGHTS)), weights=TEMPLATE_COUNT_WEIGHTS)[0]
            for where, pattern in rng.sample(_TEMPLATES[lang], min(k, len(_TEMPLATES[lang]))):
                templates.append(
                    Template(fill(pattern, stub, lang, rng), where, round(rng.uniform(*TEMPLATE_SHARE), 3))
                )
        own = [i for i, d in enumerate(debris) if d.lang == lang]
        chosen = rng.sample(own, min(len(own), rng.randint(*HOST_DEBRIS)))
        if lang != "en":
            english = [i for i, d in enumerate(debris) if d.lang == "en"]
            chosen += rng.sample(english, rng.randint(0, FOREIGN_ENGLISH_DEBRIS))
        sections = tuple(t.lower() for t in rng.sample(_TAGS["en"], 3))
        hosts.append(
            Host(
                index,
                name,
                site,
                lang,
                weight,
                tuple(templates),
                tuple(sorted(chosen)),
                stub.url_style,
                date_style,
                sections,
            )
        )
    return hosts


# --- the plan -------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DocPlan:
    """Everything about one page that decides how much content it takes from the pool.

    The plan is drawn from its own random stream, once to count the content paragraphs each language needs and once
    more while the pages are written, so both passes see the same pages. `slot` is the reservoir slot this page is
    kept in as a future near-copy source (-1: not kept); a near copy names its source by `source_slot`.
    """

    index: int
    host: int
    lang: str
    fresh: int  # content paragraphs taken from the pool
    slot: int
    source_slot: int = -1
    source_index: int = -1
    drop: bool = False
    add: bool = False
    exact_repeat: bool = False
    near_repeat: bool = False
    caption: bool = False
    doubled: bool = False
    debris: int = 0
    templates: tuple[int, ...] = ()


@dataclass
class _Kept:
    index: int
    host: int
    lang: str
    fresh: int


def doc_id(index: int, docs: int) -> str:
    return f"d{index:0{max(6, len(str(max(docs - 1, 0))))}d}"


def plan_documents(docs: int, seed: int, hosts: Sequence[Host]) -> Iterator[DocPlan]:
    rng = _rng(seed, "plan")
    cumulative = list(np.cumsum([h.weight for h in hosts]))
    cumulative[-1] = 1.0
    by_lang: dict[str, list[int]] = {}
    for h in hosts:
        by_lang.setdefault(h.lang, []).append(h.index)
    reservoir: list[_Kept] = []
    originals = 0
    mu = math.log(CONTENT_MEDIAN)
    for index in range(docs):
        host = bisect.bisect_left(cumulative, rng.random())
        n_debris = rng.choices(range(len(DEBRIS_WEIGHTS)), weights=DEBRIS_WEIGHTS)[0]
        if reservoir and rng.random() < NEAR_DUP_SHARE:
            slot = rng.randrange(len(reservoir))
            src = reservoir[slot]
            host = src.host
            if rng.random() >= NEAR_DUP_SAME_HOST and len(by_lang[src.lang]) > 1:
                for _ in range(50):
                    other = bisect.bisect_left(cumulative, rng.random())
                    if other != src.host and hosts[other].lang == src.lang:
                        host = other
                        break
            drop = src.fresh >= NEAR_DUP_DROP_MIN and rng.random() < NEAR_DUP_DROP
            add = rng.random() < NEAR_DUP_ADD
            templates = _templates_on(hosts[host], rng)
            yield DocPlan(
                index, host, src.lang, int(add), -1, slot, src.index, drop, add, debris=n_debris, templates=templates
            )
            continue
        lang = hosts[host].lang
        fresh = min(CONTENT_MAX, max(CONTENT_MIN, round(rng.lognormvariate(mu, CONTENT_SIGMA))))
        exact_repeat = rng.random() < EXACT_REPEAT_SHARE
        near_repeat = rng.random() < NEAR_REPEAT_SHARE
        caption = rng.random() < CAPTION_SHARE
        doubled = rng.random() < DOUBLED_SHARE
        templates = _templates_on(hosts[host], rng)
        # reservoir sampling (algorithm R) over the original pages
        if len(reservoir) < RESERVOIR:
            slot = len(reservoir)
            reservoir.append(_Kept(index, host, lang, fresh))
        else:
            slot = rng.randrange(originals + 1)
            if slot < RESERVOIR:
                reservoir[slot] = _Kept(index, host, lang, fresh)
            else:
                slot = -1
        originals += 1
        yield DocPlan(
            index,
            host,
            lang,
            fresh,
            slot,
            exact_repeat=exact_repeat,
            near_repeat=near_repeat,
            caption=caption,
            doubled=doubled,
            debris=n_debris,
            templates=templates,
        )


def _templates_on(host: Host, rng: random.Random) -> tuple[int, ...]:
    return tuple(k for k, t in enumerate(host.templates) if rng.random() < t.share)


def content_needs(docs: int, seed: int, hosts: Sequence[Host]) -> dict[str, int]:
    need: Counter[str] = Counter()
    for plan in plan_documents(docs, seed, hosts):
        need[plan.lang] += plan.fresh
    return {lang: need[lang] for lang in LANGS if need[lang]}


# --- the near-duplicate check ---------------------------------------------------------------------------------------


@dataclass
class CheckStats:
    items: int = 0
    band_pairs: int = 0  # pairs sharing a band key, counted once per band
    allowed_band_pairs: int = 0  # ... of them skipped as allowed (one label, or two templates)
    sketch_pairs: int = 0  # distinct pairs left after the sketch
    verified: int = 0  # candidate pairs whose exact Jaccard was computed
    found: int = 0  # pairs at or above the threshold

    def as_dict(self) -> dict[str, int]:
        return {
            "items": self.items,
            "band_pairs": self.band_pairs,
            "allowed_band_pairs": self.allowed_band_pairs,
            "sketch_pairs": self.sketch_pairs,
            "verified": self.verified,
            "found": self.found,
        }


class NearCheck:
    """Word 3-gram near-duplicate pairs among many texts, with memory bounded by one band of keys.

    `add` signs texts with dedup's `Signer` (word 3-grams, CHECK_NUM_PERM permutations, its own seed) and appends to
    files under `workdir`: per band the 32-bit keys of `dedup.lsh.band_keys` (CHECK_BANDS bands of CHECK_ROWS rows),
    a sketch (the low byte of the first SKETCH_PERM values), each text's distinct shingle hashes and its label.
    `pairs` then reads one band at a time, sorts its keys, takes every pair inside a bucket, skips the allowed ones
    (the same label: planted relatives; or two negative labels: templates), keeps those whose sketches agree on at
    least SKETCH_FLOOR bytes, and computes the exact Jaccard of the survivors' shingle sets. Disk: about 1.3 kB per
    text; memory: one band (12 bytes per text), the sketches and labels (136 bytes per text) and the candidates.
    """

    def __init__(self, workdir: Path, threshold: float, seed: int) -> None:
        self.dir = workdir
        self.dir.mkdir(parents=True, exist_ok=True)
        self.threshold = threshold
        self.signer = Signer(MinHashConfig(num_perm=CHECK_NUM_PERM, seed=seed))
        self.params = LSHParams(threshold, CHECK_NUM_PERM, CHECK_BANDS, CHECK_ROWS)
        self.stats = CheckStats()
        self._bands: list[BinaryIO] = [self._open(f"band{b:03d}.u32") for b in range(CHECK_BANDS)]
        self._sketch = self._open("sketch.u8")
        self._values = self._open("shingles.u32")
        self._sizes = self._open("sizes.i64")
        self._labels = self._open("labels.i64")
        self.count = 0

    def _open(self, name: str) -> BinaryIO:
        return (self.dir / name).open("wb")

    def add(self, texts: Sequence[str], labels: Sequence[int] | None = None) -> None:
        """Sign and spill `texts`; `labels` (default: each its own index, all distinct) say which pairs are allowed."""
        if labels is None:
            labels = range(self.count, self.count + len(texts))
        if len(labels) != len(texts):
            raise ValueError("one label per text")
        self._labels.write(np.asarray(labels, dtype=np.int64).tobytes())
        for start, stop in self.signer.batches(texts):
            scan = self.signer.scan(texts[start:stop])
            sigs = self.signer.sign(scan.shingles)
            keys = np.ascontiguousarray(band_keys(sigs, self.params).T)
            for band, fh in zip(keys, self._bands, strict=True):
                fh.write(band.tobytes())
            self._sketch.write(np.ascontiguousarray(sigs[:, :SKETCH_PERM] & 0xFF).astype(np.uint8).tobytes())
            self._values.write(scan.shingles.values.tobytes())
            self._sizes.write(np.diff(scan.shingles.offsets).astype(np.int64).tobytes())
            self.count += stop - start
        self.stats.items = self.count

    def _flush(self) -> None:
        for fh in (*self._bands, self._sketch, self._values, self._sizes, self._labels):
            fh.flush()

    def close(self) -> None:
        for fh in (*self._bands, self._sketch, self._values, self._sizes, self._labels):
            fh.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    def pairs(self, new_from: int = 0, log: Callable[[str], None] = _quiet) -> list[tuple[int, int, float]]:
        """(i, j, jaccard), i < j, of every pair at or above the threshold that LSH finds; only pairs whose later
        member was added at or after `new_from`. Sorted."""
        self._flush()
        n = self.count
        if n < 2:
            return []
        sketch = np.fromfile(self.dir / "sketch.u8", dtype=np.uint64).reshape(n, SKETCH_PERM // 8)
        sizes = np.fromfile(self.dir / "sizes.i64", dtype=np.int64)
        labels = np.fromfile(self.dir / "labels.i64", dtype=np.int64)
        empty = sizes == 0
        kept: list[I64] = []
        held, merge_at = 0, 1 << 22
        for band in range(CHECK_BANDS):
            keys = np.fromfile(self.dir / f"band{band:03d}.u32", dtype=np.uint32)
            codes = bucket_pairs(keys, empty)
            if new_from:
                codes = codes[codes % n >= new_from]
            self.stats.band_pairs += len(codes)
            for start in range(0, len(codes), 1 << 20):
                part = codes[start : start + (1 << 20)]
                i, j = np.divmod(part, n)
                li, lj = labels[i], labels[j]
                other = (li != lj) & ((li >= 0) | (lj >= 0))
                self.stats.allowed_band_pairs += len(part) - int(other.sum())
                part, i, j = part[other], i[other], j[other]
                kept.append(part[_equal_bytes(sketch[i], sketch[j]) >= SKETCH_FLOOR])
                held += len(kept[-1])
            if held > merge_at:  # drop the pairs found in several bands; amortised: at most twice what is left
                kept = [np.unique(np.concatenate(kept))]
                held = len(kept[0])
                merge_at = max(merge_at, 2 * held)
        del sketch
        codes = np.unique(np.concatenate(kept)) if kept else np.empty(0, dtype=np.int64)
        self.stats.sketch_pairs += len(codes)
        log(f"  check: {n:,} texts, {self.stats.band_pairs:,} band pairs, {len(codes):,} after the sketch")
        found = self._verify(codes, n, sizes)
        self.stats.found += len(found)
        return found

    def _verify(self, codes: I64, n: int, sizes: I64) -> list[tuple[int, int, float]]:
        if not len(codes):
            return []
        self.stats.verified += len(codes)
        offsets = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(sizes, out=offsets[1:])
        values = np.memmap(self.dir / "shingles.u32", dtype=np.uint32, mode="r")
        out: list[tuple[int, int, float]] = []
        for start in range(0, len(codes), 1 << 16):
            part = codes[start : start + (1 << 16)]
            i, j = np.divmod(part, n)
            inter = _intersections(values, offsets, i, j)
            union = sizes[i] + sizes[j] - inter
            sims = inter / np.maximum(union, 1)
            hit = np.flatnonzero(sims >= self.threshold)
            out.extend(zip(i[hit].tolist(), j[hit].tolist(), sims[hit].tolist(), strict=True))
        del values
        return out


_LOW7 = np.uint64(0x7F7F7F7F7F7F7F7F)


def _equal_bytes(a: npt.NDArray[np.uint64], b: npt.NDArray[np.uint64]) -> I64:
    """Per row, how many of the bytes of `a` and `b` (rows of 64-bit words) are equal: a byte of a ^ b is zero
    exactly when the high bit of ~(((x & 0x7F..) + 0x7F..) | x | 0x7F..) is set in it."""
    x = a ^ b
    flags = ~(((x & _LOW7) + _LOW7) | x | _LOW7)
    return np.bitwise_count(flags).sum(axis=1, dtype=np.int64)


def _gather(values: npt.NDArray[np.uint32], offsets: I64, rows: I64) -> tuple[npt.NDArray[np.uint32], I64]:
    """The concatenated shingle sets of `rows` and, for each value, the position of its row in `rows`."""
    lengths = offsets[rows + 1] - offsets[rows]
    owner = np.repeat(np.arange(len(rows), dtype=np.int64), lengths)
    pos = np.repeat(offsets[rows] - np.cumsum(lengths) + lengths, lengths) + np.arange(int(lengths.sum()))
    return np.asarray(values[pos]), owner


def _intersections(values: npt.NDArray[np.uint32], offsets: I64, i: I64, j: I64) -> I64:
    """|A_i ∩ B_j| for each pair: both sets are distinct values, so a value seen twice for one pair is shared."""
    va, oa = _gather(values, offsets, i)
    vb, ob = _gather(values, offsets, j)
    keys = np.concatenate([oa, ob]).astype(np.uint64) << np.uint64(32) | np.concatenate([va, vb]).astype(np.uint64)
    keys.sort()
    dup = keys[1:] == keys[:-1]
    return np.bincount((keys[1:][dup] >> np.uint64(32)).astype(np.int64), minlength=len(i))


def bucket_pairs(keys: npt.NDArray[np.uint32], empty: npt.NDArray[np.bool_]) -> I64:
    """Codes i * n + j (i < j) of the items sharing a key; items with no shingle take no part. A bucket of more than
    MAX_BUCKET items gives a star from its first item instead of all its pairs."""
    n = len(keys)
    live = np.flatnonzero(~empty)
    # one sort of (key, item) in 64 bits: faster than an argsort, and items come out ascending inside a bucket
    packed = (keys[live].astype(np.uint64) << np.uint64(32)) | live.astype(np.uint64)
    packed.sort()
    ks = packed >> np.uint64(32)
    order = (packed & np.uint64(0xFFFFFFFF)).astype(np.int64)
    if len(ks) < 2:
        return np.empty(0, dtype=np.int64)
    starts = np.flatnonzero(np.r_[True, ks[1:] != ks[:-1]])
    lengths = np.diff(np.r_[starts, len(ks)])
    multi = np.flatnonzero(lengths > 1)  # buckets of two or more, grouped by size (a few per cent of the keys)
    by_size = multi[np.argsort(lengths[multi], kind="stable")]
    starts, lengths = starts[by_size], lengths[by_size]
    sizes, firsts_at = np.unique(lengths, return_index=True)
    bounds = np.r_[firsts_at, len(lengths)]
    found: list[I64] = []
    for k, size in enumerate(sizes.tolist()):
        firsts = starts[bounds[k] : bounds[k + 1]]
        if size > MAX_BUCKET:
            for s in firsts.tolist():
                members = order[s : s + size]
                found.append(members[0] * n + members[1:])
            continue
        members = order[firsts[:, None] + np.arange(size)]
        a, b = np.triu_indices(size, k=1)
        found.append((members[:, a] * n + members[:, b]).ravel())
    return np.concatenate(found) if found else np.empty(0, dtype=np.int64)


def greedy_drop(pairs: Iterable[tuple[int, int, float]], dropped: set[int]) -> int:
    """Add to `dropped` the later member of every pair whose earlier member is still in; returns how many were added.
    Pairs are taken in order of their later member, so an earlier drop is final when a later pair is looked at."""
    added = 0
    for i, j, _ in sorted(pairs, key=lambda p: (p[1], p[0])):
        if i in dropped or j in dropped:
            continue
        dropped.add(j)
        added += 1
    return added


# --- the content pool -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Segment:
    start: int  # global index (the content id, `cid`) of its first item
    count: int
    lang: str
    origin: str  # "template" | "real" | "generated"


@dataclass
class PoolStats:
    real_used: dict[str, int] = field(default_factory=dict)
    generated: dict[str, int] = field(default_factory=dict)
    generated_short: int = 0  # generated paragraphs thrown away as too short
    rounds: int = 0


class Pool:
    """Every content paragraph the corpus may use, in files per language, checked against each other.

    Global indices (content ids) run over the host templates first, then the real paragraphs of each language (in a
    seeded order, about as many as the language needs), then generated paragraphs in the order they were made. The
    check drops the later member of every pair at POOL_THRESHOLD or above (pairs of two templates excepted: the
    templates of one language are alike by design); generation goes on until every language has enough.
    """

    def __init__(
        self,
        workdir: Path,
        real: RealText,
        needs: dict[str, int],
        seed: int,
        templates: Sequence[str],
        max_real: int | None,
        log: Callable[[str], None],
    ) -> None:
        self.dir = workdir / "pool"
        self.dir.mkdir(parents=True, exist_ok=True)
        self.real = real
        self.needs = needs
        self.seed = seed
        self.log = log
        self.check = NearCheck(workdir / "pool-check", POOL_THRESHOLD, POOL_CHECK_SEED)
        self.segments: list[_Segment] = []
        self.count = 0
        self.checked = 0
        self.dropped: set[int] = set()  # by the pool check: skipped
        self.replaced: set[int] = set()  # by a final check: replaced by spares
        self.stats = PoolStats()
        self._chains: dict[str, RunMarkov] = {}
        self._gen_rngs: dict[str, random.Random] = {}
        self._add(list(templates), "", "template")
        for lang in LANGS:
            if lang not in needs:
                continue
            texts = list(dict.fromkeys(real.by_lang[lang]))
            _rng(seed, "order", lang).shuffle(texts)
            # a few more than needed, in case the check drops some (near a template)
            take = min(len(texts), math.ceil(needs[lang] * (1 + POOL_SLACK_REAL)) + POOL_SLACK_MIN)
            take = min(take, max_real) if max_real is not None else take
            self._add(texts[:take], lang, "real")
            self.stats.real_used[lang] = take

    def _path(self, lang: str, origin: str) -> Path:
        return self.dir / f"{origin}-{lang}.txt"

    def _add(self, texts: Sequence[str], lang: str, origin: str) -> None:
        if not texts:
            return
        if origin != "template":
            with self._path(lang, origin).open("a", encoding="utf-8", newline="\n") as fh:
                fh.writelines(t + "\n" for t in texts)
            self.check.add(texts)
        else:  # templates of one language are alike by design: pairs of two templates are allowed
            self.check.add(texts, [-1] * len(texts))
        self.segments.append(_Segment(self.count, len(texts), lang, origin))
        self.count += len(texts)

    def usable(self, lang: str, origin: str | None = None) -> int:
        total = 0
        for seg in self.segments:
            if seg.lang == lang and (origin is None or seg.origin == origin):
                total += seg.count - sum(1 for k in self.dropped if seg.start <= k < seg.start + seg.count)
        return total

    def _generate(self, lang: str, count: int) -> None:
        if lang not in self._chains:
            self.log(f"training the {lang} generator on {len(self.real.by_lang[lang]):,} real paragraphs")
            self._chains[lang] = RunMarkov(self.real.by_lang[lang], lang)
            self._gen_rngs[lang] = _rng(self.seed, "markov", lang)
        chain, rng = self._chains[lang], self._gen_rngs[lang]
        made = 0
        while made < count:
            batch: list[str] = []
            while len(batch) < min(GEN_BATCH, count - made):
                text = chain.generate(rng)
                if long_enough(text, lang):
                    batch.append(text)
                else:
                    self.stats.generated_short += 1
            self._add(batch, lang, "generated")
            made += len(batch)
        self.stats.generated[lang] = self.stats.generated.get(lang, 0) + made

    def wanted(self, lang: str) -> int:
        """Usable paragraphs a language needs: what its pages take, spares for replacements, and one per replaced."""
        need = self.needs[lang]
        return need + SPARES_MIN + math.ceil(SPARES_SHARE * need) + len(self.replaced)

    def ensure(self, replace: Iterable[int] = ()) -> None:
        """Generate and check until every language has `wanted` usable paragraphs; `replace` adds content ids to
        replace by spares."""
        self.replaced.update(replace)
        for _ in range(MAX_POOL_ROUNDS):
            for lang in self.needs:
                short = self.wanted(lang) - self.usable(lang)
                if short > 0:
                    unchecked = self.checked < self.count  # the first round: drops are still to come
                    real = self.stats.real_used.get(lang, 0) if unchecked else 0
                    slack = max(POOL_SLACK_MIN, math.ceil(POOL_SLACK_GENERATED * short + POOL_SLACK_REAL * real))
                    self.log(f"generating {short + slack:,} {lang} paragraphs ({short:,} missing)")
                    self._generate(lang, short + slack)
            if self.checked < self.count:
                self.stats.rounds += 1
                pairs = self.check.pairs(self.checked, self.log)
                added = greedy_drop(pairs, self.dropped)
                self.log(f"  {len(pairs):,} near pairs in the pool, {added:,} paragraphs dropped")
                self.checked = self.count
            if all(self.usable(lang) >= self.wanted(lang) for lang in self.needs):
                return
        raise RuntimeError(f"the pool still lacks paragraphs after {MAX_POOL_ROUNDS} rounds")

    def source(self, lang: str) -> ContentSource:
        return ContentSource(self, lang)

    def close(self) -> None:
        self.check.close()


class ContentSource:
    """A language's content paragraphs in the order pages take them: real and generated ones interleaved at random
    (each draw takes a real one with the share of real ones left), the ones the pool check dropped skipped, and the
    ones a final check found in an unplanted pair (`Pool.replaced`) replaced in place by a spare: a generated
    paragraph after the last one the pages take. A replacement leaves every other page as it was."""

    def __init__(self, pool: Pool, lang: str) -> None:
        self.pool = pool
        self.real_left = min(pool.usable(lang, "real"), pool.needs[lang])
        self.gen_left = pool.needs[lang] - self.real_left
        self._gen_total = self.gen_left
        self._rng = _rng(pool.seed, "interleave", lang)
        self._real = self._items(pool, lang, "real")
        self._gen = self._items(pool, lang, "generated")
        self._spares: Generator[tuple[int, str], None, None] | None = None
        self.lang = lang

    @staticmethod
    def _items(pool: Pool, lang: str, origin: str) -> Generator[tuple[int, str], None, None]:
        segments = [s for s in pool.segments if s.lang == lang and s.origin == origin]
        if not segments:
            return
        cids = (s.start + k for s in segments for k in range(s.count))
        with pool._path(lang, origin).open(encoding="utf-8") as fh:
            for cid, line in zip(cids, fh, strict=False):
                if cid not in pool.dropped:
                    yield cid, line.rstrip("\n")

    def _spare(self) -> tuple[int, str]:
        if self._spares is None:
            self._spares = self._items(self.pool, self.lang, "generated")
            for _ in range(self._gen_total):
                next(self._spares)
        for cid, text in self._spares:
            if cid not in self.pool.replaced:
                return cid, text
        raise RuntimeError(f"no spare {self.lang} paragraph left")

    def next(self) -> tuple[int, str, str]:
        """(content id, text, origin) of the next paragraph."""
        if self.real_left and (
            not self.gen_left or self._rng.random() * (self.real_left + self.gen_left) < self.real_left
        ):
            self.real_left -= 1
            cid, text = next(self._real)
            origin = "real"
        elif self.gen_left:
            self.gen_left -= 1
            cid, text = next(self._gen)
            origin = "generated"
        else:
            raise RuntimeError("a language ran out of content paragraphs (the plan and the pool disagree)")
        if cid in self.pool.replaced:
            cid, text = self._spare()
            origin = "generated"
        return cid, text, origin

    def close(self) -> None:
        self._real.close()
        self._gen.close()
        if self._spares is not None:
            self._spares.close()


# --- pages ----------------------------------------------------------------------------------------------------------


@dataclass(eq=False)
class _Para:
    text: str
    kind: str  # "content" | "debris" | "repeat" | "boilerplate"
    cid: int = -1  # content id (also on copies of content); -1 for debris and templates
    origin: str = ""  # content: "real" | "generated"
    ref: _Para | None = None  # repeat: the paragraph it copies
    mode: str = ""  # repeat: "exact" | "near"
    case: str = ""  # repeat: "caption" | "doubled" | ""
    jaccard: float = 1.0
    debris: int = 0  # debris: line number in debris.txt
    template: int = -1  # boilerplate: index among the host's templates
    copy_of: int = -1  # content of a near-duplicate page: index of the paragraph it copies in the source page

    def truth(self, index: dict[int, int]) -> dict[str, Any]:
        if self.kind == "content":
            out: dict[str, Any] = {"kind": "content", "cid": self.cid, "origin": self.origin}
            if self.copy_of >= 0:
                out["copy_of"] = self.copy_of
                out["jaccard"] = self.jaccard
            return out
        if self.kind == "repeat":
            assert self.ref is not None
            out = {"kind": "repeat", "of": index[id(self.ref)], "mode": self.mode, "jaccard": self.jaccard}
            if self.cid >= 0:
                out["cid"] = self.cid
            if self.case:
                out["case"] = self.case
            return out
        if self.kind == "debris":
            return {"kind": "debris", "line": self.debris}
        return {"kind": "boilerplate", "template": self.template}


@dataclass
class _Stored:
    """A page in the reservoir: its id, host and content paragraphs (content id, text, origin, index in the page)."""

    id: str
    host: int
    content: list[tuple[int, str, str, int]]


def near_copy(text: str, lang: str, vocab: Sequence[str], rng: random.Random) -> tuple[str, float] | None:
    """A copy of `text` with 1-3 word edits (`paracorpus.make_copy`) whose word 3-gram Jaccard with it is in
    [REPEAT_JACCARD_MIN, 1), and that Jaccard; None if 20 tries give none."""
    source = pc.shingle_set(text)
    for _ in range(20):
        try:
            copy, _edits = pc.make_copy(text, lang, vocab, rng)
        except ValueError:
            return None
        sim = pc.jaccard(source, pc.shingle_set(copy))
        if REPEAT_JACCARD_MIN <= sim < 1.0:
            return copy, round(sim, 4)
    return None


@dataclass
class AssemblyStats:
    documents: int = 0
    paragraphs: int = 0
    kinds: Counter[str] = field(default_factory=Counter)
    repeats: Counter[str] = field(default_factory=Counter)  # "exact" / "near" / "caption" / "doubled" / "skipped"
    origins: Counter[str] = field(default_factory=Counter)
    languages: Counter[str] = field(default_factory=Counter)
    near_duplicates: Counter[str] = field(default_factory=Counter)  # "documents", "same_host", "dropped", "added"
    near_duplicate_jaccard: Counter[str] = field(default_factory=Counter)  # histogram bins (`jaccard_bin`)
    repeat_jaccard: Counter[str] = field(default_factory=Counter)
    debris_lines: Counter[int] = field(default_factory=Counter)
    bytes: Counter[str] = field(default_factory=Counter)


class Assembler:
    """Makes and writes the pages of a plan, one at a time."""

    def __init__(
        self,
        hosts: Sequence[Host],
        debris: Sequence[DebrisLine],
        pool: Pool,
        real: RealText,
        docs: int,
        seed: int,
        text_dir: Path | None,
    ) -> None:
        self.hosts = hosts
        self.debris = debris
        self.pool = pool
        self.real = real
        self.docs = docs
        self.seed = seed
        self.text_dir = text_dir
        self.sources: dict[str, ContentSource] = {}
        self.vocab: dict[str, list[str]] = {}
        self.reservoir: dict[int, _Stored] = {}
        self.stats = AssemblyStats()
        self.host_docs = [0] * len(hosts)
        self.template_docs: list[list[int]] = [[0] * len(h.templates) for h in hosts]
        self._made_dirs: set[int] = set()

    def _source(self, lang: str) -> ContentSource:
        if lang not in self.sources:
            self.sources[lang] = self.pool.source(lang)
        return self.sources[lang]

    def _vocab(self, lang: str) -> list[str]:
        if lang not in self.vocab:
            self.vocab[lang] = pc.vocabulary(self.real.by_lang[lang], lang)
        return self.vocab[lang]

    def _content(self, lang: str) -> _Para:
        cid, text, origin = self._source(lang).next()
        return _Para(text, "content", cid=cid, origin=origin)

    def page(self, plan: DocPlan) -> tuple[dict[str, Any], dict[str, Any]]:
        """The corpus record and the truth record of one page."""
        # one random stream per page: a page made differently (a replaced paragraph) leaves the others as they were
        rng, host, lang = _rng(self.seed, "page", plan.index), self.hosts[plan.host], plan.lang
        head_templates: list[_Para] = []
        tail_templates: list[_Para] = []
        for k in plan.templates:
            t = host.templates[k]
            (head_templates if t.where == "head" else tail_templates).append(_Para(t.text, "boilerplate", template=k))
        placed: dict[str, list[_Para]] = {"head": [], "body": [], "tail": []}
        for _ in range(plan.debris):
            line = self.debris[rng.choice(host.debris)]
            placed[line.where].append(_Para(fill(line.text, host, line.lang, rng), "debris", debris=line.line))
        source_id: str | None = None
        near_sim: float | None = None
        if plan.source_slot >= 0:
            body, source_id, near_sim = self._near_duplicate_body(plan, lang, rng)
        else:
            body = [self._content(lang) for _ in range(plan.fresh)]
        content = [p for p in body if p.kind == "content"]
        for p in placed["body"]:
            body.insert(rng.randint(0, len(body)), p)
        if plan.source_slot < 0:
            self._plant_repeats(plan, body, lang, rng)
        if plan.doubled:
            body = body + [_Para(p.text, "repeat", cid=p.cid, ref=p, mode="exact", case="doubled") for p in body]
            self.stats.repeats["doubled"] += 1
        tail = placed["tail"]
        for p in tail_templates:
            tail.insert(rng.randint(0, len(tail)), p)
        paragraphs = head_templates + placed["head"] + body + tail
        index = {id(p): k for k, p in enumerate(paragraphs)}
        if plan.slot >= 0:
            self.reservoir[plan.slot] = _Stored(
                doc_id(plan.index, self.docs), plan.host, [(p.cid, p.text, p.origin, index[id(p)]) for p in content]
            )
        text = "\n\n".join(p.text for p in paragraphs)
        ident = doc_id(plan.index, self.docs)
        record = {"id": ident, "url": self._url(host, plan.index, content[0].text if content else "", rng)}
        record["text"] = text
        truth = {
            "id": ident,
            "url": record["url"],
            "host": host.name,
            "lang": lang,
            "near_duplicate_of": source_id,
            "near_duplicate_jaccard": near_sim,
            "doubled": plan.doubled,
            "paragraphs": [p.truth(index) for p in paragraphs],
        }
        self._count(plan, paragraphs)
        return record, truth

    def _near_duplicate_body(self, plan: DocPlan, lang: str, rng: random.Random) -> tuple[list[_Para], str, float]:
        stored = self.reservoir[plan.source_slot]
        items = list(stored.content)
        if plan.drop:
            del items[rng.randrange(len(items))]
        body: list[_Para] = []
        for cid, text, origin, at in items:
            sim = 1.0
            if rng.random() < NEAR_DUP_EDITED:
                made = near_copy(text, lang, self._vocab(lang), rng)
                if made is not None:
                    text, sim = made
            body.append(_Para(text, "content", cid=cid, origin=origin, copy_of=at, jaccard=sim))
        if plan.add:
            body.insert(rng.randint(0, len(body)), self._content(lang))
        before = pc.shingle_set("\n\n".join(t for _, t, _, _ in stored.content))
        after = pc.shingle_set("\n\n".join(p.text for p in body))
        sim = round(pc.jaccard(before, after), 4)
        nd = self.stats.near_duplicates
        nd["documents"] += 1
        nd["same_host"] += int(plan.host == stored.host)
        nd["dropped_paragraph"] += int(plan.drop)
        nd["added_paragraph"] += int(plan.add)
        self.stats.near_duplicate_jaccard[jaccard_bin(sim)] += 1
        return body, stored.id, sim

    def _plant_repeats(self, plan: DocPlan, body: list[_Para], lang: str, rng: random.Random) -> None:
        content = [p for p in body if p.kind == "content"]
        if plan.exact_repeat and content:
            original = rng.choice(content)
            at = body.index(original)
            copy = _Para(original.text, "repeat", cid=original.cid, ref=original, mode="exact")
            body.insert(rng.randint(at + 1, len(body)), copy)
            self.stats.repeats["exact"] += 1
        for wanted, case in ((plan.near_repeat, ""), (plan.caption, "caption")):
            if not wanted:
                continue
            if case:
                fits = [p for p in content if word_count(p.text, lang) <= CAPTION_MAX_WORDS]
            else:
                fits = [p for p in content if word_count(p.text, lang) >= NEAR_REPEAT_MIN_WORDS]
            src = rng.choice(fits) if fits else None
            made = near_copy(src.text, lang, self._vocab(lang), rng) if src is not None else None
            if src is None or made is None:
                self.stats.repeats["skipped"] += 1
                continue
            at = body.index(src)
            where = at + 1 if case else rng.randint(at + 1, len(body))
            copy = _Para(made[0], "repeat", cid=src.cid, ref=src, mode="near", case=case, jaccard=made[1])
            body.insert(where, copy)
            self.stats.repeats[case or "near"] += 1
            self.stats.repeat_jaccard[jaccard_bin(made[1])] += 1

    def _url(self, host: Host, index: int, first: str, rng: random.Random) -> str:
        slug = "-".join(_LATIN_WORD.findall(first.lower())[:6]) or "article"
        slug = f"{slug}-{index}"
        year, month, day = rng.randint(2012, 2024), rng.randint(1, 12), rng.randint(1, 28)
        section = rng.choice(host.sections)
        path = (
            f"{section}/{year}/{month:02d}/{slug}",
            f"{section}/{slug}.html",
            f"article/{100000 + index}",
            f"{year}/{month:02d}/{day:02d}/{slug}/",
        )[host.url_style]
        return f"https://{host.name}/{path}"

    def _count(self, plan: DocPlan, paragraphs: Sequence[_Para]) -> None:
        st = self.stats
        st.documents += 1
        st.paragraphs += len(paragraphs)
        st.languages[plan.lang] += 1
        self.host_docs[plan.host] += 1
        for k in plan.templates:
            self.template_docs[plan.host][k] += 1
        for p in paragraphs:
            st.kinds[p.kind] += 1
            if p.kind == "content":
                st.origins[p.origin] += 1
            elif p.kind == "debris":
                st.debris_lines[p.debris] += 1

    def write(
        self, plans: Iterable[DocPlan], corpus: TextIO, truth: TextIO, log: Callable[[str], None] = _quiet
    ) -> None:
        started = time.perf_counter()
        for plan in plans:
            record, truth_record = self.page(plan)
            line = _dumps(record) + "\n"
            corpus.write(line)
            tline = _dumps(truth_record) + "\n"
            truth.write(tline)
            self.stats.bytes["corpus"] += len(line.encode("utf-8"))
            self.stats.bytes["truth"] += len(tline.encode("utf-8"))
            self.stats.bytes["text"] += len(record["text"].encode("utf-8"))
            if self.text_dir is not None:
                folder = self.text_dir / truth_record["host"]
                if plan.host not in self._made_dirs:
                    folder.mkdir(parents=True, exist_ok=True)
                    self._made_dirs.add(plan.host)
                (folder / f"{record['id']}.txt").write_text(record["text"] + "\n", encoding="utf-8", newline="\n")
            if (plan.index + 1) % 100_000 == 0:
                log(f"  {plan.index + 1:,} pages written ({time.perf_counter() - started:.0f}s)")


# --- the finished corpus --------------------------------------------------------------------------------------------


def _check_params(threshold: float, seed: int) -> dict[str, Any]:
    params = LSHParams(threshold, CHECK_NUM_PERM, CHECK_BANDS, CHECK_ROWS)
    return {
        "engine": "dedup.minhash.Signer (word 3-grams) + dedup.lsh.band_keys, keys spilled to disk per band",
        "threshold": threshold,
        "minhash_seed": seed,
        "num_perm": CHECK_NUM_PERM,
        "bands": CHECK_BANDS,
        "rows": CHECK_ROWS,
        "candidate_probability": {f"{s:.2f}": round(params.probability(s), 6) for s in (0.25, 0.27, 0.3, 0.35, 0.4)},
        "sketch": {"values": SKETCH_PERM, "bits": 8, "min_agreeing": SKETCH_FLOOR},
        "verification": "exact Jaccard of the shingle sets",
    }


def final_check(
    out: Path, workdir: Path, hosts: Sequence[Host], log: Callable[[str], None] = _quiet
) -> tuple[dict[str, Any], set[int]]:
    """Check the written corpus: every paragraph with a content id (content and the repeats of content; an exact
    copy inside its own page once) and every template once, labelled by content id (templates: negative). A pair of
    different content ids, or of a template and content, at NEAR_J3 or above is a violation; returns the statistics
    and the content ids to drop (the later of each violating pair)."""
    check = NearCheck(workdir / "final-check", NEAR_J3, FINAL_CHECK_SEED)
    templates = [t.text for h in hosts for t in h.templates]
    try:
        check.add(templates, [-(k + 1) for k in range(len(templates))])
        texts: list[str] = []
        labels: list[int] = []
        with (
            (out / "corpus.jsonl").open(encoding="utf-8") as corpus,
            (out / "truth.jsonl").open(encoding="utf-8") as truth,
        ):
            for cline, tline in zip(corpus, truth, strict=True):
                record, doc = json.loads(cline), json.loads(tline)
                parts = record["text"].split("\n\n")
                if record["id"] != doc["id"] or len(parts) != len(doc["paragraphs"]):
                    raise RuntimeError(f"corpus and truth disagree on {record['id']}")
                seen: set[tuple[int, str]] = set()
                for text, p in zip(parts, doc["paragraphs"], strict=True):
                    if "cid" in p and (p["cid"], text) not in seen:
                        seen.add((p["cid"], text))
                        texts.append(text)
                        labels.append(p["cid"])
                if len(texts) >= GEN_BATCH:
                    check.add(texts, labels)
                    texts, labels = [], []
        check.add(texts, labels)
        pairs = check.pairs(0, log)
        lab = np.fromfile(check.dir / "labels.i64", dtype=np.int64)
        violations: list[dict[str, Any]] = []
        drops: set[int] = set()
        for i, j, sim in pairs:
            a, b = int(lab[i]), int(lab[j])
            violations.append({"a": a, "b": b, "jaccard": round(sim, 4)})
            drops.add(b if a < 0 else a if b < 0 else max(a, b))
        stats = {
            **_check_params(NEAR_J3, FINAL_CHECK_SEED),
            **check.stats.as_dict(),
            "violations": len(violations),
            "violation_examples": violations[:20],
        }
        return stats, drops
    finally:
        check.close()


JACCARD_LABELS: tuple[str, ...] = tuple(pc.jaccard_histogram(()))


def jaccard_bin(value: float) -> str:
    """The label of `paracorpus.jaccard_histogram`'s bin holding `value`."""
    k = bisect.bisect_right(pc.JACCARD_BINS, value) - 1
    return JACCARD_LABELS[min(max(k, 0), len(JACCARD_LABELS) - 1)]


def _histogram(bins: Counter[str]) -> dict[str, int]:
    return {label: bins[label] for label in JACCARD_LABELS}


def _meta(
    docs: int,
    seed: int,
    max_real: int | None,
    as_text_dir: bool,
    shares: dict[str, float],
    real: RealText,
    hosts: Sequence[Host],
    debris: Sequence[DebrisLine],
    pool: Pool,
    asm: Assembler,
    checks: dict[str, Any],
) -> dict[str, Any]:
    st = asm.stats
    host_docs = sorted(asm.host_docs)
    occurrences = sum(sum(t) for t in asm.template_docs)
    below = [
        (h, k) for h, counts in enumerate(asm.template_docs) for k, c in enumerate(counts) if c < MIN_DOCS_BOILERPLATE
    ]
    dropped = Counter(
        seg.origin for seg in pool.segments for k in pool.dropped if seg.start <= k < seg.start + seg.count
    )
    return {
        "generator_version": GENERATOR_VERSION,
        "parameters": {
            "docs": docs,
            "seed": seed,
            "max_real": max_real,
            "as_text_dir": as_text_dir,
            "language_shares": {k: round(v, 4) for k, v in shares.items()},
            "content_paragraphs": {
                "lognormal_median": CONTENT_MEDIAN,
                "sigma": CONTENT_SIGMA,
                "min": CONTENT_MIN,
                "max": CONTENT_MAX,
            },
            "debris_lines_per_page_weights": list(DEBRIS_WEIGHTS),
            "near_duplicates": {
                "share": NEAR_DUP_SHARE,
                "same_host": NEAR_DUP_SAME_HOST,
                "edited_paragraphs": NEAR_DUP_EDITED,
                "drop_one": NEAR_DUP_DROP,
                "drop_min_paragraphs": NEAR_DUP_DROP_MIN,
                "add_one": NEAR_DUP_ADD,
                "reservoir": RESERVOIR,
            },
            "repeats": {
                "exact_share": EXACT_REPEAT_SHARE,
                "near_share": NEAR_REPEAT_SHARE,
                "near_min_words": NEAR_REPEAT_MIN_WORDS,
                "caption_share": CAPTION_SHARE,
                "caption_max_words": CAPTION_MAX_WORDS,
                "doubled_share": DOUBLED_SHARE,
                "near_jaccard_min": REPEAT_JACCARD_MIN,
            },
            "hosts": {
                "docs_per_host": DOCS_PER_HOST,
                "min": MIN_HOSTS,
                "max": MAX_HOSTS,
                "zipf_s": ZIPF_S,
                "zipf_offset": ZIPF_OFFSET,
                "template_min_expected_docs": TEMPLATE_MIN_EXPECTED_DOCS,
                "template_count_weights": list(TEMPLATE_COUNT_WEIGHTS),
                "template_share": list(TEMPLATE_SHARE),
                "debris_lines": list(HOST_DEBRIS),
            },
            "generator": {
                "run_words": list(RUN_WORDS),
                "run_chars": list(RUN_CHARS),
                "run_per_length": RUN_PER_LENGTH,
                "order2_preference": ORDER2_PREFERENCE,
                "order1_min": ORDER1_MIN,
                "min_tokens": MIN_TOKENS,
                "min_real_paragraphs_per_language": MIN_LANG_REAL,
            },
        },
        "documents": {
            "total": st.documents,
            "by_language": {lang: st.languages[lang] for lang in LANGS if st.languages[lang]},
            "near_duplicates": dict(sorted(st.near_duplicates.items())),
            "doubled": st.repeats["doubled"],
        },
        "paragraphs": {
            "total": st.paragraphs,
            "by_kind": {kind: st.kinds[kind] for kind in KINDS},
            "content_by_origin": {o: st.origins[o] for o in ("real", "generated")},
            "repeat_events": {k: st.repeats[k] for k in ("exact", "near", "caption", "doubled", "skipped")},
            "per_document_mean": round(st.paragraphs / max(1, st.documents), 2),
        },
        "jaccard": {
            "near_repeats": _histogram(st.repeat_jaccard),
            "near_duplicate_documents": _histogram(st.near_duplicate_jaccard),
        },
        "hosts": {
            "count": len(hosts),
            "documents_largest": host_docs[-1] if host_docs else 0,
            "documents_median": host_docs[len(host_docs) // 2] if host_docs else 0,
            "hosts_without_documents": sum(1 for c in host_docs if c == 0),
            "with_templates": sum(1 for h in hosts if h.templates),
            "templates": sum(len(h.templates) for h in hosts),
            "template_occurrences": occurrences,
            "templates_below_min_docs": len(below),
            "template_occurrences_below_min_docs": sum(asm.template_docs[h][k] for h, k in below),
            "min_docs": MIN_DOCS_BOILERPLATE,
        },
        "debris": {
            "file": "benchmarks/data/debris.txt",
            "catalogue_lines": len(debris),
            "lines_used": len(st.debris_lines),
        },
        "bytes": {
            "corpus_jsonl": st.bytes["corpus"],
            "truth_jsonl": st.bytes["truth"],
            "text": st.bytes["text"],
            "text_per_document": round(st.bytes["text"] / max(1, st.documents)),
        },
        "content_pool": {
            "real_available": {lang: len(real.by_lang[lang]) for lang in LANGS},
            "real_removed_as_duplicates": real.removed,
            "real_used": pool.stats.real_used,
            "generated": pool.stats.generated,
            "generated_too_short": pool.stats.generated_short,
            "dropped": {"real": dropped["real"], "generated": dropped["generated"]},
            "check_rounds": pool.stats.rounds,
        },
        "check": checks,
        "source_packages": real.packages,
    }


def build(
    docs: int,
    seed: int,
    out: Path,
    *,
    eval_dir: Path = DEFAULT_EVAL_DIR,
    real: RealText | None = None,
    max_real: int | None = None,
    as_text_dir: bool = False,
    check_final: bool = True,
    log: Callable[[str], None] = _quiet,
) -> dict[str, Any]:
    """Write corpus.jsonl, truth.jsonl (and text/ with `as_text_dir`), then meta.json into `out`; returns the meta.

    `real` replaces the eval gold and the manual pages (tests pass a small RealText)."""
    if docs < 1:
        raise ValueError("docs must be at least 1")
    out.mkdir(parents=True, exist_ok=True)
    (out / "meta.json").unlink(missing_ok=True)
    workdir = out / ".work"
    shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir()
    pool: Pool | None = None
    try:
        if real is None:
            log("reading the evaluation gold and the manual pages")
            real = load_real(eval_dir)
        if not real.cleaned:
            log("removing duplicates and near-duplicate pairs from the real text")
            real = clean_real(real, workdir / "real-check")
        shares = language_shares(real)
        debris = load_debris()
        hosts = make_hosts(docs, seed, shares, debris)
        needs = content_needs(docs, seed, hosts)
        log(f"{len(hosts):,} hosts; content paragraphs needed: " + ", ".join(f"{k} {v:,}" for k, v in needs.items()))
        templates = [t.text for h in hosts for t in h.templates]
        pool = Pool(workdir, real, needs, seed, templates, max_real, log)
        replace: set[int] = set()
        checks: dict[str, Any] = {"pool": {}, "final": {"skipped": True}}
        earlier: list[dict[str, Any]] = []  # final checks that found unplanted pairs, before the pages were rewritten
        for attempt in range(MAX_FINAL_ROUNDS + 1):
            pool.ensure(replace)
            text_dir = out / "text" if as_text_dir else None
            if text_dir is not None:
                shutil.rmtree(text_dir, ignore_errors=True)
            log(f"writing {docs:,} pages")
            asm = Assembler(hosts, debris, pool, real, docs, seed, text_dir)
            _write_pages(asm, plan_documents(docs, seed, hosts), out, log)
            checks["pool"] = {**_check_params(POOL_THRESHOLD, POOL_CHECK_SEED), **pool.check.stats.as_dict()}
            if not check_final:
                break
            log("checking the finished corpus")
            final, drops = final_check(out, workdir, hosts, log)
            checks["final"] = {**final, "rounds": attempt + 1, "earlier_rounds": earlier}
            if not drops:
                break
            earlier.append(
                {
                    "violations": final["violations"],
                    "violation_examples": final["violation_examples"],
                    "replaced_content_ids": sorted(drops),
                }
            )
            log(f"  {final['violations']} unplanted pairs: replacing {len(drops)} content paragraphs, writing again")
            replace |= drops
        else:
            raise RuntimeError(f"unplanted near-duplicate pairs left after {MAX_FINAL_ROUNDS} rounds")
        meta = _meta(docs, seed, max_real, as_text_dir, shares, real, hosts, debris, pool, asm, checks)
        _write_bytes(out / "meta.json", (json.dumps(meta, ensure_ascii=False, indent=2) + "\n").encode("utf-8"))
        return meta
    finally:
        if pool is not None:
            pool.close()
        shutil.rmtree(workdir, ignore_errors=True)


def _write_pages(asm: Assembler, plans: Iterable[DocPlan], out: Path, log: Callable[[str], None]) -> None:
    tmp_corpus, tmp_truth = out / ".corpus.jsonl.tmp", out / ".truth.jsonl.tmp"
    try:
        with (
            tmp_corpus.open("w", encoding="utf-8", newline="\n") as corpus,
            tmp_truth.open("w", encoding="utf-8", newline="\n") as truth,
        ):
            asm.write(plans, corpus, truth, log)
        for source in asm.sources.values():
            if source.real_left or source.gen_left:
                raise RuntimeError("the pages took fewer content paragraphs than planned")
        os.replace(tmp_corpus, out / "corpus.jsonl")
        os.replace(tmp_truth, out / "truth.jsonl")
    finally:
        for source in asm.sources.values():
            source.close()
        tmp_corpus.unlink(missing_ok=True)
        tmp_truth.unlink(missing_ok=True)


# --- scoring a dedup report -----------------------------------------------------------------------------------------

CONTENT_LABELS = ("content (real)", "content (generated)")
# dedup's default document threshold: near copies planted below it are not near-duplicates of that run.
SCORE_THRESHOLD = 0.8
PLANTED_LABELS = (
    "debris",
    "repeat (exact)",
    "repeat (near)",
    "repeat (caption)",
    "repeat (doubled)",
    "boilerplate",
    "near_duplicate",
)


def paragraph_label(p: dict[str, Any]) -> str:
    """The row a truth paragraph is scored under."""
    kind = p["kind"]
    if kind == "content":
        return f"content ({p.get('origin', 'real')})"
    if kind == "repeat":
        return f"repeat ({p.get('case') or p['mode']})"
    return str(kind)


def report_key(report_id: str) -> str:
    """A report id as a truth id: `host/d000123.txt` (a --as-text-dir run) and `corpus.jsonl:d000123` (a record of
    corpus.jsonl, once dedup reads JSONL) both become `d000123`."""
    name = report_id.rsplit(":", 1)[-1].rsplit("/", 1)[-1]
    return name[:-4] if name.endswith(".txt") else name


@dataclass
class _ReportDoc:
    status: str
    removed: dict[int, str]  # paragraph index -> reason
    paragraphs: int


def load_report(path: Path) -> dict[str, _ReportDoc]:
    out: dict[str, _ReportDoc] = {}
    for line in _lines(path):
        row = json.loads(line)
        removed = {int(r["paragraph"]): str(r.get("reason", "?")) for r in row.get("removed", ())}
        out[report_key(row["id"])] = _ReportDoc(str(row.get("status", "kept")), removed, int(row.get("paragraphs", -1)))
    return out


def _lines(path: Path) -> Iterator[str]:
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield line


def _truth(path: Path) -> Iterator[dict[str, Any]]:
    for line in _lines(path):
        yield json.loads(line)


def score(truth_path: Path, report_path: Path, threshold: float = SCORE_THRESHOLD) -> dict[str, Any]:
    """Removed-paragraph precision and recall of a dedup report against the truth.

    A removed paragraph is correct when it was planted: debris, a repeat, boilerplate, or a paragraph of a planted
    near-duplicate page that is expected to go. Which member of a near-duplicate cluster (a page and its near
    copies) survives is dedup's choice (`--keep`; with --as-text-dir files are read in path order, host first): the
    expected drops are all members but the one dedup kept (the original if it kept several or none). A dropped page
    counts every one of its paragraphs as removed. Rows: one per kind of paragraph (for content, the false-positive
    rate), one per dedup reason (its precision), and pages.

    A near copy planted with a Jaccard below `threshold` (the run's document threshold) is not a near-duplicate at
    that threshold: it is no expected drop; dropped anyway, its paragraphs are left out of the figures (it is a near
    copy, so not a mistake either); kept, they are scored like any page's. The pages table counts both.
    """
    report = load_report(report_path)
    clusters: dict[str, list[str]] = {}
    root_of: dict[str, str] = {}
    faint: set[str] = set()
    for doc in _truth(truth_path):
        src = doc.get("near_duplicate_of")
        if src is not None and (doc.get("near_duplicate_jaccard") or 0.0) < threshold:
            faint.add(doc["id"])
        elif src is not None:
            root = root_of.get(src, src)
            root_of[doc["id"]] = root
            clusters.setdefault(root, [root]).append(doc["id"])
    expected_drop: set[str] = set()
    swapped = 0
    for root, members in clusters.items():
        kept = [m for m in members if m in report and report[m].status != "dropped"]
        survivor = root if root in kept or not kept else kept[0]
        swapped += survivor != root
        expected_drop.update(m for m in members if m != survivor)

    rows: dict[str, list[int]] = {label: [0, 0] for label in (*PLANTED_LABELS, *CONTENT_LABELS)}
    reasons: dict[str, list[int]] = {}
    debris_lines: dict[int, list[int]] = {}
    pages = Counter[str]()
    for doc in _truth(truth_path):
        ident = doc["id"]
        rep = report.get(ident)
        if rep is None:
            pages["missing_from_report"] += 1
            rep = _ReportDoc("kept", {}, -1)
        elif rep.paragraphs != len(doc["paragraphs"]):
            pages["paragraph_count_mismatch"] += 1
        dropped = rep.status == "dropped"
        expected = ident in expected_drop
        pages["documents"] += 1
        if ident in faint:
            pages["below_threshold"] += 1
            pages["below_threshold_dropped"] += dropped
            if dropped:
                continue
        pages["planted_near_duplicates"] += expected
        pages["dropped"] += dropped
        pages["dropped_planted"] += dropped and expected
        for k, p in enumerate(doc["paragraphs"]):
            label = "near_duplicate" if expected else paragraph_label(p)
            reason = "near_duplicate_document" if dropped else rep.removed.get(k)
            row = rows.setdefault(label, [0, 0])
            row[0] += 1
            if p["kind"] == "debris":
                line = debris_lines.setdefault(int(p["line"]), [0, 0])
                line[0] += 1
                line[1] += reason is not None
            if reason is None:
                continue
            row[1] += 1
            per = reasons.setdefault(reason, [0, 0])
            per[0] += 1
            per[1] += label not in CONTENT_LABELS
        pages["removals_outside_paragraphs"] += sum(1 for k in rep.removed if k >= len(doc["paragraphs"]))
    planted = sum(rows[label][0] for label in rows if label not in CONTENT_LABELS)
    hits = sum(rows[label][1] for label in rows if label not in CONTENT_LABELS)
    false = sum(rows[label][1] for label in CONTENT_LABELS)
    precision = hits / (hits + false) if hits + false else 1.0
    recall = hits / planted if planted else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "planted": planted,
        "removed": hits + false,
        "correct": hits,
        "kinds": {label: {"paragraphs": v[0], "removed": v[1]} for label, v in rows.items()},
        "reasons": {r: {"removed": v[0], "correct": v[1]} for r, v in sorted(reasons.items())},
        "pages": dict(pages) | {"clusters": len(clusters), "clusters_survivor_not_original": swapped},
        "threshold": threshold,
        "debris_lines": {line: {"planted": v[0], "removed": v[1]} for line, v in sorted(debris_lines.items())},
    }


def _table(header: Sequence[str], rows: Sequence[Sequence[str]], markdown: bool) -> str:
    if markdown:
        lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
        lines += ["| " + " | ".join(r) + " |" for r in rows]
        return "\n".join(lines)
    widths = [max(len(h), *(len(r[k]) for r in rows)) if rows else len(h) for k, h in enumerate(header)]
    fmt = "  ".join(f"{{:<{w}}}" if k == 0 else f"{{:>{w}}}" for k, w in enumerate(widths))
    return "\n".join([fmt.format(*header), *(fmt.format(*r) for r in rows)])


def _share(num: int, den: int) -> str:
    return f"{num / den:.3f}" if den else "-"


def render_score(result: dict[str, Any], markdown: bool = False, debris: Sequence[DebrisLine] | None = None) -> str:
    kinds = result["kinds"]
    rows = [
        [
            label,
            f"{kinds[label]['paragraphs']:,}",
            f"{kinds[label]['removed']:,}",
            _share(kinds[label]["removed"], kinds[label]["paragraphs"]),
        ]
        for label in (*PLANTED_LABELS, *CONTENT_LABELS)
        if label in kinds
    ]
    content = [sum(kinds[c][k] for c in CONTENT_LABELS) for k in ("paragraphs", "removed")]
    rows.append(["all planted", f"{result['planted']:,}", f"{result['correct']:,}", f"{result['recall']:.3f}"])
    rows.append(["all content", f"{content[0]:,}", f"{content[1]:,}", _share(content[1], content[0])])
    out = [
        f"precision {result['precision']:.3f}  recall {result['recall']:.3f}  F1 {result['f1']:.3f}  "
        f"({result['removed']:,} paragraphs removed, {result['correct']:,} of them planted, "
        f"{result['planted']:,} planted)",
        "",
        _table(["kind", "paragraphs", "removed", "recall / false-positive rate"], rows, markdown),
        "",
        _table(
            ["dedup reason", "removed", "planted", "precision"],
            [
                [r, f"{v['removed']:,}", f"{v['correct']:,}", _share(v["correct"], v["removed"])]
                for r, v in result["reasons"].items()
            ],
            markdown,
        ),
    ]
    pg = result["pages"]
    out += [
        "",
        _table(
            [
                "pages",
                f"planted near-duplicates (Jaccard >= {result.get('threshold', SCORE_THRESHOLD)})",
                "dropped",
                "dropped and planted",
                "precision",
                "recall",
                "near copies below (dropped)",
            ],
            [
                [
                    f"{pg.get('documents', 0):,}",
                    f"{pg.get('planted_near_duplicates', 0):,}",
                    f"{pg.get('dropped', 0):,}",
                    f"{pg.get('dropped_planted', 0):,}",
                    _share(pg.get("dropped_planted", 0), pg.get("dropped", 0)),
                    _share(pg.get("dropped_planted", 0), pg.get("planted_near_duplicates", 0)),
                    f"{pg.get('below_threshold', 0):,} ({pg.get('below_threshold_dropped', 0):,})",
                ]
            ],
            markdown,
        ),
    ]
    notes = {k: v for k, v in pg.items() if k in ("missing_from_report", "paragraph_count_mismatch") and v}
    notes |= {k: v for k, v in pg.items() if k in ("removals_outside_paragraphs", "clusters_survivor_not_original")}
    out.append("\n" + ", ".join(f"{k.replace('_', ' ')}: {v:,}" for k, v in notes.items()))
    if debris is not None:
        text = {d.line: f"{d.lang}: {d.text}" for d in debris}
        lines = sorted(result["debris_lines"].items(), key=lambda kv: (kv[1]["removed"] / kv[1]["planted"], kv[0]))
        out += [
            "",
            _table(
                ["debris line", "planted", "removed", "recall"],
                [
                    [
                        text.get(int(line), str(line)).replace("|", "\\|"),
                        f"{v['planted']:,}",
                        f"{v['removed']:,}",
                        _share(v["removed"], v["planted"]),
                    ]
                    for line, v in lines
                ],
                markdown,
            ),
        ]
    return "\n".join(out)


# --- command line ---------------------------------------------------------------------------------------------------


def summary(meta: dict[str, Any], seconds: float) -> str:
    p, d, b = meta["paragraphs"], meta["documents"], meta["bytes"]
    pool = meta["content_pool"]
    lines = [
        f"{d['total']:,} pages ({', '.join(f'{k} {v:,}' for k, v in d['by_language'].items())}), "
        f"{p['total']:,} paragraphs ({', '.join(f'{k} {v:,}' for k, v in p['by_kind'].items())})",
        f"content: {p['content_by_origin']['real']:,} real, {p['content_by_origin']['generated']:,} generated; "
        f"pool dropped {pool['dropped']['real']:,} real and {pool['dropped']['generated']:,} generated paragraphs",
        f"near-duplicate pages: {d['near_duplicates'].get('documents', 0):,}; doubled bodies: {d['doubled']:,}; "
        f"repeat events: {p['repeat_events']}",
        f"hosts: {meta['hosts']['count']:,} (largest {meta['hosts']['documents_largest']:,} pages), "
        f"{meta['hosts']['templates']:,} templates",
        f"bytes: text {b['text']:,}, corpus.jsonl {b['corpus_jsonl']:,}, truth.jsonl {b['truth_jsonl']:,}",
    ]
    final = meta["check"]["final"]
    if final.get("skipped"):
        lines.append("final check: skipped")
    else:
        lines.append(
            f"final check: {final['items']:,} paragraphs, {final['allowed_band_pairs']:,} planted band pairs "
            f"skipped, {final['verified']:,} other candidates verified, {final['violations']} unplanted pairs"
        )
    lines.append(f"seconds: {seconds:.1f}")
    return "\n".join(lines)


def generate_main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bigcorpus", description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=DEFAULT_DOCS, help=f"pages in the corpus (default {DEFAULT_DOCS})")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--out", type=Path, required=True, help="output directory")
    parser.add_argument("--eval-dir", type=Path, default=DEFAULT_EVAL_DIR, help="default ../shared/eval")
    parser.add_argument("--as-text-dir", action="store_true", help="also write text/<host>/<id>.txt")
    parser.add_argument("--max-real", type=int, default=None, help="use at most this many real paragraphs per language")
    parser.add_argument("--no-final-check", action="store_true", help="skip the check of the finished corpus")
    args = parser.parse_args(argv)
    started = time.perf_counter()

    def log(message: str) -> None:
        print(f"[{time.perf_counter() - started:7.1f}s] {message}", file=sys.stderr, flush=True)

    meta = build(
        args.docs,
        args.seed,
        args.out,
        eval_dir=args.eval_dir,
        max_real=args.max_real,
        as_text_dir=args.as_text_dir,
        check_final=not args.no_final_check,
        log=log,
    )
    print(f"corpus: {args.out}")
    print(summary(meta, time.perf_counter() - started))
    return 0


def score_main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.bigcorpus score", description="Score a dedup report.jsonl against truth.jsonl."
    )
    parser.add_argument("--truth", type=Path, required=True)
    parser.add_argument("--report", type=Path, required=True, help="dedup's report.jsonl")
    parser.add_argument("--markdown", action="store_true")
    parser.add_argument("--debris", action="store_true", help="also the recall of every debris line")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures as JSON")
    parser.add_argument(
        "--threshold",
        type=float,
        default=SCORE_THRESHOLD,
        help="the run's document threshold: near copies planted below it are no expected drops",
    )
    args = parser.parse_args(argv)
    result = score(args.truth, args.report, args.threshold)
    print(render_score(result, args.markdown, load_debris() if args.debris else None))
    if args.json is not None:
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["score"]:
        return score_main(args[1:])
    return generate_main(args)


if __name__ == "__main__":
    sys.exit(main())
