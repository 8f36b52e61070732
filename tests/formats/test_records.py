"""The shared record types: field names, errors (with where they happened), skips, missing extras."""

from __future__ import annotations

import pickle
import sys
from pathlib import Path

import pytest

from dedup.errors import ConfigError, DedupError, InputError
from dedup.formats import (
    FieldNames,
    JsonlReader,
    JsonlWriter,
    MissingExtraError,
    ParquetReader,
    Record,
    RecordError,
    SkippedRecord,
    WarcReader,
    open_records,
)


def test_record_error_names_file_and_line_and_is_an_input_error() -> None:
    reason = "not valid JSON: Expecting ',' delimiter (column 42)"
    err = RecordError("corpus.jsonl", 17, reason)
    assert str(err) == f"corpus.jsonl:17: {reason}"
    assert isinstance(err, InputError)
    assert isinstance(err, DedupError)
    assert (err.file, err.line, err.reason) == ("corpus.jsonl", 17, reason)


def test_record_error_for_rows_records_and_whole_files() -> None:
    assert str(RecordError("a.parquet", 3, "bad", "row")) == "a.parquet: row 3: bad"
    assert str(RecordError("c.warc.gz", 7, "bad", "record", 1358)) == "c.warc.gz: record 7 (byte offset 1358): bad"
    assert str(RecordError("a.jsonl.gz", None, "truncated")) == "a.jsonl.gz: truncated"


def test_errors_survive_pickling_for_process_engines() -> None:
    err = RecordError("c.warc", 2, "truncated record", "record", 10)
    back = pickle.loads(pickle.dumps(err))
    assert (str(back), back.unit, back.offset) == (str(err), "record", 10)
    missing = MissingExtraError("reading x.parquet", "parquet")
    assert str(pickle.loads(pickle.dumps(missing))) == str(missing)


def test_skipped_record_reads_like_the_error_it_stands_for() -> None:
    err = RecordError("a.parquet", 4, "'text' is null, not a string", "row")
    skipped = SkippedRecord.from_error(err)
    assert str(skipped) == str(err)
    assert skipped.to_dict() == {"file": "a.parquet", "row": 4, "offset": None, "message": err.reason}


@pytest.mark.parametrize(
    "kwargs",
    [{"text_field": ""}, {"id_field": ""}, {"text_field": "body", "url_field": "body"}, {"text_field": 3}],
)
def test_field_names_are_checked(kwargs: dict[str, object]) -> None:
    with pytest.raises(ConfigError):
        FieldNames(**kwargs)  # type: ignore[arg-type]


def test_on_error_must_be_stop_or_skip(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="'stop' or 'skip'"):
        JsonlReader(tmp_path / "a.jsonl", on_error="ignore")  # type: ignore[arg-type]


def test_record_where_and_equality() -> None:
    a = Record(file="a.jsonl", line=2, id="x", text="t", fields={"text": "t"})
    assert a.where == "a.jsonl:2"
    assert a == Record(file="a.jsonl", line=2, id="x", text="t", fields={"text": "t"})
    w = Record(file="c.warc", line=5, id="y", text="", unit="record", offset=99, kind="html", raw=b"")
    assert w.where == "c.warc: record 5 (byte offset 99)"


@pytest.mark.parametrize(
    ("module", "extra", "make"),
    [
        ("zstandard", "zstd", lambda p: JsonlReader(p / "a.jsonl.zst")),
        ("zstandard", "zstd", lambda p: JsonlWriter(p / "out.jsonl.zst")),
        ("pyarrow", "parquet", lambda p: ParquetReader(p / "a.parquet")),
        ("fastwarc", "warc", lambda p: open_records(p / "a.warc.gz")),
        ("fastwarc", "warc", lambda p: WarcReader(p / "a.warc")),
    ],
)
def test_a_missing_extra_says_the_exact_pip_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, module: str, extra: str, make: object
) -> None:
    # A None entry in sys.modules makes `import module` raise ImportError, as if it were not installed.
    for name in [m for m in sys.modules if m == module or m.startswith(module + ".")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, module, None)
    with pytest.raises(MissingExtraError) as info:
        make(tmp_path)  # type: ignore[operator]
    assert f"pip install 'dedup[{extra}]'" in str(info.value)
    assert info.value.hint == f"pip install 'dedup[{extra}]'"
    assert isinstance(info.value, DedupError)
    assert list(tmp_path.iterdir()) == []  # a writer that cannot start leaves nothing behind
