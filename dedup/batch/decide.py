"""The corpus-wide decisions, made between passes from what the shards stored: which paragraph keys are
boilerplate of a source, which documents are near-duplicates of which, which kept paragraphs recur in other sources,
and which documents a cluster drops.

Each works partition by partition or band by band over memory-mapped shard arrays, so what it holds at once is a
fraction of the corpus: rows are spread over `partitions` ranges of their 64-bit hash (each shard stores its rows
sorted, so a partition is one slice per shard).
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from dedup.batch.shard import ShardInfo
from dedup.batch.store import Store
from dedup.config import Config
from dedup.lsh import PIPELINE_MAX_BUCKET, LSHIndex, candidate_threshold, choose_params
from dedup.match import exact_groups, union_find_roots, verified_pairs
from dedup.minhash import Shingles

U64 = npt.NDArray[np.uint64]
I64 = npt.NDArray[np.int64]
U32 = npt.NDArray[np.uint32]

# The documents a boilerplate or syndicated paragraph names at most (the document itself may be among the first).
MAX_REFS = 50
# Signatures are added to the LSH index this many rows at a time, so band keys are computed on bounded slices.
LSH_CHUNK = 65_536


def _partition_bounds(partitions: int) -> list[int]:
    step = (1 << 64) // partitions
    return [p * step for p in range(partitions)] + [1 << 64]


def _partition(store: Store, names: Sequence[str], shards: Sequence[ShardInfo], lo: int, hi: int) -> list[I64]:
    """The rows whose first column (sorted per shard) lies in [lo, hi), from every shard, column by column."""
    parts: list[list[npt.NDArray[np.generic]]] = [[] for _ in names]
    for shard in shards:
        first = store.get_array(f"{names[0]}-{shard.index}")
        a = int(np.searchsorted(first, np.uint64(lo), side="left")) if lo else 0
        b = int(np.searchsorted(first, np.uint64(hi), side="left")) if hi < (1 << 64) else len(first)
        if b > a:
            for col, name in zip(parts, names, strict=True):
                col.append(np.asarray(store.get_array(f"{name}-{shard.index}")[a:b]))
    out: list[I64] = []
    for col, name in zip(parts, names, strict=True):
        dtype = np.uint64 if name in ("keys", "longkey", "longsource") else np.int64
        out.append(np.concatenate(col) if col else np.empty(0, dtype=dtype))
    return out


@dataclass(frozen=True)
class Boilerplate:
    """Boilerplate (source, key) hashes, sorted, and for each the first documents (corpus indices, input order)
    holding it, -1 where there are fewer: shape (len(keys), MAX_REFS + 1)."""

    keys: U64
    refs: I64

    @classmethod
    def empty(cls) -> Boilerplate:
        return cls(np.empty(0, dtype=np.uint64), np.empty((0, MAX_REFS + 1), dtype=np.int64))


def boilerplate(
    store: Store, shards: Sequence[ShardInfo], min_docs: int, partitions: int, units: I64 | None = None
) -> Boilerplate:
    """Keys held by at least `min_docs` documents of one source; with `units`, documents of one near-duplicate
    cluster (same unit) count once."""
    keys_out: list[U64] = []
    refs_out: list[I64] = []
    bounds = _partition_bounds(partitions)
    for lo, hi in itertools.pairwise(bounds):
        sk, doc = _partition(store, ("keys", "keydocs"), shards, lo, hi)
        if not len(sk):
            continue
        sk = sk.astype(np.uint64)
        order = np.lexsort((doc, sk))
        sk, doc = sk[order], doc[order]
        starts = np.flatnonzero(np.r_[True, sk[1:] != sk[:-1]])
        if units is None:
            counts = np.diff(np.r_[starts, len(sk)])
        else:
            u = units[doc]
            o2 = np.lexsort((u, sk))
            s2, u2 = sk[o2], u[o2]
            new = np.r_[True, (s2[1:] != s2[:-1]) | (u2[1:] != u2[:-1])]
            counts = np.add.reduceat(new.astype(np.int64), starts)  # sk groups start at the same places
        chosen = np.flatnonzero(counts >= min_docs)
        if not len(chosen):
            continue
        first = starts[chosen]
        lengths = np.diff(np.r_[starts, len(sk)])[chosen]
        take = np.arange(MAX_REFS + 1)
        pos = first[:, None] + take[None, :]
        refs = np.where(take[None, :] < lengths[:, None], doc[np.minimum(pos, len(doc) - 1)], -1)
        keys_out.append(sk[first].astype(np.uint64))
        refs_out.append(refs.astype(np.int64))
    if not keys_out:
        return Boilerplate.empty()
    return Boilerplate(np.concatenate(keys_out), np.concatenate(refs_out))


def _concat(store: Store, name: str, shards: Sequence[ShardInfo], dtype: type) -> npt.NDArray[np.generic]:
    parts = [np.asarray(store.get_array(f"{name}-{s.index}")) for s in shards]
    return np.concatenate(parts) if parts else np.empty(0, dtype=dtype)


@dataclass(frozen=True)
class NearDuplicates:
    """Document -> the first document of its cluster, and its best verified similarity to a cluster member."""

    dup_of: dict[int, int]
    similarity: dict[int, float]


def near_duplicate_documents(store: Store, shards: Sequence[ShardInfo], config: Config) -> NearDuplicates:
    """The same pairs and clusters `dedup.match.near_duplicates` finds over the bodies of the documents with at
    least `min_tokens` tokens: exact copies first, then LSH candidates among the first of each exact group,
    verified by exact Jaccard or signature agreement."""
    tokens = _concat(store, "tokens", shards, np.int64).astype(np.int64)
    exact = _concat(store, "exact", shards, np.uint64)
    sizes = np.concatenate([np.diff(np.asarray(store.get_array(f"offsets-{s.index}"))) for s in shards])
    ids = np.flatnonzero(tokens >= config.minhash.min_tokens)
    if len(ids) < 2:
        return NearDuplicates({}, {})
    first = exact_groups(exact[ids].astype(np.uint64))
    pairs: list[tuple[int, int, float]] = [(int(f), i, 1.0) for i, f in enumerate(first.tolist()) if f != i]
    eligible = np.flatnonzero((first == np.arange(len(ids))) & (sizes[ids] > 0))
    if len(eligible) >= 2:
        pairs.extend(_near_pairs(store, shards, ids[eligible], eligible, config))
    pairs.sort(key=lambda p: (p[1], p[0]))
    root = union_find_roots(len(ids), [(a, b) for a, b, _ in pairs])
    best: dict[int, float] = {}
    for _, b, s in pairs:
        doc = int(ids[b])
        best[doc] = max(best.get(doc, 0.0), s)
    dup_of = {int(ids[i]): int(ids[r]) for i, r in enumerate(root.tolist()) if r != i}
    return NearDuplicates(dup_of, {n: best.get(n, 1.0) for n in dup_of})


def _rows_by_shard(shards: Sequence[ShardInfo], docs: I64) -> list[tuple[ShardInfo, I64, I64]]:
    """For sorted corpus indices: (shard, positions in `docs`, rows within the shard) per shard holding some."""
    starts = np.array([s.start for s in shards], dtype=np.int64)
    owner = np.searchsorted(starts, docs, side="right") - 1
    out = []
    for k in np.unique(owner).tolist():
        pos = np.flatnonzero(owner == k)
        out.append((shards[k], pos, docs[pos] - shards[k].start))
    return out


def _near_pairs(
    store: Store, shards: Sequence[ShardInfo], docs: I64, positions: I64, config: Config
) -> list[tuple[int, int, float]]:
    """Verified near pairs among `docs` (corpus indices, ascending), as pairs of `positions`."""
    num_perm = config.minhash.num_perm
    signatures = store.new_array("docsig", (len(docs), num_perm), np.uint32)
    for shard, pos, rows in _rows_by_shard(shards, docs):
        signatures[pos] = store.get_array(f"sig-{shard.index}")[rows]
    store.finish_array("docsig", signatures)
    signatures = store.get_array("docsig")
    params = choose_params(candidate_threshold(config.repeats.doc_threshold), num_perm)
    index = LSHIndex(params)
    for start in range(0, len(docs), LSH_CHUNK):
        index.add(np.asarray(signatures[start : start + LSH_CHUNK]))
    candidates = index.build().pairs(signatures, PIPELINE_MAX_BUCKET)
    del index
    if not len(candidates):
        return []
    involved = np.unique(candidates)
    local = np.searchsorted(involved, candidates)
    sub_sigs = np.asarray(signatures[involved])
    if config.minhash.verify == "signature":
        sub = Shingles(np.empty(0, dtype=np.uint32), np.zeros(len(involved) + 1, dtype=np.int64))
    else:
        sub = _gather_shingles(store, shards, docs[involved])
    found = verified_pairs(sub, sub_sigs, local, config.repeats.doc_threshold, config.minhash.verify)
    out = [(int(positions[involved[a]]), int(positions[involved[b]]), s) for a, b, s in found]
    store.drop("docsig")
    return out


def _gather_shingles(store: Store, shards: Sequence[ShardInfo], docs: I64) -> Shingles:
    sets: list[U32] = [np.empty(0, dtype=np.uint32)] * len(docs)
    for shard, pos, rows in _rows_by_shard(shards, docs):
        values = store.get_array(f"shingles-{shard.index}")
        offsets = np.asarray(store.get_array(f"offsets-{shard.index}"))
        for p, r in zip(pos.tolist(), rows.tolist(), strict=True):
            sets[p] = np.asarray(values[offsets[r] : offsets[r + 1]])
    return Shingles.from_sets(sets)


@dataclass(frozen=True)
class SharedParagraphs:
    """Kept paragraphs that recur in other sources: rows sorted by (doc, paragraph); the documents of row i are
    `refs[offsets[i]:offsets[i + 1]]` (corpus indices, input order)."""

    doc: I64
    paragraph: I64
    offsets: I64
    refs: I64

    def of(self, doc: int) -> list[tuple[int, list[int]]]:
        a = int(np.searchsorted(self.doc, doc, side="left"))
        b = int(np.searchsorted(self.doc, doc, side="right"))
        return [
            (int(self.paragraph[i]), self.refs[self.offsets[i] : self.offsets[i + 1]].tolist()) for i in range(a, b)
        ]


def shared_paragraphs(store: Store, shards: Sequence[ShardInfo], partitions: int) -> SharedParagraphs:
    docs: list[int] = []
    paras: list[int] = []
    refs: list[list[int]] = []
    bounds = _partition_bounds(partitions)
    names = ("longkey", "longsource", "longdoc", "longparagraph")
    for lo, hi in itertools.pairwise(bounds):
        key, source, doc, para = _partition(store, names, shards, lo, hi)
        if len(key) < 2:
            continue
        order = np.lexsort((doc, key))
        key, source, doc, para = key[order], source[order], doc[order], para[order]
        starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
        ends = np.r_[starts[1:], len(key)]
        lo_src = np.minimum.reduceat(source, starts)
        hi_src = np.maximum.reduceat(source, starts)
        for s, e in zip(starts[lo_src != hi_src].tolist(), ends[lo_src != hi_src].tolist(), strict=True):
            group_docs = doc[s:e].tolist()
            group_src = source[s:e].tolist()
            others: dict[int, list[int]] = {}
            for src in dict.fromkeys(group_src):
                others[src] = _first_of_other_sources(group_docs, group_src, src)
            for d, src, p in zip(group_docs, group_src, para[s:e].tolist(), strict=True):
                docs.append(d)
                paras.append(p)
                refs.append(others[src])
    if not docs:
        empty = np.empty(0, dtype=np.int64)
        return SharedParagraphs(empty, empty, np.zeros(1, dtype=np.int64), empty)
    order = np.lexsort((np.array(paras), np.array(docs)))
    offsets = np.zeros(len(docs) + 1, dtype=np.int64)
    np.cumsum([len(refs[i]) for i in order.tolist()], out=offsets[1:])
    flat = [d for i in order.tolist() for d in refs[i]]
    return SharedParagraphs(
        np.array(docs, dtype=np.int64)[order],
        np.array(paras, dtype=np.int64)[order],
        offsets,
        np.array(flat, dtype=np.int64),
    )


def _first_of_other_sources(docs: list[int], sources: list[int], own: int) -> list[int]:
    """The first MAX_REFS documents whose source is not `own`: a scan that stops early."""
    out: list[int] = []
    for d, s in zip(docs, sources, strict=True):
        if s != own:
            out.append(d)
            if len(out) == MAX_REFS:
                break
    return out


def dropped(near: NearDuplicates, keep: str, lengths: I64) -> dict[int, int]:
    """Dropped document -> the kept document of its cluster, by the `keep` policy (`lengths`: kept characters)."""
    if keep == "all" or not near.dup_of:
        return {}
    members: dict[int, list[int]] = defaultdict(list)
    for n, root in near.dup_of.items():
        members[root].append(n)
    out: dict[int, int] = {}
    for root, rest in members.items():
        group = [root, *sorted(rest)]
        winner = group[int(np.argmax(lengths[group]))] if keep == "longest" else root
        out.update({n: winner for n in group if n != winner})
    return out


def copies(store: Store, shards: Sequence[ShardInfo]) -> I64:
    """Each document's first exact copy (same alive text), itself when it has none: copies of one page must not
    make its paragraphs boilerplate of the site before the near-duplicate stage has clustered them."""
    whole = _concat(store, "whole", shards, np.uint64).astype(np.uint64)
    return exact_groups(whole)


def units(count: int, near: NearDuplicates) -> I64:
    """Each document's counting unit for boilerplate: its cluster's first document, or itself."""
    out = np.arange(count, dtype=np.int64)
    if near.dup_of:
        out[np.fromiter(near.dup_of.keys(), dtype=np.int64)] = np.fromiter(near.dup_of.values(), dtype=np.int64)
    return out
