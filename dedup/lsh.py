"""LSH by banding, with candidate pairs found by sorting band hashes (no per-item Python objects).

`choose_params` picks (bands, rows) the way datasketch's `MinHashLSH` does: it minimises the
weighted areas of false positives (below the threshold) and false negatives (above it) under the
S-curve `1 - (1 - s**r)**b`, with bands * rows <= num_perm.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
import numpy.typing as npt

_K1 = np.uint64(0x9E3779B97F4A7C15)
_K2 = np.uint64(0xBF58476D1CE4E5B9)
_K3 = np.uint64(0x94D049BB133111EB)
# A bucket larger than this yields a star (first member to each other) instead of all pairs,
# so one line repeated thousands of times cannot explode into millions of pairs.
MAX_BUCKET_PAIRS = 64


@dataclass(frozen=True)
class LSHParams:
    threshold: float
    num_perm: int
    bands: int
    rows: int

    def probability(self, similarity: float) -> float:
        """Probability that a pair with this Jaccard similarity becomes a candidate."""
        return float(1.0 - (1.0 - similarity**self.rows) ** self.bands)


def _area(curve: npt.NDArray[np.float64], xs: npt.NDArray[np.float64]) -> float:
    return float(np.sum((curve[1:] + curve[:-1]) * np.diff(xs)) / 2.0)


def candidate_threshold(threshold: float) -> float:
    """The looser threshold LSH runs at so that pairs right at `threshold` are rarely missed.

    The S-curve of the (bands, rows) chosen for t catches a pair at exactly t only about 40% of
    the time; at t - 0.2 it catches a pair at t more than 99% of the time (for 128 permutations),
    and exact verification then removes the extra candidates.
    """
    return max(0.1, round(threshold - 0.2, 2))


@cache
def choose_params(threshold: float, num_perm: int, weights: tuple[float, float] = (0.5, 0.5)) -> LSHParams:
    best: tuple[float, int, int] | None = None
    lo = np.linspace(0.0, threshold, 201)
    hi = np.linspace(threshold, 1.0, 201)
    for b in range(1, num_perm + 1):
        for r in range(1, num_perm // b + 1):
            fp = _area(1.0 - (1.0 - lo**r) ** b, lo)
            fn = _area(1.0 - (1.0 - (1.0 - hi**r) ** b), hi)
            err = fp * weights[0] + fn * weights[1]
            if best is None or err < best[0] - 1e-12:
                best = (err, b, r)
    assert best is not None
    return LSHParams(threshold, num_perm, best[1], best[2])


def band_hashes(signatures: npt.NDArray[np.uint32], bands: int, rows: int) -> npt.NDArray[np.uint64]:
    """One 64-bit hash per (item, band): shape (n, bands)."""
    n = signatures.shape[0]
    out = np.empty((n, bands), dtype=np.uint64)
    sig = signatures.astype(np.uint64)
    for band in range(bands):
        h = np.full(n, (band * int(_K1) + int(_K2)) & 0xFFFFFFFFFFFFFFFF, dtype=np.uint64)
        for col in sig[:, band * rows : (band + 1) * rows].T:
            h = (h ^ col) * _K3
            h ^= h >> np.uint64(31)
        out[:, band] = h
    return out


def candidate_pairs(signatures: npt.NDArray[np.uint32], params: LSHParams) -> npt.NDArray[np.int64]:
    """Distinct pairs (i, j), i < j, sharing at least one band; shape (m, 2), sorted."""
    n = signatures.shape[0]
    if n < 2:
        return np.empty((0, 2), dtype=np.int64)
    keys = band_hashes(signatures, params.bands, params.rows)
    found: list[npt.NDArray[np.int64]] = []
    for band in range(params.bands):
        order = np.argsort(keys[:, band], kind="stable")
        sorted_keys = keys[order, band]
        starts = np.flatnonzero(np.r_[True, sorted_keys[1:] != sorted_keys[:-1]])
        ends = np.r_[starts[1:], n]
        for s, e in zip(starts[ends - starts > 1], ends[ends - starts > 1], strict=True):
            members = np.sort(order[s:e])
            if len(members) > MAX_BUCKET_PAIRS:
                i = np.full(len(members) - 1, members[0])
                j = members[1:]
            else:
                i, j = np.triu_indices(len(members), k=1)
                i, j = members[i], members[j]
            found.append(i.astype(np.int64) * n + j)
    if not found:
        return np.empty((0, 2), dtype=np.int64)
    codes = np.unique(np.concatenate(found))
    return np.stack([codes // n, codes % n], axis=1)
