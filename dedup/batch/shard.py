"""The work done on one shard of documents: pure functions of (pipeline, store, shard), one per pass.

A shard is a run of consecutive documents in input order; `ShardInfo.start` is the corpus-wide index of its first
document. Each function reads what the earlier passes stored for the shard, writes its own part, and writes its
marker object last, so that an interrupted pass leaves either a finished shard or nothing:

1. `analyse_shard`: per document the HTML extraction, debris rules and repeats inside the document; stores the slim
   states, the ids, one row per (source, paragraph key) for the boilerplate count (`keys-<k>`, sorted), and a hash
   of each document's alive text (`whole-<k>`: copies of a page count once for boilerplate).
2. `sign_shard`: the body of each document (alive paragraphs that are not boilerplate of its source) scanned and
   signed for near-duplicate documents: exact keys, token counts, shingle sets and signatures.
3. `finish_shard`: boilerplate removed (with the documents that hold it), context rules, each document's result as
   if kept, its kept length (for `keep="longest"`) and the rows of long paragraphs for syndicated content.

Keys are 64-bit xxhash values: `key_hash(key)` of a paragraph's match key, and `source_key(source, key)`, the key
hashed with its source's hash as seed. Two different keys share a hash with a probability of about n^2 / 2^65,
once in ten thousand runs of 10^8 paragraphs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import xxhash

from dedup.batch.store import Store
from dedup.document import Document, Result
from dedup.pipeline import DocState, Pipeline

U64 = npt.NDArray[np.uint64]
I64 = npt.NDArray[np.int64]


def text_hash(text: str, seed: int = 0) -> int:
    return xxhash.xxh64_intdigest(text.encode("utf-8", "surrogatepass"), seed)


def source_key(source_seed: int, key: str) -> int:
    return text_hash(key, source_seed)


@dataclass(frozen=True)
class ShardInfo:
    """One shard: its number, the corpus index of its first document, how many documents and characters."""

    index: int
    start: int
    count: int
    chars: int


@dataclass(frozen=True)
class Finished:
    """What the last pass reads of a shard: results as if kept, and what the writers need per document."""

    results: list[Result]
    records: list[Any]  # the `Record` of a document read from a record file, else None
    inputs: list[str | None]  # the input id of such a document
    kinds: list[str]


def _sorted_rows(columns: dict[str, list[int]], by: tuple[str, ...], dtypes: dict[str, Any]) -> dict[str, Any]:
    arrays = {name: np.array(values, dtype=dtypes[name]) for name, values in columns.items()}
    if arrays[by[0]].size:
        order = np.lexsort(tuple(arrays[name] for name in reversed(by)))
        arrays = {name: a[order] for name, a in arrays.items()}
    return arrays


def analyse_shard(pipeline: Pipeline, store: Store, shard: ShardInfo, docs: list[Document]) -> None:
    states = [pipeline.analyse(d).slim() for d in docs]
    sk: list[int] = []
    owner: list[int] = []
    for n, st in enumerate(states):
        seed = text_hash(st.source)
        for key in pipeline.alive_keys(st):
            sk.append(source_key(seed, key))
            owner.append(shard.start + n)
    rows = _sorted_rows({"sk": sk, "doc": owner}, ("sk", "doc"), {"sk": np.uint64, "doc": np.int64})
    store.put_array(f"keys-{shard.index}", rows["sk"])
    store.put_array(f"keydocs-{shard.index}", rows["doc"])
    store.put_array(f"whole-{shard.index}", np.array([whole_key(st) for st in states], dtype=np.uint64))
    store.put(f"ids-{shard.index}", [st.doc.id for st in states])
    store.put(f"states-{shard.index}", states)


def whole_key(st: DocState) -> int:
    """A hash of the document's alive paragraphs (their match keys, in order); 0 when none is left. Copies of one
    page share it, so they count once when boilerplate is first looked for."""
    keys = [st.keys[p.index] for p in st.paragraphs if st.alive(p.index) and st.keys[p.index]]
    if not keys:
        return 0
    return text_hash("\x1e".join(keys)) or 1  # 0 means "no text"


def analysed(store: Store, shard: ShardInfo) -> bool:
    return store.has(f"states-{shard.index}")


def _bodies(states: list[DocState], boilerplate: U64) -> list[str]:
    """Each document's alive paragraphs that are not boilerplate of its source, one per line."""
    bodies: list[str] = []
    for st in states:
        seed = text_hash(st.source)
        alive = [p for p in st.paragraphs if st.alive(p.index)]
        if len(boilerplate):
            hashes = np.array(
                [source_key(seed, st.keys[p.index]) if st.keys[p.index] else 0 for p in alive], dtype=np.uint64
            )
            pos = np.searchsorted(boilerplate, hashes)
            hit = (pos < len(boilerplate)) & (boilerplate[np.minimum(pos, len(boilerplate) - 1)] == hashes)
            hit &= np.array([bool(st.keys[p.index]) for p in alive], dtype=bool)
            alive = [p for p, h in zip(alive, hit.tolist(), strict=True) if not h]
        bodies.append("\n".join(p.text for p in alive))
    return bodies


def sign_shard(pipeline: Pipeline, store: Store, shard: ShardInfo, boilerplate: U64) -> None:
    states: list[DocState] = store.get(f"states-{shard.index}")
    scan = pipeline.signer.scan(_bodies(states, boilerplate))
    sizes = np.diff(scan.shingles.offsets)
    signable = np.flatnonzero((scan.token_counts >= pipeline.config.minhash.min_tokens) & (sizes > 0))
    signatures = np.zeros((len(states), pipeline.config.minhash.num_perm), dtype=np.uint32)
    if len(signable):
        signatures[signable] = pipeline.signer.sign(scan.shingles.take(signable))
    k = shard.index
    store.put_array(f"sig-{k}", signatures)
    store.put_array(f"exact-{k}", scan.keys)
    store.put_array(f"tokens-{k}", scan.token_counts)
    store.put_array(f"shingles-{k}", scan.shingles.values)
    store.put_array(f"offsets-{k}", scan.shingles.offsets)
    store.put(f"signed-{k}", True)


def signed(store: Store, shard: ShardInfo) -> bool:
    return store.has(f"signed-{shard.index}")


def finish_shard(
    pipeline: Pipeline, store: Store, shard: ShardInfo, refs: dict[int, tuple[str, ...]], min_tokens: int
) -> None:
    """`refs`: for each boilerplate (source, key) hash present in the shard, the first documents holding it."""
    states: list[DocState] = store.get(f"states-{shard.index}")
    results: list[Result] = []
    lengths: list[int] = []
    rows: dict[str, list[int]] = {"key": [], "source": [], "doc": [], "paragraph": []}
    for n, st in enumerate(states):
        seed = text_hash(st.source)
        if refs:
            mine: dict[str, tuple[str, ...]] = {}
            for p in st.paragraphs:
                key = st.keys[p.index]
                if key and st.alive(p.index):
                    found = refs.get(source_key(seed, key))
                    if found is not None:
                        mine[key] = found
            pipeline.remove_boilerplate(st, mine)
        pipeline.finish(st)
        result = pipeline.result(st)
        results.append(result)
        lengths.append(len(result.text))
        for key, i in pipeline.alive_keys(st).items():
            # Syndication is told by paragraphs long enough to mean something.
            if len(key.split()) >= min_tokens:
                rows["key"].append(text_hash(key))
                rows["source"].append(seed)
                rows["doc"].append(shard.start + n)
                rows["paragraph"].append(i)
    dtypes = {"key": np.uint64, "source": np.uint64, "doc": np.int64, "paragraph": np.int64}
    arrays = _sorted_rows(rows, ("key", "doc"), dtypes)
    k = shard.index
    for name, array in arrays.items():
        store.put_array(f"long{name}-{k}", array)
    store.put_array(f"lengths-{k}", np.array(lengths, dtype=np.int64))
    store.put(
        f"finished-{k}",
        Finished(
            results,
            [st.doc.meta.get("record") for st in states],
            [st.doc.meta.get("input") for st in states],
            [st.doc.kind for st in states],
        ),
    )


def finished(store: Store, shard: ShardInfo) -> bool:
    return store.has(f"finished-{shard.index}")
