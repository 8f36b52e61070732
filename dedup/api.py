"""The public entry points: `clean` for documents in memory, `run` for paths on disk."""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dedup.config import Config
from dedup.document import Document, Result
from dedup.errors import UsageError
from dedup.formats import RecordReader, SkippedRecord, WarcReader
from dedup.output import check_outdir, check_unique_outputs, write_atomic, write_json, write_jsonl
from dedup.pipeline import Pipeline
from dedup.readers import InputFile, InputWarning, discover, read_file
from dedup.recordfiles import documents, is_record_file, open_reader, output_names, write_record_file
from dedup.render import output_name, render
from dedup.report import summarize


def clean(docs: str | Document | Iterable[str | Document], config: Config | None = None) -> list[Result]:
    """Clean documents and find their repeats; one `Result` per input document, in input order.

    `docs` is one string, one `Document`, or an iterable of either. Strings get ids "0", "1", ...
    and, having no URL, share one source (so boilerplate is looked for across all of them).
    """
    if isinstance(docs, str | Document):
        docs = [docs]
    prepared = [d if isinstance(d, Document) else Document(id=str(n), text=d) for n, d in enumerate(docs)]
    seen: set[str] = set()
    for d in prepared:
        if d.id in seen:
            raise UsageError(f"document id {d.id!r} occurs twice; ids must be unique within one call")
        seen.add(d.id)
    return Pipeline(config).run(prepared)


@dataclass(frozen=True)
class RunReport:
    """What a run found; `skipped` are bad records of record files left out under `on_error="skip"`."""

    results: tuple[Result, ...]
    summary: dict[str, Any]
    warnings: tuple[InputWarning, ...]
    skipped: tuple[SkippedRecord, ...] = ()


def run(
    paths: Sequence[str],
    outdir: str | None,
    config: Config | None = None,
    *,
    write_text: bool = True,
) -> RunReport:
    """Read `paths`, clean them and, when `outdir` is set, write the results there.

    Text and HTML files give one document each; record files (JSONL, Parquet, WARC) one per record, written back
    as records (see `dedup.recordfiles`). `outdir="-"` writes the cleaned text of a single text or HTML input to
    standard output. Nothing is written before every input has been read (a bad record under `on_error="stop"`
    fails the run with nothing written), and `summary.json` is written last: its presence marks a complete run.
    This path holds every document of the run in memory.
    """
    config = config or Config()
    if not paths:
        raise UsageError("no input given")
    files = discover(paths)
    out = None if outdir in (None, "-") else Path(outdir)
    # Readers are made before anything is read, so a missing optional extra fails at once, naming the file.
    readers = {item: open_reader(item, config.records) for item in files if is_record_file(item.id)}
    if outdir == "-" and (len(files) != 1 or readers):
        what = "a record file" if readers else f"{len(files)} files"
        raise UsageError(f"-o - writes one text or HTML document to standard output, but the inputs hold {what}")
    record_outputs = [name for item in readers for name in output_names(item, config.records)]
    if out is not None:
        check_outdir(out, files, config.output.force)
        check_unique_outputs([*(f.id for f in files if f not in readers), *record_outputs])
    pipeline = Pipeline(config)
    docs, warnings, skipped, ignored = _read(files, readers)
    fmt = config.output.output_format
    names = {d.id: output_name(d.id, d.kind, fmt) for d in docs if "record" not in d.meta}
    if out is not None:
        # HTML inputs change extension: page.html and page.htm (or page.txt beside page.html) would collide.
        check_unique_outputs([*names.values(), *record_outputs])
    results = pipeline.run(docs)
    summary = summarize(results, config, warnings, skipped, ignored)
    if outdir == "-" and write_text:
        sys.stdout.write(render(results[0], fmt) if results and results[0].kept else "")
        sys.stdout.flush()
    elif out is not None:
        out.mkdir(parents=True, exist_ok=True)
        if write_text:
            for r in results:
                if r.kept and r.id in names:
                    write_atomic(out / names[r.id], render(r, fmt))
            _write_records(out, readers, docs, results, config)
        write_jsonl(out / "report.jsonl", (r.to_dict() for r in results))
        write_json(out / "summary.json", summary)
    return RunReport(tuple(results), summary, tuple(warnings), tuple(skipped))


def _read(
    files: Sequence[InputFile], readers: dict[InputFile, RecordReader]
) -> tuple[list[Document], list[InputWarning], list[SkippedRecord], Counter[str]]:
    """Every input's documents in input order, with the warnings, skipped records and ignored WARC records."""
    docs: list[Document] = []
    warnings: list[InputWarning] = []
    skipped: list[SkippedRecord] = []
    ignored: Counter[str] = Counter()
    seen: set[str] = set()
    for item in files:
        reader = readers.get(item)
        if reader is None:
            doc, warns = read_file(item)
            warnings.extend(warns)
            found = [doc] if doc is not None else []
        else:
            found = list(documents(item, reader))
            skipped.extend(reader.skipped)
            if isinstance(reader, WarcReader):
                ignored.update(reader.ignored)
        for doc in found:
            # Ids are unique per input and inputs have unique names; only a file name holding ":" could clash.
            if doc.id in seen:
                raise UsageError(f"two documents have the id {doc.id!r}; clean these inputs in separate runs")
            seen.add(doc.id)
        docs.extend(found)
    return docs, warnings, skipped, ignored


def _write_records(
    out: Path, readers: dict[InputFile, RecordReader], docs: list[Document], results: list[Result], config: Config
) -> None:
    by_input: dict[str, list[tuple[Document, Result]]] = {}
    for doc, result in zip(docs, results, strict=True):
        if "record" in doc.meta:
            by_input.setdefault(doc.meta["input"], []).append((doc, result))
    for item, reader in readers.items():
        write_record_file(out, item, reader, by_input.get(item.id, []), config)
