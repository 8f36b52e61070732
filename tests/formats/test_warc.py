"""WARC: which records become documents, payload decoding, offsets, damaged files in both modes, output fields."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from dedup.formats import JsonlWriter, RecordError, WarcReader, open_records, warc_output_fields
from dedup.html.decode import decode_html
from tests.formats.warcs import LATIN1_PAGE, PLAIN, UTF8_PAGE, response, rid, sample_records, write_warc


@pytest.fixture(params=["crawl.warc", "crawl.warc.gz"])
def crawl(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[Path, list[int]]:
    path = tmp_path / request.param
    return path, write_warc(path, sample_records())


def test_documents_come_from_html_and_text_responses(crawl: tuple[Path, list[int]]) -> None:
    path, offsets = crawl
    reader = WarcReader(path)
    records = list(reader)
    assert [r.id for r in records] == [rid(1), rid(2), rid(4), rid(5)]
    assert [r.kind for r in records] == ["html", "text", "html", "html"]
    assert [r.line for r in records] == [3, 4, 6, 7]
    assert [r.offset for r in records] == [offsets[2], offsets[3], offsets[5], offsets[6]]
    assert reader.ignored == {"image/png": 1}
    assert reader.skipped == []
    assert records[0].where == f"{path}: record 3 (byte offset {offsets[2]})"


def test_payloads_are_decoded(crawl: tuple[Path, list[int]]) -> None:
    cafe, plain, zipped, xhtml = list(open_records(crawl[0]))
    # No meta charset and not UTF-8: the HTTP charset decides (latin-1 read as windows-1252, as browsers do).
    assert cafe.text == LATIN1_PAGE
    assert cafe.raw == LATIN1_PAGE.encode("latin-1")
    assert cafe.fields == {
        "url": "http://example.org/cafe",
        "date": "2024-05-06T07:08:09Z",
        "record_id": rid(1),
        "content_type": "text/html",
        "charset": "iso-8859-1",
        "status": 200,
    }
    assert cafe.url == "http://example.org/cafe"
    assert (plain.text, plain.raw, plain.url) == (PLAIN, None, "http://example.org/page/2")
    # Chunked, then gzip content coding: both undone.
    assert zipped.text == UTF8_PAGE and zipped.raw == UTF8_PAGE.encode("utf-8")
    assert xhtml.text == UTF8_PAGE and xhtml.fields["content_type"] == "application/xhtml+xml"
    assert decode_html(zipped.raw).text == zipped.text


def test_not_found_pages_redirects_and_odd_types_are_counted_not_read(tmp_path: Path) -> None:
    path = tmp_path / "c.warc"
    write_warc(
        path,
        [
            response(1, "text/html", b"<p>gone</p>", status="404 Not Found"),
            response(2, "text/html", b"", status="301 Moved Permanently", headers=["Location: /x"]),
            response(3, "application/pdf", b"%PDF-1.4"),
            response(4, "", b"???"),
            response(5, "TEXT/HTML; charset=utf-8", b"<p>kept</p>"),
        ],
    )
    reader = WarcReader(path)
    assert [r.text for r in reader] == ["<p>kept</p>"]
    assert reader.ignored == {"HTTP 404": 1, "HTTP 301": 1, "application/pdf": 1, "no content type": 1}


def test_the_last_record_cut_short_is_an_error_naming_it(crawl: tuple[Path, list[int]]) -> None:
    path, offsets = crawl
    data = path.read_bytes()
    path.write_bytes(data[: len(data) - 40])
    read: list[str] = []
    with pytest.raises(RecordError) as info:
        read.extend(r.id for r in WarcReader(path))
    assert read == [rid(1), rid(2), rid(4)]
    assert str(info.value).startswith(f"{path}: record 7 (byte offset {offsets[6]}): truncated")

    reader = WarcReader(path, on_error="skip")
    assert [r.id for r in reader] == [rid(1), rid(2), rid(4)]
    assert [(s.line, s.offset) for s in reader.skipped] == [(7, offsets[6])]
    assert "truncated" in reader.skipped[0].message


def test_a_cut_anywhere_is_never_silent(tmp_path: Path) -> None:
    records = sample_records()
    ends = [sum(len(r) for r in records[: i + 1]) for i in range(len(records))]
    for name in ("c.warc", "c.warc.gz"):
        whole = tmp_path / name
        offsets = write_warc(whole, records)
        data = whole.read_bytes()
        expected = [r.id for r in WarcReader(whole)]
        cut = tmp_path / f"cut-{name}"
        # Every third byte keeps the test fast; each record's header, HTTP head and body are still cut many times.
        for size in range(1, len(data), 3):
            cut.write_bytes(data[:size])
            reader = WarcReader(cut, on_error="skip")
            got = [r.id for r in reader]
            assert got == expected[: len(got)], size
            # A file cut between records (for plain WARC: after a block, in its closing CRLFs) is a shorter sound
            # file; anywhere else the damage must be reported.
            if name.endswith(".gz"):
                between = size in offsets
            else:
                between = any(end - 4 <= size <= end for end in ends)
            assert reader.skipped or between, f"{name} cut at {size} read {got} silently"


def test_a_broken_payload_is_skipped_and_reading_goes_on(tmp_path: Path) -> None:
    path = tmp_path / "c.warc.gz"
    broken_gzip = gzip.compress(b"<p>page</p>" * 50, mtime=0)[:-10]
    offsets = write_warc(
        path,
        [
            response(1, "text/html", broken_gzip, headers=["Content-Encoding: gzip"]),
            response(2, "text/html", b"9\r\n<p>hi", headers=["Transfer-Encoding: chunked"]),
            response(3, "text/html", b"<p>x</p>", headers=["Content-Encoding: compress"]),
            response(4, "text/html", b"<p>fine</p>"),
        ],
    )
    with pytest.raises(RecordError) as info:
        list(WarcReader(path))
    assert str(info.value) == f"{path}: record 1 (byte offset 0): broken payload: gzip body cut off before its end"
    reader = WarcReader(path, on_error="skip")
    assert [r.text for r in reader] == ["<p>fine</p>"]
    assert [str(s) for s in reader.skipped] == [
        f"{path}: record 1 (byte offset 0): broken payload: gzip body cut off before its end",
        f"{path}: record 2 (byte offset {offsets[1]}): broken payload: broken chunked body: it ends inside a chunk",
        f"{path}: record 3 (byte offset {offsets[2]}): broken payload: unsupported Content-Encoding 'compress'",
    ]


def test_a_body_stored_dechunked_under_a_chunked_header_is_read_with_a_note(tmp_path: Path) -> None:
    path = tmp_path / "c.warc"
    write_warc(path, [response(1, "text/html; charset=utf-8", b"<p>plain</p>", headers=["Transfer-Encoding: chunked"])])
    (record,) = WarcReader(path)
    assert record.text == "<p>plain</p>"
    assert record.notes == ("Transfer-Encoding chunked, but the body is not chunked: taken as it is",)


def test_plain_text_with_bad_bytes_is_replaced_with_a_note(tmp_path: Path) -> None:
    path = tmp_path / "c.warc"
    write_warc(path, [response(1, "text/plain", b"caf\xe9 au lait")])
    (record,) = WarcReader(path)
    assert record.text == "caf\ufffd au lait"
    assert record.notes and "U+FFFD" in record.notes[0]


def test_a_file_that_is_not_warc(tmp_path: Path) -> None:
    path = tmp_path / "c.warc.gz"
    path.write_bytes(gzip.compress(b"just some text, no WARC here\n" * 10, mtime=0))
    reader = WarcReader(path, on_error="skip")
    assert list(reader) == []
    assert reader.skipped, "a file with no WARC record in it must not read as an empty crawl"


def test_output_fields_and_jsonl_output(crawl: tuple[Path, list[int]], tmp_path: Path) -> None:
    records = list(WarcReader(crawl[0]))
    assert warc_output_fields(records[0], "clean") == {
        "id": rid(1),
        "url": "http://example.org/cafe",
        "date": "2024-05-06T07:08:09Z",
        "text": "clean",
    }
    out = tmp_path / "crawl.jsonl"
    with JsonlWriter(out) as writer:
        for record in records:
            writer.write_object({**warc_output_fields(record, record.text[:10]), "dedup": {"kind": record.kind}})
    back = list(open_records(out))
    assert [r.id for r in back] == [r.id for r in records]
    assert [r.url for r in back] == [r.url for r in records]
    assert list(back[0].fields) == ["id", "url", "date", "text", "dedup"]
