"""JSON Lines corpora: one JSON object per line, plain, `.gz` or `.zst`.

Reading streams line by line, so memory holds one line at a time, never the file. Line numbers are physical lines
of the decompressed file, blank lines included, so a message points where an editor would. Blank (whitespace-only)
lines are not records and are passed over without a note; a UTF-8 byte order mark before the first line is ignored.
Everything else that is not an object with a string text field is a bad record (see `RecordReader`).

Writing keeps every field of the original object in its order (values, not bytes: `1.50` comes back as `1.5`) and
produces the same bytes for the same records on every run.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Mapping
from typing import Any

from dedup.errors import ConfigError, InputError, OutputError
from dedup.formats.atomic import AtomicFile, AtomicWriter
from dedup.formats.compression import codec_of, compressing_writer, open_decompressed, zstandard_module
from dedup.formats.records import (
    FieldNames,
    OnError,
    Record,
    RecordError,
    RecordReader,
    describe,
    record_from_mapping,
)

SUFFIXES = (".jsonl", ".jsonl.gz", ".jsonl.zst")
_BOM = b"\xef\xbb\xbf"
# Encoded lines are gathered up to this size before a write: one compressor call per line is slow.
_WRITE_BUFFER = 1 << 18


class JsonlReader(RecordReader):
    """The records of a `.jsonl`, `.jsonl.gz` or `.jsonl.zst` file (see the module docstring for the rules)."""

    format = "jsonl"
    unit = "line"

    def __init__(self, path: str | os.PathLike[str], fields: FieldNames | None = None, on_error: OnError = "stop"):
        super().__init__(path, fields, on_error)
        self.codec = codec_of(self.file)
        if self.codec == "zstd":
            zstandard_module(f"reading {self.file}")

    def _records(self) -> Iterator[Record]:
        try:
            fh = open(self.path, "rb")  # noqa: SIM115 - closed by the with below, which must also cover the decoder
        except OSError as exc:
            raise InputError(f"cannot read {self.file}: {exc.strerror or exc}") from exc
        self._raw = fh
        with fh:
            stream, decoder = open_decompressed(fh, self.codec)
            complete = 0
            try:
                for raw in stream:
                    if not raw.endswith(b"\n") and decoder is not None and decoder.damage is not None:
                        break  # the cut-off tail of a damaged stream, not a line
                    complete += 1
                    record = self._parse(raw, complete)
                    if record is not None:
                        yield record
            except OSError as exc:
                raise InputError(f"cannot read {self.file} after line {complete}: {exc.strerror or exc}") from exc
            if decoder is not None and decoder.damage is not None:
                message = (
                    f"{decoder.damage}; line {complete} is the last complete line, and the lines up to it were read"
                )
                self._reject(self._error(None, message))

    def _parse(self, raw: bytes, line: int) -> Record | None:
        if line == 1 and raw.startswith(_BOM):
            raw = raw[len(_BOM) :]
        # Without its terminator, a line cut inside a string reads as "Unterminated string", not a control character.
        raw = raw.removesuffix(b"\n").removesuffix(b"\r")
        if not raw.strip():
            return None
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            where = f"byte {raw[exc.start]:#04x} at byte {exc.start + 1} of the line"
            self._reject(self._error(line, f"not valid UTF-8 ({where})"))
            return None
        try:
            obj = json.loads(text)
        except json.JSONDecodeError as exc:
            self._reject(self._error(line, f"not valid JSON: {exc.msg} (column {exc.colno})"))
            return None
        except RecursionError:
            self._reject(self._error(line, "not valid JSON: nested too deeply"))
            return None
        if not isinstance(obj, dict):
            self._reject(self._error(line, f"not a JSON object but {describe(obj)}"))
            return None
        try:
            return record_from_mapping(obj, file=self.file, line=line, unit="line", names=self.fields)
        except RecordError as exc:
            self._reject(exc)
            return None


def to_json(value: Any) -> str:
    """Compact JSON, the same text for the same value every time."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        # A lone surrogate (read from a `\ud800` escape) has no UTF-8 form; ASCII escapes keep it exactly.
        text = json.dumps(value, ensure_ascii=True, separators=(",", ":"))
    return text


def dumps(obj: Mapping[str, Any]) -> bytes:
    """One JSON line, newline included, as UTF-8."""
    return (to_json(obj) + "\n").encode("utf-8")


class JsonlWriter(AtomicWriter):
    """Writes JSON Lines to `path`, all or nothing: the file appears at `close()`; an error or `abort()` leaves none.

    Use it as a context manager: leaving the block normally closes (commits) it, leaving on an exception aborts it.
    `.gz` and `.zst` names are compressed. `write(record, text, extra)` writes the record's original fields with the
    text field replaced by `text`, or, with `output_field`, kept and joined by that field; `extra` fields (such as a
    report of what was removed) come last, or in place of a field of the same name.
    """

    def __init__(
        self, path: str | os.PathLike[str], *, fields: FieldNames | None = None, output_field: str | None = None
    ) -> None:
        self.fields = fields if fields is not None else FieldNames()
        if output_field is not None and not output_field:
            raise ConfigError("output_field must be a field name, or None to replace the text field")
        self.target = output_field or self.fields.text_field
        self.count = 0
        codec = codec_of(os.fspath(path))
        if codec == "zstd":
            zstandard_module(f"writing {os.fspath(path)}")
        self._file = AtomicFile(path)
        self.path = self._file.path
        try:
            self._sink = compressing_writer(self._file.fh, codec)
        except BaseException:
            self._file.abort()
            raise
        self._pending: list[bytes] = []
        self._pending_size = 0

    def write(self, record: Record, text: str, extra: Mapping[str, Any] | None = None) -> None:
        obj = dict(record.fields)
        obj[self.target] = text
        if extra:
            obj.update(extra)
        self.write_object(obj)

    def write_object(self, obj: Mapping[str, Any]) -> None:
        """Write one object as it is (for output that is not a record's own fields, such as WARC records)."""
        if self._file.done:
            raise OutputError(f"cannot write to {self.path}: the writer is already closed")
        try:
            data = dumps(obj)
        except (TypeError, ValueError) as exc:
            raise OutputError(f"cannot write a record to {self.path} as JSON: {exc}") from exc
        self._pending.append(data)
        self._pending_size += len(data)
        self.count += 1
        if self._pending_size >= _WRITE_BUFFER:
            self._flush()

    def _close_sink(self) -> None:
        self._sink.close()

    def _flush(self) -> None:
        if not self._pending:
            return
        data = b"".join(self._pending)
        self._pending = []
        self._pending_size = 0
        try:
            self._sink.write(data)
        except OSError as exc:
            self.abort()
            raise OutputError(f"cannot write {self.path}: {exc.strerror or exc}") from exc
