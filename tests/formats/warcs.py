"""WARC files built by hand for the tests: each record is bytes, joined plain or gzipped one member per record."""

from __future__ import annotations

import gzip
from collections.abc import Sequence
from pathlib import Path

LATIN1_PAGE = "<html><head><title>Café</title></head><body><p>Crème brûlée à la carte.</p></body></html>"
UTF8_PAGE = "<html><body><article><p>Grüße aus Köln 🙂 and שלום עולם</p></article></body></html>"
PLAIN = "A plain text document.\nSecond line ✓"


def record(
    warc_type: str,
    block: bytes,
    *,
    uri: str = "http://example.org/",
    record_id: str = "<urn:uuid:00000000-0000-0000-0000-000000000001>",
    content_type: str = "application/http; msgtype=response",
) -> bytes:
    head = (
        "WARC/1.1\r\n"
        f"WARC-Type: {warc_type}\r\n"
        f"WARC-Record-ID: {record_id}\r\n"
        "WARC-Date: 2024-05-06T07:08:09Z\r\n"
        f"WARC-Target-URI: {uri}\r\n"
        f"Content-Type: {content_type}\r\n"
        f"Content-Length: {len(block)}\r\n"
        "\r\n"
    )
    return head.encode("utf-8") + block + b"\r\n\r\n"


def http_response(content_type: str, body: bytes, *, status: str = "200 OK", headers: Sequence[str] = ()) -> bytes:
    lines = [f"HTTP/1.1 {status}", f"Content-Type: {content_type}", *headers]
    if not any(h.lower().startswith("transfer-encoding") for h in headers):
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def response(
    n: int,
    content_type: str,
    body: bytes,
    *,
    uri: str | None = None,
    status: str = "200 OK",
    headers: Sequence[str] = (),
) -> bytes:
    block = http_response(content_type, body, status=status, headers=headers)
    return record("response", block, uri=uri or f"http://example.org/page/{n}", record_id=rid(n))


def rid(n: int) -> str:
    return f"<urn:uuid:00000000-0000-0000-0000-{n:012d}>"


def chunked(data: bytes, size: int = 7) -> bytes:
    parts = [b"%x\r\n%s\r\n" % (len(data[i : i + size]), data[i : i + size]) for i in range(0, len(data), size)]
    return b"".join(parts) + b"0\r\n\r\n"


def sample_records() -> list[bytes]:
    """warcinfo, request, HTML (latin-1 by HTTP charset only), text/plain, image, gzip+chunked HTML, UTF-8 HTML."""
    gz_page = gzip.compress(UTF8_PAGE.encode("utf-8"), mtime=0)
    return [
        record("warcinfo", b"software: hand\r\n", record_id=rid(90), content_type="application/warc-fields"),
        record(
            "request",
            b"GET / HTTP/1.1\r\nHost: example.org\r\n\r\n",
            record_id=rid(91),
            content_type="application/http; msgtype=request",
        ),
        response(1, "text/html; charset=ISO-8859-1", LATIN1_PAGE.encode("latin-1"), uri="<http://example.org/cafe>"),
        response(2, "text/plain; charset=utf-8", PLAIN.encode("utf-8")),
        response(3, "image/png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"),
        response(
            4,
            "text/html",
            chunked(gz_page),
            headers=["Content-Encoding: gzip", "Transfer-Encoding: chunked"],
        ),
        response(5, "application/xhtml+xml; charset=utf-8", UTF8_PAGE.encode("utf-8")),
    ]


def write_warc(path: Path, records: Sequence[bytes]) -> list[int]:
    """Write the records (one gzip member each for a `.gz` name); the byte offset where each starts."""
    offsets: list[int] = []
    data = b""
    for rec in records:
        offsets.append(len(data))
        data += gzip.compress(rec, mtime=0) if path.name.endswith(".gz") else rec
    path.write_bytes(data)
    return offsets
