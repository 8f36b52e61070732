"""Turn paths into `Document`s: files, directories (recursively, text, HTML and record files), or `-` for stdin.

Record files (JSONL, Parquet, WARC: many documents each) are found here and read by `dedup.recordfiles`.

A document's id is its path relative to the input root (a file given directly is its own root's
child: its id is its name). Its source, for boilerplate detection, is the folder it sits in, named
from the input root (for HTML, the host of the page's canonical link comes first). Text is UTF-8 with or
without a BOM; invalid bytes are replaced and reported. HTML (`.html`, `.htm`, gzipped or not, or any file
whose content starts like a page) is decoded by `dedup.html.decode`. Problems that do not stop the run are
returned as `InputWarning`s, never only logged.
"""

from __future__ import annotations

import codecs
import sys
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from dedup.document import Document, Kind
from dedup.errors import InputError, UsageError
from dedup.formats import format_of
from dedup.html.decode import decode_html

TEXT_SUFFIXES = (".txt",)
HTML_SUFFIXES = (".html", ".htm", ".xhtml", ".html.gz", ".htm.gz", ".xhtml.gz")
_SNIFF = (b"<!doctype html", b"<html", b"<head", b"<?xml", b"<!--")
_BOM = b"\xef\xbb\xbf"
_GZIP_MAGIC = b"\x1f\x8b"
_WIDE_BOMS = (codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
# Share of control bytes (besides tab, CR, LF, FF) above which a file is treated as binary.
_BINARY_CONTROL_SHARE = 0.10


@dataclass(frozen=True)
class InputWarning:
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"

    def to_dict(self) -> dict[str, str]:
        return {"path": self.path, "message": self.message}


@dataclass(frozen=True)
class InputFile:
    """One input to read: `path` None means standard input."""

    path: Path | None
    id: str
    source: str
    root: Path | None = None  # the directory the id is relative to (a file's own folder if given directly)

    @property
    def display(self) -> str:
        return "<stdin>" if self.path is None else str(self.path)


def discover(paths: Sequence[str]) -> list[InputFile]:
    """Expand the command-line paths into files, in sorted order per root; missing paths are usage errors."""
    files: list[InputFile] = []
    for raw in paths:
        if raw == "-":
            files.append(InputFile(None, "stdin.txt", "<stdin>"))
            continue
        path = Path(raw)
        if not path.exists():
            raise UsageError(f"input path does not exist: {raw}")
        if path.is_dir():
            root_name = path.resolve().name or "."
            found = sorted(
                (p for p in path.rglob("*") if p.is_file() and _wanted(p.name)),
                key=lambda p: p.relative_to(path).as_posix(),
            )
            for p in found:
                rel = PurePosixPath(p.relative_to(path).as_posix())
                folder = root_name if str(rel.parent) == "." else f"{root_name}/{rel.parent}"
                files.append(InputFile(p, str(rel), folder, path))
        else:
            files.append(InputFile(path, path.name, path.resolve().parent.name or ".", path.parent))
    return files


def _wanted(name: str) -> bool:
    return name.lower().endswith(TEXT_SUFFIXES + HTML_SUFFIXES) or format_of(name) is not None


def decode(data: bytes, where: str) -> tuple[str, list[InputWarning]]:
    """UTF-8 (BOM stripped); invalid bytes become U+FFFD and are reported with their byte offset."""
    warnings: list[InputWarning] = []
    if data.startswith(_BOM):
        data = data[len(_BOM) :]
    try:
        return data.decode("utf-8"), warnings
    except UnicodeDecodeError as exc:
        offset = exc.start
        text = data.decode("utf-8", errors="replace")
        bad = text.count("\ufffd") - data.count("\ufffd".encode())
        warnings.append(
            InputWarning(where, f"invalid UTF-8 at byte offset {offset}; {bad} invalid sequence(s) replaced by U+FFFD")
        )
        return text, warnings


def looks_binary(data: bytes) -> bool:
    head = data[:8192]
    if b"\x00" in head:
        return True
    if not head:
        return False
    control = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13))
    return control / len(head) > _BINARY_CONTROL_SHARE


def is_html_name(name: str) -> bool:
    return name.lower().endswith(HTML_SUFFIXES)


def sniff_kind(name: str, data: bytes) -> Kind:
    """ "html" for an HTML file name, or for content that starts like a page; else "text"."""
    if is_html_name(name):
        return "html"
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith(_SNIFF) and (b"<html" in head or b"<head" in head or b"<body" in head or b"<!doctype" in head):
        return "html"
    return "text"


def gunzip(data: bytes, where: str) -> tuple[bytes, list[InputWarning]]:
    """Decompress gzip data; a truncated or corrupt stream keeps what was decoded and says so."""
    d = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        parts = [d.decompress(data)]
    except zlib.error as exc:
        raise InputError(f"not a readable gzip file ({exc})") from exc
    # A gzip file may hold several members (streams written one after another): read them all, as gzip does.
    while d.eof and d.unused_data.startswith(_GZIP_MAGIC):
        rest = d.unused_data
        d = zlib.decompressobj(16 + zlib.MAX_WBITS)
        try:
            parts.append(d.decompress(rest))
        except zlib.error as exc:
            out = b"".join(parts)
            message = f"corrupt gzip member ({exc}): kept the {len(out)} bytes decoded before it"
            return out, [InputWarning(where, message)]
    out = b"".join(parts)
    if not d.eof:
        return out, [InputWarning(where, f"truncated gzip stream: kept the {len(out)} bytes decoded before its end")]
    return out, []


def read_file(item: InputFile) -> tuple[Document | None, list[InputWarning]]:
    """Read one input; (None, [warning]) for a binary or unreadable-gzip file. Unreadable files raise InputError."""
    try:
        data = sys.stdin.buffer.read() if item.path is None else item.path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read {item.display}: {exc.strerror or exc}") from exc
    warnings: list[InputWarning] = []
    if item.id.lower().endswith(".gz"):
        try:
            data, warnings = gunzip(data, item.display)
        except InputError as exc:
            return None, [InputWarning(item.display, f"{exc}: skipped")]
    # A page in UTF-16 or UTF-32 is full of NUL bytes; its byte order mark tells it from binary data.
    wide = is_html_name(item.id) and data.startswith(_WIDE_BOMS)
    if not wide and looks_binary(data):
        return None, [*warnings, InputWarning(item.display, "binary content (NUL or control bytes): skipped")]
    if wide or sniff_kind(item.id, data) == "html":
        decoded = decode_html(data)
        warnings += [InputWarning(item.display, n) for n in decoded.notes]
        notes = tuple(w.message for w in warnings)
        meta = {"path": item.display, "notes": notes, "folder": item.source, "encoding": decoded.encoding}
        return Document(id=item.id, text=decoded.text, meta=meta, kind="html"), warnings
    text, more = decode(data, item.display)
    warnings += more
    notes = tuple(w.message for w in warnings)
    meta = {"path": item.display, "notes": notes}
    return Document(id=item.id, text=text, source=item.source, meta=meta), warnings


def read_all(files: Sequence[InputFile]) -> Iterator[tuple[InputFile, Document | None, list[InputWarning]]]:
    for item in files:
        doc, warnings = read_file(item)
        yield item, doc, warnings
