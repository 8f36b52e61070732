"""An HTTP response body as archived in a WARC record, to the bytes and text the server meant.

The transfer coding (chunked) comes off first, then the content codings, last applied first (`gzip, br` is brotli of
gzip). Text is decoded with the HTTP charset where the bytes leave a choice: a page's own byte order mark, or bytes
that are valid UTF-8, win over it, as they do in `dedup.html.decode`.
"""

from __future__ import annotations

import codecs
import zlib

from dedup.html.decode import decode_html

_BOMS = (codecs.BOM_UTF8, codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
# The WHATWG encoding standard reads these labels as windows-1252, as browsers do (and as dedup.html.decode does).
_WINDOWS_1252 = {"latin_1", "iso8859-1", "ascii"}


class PayloadError(Exception):
    """The body cannot be decoded as its headers say (a broken chunk, a corrupt or cut compressed stream)."""


def decode_body(body: bytes, transfer_encoding: str | None, content_encoding: str | None) -> tuple[bytes, list[str]]:
    """The body without its transfer and content codings, and notes on anything a user should hear about."""
    notes: list[str] = []
    if transfer_encoding and "chunked" in transfer_encoding.lower():
        body, note = dechunk(body)
        if note:
            notes.append(note)
    for coding in reversed([c.strip().lower() for c in (content_encoding or "").split(",") if c.strip()]):
        body = _undo_coding(body, coding)
    return body, notes


def dechunk(body: bytes) -> tuple[bytes, str | None]:
    """The data of a chunked body. Some archivers store the body already de-chunked but keep the header: a body that
    does not start with a chunk size is taken as it is, with a note (warcio does the same)."""
    parts: list[bytes] = []
    pos = 0
    while True:
        if pos >= len(body) and pos > 0:
            raise PayloadError("broken chunked body: it ends before its last (zero-size) chunk")
        eol = body.find(b"\n", pos)
        size_text = body[pos : eol if eol >= 0 else len(body)].split(b";", 1)[0].strip()
        try:
            size = int(size_text, 16)
        except ValueError:
            if pos == 0:
                return body, "Transfer-Encoding chunked, but the body is not chunked: taken as it is"
            raise PayloadError(f"broken chunked body: bad chunk size {size_text[:20]!r}") from None
        if size == 0:
            return b"".join(parts), None
        start = eol + 1
        if eol < 0 or start + size > len(body):
            raise PayloadError("broken chunked body: it ends inside a chunk")
        parts.append(body[start : start + size])
        pos = start + size
        if body.startswith(b"\r\n", pos):
            pos += 2
        elif body.startswith(b"\n", pos):
            pos += 1


def _undo_coding(body: bytes, coding: str) -> bytes:
    if coding == "identity":
        return body
    if coding in ("gzip", "x-gzip"):
        return _inflate(body, 16 + zlib.MAX_WBITS, coding)
    if coding == "deflate":
        # RFC 9110 says zlib-wrapped; many servers send raw deflate.
        try:
            return _inflate(body, zlib.MAX_WBITS, coding)
        except PayloadError:
            return _inflate(body, -zlib.MAX_WBITS, coding)
    if coding == "br":
        return _unbrotli(body)
    if coding == "zstd":
        return _unzstd(body)
    raise PayloadError(f"unsupported Content-Encoding {coding!r}")


def _inflate(body: bytes, wbits: int, coding: str) -> bytes:
    d = zlib.decompressobj(wbits)
    try:
        out = d.decompress(body)
    except zlib.error as exc:
        raise PayloadError(f"corrupt {coding} body ({exc})") from exc
    if not d.eof:
        raise PayloadError(f"{coding} body cut off before its end")
    return out


def _unbrotli(body: bytes) -> bytes:
    try:
        import brotli
    except ImportError as exc:
        # brotli comes with the `warc` extra (fastwarc depends on it); it can only be missing from a partial install.
        raise PayloadError("Content-Encoding br needs brotli: pip install 'dedup[warc]'") from exc
    try:
        out: bytes = brotli.decompress(body)
    except brotli.error as exc:
        raise PayloadError(f"corrupt br body ({exc})") from exc
    return out


def _unzstd(body: bytes) -> bytes:
    try:
        import zstandard
    except ImportError as exc:
        raise PayloadError("Content-Encoding zstd needs zstandard: pip install 'dedup[zstd]'") from exc
    d = zstandard.ZstdDecompressor().decompressobj()
    try:
        out: bytes = d.decompress(body)
    except zstandard.ZstdError as exc:
        raise PayloadError(f"corrupt zstd body ({exc})") from exc
    if not d.eof:
        raise PayloadError("zstd body cut off before its end")
    return out


def codec_name(label: str | None) -> str | None:
    """Python's codec for a charset label, WHATWG-style (latin-1 means windows-1252); None if unknown."""
    if not label:
        return None
    try:
        name = codecs.lookup(label.strip().strip("\"'").lower()).name
    except LookupError:
        return None
    return "cp1252" if name in _WINDOWS_1252 else name


def decode_page(raw: bytes, charset: str | None) -> tuple[str, tuple[str, ...]]:
    """A page's markup: the HTTP charset decides when there is no byte order mark and the bytes are not UTF-8;
    otherwise, or when the charset does not decode them, `decode_html` does (BOM, UTF-8, meta charset, detection)."""
    codec = codec_name(charset)
    if codec is not None and codec != "utf-8" and not raw.startswith(_BOMS) and not _is_utf8(raw):
        try:
            return raw.decode(codec), ()
        except UnicodeDecodeError:
            decoded = decode_html(raw)
            return decoded.text, (f"HTTP charset {charset} does not decode the page", *decoded.notes)
    decoded = decode_html(raw)
    return decoded.text, decoded.notes


def decode_plain(raw: bytes, charset: str | None) -> tuple[str, tuple[str, ...]]:
    """Plain text: in its HTTP charset, else UTF-8; undecodable bytes become U+FFFD, with a note."""
    codec = codec_name(charset) or "utf-8"
    if codec == "utf-8" and raw.startswith(codecs.BOM_UTF8):
        raw = raw[len(codecs.BOM_UTF8) :]
    try:
        return raw.decode(codec), ()
    except UnicodeDecodeError as exc:
        text = raw.decode(codec, errors="replace")
        return text, (f"not valid {codec} (first bad byte at offset {exc.start}): bad bytes replaced by U+FFFD",)


def _is_utf8(raw: bytes) -> bool:
    if raw.isascii():
        return True
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True
