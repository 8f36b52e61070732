"""WARC crawls (`.warc`, `.warc.gz`), through FastWARC (the optional extra `warc`): the HTTP responses in them.

Only `response` records are read; others (warcinfo, request, metadata, revisit...) are passed over. A response
becomes a `Record` when it is an HTTP 2xx of an HTML type (`kind="html"`: `text` is the decoded markup, `raw` the
bytes) or of text/plain (`kind="text"`); every other response is not a document and is counted in `ignored`, by
content type ("image/png"), by status ("HTTP 404") or as "not HTTP". A record cut short, a body that its codings do
not decode, or a damaged file is a bad record (see `RecordReader`): never a record silently shortened.

Records are numbered from 1 over all records of the file; the offset is the record's byte offset in the file (for
`.warc.gz`, that of its gzip member, which is what WARC indexes hold).
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterator
from typing import Any

from dedup.document import Kind
from dedup.errors import InputError
from dedup.formats.compression import codec_of, open_decompressed
from dedup.formats.payload import PayloadError, decode_body, decode_page, decode_plain
from dedup.formats.records import FieldNames, MissingExtraError, OnError, Record, RecordError, RecordReader

SUFFIXES = (".warc", ".warc.gz")
_KINDS: dict[str, Kind] = {"text/html": "html", "application/xhtml+xml": "html", "text/plain": "text"}


def fastwarc_module(what: str) -> Any:
    """`fastwarc.warc`, imported at first use, or `MissingExtraError`."""
    try:
        import fastwarc.warc
    except ImportError as exc:
        raise MissingExtraError(what, "warc") from exc
    return fastwarc.warc


def warc_output_fields(record: Record, text: str) -> dict[str, Any]:
    """What a cleaned WARC response is written as (a JSONL object): its id, URL, WARC-Date and the cleaned text."""
    return {"id": record.id, "url": record.url, "date": record.fields.get("date"), "text": text}


class WarcReader(RecordReader):
    """The documents of a `.warc` or `.warc.gz` file (see the module docstring). `fields` is not used: a WARC
    record's id, URL and text come from its headers and payload."""

    format = "warc"
    unit = "record"

    def __init__(self, path: str | os.PathLike[str], fields: FieldNames | None = None, on_error: OnError = "stop"):
        super().__init__(path, fields, on_error)
        fastwarc_module(f"reading {self.file}")
        self.ignored: Counter[str] = Counter()

    def __iter__(self) -> Iterator[Record]:
        self.ignored = Counter()
        return super().__iter__()

    def _records(self) -> Iterator[Record]:
        warc = fastwarc_module(f"reading {self.file}")
        codec = codec_of(self.file)
        try:
            fh = open(self.path, "rb")  # noqa: SIM115 - closed by the with below, which must also cover the iterator
        except OSError as exc:
            raise InputError(f"cannot read {self.file}: {exc.strerror or exc}") from exc
        self._raw = fh
        with fh:
            stream, decoder = open_decompressed(fh, codec, track_members=True)
            # Decompression is ours (see dedup.formats.compression), so FastWARC must not detect and redo it.
            records = iter(warc.ArchiveIterator(stream, auto_decode="none", stream_detect=False, fsspec_args=False))
            number = 0
            last_rejected: int | None = None
            while True:
                try:
                    item = next(records)
                except StopIteration:
                    break
                except OSError as exc:
                    self._reject(self._error(number + 1, f"malformed WARC record ({exc})"))
                    return
                number += 1
                offset = decoder.member_offset(item.stream_pos) if decoder is not None else item.stream_pos
                try:
                    record = self._record(warc, item, number, offset)
                except OSError as exc:
                    raise InputError(f"cannot read {self.file} in record {number}: {exc.strerror or exc}") from exc
                except RecordError as exc:
                    last_rejected = number
                    self._reject(exc)
                    continue
                if record is not None:
                    yield record
            # A cut inside the last record was reported with that record; a cut between records is reported here.
            if decoder is not None and decoder.damage is not None and last_rejected != number:
                after = f"after record {number}" if number else "before the first record"
                message = f"{decoder.damage} (the member at byte offset {decoder.damage_offset}, {after})"
                self._reject(self._error(None, message))

    def _record(self, warc: Any, item: Any, number: int, offset: int) -> Record | None:
        """The document in one WARC record, None for a record that holds none; `RecordError` for a damaged one."""
        declared = item.headers.get("Content-Length")
        if declared is None or not declared.strip().isdigit():
            raise self._error(number, "truncated or malformed WARC header (no valid Content-Length)", offset)
        kind, ignored = _classify(item) if item.record_type == warc.WarcRecordType.response else (None, None)
        if kind is None:
            self._check_length(item.consume(), item, number, offset)
            if ignored is not None:
                self.ignored[ignored] += 1
            return None
        body = item.reader.read()
        self._check_length(len(body), item, number, offset)
        headers = item.http_headers
        try:
            payload, notes = decode_body(body, headers.get("Transfer-Encoding"), headers.get("Content-Encoding"))
        except PayloadError as exc:
            raise self._error(number, f"broken payload: {exc}", offset) from exc
        charset = item.http_charset
        text, more = decode_page(payload, charset) if kind == "html" else decode_plain(payload, charset)
        record_id = item.record_id or f"{self.path.name}:{number}"
        url = _target_uri(item.headers.get("WARC-Target-URI"))
        fields = {
            "url": url,
            "date": item.headers.get("WARC-Date"),
            "record_id": item.record_id,
            "content_type": (item.http_content_type or "").lower(),
            "charset": charset,
            "status": headers.status_code,
        }
        return Record(
            file=self.file,
            line=number,
            id=record_id,
            text=text,
            url=url,
            fields=fields,
            kind=kind,
            unit="record",
            offset=offset,
            raw=payload if kind == "html" else None,
            notes=(*notes, *more),
        )

    def _check_length(self, got: int, item: Any, number: int, offset: int) -> None:
        if got < item.content_length:
            raise self._error(number, f"truncated record: {got} of its {item.content_length} bytes are there", offset)


def _classify(item: Any) -> tuple[Kind | None, str | None]:
    """The kind of document a response holds, or None and why it holds none."""
    if not item.is_http:
        return None, "not HTTP"
    status = item.http_headers.status_code
    if status is None or not 200 <= status < 300:
        return None, f"HTTP {status}"
    content_type = (item.http_content_type or "").lower()
    kind = _KINDS.get(content_type)
    return kind, None if kind is not None else content_type or "no content type"


def _target_uri(value: str | None) -> str | None:
    # WARC 1.0's own examples wrap the URI in angle brackets, and some writers followed them.
    if value is None:
        return None
    value = value.strip()
    return value[1:-1] if value.startswith("<") and value.endswith(">") else value or None
