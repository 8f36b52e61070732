"""Near-duplicate matching over many texts: exact stage, LSH candidates, verification, clusters.

1. Exact: texts with the same tokens in the same order (case, punctuation and spacing ignored)
   are one text; only the first of each group goes further. Nearly free, and it keeps one line repeated 10,000
   times from making 50 million candidate pairs.
2. LSH: signatures signed in bounded batches, candidates from the band index at a looser threshold
   than the one asked for (`candidate_threshold`), so pairs right at the threshold are rarely lost
   to the S-curve.
3. Verification: exact Jaccard of the shingle sets, or agreement of the signatures
   (`MinHashConfig.verify`); a pair is kept at or above the threshold, with its score.
4. Clusters: union-find over the kept pairs; every cluster is represented by its first member in
   input order, whatever order the pairs came in.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from dedup.config import MinHashConfig
from dedup.lsh import LSHParams, candidate_pairs, candidate_threshold, choose_params
from dedup.minhash import Scan, Shingles, Signer, jaccard

I64 = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Pair:
    """Item `b` (later) matches item `a` (earlier) with this similarity, found by `method`."""

    a: int
    b: int
    similarity: float
    method: str  # "exact" or "near"


@dataclass(frozen=True)
class Matches:
    pairs: list[Pair]
    root: I64  # for each item, the first item of its cluster (itself when alone)
    params: LSHParams | None  # the LSH bands and rows used, None when no LSH stage ran

    def clusters(self) -> list[list[int]]:
        """Clusters of two or more items, each in input order, ordered by their first item."""
        groups: dict[int, list[int]] = {}
        for i, r in enumerate(self.root.tolist()):
            groups.setdefault(r, []).append(i)
        return [g for _, g in sorted(groups.items()) if len(g) > 1]


def exact_groups(keys: npt.NDArray[np.uint64]) -> I64:
    """For each text, the index of the first text with the same exact key (`Signer.scan`), itself
    if it is the first or has no key (no token: nothing to call a copy)."""
    out = np.arange(len(keys), dtype=np.int64)
    has = np.flatnonzero(keys != 0)
    if len(has):
        _, first, inverse = np.unique(keys[has], return_index=True, return_inverse=True)
        out[has] = has[first][inverse.ravel()]
    return out


def union_find_roots(count: int, pairs: Sequence[tuple[int, int]]) -> I64:
    """The smallest member of each item's connected component."""
    parent = list(range(count))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in pairs:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    return np.array([find(i) for i in range(count)], dtype=np.int64)


def verified_pairs(
    shingles: Shingles,
    signatures: npt.NDArray[np.uint32],
    pairs: I64,
    threshold: float,
    verify: str,
) -> list[tuple[int, int, float]]:
    """Candidate pairs whose similarity reaches the threshold, with it: exact Jaccard of the sets
    (`shingles` must hold distinct sorted sets) or signature agreement."""
    out: list[tuple[int, int, float]] = []
    if not len(pairs):
        return out
    if verify == "signature":
        sims = np.count_nonzero(signatures[pairs[:, 0]] == signatures[pairs[:, 1]], axis=1) / signatures.shape[1]
        for (a, b), s in zip(pairs.tolist(), sims.tolist(), strict=True):
            if s >= threshold:
                out.append((a, b, float(s)))
        return out
    for a, b in pairs.tolist():
        s = jaccard(shingles[a], shingles[b])
        if s >= threshold:
            out.append((a, b, s))
    return out


def near_duplicates(
    texts: Sequence[str],
    threshold: float,
    config: MinHashConfig | None = None,
    *,
    signer: Signer | None = None,
    max_bucket: int | None = None,
    min_tokens: int = 1,
    scan: Scan | None = None,
) -> Matches:
    """Exact and near-duplicate pairs among `texts` and the clusters they make.

    Texts with fewer than `min_tokens` tokens take part in the exact stage only. `scan` is
    `signer.scan(texts)` when the caller has it already.
    """
    config = config or (signer.config if signer else MinHashConfig())
    signer = signer or Signer(config)
    scan = scan if scan is not None else signer.scan(texts)
    first = exact_groups(scan.keys)
    found: list[Pair] = [Pair(int(f), i, 1.0, "exact") for i, f in enumerate(first.tolist()) if f != i]
    sizes = np.diff(scan.shingles.offsets)
    eligible = (first == np.arange(len(texts))) & (sizes > 0) & (scan.token_counts >= min_tokens)
    enough = np.flatnonzero(eligible)
    params: LSHParams | None = None
    if len(enough) >= 2:
        sub = scan.shingles.take(enough)
        sigs = signer.sign(sub)
        params = choose_params(candidate_threshold(threshold), config.num_perm)
        cands = candidate_pairs(sigs, params, max_bucket)
        for a, b, s in verified_pairs(sub, sigs, cands, threshold, config.verify):
            found.append(Pair(int(enough[a]), int(enough[b]), s, "near"))
    found.sort(key=lambda p: (p.b, p.a))
    root = union_find_roots(len(texts), [(p.a, p.b) for p in found])
    return Matches(found, root, params)


__all__ = ["Matches", "Pair", "exact_groups", "near_duplicates", "union_find_roots", "verified_pairs"]
