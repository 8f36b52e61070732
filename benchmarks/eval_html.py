"""HTML main-content extraction: dedup side by side with peer extractors on the evaluation sets, one scorer for all.

Every page of `../shared/eval` (read-only) is decoded to str once (`naive_text.read_page`) and that same string goes
to every tool. Peers run in their own virtual environments (`bash benchmarks/setup_peers.sh <peer>`) through
`html_peer_run.py`; the plain floor (`naive_text`) runs in this process, and dedup's timed calls in a freshly started
one (`in_fresh_process`), like a peer's. Each page is timed with `time.perf_counter()` around the one extraction call,
after one warm-up call per tool. Quality uses the set's own metric (`benchmarks.scoring`); WCXB rows are split by
host into the tuning two-thirds and the reporting third (`eval_text.split_of`) and by page type.

Peer and floor outputs are cached in `benchmarks/.cache/eval_html/<tool>/<set>.jsonl` (git-ignored), keyed by the
tool's version (its venv's FREEZE, or the converter's source), the runner's source and each page's HTML, so a re-run
only recomputes dedup. `--tools dedup` still shows every peer whose cache is valid for the pages.

    python -m benchmarks.eval_html [--sets aeb,wcxb] [--tools dedup,trafilatura,resiliparse,readability,justext,plain]
                                   [--limit N] [--markdown] [--dump DIR] [--worst N] [--no-cache]
                                   [--no-page-timing] [--eval-dir DIR]
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import importlib.metadata
import inspect
import json
import multiprocessing
import re
import shlex
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from benchmarks import naive_text as naive_module
from benchmarks.eval_text import DEFAULT_EVAL_DIR, Page, load_aeb, load_dedup, load_wcxb, percentile, split_of
from benchmarks.naive_text import naive_text, read_page
from benchmarks.scoring import SetScore, aeb_scores, aggregate_aeb, aggregate_wcxb, harmonic_mean, wcxb_scores

HERE = Path(__file__).resolve().parent
CACHE_DIR = HERE / ".cache" / "eval_html"
VENVS_DIR = HERE / ".venvs"
RUNNER = HERE / "html_peer_run.py"
CACHE_FORMAT = 1
MAX_CRASHES = 10  # runner restarts per tool and set after a hard crash (each crash costs the page it died on)

SETS: tuple[str, ...] = ("aeb", "wcxb")
LOADERS: dict[str, Callable[[Path], list[Page]]] = {"aeb": load_aeb, "wcxb": load_wcxb}
TOOLS: tuple[str, ...] = ("dedup", "dedup-extract", "trafilatura", "resiliparse", "readability", "justext", "plain")
# tool -> (venv directory under benchmarks/.venvs, the package whose FREEZE line names the version)
PEERS: dict[str, tuple[str, str]] = {
    "trafilatura": ("trafilatura", "trafilatura"),
    "resiliparse": ("resiliparse", "resiliparse"),
    "readability": ("readability-lxml", "readability-lxml"),
    "justext": ("justext", "justext"),
}
PAGE_TYPES: tuple[str, ...] = ("article", "forum", "product", "collection", "listing", "documentation", "service")
DEDUP_FALLBACK_LABEL = "dedup (text fallback)"
SETTINGS = (
    "trafilatura.extract(html, include_comments=False, include_tables=True); "
    "resiliparse extract_plain_text(html, main_content=True); "
    "readability Document(html).summary() as text, one line per block; "
    "justext with the stoplist of <html lang> (else English), non-boilerplate paragraphs; "
    "plain = naive_text(html), every visible block (the floor)"
)

Triple = tuple[float, float, float]  # per-page precision, recall, F1
_HTML_LANG = re.compile(r"""<html\b[^>]*?\blang\s*=\s*["']?\s*([A-Za-z]{1,8}(?:[-_][A-Za-z0-9]{1,8})*)""", re.I)


# --- pages -------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SetPages:
    """The pages of one set with their decoded HTML, `<html lang>` and a hash of the HTML (the cache key)."""

    name: str
    pages: list[Page]
    htmls: list[str]
    langs: list[str | None]
    hashes: list[str]


def page_lang(html: str) -> str | None:
    """The `lang` (or `xml:lang`) attribute of the page's `<html>` tag, as written; None when absent."""
    match = _HTML_LANG.search(html)
    return match.group(1) if match else None


def html_hash(html: str) -> str:
    return hashlib.sha1(html.encode("utf-8", "surrogatepass")).hexdigest()[:20]


def make_set(name: str, pages: Sequence[Page], htmls: Sequence[str]) -> SetPages:
    return SetPages(name, list(pages), list(htmls), [page_lang(h) for h in htmls], [html_hash(h) for h in htmls])


def load_set(name: str, eval_dir: Path, limit: int | None) -> SetPages:
    """A set's pages (the first `limit` by id), each decoded once."""
    pages = LOADERS[name](eval_dir)
    if limit is not None:
        pages = pages[:limit]
    return make_set(name, pages, [read_page(p.html_path) for p in pages])


# --- one tool's output on one set --------------------------------------------------------------------------------


@dataclass
class ToolOutput:
    """Texts, per-page milliseconds (empty when not timed) and per-page errors, in page order."""

    texts: list[str]
    ms: list[float]
    errors: list[str | None]
    wall_seconds: float = 0.0
    cached: bool = False
    created: str = ""
    run_pages: int = 0  # pages in the run that filled the cache (its wall_seconds cover those)

    @property
    def error_count(self) -> int:
        return sum(e is not None for e in self.errors)


class ToolUnavailable(Exception):
    """The tool cannot run here (no venv, failed install, the runner cannot import the peer)."""


def time_in_process(extract: Callable[[str], str], htmls: Sequence[str]) -> ToolOutput:
    """Run `extract` on every page, timed one call at a time after one warm-up call; errors give empty text."""
    if htmls:
        with contextlib.suppress(Exception):  # the timed call reports it
            extract(htmls[0])
    texts: list[str] = []
    ms: list[float] = []
    errors: list[str | None] = []
    begin = time.perf_counter()
    for html in htmls:
        start = time.perf_counter()
        try:
            text, error = extract(html), None
        except Exception as exc:
            text, error = "", _error_text(exc)
        ms.append((time.perf_counter() - start) * 1000)
        texts.append(text)
        errors.append(error)
    return ToolOutput(texts, ms, errors, time.perf_counter() - begin)


def _error_text(exc: BaseException) -> str:
    first = (str(exc).splitlines() or [""])[0]
    return f"{type(exc).__name__}: {first}"[:300]


# --- dedup -------------------------------------------------------------------------------------------------------


def dedup_takes_html(module: Any) -> bool:
    """Whether `module.Document` has a `kind` field (HTML input); without it dedup gets the naive text instead."""
    try:
        return "kind" in inspect.signature(module.Document).parameters
    except (TypeError, ValueError):
        return False


def dedup_texts(
    module: Any,
    pages_html: list[tuple[Page, str]],
    *,
    page_timing: bool = True,
    stats: dict[str, float] | None = None,
    isolate: bool = False,
) -> tuple[list[str], list[float]]:
    """dedup's text for each page (one `clean` call for the whole set) and per-page milliseconds.

    Texts come from one batch call so cross-page boilerplate works among pages of the same host; `keep="all"`
    stops near-duplicate pages from being dropped (this measures extraction). Per-page times come from one-document
    calls after one warm-up call, the Document built inside the timed region; with `isolate` they run in a fresh
    interpreter (`in_fresh_process`, the module imported there by its name), as each peer runs in its own. When
    `Document` has no `kind` field (`dedup_takes_html`), each page goes in as `naive_text(html)`, which is then
    part of the time; the column is labelled "dedup (text fallback)". `stats["batch_seconds"]` gets the batch
    call's wall time when a dict is passed.
    """
    config = module.Config().with_options(keep="all")
    takes_html = dedup_takes_html(module)
    docs = [_document(module, takes_html, page.id, page.url, html) for page, html in pages_html]
    start = time.perf_counter()
    results = list(module.clean(docs, config))
    if stats is not None:
        stats["batch_seconds"] = time.perf_counter() - start
    if [r.id for r in results] != [d.id for d in docs]:
        raise RuntimeError("dedup.clean returned results out of input order or with different ids")
    dropped = [r.id for r in results if not r.kept]
    if dropped:
        raise RuntimeError(f"dedup.clean dropped {len(dropped)} documents despite keep='all': {dropped[:5]}")
    texts = [r.text for r in results]
    del docs, results
    page_ms: list[float] = []
    if page_timing and pages_html:
        pages = [(page.id, page.url, html) for page, html in pages_html]
        if isolate:
            page_ms = in_fresh_process(_clean_page_times, module.__name__, pages)
        else:
            page_ms = _clean_page_times(module, pages)
    return texts, page_ms


def _document(module: Any, takes_html: bool, page_id: str, url: str | None, html: str) -> Any:
    if takes_html:
        return module.Document(id=page_id, text=html, url=url, kind="html")
    return module.Document(id=page_id, text=naive_text(html), url=url)


def _clean_page_times(module: Any, pages: list[tuple[str, str | None, str]]) -> list[float]:
    """Milliseconds of a one-document `clean` call per page (id, url, html), after one warm-up call; `module` is the
    module or its name (imported here: the fresh-process case)."""
    if isinstance(module, str):
        module = importlib.import_module(module)
    config = module.Config().with_options(keep="all")
    takes_html = dedup_takes_html(module)
    module.clean([_document(module, takes_html, *pages[0])], config)
    page_ms: list[float] = []
    for page in pages:
        start = time.perf_counter()
        module.clean([_document(module, takes_html, *page)], config)
        page_ms.append((time.perf_counter() - start) * 1000)
    return page_ms


def _extract_pages(module_name: str, htmls: list[str]) -> ToolOutput:
    """`extract_html(html).content` of each page, timed by `time_in_process` (run in a fresh process)."""
    module = importlib.import_module(module_name)
    return time_in_process(lambda html: str(module.extract_html(html).content), htmls)


def in_fresh_process(fn: Callable[..., Any], *args: Any) -> Any:
    """`fn(*args)` in a newly started interpreter, its result sent back.

    The same extraction code timed in this process, after the batch run of every set, came out about a fifth slower
    than in a fresh one (dedup-extract: 3.3 against 2.8 ms median on AEB): what the earlier work leaves behind is not
    the tool's. Each peer runs in its own process; dedup's timed calls do too.
    """
    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(fn, *args).result()


# --- cache -------------------------------------------------------------------------------------------------------


def file_hash(path: Path) -> str:
    return hashlib.sha1(path.read_bytes()).hexdigest()[:16]


def freeze_version(freeze: str, package: str) -> str | None:
    """The `name==version` line of `package` in a pip freeze (names compared case- and -/_-insensitively)."""
    want = re.sub(r"[-_.]+", "-", package).lower()
    for line in freeze.splitlines():
        name, sep, version = line.partition("==")
        if sep and re.sub(r"[-_.]+", "-", name.strip()).lower() == want:
            return version.strip()
    return None


def peer_key(tool: str, freeze: str, runner: Path = RUNNER) -> dict[str, Any]:
    """Cache key of a peer: its whole venv (any dependency upgrade counts) and the runner's source."""
    freeze_hash = hashlib.sha1(freeze.encode("utf-8")).hexdigest()[:16]
    return {"format": CACHE_FORMAT, "tool": tool, "freeze": freeze_hash, "runner": file_hash(runner)}


def plain_key() -> dict[str, Any]:
    """Cache key of the floor: the converter's source and selectolax's version."""
    return {
        "format": CACHE_FORMAT,
        "tool": "plain",
        "converter": file_hash(Path(naive_module.__file__)),
        "selectolax": _dist_version("selectolax") or "?",
    }


def cache_path(cache_dir: Path, tool: str, set_name: str) -> Path:
    return cache_dir / tool / f"{set_name}.jsonl"


def _read_cache(path: Path) -> tuple[dict[str, Any], dict[str, dict[str, Any]]] | None:
    """The header and the entries by page id of a cache file; None when missing or unreadable."""
    try:
        with path.open(encoding="utf-8") as fh:
            header = json.loads(fh.readline())
            entries = {}
            for line in fh:
                entry = json.loads(line)
                entries[entry["id"]] = entry
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return (header, entries) if isinstance(header, dict) else None


def load_cached(path: Path, key: dict[str, Any], sp: SetPages) -> ToolOutput | None:
    """The cached output for exactly these pages, if the file's key matches and holds every page with its hash."""
    read = _read_cache(path)
    if read is None or read[0].get("key") != key:
        return None
    header, entries = read
    chosen = [entries.get(p.id) for p in sp.pages]
    if any(e is None or e.get("hash") != h for e, h in zip(chosen, sp.hashes, strict=True)):
        return None
    rows = [e for e in chosen if e is not None]
    return ToolOutput(
        texts=[str(e.get("text") or "") for e in rows],
        ms=[float(e.get("ms") or 0.0) for e in rows],
        errors=[e.get("error") for e in rows],
        wall_seconds=float(header.get("wall_seconds") or 0.0),
        cached=True,
        created=str(header.get("created") or ""),
        run_pages=int(header.get("pages") or 0),
    )


def save_cache(path: Path, key: dict[str, Any], sp: SetPages, out: ToolOutput) -> None:
    """Write these pages' output; entries of other pages from an earlier run under the same key are kept."""
    kept: dict[str, dict[str, Any]] = {}
    old = _read_cache(path)
    if old is not None and old[0].get("key") == key:
        kept = old[1]
    for i, page in enumerate(sp.pages):
        kept[page.id] = {
            "id": page.id,
            "hash": sp.hashes[i],
            "text": out.texts[i],
            "ms": out.ms[i] if out.ms else 0.0,
            "error": out.errors[i],
        }
    header = {
        "key": key,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "wall_seconds": out.wall_seconds,
        "pages": len(sp.pages),
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("w", encoding="utf-8") as fh:
        fh.write(json.dumps(header) + "\n")
        for entry in kept.values():
            fh.write(json.dumps(entry, ensure_ascii=False) + "\n")
    tmp.replace(path)


# --- peers in their own venvs ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PeerEnv:
    python: Path
    freeze: str
    version: str


def peer_env(tool: str, venvs_dir: Path = VENVS_DIR) -> PeerEnv:
    """The peer's interpreter and FREEZE, or ToolUnavailable with the reason."""
    venv_name, package = PEERS[tool]
    venv = venvs_dir / venv_name
    setup = f"bash benchmarks/setup_peers.sh {venv_name}"
    if (venv / "FAILED").exists():
        raise ToolUnavailable((venv / "FAILED").read_text(encoding="utf-8").strip() or "install failed")
    if not venv.is_dir():
        raise ToolUnavailable(f"no venv; run `{setup}`")
    if not (venv / "FREEZE").exists():
        raise ToolUnavailable(f"install not finished (no FREEZE); run `{setup}`")
    python = venv / "bin" / "python"
    if not python.exists():
        raise ToolUnavailable(f"no bin/python in its venv; run `{setup}`")
    freeze = (venv / "FREEZE").read_text(encoding="utf-8")
    return PeerEnv(python, freeze, f"{package} {freeze_version(freeze, package) or '?'}")


def write_input(sp: SetPages, path: Path, indices: Sequence[int] | None = None) -> Path:
    """The runner's IN file: one `{"id", "html", "lang"}` line per page (all pages, or `indices`)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as fh:
        for i in range(len(sp.pages)) if indices is None else indices:
            fh.write(json.dumps({"id": sp.pages[i].id, "html": sp.htmls[i], "lang": sp.langs[i]}) + "\n")
    return path


def _read_output(path: Path) -> list[dict[str, Any]]:
    """The runner's OUT lines; a truncated last line (the runner died mid-write) is ignored."""
    rows: list[dict[str, Any]] = []
    if not path.exists():
        return rows
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            try:
                rows.append(json.loads(line))
            except ValueError:
                break
    return rows


def run_peer(peer: str, python: Path, sp: SetPages, in_path: Path, work_dir: Path, runner: Path = RUNNER) -> ToolOutput:
    """Run `runner PEER IN OUT` with the peer's interpreter on the set, in isolated mode (-I: no script dir or
    PYTHON* variables on the path). `in_path` must hold all pages of the set (`write_input`).

    A hard crash (the process dies mid-set) costs the page it died on, which counts as an error, and the runner
    restarts on the pages after it, up to MAX_CRASHES times.
    """
    work_dir.mkdir(parents=True, exist_ok=True)
    n = len(sp.pages)
    texts: list[str] = [""] * n
    ms: list[float] = [0.0] * n
    errors: list[str | None] = [None] * n
    remaining = list(range(n))
    current_in = in_path
    crashes = 0
    log_path = work_dir / f"{sp.name}.{peer}.log"
    out_path = work_dir / f"{sp.name}.{peer}.out.jsonl"
    begin = time.perf_counter()
    while remaining:
        with log_path.open("a" if crashes else "w", encoding="utf-8") as log:
            proc = subprocess.run(
                [str(python), "-I", str(runner), peer, str(current_in), str(out_path)],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                cwd=work_dir,
                check=False,
            )
        rows = _read_output(out_path)
        for k, row in enumerate(rows[: len(remaining)]):
            i = remaining[k]
            if row.get("id") != sp.pages[i].id:
                raise RuntimeError(f"{peer} runner output out of order at {sp.name}/{sp.pages[i].id}")
            texts[i], ms[i], errors[i] = str(row.get("text") or ""), float(row.get("ms") or 0.0), row.get("error")
        if proc.returncode in (2, 3) and not rows:
            raise ToolUnavailable(_last_line(log_path) or f"runner exited {proc.returncode}")
        remaining = remaining[len(rows) :]
        if proc.returncode == 0:
            if remaining:
                raise RuntimeError(f"{peer} runner stopped early on {sp.name} (see {log_path})")
            break
        if not remaining:
            break
        crashes += 1
        errors[remaining[0]] = f"runner crashed (exit {proc.returncode}) on this page"
        remaining = remaining[1:]
        if crashes > MAX_CRASHES:
            raise ToolUnavailable(f"runner crashed {crashes} times on {sp.name}; see {log_path}")
        if remaining:
            current_in = write_input(sp, work_dir / f"{sp.name}.{peer}.rest.jsonl", remaining)
    wall = time.perf_counter() - begin
    for leftover in (out_path, work_dir / f"{sp.name}.{peer}.rest.jsonl"):
        leftover.unlink(missing_ok=True)
    return ToolOutput(texts, ms, errors, wall)


def _last_line(path: Path) -> str:
    try:
        lines = [line.strip() for line in path.read_text(encoding="utf-8", errors="replace").splitlines()]
    except OSError:
        return ""
    lines = [line for line in lines if line]
    return lines[-1][:300] if lines else ""


# --- columns: every tool's outputs, from a run or from the cache -------------------------------------------------


@dataclass
class ToolColumn:
    """One tool's column: its outputs and per-page scores by set, or why it is not available."""

    tool: str
    label: str
    version: str | None = None
    reason: str | None = None
    outputs: dict[str, ToolOutput] = field(default_factory=dict)
    scores: dict[str, list[Triple]] = field(default_factory=dict)
    note: str = ""

    @property
    def available(self) -> bool:
        return self.reason is None


def _log(message: str) -> None:
    print(f"[eval_html] {message}", file=sys.stderr, flush=True)


def _dist_version(name: str) -> str | None:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None


def peer_column(
    tool: str, sets: Sequence[SetPages], run: bool, use_cache: bool, inputs: InputFiles, cache_dir: Path
) -> ToolColumn | None:
    """A peer's column: cached outputs when valid, else (if `run`) a fresh run that refills the cache.

    Not requested (`run` False) and nothing valid in the cache: None, the column is left out.
    """
    try:
        env = peer_env(tool)
    except ToolUnavailable as exc:
        return ToolColumn(tool, tool, reason=str(exc)) if run else None
    column = ToolColumn(tool, tool, version=env.version)
    key = peer_key(tool, env.freeze)
    for sp in sets:
        path = cache_path(cache_dir, tool, sp.name)
        cached = load_cached(path, key, sp) if use_cache or not run else None
        if cached is not None:
            column.outputs[sp.name] = cached
            continue
        if not run:
            continue
        _log(f"{tool} on {sp.name}: {len(sp.pages)} pages ...")
        try:
            out = run_peer(tool, env.python, sp, inputs.get(sp), cache_dir / "work")
        except ToolUnavailable as exc:
            return ToolColumn(tool, tool, version=env.version, reason=str(exc))
        _log(f"{tool} on {sp.name}: {out.wall_seconds:.1f} s, {out.error_count} pages raised")
        save_cache(path, key, sp, out)
        column.outputs[sp.name] = out
    return column if column.outputs else None


def plain_column(sets: Sequence[SetPages], run: bool, use_cache: bool, cache_dir: Path) -> ToolColumn | None:
    """The floor: `naive_text(html)` in this process, cached like a peer."""
    version = f"plain = naive_text.py (selectolax {_dist_version('selectolax') or '?'})"
    column = ToolColumn("plain", "plain", version=version)
    key = plain_key()
    for sp in sets:
        path = cache_path(cache_dir, "plain", sp.name)
        cached = load_cached(path, key, sp) if use_cache or not run else None
        if cached is not None:
            column.outputs[sp.name] = cached
        elif run:
            out = time_in_process(naive_text, sp.htmls)
            save_cache(path, key, sp, out)
            column.outputs[sp.name] = out
    return column if column.outputs else None


def dedup_column(sets: Sequence[SetPages], page_timing: bool) -> ToolColumn:
    """dedup in this process (never cached: it is what changes between runs)."""
    module, reason = load_dedup()
    if module is None:
        return ToolColumn("dedup", "dedup", reason=reason)
    takes_html = dedup_takes_html(module)
    label = "dedup" if takes_html else DEDUP_FALLBACK_LABEL
    version = f"dedup {getattr(module, '__version__', None) or _dist_version('dedup') or '?'}"
    column = ToolColumn("dedup", label, version=version)
    notes = []
    for sp in sets:
        _log(f"dedup on {sp.name}: {len(sp.pages)} pages ...")
        stats: dict[str, float] = {}
        begin = time.perf_counter()
        try:
            texts, ms = dedup_texts(
                module,
                list(zip(sp.pages, sp.htmls, strict=True)),
                page_timing=page_timing,
                stats=stats,
                isolate=True,
            )
        except Exception as exc:
            import traceback

            traceback.print_exc()
            return ToolColumn("dedup", label, version=version, reason=f"raised {_error_text(exc)}")
        wall = time.perf_counter() - begin
        column.outputs[sp.name] = ToolOutput(texts, ms, [None] * len(texts), wall)
        batch = stats.get("batch_seconds", 0.0)
        notes.append(f"{sp.name} {batch:.1f} s ({1000 * batch / max(1, len(texts)):.1f} ms/page)")
        _log(f"dedup on {sp.name}: {wall:.1f} s")
    column.note = "one clean() call per set: " + ", ".join(notes)
    if not takes_html:
        column.note += (
            "; dedup.Document has no `kind` field, so dedup cleaned naive_text(html) (conversion included in its time)"
        )
    return column


def dedup_extract_column(sets: Sequence[SetPages]) -> ToolColumn:
    """dedup's extraction step alone (`dedup.extract_html(html).content`): the same job as the peers, timed the same
    way (one call per page, one warm-up call). The `dedup` column is the whole pipeline on top of it."""
    module, reason = load_dedup()
    if module is None or not hasattr(module, "extract_html"):
        return ToolColumn("dedup-extract", "dedup-extract", reason=reason or "dedup.extract_html is missing")
    version = f"dedup {getattr(module, '__version__', None) or _dist_version('dedup') or '?'}"
    column = ToolColumn("dedup-extract", "dedup-extract", version=version)

    for sp in sets:
        _log(f"dedup-extract on {sp.name}: {len(sp.pages)} pages ...")
        column.outputs[sp.name] = in_fresh_process(_extract_pages, module.__name__, list(sp.htmls))
    return column


class InputFiles:
    """The runner's IN file of each set, written once per run on first use and removed at the end."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.paths: dict[str, Path] = {}

    def get(self, sp: SetPages) -> Path:
        if sp.name not in self.paths:
            self.paths[sp.name] = write_input(sp, self.folder / f"{sp.name}.in.jsonl")
        return self.paths[sp.name]

    def cleanup(self) -> None:
        for path in self.paths.values():
            path.unlink(missing_ok=True)


# --- scoring -----------------------------------------------------------------------------------------------------


def page_scores(set_name: str, texts: Sequence[str], golds: Sequence[str]) -> list[Triple]:
    """Per-page (precision, recall, F1) by the set's metric; for AEB the F1 is the page's own harmonic mean (for
    error analysis: the set's AEB F1 is the harmonic mean of the mean P and mean R, see `aggregate`)."""
    out: list[Triple] = []
    for text, gold in zip(texts, golds, strict=True):
        if set_name == "aeb":
            p, r = aeb_scores(text, gold)
            out.append((p, r, harmonic_mean(p, r)))
        else:
            out.append(wcxb_scores(text, gold))
    return out


def aggregate(set_name: str, triples: Iterable[Triple]) -> SetScore:
    if set_name == "aeb":
        return aggregate_aeb((p, r) for p, r, _ in triples)
    return aggregate_wcxb(triples)


@dataclass(frozen=True)
class RowSpec:
    """A table row: a label and which pages of which set it aggregates."""

    label: str
    set_name: str
    indices: tuple[int, ...]


def row_specs(sets: Sequence[SetPages]) -> list[RowSpec]:
    """AEB all; WCXB all, tune, report, each page type, then articles in the tune and report splits."""
    rows: list[RowSpec] = []
    for sp in sets:
        everything = tuple(range(len(sp.pages)))
        if sp.name != "wcxb":
            rows.append(RowSpec(f"{sp.name} all", sp.name, everything))
            continue
        splits = [split_of(p.url, p.id) for p in sp.pages]
        types = [p.page_type or "unknown" for p in sp.pages]
        rows.append(RowSpec("wcxb all", "wcxb", everything))
        for split in ("tune", "report"):
            rows.append(RowSpec(f"wcxb {split}", "wcxb", tuple(i for i in everything if splits[i] == split)))
        extra = sorted(set(types) - set(PAGE_TYPES))
        for page_type in (*PAGE_TYPES, *extra):
            idx = tuple(i for i in everything if types[i] == page_type)
            if idx:
                rows.append(RowSpec(f"wcxb {page_type}", "wcxb", idx))
        for split in ("tune", "report"):
            idx = tuple(i for i in everything if types[i] == "article" and splits[i] == split)
            if idx:
                rows.append(RowSpec(f"wcxb article {split}", "wcxb", idx))
    return rows


def score_columns(columns: Sequence[ToolColumn], sets: Sequence[SetPages]) -> None:
    for column in columns:
        for sp in sets:
            out = column.outputs.get(sp.name)
            if out is not None:
                column.scores[sp.name] = page_scores(sp.name, out.texts, [p.gold for p in sp.pages])


# --- output ------------------------------------------------------------------------------------------------------


def _fmt(value: float | None, digits: int = 3) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def render_table(
    headers: Sequence[str], rows: Sequence[Sequence[str]], markdown: bool, left: Iterable[int] = (0,)
) -> str:
    """GitHub Markdown, or aligned plain text: the `left` columns (labels) left-aligned, figures right-aligned."""
    lefts = set(left)
    if markdown:
        rule = "|" + "|".join("---" if i in lefts else "---:" for i in range(len(headers))) + "|"
        return "\n".join(["| " + " | ".join(headers) + " |", rule] + ["| " + " | ".join(row) + " |" for row in rows])
    table = [list(headers), *[list(r) for r in rows]]
    widths = [max(len(line[i]) for line in table) for i in range(len(headers))]
    return "\n".join(
        "  ".join(
            cell.ljust(w) if i in lefts else cell.rjust(w) for i, (cell, w) in enumerate(zip(line, widths, strict=True))
        ).rstrip()
        for line in table
    )


def _row_score(column: ToolColumn, row: RowSpec) -> SetScore | None:
    triples = column.scores.get(row.set_name)
    if not column.available or triples is None:
        return None
    return aggregate(row.set_name, (triples[i] for i in row.indices))


def render_tables(
    rows: Sequence[RowSpec], columns: Sequence[ToolColumn], set_names: Sequence[str], markdown: bool
) -> str:
    """Three tables: F1, precision / recall, and milliseconds per page (median, p95) with error counts."""
    labels = [c.label for c in columns]
    f1_rows, pr_rows = [], []
    for row in rows:
        scores = [_row_score(c, row) for c in columns]
        f1_rows.append([row.label, str(len(row.indices)), *[_fmt(s.f1 if s else None) for s in scores]])
        pr_rows.append(
            [row.label, str(len(row.indices)), *[f"{s.precision:.3f} / {s.recall:.3f}" if s else "n/a" for s in scores]]
        )
    time_rows = []
    for set_name in set_names:
        medians, p95s, errors = [], [], []
        for c in columns:
            out = c.outputs.get(set_name) if c.available else None
            times = out.ms if out is not None else []
            medians.append(_fmt(statistics.median(times) if times else None, 1))
            p95s.append(_fmt(percentile(times, 95) if times else None, 1))
            errors.append(str(out.error_count) if out is not None else "n/a")
        time_rows += [
            [f"{set_name} median ms", *medians],
            [f"{set_name} p95 ms", *p95s],
            [f"{set_name} pages raised", *errors],
        ]
    title = (lambda t: f"**{t}**") if markdown else (lambda t: t)
    return "\n\n".join(
        [
            title("F1 (AEB: shingle F1 of mean P and R; WCXB: macro bag-of-words F1)"),
            render_table(["rows", "pages", *labels], f1_rows, markdown),
            title("Precision / recall (AEB: mean per page; WCXB: macro)"),
            render_table(["rows", "pages", *labels], pr_rows, markdown),
            title("Milliseconds per page (one call per page after one warm-up call) and pages that raised"),
            render_table(["time", *labels], time_rows, markdown),
        ]
    )


def footer_lines(
    command: str, columns: Sequence[ToolColumn], sets: Sequence[SetPages], data: str, skipped: Sequence[str]
) -> list[str]:
    """Metrics, settings, versions, page counts, where each column came from, and the command."""
    versions = ", ".join(c.version or f"{c.label} ?" for c in columns)
    counts = []
    for sp in sets:
        if sp.name == "wcxb":
            tune = sum(p.split == "tune" for p in sp.pages)
            counts.append(f"wcxb {len(sp.pages)} (tune {tune}, report {len(sp.pages) - tune})")
        else:
            counts.append(f"{sp.name} {len(sp.pages)}")
    lines = [
        "AEB: mean per-page precision and recall of 4-token shingles (case kept), F1 of the two means. "
        "WCXB: macro means of per-page lowercased bag-of-words precision, recall and F1. "
        "WCXB tune/report: split by a hash of the host (`eval_text.split_of`).",
        "Times: `time.perf_counter()` around one extraction call per page on the same decoded str, one process "
        "per tool (peers in their own venvs), after one warm-up call; dedup's per-page times are one-document "
        "`clean` calls, its quality one `clean` call per set with keep='all'.",
        f"Settings: {SETTINGS}.",
        f"Versions: {versions}.",
        f"Pages: {', '.join(counts)}.",
    ]
    for c in columns:
        if not c.available:
            lines.append(f"{c.label}: not available ({c.reason}).")
            continue
        parts = []
        for sp in sets:
            out = c.outputs.get(sp.name)
            if out is None:
                parts.append(f"{sp.name} not in cache")
            elif out.cached:
                parts.append(
                    f"{sp.name} from cache of {out.created[:10]} (that run: {out.run_pages} pages in "
                    f"{out.wall_seconds:.1f} s)"
                )
            else:
                parts.append(f"{sp.name} {out.wall_seconds:.1f} s")
            if out is not None and out.error_count:
                first = next(f"{sp.pages[i].id}: {e}" for i, e in enumerate(out.errors) if e is not None)
                parts[-1] += f", {out.error_count} raised (first {first})"
        lines.append(f"{c.label}: {'; '.join(parts)}" + (f"; {c.note}" if c.note else "") + ".")
    if skipped:
        lines.append(f"Not shown (not requested, no valid cache): {', '.join(skipped)}.")
    lines.append(f"Command: `{command}`; data: {data}; date: {date.today().isoformat()}.")
    return lines


def worst_pages(
    sp: SetPages, dedup: Sequence[Triple], reference: Sequence[Triple], indices: Iterable[int], n: int
) -> list[tuple[float, int]]:
    """The `n` pages where dedup's F1 trails the reference's the most, as (gap, index), largest gap first."""
    gaps = [(reference[i][2] - dedup[i][2], i) for i in indices]
    gaps = [g for g in gaps if g[0] > 0]
    gaps.sort(key=lambda g: (-g[0], sp.pages[g[1]].id))
    return gaps[:n]


def render_worst(columns: Sequence[ToolColumn], sets: Sequence[SetPages], n: int, markdown: bool) -> str:
    by_tool = {c.tool: c for c in columns if c.available}
    if "dedup" not in by_tool or "trafilatura" not in by_tool:
        return "--worst needs both dedup and trafilatura results."
    dedup, ref = by_tool["dedup"], by_tool["trafilatura"]
    blocks = []
    for sp in sets:
        if sp.name not in dedup.scores or sp.name not in ref.scores:
            continue
        if sp.name == "wcxb":
            indices: Iterable[int] = (i for i, p in enumerate(sp.pages) if p.split == "tune")
            what = "wcxb tune"
        else:
            indices, what = range(len(sp.pages)), sp.name
        worst = worst_pages(sp, dedup.scores[sp.name], ref.scores[sp.name], indices, n)
        rows = [
            [
                sp.pages[i].id,
                sp.pages[i].page_type or "-",
                f"{dedup.scores[sp.name][i][2]:.3f}",
                f"{ref.scores[sp.name][i][2]:.3f}",
                f"{gap:+.3f}",
                sp.pages[i].url or "-",
            ]
            for gap, i in worst
        ]
        title = f"Worst {what} pages: per-page F1 of {dedup.label} furthest below trafilatura's"
        title = f"**{title}**" if markdown else title
        blocks.append(
            title
            + "\n\n"
            + render_table(["id", "type", "dedup F1", "trafilatura F1", "gap", "url"], rows, markdown, left=(0, 1, 5))
        )
    return "\n\n".join(blocks)


def write_dump(folder: Path, columns: Sequence[ToolColumn], sets: Sequence[SetPages]) -> None:
    """`scores.jsonl` (set, id, split, page_type, url, per tool P/R/F1 and ms) and every text under texts/<tool>/."""
    folder.mkdir(parents=True, exist_ok=True)
    shown = [c for c in columns if c.available]
    with (folder / "scores.jsonl").open("w", encoding="utf-8") as fh:
        for sp in sets:
            for i, page in enumerate(sp.pages):
                tools: dict[str, Any] = {}
                for c in shown:
                    if sp.name in c.scores:
                        p, r, f1 = c.scores[sp.name][i]
                        out = c.outputs[sp.name]
                        entry: dict[str, Any] = {"p": round(p, 4), "r": round(r, 4), "f1": round(f1, 4)}
                        entry["ms"] = round(out.ms[i], 2) if out.ms else None
                        if out.errors[i]:
                            entry["error"] = out.errors[i]
                        tools[c.tool] = entry
                row = {
                    "set": sp.name,
                    "id": page.id,
                    "split": page.split,
                    "page_type": page.page_type,
                    "url": page.url,
                    "scores": tools,
                }
                fh.write(json.dumps(row) + "\n")
    for sp in sets:
        texts: dict[str, Sequence[str]] = {"gold": [p.gold for p in sp.pages]}
        texts.update({c.tool: c.outputs[sp.name].texts for c in shown if sp.name in c.outputs})
        for tool, values in texts.items():
            target = folder / "texts" / tool / sp.name
            target.mkdir(parents=True, exist_ok=True)
            for page, text in zip(sp.pages, values, strict=True):
                (target / f"{page.id}.txt").write_text(text, encoding="utf-8")


# --- command line ------------------------------------------------------------------------------------------------


def _csv(allowed: Sequence[str]) -> Callable[[str], list[str]]:
    def parse(value: str) -> list[str]:
        items = [v.strip() for v in value.split(",") if v.strip()]
        bad = [v for v in items if v not in allowed]
        if bad or not items:
            raise argparse.ArgumentTypeError(f"choose from {','.join(allowed)} (got {value!r})")
        return items

    return parse


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.eval_html", description=__doc__.split("\n\n")[0])
    parser.add_argument("--sets", type=_csv(SETS), default=list(SETS), help="comma-separated (default: aeb,wcxb)")
    parser.add_argument(
        "--tools", type=_csv(TOOLS), default=list(TOOLS), help=f"comma-separated (default: {','.join(TOOLS)})"
    )
    parser.add_argument("--limit", type=int, default=None, help="only the first N pages of each set (by id)")
    parser.add_argument("--markdown", action="store_true", help="Markdown tables for benchmarks/README.md")
    parser.add_argument("--dump", type=Path, default=None, metavar="DIR", help="write per-page scores and texts here")
    parser.add_argument(
        "--worst",
        type=int,
        default=0,
        metavar="N",
        help="list the N AEB and WCXB-tune pages where dedup trails trafilatura most",
    )
    parser.add_argument("--no-cache", action="store_true", help="recompute the requested peers and the floor")
    parser.add_argument("--no-page-timing", action="store_true", help="skip dedup's one-document timing pass")
    parser.add_argument("--eval-dir", type=Path, default=DEFAULT_EVAL_DIR, help="default: ../shared/eval")
    args = parser.parse_args(argv)
    if args.limit is not None and args.limit < 1:
        parser.error("--limit must be >= 1")
    if args.worst < 0:
        parser.error("--worst must be >= 0")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    eval_dir: Path = args.eval_dir
    if not eval_dir.is_dir():
        print(
            f"evaluation data not found at {eval_dir}; pass --eval-dir (see ../shared/eval/README.md)", file=sys.stderr
        )
        return 2
    set_names = [s for s in SETS if s in args.sets]
    requested = set(args.tools)
    sets = [load_set(name, eval_dir, args.limit) for name in set_names]
    inputs = InputFiles(CACHE_DIR / "input")
    columns: list[ToolColumn] = []
    skipped: list[str] = []
    try:
        for tool in TOOLS:
            run, use_cache = tool in requested, not args.no_cache
            column: ToolColumn | None
            if tool == "dedup":
                column = dedup_column(sets, not args.no_page_timing) if run else None
            elif tool == "dedup-extract":
                column = dedup_extract_column(sets) if run else None
            elif tool == "plain":
                column = plain_column(sets, run, use_cache, CACHE_DIR)
            else:
                column = peer_column(tool, sets, run, use_cache, inputs, CACHE_DIR)
            if column is None:
                if not tool.startswith("dedup"):
                    skipped.append(tool)
                continue
            columns.append(column)
    finally:
        inputs.cleanup()
    score_columns(columns, sets)
    print(render_tables(row_specs(sets), columns, set_names, args.markdown))
    print()
    bullet = "- " if args.markdown else ""
    command = shlex.join(["python", "-m", "benchmarks.eval_html", *(sys.argv[1:] if argv is None else argv)])
    data = "../shared/eval" if eval_dir == DEFAULT_EVAL_DIR else str(eval_dir)
    for line in footer_lines(command, columns, sets, data, skipped):
        print(bullet + line)
    if args.worst:
        print()
        print(render_worst(columns, sets, args.worst, args.markdown))
    if args.dump is not None:
        write_dump(args.dump, columns, sets)
        _log(f"per-page scores and texts written to {args.dump}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
