"""How well dedup's text cleaner removes debris from naive scraped text, scored against gold text.

Each page of the evaluation sets (`../shared/eval`, read-only) is turned into naive text (`benchmarks.naive_text`:
every visible block, debris included), which is the floor. All pages of a set then go through `dedup.clean` in one
call, so cross-page boilerplate works among pages of the same host, and both texts are scored with the set's own
metric (`benchmarks.scoring`). Pages are split by a hash of their host into a tuning two-thirds and a reporting third
that never share a domain; tune on the first, quote the second.

    python -m benchmarks.eval_text [--set aeb|wcxb|all] [--split tune|report|all] [--limit N]
                                   [--eval-dir DIR] [--markdown]
"""

from __future__ import annotations

import argparse
import hashlib
import importlib
import json
import shlex
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from benchmarks import naive_text as naive_module
from benchmarks.naive_text import naive_text, read_page
from benchmarks.scoring import SetScore, aeb_scores, aggregate_aeb, aggregate_wcxb, wcxb_scores

DEFAULT_EVAL_DIR = Path(__file__).resolve().parents[2] / "shared" / "eval"
CACHE_DIR = Path(__file__).resolve().parent / ".cache" / "naive"
SPLITS: tuple[str, ...] = ("tune", "report", "all")
RECALL_KEEP = 0.97  # dedup must keep at least this share of the floor's recall
PRECISION_GAIN = 0.10  # and raise precision by at least this much over the floor


@dataclass(frozen=True)
class Page:
    """One evaluation page: where its HTML lives, its gold text and what the split and report rows need."""

    set_name: str
    id: str
    url: str | None
    gold: str
    html_path: Path
    page_type: str | None = None

    @property
    def split(self) -> str:
        return split_of(self.url, self.id)


@dataclass(frozen=True)
class DedupRun:
    """dedup's cleaned texts in page order, the one-call wall time, and per-page single-document timings."""

    texts: list[str]
    batch_seconds: float
    page_ms: list[float]


@dataclass(frozen=True)
class Row:
    """One line of the results table."""

    set_label: str
    split: str
    pages: int
    floor: SetScore
    dedup: SetScore | None
    median_ms: float | None
    p95_ms: float | None

    @property
    def recall_ok(self) -> bool | None:
        return None if self.dedup is None else self.dedup.recall >= RECALL_KEEP * self.floor.recall

    @property
    def precision_ok(self) -> bool | None:
        return None if self.dedup is None else self.dedup.precision >= self.floor.precision + PRECISION_GAIN

    @property
    def verdict(self) -> str:
        if self.dedup is None:
            return "n/a"
        return "PASS" if self.recall_ok and self.precision_ok else "FAIL"


# --- loading -----------------------------------------------------------------------------------------------------


def host_key(url: str | None) -> str:
    """The host a page is grouped by: lowercased, without a leading "www."; empty when the URL has none."""
    host = (urlsplit(url).hostname or "") if url else ""
    return host.removeprefix("www.")


def split_of(url: str | None, page_id: str) -> str:
    """ "report" for hosts whose sha1's first byte is divisible by 3, else "tune"; stable across runs and machines.

    Pages without a URL are keyed by their id, so they still land in one split deterministically.
    """
    key = host_key(url) or f"id:{page_id}"
    return "report" if hashlib.sha1(key.encode("utf-8")).digest()[0] % 3 == 0 else "tune"


def load_aeb(eval_dir: Path) -> list[Page]:
    """The article-extraction-benchmark pages: gold is `articleBody`."""
    base = eval_dir / "aeb"
    truth: dict[str, dict[str, Any]] = json.loads((base / "ground-truth.json").read_text(encoding="utf-8"))
    return [
        Page(
            "aeb",
            page_id,
            entry.get("url") or None,
            entry.get("articleBody") or "",
            base / "html" / f"{page_id}.html.gz",
        )
        for page_id, entry in sorted(truth.items())
    ]


def load_wcxb(eval_dir: Path) -> list[Page]:
    """The wcxb-dev pages: gold is `ground_truth.main_content`, page type from `_internal.page_type.primary`."""
    base = eval_dir / "wcxb-dev"
    pages = []
    for path in sorted((base / "ground-truth").glob("*.json")):
        entry = json.loads(path.read_text(encoding="utf-8"))
        truth = entry.get("ground_truth") or {}
        page_type = ((entry.get("_internal") or {}).get("page_type") or {}).get("primary")
        url = entry.get("url") or truth.get("url") or None
        html = base / "html" / f"{path.stem}.html.gz"
        pages.append(Page("wcxb", path.stem, url, truth.get("main_content") or "", html, page_type))
    return pages


LOADERS: dict[str, Callable[[Path], list[Page]]] = {"aeb": load_aeb, "wcxb": load_wcxb}


# --- naive text with an on-disk cache ----------------------------------------------------------------------------


def converter_key() -> str:
    """A hash of the converter's source: the cache is rebuilt whenever `naive_text.py` changes."""
    source = Path(naive_module.__file__).read_bytes()
    return hashlib.sha1(source).hexdigest()[:16]


def naive_texts(pages: Sequence[Page], cache_dir: Path = CACHE_DIR) -> list[str]:
    """Naive text of each page, from `cache_dir/<set>/<id>.txt` when it was built by the current converter."""
    key = converter_key()
    prepared: set[str] = set()
    out = []
    for page in pages:
        folder = cache_dir / page.set_name
        if page.set_name not in prepared:
            _prepare_cache(folder, key)
            prepared.add(page.set_name)
        cached = folder / f"{page.id}.txt"
        if cached.exists():
            out.append(cached.read_text(encoding="utf-8"))
            continue
        text = naive_text(read_page(page.html_path))
        _write_atomic(cached, text)
        out.append(text)
    return out


def _prepare_cache(folder: Path, key: str) -> None:
    """Empty a set's cache folder when its stamp names another converter version, then stamp it."""
    stamp = folder / ".key"
    if stamp.exists() and stamp.read_text(encoding="utf-8").strip() == key:
        return
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.glob("*.txt"):
        stale.unlink()
    _write_atomic(stamp, key)


def _write_atomic(path: Path, text: str) -> None:
    """Write through a temporary name so an interrupted run never leaves a truncated cache entry."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


# --- dedup -------------------------------------------------------------------------------------------------------


def load_dedup() -> tuple[Any, str | None]:
    """The dedup module if its `clean` API is importable, else None and the reason (the floor still runs)."""
    try:
        module = importlib.import_module("dedup")
        module.clean  # noqa: B018 - probing that the public API exists
        module.Document  # noqa: B018
        module.Config  # noqa: B018
    except Exception as exc:
        return None, f"{type(exc).__name__}: {exc}"
    return module, None


def run_dedup(module: Any, pages: Sequence[Page], texts: Sequence[str], page_timing: bool = True) -> DedupRun:
    """Clean all pages of a set in one call (cross-page boilerplate needs them together), keeping every page.

    `keep="all"` stops near-duplicate pages from being dropped: this measures extraction, and a dropped page's empty
    text would score as a miss. Per-page times come from a second pass of one-document calls (after a warm-up),
    since one batch call only gives a mean.
    """
    config = module.Config().with_options(keep="all")
    docs = [module.Document(id=p.id, text=t, url=p.url) for p, t in zip(pages, texts, strict=True)]
    start = time.perf_counter()
    results = list(module.clean(docs, config))
    batch_seconds = time.perf_counter() - start
    if [r.id for r in results] != [d.id for d in docs]:
        raise RuntimeError("dedup.clean returned results out of input order or with different ids")
    dropped = [r.id for r in results if not r.kept]
    if dropped:
        raise RuntimeError(f"dedup.clean dropped {len(dropped)} documents despite keep='all': {dropped[:5]}")
    page_ms = _time_single_docs(module, docs, config) if page_timing else []
    return DedupRun([r.text for r in results], batch_seconds, page_ms)


def _time_single_docs(module: Any, docs: Sequence[Any], config: Any) -> list[float]:
    """Milliseconds of `dedup.clean([doc])` for each document, after one warm-up call."""
    if docs:
        module.clean([docs[0]], config)
    out = []
    for doc in docs:
        start = time.perf_counter()
        module.clean([doc], config)
        out.append((time.perf_counter() - start) * 1000)
    return out


# --- scoring and rows --------------------------------------------------------------------------------------------


def score(set_name: str, extracted: Sequence[str], gold: Sequence[str]) -> SetScore:
    """Aggregate score of extracted texts against gold with the set's own metric."""
    if set_name == "aeb":
        return aggregate_aeb(aeb_scores(e, g) for e, g in zip(extracted, gold, strict=True))
    return aggregate_wcxb(wcxb_scores(e, g) for e, g in zip(extracted, gold, strict=True))


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0-100) by linear interpolation between closest ranks."""
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    rank = (len(ordered) - 1) * q / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def build_rows(
    label: str, set_name: str, pages: Sequence[Page], naive: Sequence[str], run: DedupRun | None, splits: Sequence[str]
) -> list[Row]:
    """One row per requested split of the given pages (which are a subset, in order, of the set)."""
    rows = []
    for split in splits:
        idx = [i for i, p in enumerate(pages) if split == "all" or p.split == split]
        gold = [pages[i].gold for i in idx]
        floor = score(set_name, [naive[i] for i in idx], gold)
        dedup_score = None
        median = p95 = None
        if run is not None:
            dedup_score = score(set_name, [run.texts[i] for i in idx], gold)
            times = [run.page_ms[i] for i in idx] if run.page_ms else []
            if times:
                median, p95 = statistics.median(times), percentile(times, 95)
        rows.append(Row(label, split, len(idx), floor, dedup_score, median, p95))
    return rows


def evaluate_set(
    set_name: str, eval_dir: Path, limit: int | None, splits: Sequence[str], dedup: Any, page_timing: bool
) -> tuple[list[Row], str]:
    """Rows for one set (plus the article-only rows for wcxb) and a one-line note on dedup's batch timing."""
    pages = LOADERS[set_name](eval_dir)
    if limit is not None:
        pages = pages[:limit]
    naive = naive_texts(pages)
    run = run_dedup(dedup, pages, naive, page_timing) if dedup is not None else None
    rows = build_rows(set_name, set_name, pages, naive, run, splits)
    if set_name == "wcxb":
        idx = [i for i, p in enumerate(pages) if p.page_type == "article"]
        sub_run = None
        if run is not None:
            page_ms = [run.page_ms[i] for i in idx] if run.page_ms else []
            sub_run = DedupRun([run.texts[i] for i in idx], run.batch_seconds, page_ms)
        rows += build_rows(
            "wcxb (article)", set_name, [pages[i] for i in idx], [naive[i] for i in idx], sub_run, splits
        )
    note = ""
    if run is not None:
        mean_ms = 1000 * run.batch_seconds / max(1, len(pages))
        note = (
            f"{set_name}: dedup.clean over {len(pages)} pages in one call took {run.batch_seconds:.2f} s "
            f"({mean_ms:.1f} ms/page mean)"
        )
    return rows, note


# --- output ------------------------------------------------------------------------------------------------------

HEADERS: tuple[str, ...] = (
    "set",
    "split",
    "pages",
    "naive P",
    "naive R",
    "naive F1",
    "dedup P",
    "dedup R",
    "dedup F1",
    "R/floor R",
    "P - floor P",
    "targets",
    "median ms",
    "p95 ms",
)


def _fmt(value: float | None, digits: int = 3) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def row_cells(row: Row) -> list[str]:
    """The row as strings in `HEADERS` order."""
    d = row.dedup
    ratio = None if d is None or row.floor.recall == 0 else d.recall / row.floor.recall
    gain = None if d is None else d.precision - row.floor.precision
    return [
        row.set_label,
        row.split,
        str(row.pages),
        _fmt(row.floor.precision),
        _fmt(row.floor.recall),
        _fmt(row.floor.f1),
        _fmt(d.precision if d else None),
        _fmt(d.recall if d else None),
        _fmt(d.f1 if d else None),
        _fmt(ratio),
        "n/a" if gain is None else f"{gain:+.3f}",
        row.verdict,
        _fmt(row.median_ms, 1),
        _fmt(row.p95_ms, 1),
    ]


def render_markdown(rows: Sequence[Row]) -> str:
    """The table as GitHub Markdown, for benchmarks/README.md."""
    lines = ["| " + " | ".join(HEADERS) + " |", "|" + "|".join("---" for _ in HEADERS) + "|"]
    lines += ["| " + " | ".join(row_cells(r)) + " |" for r in rows]
    return "\n".join(lines)


def render_plain(rows: Sequence[Row]) -> str:
    """The table as aligned plain text for a terminal."""
    table = [list(HEADERS)] + [row_cells(r) for r in rows]
    widths = [max(len(line[i]) for line in table) for i in range(len(HEADERS))]
    return "\n".join("  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)) for line in table)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.eval_text", description=__doc__.split("\n\n")[0])
    parser.add_argument("--set", choices=("aeb", "wcxb", "all"), default="all", help="which evaluation set")
    parser.add_argument(
        "--split", choices=SPLITS, default=None, help="one split only (default: rows for tune, report and all)"
    )
    parser.add_argument("--limit", type=int, default=None, help="only the first N pages of each set (by id)")
    parser.add_argument("--eval-dir", type=Path, default=DEFAULT_EVAL_DIR, help="default: ../shared/eval")
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table for benchmarks/README.md")
    parser.add_argument(
        "--no-page-timing", action="store_true", help="skip the one-document-per-call pass behind median/p95 ms"
    )
    parser.add_argument("--floor-only", action="store_true", help="score the naive text only, without dedup")
    args = parser.parse_args(argv)
    if args.limit is not None and args.limit < 1:
        parser.error("--limit must be >= 1")
    return args


def footer_lines(args: argparse.Namespace, argv: Sequence[str] | None) -> list[str]:
    """What a reader of the table needs: the metrics, the targets, the timing columns, the command, data and date."""
    command = shlex.join(["python", "-m", "benchmarks.eval_text", *(sys.argv[1:] if argv is None else argv)])
    data = "../shared/eval" if args.eval_dir == DEFAULT_EVAL_DIR else str(args.eval_dir)
    return [
        "aeb: mean per-page precision and recall of 4-token shingles, F1 = harmonic mean of the two means; "
        "wcxb: macro means of per-page bag-of-words precision, recall and F1.",
        f"Targets: dedup R >= {RECALL_KEEP} x floor R and dedup P >= floor P + {PRECISION_GAIN:.2f}.",
        "Quality comes from one `dedup.clean` call per set with keep='all'; median/p95 ms are one-document calls.",
        f"Command: `{command}`; data: {data}; date: {date.today().isoformat()}.",
    ]


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    eval_dir: Path = args.eval_dir
    if not eval_dir.is_dir():
        print(
            f"evaluation data not found at {eval_dir}; pass --eval-dir (see ../shared/eval/README.md)", file=sys.stderr
        )
        return 2
    dedup, reason = (None, "--floor-only") if args.floor_only else load_dedup()
    if dedup is None:
        print(f"dedup column skipped ({reason})", file=sys.stderr)
    sets = ("aeb", "wcxb") if args.set == "all" else (args.set,)
    splits = SPLITS if args.split is None else (args.split,)
    rows: list[Row] = []
    notes: list[str] = []
    for set_name in sets:
        set_rows, note = evaluate_set(set_name, eval_dir, args.limit, splits, dedup, not args.no_page_timing)
        rows += set_rows
        if note:
            notes.append(note)
    print(render_markdown(rows) if args.markdown else render_plain(rows))
    print()
    bullet = "- " if args.markdown else ""
    for line in notes + footer_lines(args, argv):
        print(bullet + line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
