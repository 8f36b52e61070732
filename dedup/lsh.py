"""LSH by banding, with candidate pairs found by sorting band keys (no per-item Python objects).

`choose_params` picks (bands, rows) the way datasketch's `MinHashLSH` does: it minimises the
weighted areas of false positives (below the threshold) and false negatives (above it) under the
S-curve `1 - (1 - s**r)**b`, with bands * rows <= num_perm.

The index keeps, per band, a 32-bit key of each item's band values and the item ids sorted by key:
8 bytes per band per item beyond the signatures. Items whose keys are equal are in one bucket only
if their band values are equal too (checked against the signatures), so a 32-bit key collision
never makes a candidate and the candidates are exactly `MinHashLSH`'s for the same bands and rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
import numpy.typing as npt

U32 = npt.NDArray[np.uint32]
I64 = npt.NDArray[np.int64]
_K1 = 0x9E3779B97F4A7C15
_K2 = np.uint64(0xBF58476D1CE4E5B9)
_K3 = np.uint64(0x94D049BB133111EB)
# What the pipeline passes as `max_bucket`: a larger bucket yields a star (its first member to each
# other one) instead of all pairs, so one line repeated thousands of times cannot make millions of
# pairs. Clusters are the same either way once pairs are verified; the pair list is not.
PIPELINE_MAX_BUCKET = 64


@dataclass(frozen=True)
class LSHParams:
    threshold: float
    num_perm: int
    bands: int
    rows: int

    def probability(self, similarity: float) -> float:
        """Probability that a pair with this Jaccard similarity becomes a candidate."""
        return float(1.0 - (1.0 - similarity**self.rows) ** self.bands)

    def curve(self, points: tuple[float, ...] | None = None) -> dict[float, float]:
        """Candidate probability at the threshold and 0.1 either side (or at the given similarities)."""
        points = points or (self.threshold - 0.1, self.threshold, self.threshold + 0.1)
        return {round(s, 4): self.probability(s) for s in points if 0.0 <= s <= 1.0}


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


def lsh_params(threshold: float, num_perm: int = 128) -> LSHParams:
    """The bands and rows for a threshold; `.curve()` tells how likely pairs around it are caught."""
    if not 0.0 < threshold <= 1.0:
        raise ValueError(f"threshold must be in (0, 1], got {threshold}")
    return choose_params(round(threshold, 4), num_perm)


def band_keys(signatures: U32, params: LSHParams) -> U32:
    """One 32-bit key per (item, band): shape (n, bands)."""
    n = signatures.shape[0]
    out = np.empty((n, params.bands), dtype=np.uint32)
    for band in range(params.bands):
        h = np.full(n, (band * _K1 + int(_K2)) & 0xFFFFFFFFFFFFFFFF, dtype=np.uint64)
        for col in signatures[:, band * params.rows : (band + 1) * params.rows].T:
            h = (h ^ col.astype(np.uint64)) * _K3
            h ^= h >> np.uint64(31)
        out[:, band] = (h >> np.uint64(32)).astype(np.uint32)
    return out


class LSHIndex:
    """Band keys of many signatures, sorted per band, for candidate pairs and queries.

    `add` takes signatures in batches (keys are computed per batch, so only the keys stay), `build`
    sorts. The signatures themselves are the caller's: they are needed again to check that items
    sharing a 32-bit key share the band values, and are passed to `pairs` and `query`.
    """

    def __init__(self, params: LSHParams) -> None:
        self.params = params
        self._parts: list[U32] = []
        self.keys: U32 | None = None  # (bands, n) sorted per band
        self.ids: U32 | None = None  # (bands, n): item ids in key order

    def __len__(self) -> int:
        return sum(len(p) for p in self._parts) if self.keys is None else self.keys.shape[1]

    def add(self, signatures: U32) -> None:
        if self.keys is not None:
            raise RuntimeError("the index is built; make a new one to add more items")
        self._parts.append(band_keys(signatures, self.params))

    def build(self) -> LSHIndex:
        keys = np.concatenate(self._parts) if self._parts else np.empty((0, self.params.bands), dtype=np.uint32)
        self._parts = []
        if len(keys) >= 1 << 32:
            raise ValueError("an LSH index holds at most 2**32 - 1 items")
        n = len(keys)
        self.keys = np.empty((self.params.bands, n), dtype=np.uint32)
        self.ids = np.empty((self.params.bands, n), dtype=np.uint32)
        for band in range(self.params.bands):
            order = np.argsort(keys[:, band], kind="stable")
            self.ids[band] = order
            self.keys[band] = keys[order, band]
        return self

    @property
    def nbytes(self) -> int:
        """Bytes held by the built index (keys and ids), beyond the signatures."""
        if self.keys is None or self.ids is None:
            return sum(p.nbytes for p in self._parts)
        return int(self.keys.nbytes + self.ids.nbytes)

    def _built(self) -> tuple[U32, U32]:
        if self.keys is None or self.ids is None:
            self.build()
        assert self.keys is not None and self.ids is not None
        return self.keys, self.ids

    def pairs(self, signatures: U32, max_bucket: int | None = None) -> I64:
        """Distinct pairs (i, j), i < j, of indexed items sharing the values of at least one band;
        shape (m, 2), sorted. With `max_bucket`, a larger bucket gives a star from its first item."""
        keys, ids = self._built()
        n = keys.shape[1]
        found: list[I64] = []
        rows = self.params.rows
        for band in range(self.params.bands):
            cols = signatures[:, band * rows : (band + 1) * rows]
            k = keys[band]
            if n < 2:
                break
            starts = np.flatnonzero(np.concatenate([[True], k[1:] != k[:-1]]))
            lengths = np.diff(np.concatenate([starts, [n]]))
            cap = max_bucket if max_bucket is not None else n
            small = (lengths >= 2) & (lengths <= cap)
            if small.any():
                i, j = _run_pairs(starts[small], lengths[small])
                # ids are ascending inside a run (stable sort of positions), so i < j holds.
                i, j = ids[band, i].astype(np.int64), ids[band, j].astype(np.int64)
                same = np.all(cols[i] == cols[j], axis=1)
                found.append(i[same] * n + j[same])
            for s, length in zip(starts[lengths > cap].tolist(), lengths[lengths > cap].tolist(), strict=True):
                members = ids[band, s : s + length].astype(np.int64)
                for group in _exact_groups(members, cols):
                    if len(group) >= 2:
                        found.append(group[0] * n + group[1:])
        if not found:
            return np.empty((0, 2), dtype=np.int64)
        codes = np.unique(np.concatenate(found))
        return np.stack([codes // n, codes % n], axis=1)

    def query(self, queries: U32, signatures: U32) -> I64:
        """Pairs (query row, indexed item) sharing the values of at least one band; sorted, distinct.

        `signatures` are the indexed items' own (to check band values behind equal keys)."""
        keys, ids = self._built()
        qkeys = band_keys(queries, self.params)
        rows = self.params.rows
        found: list[I64] = []
        n = keys.shape[1]
        for band in range(self.params.bands):
            lo = np.searchsorted(keys[band], qkeys[:, band], side="left")
            hi = np.searchsorted(keys[band], qkeys[:, band], side="right")
            hit = np.flatnonzero(hi > lo)
            if not len(hit):
                continue
            counts = (hi - lo)[hit]
            q = np.repeat(hit, counts)
            pos = np.repeat(lo[hit] - np.cumsum(counts) + counts, counts) + np.arange(counts.sum())
            item = ids[band, pos].astype(np.int64)
            cols = slice(band * rows, (band + 1) * rows)
            same = np.all(queries[q, cols] == signatures[item, cols], axis=1)
            found.append(q[same].astype(np.int64) * n + item[same])
        if not found:
            return np.empty((0, 2), dtype=np.int64)
        codes = np.unique(np.concatenate(found))
        return np.stack([codes // n, codes % n], axis=1)


def _run_pairs(starts: I64, lengths: I64) -> tuple[I64, I64]:
    """All position pairs (p, q), p < q, inside each run [start, start + length), without a loop over runs."""
    run = np.repeat(np.arange(len(starts)), lengths)
    pos = np.repeat(starts - np.cumsum(lengths) + lengths, lengths) + np.arange(int(lengths.sum()))
    firsts: list[I64] = []
    seconds: list[I64] = []
    for d in range(1, int(lengths.max())):
        ok = run[:-d] == run[d:]
        firsts.append(pos[:-d][ok])
        seconds.append(pos[d:][ok])
    return np.concatenate(firsts), np.concatenate(seconds)


def _exact_groups(members: I64, cols: U32) -> list[I64]:
    """Split a bucket of equal 32-bit keys by the band values themselves (a collision is rare)."""
    values = cols[members]
    if (values == values[0]).all():
        return [members]
    _, inverse = np.unique(values, axis=0, return_inverse=True)
    return [members[inverse.ravel() == g] for g in np.unique(inverse)]


# Up to this many items (the paragraphs of one document, typically), every pair is compared band by band directly:
# the same pairs as the sorted index, without its per-band sorting and bookkeeping.
SMALL_SET = 96


@cache
def _all_pairs(n: int) -> tuple[I64, I64]:
    # Every document asks for the pairs of its few paragraphs, and making them costs more than comparing them: at
    # most SMALL_SET sizes, made once each (read-only, as they are shared).
    i, j = np.triu_indices(n, k=1)
    i.flags.writeable = j.flags.writeable = False
    return i, j


def _all_pairs_sharing_a_band(signatures: U32, params: LSHParams) -> I64:
    n = signatures.shape[0]
    i, j = _all_pairs(n)
    if not len(i):
        return np.empty((0, 2), dtype=np.int64)
    # Each band's values as one opaque item: one comparison per pair and band, not one per value.
    used = np.ascontiguousarray(signatures[:, : params.bands * params.rows])
    bands = used.view(np.dtype((np.void, used.itemsize * params.rows)))
    same = (bands[i] == bands[j]).any(axis=1)
    return np.stack([i[same], j[same]], axis=1).astype(np.int64)


def candidate_pairs(signatures: U32, params: LSHParams, max_bucket: int | None = None) -> I64:
    """Distinct pairs (i, j), i < j, sharing all values of at least one band: shape (m, 2), sorted.

    The same pairs as inserting every signature into a `MinHashLSH` with these bands and rows and
    querying each, unless `max_bucket` caps large buckets to stars."""
    n = signatures.shape[0]
    if n <= SMALL_SET and (max_bucket is None or n <= max_bucket):
        return _all_pairs_sharing_a_band(signatures, params)
    index = LSHIndex(params)
    index.add(signatures)
    return index.build().pairs(signatures, max_bucket)
