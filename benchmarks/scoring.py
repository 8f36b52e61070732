"""The two scorers of the evaluation sets (see `../shared/eval/README.md`), so figures compare with published ones.

- aeb (article-extraction-benchmark): `\\w+` tokens with case kept, multisets of 4-token shingles, per-page precision
  and recall; a set's precision and recall are the averages over pages and its F1 is the harmonic mean of the two
  averages (not the mean of per-page F1).
- wcxb: lowercased `\\w+` tokens as a bag of words, per-page precision, recall and F1; a set's score is the macro mean
  of per-page F1 (macro precision and recall are reported alongside).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TypeVar

# `re` on str patterns is Unicode-aware: `\w` matches letters and digits of every script, as in the reference code.
_TOKEN = re.compile(r"\w+")
SHINGLE_SIZE = 4
K = TypeVar("K")


@dataclass(frozen=True)
class SetScore:
    """A set's (or split's) aggregate: precision, recall, F1 and the number of pages behind them."""

    precision: float
    recall: float
    f1: float
    pages: int


def tokens(text: str) -> list[str]:
    """`\\w+` tokens, case kept."""
    return _TOKEN.findall(text)


def shingles(text: str, size: int = SHINGLE_SIZE) -> Counter[tuple[str, ...]]:
    """The multiset of `size`-token shingles of the text.

    As in the benchmark's reference code, a text with at least one but fewer than `size` tokens yields a single
    shorter shingle, so a very short text is not treated as empty.
    """
    toks = tokens(text)
    if not toks:
        return Counter()
    return Counter(tuple(toks[i : i + size]) for i in range(max(1, len(toks) - size + 1)))


def _ratios(matched: int, extracted: int, gold: int) -> tuple[float, float]:
    """Precision and recall from multiset sizes, with the eval README's rules for empty sides.

    No extracted units: precision 0 unless gold is empty too (then both are 1). No gold units but something
    extracted: both 0, the same verdict the wcxb rule gives for empty gold.
    """
    if extracted == 0 or gold == 0:
        both_empty = float(extracted == 0 and gold == 0)
        return both_empty, both_empty
    return matched / extracted, matched / gold


def _matched(a: Counter[K], b: Counter[K]) -> int:
    """Size of the multiset intersection (each unit counted min(count in a, count in b) times)."""
    small, large = (a, b) if len(a) <= len(b) else (b, a)
    return sum(min(count, large[key]) for key, count in small.items() if key in large)


def aeb_scores(extracted: str, gold: str) -> tuple[float, float]:
    """Per-page (precision, recall) on 4-token shingle multisets, case kept."""
    ext, ref = shingles(extracted), shingles(gold)
    return _ratios(_matched(ext, ref), ext.total(), ref.total())


def wcxb_scores(extracted: str, gold: str) -> tuple[float, float, float]:
    """Per-page (precision, recall, F1) on lowercased bag-of-words multisets.

    Empty gold scores 1.0 when the output is empty too, else 0.0, whatever the other side holds.
    """
    ext, ref = Counter(tokens(extracted.lower())), Counter(tokens(gold.lower()))
    precision, recall = _ratios(_matched(ext, ref), ext.total(), ref.total())
    return precision, recall, harmonic_mean(precision, recall)


def harmonic_mean(precision: float, recall: float) -> float:
    """F1 of a precision and a recall; 0 when both are 0."""
    if precision + recall == 0:
        return 0.0
    return 2 * precision * recall / (precision + recall)


def aggregate_aeb(pairs: Iterable[tuple[float, float]]) -> SetScore:
    """Average precision and recall over pages; F1 is the harmonic mean of those two averages."""
    rows = list(pairs)
    if not rows:
        return SetScore(0.0, 0.0, 0.0, 0)
    precision = sum(p for p, _ in rows) / len(rows)
    recall = sum(r for _, r in rows) / len(rows)
    return SetScore(precision, recall, harmonic_mean(precision, recall), len(rows))


def aggregate_wcxb(triples: Iterable[tuple[float, float, float]]) -> SetScore:
    """Macro means over pages of precision, recall and (the headline figure) per-page F1."""
    rows = list(triples)
    if not rows:
        return SetScore(0.0, 0.0, 0.0, 0)
    n = len(rows)
    return SetScore(
        precision=sum(p for p, _, _ in rows) / n,
        recall=sum(r for _, r, _ in rows) / n,
        f1=sum(f for _, _, f in rows) / n,
        pages=n,
    )
