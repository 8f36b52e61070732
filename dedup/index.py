"""The state a `Deduper` keeps between documents, in memory, and its file format.

What is kept per indexed document (see docs/library.md for the measured bytes):
- its id, its source and its union-find parent (near-duplicate clusters, represented by their first document);
- when its body took part in near-duplicate matching: what verification needs (the sorted distinct shingle hashes
  for `verify="jaccard"`, the signature for `verify="signature"`), one 64-bit hash per LSH band, and its exact key;
- one entry per distinct paragraph key, `source << 32 | doc << 1 | kept` under a 64-bit hash of the key, so that
  boilerplate (a key on `min_docs` pages of one source) and syndicated paragraphs (a key in other sources) are found
  later without looking documents up one by one.

Band and key entries live in `_MultiMap`s: a sorted numpy part plus a small dict of recent entries, merged when the
dict grows past a share of the sorted part, so appending stays cheap and the bulk costs 12 (bands) or 16 (keys)
bytes per entry.

Every method here runs under the index's lock (`transact`); nothing is shared between instances.
"""

from __future__ import annotations

import io
import json
import os
import threading
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Protocol, TypeVar

import numpy as np
import numpy.typing as npt

from dedup.config import Config
from dedup.errors import ConfigError, DedupError
from dedup.formats.atomic import AtomicFile

U32 = npt.NDArray[np.uint32]
U64 = npt.NDArray[np.uint64]
I64 = npt.NDArray[np.int64]
T = TypeVar("T")

FORMAT = "dedup-index"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
# Recent multimap entries are merged into the sorted part once they pass this share of it (or this minimum).
_TAIL_SHARE = 4
_TAIL_MIN = 1024


# Config parts that change what an index holds; an index is only used with the values it was built with.
INDEX_PARTS = ("rules", "segment", "minhash", "repeats", "html")


def index_config(config: Config) -> dict[str, Any]:
    """The part of a config an index depends on, as plain JSON values (the batch size only changes speed)."""
    out = {name: asdict(getattr(config, name)) for name in INDEX_PARTS}
    out["minhash"].pop("batch_bytes")
    plain: dict[str, Any] = json.loads(json.dumps(out))
    return plain


def check_index_config(stored: dict[str, Any], config: Config, where: str) -> None:
    """Refuse a config whose index parameters differ from those the index was built with, naming each one."""
    given = index_config(config)
    diffs = []
    for part in INDEX_PARTS:
        a, b = stored.get(part, {}), given[part]
        for name in sorted(set(a) | set(b)):
            if a.get(name) != b.get(name):
                diffs.append(f"{part}.{name} (index: {a.get(name)!r}, given: {b.get(name)!r})")
    if diffs:
        raise ConfigError(
            f"{where} was built with other parameters: {'; '.join(diffs)}. Use it without a config to take its own, "
            "or build a new index with these parameters"
        )


class IndexFormatError(DedupError):
    """An index file is not one, is damaged or truncated, or was written by an incompatible version."""


class IndexUnavailableError(DedupError):
    """A shared index (Redis) cannot be reached or answers with errors."""


@dataclass
class Commit:
    """What adding one document writes: everything is decided before any of it is applied."""

    number: int
    doc_id: str
    source: str
    parent: int
    payload: U32 | None = None  # verification data, for documents that take part in near-duplicate matching
    bands: list[int] = field(default_factory=list)
    exact: int | None = None
    merges: list[tuple[int, int]] = field(default_factory=list)  # (old root, new root)
    key_entries: list[tuple[int, int]] = field(default_factory=list)  # (key hash, doc << 1 | kept); source added
    flags: list[tuple[int, str, int]] = field(default_factory=list)  # (key hash, source, bits)


class IndexView(Protocol):
    """The reads a decision needs; a backend answers them from one consistent state."""

    def next_number(self) -> int: ...
    def number_of(self, doc_id: str) -> int | None: ...
    def first_exact(self, key: int) -> int | None: ...
    def buckets(self, hashes: Sequence[int]) -> list[U32]: ...
    def payloads(self, docs: Sequence[int]) -> list[U32]: ...
    def roots(self, docs: Sequence[int]) -> list[int]: ...
    def key_entries(self, hashes: Sequence[int]) -> list[U64]: ...
    def source_number(self, source: str) -> int | None: ...
    def flags(self, keys: Sequence[tuple[int, str]]) -> list[int]: ...
    def sources(self, docs: Sequence[int]) -> list[str]: ...
    def ids(self, docs: Sequence[int]) -> list[str]: ...


class IndexBackend(Protocol):
    def transact(self, decide: Callable[[IndexView], tuple[T, Commit | None]]) -> T:
        """Run `decide` on a consistent state and apply the commit it returns, atomically."""
        ...

    def __len__(self) -> int: ...
    def __contains__(self, doc_id: object) -> bool: ...
    def close(self) -> None: ...


class _Grow:
    """A numpy array that grows by doubling."""

    def __init__(self, dtype: Any, data: npt.NDArray[Any] | None = None) -> None:
        self.data: npt.NDArray[Any] = np.empty(16, dtype=dtype) if data is None else data.astype(dtype, copy=True)
        self.size = 0 if data is None else len(data)
        if len(self.data) == 0:
            self.data = np.empty(16, dtype=dtype)

    def extend(self, values: npt.ArrayLike) -> None:
        arr = np.asarray(values, dtype=self.data.dtype).ravel()
        need = self.size + len(arr)
        if need > len(self.data):
            grown = np.empty(max(need, 2 * len(self.data)), dtype=self.data.dtype)
            grown[: self.size] = self.data[: self.size]
            self.data = grown
        self.data[self.size : need] = arr
        self.size = need

    def append(self, value: int) -> None:
        if self.size == len(self.data):
            self.extend([value])
            return
        self.data[self.size] = value
        self.size += 1

    def view(self) -> npt.NDArray[Any]:
        return self.data[: self.size]

    @property
    def nbytes(self) -> int:
        return int(self.data.nbytes)


class _MultiMap:
    """uint64 key -> uint32 values in insertion order; a sorted part plus a dict of recent entries."""

    def __init__(self, dtype: Any, keys: U64 | None = None, values: npt.NDArray[Any] | None = None) -> None:
        self.dtype = np.dtype(dtype)
        self.keys: U64 = np.empty(0, dtype=np.uint64) if keys is None else keys.astype(np.uint64)
        self.values: npt.NDArray[Any] = np.empty(0, dtype=dtype) if values is None else values.astype(dtype)
        self.tail: dict[int, list[int]] = {}
        self.tail_count = 0

    def get(self, key: int) -> npt.NDArray[Any]:
        k = np.uint64(key)
        lo = int(np.searchsorted(self.keys, k, side="left"))
        hi = int(np.searchsorted(self.keys, k, side="right"))
        recent = self.tail.get(key)
        if recent is None:
            return self.values[lo:hi]
        return np.concatenate([self.values[lo:hi], np.array(recent, dtype=self.dtype)])

    def get_many(self, keys: Sequence[int]) -> list[npt.NDArray[Any]]:
        """`get` for many keys, with one search of the sorted part."""
        if not keys:
            return []
        k = np.array(keys, dtype=np.uint64)
        lo = np.searchsorted(self.keys, k, side="left").tolist()
        hi = np.searchsorted(self.keys, k, side="right").tolist()
        out = []
        for key, a, b in zip(keys, lo, hi, strict=True):
            recent = self.tail.get(key)
            part = self.values[a:b]
            out.append(part if recent is None else np.concatenate([part, np.array(recent, dtype=self.dtype)]))
        return out

    def add(self, key: int, value: int) -> None:
        self.tail.setdefault(key, []).append(value)
        self.tail_count += 1
        if self.tail_count > max(_TAIL_MIN, len(self.keys) // _TAIL_SHARE):
            self.merge()

    def merge(self) -> None:
        if not self.tail_count:
            return
        tk = np.fromiter((k for k, vs in self.tail.items() for _ in vs), dtype=np.uint64, count=self.tail_count)
        tv = np.fromiter((v for vs in self.tail.values() for v in vs), dtype=self.dtype, count=self.tail_count)
        keys = np.concatenate([self.keys, tk])
        values = np.concatenate([self.values, tv])
        # Stable: within a key the older sorted entries come first, then the recent ones in insertion order.
        order = np.argsort(keys, kind="stable")
        self.keys, self.values = keys[order], values[order]
        self.tail, self.tail_count = {}, 0

    def __len__(self) -> int:
        return len(self.keys) + self.tail_count

    @property
    def nbytes(self) -> int:
        # The dict of recent entries is bounded by a share of the sorted part; ~200 bytes an entry (measured).
        return int(self.keys.nbytes + self.values.nbytes) + 200 * self.tail_count


class MemoryIndex:
    """The in-memory index: one lock around every read-decide-write, so threads see documents one at a time."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.doc_ids: list[str] = []
        self.numbers: dict[str, int] = {}
        self.source_names: list[str] = []
        self.source_numbers: dict[str, int] = {}
        self.doc_source = _Grow(np.uint32)
        self.parent = _Grow(np.uint32)
        self.payload = _Grow(np.uint32)
        self.payload_end = _Grow(np.int64)  # payload of doc n: payload[end[n-1]:end[n]]
        self.bands = _MultiMap(np.uint32)
        self.keys = _MultiMap(np.uint64)
        self.exact: dict[int, int] = {}
        self.key_flags: dict[tuple[int, int], int] = {}

    # -- the backend protocol ---------------------------------------------------------------------------------------
    def transact(self, decide: Callable[[IndexView], tuple[T, Commit | None]]) -> T:
        with self.lock:
            out, commit = decide(self)
            if commit is not None:
                self.apply(commit)
            return out

    def __len__(self) -> int:
        return len(self.doc_ids)

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in self.numbers

    def close(self) -> None:
        pass

    # -- reads (IndexView) -----------------------------------------------------------------------------------------
    def next_number(self) -> int:
        return len(self.doc_ids)

    def number_of(self, doc_id: str) -> int | None:
        return self.numbers.get(doc_id)

    def first_exact(self, key: int) -> int | None:
        return self.exact.get(key)

    def buckets(self, hashes: Sequence[int]) -> list[U32]:
        return self.bands.get_many(hashes)

    def payloads(self, docs: Sequence[int]) -> list[U32]:
        end = self.payload_end.view()
        data = self.payload.view()
        return [data[(end[d - 1] if d else 0) : end[d]] for d in docs]

    def roots(self, docs: Sequence[int]) -> list[int]:
        parent = self.parent.data
        out = []
        for d in docs:
            while parent[d] != d:
                parent[d] = parent[parent[d]]  # path halving: later finds are shorter
                d = int(parent[d])
            out.append(int(d))
        return out

    def key_entries(self, hashes: Sequence[int]) -> list[U64]:
        return self.keys.get_many(hashes)

    def source_number(self, source: str) -> int | None:
        return self.source_numbers.get(source)

    def flags(self, keys: Sequence[tuple[int, str]]) -> list[int]:
        out = []
        for h, source in keys:
            s = self.source_numbers.get(source)
            out.append(0 if s is None else self.key_flags.get((h, s), 0))
        return out

    def sources(self, docs: Sequence[int]) -> list[str]:
        src = self.doc_source.data
        return [self.source_names[int(src[d])] for d in docs]

    def ids(self, docs: Sequence[int]) -> list[str]:
        return [self.doc_ids[d] for d in docs]

    # -- writes ----------------------------------------------------------------------------------------------------
    def _source_number(self, source: str) -> int:
        s = self.source_numbers.get(source)
        if s is None:
            s = self.source_numbers[source] = len(self.source_names)
            self.source_names.append(source)
        return s

    def apply(self, c: Commit) -> None:
        if c.number != len(self.doc_ids):
            raise AssertionError("commits are applied in order")
        s = self._source_number(c.source)
        self.doc_ids.append(c.doc_id)
        self.numbers[c.doc_id] = c.number
        self.doc_source.append(s)
        self.parent.append(c.parent)
        if c.payload is not None:
            self.payload.extend(c.payload)
        self.payload_end.append(self.payload.size)
        for h in c.bands:
            self.bands.add(h, c.number)
        if c.exact is not None:
            self.exact.setdefault(c.exact, c.number)
        for old, new in c.merges:
            self.parent.data[old] = new
        for h, entry in c.key_entries:
            self.keys.add(h, s << 32 | entry)
        for h, source, bits in c.flags:
            self.key_flags[(h, self._source_number(source))] = bits

    # -- size and persistence --------------------------------------------------------------------------------------
    @property
    def nbytes(self) -> int:
        """Approximate bytes held: the arrays, plus ~100 bytes per dict entry and the id strings."""
        arrays = sum(g.nbytes for g in (self.doc_source, self.parent, self.payload, self.payload_end))
        strings = sum(49 + len(i) for i in self.doc_ids)
        dicts = 100 * (len(self.numbers) + len(self.exact) + len(self.key_flags))
        return arrays + self.bands.nbytes + self.keys.nbytes + strings + dicts

    def arrays(self) -> dict[str, npt.NDArray[Any]]:
        self.bands.merge()
        self.keys.merge()
        encoded = [i.encode("utf-8", "surrogatepass") for i in self.doc_ids]
        id_end = np.cumsum([len(b) for b in encoded], dtype=np.int64) if encoded else np.zeros(0, dtype=np.int64)
        flag_items = sorted(self.key_flags.items())
        exact_items = sorted(self.exact.items())
        return {
            "ids": np.frombuffer(b"".join(encoded), dtype=np.uint8),
            "id_end": id_end,
            "doc_source": self.doc_source.view(),
            "parent": self.parent.view(),
            "payload": self.payload.view(),
            "payload_end": self.payload_end.view(),
            "band_keys": self.bands.keys,
            "band_docs": self.bands.values,
            "key_keys": self.keys.keys,
            "key_entries": self.keys.values,
            "exact_keys": np.array([k for k, _ in exact_items], dtype=np.uint64),
            "exact_docs": np.array([v for _, v in exact_items], dtype=np.uint32),
            "flag_keys": np.array([k for (k, _), _ in flag_items], dtype=np.uint64),
            "flag_sources": np.array([s for (_, s), _ in flag_items], dtype=np.uint32),
            "flag_bits": np.array([b for _, b in flag_items], dtype=np.uint8),
        }

    @classmethod
    def from_arrays(cls, arrays: dict[str, npt.NDArray[Any]], sources: list[str], docs: int) -> MemoryIndex:
        """Rebuild an index, checking that every array agrees with the others (a damaged file must not load)."""
        out = cls()
        id_end = arrays["id_end"]
        blob = arrays["ids"].tobytes()
        _check(len(id_end) == docs and (not docs or int(id_end[-1]) == len(blob)), "document ids")
        _check(bool(np.all(np.diff(id_end) >= 0)) if len(id_end) else True, "document ids")
        starts = np.concatenate([[0], id_end[:-1]]) if docs else np.zeros(0, dtype=np.int64)
        try:
            out.doc_ids = [
                blob[a:b].decode("utf-8", "surrogatepass")
                for a, b in zip(starts.tolist(), id_end.tolist(), strict=True)
            ]
        except UnicodeDecodeError as exc:
            raise IndexFormatError(f"the index is damaged: document ids are not text ({exc})") from exc
        out.numbers = {d: n for n, d in enumerate(out.doc_ids)}
        _check(len(out.numbers) == docs, "document ids (repeated)")
        out.source_names = list(sources)
        out.source_numbers = {s: n for n, s in enumerate(sources)}
        _check(len(out.source_numbers) == len(sources), "sources")
        for name in ("doc_source", "parent", "payload_end"):
            _check(len(arrays[name]) == docs, name)
        _check(bool(np.all(arrays["doc_source"] < max(len(sources), 1))), "doc_source")
        _check(bool(np.all(arrays["parent"] <= np.arange(docs))), "parent")
        pend = arrays["payload_end"]
        _check(bool(np.all(np.diff(pend) >= 0)) and (not docs or int(pend[-1]) == len(arrays["payload"])), "payload")
        for keys, values in (("band_keys", "band_docs"), ("key_keys", "key_entries")):
            _check(len(arrays[keys]) == len(arrays[values]), keys)
            _check(bool(np.all(np.diff(arrays[keys]) >= 0)), keys)
        _check(bool(np.all(arrays["band_docs"] < max(docs, 1))), "band_docs")
        entries = arrays["key_entries"]
        _check(bool(np.all((entries & np.uint64(0xFFFFFFFF)) >> np.uint64(1) < max(docs, 1))), "key_entries")
        _check(bool(np.all(entries >> np.uint64(32) < max(len(sources), 1))), "key_entries")
        _check(len(arrays["exact_keys"]) == len(arrays["exact_docs"]), "exact_keys")
        _check(bool(np.all(arrays["exact_docs"] < max(docs, 1))), "exact_docs")
        n_flags = len(arrays["flag_keys"])
        _check(n_flags == len(arrays["flag_sources"]) == len(arrays["flag_bits"]), "flags")
        out.doc_source = _Grow(np.uint32, arrays["doc_source"])
        out.parent = _Grow(np.uint32, arrays["parent"])
        out.payload = _Grow(np.uint32, arrays["payload"])
        out.payload_end = _Grow(np.int64, arrays["payload_end"])
        out.bands = _MultiMap(np.uint32, arrays["band_keys"], arrays["band_docs"])
        out.keys = _MultiMap(np.uint64, arrays["key_keys"], arrays["key_entries"])
        out.exact = dict(zip(arrays["exact_keys"].tolist(), arrays["exact_docs"].tolist(), strict=True))
        out.key_flags = {
            (k, s): b
            for k, s, b in zip(
                arrays["flag_keys"].tolist(), arrays["flag_sources"].tolist(), arrays["flag_bits"].tolist(), strict=True
            )
        }
        return out


# The arrays of an index file and their dtypes: anything else in a file is damage.
ARRAY_DTYPES: dict[str, str] = {
    "ids": "uint8",
    "id_end": "int64",
    "doc_source": "uint32",
    "parent": "uint32",
    "payload": "uint32",
    "payload_end": "int64",
    "band_keys": "uint64",
    "band_docs": "uint32",
    "key_keys": "uint64",
    "key_entries": "uint64",
    "exact_keys": "uint64",
    "exact_docs": "uint32",
    "flag_keys": "uint64",
    "flag_sources": "uint32",
    "flag_bits": "uint8",
}


def _check(ok: bool, what: str) -> None:
    if not ok:
        raise IndexFormatError(f"the index is damaged: its {what} do not agree with the rest of it")


def write_index(path: str | os.PathLike[str], manifest: dict[str, Any], arrays: dict[str, npt.NDArray[Any]]) -> None:
    """Write an index file atomically: a zip of `manifest.json` and one `.npy` per array, renamed into place."""
    target = AtomicFile(path)
    try:
        with zipfile.ZipFile(target.fh, "w", compression=zipfile.ZIP_STORED) as zf:
            zf.writestr(MANIFEST, json.dumps(manifest, indent=1, sort_keys=True, ensure_ascii=False))
            for name, arr in arrays.items():
                buf = io.BytesIO()
                np.lib.format.write_array(buf, np.ascontiguousarray(arr), allow_pickle=False)
                zf.writestr(f"{name}.npy", buf.getvalue())
        target.fh.flush()
        os.fsync(target.fh.fileno())
    except BaseException:
        target.abort()
        raise
    target.commit()


def read_manifest(path: str | os.PathLike[str]) -> dict[str, Any]:
    return read_index(path, arrays=False)[0]


def read_index(
    path: str | os.PathLike[str], *, arrays: bool = True
) -> tuple[dict[str, Any], dict[str, npt.NDArray[Any]]]:
    """The manifest and arrays of an index file; anything damaged, truncated or foreign raises IndexFormatError."""
    p = Path(path)
    if not p.exists():
        raise IndexFormatError(f"no index at {p}")
    if p.is_dir():
        raise IndexFormatError(f"{p} is a directory, not an index file")
    try:
        with zipfile.ZipFile(p) as zf:
            names = set(zf.namelist())
            if MANIFEST not in names:
                raise IndexFormatError(f"{p} is not a dedup index (it has no {MANIFEST})")
            manifest = json.loads(zf.read(MANIFEST).decode("utf-8"))
            _check_manifest(manifest, p)
            out: dict[str, npt.NDArray[Any]] = {}
            if arrays:
                missing = sorted(f"{n}.npy" for n in ARRAY_DTYPES if f"{n}.npy" not in names)
                if missing:
                    raise IndexFormatError(f"the index {p} is damaged: {', '.join(missing)} missing")
                for name, dtype in ARRAY_DTYPES.items():
                    arr = np.lib.format.read_array(io.BytesIO(zf.read(f"{name}.npy")), allow_pickle=False)
                    if arr.dtype != np.dtype(dtype) or arr.ndim != 1:
                        raise IndexFormatError(f"the index {p} is damaged: {name} has type {arr.dtype}{arr.shape}")
                    out[name] = arr
    except IndexFormatError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError, KeyError) as exc:
        raise IndexFormatError(f"{p} is not a readable dedup index (damaged or truncated?): {exc}") from exc
    except OSError as exc:
        raise IndexFormatError(f"cannot read the index {p}: {exc.strerror or exc}") from exc
    return manifest, out


def _check_manifest(manifest: Any, path: Path) -> None:
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise IndexFormatError(f"{path} is not a dedup index (its manifest names no {FORMAT!r} format)")
    version = manifest.get("version")
    if version != FORMAT_VERSION:
        raise IndexFormatError(
            f"{path} is a dedup index of format version {version}; this dedup reads version {FORMAT_VERSION}: "
            "rebuild the index with this version"
        )
    for name, kind in (("docs", int), ("sources", list), ("config", dict)):
        if not isinstance(manifest.get(name), kind):
            raise IndexFormatError(f"the index {path} is damaged: its manifest has no valid {name!r}")
