"""Reading JSON Lines: good records, every kind of bad one in both on_error modes, damaged streams, big files."""

from __future__ import annotations

import gzip
import json
import tracemalloc
from collections.abc import Sequence
from pathlib import Path

import pytest
import zstandard

from dedup.errors import InputError
from dedup.formats import FieldNames, JsonlReader, RecordError, open_records


def write_lines(path: Path, lines: Sequence[str | bytes], end: bytes = b"\n") -> Path:
    data = b"".join((line.encode("utf-8") if isinstance(line, str) else line) + end for line in lines)
    if path.name.endswith(".gz"):
        data = gzip.compress(data, compresslevel=1, mtime=0)
    elif path.name.endswith(".zst"):
        data = zstandard.ZstdCompressor().compress(data)
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("name", ["corpus.jsonl", "corpus.jsonl.gz", "corpus.jsonl.zst"])
def test_records_carry_position_id_url_and_original_fields(tmp_path: Path, name: str) -> None:
    lines = [
        '{"id": "a", "text": "first", "url": "https://example.org/a", "lang": "en"}',
        '{"text": "no id", "meta": {"k": [1, 2]}}',
        '{"id": 42, "text": "integer id", "url": null}',
    ]
    path = write_lines(tmp_path / name, lines)
    records = list(open_records(path))
    assert [r.id for r in records] == ["a", f"{name}:2", "42"]
    assert [r.line for r in records] == [1, 2, 3]
    assert [r.url for r in records] == ["https://example.org/a", None, None]
    assert [r.text for r in records] == ["first", "no id", "integer id"]
    assert records[0].fields == json.loads(lines[0])
    assert list(records[0].fields) == ["id", "text", "url", "lang"]
    assert all(r.kind == "text" and r.file == str(path) and r.raw is None for r in records)
    assert records[1].where == f"{path}:2"


def test_other_field_names(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "c.jsonl", ['{"doc_id": "x", "content": "body", "link": "u", "text": 5}'])
    (record,) = open_records(path, FieldNames(text_field="content", id_field="doc_id", url_field="link"))
    assert (record.id, record.text, record.url) == ("x", "body", "u")


def test_blank_lines_are_not_records_but_count_as_lines(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "c.jsonl", ['{"text": "a"}', "", "   \t", '{"text": "b"}', '{"text": 1}'])
    reader = JsonlReader(path, on_error="skip")
    assert [(r.line, r.text) for r in reader] == [(1, "a"), (4, "b")]
    assert [s.line for s in reader.skipped] == [5]


def test_a_bom_and_a_missing_final_newline_and_crlf_are_fine(tmp_path: Path) -> None:
    path = tmp_path / "c.jsonl"
    path.write_bytes(b'\xef\xbb\xbf{"text": "a"}\r\n{"text": "b"}')
    assert [r.text for r in open_records(path)] == ["a", "b"]


def test_unicode_survives(tmp_path: Path) -> None:
    texts = ["emoji 🙂👍🏽 and ZWJ 👩‍💻", "RTL: שלום עולם, مرحبا بالعالم", "NUL \x00 inside, and \x7f, \u2028, \ufeff"]
    path = write_lines(tmp_path / "u.jsonl", [json.dumps({"text": t}, ensure_ascii=a) for t in texts for a in (0, 1)])
    assert [r.text for r in open_records(path)] == [t for t in texts for _ in (0, 1)]


BAD_LINES = [
    ('{"id": "a" "text": "x"}', "not valid JSON: Expecting ',' delimiter (column 12)"),
    ('{"text": "unterminated', "not valid JSON: Unterminated string starting at (column 10)"),
    ('["text", "a list"]', "not a JSON object but an array"),
    ('"just a string"', "not a JSON object but a string"),
    ('{"id": "x", "body": "y"}', "no field 'text' (it has: 'id', 'body')"),
    ('{"text": null}', "'text' is null, not a string"),
    ('{"text": 12}', "'text' is a number, not a string"),
    ('{"text": ["a"]}', "'text' is an array, not a string"),
    ('{"text": "ok", "id": ""}', "'id' is an empty string; leave the field out to get a generated id"),
    ('{"text": "ok", "id": 1.5}', "'id' is a number; an id must be a string or an integer"),
    ('{"text": "ok", "id": true}', "'id' is a boolean; an id must be a string or an integer"),
    ('{"text": "ok", "url": 3}', "'url' is a number, not a string"),
    (b'{"text": "caf\xe9"}', "not valid UTF-8 (byte 0xe9 at byte 14 of the line)"),
    ("[" * 100_000 + "]" * 100_000, "not valid JSON: nested too deeply"),
]


@pytest.mark.parametrize(("bad", "message"), BAD_LINES)
def test_a_bad_line_stops_the_read_with_file_and_line(tmp_path: Path, bad: str | bytes, message: str) -> None:
    path = write_lines(tmp_path / "corpus.jsonl", ['{"text": "good"}', "", bad, '{"text": "after"}'])
    seen = []
    with pytest.raises(RecordError) as info:
        seen.extend(r.text for r in JsonlReader(path))
    assert str(info.value) == f"{path}:3: {message}"
    assert (info.value.file, info.value.line) == (str(path), 3)


@pytest.mark.parametrize(("bad", "message"), BAD_LINES)
def test_a_bad_line_is_skipped_and_recorded(tmp_path: Path, bad: str | bytes, message: str) -> None:
    path = write_lines(tmp_path / "corpus.jsonl.gz", ['{"text": "good"}', "", bad, '{"text": "after"}'])
    reader = JsonlReader(path, on_error="skip")
    assert [r.text for r in reader] == ["good", "after"]
    assert [str(s) for s in reader.skipped] == [f"{path}:3: {message}"]


def test_json_error_column_is_reported(tmp_path: Path) -> None:
    line = '{"id": "doc-1", "title": "A title", "x": 1 "text": "t"}'
    path = write_lines(tmp_path / "corpus.jsonl", ["{}"] * 16 + [line])
    reader = JsonlReader(path, on_error="skip")
    assert list(reader) == []
    assert str(reader.skipped[-1]) == f"{path}:17: not valid JSON: Expecting ',' delimiter (column 44)"


def test_each_iteration_reads_again_with_fresh_skips(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "c.jsonl", ['{"text": "a"}', "nope"])
    reader = JsonlReader(path, on_error="skip")
    skipped_first = reader.skipped
    assert len(list(reader)) == 1
    assert len(list(reader)) == 1
    assert len(reader.skipped) == 1
    assert skipped_first == []  # the list handed out before is not rewritten


@pytest.mark.parametrize("name", ["cut.jsonl.gz", "cut.jsonl.zst"])
def test_a_truncated_stream_names_the_last_complete_line(tmp_path: Path, name: str) -> None:
    lines = [json.dumps({"id": i, "text": f"document number {i} " * 20}) for i in range(3000)]
    whole = write_lines(tmp_path / name, lines).read_bytes()
    path = tmp_path / name
    path.write_bytes(whole[: len(whole) * 2 // 3])
    codec = "gzip" if name.endswith(".gz") else "zstd"

    read: list[str] = []
    with pytest.raises(RecordError) as info:
        read.extend(r.id for r in JsonlReader(path))
    last = len(read)
    assert 0 < last < 3000
    assert read == [str(i) for i in range(last)]
    assert str(info.value) == (
        f"{path}: truncated {codec} stream: the file ends inside a compressed member; "
        f"line {last} is the last complete line, and the lines up to it were read"
    )

    reader = JsonlReader(path, on_error="skip")
    assert len(list(reader)) == last
    assert [(s.file, s.line) for s in reader.skipped] == [(str(path), None)]
    assert f"line {last} is the last complete line" in reader.skipped[0].message


def test_a_cut_gzip_never_yields_the_partial_last_line(tmp_path: Path) -> None:
    # Cut so that the decoded tail is `{"text": "b"}` without its newline: valid JSON, but not a complete line.
    data = b'{"text": "a"}\n{"text": "b"}\n'
    whole = gzip.compress(data, mtime=0)
    path = tmp_path / "c.jsonl.gz"
    for cut in range(len(whole)):
        path.write_bytes(whole[:cut])
        reader = JsonlReader(path, on_error="skip")
        texts = [r.text for r in reader]
        assert texts in ([], ["a"], ["a", "b"])
        assert len(reader.skipped) == (0 if cut == 0 else 1)


def test_corrupt_gzip_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "c.jsonl.gz"
    path.write_bytes(gzip.compress(b'{"text": "a"}\n', mtime=0) + b"\x1f\x8bnot really gzip")
    reader = JsonlReader(path, on_error="skip")
    assert [r.text for r in reader] == ["a"]
    assert reader.skipped[0].message.startswith("corrupt gzip stream: ")
    assert "line 1 is the last complete line" in reader.skipped[0].message


def test_a_missing_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"cannot read .*absent\.jsonl"):
        list(JsonlReader(tmp_path / "absent.jsonl"))


def test_reading_streams_with_bounded_memory(tmp_path: Path) -> None:
    path = tmp_path / "big.jsonl.gz"
    line = '{"id": "doc-%d", "text": "paragraph %d of a generated corpus with some words in it"}'
    lines = [line % (i, i) for i in range(200_000)]
    size = sum(len(x) + 1 for x in lines)
    write_lines(path, lines)
    tracemalloc.start()
    try:
        count = 0
        for record in JsonlReader(path):
            count += 1
            assert record.line == count
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == 200_000
    assert size > 15_000_000
    assert peak < 2_000_000, f"peak {peak} bytes while reading a {size}-byte file"
