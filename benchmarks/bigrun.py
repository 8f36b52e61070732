"""The large-corpus benchmark (issue 5): dedup end to end against datasketch and text-dedup pipelines, one run.

    python -m benchmarks.bigrun --docs 10000 [--docs 100000 ...] [--tools dedup,datasketch,text-dedup]
                                [--dedup-args "--jobs 2"] [--peer-jobs N] [--seed S] [--markdown] [--keep-outputs]
    python -m benchmarks.bigrun --render benchmarks/.cache/bigrun/bigrun-<stamp>.json [--markdown]

For each size the planted corpus of `benchmarks.bigcorpus` is made (or reused) in
`benchmarks/.cache/bigcorpus/corpus-<docs>-<seed>/`, then every contestant runs as its own subprocess on the same
corpus.jsonl, one after the other:

- dedup: `python -m dedup clean corpus.jsonl -o OUT [dedup args]` in this interpreter's environment;
- datasketch: `python -m benchmarks.bigpeers datasketch corpus.jsonl OUT` in this environment (datasketch is one of
  dedup's dev dependencies);
- text-dedup: the same with `text-dedup`, in `benchmarks/.venvs/text-dedup/` (`benchmarks/setup_peers.sh`).

`benchmarks.bigpeers` says what the peer pipelines do. Each run is measured from outside:

- wall seconds: from start to exit (interpreter start and imports included);
- CPU seconds: user + system time of the process and every descendant it waited for (`os.wait4`);
- peak RSS: the largest sum of the resident set sizes of the process and all its descendants, sampled from /proc
  every POLL_SECONDS (worker processes each have their own ru_maxrss, so one process's figure says too little;
  and Linux carries the launcher's own high-water RSS over the exec into the child's ru_maxrss, so it is kept for
  information only). Pages shared between forked workers count once per process, so this is an upper bound of
  the memory in use, and a peak shorter than the sampling interval can be missed;
- input MB (10^6 bytes of corpus.jsonl), documents/s and MB/s (per wall second), MB/s per core (per CPU second);
- precision and recall of the removed paragraphs: `benchmarks.bigcorpus.score` of the contestant's report.jsonl
  against truth.jsonl (the peers write the same report fields; they remove only repeats and near-duplicate
  documents, so their recall says what that part alone finds).

The table gives each contestant's wall and CPU time over dedup's at the same size and the CPU cost per document
relative to the same contestant's 10k row (or its smallest size in the run). The machine is shared: compare
figures within one run only. Raw results go to `benchmarks/.cache/bigrun/bigrun-<stamp>.json`, written after every
contestant; outputs are deleted once scored unless --keep-outputs, while each contestant's standard output and
error stay in `benchmarks/.cache/bigrun/work/<docs>-<seed>/<tool>.log` and `.err`.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
CACHE_DIR = BENCH_DIR / ".cache" / "bigrun"
CORPUS_CACHE = BENCH_DIR / ".cache" / "bigcorpus"
VENVS = BENCH_DIR / ".venvs"
TOOLS = ("dedup", "datasketch", "text-dedup")
TEXT_DEDUP_VERSION = "0.4.0"
POLL_SECONDS = 0.2
REFERENCE_DOCS = 10_000
MB = 1_000_000
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
CLOCK_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
STDERR_TAIL = 2000


# --- measuring a process tree --------------------------------------------------------------------------------------


def proc_table(proc: Path = Path("/proc")) -> dict[int, tuple[int, int]]:
    """pid -> (parent pid, CPU clock ticks used so far) for every process /proc shows."""
    out: dict[int, tuple[int, int]] = {}
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:  # gone since the directory was listed
            continue
        parsed = parse_stat(stat)
        if parsed is not None:
            out[int(entry.name)] = parsed
    return out


def parse_stat(stat: str) -> tuple[int, int] | None:
    """(ppid, utime + stime) from a /proc/<pid>/stat line; the command name may hold spaces and parentheses, so
    the fields are counted from its last closing parenthesis."""
    rest = stat[stat.rfind(")") + 2 :].split()
    if len(rest) < 13:
        return None
    return int(rest[1]), int(rest[11]) + int(rest[12])


def descendants(root: int, table: dict[int, tuple[int, int]]) -> list[int]:
    """`root` and every process below it."""
    children: dict[int, list[int]] = {}
    for pid, (ppid, _) in table.items():
        children.setdefault(ppid, []).append(pid)
    out, stack = [], [root]
    while stack:
        pid = stack.pop()
        out.append(pid)
        stack.extend(children.get(pid, ()))
    return out


def rss_bytes(pid: int, proc: Path = Path("/proc")) -> int:
    try:
        fields = (proc / str(pid) / "statm").read_text().split()
    except OSError:
        return 0
    return int(fields[1]) * PAGE_SIZE if len(fields) > 1 else 0


class TreeSampler:
    """Samples a process tree in a thread: the peak of its summed RSS, the most processes seen at once and the CPU
    ticks each process was last seen with (a cross-check of wait4's figure, which misses unwaited descendants)."""

    def __init__(self, root: int, interval: float = POLL_SECONDS, proc: Path = Path("/proc")) -> None:
        self.root = root
        self.interval = interval
        self.proc = proc
        self.peak_rss = 0
        self.max_processes = 0
        self.samples = 0
        self.ticks: dict[int, int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def sample(self) -> None:
        table = proc_table(self.proc)
        if self.root not in table:
            return
        pids = descendants(self.root, table)
        self.peak_rss = max(self.peak_rss, sum(rss_bytes(pid, self.proc) for pid in pids))
        self.max_processes = max(self.max_processes, len(pids))
        for pid in pids:
            self.ticks[pid] = max(self.ticks.get(pid, 0), table[pid][1])
        self.samples += 1

    def _loop(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(self.interval)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    @property
    def sampled_cpu(self) -> float:
        return sum(self.ticks.values()) / CLOCK_TICKS


@dataclass
class Measurement:
    """One subprocess run, measured from outside (see the module docstring)."""

    command: list[str]
    returncode: int
    wall: float
    user: float
    sys: float
    peak_rss: int  # bytes: the sampled tree peak (ru_maxrss only when no sample was taken)
    tree_peak_rss: int
    ru_maxrss: int
    max_processes: int
    samples: int
    sampled_cpu: float  # CPU seconds of the processes seen by the sampler (at least what they had when last seen)

    @property
    def cpu(self) -> float:
        return self.user + self.sys


def measure(
    command: Sequence[str],
    *,
    cwd: Path = ROOT,
    env: dict[str, str] | None = None,
    stdout: Path | None = None,
    stderr: Path | None = None,
    interval: float = POLL_SECONDS,
) -> Measurement:
    """Run `command` to its end and measure it: wall time, CPU of its waited-for tree (wait4), peak tree RSS."""
    out = stdout.open("wb") if stdout is not None else subprocess.DEVNULL
    err = stderr.open("wb") if stderr is not None else subprocess.DEVNULL
    try:
        start = time.perf_counter()
        # Its own process group, so that an interrupted run can end the whole tree (worker processes too).
        proc = subprocess.Popen(
            list(command), cwd=cwd, env=env, stdout=out, stderr=err, stdin=subprocess.DEVNULL, start_new_session=True
        )
        sampler = TreeSampler(proc.pid, interval)
        sampler.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        except BaseException:
            # Interrupted (Ctrl-C, SIGTERM via main's handler): a contestant left running would skew whatever
            # runs next on this machine.
            os.killpg(proc.pid, signal.SIGKILL)
            os.waitpid(proc.pid, 0)
            raise
        finally:
            wall = time.perf_counter() - start
            sampler.stop()
        # Popen must not wait for the pid again: wait4 has reaped it.
        proc.returncode = os.waitstatus_to_exitcode(status)
    finally:
        for fh in (out, err):
            if not isinstance(fh, int):
                fh.close()
    ru_maxrss = usage.ru_maxrss * 1024  # kilobytes on Linux
    return Measurement(
        command=list(command),
        returncode=proc.returncode,
        wall=wall,
        user=usage.ru_utime,
        sys=usage.ru_stime,
        # ru_maxrss is not the child's own: Linux carries the launching process's high-water RSS over the exec
        # (a child started from a 1 GB test runner reports 1 GB), so it only stands in when sampling saw nothing.
        peak_rss=sampler.peak_rss or ru_maxrss,
        tree_peak_rss=sampler.peak_rss,
        ru_maxrss=ru_maxrss,
        max_processes=sampler.max_processes,
        samples=sampler.samples,
        sampled_cpu=sampler.sampled_cpu,
    )


# --- corpora and contestants -------------------------------------------------------------------------------------


def corpus_dir(docs: int, seed: int) -> Path:
    return CORPUS_CACHE / f"corpus-{docs}-{seed}"


def corpus_ready(path: Path, docs: int, seed: int) -> bool:
    """meta.json is written last, so its presence with the same parameters means a finished corpus."""
    try:
        meta = json.loads((path / "meta.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    params = meta.get("parameters", {})
    return bool(params.get("docs") == docs and params.get("seed") == seed and (path / "corpus.jsonl").is_file())


def ensure_corpus(docs: int, seed: int, log: Callable[[str], None]) -> tuple[Path, Measurement | None]:
    """The corpus directory, generated (and measured) by `python -m benchmarks.bigcorpus` if not there yet."""
    path = corpus_dir(docs, seed)
    if corpus_ready(path, docs, seed):
        return path, None
    log(f"generating the {docs:,}-page corpus in {_rel(path)}")
    path.mkdir(parents=True, exist_ok=True)
    gen = measure(
        [sys.executable, "-m", "benchmarks.bigcorpus", "--docs", str(docs), "--seed", str(seed), "--out", str(path)],
        stdout=path.parent / f"corpus-{docs}-{seed}.log",
        stderr=path.parent / f"corpus-{docs}-{seed}.log.err",
    )
    if gen.returncode != 0 or not corpus_ready(path, docs, seed):
        raise RuntimeError(f"bigcorpus failed for {docs} pages: see {path.parent / f'corpus-{docs}-{seed}.log.err'}")
    log(f"generated in {gen.wall:.0f}s (peak {gen.peak_rss / MB:,.0f} MB)")
    return path, gen


@dataclass(frozen=True)
class Contestant:
    name: str
    python: Path | None  # None: not available
    reason: str = ""  # why not available, or a remark (another version)


def contestants(names: Sequence[str], venvs: Path = VENVS) -> list[Contestant]:
    out: list[Contestant] = []
    for name in names:
        if name in ("dedup", "datasketch"):
            out.append(Contestant(name, Path(sys.executable)))
            continue
        if name != "text-dedup":
            raise ValueError(f"unknown tool {name!r}; known: {', '.join(TOOLS)}")
        venv = venvs / "text-dedup"
        python = venv / "bin" / "python"
        if (venv / "FAILED").is_file():
            out.append(Contestant(name, None, (venv / "FAILED").read_text(encoding="utf-8").strip()))
        elif not python.is_file():
            out.append(Contestant(name, None, "no venv: run `bash benchmarks/setup_peers.sh text-dedup`"))
        else:
            installed = freeze_version(venv, "text-dedup")
            remark = (
                "" if installed == TEXT_DEDUP_VERSION else f"text-dedup {installed or '?'}, not {TEXT_DEDUP_VERSION}"
            )
            out.append(Contestant(name, python, remark))
    return out


def freeze_version(venv: Path, package: str) -> str | None:
    """The version setup_peers.sh's `pip freeze` recorded for `package`."""
    try:
        lines = (venv / "FREEZE").read_text(encoding="utf-8").splitlines()
    except OSError:
        return None
    for line in lines:
        name, sep, version = line.partition("==")
        if sep and name.strip().lower().replace("_", "-") == package:
            return version.strip()
    return None


def command_for(
    c: Contestant, corpus: Path, out: Path, dedup_args: Sequence[str] = (), peer_jobs: int = 1
) -> list[str]:
    assert c.python is not None
    if c.name == "dedup":
        return [str(c.python), "-m", "dedup", "clean", str(corpus), "-o", str(out), *dedup_args]
    return [str(c.python), "-m", "benchmarks.bigpeers", c.name, str(corpus), str(out), "--jobs", str(peer_jobs)]


def child_env() -> dict[str, str]:
    env = dict(os.environ)
    # text-dedup imports Hugging Face datasets, which must not go looking for the network.
    env.update(HF_DATASETS_OFFLINE="1", HF_HUB_OFFLINE="1", HF_HUB_DISABLE_TELEMETRY="1", PYTHONUNBUFFERED="1")
    return env


def count_lines(path: Path) -> int:
    n = 0
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            n += block.count(b"\n")
    return n


def last_json_line(path: Path) -> dict[str, Any] | None:
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return None
    for line in reversed(lines):
        line = line.strip()
        if line.startswith("{"):
            try:
                value = json.loads(line)
            except ValueError:
                continue
            if isinstance(value, dict):
                return value
    return None


def tail(path: Path, size: int = STDERR_TAIL) -> str:
    try:
        data = path.read_bytes()
    except OSError:
        return ""
    return data[-size:].decode("utf-8", errors="replace").strip()


@dataclass
class RunResult:
    """One contestant at one size: the measurement and what came out of it."""

    tool: str
    docs: int
    input_bytes: int
    measurement: dict[str, Any] | None = None
    error: str | None = None
    output_docs: int | None = None
    output_bytes: int | None = None
    score: dict[str, Any] | None = None
    peer: dict[str, Any] | None = None  # the peer's own JSON line (stage seconds, versions, note)
    remark: str = ""


def short_score(result: dict[str, Any]) -> dict[str, Any]:
    """The figures of `bigcorpus.score` worth keeping (its per-debris-line table is large and not needed here)."""
    return {k: v for k, v in result.items() if k != "debris_lines"}


def run_one(
    c: Contestant,
    corpus: Path,
    docs: int,
    work: Path,
    *,
    dedup_args: Sequence[str] = (),
    peer_jobs: int = 1,
    keep_outputs: bool = False,
    scorer: Callable[[Path, Path], dict[str, Any]] | None = None,
) -> RunResult:
    """Run one contestant on `corpus/corpus.jsonl` into `work/<tool>/`, measure it and score its report."""
    source = corpus / "corpus.jsonl"
    res = RunResult(c.name, docs, source.stat().st_size, remark=c.reason)
    if c.python is None:
        res.error = f"not available ({c.reason})"
        return res
    out = work / c.name
    logs = work / f"{c.name}.log"
    shutil.rmtree(out, ignore_errors=True)
    work.mkdir(parents=True, exist_ok=True)
    m = measure(
        command_for(c, source, out, dedup_args, peer_jobs),
        env=child_env(),
        stdout=logs,
        stderr=logs.with_suffix(".err"),
    )
    res.measurement = asdict(m) | {"cpu": m.cpu}
    if m.returncode != 0:
        res.error = f"exit {m.returncode}: {tail(logs.with_suffix('.err'))[-300:]}"
        return res
    if c.name != "dedup":
        res.peer = last_json_line(logs)
    output = out / "corpus.jsonl"
    if output.is_file():
        res.output_docs = count_lines(output)
        res.output_bytes = output.stat().st_size
    report = out / "report.jsonl"
    truth = corpus / "truth.jsonl"
    if scorer is not None and report.is_file() and truth.is_file():
        res.score = short_score(scorer(truth, report))
    if not keep_outputs:
        shutil.rmtree(out, ignore_errors=True)
    return res


def bigcorpus_score(truth: Path, report: Path) -> dict[str, Any]:
    from benchmarks import bigcorpus

    return bigcorpus.score(truth, report)


# --- the table -----------------------------------------------------------------------------------------------------


HEADER = (
    "docs",
    "tool",
    "wall s",
    "CPU s",
    "peak RSS MB",
    "input MB",
    "docs/s",
    "MB/s",
    "MB/s per core",
    "wall / dedup",
    "CPU / dedup",
    "CPU/doc vs 10k",
    "precision",
    "recall",
)


def _ratio(a: float | None, b: float | None) -> str:
    return f"{a / b:.2f}x" if a is not None and b else ""


def table_rows(results: Sequence[dict[str, Any]]) -> list[list[str]]:
    """One row per (size, tool) in run order, from RunResult dicts. Ratios compare with dedup at the same size;
    the cost per document compares with the same tool's REFERENCE_DOCS row, else its smallest size."""
    by_key = {(r["docs"], r["tool"]): r for r in results}
    reference: dict[str, dict[str, Any]] = {}
    for r in sorted(results, key=lambda r: r["docs"]):
        if r.get("measurement") and not r.get("error"):
            tool = r["tool"]
            if tool not in reference or r["docs"] == REFERENCE_DOCS:
                reference[tool] = r
    rows: list[list[str]] = []
    for r in results:
        docs, tool = r["docs"], r["tool"]
        mb = r["input_bytes"] / MB
        if r.get("error") or not r.get("measurement"):
            rows.append([f"{docs:,}", tool, r.get("error") or "not run", *[""] * (len(HEADER) - 3)])
            continue
        m = r["measurement"]
        wall, cpu = m["wall"], m["cpu"]
        base = by_key.get((docs, "dedup"))
        base_m = base["measurement"] if base and base.get("measurement") and not base.get("error") else None
        ref = reference.get(tool)
        per_doc = ""
        if ref is not None:
            ref_cost = ref["measurement"]["cpu"] / ref["docs"]
            per_doc = f"{cpu / docs / ref_cost:.2f}" if ref_cost else ""
            if ref["docs"] != REFERENCE_DOCS and per_doc:
                per_doc += f" (vs {ref['docs']:,})"
        score = r.get("score") or {}
        rows.append(
            [
                f"{docs:,}",
                tool,
                f"{wall:,.1f}",
                f"{cpu:,.1f}",
                f"{m['peak_rss'] / MB:,.0f}",
                f"{mb:,.1f}",
                f"{docs / wall:,.0f}" if wall else "",
                f"{mb / wall:.2f}" if wall else "",
                f"{mb / cpu:.2f}" if cpu else "",
                "" if tool == "dedup" else _ratio(wall, base_m["wall"] if base_m else None),
                "" if tool == "dedup" else _ratio(cpu, base_m["cpu"] if base_m else None),
                per_doc,
                f"{score['precision']:.3f}" if "precision" in score else "",
                f"{score['recall']:.3f}" if "recall" in score else "",
            ]
        )
    return rows


def render_table(header: Sequence[str], rows: Sequence[Sequence[str]], markdown: bool) -> str:
    if markdown:
        lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
        lines += ["| " + " | ".join(cell.replace("|", "\\|") for cell in r) + " |" for r in rows]
        return "\n".join(lines)
    widths = [max([len(h), *(len(r[k]) for r in rows)]) for k, h in enumerate(header)]
    fmt = "  ".join(f"{{:<{w}}}" if k < 2 else f"{{:>{w}}}" for k, w in enumerate(widths))
    return "\n".join([fmt.format(*header), *(fmt.format(*r) for r in rows)])


def notes(data: dict[str, Any]) -> list[str]:
    """What was timed, per contestant, and how: printed under the table."""
    out = []
    dedup_args = data.get("dedup_args") or []
    peer_jobs = data.get("peer_jobs", 1)
    tools = {r["tool"] for r in data["results"]}
    if "dedup" in tools:
        out.append(
            "dedup: `python -m dedup clean corpus.jsonl -o OUT"
            + (" " + shlex.join(dedup_args) if dedup_args else "")
            + "`: read, segment, rules, repeats, boilerplate, near-duplicate documents, context, write the cleaned "
            "corpus.jsonl, report.jsonl and summary.json."
        )
    peer_notes: dict[str, tuple[str, dict[str, Any]]] = {}
    for r in data["results"]:
        if r.get("peer"):
            peer_notes.setdefault(r["tool"], (r["peer"].get("note", ""), r["peer"].get("versions", {})))
    for tool in ("datasketch", "text-dedup"):
        if tool in peer_notes:
            note, versions = peer_notes[tool]
            vs = ", ".join(f"{k} {v}" for k, v in versions.items())
            out.append(
                f"{tool} ({vs}; {peer_jobs} process{'es' if peer_jobs > 1 else ''} for read/clean/sign): "
                f"`python -m benchmarks.bigpeers {tool}`, timed whole (interpreter start, imports, read JSONL, "
                f"paragraphs, exact + near repeats, document signatures, LSH, write corpus.jsonl + report.jsonl): "
                f"{note}."
            )
    remarks = {r["tool"]: r["remark"] for r in data["results"] if r.get("remark")}
    out += [f"{tool}: {remark}" for tool, remark in remarks.items()]
    out.append(
        "Wall and CPU seconds (user + system of the process tree, from wait4) of the whole subprocess; peak RSS: the "
        f"largest sum over the process tree, sampled every {data.get('poll', POLL_SECONDS)} s; MB = 10^6 bytes of "
        "corpus.jsonl; MB/s per core = MB / CPU s; X / dedup: X's time over dedup's at that size; CPU/doc vs 10k: "
        "CPU seconds per document over the same tool's at 10k. precision/recall: removed paragraphs against the "
        "planted truth (`bigcorpus score`); the peers remove only repeats and near-duplicate documents."
    )
    return out


def render(data: dict[str, Any], markdown: bool = False) -> str:
    lines = [render_table(HEADER, table_rows(data["results"]), markdown), ""]
    for corpus in data.get("corpora", []):
        gen = corpus.get("generation")
        if gen:
            lines.append(
                f"corpus {corpus['docs']:,}: generated in this run in {gen['wall']:,.0f} s "
                f"(CPU {gen['cpu']:,.0f} s, peak {gen['peak_rss'] / MB:,.0f} MB)"
            )
    lines += [f"- {n}" if markdown else n for n in notes(data)]
    git = data.get("git") or {}
    if git.get("head"):
        changed = git.get("changed") or []
        lines.append(
            f"{'- ' if markdown else ''}code: commit {git['head']}"
            + (f" with {len(changed)} changed file(s) under dedup/ and benchmarks/" if changed else "")
        )
    machine = data.get("machine", {})
    if machine:
        lines.append(
            f"{'- ' if markdown else ''}machine: {machine.get('cpus')} CPUs, Python {machine.get('python')}, "
            f"{data.get('started', '')[:10]}; shared, so compare only within one run."
        )
    return "\n".join(lines)


# --- command line --------------------------------------------------------------------------------------------------


def _rel(path: Path) -> str:
    try:
        return str(path.relative_to(ROOT))
    except ValueError:
        return str(path)


def git_state(root: Path = ROOT) -> dict[str, Any]:
    """The commit the run measured and the files that differed from it (read-only git calls): engines change under
    a benchmark, and a figure is worth only as much as knowing which code made it."""

    def git(*args: str) -> str:
        try:
            proc = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, timeout=30, check=False)
        except (OSError, subprocess.SubprocessError):
            return ""
        return proc.stdout if proc.returncode == 0 else ""

    changed = [line[3:] for line in git("status", "--porcelain", "--", "dedup", "benchmarks").splitlines() if line]
    return {"head": git("rev-parse", "--short", "HEAD").strip(), "changed": changed}


def parse_tools(value: str) -> list[str]:
    names = [t.strip() for t in value.split(",") if t.strip()]
    unknown = [t for t in names if t not in TOOLS]
    if unknown or not names:
        raise argparse.ArgumentTypeError(f"unknown tool(s) {', '.join(unknown) or '(none)'}; known: {', '.join(TOOLS)}")
    return names


def _terminate(signum: int, frame: Any) -> None:
    raise SystemExit(128 + signum)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bigrun", description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, action="append", help="corpus size in pages (repeatable)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--tools", type=parse_tools, default=list(TOOLS), help="comma-separated: " + ",".join(TOOLS))
    parser.add_argument("--dedup-args", default="", help='extra `dedup clean` arguments, e.g. "--jobs 2"')
    parser.add_argument("--peer-jobs", type=int, default=1, help="worker processes of the peer pipelines")
    parser.add_argument("--markdown", action="store_true")
    parser.add_argument("--keep-outputs", action="store_true", help="keep every contestant's output directory")
    parser.add_argument("--poll", type=float, default=POLL_SECONDS, help="RSS sampling interval in seconds")
    parser.add_argument("--no-score", action="store_true", help="skip precision/recall (bigcorpus score)")
    parser.add_argument("--render", type=Path, default=None, help="print the table of a saved results JSON")
    args = parser.parse_args(argv)

    signal.signal(signal.SIGTERM, _terminate)
    if args.render is not None:
        print(render(json.loads(args.render.read_text(encoding="utf-8")), args.markdown))
        return 0
    sizes = args.docs or [REFERENCE_DOCS]
    started = datetime.now(UTC)
    clock = time.perf_counter()

    def log(message: str) -> None:
        print(f"[{time.perf_counter() - clock:7.1f}s] {message}", file=sys.stderr, flush=True)

    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    results_path = CACHE_DIR / f"bigrun-{started.strftime('%Y%m%dT%H%M%SZ')}.json"
    dedup_args = shlex.split(args.dedup_args)
    data: dict[str, Any] = {
        "started": started.isoformat(timespec="seconds"),
        "argv": list(sys.argv[1:] if argv is None else argv),
        "seed": args.seed,
        "tools": args.tools,
        "dedup_args": dedup_args,
        "peer_jobs": args.peer_jobs,
        "poll": args.poll,
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "load_average_at_start": list(os.getloadavg()) if hasattr(os, "getloadavg") else None,
        },
        "git": git_state(),
        "corpora": [],
        "results": [],
    }
    entrants = contestants(args.tools)

    def save() -> None:
        results_path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")

    for docs in sizes:
        corpus, gen = ensure_corpus(docs, args.seed, log)
        data["corpora"].append(
            {
                "docs": docs,
                "path": _rel(corpus),
                "bytes": (corpus / "corpus.jsonl").stat().st_size,
                "generation": None if gen is None else asdict(gen) | {"cpu": gen.cpu},
            }
        )
        work = CACHE_DIR / "work" / f"{docs}-{args.seed}"
        for c in entrants:
            log(f"{docs:,} pages: {c.name}")
            res = run_one(
                c,
                corpus,
                docs,
                work,
                dedup_args=dedup_args,
                peer_jobs=args.peer_jobs,
                keep_outputs=args.keep_outputs,
                scorer=None if args.no_score else bigcorpus_score,
            )
            if res.measurement:
                m = res.measurement
                log(f"  {m['wall']:.1f}s wall, {m['cpu']:.1f}s CPU, peak {m['peak_rss'] / MB:,.0f} MB")
                if m["sampled_cpu"] > 1.05 * m["cpu"] + 0.5:
                    log(f"  warning: the sampler saw {m['sampled_cpu']:.1f}s CPU, more than wait4 reports")
            if res.error:
                log(f"  {res.error}")
            data["results"].append(asdict(res))
            save()
    data["finished"] = datetime.now(UTC).isoformat(timespec="seconds")
    save()
    print(render(data, args.markdown))
    print(f"\nresults: {_rel(results_path)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
