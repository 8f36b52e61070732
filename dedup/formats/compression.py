"""gzip and zstd streams: reading them with a cut or corrupt stream detected, writing them repeatably.

The standard `gzip` module and the WARC readers tried stop quietly, or lose the last good bytes, at a cut-off member.
`DecompressedReader` hands out every byte decoded before the damage, then ends as if the file ended there and says
what happened in `damage`; the caller decides what the partial tail was worth. Writers fix every header field that
could vary (gzip: no mtime, no file name), so the same records give the same bytes on every run.
"""

from __future__ import annotations

import gzip
import io
import zlib
from collections import deque
from collections.abc import Callable
from typing import Any, BinaryIO, Literal, Protocol

from dedup.formats.records import MissingExtraError

Codec = Literal["gzip", "zstd"]

# Compressed bytes per read: even a maximally compressible chunk then inflates to no more than about 16 MB.
_CHUNK = 1 << 14
# gzip's own default level: level 9 is several times slower for a percent or two of size on text.
_GZIP_LEVEL = 6
_ZSTD_LEVEL = 3
_GZIP_WBITS = 16 + zlib.MAX_WBITS


class _Decoder(Protocol):
    @property
    def eof(self) -> bool: ...

    @property
    def unused_data(self) -> bytes: ...

    def decompress(self, data: bytes) -> bytes: ...


class Sink(Protocol):
    def write(self, data: bytes, /) -> int: ...

    def close(self) -> None: ...


def codec_of(name: str) -> Codec | None:
    lower = name.lower()
    if lower.endswith(".gz"):
        return "gzip"
    if lower.endswith(".zst"):
        return "zstd"
    return None


def zstandard_module(what: str) -> Any:
    """The `zstandard` module, or `MissingExtraError` naming `what` needed it."""
    try:
        import zstandard
    except ImportError as exc:
        raise MissingExtraError(what, "zstd") from exc
    return zstandard


class DecompressedReader(io.RawIOBase):
    """The decompressed bytes of a gzip or zstd file of one or more members (frames), read lazily.

    A stream that is cut off inside a member, or corrupt, reads as ending there, and `damage` says why (None for a
    sound stream, once the end was reached). With `track_members`, `member_offset(pos)` gives the compressed offset
    of the member holding decompressed position `pos`: a `.warc.gz` has one member per record, and tools locate
    records by that offset.
    """

    def __init__(self, fh: BinaryIO, codec: Codec, *, track_members: bool = False) -> None:
        super().__init__()
        self._fh = fh
        self.codec = codec
        self.damage: str | None = None
        self.damage_offset: int | None = None  # where the damaged member starts in the compressed file
        self._member_start = 0
        self._new_decoder = _decoder_factory(codec)
        self._decoder: _Decoder | None = None
        self._buffer = b""
        self._buffer_pos = 0
        self._compressed_pos = 0
        self._decompressed_pos = 0
        self._track = track_members
        self._members: deque[tuple[int, int]] = deque()
        self._ended = False

    def readable(self) -> bool:
        return True

    def tell(self) -> int:
        # FastWARC asks for the start position; io's default tell would try to seek.
        return self._decompressed_pos - (len(self._buffer) - self._buffer_pos)

    def readinto(self, buffer: Any) -> int:
        while self._buffer_pos >= len(self._buffer):
            if self._ended or not self._fill():
                self._ended = True
                return 0
        view = memoryview(buffer).cast("B")
        n = min(len(view), len(self._buffer) - self._buffer_pos)
        view[:n] = self._buffer[self._buffer_pos : self._buffer_pos + n]
        self._buffer_pos += n
        return n

    def member_offset(self, pos: int) -> int:
        """The compressed offset of the member holding decompressed position `pos`; positions must not go back."""
        while len(self._members) > 1 and self._members[1][0] <= pos:
            self._members.popleft()
        return self._members[0][1] if self._members else 0

    def _fill(self) -> bool:
        """Decode the next chunk into the buffer; False at the end of the file or of the sound part of it."""
        chunk = self._fh.read(_CHUNK)
        if not chunk:
            if self._decoder is not None:
                self.damage = f"truncated {self.codec} stream: the file ends inside a compressed member"
                self.damage_offset = self._member_start
            return False
        chunk_start = self._compressed_pos
        self._compressed_pos += len(chunk)
        data = chunk
        parts: list[bytes] = []
        produced = 0
        while data:
            if self._decoder is None:
                self._decoder = self._new_decoder()
                self._member_start = chunk_start + len(chunk) - len(data)
                if self._track:
                    self._members.append((self._decompressed_pos + produced, self._member_start))
            try:
                out = self._decoder.decompress(data)
            except Exception as exc:  # zlib.error or zstandard.ZstdError: the codecs share no narrower base class
                self.damage = f"corrupt {self.codec} stream: {exc}"
                self.damage_offset = self._member_start
                break
            parts.append(out)
            produced += len(out)
            if self._decoder.eof:
                data = self._decoder.unused_data
                self._decoder = None
            else:
                data = b""
        self._buffer = b"".join(parts)
        self._buffer_pos = 0
        self._decompressed_pos += produced
        if self.damage is not None:
            self._ended = True
            return produced > 0
        return True


def _decoder_factory(codec: Codec) -> Callable[[], _Decoder]:
    if codec == "gzip":
        return lambda: zlib.decompressobj(_GZIP_WBITS)
    zstandard = zstandard_module("reading a .zst file")
    return lambda: zstandard.ZstdDecompressor().decompressobj()


def open_decompressed(
    fh: BinaryIO, codec: Codec | None, *, track_members: bool = False
) -> tuple[BinaryIO, DecompressedReader | None]:
    """A buffered reader of `fh`'s decompressed bytes and the decoder behind it (`fh` and None when not compressed)."""
    if codec is None:
        return fh, None
    raw = DecompressedReader(fh, codec, track_members=track_members)
    stream: Any = io.BufferedReader(raw, buffer_size=1 << 16)
    return stream, raw


def compressing_writer(fh: BinaryIO, codec: Codec | None) -> Sink:
    """A writer that compresses into `fh`; closing it finishes the stream but leaves `fh` open."""
    if codec is None:
        return _Uncompressed(fh)
    if codec == "gzip":
        return gzip.GzipFile(filename="", mode="wb", fileobj=fh, compresslevel=_GZIP_LEVEL, mtime=0)
    zstandard = zstandard_module("writing a .zst file")
    writer: Sink = zstandard.ZstdCompressor(level=_ZSTD_LEVEL).stream_writer(fh, closefd=False)
    return writer


class _Uncompressed:
    def __init__(self, fh: BinaryIO) -> None:
        self._fh = fh

    def write(self, data: bytes, /) -> int:
        return self._fh.write(data)

    def close(self) -> None:
        self._fh.flush()
