"""Parquet corpora, through pyarrow (the optional extra `parquet`), read and written in batches of rows.

Rows are numbered from 1 in file order. A missing text column stops the file whatever `on_error` says: no row of it
could be read. A row whose text is not a string (null included) is a bad record like any other.

The writer keeps the input's schema, with the text column replaced, or the `output_field` column added, and one
string column per declared extra field holding that field's value as JSON: a column needs one type for all rows, and a
report such as what was removed changes shape from row to row.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from dedup.errors import ConfigError, InputError, OutputError
from dedup.formats.atomic import AtomicFile, AtomicWriter
from dedup.formats.jsonl import to_json
from dedup.formats.records import (
    FieldNames,
    MissingExtraError,
    OnError,
    Record,
    RecordError,
    RecordReader,
    list_fields,
    record_from_mapping,
)

SUFFIXES = (".parquet",)
# Rows per batch: a few MB of text at typical document sizes; also the writer's row group size.
DEFAULT_BATCH_ROWS = 4096


def pyarrow_modules(what: str) -> tuple[Any, Any]:
    """`pyarrow` and `pyarrow.parquet`, imported at first use, or `MissingExtraError`."""
    try:
        import pyarrow
        import pyarrow.parquet
    except ImportError as exc:
        raise MissingExtraError(what, "parquet") from exc
    return pyarrow, pyarrow.parquet


def _check_batch_rows(batch_rows: int) -> None:
    if not isinstance(batch_rows, int) or batch_rows < 1:
        raise ConfigError(f"batch_rows must be a positive number of rows, got {batch_rows!r}; the default is 4096")


class ParquetReader(RecordReader):
    """The records of a `.parquet` file, `batch_rows` rows in memory at a time."""

    format = "parquet"
    unit = "row"

    def __init__(
        self,
        path: str | os.PathLike[str],
        fields: FieldNames | None = None,
        on_error: OnError = "stop",
        *,
        batch_rows: int = DEFAULT_BATCH_ROWS,
    ) -> None:
        super().__init__(path, fields, on_error)
        _check_batch_rows(batch_rows)
        self.batch_rows = batch_rows
        pyarrow_modules(f"reading {self.file}")

    @property
    def schema(self) -> Any:
        """The file's `pyarrow.Schema` (read from its footer), for a `ParquetWriter` of the cleaned output."""
        with self._open() as pf:
            return pf.schema_arrow

    def _open(self) -> Any:
        pa, pq = pyarrow_modules(f"reading {self.file}")
        try:
            return pq.ParquetFile(self.path)
        except FileNotFoundError as exc:
            raise InputError(f"cannot read {self.file}: {exc.strerror or exc}") from exc
        except (pa.ArrowException, OSError) as exc:
            raise RecordError(self.file, None, f"not a readable Parquet file ({exc})", "row") from exc

    def _records(self) -> Iterator[Record]:
        pa, _ = pyarrow_modules(f"reading {self.file}")
        with self._open() as pf:
            columns = pf.schema_arrow.names
            if self.fields.text_field not in columns:
                message = f"no column {self.fields.text_field!r} (columns: {list_fields(columns)})"
                raise RecordError(self.file, None, message, "row")
            batches = pf.iter_batches(batch_size=self.batch_rows)
            row = 0
            while True:
                try:
                    batch = next(batches)
                except StopIteration:
                    return
                except (pa.ArrowException, OSError) as exc:
                    self._reject(self._error(None, f"cannot read past row {row} ({exc})"))
                    return
                for obj in batch.to_pylist():
                    row += 1
                    try:
                        record = record_from_mapping(obj, file=self.file, line=row, unit="row", names=self.fields)
                    except RecordError as exc:
                        self._reject(exc)
                        continue
                    yield record


class ParquetWriter(AtomicWriter):
    """Writes a Parquet file to `path`, all or nothing, like `JsonlWriter` (a context manager the same way).

    `schema` is the input's (`ParquetReader.schema`). `write(record, text, extra)` writes the record's fields with
    the text column set to `text` (or, with `output_field`, that column); `extra` may only hold fields named in
    `extra_fields`, each stored as JSON text.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        schema: Any,
        *,
        fields: FieldNames | None = None,
        output_field: str | None = None,
        extra_fields: Sequence[str] = (),
        batch_rows: int = DEFAULT_BATCH_ROWS,
    ) -> None:
        pa, pq = pyarrow_modules(f"writing {os.fspath(path)}")
        _check_batch_rows(batch_rows)
        self.fields = fields if fields is not None else FieldNames()
        self.target = output_field or self.fields.text_field
        self.extra_fields = tuple(extra_fields)
        if self.target in self.extra_fields:
            raise ConfigError(f"extra field {self.target!r} would overwrite the text column; choose another name")
        self.schema = _output_schema(pa, schema, self.target, self.extra_fields)
        self.batch_rows = batch_rows
        self.count = 0
        self._pa = pa
        self._rows: list[dict[str, Any]] = []
        self._file = AtomicFile(path)
        self.path = self._file.path
        try:
            self._writer = pq.ParquetWriter(self._file.fh, self.schema)
        except BaseException:
            self._file.abort()
            raise

    def write(self, record: Record, text: str, extra: Mapping[str, Any] | None = None) -> None:
        if self._file.done:
            raise OutputError(f"cannot write to {self.path}: the writer is already closed")
        row = dict(record.fields)
        row[self.target] = text
        extra = extra or {}
        unknown = [name for name in extra if name not in self.extra_fields]
        if unknown:
            raise OutputError(
                f"extra field {unknown[0]!r} was not declared for {self.path}: name it in extra_fields when creating"
                " the writer (a Parquet file's columns are fixed when it starts)"
            )
        for name in self.extra_fields:
            row[name] = to_json(extra[name]) if name in extra else None
        self._rows.append(row)
        self.count += 1
        if len(self._rows) >= self.batch_rows:
            self._flush()

    def _close_sink(self) -> None:
        self._writer.close()

    def _flush(self) -> None:
        if not self._rows:
            return
        rows, self._rows = self._rows, []
        try:
            table = self._pa.Table.from_pylist(rows, schema=self.schema)
            self._writer.write_table(table)
        except (self._pa.ArrowException, TypeError, ValueError) as exc:
            self.abort()
            raise OutputError(f"cannot write rows to {self.path}: {exc}") from exc


def _output_schema(pa: Any, schema: Any, target: str, extra_fields: Sequence[str]) -> Any:
    """The input schema with the text column (string typed) and the extra JSON columns put in or added."""
    out = schema
    # string_view arrived in pyarrow 16; the extra allows 14.
    string_like = [pa.types.is_string, pa.types.is_large_string, getattr(pa.types, "is_string_view", None)]
    for name, keep_type in ((target, True), *((n, False) for n in extra_fields)):
        index = out.get_field_index(name)
        if index < 0:
            out = out.append(pa.field(name, pa.string()))
            continue
        current = out.field(index)
        if keep_type and any(check is not None and check(current.type) for check in string_like):
            continue
        out = out.set(index, pa.field(name, pa.string(), metadata=current.metadata))
    return out
