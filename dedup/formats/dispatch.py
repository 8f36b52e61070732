"""Choosing a reader by file name, and naming a file's cleaned output."""

from __future__ import annotations

import os
from typing import Literal

from dedup.errors import UsageError
from dedup.formats import jsonl, parquet, warc
from dedup.formats.jsonl import JsonlReader
from dedup.formats.parquet import ParquetReader
from dedup.formats.records import FieldNames, OnError, RecordReader
from dedup.formats.warc import WarcReader

Format = Literal["jsonl", "parquet", "warc"]

_SUFFIXES: tuple[tuple[str, Format], ...] = (
    *((s, "jsonl") for s in jsonl.SUFFIXES),
    *((s, "parquet") for s in parquet.SUFFIXES),
    *((s, "warc") for s in warc.SUFFIXES),
)
_WARC_OUTPUT_SUFFIX = ".jsonl"


def _match(name: str) -> tuple[str, Format] | None:
    lower = name.lower()
    for suffix, fmt in _SUFFIXES:
        if lower.endswith(suffix):
            return suffix, fmt
    return None


def format_of(path: str | os.PathLike[str]) -> Format | None:
    """The record format a file name says (case aside), or None for a file that is not a record file."""
    found = _match(os.fspath(path))
    return found[1] if found else None


def open_records(
    path: str | os.PathLike[str], fields: FieldNames | None = None, on_error: OnError = "stop"
) -> RecordReader:
    """A reader for `path`, chosen by its suffix; iterate it for the records, then look at its `skipped`."""
    fmt = format_of(path)
    if fmt == "jsonl":
        return JsonlReader(path, fields, on_error)
    if fmt == "parquet":
        return ParquetReader(path, fields, on_error)
    if fmt == "warc":
        return WarcReader(path, fields, on_error)
    known = ", ".join(suffix for suffix, _ in _SUFFIXES)
    raise UsageError(f"{os.fspath(path)} is not a record file this version reads (known: {known})")


def output_name(input_name: str) -> str:
    """The name of a record file's cleaned output: a WARC crawl becomes JSON Lines (`crawl.warc.gz` gives
    `crawl.jsonl`); JSONL and Parquet keep their names, compression included."""
    found = _match(input_name)
    if found is None:
        raise UsageError(f"{input_name} is not a record file this version reads")
    suffix, fmt = found
    if fmt != "warc":
        return input_name
    return input_name[: -len(suffix)] + _WARC_OUTPUT_SUFFIX


def dropped_name(output: str) -> str:
    """The companion file for records left out of `output`: `corpus.jsonl.gz` gives `corpus.dropped.jsonl.gz`."""
    found = _match(output)
    if found is None or found[1] == "warc":
        raise UsageError(f"{output} is not a JSONL or Parquet output name")
    suffix = found[0]
    return f"{output[: -len(suffix)]}.dropped{output[-len(suffix) :]}"
