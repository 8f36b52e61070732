"""Safe output: checks on the output directory, and atomic file writes."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from dedup.errors import OutputError, UsageError
from dedup.formats.atomic import AtomicFile
from dedup.readers import InputFile


def check_outdir(outdir: Path, files: Sequence[InputFile], force: bool) -> None:
    """Refuse an output directory inside an input tree, or a non-empty one without `force`."""
    target = outdir.resolve()
    for root in sorted({f.root.resolve() for f in files if f.root is not None}):
        if target == root or root in target.parents:
            raise UsageError(f"output directory {outdir} is inside the input tree {root}; choose another")
    if outdir.exists():
        if not outdir.is_dir():
            raise UsageError(f"output path {outdir} exists and is not a directory")
        if any(outdir.iterdir()) and not force:
            raise UsageError(f"output directory {outdir} is not empty; use --force to write into it anyway")


# The run's own files at the top of the output directory; no input may write over them.
REPORT_FILES = ("report.jsonl", "summary.json")


def check_unique_outputs(relpaths: Iterable[str]) -> None:
    seen: set[str] = set()
    for rel in relpaths:
        if rel in REPORT_FILES:
            raise UsageError(
                f"an input would write {rel!r}, the name of the run's own report; rename it or put it in a folder"
            )
        if rel in seen:
            raise UsageError(f"two inputs would write the same output path {rel!r}; clean them in separate runs")
        seen.add(rel)


def write_atomic(path: Path, data: str | bytes) -> None:
    """Write via a temporary file in the same directory and rename, so a reader never sees half a file. The file
    gets the usual umask mode, like the record writers' (a `mkstemp` file would stay 0600)."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    target = AtomicFile(path)
    try:
        target.fh.write(raw)
    except OSError as exc:
        target.abort()
        raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from exc
    except BaseException:
        target.abort()
        raise
    target.commit()


def write_jsonl(path: Path, records: Iterable[dict[str, Any]]) -> None:
    write_atomic(path, "".join(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n" for r in records))


def write_json(path: Path, record: dict[str, Any]) -> None:
    write_atomic(path, json.dumps(record, ensure_ascii=False, indent=2, sort_keys=True) + "\n")
