"""The batch flow over a corpus of any size: documents are cut into shards in input order and go through three
passes, with corpus-wide decisions between them.

    read ─> [analyse shard] ─> boilerplate keys ─> [sign shard] ─> near-duplicate documents
        ─> boilerplate keys (a cluster counts once) ─> [finish shard] ─> syndicated paragraphs, dropped documents
        ─> results, shard by shard, in input order

Bracketed passes are per shard and run in worker processes with `jobs > 1`; the decisions in between read the
shards' arrays partition by partition (see `dedup.batch.decide`). Memory: the reader and the shards in flight
(about `jobs` x 2 shards of at most `SHARD_DOCS` documents or `SHARD_CHARS` characters), plus per document a few
dozen bytes of arrays in the decisions (exact keys, token counts, sizes, units, kept lengths), plus the signatures
of the near-duplicate candidates (memory-mapped) and the band index (8 bytes per band per document). Everything
else waits on disk in the work directory (`DiskStore`): about three times the corpus's text.

Shard boundaries depend only on the input, and every step is a pure function of its shard or of all shards in
order, so the output is byte-identical whatever the number of jobs, and with the whole corpus in one shard in
memory (`run_documents`, the one-call library API).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, replace
from multiprocessing import get_all_start_methods, get_context
from typing import Any, TypeVar

import numpy as np

from dedup.batch import decide
from dedup.batch import shard as sh
from dedup.batch.progress import NullProgress, Progress
from dedup.batch.shard import ShardInfo
from dedup.batch.store import MemoryStore, Store
from dedup.config import Config
from dedup.document import Document, Result, Shared
from dedup.pipeline import Pipeline

# A shard closes at this many documents or characters, whichever comes first.
SHARD_DOCS = 2000
SHARD_CHARS = 16_000_000
# Hash partitions for the corpus-wide counts: each holds about 1/PARTITIONS of the key rows at once.
PARTITIONS = 16

T = TypeVar("T")


@dataclass(frozen=True)
class Final:
    """One document's final result, with what a writer needs: its record (record files) and input id."""

    result: Result
    record: Any
    input: str | None
    kind: str
    matched_index: str | None = None  # runs against a saved index: the indexed document it repeats


# --- running shard work, in this process or in workers ------------------------------------------------------------

# A worker process's pipeline: set once by the pool's initializer, read by every task the worker runs.
_WORKER: dict[str, Pipeline] = {}


def _init_worker(pipeline: Pipeline | None, config: Config) -> None:
    # Forked workers inherit the parent's pipeline (its compiled rules cost seconds to build); spawned ones build it.
    _WORKER["pipeline"] = pipeline if pipeline is not None else Pipeline(config)


def _call(task: Callable[..., None], store: Store, *args: Any) -> None:
    task(_WORKER["pipeline"], store, *args)


class Engine:
    """Runs shard tasks in this process (`jobs=1`) or in a pool of worker processes, always returning in
    submission order; at most `2 x jobs` tasks are in flight, so shards waiting for a worker stay few."""

    def __init__(self, pipeline: Pipeline, store: Store, jobs: int = 1) -> None:
        self.pipeline = pipeline
        self.store = store
        self.jobs = max(1, jobs)
        self._pool: ProcessPoolExecutor | None = None
        self._pending: list[tuple[Future[None], Any]] = []

    def start(self) -> None:
        if self.jobs > 1 and self._pool is None:
            # fork where there is one: workers inherit the built pipeline instead of compiling the rules again.
            # They never write to the parent's streams, so a lock held by its progress thread cannot block them.
            method = "fork" if "fork" in get_all_start_methods() else "spawn"
            inherit = self.pipeline if method == "fork" else None
            self._pool = ProcessPoolExecutor(
                max_workers=self.jobs,
                mp_context=get_context(method),
                initializer=_init_worker,
                initargs=(inherit, self.pipeline.config),
            )

    def close(self, wait: bool = True) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=wait, cancel_futures=True)
            self._pool = None
        self._pending.clear()

    def submit(self, task: Callable[..., None], tag: T, *args: Any) -> Iterator[T]:
        """Start `task(pipeline, store, *args)`; yields the tags of the tasks that finished meanwhile, in order."""
        self.start()
        if self._pool is None:
            task(self.pipeline, self.store, *args)
            yield tag
            return
        self._pending.append((self._pool.submit(_call, task, self.store, *args), tag))
        while len(self._pending) >= 2 * self.jobs or (self._pending and self._pending[0][0].done()):
            yield from self._pop()

    def _pop(self) -> Iterator[T]:
        future, tag = self._pending.pop(0)
        future.result()
        yield tag

    def drain(self) -> Iterator[T]:
        while self._pending:
            yield from self._pop()


# --- the flow -------------------------------------------------------------------------------------------------------


def shards_of(docs: Iterable[Document]) -> Iterator[tuple[ShardInfo, list[Document]]]:
    """Consecutive shards of at most SHARD_DOCS documents or SHARD_CHARS characters (at least one document)."""
    batch: list[Document] = []
    chars = start = index = 0
    for doc in docs:
        batch.append(doc)
        chars += len(doc.text)
        if len(batch) >= SHARD_DOCS or chars >= SHARD_CHARS:
            yield ShardInfo(index, start, len(batch), chars), batch
            start, index, batch, chars = start + len(batch), index + 1, [], 0
    if batch:
        yield ShardInfo(index, start, len(batch), chars), batch


class BatchRun:
    """One run of the flow over a store; every pass skips the shards a previous, interrupted run finished."""

    def __init__(
        self, pipeline: Pipeline, store: Store, jobs: int = 1, progress: Progress | None = None, partitions: int = 1
    ) -> None:
        self.pipeline = pipeline
        self.config = pipeline.config
        self.store = store
        self.jobs = jobs
        self.progress = progress or NullProgress()
        self.partitions = partitions
        self.shards: list[ShardInfo] = []
        self.engine = Engine(pipeline, store, jobs)

    def __enter__(self) -> BatchRun:
        return self

    def __exit__(self, kind: object, *exc: object) -> None:
        # After an error or an interruption, running tasks are not waited for: their shards stay unfinished.
        self.engine.close(wait=kind is None)

    @property
    def count(self) -> int:
        return self.shards[-1].start + self.shards[-1].count if self.shards else 0

    def analyse(self, docs: Iterable[Document]) -> None:
        """Pass 1 over the input: documents are read here, analysed in the engine."""
        engine = self.engine
        for info, batch in shards_of(docs):
            self.shards.append(info)
            if sh.analysed(self.store, info):
                self.progress.advance(info.count, info.chars)
                continue
            for done in engine.submit(sh.analyse_shard, info, info, batch):
                self.progress.advance(done.count, done.chars)
        for done in engine.drain():
            self.progress.advance(done.count, done.chars)

    def _each(self, name: str, task: Callable[..., None], skip: Callable[[Store, ShardInfo], bool], *args: Any) -> None:
        """Run `task` on every unfinished shard; an argument that is a function is called with the shard first
        (what differs per shard, such as the boilerplate references it holds)."""
        self.progress.phase(name, self.count, sum(s.chars for s in self.shards))
        engine = self.engine
        for info in self.shards:
            if skip(self.store, info):
                self.progress.advance(info.count, info.chars)
                continue
            extra = [a(info) if callable(a) else a for a in args]
            for done in engine.submit(task, info, info, *extra):
                self.progress.advance(done.count, done.chars)
        for done in engine.drain():
            self.progress.advance(done.count, done.chars)

    def _saved(self, name: str, make: Callable[[], T]) -> T:
        if self.store.has(name):
            found: T = self.store.get(name)
            return found
        value = make()
        self.store.put(name, value)
        return value

    def decide(self) -> Decisions:
        """Signing pass and every corpus-wide decision; then the finishing pass."""
        min_docs = self.config.repeats.min_docs
        copies = decide.copies(self.store, self.shards)
        first = self._saved(
            "boilerplate-0", lambda: decide.boilerplate(self.store, self.shards, min_docs, self.partitions, copies)
        )
        self._each("sign", sh.sign_shard, sh.signed, first.keys)
        self.progress.phase("match", 0, 0)
        near = self._saved("near", lambda: decide.near_duplicate_documents(self.store, self.shards, self.config))
        units = decide.units(self.count, near)
        final = self._saved(
            "boilerplate-1",
            lambda: decide.boilerplate(self.store, self.shards, min_docs, self.partitions, units),
        )
        ids = _Ids(self.store, self.shards)
        ref_names = ids.lookup(final.refs[final.refs >= 0])
        refs_of = _shard_refs(self.store, final, ref_names)
        self._each("finish", sh.finish_shard, sh.finished, refs_of, self.config.minhash.min_tokens)
        self.progress.phase("decide", 0, 0)
        shared = self._saved("shared", lambda: decide.shared_paragraphs(self.store, self.shards, self.partitions))
        lengths = np.concatenate([np.asarray(self.store.get_array(f"lengths-{s.index}")) for s in self.shards])
        dropped = decide.dropped(near, self.config.repeats.keep, lengths)
        named = {*dropped.values(), *near.dup_of.values(), *shared.refs.tolist()}
        names = ids.lookup(np.array(sorted(named), dtype=np.int64))
        return Decisions(near, dropped, shared, names)

    def results(self, decisions: Decisions) -> Iterator[Final]:
        """Every document's final result in input order, shard by shard."""
        keep_all = self.config.repeats.keep == "all"
        names = decisions.names
        for info in self.shards:
            done: sh.Finished = self.store.get(f"finished-{info.index}")
            for i, base in enumerate(done.results):
                n = info.start + i
                twin = decisions.dropped.get(n)
                sim = decisions.near.similarity
                if twin is not None:
                    result = replace(
                        base, text="", kept=False, duplicate_of=names[twin], similarity=sim.get(n, 1.0), blocks=()
                    )
                else:
                    dup = decisions.near.dup_of.get(n) if keep_all else None
                    shared = tuple(
                        Shared(p, tuple(names[d] for d in refs if d != n)[: decide.MAX_REFS])
                        for p, refs in decisions.shared.of(n)
                    )
                    if dup is not None or shared:
                        result = replace(
                            base,
                            duplicate_of=None if dup is None else names[dup],
                            similarity=None if dup is None else sim.get(n),
                            shared=shared,
                        )
                    else:
                        result = base
                yield Final(result, done.records[i], done.inputs[i], done.kinds[i])


@dataclass(frozen=True)
class Decisions:
    near: decide.NearDuplicates
    dropped: dict[int, int]
    shared: decide.SharedParagraphs
    names: dict[int, str]  # corpus index -> document id, for the documents results name


class _Ids:
    """Document ids by corpus index, loaded shard by shard for the indices asked for."""

    def __init__(self, store: Store, shards: Sequence[ShardInfo]) -> None:
        self.store = store
        self.shards = shards
        self.starts = np.array([s.start for s in shards], dtype=np.int64)

    def lookup(self, indices: np.ndarray[Any, Any]) -> dict[int, str]:
        wanted = np.unique(indices.astype(np.int64))
        out: dict[int, str] = {}
        if not len(wanted):
            return out
        owner = np.searchsorted(self.starts, wanted, side="right") - 1
        for k in np.unique(owner).tolist():
            ids: list[str] = self.store.get(f"ids-{self.shards[k].index}")
            for n in wanted[owner == k].tolist():
                out[n] = ids[n - self.shards[k].start]
        return out


def _shard_refs(
    store: Store, final: decide.Boilerplate, names: dict[int, str]
) -> Callable[[ShardInfo], dict[int, tuple[str, ...]]]:
    """For a shard: the boilerplate hashes it holds, each with the ids of the first documents holding it."""

    def refs(info: ShardInfo) -> dict[int, tuple[str, ...]]:
        if not len(final.keys):
            return {}
        held = np.unique(np.asarray(store.get_array(f"keys-{info.index}")))
        pos = np.searchsorted(final.keys, held)
        ok = pos < len(final.keys)
        ok[ok] = final.keys[pos[ok]] == held[ok]
        out: dict[int, tuple[str, ...]] = {}
        for key, p in zip(held[ok].tolist(), pos[ok].tolist(), strict=True):
            out[key] = tuple(names[d] for d in final.refs[p].tolist() if d >= 0)
        return out

    return refs


def run_documents(pipeline: Pipeline, docs: Iterable[Document]) -> list[Result]:
    """The flow in memory, for the one-call API: the same decisions as a run on disk with any number of jobs."""
    docs = docs if isinstance(docs, list) else list(docs)
    if len(docs) == 1:
        # Alone, a document has nothing to be boilerplate with (min_docs >= 2), no near-duplicate and no other
        # source: the corpus-wide stages cannot change it, and skipping them is most of a one-page call's overhead.
        state = pipeline.analyse(docs[0]).slim()
        pipeline.finish(state)
        return [pipeline.result(state)]
    with BatchRun(pipeline, MemoryStore()) as run:
        run.analyse(docs)
        if not run.shards:
            return []
        decisions = run.decide()
        return [f.result for f in run.results(decisions)]
