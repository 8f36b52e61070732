"""`Deduper`: the library for scrapers. Documents arrive one at a time and get their verdict at once.

`add(doc_id, content)` cleans one document (HTML extraction, debris rules, repeats inside it: the batch pipeline's
per-document step), then, against everything added before, removes the boilerplate of its source, tells whether it
is a near-duplicate of an earlier document (which one, how similar), and indexes it. `check` does the same without
indexing. The verdict is the `Result` that `dedup.clean` returns.

The decisions are the batch pipeline's (`dedup.pipeline`), taken with what has been seen so far:
- boilerplate: a paragraph key alive on at least `min_docs` documents of one source (a near-duplicate cluster counts
  once) is boilerplate of that source from the document that reaches the count on. Batch mode also removes it from
  the first `min_docs - 1` pages, which it sees together with the later ones; an online verdict cannot be taken back;
- near-duplicate documents: the body (alive paragraphs without the keys on `min_docs` pages of the source) is
  matched exactly (same token sequence), then by LSH at the looser candidate threshold and verified like
  `dedup.match.near_duplicates`; the document joins the cluster of the earliest document it matches (union-find,
  represented by its first member). A body with fewer than `min_tokens` tokens is not matched;
- context rules after boilerplate; `shared` lists paragraphs found in other sources' earlier documents.
What follows from seeing documents one at a time is listed in docs/library.md ("Incremental versus batch").

State lives in an index backend: `MemoryIndex` (this process; `save`/`load`) or `RedisIndex` (shared between
processes). Reads, the decision and the write for one document happen atomically in the backend, so two threads or
processes adding the same page at once cannot both be told it is new.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from types import TracebackType
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import xxhash

from dedup.config import Config
from dedup.document import Document, Removal, Result, Shared
from dedup.errors import ConfigError, UsageError
from dedup.html.decode import decode_html
from dedup.index import (
    FORMAT,
    FORMAT_VERSION,
    Commit,
    IndexBackend,
    IndexFormatError,
    IndexView,
    MemoryIndex,
    check_index_config,
    index_config,
    read_index,
    write_index,
)
from dedup.lsh import PIPELINE_MAX_BUCKET, LSHParams, candidate_threshold, choose_params
from dedup.minhash import Signer, agreement, jaccard
from dedup.pipeline import DocState, Pipeline
from dedup.readers import decode, sniff_kind

ContentKind = Literal["auto", "text", "html"]
U32 = npt.NDArray[np.uint32]
U64 = npt.NDArray[np.uint64]

# As in the batch flow: boilerplate removals and shared paragraphs name the first documents holding the paragraph,
# at most this many.
MAX_REF_DOCS = 50
_K1 = 0x9E3779B97F4A7C15
_K2 = np.uint64(0xBF58476D1CE4E5B9)
_K3 = np.uint64(0x94D049BB133111EB)
_LOW32 = np.uint64(0xFFFFFFFF)


class DuplicateIdError(UsageError):
    """`add` got an id that is already in the index (use `check` to test a document again without adding it)."""


def band_hashes(signature: U32, params: LSHParams) -> list[int]:
    """One 64-bit hash per band of one signature (band index mixed in, so all bands share one table).

    64 bits instead of the batch index's 32 plus a check of the values: two different bands of values collide with
    probability 2**-64, so candidates are `MinHashLSH`'s for these bands and rows without keeping signatures."""
    rows = signature[: params.bands * params.rows].reshape(params.bands, params.rows).astype(np.uint64)
    h = (np.arange(params.bands, dtype=np.uint64) * np.uint64(_K1)) ^ _K2
    for col in rows.T:
        h = (h ^ col) * _K3
        h ^= h >> np.uint64(31)
    h ^= h >> np.uint64(29)
    return [int(x) for x in h.tolist()]


def key_hash(key: str) -> int:
    return int(xxhash.xxh3_64_intdigest(key.encode("utf-8", "surrogatepass")))


@dataclass
class _Prepared:
    """A document after its own analysis: computed outside the index lock, reused if a shared index retries."""

    state: DocState
    removals: dict[int, Removal]
    keys: dict[str, int]
    hashes: list[int]


class Deduper:
    """Clean documents one at a time against an index of the documents seen before.

    `Deduper(config)` keeps its index in memory (`save`, `Deduper.load`); `Deduper.redis(url, config)` shares it
    through Redis between processes. `keep` must be "first" (a later near-duplicate is dropped, `kept=False`) or
    "all" (it is kept and names its twin); "longest" needs the whole cluster at once, so only batch mode has it.
    Thread-safe: the per-document work runs in parallel, each document's decision and indexing one at a time.
    """

    def __init__(self, config: Config | None = None, *, index: IndexBackend | None = None) -> None:
        self.config = config or Config()
        if self.config.repeats.keep == "longest":
            raise ConfigError(
                "keep='longest' needs every member of a cluster at once, which only batch mode (dedup.clean) has; "
                "use keep='first' (drop later near-duplicates) or keep='all' (keep them, naming their twin)"
            )
        self.index: IndexBackend = index if index is not None else MemoryIndex()
        self.params = choose_params(
            candidate_threshold(self.config.repeats.doc_threshold), self.config.minhash.num_perm
        )
        self._local = threading.local()

    # -- construction ------------------------------------------------------------------------------------------------
    @classmethod
    def redis(
        cls, url: str = "redis://127.0.0.1:6379/0", config: Config | None = None, *, name: str = "dedup"
    ) -> Deduper:
        """A Deduper whose index lives in Redis under the key prefix `name`, shared by every process using it.

        The first one to use a name records its parameters there; another config for the same name is refused, and
        without `config` the recorded one is used. An unreachable server fails here, within a few seconds
        (IndexUnavailableError); without the `redis` package, with the pip line (MissingExtraError)."""
        from dedup.redis_index import RedisIndex

        index = RedisIndex(url, name=name)
        try:
            if config is None:
                stored = index.manifest()
                config = Config.from_dict(stored["config"], origin=index.where) if stored else Config()
            index.claim(cls._manifest_for(config), config)
            return cls(config, index=index)
        except BaseException:
            index.close()
            raise

    @staticmethod
    def _manifest_for(config: Config) -> dict[str, Any]:
        params = choose_params(candidate_threshold(config.repeats.doc_threshold), config.minhash.num_perm)
        return {
            "format": FORMAT,
            "version": FORMAT_VERSION,
            "scheme": config.minhash.scheme,
            "config": index_config(config),
            "lsh": {"threshold": params.threshold, "bands": params.bands, "rows": params.rows},
        }

    def _pipeline(self) -> Pipeline:
        # Pipeline and Signer keep scratch space: one per thread, owned by this instance.
        pipeline: Pipeline | None = getattr(self._local, "pipeline", None)
        if pipeline is None:
            pipeline = self._local.pipeline = Pipeline(self.config)
        return pipeline

    # -- the scraper's calls -----------------------------------------------------------------------------------------
    def add(
        self,
        doc_id: str,
        content: str | bytes,
        *,
        kind: ContentKind = "auto",
        url: str | None = None,
        source: str | None = None,
    ) -> Result:
        """Clean one document against the index and add it. An id already in the index raises DuplicateIdError
        (nothing is changed); `check` tests a document again without adding it."""
        return self.add_document(make_document(doc_id, content, kind=kind, url=url, source=source))

    def check(
        self,
        doc_id: str,
        content: str | bytes,
        *,
        kind: ContentKind = "auto",
        url: str | None = None,
        source: str | None = None,
    ) -> Result:
        """What `add` would answer, without adding anything to the index."""
        return self.check_document(make_document(doc_id, content, kind=kind, url=url, source=source))

    def add_document(self, doc: Document) -> Result:
        prepared = self._prepare(doc)
        return self.index.transact(lambda view: self._decide(prepared, view, add=True))

    def check_document(self, doc: Document) -> Result:
        prepared = self._prepare(doc)
        return self.index.transact(lambda view: self._decide(prepared, view, add=False))

    def __len__(self) -> int:
        return len(self.index)

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in self.index

    def close(self) -> None:
        self.index.close()

    def __enter__(self) -> Deduper:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    # -- persistence -------------------------------------------------------------------------------------------------
    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the in-memory index to one file, atomically (the old file stays whole until the new one is)."""
        index = self.index
        if not isinstance(index, MemoryIndex):
            raise UsageError("only an in-memory index is saved to a file; a Redis index persists in Redis itself")
        with index.lock:
            manifest = self._manifest_for(self.config)
            manifest.update(docs=len(index), sources=list(index.source_names))
            write_index(path, manifest, index.arrays())

    @classmethod
    def load(cls, path: str | os.PathLike[str], config: Config | None = None) -> Deduper:
        """A Deduper holding the index saved at `path`. Without `config`, the index's own parameters are used; a
        config whose index parameters differ is refused (ConfigError). A damaged file raises IndexFormatError."""
        manifest, arrays = read_index(path)
        try:
            stored = Config.from_dict(manifest["config"], origin=f"index {path}")
        except ConfigError as exc:
            raise IndexFormatError(f"the index {path} has an unreadable config: {exc}") from exc
        if config is None:
            config = stored
        else:
            check_index_config(manifest["config"], config, f"the index {path}")
        expected = cls._manifest_for(config)["lsh"]
        if manifest.get("lsh") != expected:
            raise IndexFormatError(
                f"the index {path} is damaged: its LSH bands {manifest.get('lsh')} should be {expected}"
            )
        index = MemoryIndex.from_arrays(arrays, manifest["sources"], manifest["docs"])
        return cls(config, index=index)

    @property
    def nbytes(self) -> int:
        """Approximate memory held by an in-memory index (0 for a shared one)."""
        return self.index.nbytes if isinstance(self.index, MemoryIndex) else 0

    # -- one document ------------------------------------------------------------------------------------------------
    def _prepare(self, doc: Document) -> _Prepared:
        state = self._pipeline().analyse(doc)
        keys = self._pipeline().alive_keys(state)
        return _Prepared(state, dict(state.removals), keys, [key_hash(k) for k in keys])

    def _decide(self, prep: _Prepared, view: IndexView, *, add: bool) -> tuple[Result, Commit | None]:
        """The verdict on one document given the index as `view` shows it, and what adding it writes."""
        config = self.config
        K = config.repeats.min_docs
        st = prep.state
        st.removals = dict(prep.removals)  # a retried decision starts again from the document's own analysis
        doc_id = st.doc.id
        if add and view.number_of(doc_id) is not None:
            raise DuplicateIdError(
                f"document id {doc_id!r} is already in the index; use check() to test it again, or give it a new id"
            )
        n = view.next_number()
        source = st.source
        snum = view.source_number(source)
        keys = list(prep.keys)
        entries = view.key_entries(prep.hashes)
        flags = view.flags([(h, source) for h in prep.hashes])
        same: list[U64] = []  # per key: doc numbers of earlier documents of this source holding it
        for e in entries:
            mine = e[(e >> np.uint64(32)) == np.uint64(snum)] if snum is not None else e[:0]
            same.append((mine & _LOW32) >> np.uint64(1))
        # The body leaves out keys on min_docs documents of the source, counted without clusters (batch's first pass).
        body_skip = {k for k, f, s in zip(keys, flags, same, strict=True) if f & 1 or len(s) + 1 >= K}
        body = "\n".join(p.text for p in st.paragraphs if st.alive(p.index) and st.keys[p.index] not in body_skip)
        root, similarity, commit_near = self._near_duplicate(body, n, view)
        # Boilerplate: min_docs distinct units (a cluster counts once), this document's cluster included.
        boiler: dict[str, U64] = {}
        new_flags: list[tuple[int, str, int]] = []
        for k, h, f, s in zip(keys, prep.hashes, flags, same, strict=True):
            bits = f | (1 if k in body_skip else 0)
            if not f & 2 and len(s) + 1 >= K:
                units = {root, *view.roots(s.tolist())}
                if len(units) >= K:
                    bits |= 2
            if bits & 2:
                boiler[k] = s
            if bits != f:
                new_flags.append((h, source, bits))
        pipeline = self._pipeline()
        if boiler:
            pipeline.remove_boilerplate(st, dict(zip(boiler, self._ref_ids(view, list(boiler.values())), strict=True)))
        pipeline.finish(st)
        final = pipeline.alive_keys(st)
        shared = self._shared(view, final, prep, entries, snum)
        dup = root if root != n else None
        twin = view.ids([dup])[0] if dup is not None else None
        result = self._result(pipeline.result(st), twin, similarity, shared)
        if not add:
            return result, None
        commit = Commit(
            number=n,
            doc_id=doc_id,
            source=source,
            parent=root,
            flags=new_flags,
            key_entries=[(h, n << 1 | (k in final)) for k, h in zip(keys, prep.hashes, strict=True)],
            **commit_near,
        )
        return result, commit

    def _near_duplicate(self, body: str, n: int, view: IndexView) -> tuple[int, float | None, dict[str, Any]]:
        """(root of the document's cluster, similarity to its best earlier match, the commit's matching fields)."""
        signer: Signer = self._pipeline().signer
        mh = self.config.minhash
        scan = signer.scan([body])
        if int(scan.token_counts[0]) < mh.min_tokens:
            return n, None, {}
        exact = int(scan.keys[0])
        first = view.first_exact(exact)
        if first is not None:
            return view.roots([first])[0], 1.0, {}
        shingles = scan.shingles[0]
        signature = signer.sign(scan.shingles)[0]
        hashes = band_hashes(signature, self.params)
        candidates: set[int] = set()
        for members in view.buckets(hashes):
            # As batch mode caps buckets (PIPELINE_MAX_BUCKET): a larger one pairs its first member with each other.
            if len(members) + 1 > PIPELINE_MAX_BUCKET:
                candidates.add(int(members[0]))
            else:
                candidates.update(members.tolist())
        order = sorted(candidates)
        payload = signature if mh.verify == "signature" else shingles
        matched: list[tuple[int, float]] = []
        threshold = self.config.repeats.doc_threshold
        for c, theirs in zip(order, view.payloads(order), strict=True):
            s = agreement(payload, theirs) if mh.verify == "signature" else jaccard(payload, theirs)
            if s >= threshold:
                matched.append((c, s))
        fields: dict[str, Any] = {"payload": payload, "bands": hashes, "exact": exact}
        if not matched:
            return n, None, fields
        roots = view.roots([c for c, _ in matched])
        root = min(roots)
        fields["merges"] = [(r, root) for r in sorted(set(roots)) if r != root]
        return root, max(s for _, s in matched), fields

    @staticmethod
    def _ref_ids(view: IndexView, groups: list[U64]) -> list[tuple[str, ...]]:
        """Per group of doc numbers (arrival order), the ids of the first MAX_REF_DOCS (one lookup for all)."""
        wanted = sorted({int(d) for g in groups for d in g[:MAX_REF_DOCS].tolist()})
        names = dict(zip(wanted, view.ids(wanted), strict=True))
        return [tuple(names[int(d)] for d in g[:MAX_REF_DOCS].tolist()) for g in groups]

    def _shared(
        self, view: IndexView, final: dict[str, int], prep: _Prepared, entries: list[U64], snum: int | None
    ) -> tuple[Shared, ...]:
        """Kept paragraphs long enough to mean something that earlier documents of other sources kept too."""
        groups: list[U64] = []
        where: list[int] = []
        position = {k: i for i, k in enumerate(prep.keys)}
        for k, i in final.items():
            if len(k.split()) < self.config.minhash.min_tokens:
                continue
            e = entries[position[k]]
            other = e[(e & np.uint64(1)) == 1]
            if snum is not None:
                other = other[(other >> np.uint64(32)) != np.uint64(snum)]
            if len(other):
                groups.append((other & _LOW32) >> np.uint64(1))
                where.append(i)
        if not groups:
            return ()
        refs = self._ref_ids(view, groups)
        return tuple(sorted((Shared(i, r) for i, r in zip(where, refs, strict=True)), key=lambda s: s.paragraph))

    def _result(self, base: Result, twin: str | None, similarity: float | None, shared: tuple[Shared, ...]) -> Result:
        """The batch flow's final result from the document's own (`Pipeline.result`): see `BatchRun.results`."""
        if twin is not None and self.config.repeats.keep == "first":
            return replace(base, text="", kept=False, duplicate_of=twin, similarity=similarity, blocks=())
        if twin is None and not shared:
            return base
        return replace(base, duplicate_of=twin, similarity=similarity if twin is not None else None, shared=shared)


def make_document(
    doc_id: str,
    content: str | bytes,
    *,
    kind: ContentKind = "auto",
    url: str | None = None,
    source: str | None = None,
) -> Document:
    """A Document from what a scraper holds: `kind="auto"` reads content that starts like a page as HTML; bytes are
    decoded like files are (HTML by its BOM, UTF-8 or declared charset; text as UTF-8, bad bytes noted)."""
    if not isinstance(doc_id, str) or not doc_id:
        raise UsageError(f"a document id must be a non-empty string, got {doc_id!r}")
    if kind not in ("auto", "text", "html"):
        raise UsageError(f"kind must be 'auto', 'text' or 'html', got {kind!r}")
    if not isinstance(content, str | bytes):
        raise UsageError(f"content must be str or bytes, got {type(content).__name__}")
    head = content[:1024] if isinstance(content, bytes) else content[:1024].encode("utf-8", "surrogatepass")
    resolved = sniff_kind("", head) if kind == "auto" else kind
    notes: tuple[str, ...] = ()
    if isinstance(content, bytes):
        if resolved == "html":
            decoded = decode_html(content)
            text, notes = decoded.text, decoded.notes
        else:
            text, warnings = decode(content, doc_id)
            notes = tuple(w.message for w in warnings)
    else:
        text = content
    meta: dict[str, Any] = {"notes": notes} if notes else {}
    return Document(id=doc_id, text=text, url=url, source=source, meta=meta, kind=resolved)


@dataclass(frozen=True)
class IndexedResult:
    """One document of a crawl cleaned against an index: `matched_index` is the id of the document of an earlier run
    (already in the index when this run began) that it is a near-duplicate of, if any."""

    document: Document
    result: Result
    matched_index: str | None


def open_index(path: str | os.PathLike[str], config: Config | None = None, *, create: bool = False) -> Deduper:
    """The Deduper saved at `path`; with `create`, a new empty one when there is no file (a damaged file still
    raises IndexFormatError)."""
    if Path(path).exists():
        return Deduper.load(path, config)
    if create:
        return Deduper(config)
    raise UsageError(f"no index at {path}; give --update-index to create it")


def iter_with_index(docs: Iterable[Document], deduper: Deduper) -> Iterator[IndexedResult]:
    """Clean documents in order against the Deduper, one at a time, as `Deduper.add` does; a document whose id is
    already in the index (from an earlier run) is checked, not added again: a page crawled again unchanged comes
    back as a near-duplicate of itself. The same id twice within the run is a UsageError."""
    added: set[str] = set()
    for doc in docs:
        if doc.id in deduper:
            if doc.id in added:
                raise UsageError(f"two documents have the id {doc.id!r}; clean these inputs in separate runs")
            result = deduper.check_document(doc)
        else:
            result = deduper.add_document(doc)
            added.add(doc.id)
        twin = result.duplicate_of
        yield IndexedResult(doc, result, twin if twin is not None and twin not in added else None)


@dataclass(frozen=True)
class IndexRun:
    """A crawl cleaned against a saved index: one Result per document in input order; `matched` maps the id of each
    near-duplicate whose twin was already in the index (from an earlier run) to that indexed document's id."""

    results: tuple[Result, ...]
    matched: dict[str, str]
    indexed: int  # documents in the index before this run


def clean_with_index(
    docs: Iterable[Document],
    index_path: str | os.PathLike[str],
    config: Config | None = None,
    *,
    update: bool = False,
) -> IndexRun:
    """Clean documents in order against the index saved at `index_path` (what `dedup clean --index` runs).

    Each document is checked against the index and the documents of this run before it (`iter_with_index`); the
    file changes only with `update`, which saves the grown index back (atomically) at the end and starts an empty
    one when the file is missing."""
    deduper = open_index(index_path, config, create=update)
    before = len(deduper)
    results: list[Result] = []
    matched: dict[str, str] = {}
    for item in iter_with_index(docs, deduper):
        results.append(item.result)
        if item.matched_index is not None:
            matched[item.result.id] = item.matched_index
    if update:
        deduper.save(index_path)
    return IndexRun(tuple(results), matched, before)
