"""The public entry points: `clean` for documents in memory, `run` for paths on disk."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dedup.config import Config
from dedup.document import Document, Result
from dedup.errors import UsageError
from dedup.output import check_outdir, check_unique_outputs, write_atomic, write_json, write_jsonl
from dedup.pipeline import Pipeline
from dedup.readers import InputWarning, discover, read_all
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
    results: tuple[Result, ...]
    summary: dict[str, Any]
    warnings: tuple[InputWarning, ...]


def run(
    paths: Sequence[str],
    outdir: str | None,
    config: Config | None = None,
    *,
    write_text: bool = True,
) -> RunReport:
    """Read `paths`, clean them and, when `outdir` is set, write the results there.

    `outdir="-"` writes the cleaned text of a single input to standard output. Nothing is written
    before every input has been read, and `summary.json` is written last: its presence marks a
    complete run.
    """
    config = config or Config()
    if not paths:
        raise UsageError("no input given")
    files = discover(paths)
    out = None if outdir in (None, "-") else Path(outdir)
    if outdir == "-" and len(files) != 1:
        raise UsageError(f"-o - writes one document to standard output, but the inputs hold {len(files)}")
    if out is not None:
        check_outdir(out, files, config.output.force)
        check_unique_outputs(f.id for f in files)
    pipeline = Pipeline(config)
    docs: list[Document] = []
    warnings: list[InputWarning] = []
    for _item, doc, warns in read_all(files):
        warnings.extend(warns)
        if doc is not None:
            docs.append(doc)
    fmt = config.output.output_format
    names = {d.id: output_name(d.id, d.kind, fmt) for d in docs}
    if out is not None:
        # HTML inputs change extension: page.html and page.htm (or page.txt beside page.html) would collide.
        check_unique_outputs(names.values())
    results = pipeline.run(docs)
    summary = summarize(results, config, warnings)
    if outdir == "-" and write_text:
        sys.stdout.write(render(results[0], fmt) if results and results[0].kept else "")
        sys.stdout.flush()
    elif out is not None:
        out.mkdir(parents=True, exist_ok=True)
        if write_text:
            for r in results:
                if r.kept:
                    write_atomic(out / names[r.id], render(r, fmt))
        write_jsonl(out / "report.jsonl", (r.to_dict() for r in results))
        write_json(out / "summary.json", summary)
    return RunReport(tuple(results), summary, tuple(warnings))
