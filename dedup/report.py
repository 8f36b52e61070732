"""The machine-readable report (`report.jsonl`, `summary.json`) and the human summary table.

Schema (version 1), documented in docs/report.md:
- report.jsonl: one JSON object per document, in input order: `Result.to_dict()`.
- summary.json: {"schema": 1, "dedup_version", "python", "config", "lsh", "documents", "paragraphs",
  "removed_by_reason", "removed_by_rule", "clusters", "warnings", "skipped_records", "ignored_records"}.
"""

from __future__ import annotations

import platform
from collections import Counter
from collections.abc import Mapping, Sequence
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from dedup.config import Config
from dedup.document import Result
from dedup.formats import SkippedRecord
from dedup.lsh import candidate_threshold, choose_params
from dedup.readers import InputWarning

SCHEMA_VERSION = 1


def dedup_version() -> str:
    try:
        return version("dedup")
    except PackageNotFoundError:
        return "unknown"


def lsh_description(config: Config) -> dict[str, Any]:
    """The bands and rows actually used, and how likely a pair at and around the threshold is caught."""
    out: dict[str, Any] = {}
    for name, threshold in (("paragraphs", config.repeats.threshold), ("documents", config.repeats.doc_threshold)):
        p = choose_params(candidate_threshold(threshold), config.minhash.num_perm)
        out[name] = {
            "threshold": threshold,
            "candidate_threshold": p.threshold,
            "bands": p.bands,
            "rows": p.rows,
            "p_candidate": {
                f"{s:.2f}": round(p.probability(s), 4)
                for s in (threshold - 0.1, threshold, threshold + 0.1)
                if 0.0 < s <= 1.0
            },
        }
    return out


def skipped_dict(skip: SkippedRecord) -> dict[str, Any]:
    """A skipped record as summary.json lists it: `line` counts the file's `unit`s (line, row or WARC record) and
    is null when the damage is not one record's (a cut file); `offset` is a WARC record's byte offset."""
    out: dict[str, Any] = {"file": skip.file, "line": skip.line, "unit": skip.unit, "message": skip.message}
    if skip.offset is not None:
        out["offset"] = skip.offset
    return out


class SummaryBuilder:
    """summary.json built one result at a time, so a run of any size never holds its results for it."""

    def __init__(self) -> None:
        self.total = self.dropped = self.empty = self.paragraphs = self.removed = 0
        self.by_reason: Counter[str] = Counter()
        self.by_rule: Counter[str] = Counter()
        self.clusters: dict[str, list[dict[str, Any]]] = {}

    def add(self, r: Result) -> None:
        self.total += 1
        self.dropped += not r.kept
        self.empty += r.paragraphs == 0
        self.paragraphs += r.paragraphs
        self.removed += len(r.removals)
        for rm in r.removals:
            self.by_reason[rm.reason] += 1
            if rm.rule:
                self.by_rule[rm.rule] += 1
        if r.duplicate_of is not None:
            self.clusters.setdefault(r.duplicate_of, []).append(
                {"id": r.id, "similarity": round(r.similarity or 0.0, 4), "dropped": not r.kept}
            )

    def build(
        self,
        config: Config,
        warnings: Sequence[InputWarning],
        skipped: Sequence[SkippedRecord] = (),
        ignored: Mapping[str, int] | None = None,
    ) -> dict[str, Any]:
        by_reason = Counter(self.by_reason)
        by_reason["near_duplicate_document"] = self.dropped
        return {
            "schema": SCHEMA_VERSION,
            "dedup_version": dedup_version(),
            "python": platform.python_version(),
            "config": config.to_dict(),
            "lsh": lsh_description(config),
            "documents": {
                "total": self.total,
                "kept": self.total - self.dropped,
                "dropped": self.dropped,
                "empty": self.empty,
            },
            "paragraphs": {"total": self.paragraphs, "removed": self.removed},
            "removed_by_reason": dict(sorted(by_reason.items())),
            "removed_by_rule": dict(sorted(self.by_rule.items())),
            "clusters": [{"kept": k, "members": v} for k, v in sorted(self.clusters.items())],
            "warnings": [w.to_dict() for w in warnings],
            "skipped_records": {"count": len(skipped), "records": [skipped_dict(k) for k in skipped]},
            "ignored_records": dict(sorted((ignored or {}).items())),
        }


def summarize(
    results: Sequence[Result],
    config: Config,
    warnings: Sequence[InputWarning],
    skipped: Sequence[SkippedRecord] = (),
    ignored: Mapping[str, int] | None = None,
) -> dict[str, Any]:
    """The summary.json object. `skipped` are the bad records left out (on_error "skip"); `ignored` counts WARC
    records that hold no document, by content type or status."""
    builder = SummaryBuilder()
    for r in results:
        builder.add(r)
    return builder.build(config, warnings, skipped, ignored)


def summary_table(summary: dict[str, Any]) -> Any:
    """A rich Table of the summary, for the terminal."""
    from rich.table import Table

    table = Table(title="dedup summary", show_header=True, header_style="bold")
    table.add_column("what")
    table.add_column("count", justify="right")
    docs = summary["documents"]
    table.add_row("documents", str(docs["total"]))
    table.add_row("  kept", str(docs["kept"]))
    table.add_row("  dropped (near-duplicate)", str(docs["dropped"]))
    table.add_row("  empty", str(docs["empty"]))
    table.add_row("paragraphs", str(summary["paragraphs"]["total"]))
    table.add_row("  removed", str(summary["paragraphs"]["removed"]))
    for reason, n in summary["removed_by_reason"].items():
        if reason != "near_duplicate_document":
            table.add_row(f"    {reason}", str(n))
    table.add_row("near-duplicate clusters", str(len(summary["clusters"])))
    table.add_row("warnings", str(len(summary["warnings"])))
    if summary["skipped_records"]["count"]:
        table.add_row("bad records skipped", str(summary["skipped_records"]["count"]))
    return table
