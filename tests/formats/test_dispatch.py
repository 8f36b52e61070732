"""Choosing the reader by suffix and naming outputs."""

from __future__ import annotations

from pathlib import Path

import pytest

from dedup.errors import UsageError
from dedup.formats import (
    FieldNames,
    JsonlReader,
    ParquetReader,
    WarcReader,
    dropped_name,
    format_of,
    open_records,
    output_name,
)


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("corpus.jsonl", "jsonl"),
        ("dir/corpus.jsonl.gz", "jsonl"),
        ("CORPUS.JSONL.ZST", "jsonl"),
        ("part-0001.parquet", "parquet"),
        ("crawl.warc", "warc"),
        ("crawl.warc.gz", "warc"),
        ("page.html", None),
        ("notes.txt", None),
        ("archive.gz", None),
        ("jsonl", None),
    ],
)
def test_format_of(name: str, fmt: str | None) -> None:
    assert format_of(name) == fmt
    assert format_of(Path(name)) == fmt


def test_open_records_picks_the_reader_and_passes_options(tmp_path: Path) -> None:
    names = FieldNames(text_field="body")
    reader = open_records(tmp_path / "a.jsonl.gz", names, "skip")
    assert isinstance(reader, JsonlReader)
    assert (reader.fields, reader.on_error) == (names, "skip")
    assert isinstance(open_records(tmp_path / "a.parquet"), ParquetReader)
    assert isinstance(open_records(tmp_path / "a.warc.gz"), WarcReader)


def test_open_records_refuses_other_files(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match=r"page\.html is not a record file.*\.jsonl"):
        open_records(tmp_path / "page.html")


@pytest.mark.parametrize(
    ("name", "out"),
    [
        ("crawl.warc.gz", "crawl.jsonl"),
        ("crawl.warc", "crawl.jsonl"),
        ("CC-MAIN-1.WARC.GZ", "CC-MAIN-1.jsonl"),
        ("corpus.jsonl", "corpus.jsonl"),
        ("corpus.jsonl.zst", "corpus.jsonl.zst"),
        ("shard.parquet", "shard.parquet"),
        ("sub/crawl.warc.gz", "sub/crawl.jsonl"),
    ],
)
def test_output_name(name: str, out: str) -> None:
    assert output_name(name) == out


def test_output_name_refuses_other_files() -> None:
    with pytest.raises(UsageError):
        output_name("page.html")


def test_dropped_name() -> None:
    assert dropped_name("corpus.jsonl.gz") == "corpus.dropped.jsonl.gz"
    assert dropped_name("shard.parquet") == "shard.dropped.parquet"
    assert dropped_name(output_name("crawl.warc.gz")) == "crawl.dropped.jsonl"
    with pytest.raises(UsageError):
        dropped_name("crawl.warc.gz")
