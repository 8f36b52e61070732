"""The public entry points: `clean` for documents in memory, `run` for paths on disk."""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from dedup.batch import flow
from dedup.batch.flow import PARTITIONS, BatchRun, Final
from dedup.batch.progress import Progress, make_progress
from dedup.batch.shard import text_hash
from dedup.batch.store import DiskStore
from dedup.config import Config
from dedup.deduper import iter_with_index, open_index
from dedup.document import Document, Result
from dedup.errors import DedupError, UsageError
from dedup.formats import RecordReader, SkippedRecord, WarcReader
from dedup.formats.atomic import AtomicFile
from dedup.output import check_outdir, check_unique_outputs, write_atomic, write_json
from dedup.pipeline import Pipeline
from dedup.readers import InputFile, InputWarning, discover, read_file
from dedup.recordfiles import RecordOutput, documents, is_record_file, open_reader, output_names
from dedup.render import output_name, render
from dedup.report import SummaryBuilder, dedup_version


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
    """What a run found; `skipped` are bad records of record files left out under `on_error="skip"`. `results`
    holds every document's result only when the run was asked to keep them (`keep_results`)."""

    results: tuple[Result, ...]
    summary: dict[str, Any]
    warnings: tuple[InputWarning, ...]
    skipped: tuple[SkippedRecord, ...] = ()


# The work directory of a run inside its output directory: the checkpoints `resume` continues from.
WORK_DIR = ".dedup-run"
MANIFEST = "manifest"
# The reading progress (bytes consumed) is updated once per this many records.
PROGRESS_EVERY = 256


def run(
    paths: Sequence[str],
    outdir: str | None,
    config: Config | None = None,
    *,
    write_text: bool = True,
    jobs: int = 1,
    resume: bool = False,
    progress: str = "none",
    keep_results: bool = True,
    report_to: TextIO | None = None,
    index: str | None = None,
    update_index: bool = False,
) -> RunReport:
    """Read `paths`, clean them and, when `outdir` is set, write the results there.

    Text and HTML files give one document each; record files (JSONL, Parquet, WARC) one per record, written back
    as records (see `dedup.recordfiles`). `outdir="-"` writes the cleaned text of a single text or HTML input to
    standard output. Nothing is written before every input has been read (a bad record under `on_error="stop"`
    fails the run with nothing written), and `summary.json` is written last: its presence marks a complete run.

    The run streams (see `dedup.batch.flow`): its state waits in `OUTDIR/.dedup-run/` (a temporary directory
    without an output directory), `jobs` worker processes share the per-shard work, and an interrupted run
    continues from its checkpoints with `resume=True` and ends with the same output. `progress` is "none",
    "auto", "bar" or "log" (standard error). `keep_results=False` keeps memory bounded on large corpora (the
    results are in report.jsonl); `report_to` streams report.jsonl lines to a text stream as well.

    `index` cleans the documents one at a time against the `Deduper` index saved at that path instead (see
    `dedup.deduper`): a near-duplicate of an indexed document names it in report.jsonl (`matched_index`), and
    `update_index` saves the grown index back (creating it when missing).
    """
    config = config or Config()
    if not paths:
        raise UsageError("no input given")
    if jobs < 1:
        raise UsageError(f"jobs must be at least 1, got {jobs}")
    files = discover(paths)
    out = None if outdir in (None, "-") else Path(outdir)
    # Readers are made before anything is read, so a missing optional extra fails at once, naming the file.
    readers = {item: open_reader(item, config.records) for item in files if is_record_file(item.id)}
    if outdir == "-" and (len(files) != 1 or readers):
        what = "a record file" if readers else f"{len(files)} files"
        raise UsageError(f"-o - writes one text or HTML document to standard output, but the inputs hold {what}")
    record_outputs = [name for item in readers for name in output_names(item, config.records)]
    if out is not None:
        _check_outdir(out, files, config.output.force, resume)
        check_unique_outputs([*(f.id for f in files if f not in readers), *record_outputs])
    if index is not None and (jobs > 1 or resume):
        raise UsageError("--index runs the documents one at a time against the index: drop --jobs and --resume")
    if update_index and index is None:
        raise UsageError("--update-index needs --index PATH")
    pipeline = Pipeline(config)
    with _work_store(out, files, config, resume) as store:
        total_bytes = sum(_size(f) for f in files)
        meter = make_progress(progress, total_bytes)
        writing = _Writing(out, outdir, config, write_text, keep_results, report_to, meter)
        try:
            reading = _Reading(files, readers, config.output.output_format, meter)
            if index is not None:
                _run_with_index(reading, index, update_index, config, writing, record_outputs)
            else:
                with BatchRun(pipeline, store, jobs, meter, partitions=PARTITIONS) as batch:
                    batch.analyse(reading.documents())
                    writing.check_names(reading, record_outputs)
                    finals: Iterator[Final] = iter(())
                    if batch.shards:
                        decisions = batch.decide()
                        meter.phase("write", batch.count, sum(s.chars for s in batch.shards))
                        finals = batch.results(decisions)
                    writing.write(finals, reading)
        finally:
            meter.close()
    return RunReport(tuple(writing.kept), writing.summary, tuple(reading.warnings), tuple(reading.skipped))


def _run_with_index(
    reading: _Reading,
    index: str,
    update: bool,
    config: Config,
    writing: _Writing,
    record_outputs: list[str],
) -> None:
    """Every document in order against a saved index (the library's Deduper), then the same write pass; the index
    is saved back, atomically, before summary.json when `update`."""
    # Nothing is written before every input has been read, as in a batch run.
    docs = list(reading.documents())
    writing.check_names(reading, record_outputs)
    deduper = open_index(index, config, create=update)
    before = len(deduper)
    matched = 0

    def finals() -> Iterator[Final]:
        nonlocal matched
        for x in iter_with_index(docs, deduper):
            matched += x.matched_index is not None
            meta = x.document.meta
            yield Final(x.result, meta.get("record"), meta.get("input"), x.document.kind, x.matched_index)

    def done(summary: dict[str, Any]) -> None:
        if update:
            deduper.save(index)
        summary["index"] = {"path": index, "documents_before": before, "matched": matched, "updated": update}

    writing.write(finals(), reading, done)


def _size(item: InputFile) -> int:
    try:
        return item.path.stat().st_size if item.path is not None else 0
    except OSError:
        return 0


def _check_outdir(out: Path, files: Sequence[InputFile], force: bool, resume: bool) -> None:
    work = out / WORK_DIR
    if work.exists() and not resume and not force:
        raise UsageError(
            f"{out} holds the checkpoints of an unfinished run: add --resume to continue it, or --force to start over"
        )
    if resume and work.exists():
        check_outdir(out, files, force=True)
        return
    check_outdir(out, files, force)
    if work.exists():
        shutil.rmtree(work)


def _manifest(files: Sequence[InputFile], config: Config) -> dict[str, Any]:
    inputs = []
    for f in files:
        stat = f.path.stat() if f.path is not None else None
        inputs.append([f.id, stat.st_size if stat else None, stat.st_mtime_ns if stat else None])
    return {
        "dedup_version": dedup_version(),
        "config": config.to_dict(),
        "inputs": inputs,
        "shard_docs": flow.SHARD_DOCS,
        "shard_chars": flow.SHARD_CHARS,
        "partitions": PARTITIONS,
    }


@contextmanager
def _work_store(out: Path | None, files: Sequence[InputFile], config: Config, resume: bool) -> Iterator[DiskStore]:
    """The run's work directory: kept when the run is interrupted (for `resume`), removed when it ends or fails
    on bad input (a resume could not help)."""
    if out is None or any(f.path is None for f in files):
        with tempfile.TemporaryDirectory(prefix="dedup-run-") as tmp:
            yield DiskStore(Path(tmp))
        return
    created = not out.exists()
    store = DiskStore(out / WORK_DIR)
    manifest = _manifest(files, config)
    if store.has(MANIFEST):
        if store.get(MANIFEST) != manifest:
            raise UsageError(
                f"the checkpoints in {out / WORK_DIR} belong to another run (other inputs, options or version); "
                "use --force to start over"
            )
    else:
        if resume and any(p.name != MANIFEST + ".pkl" for p in store.root.iterdir()):
            store.remove()
            store = DiskStore(out / WORK_DIR)
        store.put(MANIFEST, manifest)
    try:
        yield store
    except DedupError:
        store.remove()
        if created and out.exists() and not any(out.iterdir()):
            out.rmdir()
        raise
    store.remove()


class _Reading:
    """The documents of every input in order, with what reading them found: warnings, skipped and ignored
    records, and the output names of text and HTML documents."""

    def __init__(
        self, files: Sequence[InputFile], readers: dict[InputFile, RecordReader], fmt: str, meter: Progress
    ) -> None:
        self.files = files
        self.readers = readers
        self.fmt = fmt
        self.meter = meter
        self.warnings: list[InputWarning] = []
        self.skipped: list[SkippedRecord] = []
        self.ignored: Counter[str] = Counter()
        self.names: dict[str, str] = {}

    def documents(self) -> Iterator[Document]:
        seen: set[int] = set()
        done_bytes = count = 0
        for item in self.files:
            reader = self.readers.get(item)
            if reader is None:
                doc, warns = read_file(item)
                self.warnings.extend(warns)
                found: Iterable[Document] = [doc] if doc is not None else []
            else:
                found = documents(item, reader)
            for doc in found:
                # Ids are unique per input and inputs have unique names; only a file name holding ":" could clash.
                key = text_hash(doc.id)
                if key in seen:
                    raise UsageError(f"two documents have the id {doc.id!r}; clean these inputs in separate runs")
                seen.add(key)
                if reader is None:
                    self.names[doc.id] = output_name(doc.id, doc.kind, self.fmt)
                elif count % PROGRESS_EVERY == 0:  # a bar update per record would cost more than the record
                    self.meter.advance(0, 0, done_bytes + reader.position)
                count += 1
                yield doc
            if reader is not None:
                self.skipped.extend(reader.skipped)
                if isinstance(reader, WarcReader):
                    self.ignored.update(reader.ignored)
            done_bytes += _size(item)
            self.meter.advance(0, 0, done_bytes)


class _Writing:
    """The write pass: outputs in input order, report.jsonl streamed, and summary.json last."""

    def __init__(
        self,
        out: Path | None,
        outdir: str | None,
        config: Config,
        write_text: bool,
        keep_results: bool,
        report_to: TextIO | None,
        meter: Progress,
    ) -> None:
        self.out = out
        self.outdir = outdir
        self.config = config
        self.write_text = write_text
        self.keep_results = keep_results
        self.report_to = report_to
        self.meter = meter
        self.kept: list[Result] = []
        self.summary: dict[str, Any] = {}

    def check_names(self, reading: _Reading, record_outputs: list[str]) -> None:
        if self.out is not None:
            # HTML inputs change extension: page.html and page.htm (or page.txt beside page.html) would collide.
            check_unique_outputs([*reading.names.values(), *record_outputs])

    def write(
        self, finals: Iterator[Final], reading: _Reading, before_summary: Callable[[dict[str, Any]], None] | None = None
    ) -> None:
        out, config = self.out, self.config
        builder = SummaryBuilder()
        fmt = config.output.output_format
        if out is not None:
            out.mkdir(parents=True, exist_ok=True)
        report = AtomicFile(out / "report.jsonl") if out is not None else None
        records: dict[str, RecordOutput] = {}
        try:
            for final in finals:
                r = final.result
                builder.add(r)
                if self.keep_results:
                    self.kept.append(r)
                entry = r.to_dict()
                if final.matched_index is not None:
                    entry["matched_index"] = final.matched_index
                line = json.dumps(entry, ensure_ascii=False, sort_keys=True) + "\n"
                if report is not None:
                    report.fh.write(line.encode("utf-8"))
                if self.report_to is not None:
                    self.report_to.write(line)
                self.meter.advance(1, len(r.text))
                if not self.write_text:
                    continue
                if self.outdir == "-":
                    sys.stdout.write(render(r, fmt) if r.kept else "")
                    sys.stdout.flush()
                elif out is not None and final.record is not None:
                    writer = records.get(final.input or "")
                    if writer is None:
                        for finished in records.values():
                            finished.close()
                        records.clear()
                        item = next(f for f in reading.readers if f.id == final.input)
                        writer = records[item.id] = RecordOutput(out, item, reading.readers[item], config)
                    writer.write(final.record, r)
                elif out is not None and r.kept and r.id in reading.names:
                    write_atomic(out / reading.names[r.id], render(r, fmt))
            if out is not None and self.write_text:
                # A record file whose every record was skipped still gets its (empty) output.
                for item, reader in reading.readers.items():
                    if item.id not in records and not _written(out, item, config):
                        RecordOutput(out, item, reader, config).close()
            for finished in records.values():
                finished.close()
            records.clear()
        except BaseException:
            for w in records.values():
                w.abort()
            if report is not None:
                report.abort()
            raise
        self.summary = builder.build(config, reading.warnings, reading.skipped, reading.ignored)
        if before_summary is not None:
            before_summary(self.summary)
        if report is not None and out is not None:
            report.commit()
            write_json(out / "summary.json", self.summary)


def _written(out: Path, item: InputFile, config: Config) -> bool:
    return (out / output_names(item, config.records)[0]).exists()
