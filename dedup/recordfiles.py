"""Record files (JSONL, Parquet, WARC) as documents, and their cleaned records written back in the input's format.

Reading: each record becomes a `Document` with the id `<input id>:<record id>`. The input id is the file's path
relative to its input root, as for text files (`shard/a.jsonl`); the record id is the record's id field (for WARC,
its WARC-Record-ID) or, for a record without one, its line, row or record number (`shard/a.jsonl:17`). Two records
of one file with the same id are a bad record (the second one), as ids must name one document in the report. The
document's URL is the record's, so its source (for boilerplate) is the URL's host; records without a URL share the
source of their file's folder, as text files do. `meta["record"]` keeps the `Record` (without WARC bytes), and
`meta["input"]` the input id, so the writer can rebuild the output record.

Writing (`write_record_file`): `OUT/<input id>` in the input's format (a WARC crawl becomes `<name>.jsonl` with
the fields of `warc_output_fields`), records in input order, every original field kept and the text field replaced
by the cleaned text (or, with `output_field`, the cleaned text added under that name). A near-duplicate document
dropped by the `keep` policy is left out (and written, as it was read, to `<name>.dropped.<suffix>` with
`write_dropped`); a document whose whole text was removed stays, with empty text. `removal_fields` adds a `dedup`
field: what was removed (spans, reasons, rules), compactly.

The readers stream and `documents` is lazy; `RecordOutput` writes one record at a time.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from dedup.config import REMOVAL_FIELD, Config, RecordsConfig
from dedup.document import Document, Result
from dedup.formats import (
    JsonlWriter,
    ParquetReader,
    ParquetWriter,
    Record,
    RecordError,
    RecordReader,
    SkippedRecord,
    WarcReader,
    dropped_name,
    format_of,
    open_records,
    output_name,
    warc_output_fields,
)
from dedup.readers import InputFile
from dedup.render import render


def is_record_file(name: str) -> bool:
    return format_of(name) is not None


def open_reader(item: InputFile, config: RecordsConfig) -> RecordReader:
    """The reader for one record file; a missing optional extra fails here, before anything is read."""
    if item.path is None:
        raise ValueError("standard input is read as text, not as a record file")
    return open_records(item.path, config.field_names, config.on_error)


def output_names(item: InputFile, config: RecordsConfig) -> list[str]:
    """The paths (relative to the output directory) a record file's output takes: the records, then the dropped."""
    name = output_name(item.id)
    return [name, dropped_name(name)] if config.write_dropped else [name]


def _record_key(record: Record, reader: RecordReader) -> str:
    """The record's own id, or its number when the reader had to make one up (it would repeat the file name)."""
    own = record.fields.get("record_id" if isinstance(reader, WarcReader) else reader.fields.id_field)
    return record.id if own is not None else str(record.line)


def documents(item: InputFile, reader: RecordReader) -> Iterator[Document]:
    """The documents of one record file, lazily; bad records raise or land in `reader.skipped` (its `on_error`)."""
    seen: dict[str, int] = {}
    for record in reader:
        key = _record_key(record, reader)
        if key in seen:
            error = RecordError(
                record.file,
                record.line,
                f"id {key!r} is used already by {record.unit} {seen[key]}; ids must be unique within a file "
                "(choose another field with --id-field, or a field the records lack to number them)",
                record.unit,
                record.offset,
            )
            if reader.on_error == "stop":
                raise error
            reader.skipped.append(SkippedRecord.from_error(error))
            continue
        seen[key] = record.line
        # The raw bytes of a WARC page are not needed past reading; the decoded markup is the document.
        kept = replace(record, raw=None) if record.raw is not None else record
        meta = {"path": record.where, "notes": record.notes, "folder": item.source, "record": kept, "input": item.id}
        yield Document(id=f"{item.id}:{key}", text=record.text, url=record.url, meta=meta, kind=record.kind)


def removal_field(result: Result) -> dict[str, Any]:
    """What a record's `dedup` field holds: its status, the removed spans (code-point offsets into the original
    text; for HTML into the page's visible text) with reason and rule, and its near-duplicate twin if any."""
    removed = []
    for r in result.removals:
        span: dict[str, Any] = {"start": r.start, "end": r.end, "reason": r.reason}
        if r.rule is not None:
            span["rule"] = r.rule
        removed.append(span)
    out: dict[str, Any] = {"status": "kept" if result.kept else "dropped", "removed": removed}
    if result.duplicate_of is not None:
        out["duplicate_of"] = result.duplicate_of
        out["similarity"] = round(result.similarity or 0.0, 4)
    return out


def _dropped_field(result: Result) -> dict[str, Any]:
    return {"status": "dropped", "duplicate_of": result.duplicate_of, "similarity": round(result.similarity or 0, 4)}


class RecordOutput:
    """One record file's cleaned output (and dropped companion) under `out`, written record by record in input
    order and published atomically by `close` (`abort` leaves nothing)."""

    def __init__(self, out: Path, item: InputFile, reader: RecordReader, config: Config) -> None:
        rc = config.records
        self.config = config
        self.reader = reader
        names = output_names(item, rc)
        extra_fields = (REMOVAL_FIELD,) if rc.removal_fields else ()
        self.writer = _writer(out / names[0], reader, rc, rc.output_field, extra_fields)
        self.dropped: JsonlWriter | ParquetWriter | None = None
        try:
            if rc.write_dropped:
                self.dropped = _writer(out / names[1], reader, rc, None, (REMOVAL_FIELD,))
        except BaseException:
            self.writer.abort()
            raise

    def write(self, record: Record, result: Result) -> None:
        if not result.kept:
            if self.dropped is not None:
                _write(self.dropped, self.reader, record, record.text, {REMOVAL_FIELD: _dropped_field(result)})
            return
        # render gives the file form (HTML inputs in the chosen output format) with a final newline to drop.
        text = render(result, self.config.output.output_format).removesuffix("\n")
        extra = {REMOVAL_FIELD: removal_field(result)} if self.config.records.removal_fields else None
        _write(self.writer, self.reader, record, text, extra)

    def abort(self) -> None:
        self.writer.abort()
        if self.dropped is not None:
            self.dropped.abort()

    def close(self) -> None:
        self.writer.close()
        if self.dropped is not None:
            self.dropped.close()


def write_record_file(
    out: Path, item: InputFile, reader: RecordReader, pairs: Sequence[tuple[Document, Result]], config: Config
) -> None:
    """Write one record file's cleaned output (and dropped companion) under `out`; `pairs` in input order."""
    output = RecordOutput(out, item, reader, config)
    try:
        for doc, result in pairs:
            output.write(doc.meta["record"], result)
    except BaseException:
        output.abort()
        raise
    output.close()


def _writer(
    path: Path, reader: RecordReader, rc: RecordsConfig, output_field: str | None, extra_fields: Sequence[str]
) -> JsonlWriter | ParquetWriter:
    if isinstance(reader, ParquetReader):
        return ParquetWriter(
            path, reader.schema, fields=rc.field_names, output_field=output_field, extra_fields=extra_fields
        )
    return JsonlWriter(path, fields=rc.field_names, output_field=output_field)


def _write(
    writer: JsonlWriter | ParquetWriter,
    reader: RecordReader,
    record: Record,
    text: str,
    extra: dict[str, Any] | None,
) -> None:
    if isinstance(reader, WarcReader) and isinstance(writer, JsonlWriter):
        writer.write_object({**warc_output_fields(record, text), **(extra or {})})
    else:
        writer.write(record, text, extra)
