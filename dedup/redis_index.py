"""A `Deduper` index in Redis, shared by scraper processes (`Deduper.redis(url, config, name=...)`).

Layout, every key under the prefix `name`:
    NAME:manifest       JSON: format, version, the config parts the index depends on, LSH bands and rows
    NAME:seq            documents added so far; the next document's number
    NAME:ids            hash: document id -> number
    NAME:doc:N          hash: id, src (source), par (union-find parent), pay (verification data, little-endian u32)
    NAME:sources        hash: source -> small number (for key entries)
    NAME:exact          hash: exact body key (hex) -> first document with it
    NAME:band:H         string: numbers (u32 LE) of the documents in LSH bucket H, in the order they were added
    NAME:key:H          string: entries (u64 LE, `source << 32 | doc << 1 | kept`) of paragraph key H
    NAME:flags          hash: "H:source number" -> boilerplate bits of that key in that source

Atomic check-and-add: a decision reads under `WATCH NAME:seq` and writes in one `MULTI`/`EXEC` that also advances
`seq`. Every add advances it, so if any other process added a document between the reads and the write, `EXEC`
fails and the decision is taken again on the new state. Two processes adding the same page at once therefore
cannot both be told it is new: the second one's decision is retried and sees the first one's page. The per-document
analysis (the expensive part) runs before and is not repeated. A `check` ends with an empty transaction, so its
reads too come from one state.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt

from dedup.config import Config
from dedup.errors import ConfigError
from dedup.formats.records import MissingExtraError
from dedup.index import (
    FORMAT,
    FORMAT_VERSION,
    Commit,
    IndexFormatError,
    IndexUnavailableError,
    IndexView,
    check_index_config,
)

T = TypeVar("T")
U32 = npt.NDArray[np.uint32]
U64 = npt.NDArray[np.uint64]
# Decisions retried at most this many times when other processes keep adding in between (each retry means another
# document got in, so the index as a whole always makes progress).
MAX_RETRIES = 1000
CONNECT_TIMEOUT = 5.0
# A command that takes longer than this is an error, not a hang (a long one is a stuck server, not a slow index).
COMMAND_TIMEOUT = 60.0


def _import_redis() -> Any:
    try:
        import redis
    except ImportError as exc:
        raise MissingExtraError("a Redis index", "redis") from exc
    return redis


def _hex(value: int) -> str:
    return format(value, "016x")


def _utf8(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")


class RedisIndex:
    """A shared index in Redis; see the module docstring for its layout and how adding stays atomic."""

    def __init__(self, url: str, *, name: str = "dedup") -> None:
        """Connect (and fail within CONNECT_TIMEOUT seconds if nothing answers); `claim` then sets its parameters."""
        lib = _import_redis()
        self.redis = lib
        if not name or any(c in name for c in " \n\r\t"):
            raise ConfigError(f"a Redis index name must be a non-empty word, got {name!r}")
        self.url = url
        self.name = name
        try:
            # Typed loosely: redis-py's stubs type replies as bytes | str whatever decode_responses says.
            self.client: Any = lib.Redis.from_url(
                url, socket_connect_timeout=CONNECT_TIMEOUT, socket_timeout=COMMAND_TIMEOUT
            )
            self.client.ping()
        except ValueError as exc:
            raise ConfigError(f"not a Redis URL: {url!r} ({exc}); e.g. redis://127.0.0.1:6379/0") from exc
        except lib.exceptions.RedisError as exc:
            raise IndexUnavailableError(
                f"cannot reach Redis at {url}: {exc}; is redis-server running there and the URL right?"
            ) from exc

    def _key(self, *parts: str | int) -> str:
        return ":".join([self.name, *map(str, parts)])

    @property
    def where(self) -> str:
        return f"the Redis index {self.name!r} at {self.url}"

    def manifest(self) -> dict[str, Any] | None:
        """The parameters recorded under this name, None when nothing is there yet."""
        key = self._key("manifest")
        with self._errors():
            raw = self.client.get(key)
        if raw is None:
            return None
        try:
            stored = json.loads(raw)
        except ValueError as exc:
            raise IndexFormatError(f"{self.where} has a damaged manifest ({exc})") from exc
        where = self.where
        if not isinstance(stored, dict) or stored.get("format") != FORMAT or not isinstance(stored.get("config"), dict):
            raise IndexFormatError(f"{where}: the key {key} holds something else than a dedup index manifest")
        if stored.get("version") != FORMAT_VERSION:
            raise IndexFormatError(
                f"{where} has format version {stored.get('version')}; this dedup uses {FORMAT_VERSION}: "
                "use another name or delete its keys"
            )
        return stored

    def claim(self, manifest: dict[str, Any], config: Config) -> None:
        """Record these parameters under the name if it is new, else check they are the recorded ones."""
        with self._errors():
            self.client.set(self._key("manifest"), json.dumps(manifest, sort_keys=True), nx=True)
        stored = self.manifest()
        assert stored is not None
        check_index_config(stored["config"], config, self.where)
        if stored.get("lsh") != manifest.get("lsh"):
            raise IndexFormatError(f"{self.where} has LSH bands {stored.get('lsh')}, expected {manifest.get('lsh')}")

    @contextlib.contextmanager
    def _errors(self) -> Iterator[None]:
        """Redis failures as IndexUnavailableError (a conflict, WatchError, is the caller's to retry)."""
        try:
            yield
        except self.redis.exceptions.WatchError:
            raise
        except self.redis.exceptions.RedisError as exc:
            raise IndexUnavailableError(f"Redis at {self.url} failed: {exc}") from exc

    # -- the backend protocol ---------------------------------------------------------------------------------------
    def transact(self, decide: Callable[[IndexView], tuple[T, Commit | None]]) -> T:
        for _ in range(MAX_RETRIES):
            with self._errors(), self.client.pipeline(transaction=True) as pipe:
                try:
                    pipe.watch(self._key("seq"))
                    view = _RedisView(self)
                    out, commit = decide(view)
                    pipe.multi()
                    if commit is not None:
                        self._write(pipe, view, commit)
                    pipe.execute()
                    return out
                except self.redis.exceptions.WatchError:
                    continue
        raise IndexUnavailableError(
            f"the Redis index {self.name!r} changed under {MAX_RETRIES} attempts in a row to decide on one document"
        )

    def _write(self, pipe: Any, view: _RedisView, c: Commit) -> None:
        snum = view.source_number(c.source)
        if snum is None:
            snum = view.source_count()
            pipe.hset(self._key("sources"), _utf8(c.source), snum)
        doc: dict[str, bytes | int] = {"id": _utf8(c.doc_id), "src": _utf8(c.source), "par": c.parent}
        if c.payload is not None:
            doc["pay"] = np.asarray(c.payload, dtype="<u4").tobytes()
        pipe.hset(self._key("doc", c.number), mapping=doc)
        pipe.hset(self._key("ids"), _utf8(c.doc_id), c.number)
        if c.exact is not None:
            pipe.hsetnx(self._key("exact"), _hex(c.exact), c.number)
        member = np.array([c.number], dtype="<u4").tobytes()
        for h in c.bands:
            pipe.append(self._key("band", _hex(h)), member)
        for old, new in c.merges:
            pipe.hset(self._key("doc", old), "par", new)
        for h, entry in c.key_entries:
            pipe.append(self._key("key", _hex(h)), np.array([snum << 32 | entry], dtype="<u8").tobytes())
        for h, _, bits in c.flags:  # a decision only flags keys of its own document's source
            pipe.hset(self._key("flags"), f"{_hex(h)}:{snum}", bits)
        pipe.set(self._key("seq"), c.number + 1)

    def __len__(self) -> int:
        with self._errors():
            return int(self.client.get(self._key("seq")) or 0)

    def __contains__(self, doc_id: object) -> bool:
        if not isinstance(doc_id, str):
            return False
        with self._errors():
            return bool(self.client.hexists(self._key("ids"), _utf8(doc_id)))

    def close(self) -> None:
        self.client.close()


class _RedisView:
    """Reads for one decision, batched into pipelines (another connection than the watching one: a change after
    WATCH fails the EXEC whichever connection saw it)."""

    def __init__(self, index: RedisIndex) -> None:
        self.index = index
        self.client = index.client
        self._sources: dict[str, int | None] = {}
        self._source_count: int | None = None

    def _k(self, *parts: str | int) -> str:
        return self.index._key(*parts)

    def next_number(self) -> int:
        return int(self.client.get(self._k("seq")) or 0)

    def number_of(self, doc_id: str) -> int | None:
        found = self.client.hget(self._k("ids"), _utf8(doc_id))
        return None if found is None else int(found)

    def first_exact(self, key: int) -> int | None:
        found = self.client.hget(self._k("exact"), _hex(key))
        return None if found is None else int(found)

    def buckets(self, hashes: Sequence[int]) -> list[U32]:
        if not hashes:
            return []
        raw = self.client.mget([self._k("band", _hex(h)) for h in hashes])
        return [np.frombuffer(r or b"", dtype="<u4").astype(np.uint32) for r in raw]

    def payloads(self, docs: Sequence[int]) -> list[U32]:
        if not docs:
            return []
        pipe = self.client.pipeline(transaction=False)
        for d in docs:
            pipe.hget(self._k("doc", d), "pay")
        return [np.frombuffer(r or b"", dtype="<u4").astype(np.uint32) for r in pipe.execute()]

    def roots(self, docs: Sequence[int]) -> list[int]:
        current = [int(d) for d in docs]
        while True:
            pending = sorted(set(current))
            if not pending:
                return current
            pipe = self.client.pipeline(transaction=False)
            for d in pending:
                pipe.hget(self._k("doc", d), "par")
            parent = {d: int(p) for d, p in zip(pending, pipe.execute(), strict=True)}
            if all(parent[d] == d for d in pending):
                return current
            current = [parent[d] for d in current]

    def key_entries(self, hashes: Sequence[int]) -> list[U64]:
        if not hashes:
            return []
        raw = self.client.mget([self._k("key", _hex(h)) for h in hashes])
        return [np.frombuffer(r or b"", dtype="<u8").astype(np.uint64) for r in raw]

    def source_number(self, source: str) -> int | None:
        if source not in self._sources:
            found = self.client.hget(self._k("sources"), _utf8(source))
            self._sources[source] = None if found is None else int(found)
        return self._sources[source]

    def source_count(self) -> int:
        if self._source_count is None:
            self._source_count = int(self.client.hlen(self._k("sources")))
        return self._source_count

    def flags(self, keys: Sequence[tuple[int, str]]) -> list[int]:
        fields = []
        for h, source in keys:
            s = self.source_number(source)
            fields.append(None if s is None else f"{_hex(h)}:{s}")
        asked = [f for f in fields if f is not None]
        values = dict(zip(asked, self.client.hmget(self._k("flags"), asked), strict=True)) if asked else {}
        return [0 if f is None or values.get(f) is None else int(values[f] or 0) for f in fields]

    def sources(self, docs: Sequence[int]) -> list[str]:
        pipe = self.client.pipeline(transaction=False)
        for d in docs:
            pipe.hget(self._k("doc", d), "src")
        return [(r or b"").decode("utf-8", "surrogatepass") for r in pipe.execute()]

    def ids(self, docs: Sequence[int]) -> list[str]:
        pipe = self.client.pipeline(transaction=False)
        for d in docs:
            pipe.hget(self._k("doc", d), "id")
        return [(r or b"").decode("utf-8", "surrogatepass") for r in pipe.execute()]
