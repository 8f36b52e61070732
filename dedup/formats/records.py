"""What every record reader yields and how it fails: `Record`, `FieldNames`, `RecordError`, `SkippedRecord`.

A record file (JSONL, Parquet, WARC) holds many documents. A reader turns each into a `Record` and, for a bad one,
either raises `RecordError` (`on_error="stop"`) or leaves it out and appends a `SkippedRecord` to its `skipped`
list (`on_error="skip"`), so a skip is always data the caller can count and report, never a log line.
"""

from __future__ import annotations

import os
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, Literal, get_args

from dedup.document import Kind
from dedup.errors import ConfigError, DedupError, InputError

OnError = Literal["stop", "skip"]
# What `line` counts: lines of a JSONL file, rows of a Parquet file, records of a WARC file (all 1-based).
Unit = Literal["line", "row", "record"]

# A message lists at most this many of a record's field names; records with hundreds of fields exist.
_LISTED_FIELDS = 12


def locate(file: str, line: int | None, unit: Unit = "line", offset: int | None = None) -> str:
    """Where a record sits, as messages print it: `a.jsonl:17`, `a.parquet: row 17`, `a.warc: record 3 (...)`."""
    if line is None:
        return file
    if unit == "line":
        return f"{file}:{line}"
    if offset is None:
        return f"{file}: {unit} {line}"
    return f"{file}: {unit} {line} (byte offset {offset})"


class RecordError(InputError):
    """A record (or the rest of a record file) cannot be read; the message starts with where, as `locate` says."""

    def __init__(
        self, file: str, line: int | None, message: str, unit: Unit = "line", offset: int | None = None
    ) -> None:
        super().__init__(f"{locate(file, line, unit, offset)}: {message}")
        self.file = file
        self.line = line
        self.reason = message
        self.unit: Unit = unit
        self.offset = offset

    def __reduce__(self) -> tuple[Any, ...]:
        # Engines move errors between processes; the default pickling would call __init__ with the message only.
        return (type(self), (self.file, self.line, self.reason, self.unit, self.offset))


class MissingExtraError(DedupError):
    """An optional dependency a format needs is not installed; the message holds the exact `pip install` line."""

    def __init__(self, what: str, extra: str) -> None:
        self.what = what
        self.extra = extra
        self.hint = f"pip install 'dedup[{extra}]'"
        super().__init__(f"{what} needs the optional dependency '{extra}': {self.hint}")

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.what, self.extra))


@dataclass(frozen=True)
class SkippedRecord:
    """A record left out under `on_error="skip"`; `line` is None when the damage is not one record's (a cut file)."""

    file: str
    line: int | None
    message: str
    unit: Unit = "line"
    offset: int | None = None

    @classmethod
    def from_error(cls, error: RecordError) -> SkippedRecord:
        return cls(error.file, error.line, error.reason, error.unit, error.offset)

    def __str__(self) -> str:
        return f"{locate(self.file, self.line, self.unit, self.offset)}: {self.message}"

    def to_dict(self) -> dict[str, Any]:
        return {"file": self.file, self.unit: self.line, "offset": self.offset, "message": self.message}


@dataclass(frozen=True)
class FieldNames:
    """Which fields of a JSONL object or columns of a Parquet file hold a document's text, id and URL."""

    text_field: str = "text"
    id_field: str = "id"
    url_field: str = "url"

    def __post_init__(self) -> None:
        names = {"text_field": self.text_field, "id_field": self.id_field, "url_field": self.url_field}
        for option, value in names.items():
            if not isinstance(value, str) or not value:
                raise ConfigError(f"{option} must be a non-empty field name, got {value!r}")
        if self.text_field in (self.id_field, self.url_field):
            raise ConfigError(f"text_field {self.text_field!r} must differ from id_field and url_field")


@dataclass(frozen=True)
class Record:
    """One document of a record file.

    `line` is the 1-based position counted in `unit`s (JSONL line, Parquet row, WARC record); `offset` is a WARC
    record's byte offset (of its gzip member in a `.warc.gz`). `fields` is the original record, kept whole for the
    writer. `kind` "html" means `text` is a page's markup and `raw` its undecoded bytes. `notes` are things a user
    should hear about this record (such as how its bytes were decoded).
    """

    file: str
    line: int
    id: str
    text: str
    url: str | None = None
    fields: dict[str, Any] = field(default_factory=dict, hash=False)
    kind: Kind = "text"
    unit: Unit = "line"
    offset: int | None = None
    raw: bytes | None = field(default=None, repr=False, hash=False)
    notes: tuple[str, ...] = ()

    @property
    def where(self) -> str:
        return locate(self.file, self.line, self.unit, self.offset)


def describe(value: Any) -> str:
    """A value's type as a JSON-minded reader names it, for messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list | tuple):
        return "an array"
    if isinstance(value, Mapping):
        return "an object"
    if isinstance(value, bytes | bytearray):
        return "bytes"
    return type(value).__name__


def list_fields(names: Iterable[str]) -> str:
    listed = list(names)
    shown = ", ".join(repr(n) for n in listed[:_LISTED_FIELDS])
    more = len(listed) - _LISTED_FIELDS
    return f"{shown}, and {more} more" if more > 0 else shown or "none"


def record_from_mapping(obj: dict[str, Any], *, file: str, line: int, unit: Unit, names: FieldNames) -> Record:
    """Check one JSON object or Parquet row and make its `Record`; a problem raises `RecordError` for that line."""
    if names.text_field not in obj:
        what = "field" if unit == "line" else "column"
        raise RecordError(file, line, f"no {what} {names.text_field!r} (it has: {list_fields(obj)})", unit)
    text = obj[names.text_field]
    if not isinstance(text, str):
        raise RecordError(file, line, f"{names.text_field!r} is {describe(text)}, not a string", unit)
    return Record(
        file=file,
        line=line,
        id=_record_id(obj.get(names.id_field), names.id_field, file, line, unit),
        text=text,
        url=_record_url(obj.get(names.url_field), names.url_field, file, line, unit),
        fields=obj,
        unit=unit,
    )


def _record_id(value: Any, name: str, file: str, line: int, unit: Unit) -> str:
    if value is None:
        return f"{Path(file).name}:{line}"
    # Integer ids are common in exported corpora; anything else would make an ambiguous string.
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str):
        raise RecordError(file, line, f"{name!r} is {describe(value)}; an id must be a string or an integer", unit)
    if not value:
        raise RecordError(file, line, f"{name!r} is an empty string; leave the field out to get a generated id", unit)
    return value


def _record_url(value: Any, name: str, file: str, line: int, unit: Unit) -> str | None:
    if value is None or isinstance(value, str):
        return value or None
    raise RecordError(file, line, f"{name!r} is {describe(value)}, not a string", unit)


class RecordReader(ABC):
    """Iterate to get the records of one file, streaming; bad ones raise or land in `skipped` (see `on_error`).

    Each iteration reads the file again from its start and starts a fresh `skipped` list.
    """

    format: ClassVar[str]
    unit: ClassVar[Unit]

    def __init__(self, path: str | os.PathLike[str], fields: FieldNames | None = None, on_error: OnError = "stop"):
        if on_error not in get_args(OnError):
            raise ConfigError(f"on_error must be 'stop' or 'skip', got {on_error!r}")
        self.path = Path(path)
        self.file = os.fspath(path)
        self.fields = fields if fields is not None else FieldNames()
        self.on_error: OnError = on_error
        self.skipped: list[SkippedRecord] = []
        self._raw: Any = None  # the open file while iterating, for `position`

    @property
    def position(self) -> int:
        """Bytes of the file read so far (compressed bytes for a compressed file); 0 when unknown."""
        raw = self._raw
        try:
            return int(raw.tell()) if raw is not None and not raw.closed else 0
        except (OSError, ValueError):
            return 0

    def __iter__(self) -> Iterator[Record]:
        self.skipped = []
        return self._records()

    @abstractmethod
    def _records(self) -> Iterator[Record]: ...

    def _reject(self, error: RecordError) -> None:
        """Raise `error` or, under "skip", keep it as a `SkippedRecord`."""
        if self.on_error == "stop":
            raise error
        self.skipped.append(SkippedRecord.from_error(error))

    def _error(self, line: int | None, message: str, offset: int | None = None) -> RecordError:
        return RecordError(self.file, line, message, self.unit, offset)
