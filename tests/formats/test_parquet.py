"""Parquet: batches, bad rows in both modes, a missing column, round trips with the schema kept, atomic writes."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from dedup.errors import ConfigError, OutputError
from dedup.formats import FieldNames, ParquetReader, ParquetWriter, RecordError, open_records

SCHEMA = pa.schema(
    [
        ("id", pa.int64()),
        ("url", pa.string()),
        ("text", pa.large_string()),
        ("when", pa.timestamp("ms", tz="UTC")),
        ("price", pa.decimal128(10, 2)),
        ("tags", pa.list_(pa.string())),
        ("info", pa.struct([("lang", pa.string()), ("score", pa.float32())])),
        ("blob", pa.binary()),
    ],
    metadata={b"origin": b"test"},
)


def rows(n: int) -> list[dict[str, object]]:
    return [
        {
            "id": i,
            "url": f"https://example.org/{i}" if i % 3 else None,
            "text": f"Document {i}: emoji 🙂, RTL שלום, NUL \x00.",
            "when": dt.datetime(2024, 1, 1, tzinfo=dt.UTC) + dt.timedelta(minutes=i),
            "price": Decimal(i) / 4,
            "tags": [f"t{i}", "x"],
            "info": {"lang": "en", "score": 0.5},
            "blob": bytes([i % 256]) * 3,
        }
        for i in range(n)
    ]


def write_table(path: Path, data: list[dict[str, object]], schema: pa.Schema = SCHEMA) -> Path:
    pq.write_table(pa.Table.from_pylist(data, schema=schema), path, row_group_size=7)
    return path


def test_rows_become_records_across_batches(tmp_path: Path) -> None:
    path = write_table(tmp_path / "shard.parquet", rows(25))
    records = list(ParquetReader(path, batch_rows=4))
    assert [r.line for r in records] == list(range(1, 26))
    assert [r.id for r in records[:3]] == ["0", "1", "2"]
    assert [r.url for r in records[:3]] == [None, "https://example.org/1", "https://example.org/2"]
    assert records[5].text == "Document 5: emoji 🙂, RTL שלום, NUL \x00."
    assert records[5].fields == rows(25)[5]
    assert records[5].where == f"{path}: row 6"
    assert all(r.kind == "text" and r.unit == "row" for r in records)


def test_round_trip_keeps_schema_and_values(tmp_path: Path) -> None:
    src = write_table(tmp_path / "in.parquet", rows(30))
    reader = ParquetReader(src, batch_rows=8)
    out = tmp_path / "out" / "in.parquet"
    with ParquetWriter(out, reader.schema, batch_rows=8) as writer:
        for record in reader:
            writer.write(record, record.text.upper())
    assert pq.read_schema(out).equals(pq.read_schema(src), check_metadata=True)
    back = list(ParquetReader(out))
    expected = rows(30)
    for row in expected:
        row["text"] = str(row["text"]).upper()
    assert [r.fields for r in back] == expected


def test_an_output_field_and_extras_become_columns(tmp_path: Path) -> None:
    src = write_table(tmp_path / "in.parquet", rows(3))
    reader = ParquetReader(src)
    out = tmp_path / "out.parquet"
    with ParquetWriter(out, reader.schema, output_field="clean", extra_fields=["dedup", "id"]) as writer:
        for record in reader:
            extra = {"dedup": {"removed": [{"reason": "rule", "text": "🙂"}]}} if record.line == 2 else {}
            writer.write(record, "cleaned", {**extra, "id": record.line})
    table = pq.read_table(out)
    assert table.schema.names == [*SCHEMA.names, "clean", "dedup"]
    assert table.schema.field("id").type == pa.string()  # an extra of an existing name replaces the column
    assert table.schema.field("dedup").type == pa.string()
    assert table.column("clean").to_pylist() == ["cleaned"] * 3
    assert table.column("text").to_pylist() == [r["text"] for r in rows(3)]
    assert table.column("dedup").to_pylist()[0] is None
    assert json.loads(table.column("dedup").to_pylist()[1]) == {"removed": [{"reason": "rule", "text": "🙂"}]}
    assert table.column("id").to_pylist() == ["1", "2", "3"]


def test_an_undeclared_extra_is_refused_and_nothing_is_left(tmp_path: Path) -> None:
    src = write_table(tmp_path / "in.parquet", rows(2))
    reader = ParquetReader(src)
    with (
        pytest.raises(OutputError, match="extra field 'dedup' was not declared"),
        ParquetWriter(tmp_path / "out.parquet", reader.schema) as writer,
    ):
        for record in reader:
            writer.write(record, record.text, {"dedup": {}})
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.parquet"]


def test_writes_are_repeatable(tmp_path: Path) -> None:
    src = write_table(tmp_path / "in.parquet", rows(40))
    reader = ParquetReader(src)
    outputs = []
    for run in range(2):
        path = tmp_path / f"out{run}.parquet"
        with ParquetWriter(path, reader.schema, extra_fields=["dedup"], batch_rows=16) as writer:
            for record in reader:
                writer.write(record, record.text, {"dedup": {"line": record.line}})
        outputs.append(path.read_bytes())
    assert outputs[0] == outputs[1]


def test_a_failure_midway_leaves_no_file(tmp_path: Path) -> None:
    src = write_table(tmp_path / "in.parquet", rows(50))
    before = src.read_bytes()
    reader = ParquetReader(src, batch_rows=10)
    target = tmp_path / "out.parquet"
    with pytest.raises(RuntimeError), ParquetWriter(target, reader.schema, batch_rows=10) as writer:
        for record in reader:
            writer.write(record, record.text)
            if record.line == 35:
                raise RuntimeError("stop")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.parquet"]
    assert src.read_bytes() == before


def test_a_missing_column_names_it_and_lists_the_columns(tmp_path: Path) -> None:
    path = write_table(tmp_path / "in.parquet", rows(2))
    for on_error in ("stop", "skip"):
        with pytest.raises(RecordError) as info:
            list(ParquetReader(path, FieldNames(text_field="content"), on_error))  # type: ignore[arg-type]
        assert str(info.value) == (
            f"{path}: no column 'content' (columns: 'id', 'url', 'text', 'when', 'price', 'tags', 'info', 'blob')"
        )


def test_text_that_is_not_a_string_is_a_bad_row(tmp_path: Path) -> None:
    schema = pa.schema([("text", pa.string()), ("n", pa.int32())])
    path = write_table(tmp_path / "in.parquet", [{"text": "a", "n": 1}, {"text": None, "n": 2}, {"text": "c"}], schema)
    with pytest.raises(RecordError) as info:
        list(ParquetReader(path))
    assert str(info.value) == f"{path}: row 2: 'text' is null, not a string"
    reader = ParquetReader(path, on_error="skip")
    assert [r.text for r in reader] == ["a", "c"]
    assert [str(s) for s in reader.skipped] == [f"{path}: row 2: 'text' is null, not a string"]


def test_a_non_string_text_column_fails_row_by_row(tmp_path: Path) -> None:
    schema = pa.schema([("text", pa.int64())])
    path = write_table(tmp_path / "in.parquet", [{"text": 1}, {"text": 2}], schema)
    reader = ParquetReader(path, on_error="skip")
    assert list(reader) == []
    assert [s.message for s in reader.skipped] == ["'text' is a number, not a string"] * 2
    assert [s.line for s in reader.skipped] == [1, 2]


def test_a_file_that_is_not_parquet(tmp_path: Path) -> None:
    path = tmp_path / "fake.parquet"
    path.write_bytes(b"PAR1 but not really")
    with pytest.raises(RecordError, match=r"fake\.parquet: not a readable Parquet file"):
        list(open_records(path))


def test_batch_rows_is_checked(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="batch_rows"):
        ParquetReader(tmp_path / "a.parquet", batch_rows=0)


def test_an_empty_input_gives_an_empty_file_with_the_schema(tmp_path: Path) -> None:
    src = write_table(tmp_path / "in.parquet", [])
    reader = ParquetReader(src)
    with ParquetWriter(tmp_path / "out.parquet", reader.schema) as writer:
        for record in reader:
            writer.write(record, record.text)
    table = pq.read_table(tmp_path / "out.parquet")
    assert table.num_rows == 0 and table.schema.names == SCHEMA.names


def test_reading_holds_a_row_group_not_the_file(tmp_path: Path) -> None:
    n = 200_000
    table = pa.table(
        {"id": pa.array(range(n)), "text": [f"paragraph {i} of a generated corpus. " * 4 for i in range(n)]}
    )
    path = tmp_path / "big.parquet"
    pq.write_table(table, path, row_group_size=10_000)
    size = table.nbytes
    del table
    base = pa.total_allocated_bytes()
    peak = 0
    count = 0
    for record in ParquetReader(path, batch_rows=1000):
        count += 1
        if count % 500 == 0:
            peak = max(peak, pa.total_allocated_bytes() - base)
        assert record.line == count
    assert count == n
    assert peak < size / 3, f"arrow held {peak} bytes reading a table of {size}"
