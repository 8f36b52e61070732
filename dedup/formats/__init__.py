"""Streaming readers and writers of record files (JSONL, Parquet, WARC): many documents to a file.

`open_records(path)` picks the reader by suffix; iterating it yields `Record`s with bounded memory, and bad records
either raise `RecordError` or are collected in its `skipped` list. Writers put their file in place all at once, on
`close()`, and write the same bytes for the same records every time. Parquet, WARC and zstd need optional extras;
without them, use fails with a `MissingExtraError` that gives the `pip install` line.
"""

from dedup.formats.dispatch import Format, dropped_name, format_of, open_records, output_name
from dedup.formats.jsonl import JsonlReader, JsonlWriter
from dedup.formats.parquet import ParquetReader, ParquetWriter
from dedup.formats.records import (
    FieldNames,
    MissingExtraError,
    OnError,
    Record,
    RecordError,
    RecordReader,
    SkippedRecord,
)
from dedup.formats.warc import WarcReader, warc_output_fields

__all__ = [
    "FieldNames",
    "Format",
    "JsonlReader",
    "JsonlWriter",
    "MissingExtraError",
    "OnError",
    "ParquetReader",
    "ParquetWriter",
    "Record",
    "RecordError",
    "RecordReader",
    "SkippedRecord",
    "WarcReader",
    "dropped_name",
    "format_of",
    "open_records",
    "output_name",
    "warc_output_fields",
]
