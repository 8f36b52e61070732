"""HTTP bodies from WARC records: transfer and content codings undone, text decoded with the right charset."""

from __future__ import annotations

import gzip
import zlib

import brotli
import pytest
import zstandard

from dedup.formats.payload import PayloadError, codec_name, dechunk, decode_body, decode_page, decode_plain

PAGE = "<p>Grüße, café 🙂</p>".encode()


def test_dechunk() -> None:
    body = b"4;ext=1\r\n<p>G\r\n3\n" + "rü".encode() + b"\r\n0\r\nTrailer: x\r\n\r\n"
    assert dechunk(body) == ("<p>Grü".encode(), None)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"9\r\n<p>hi", "it ends inside a chunk"),
        (b"3\r\nabc\r\n", "it ends before its last (zero-size) chunk"),
        (b"3\r\nabc\r\nzz\r\n", "bad chunk size b'zz'"),
    ],
)
def test_broken_chunks(body: bytes, message: str) -> None:
    with pytest.raises(PayloadError, match=message.replace("(", r"\(").replace(")", r"\)")):
        dechunk(body)


def test_content_codings_come_off_last_first() -> None:
    coded = brotli.compress(gzip.compress(PAGE, mtime=0))
    assert decode_body(coded, None, "gzip, br") == (PAGE, [])
    assert decode_body(zlib.compress(PAGE), None, "deflate") == (PAGE, [])
    raw_deflate = zlib.compressobj(wbits=-15)
    assert decode_body(raw_deflate.compress(PAGE) + raw_deflate.flush(), None, "Deflate")[0] == PAGE
    assert decode_body(zstandard.ZstdCompressor().compress(PAGE), None, "zstd")[0] == PAGE
    assert decode_body(PAGE, None, "identity")[0] == PAGE
    chunked = b"%x\r\n%s\r\n0\r\n\r\n" % (len(gzip.compress(PAGE)), gzip.compress(PAGE))
    assert decode_body(chunked, "chunked", "x-gzip")[0] == PAGE


@pytest.mark.parametrize(
    ("body", "coding", "message"),
    [
        (b"not gzip at all", "gzip", "corrupt gzip body"),
        (gzip.compress(PAGE * 20)[:-12], "gzip", "gzip body cut off before its end"),
        (b"\xff\xff\xff", "br", "corrupt br body"),
        (b"data", "compress", "unsupported Content-Encoding 'compress'"),
    ],
)
def test_broken_content(body: bytes, coding: str, message: str) -> None:
    with pytest.raises(PayloadError, match=message):
        decode_body(body, None, coding)


def test_codec_names_follow_the_web() -> None:
    assert codec_name("ISO-8859-1") == "cp1252"
    assert codec_name('"utf-8"') == "utf-8"
    assert codec_name("no-such-charset") is None
    assert codec_name(None) is None


def test_the_http_charset_decides_only_when_the_bytes_leave_a_choice() -> None:
    # Not UTF-8, no BOM: the HTTP charset wins, even over a meta charset.
    cyrillic = '<meta charset="utf-8"><p>Привет</p>'.encode("cp1251")
    assert decode_page(cyrillic, "windows-1251") == ('<meta charset="utf-8"><p>Привет</p>', ())
    # Valid UTF-8 wins over a wrong HTTP charset (a common server misconfiguration).
    assert decode_page(PAGE, "iso-8859-1")[0] == PAGE.decode()
    # A BOM wins too.
    utf16 = "\ufeff<p>Привет</p>".encode("utf-16-le")
    assert decode_page(utf16, "iso-8859-1")[0] == "<p>Привет</p>"
    # An unknown label is no charset at all: decode_html decides.
    latin = "<p>café crème</p>".encode("latin-1")
    assert decode_page(latin, "no-such-charset") == decode_page(latin, None)


def test_an_http_charset_that_fails_is_noted() -> None:
    text, notes = decode_page(b"<p>caf\xe9 \x98\x81</p>", "shift_jis")
    assert notes[0] == "HTTP charset shift_jis does not decode the page"
    assert text.startswith("<p>caf")


def test_plain_text() -> None:
    assert decode_plain(b"\xef\xbb\xbfhello", None) == ("hello", ())
    assert decode_plain("café".encode("latin-1"), "iso-8859-1") == ("café", ())
    text, notes = decode_plain(b"caf\xe9", "utf-8")
    assert text == "caf\ufffd" and "offset 3" in notes[0]
