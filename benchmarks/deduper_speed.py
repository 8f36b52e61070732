"""`Deduper.add` throughput and memory on news-length documents, one core, in-memory index, next to the loops a
scraper would otherwise write with datasketch and rensa (issue 6).

Documents: the gold text of the evaluation pages (`../shared/eval`): every AEB article body and every WCXB page
whose type is "article", in that order (about 970 documents of clean news-like text). Every contestant sees the
same documents in the same order with word 3-gram shingles of `dedup.shingle` (128 permutations, threshold 0.8):

- dedup `Deduper.add`: the whole verdict from raw text: per-document cleaning (segmentation, language, debris rules,
  repeats inside the document: `Pipeline.analyse`), boilerplate of the source, near-duplicate search (exact key,
  LSH, exact Jaccard verification), context rules, the Result, and indexing. Also timed in parts: the cleaning alone
  and the index step alone (the decision and indexing after the cleaning, what the peers' loops do);
- datasketch: `MinHash.update_batch` with the document's shingles, `MinHashLSH.query` then `insert` (the loop the
  issue names), in dedup's own virtual environment;
- rensa: `RMinHashDeduplicator.add` (and `CMinHashDeduplicator.add`) with an `RMinHash`/`CMinHash` updated with
  the same shingles, in rensa's own virtual environment (`benchmarks/setup_peers.sh`).

Peers are given the shingles ready-made, so their figures leave out tokenization; the time dedup's reference
shingling takes in Python is reported once beside them. Peers: best of up to 5 passes (at least 2 s spent), each
on a fresh index. dedup: best of `--passes` passes on a fresh Deduper. Memory per indexed document: the Python heap
the index holds after all documents (tracemalloc: what dedup's index code allocated and still holds, beyond a
warmed-up Deduper), `Deduper.nbytes` and the saved file; datasketch's `MinHashLSH` by tracemalloc (all of it);
rensa's by the process's resident memory (it allocates outside Python's heap).

    python -m benchmarks.deduper_speed [--eval-dir DIR] [--limit N] [--passes N] [--markdown]
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_EVAL_DIR = ROOT.parent / "shared" / "eval"
VENVS_DIR = Path(__file__).resolve().parent / ".venvs"
NUM_PERM = 128
THRESHOLD = 0.8
PEER_TIMEOUT = 1800
MIN_SECONDS = 2.0
MAX_PASSES = 5


# --- documents ------------------------------------------------------------------------------------------------------


def news_documents(eval_dir: Path, limit: int | None = None) -> list[tuple[str, str, str]]:
    """(id, url, text) of the AEB article bodies, then the WCXB article pages' gold text."""
    docs: list[tuple[str, str, str]] = []
    truth = json.loads((eval_dir / "aeb" / "ground-truth.json").read_text(encoding="utf-8"))
    for key in sorted(truth):
        text = truth[key].get("articleBody") or ""
        if text.strip():
            docs.append((f"aeb/{key}", truth[key].get("url") or "", text))
    for path in sorted((eval_dir / "wcxb-dev" / "ground-truth").glob("*.json")):
        entry = json.loads(path.read_text(encoding="utf-8"))
        if ((entry.get("_internal") or {}).get("page_type") or {}).get("primary") != "article":
            continue
        text = (entry.get("ground_truth") or {}).get("main_content") or ""
        if text.strip():
            docs.append((f"wcxb/{path.stem}", entry.get("url") or "", text))
    return docs[:limit] if limit else docs


# --- timing helpers ----------------------------------------------------------------------------------------------


def best_of(run: Callable[[], int], passes: int = MAX_PASSES, min_seconds: float = MIN_SECONDS) -> tuple[float, int]:
    """The fastest of up to `passes` full passes (stopping once `min_seconds` were spent), and its count."""
    best, spent, count = float("inf"), 0.0, 0
    for _ in range(passes):
        start = time.perf_counter()
        count = run()
        seconds = time.perf_counter() - start
        best, spent = min(best, seconds), spent + seconds
        if spent >= min_seconds:
            break
    return best, count


def rss_bytes() -> int:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


# --- peers (run in their own environment: stdlib and the peer only) -----------------------------------------------


def _rensa(shingles: Sequence[list[str]]) -> list[dict[str, Any]]:
    import rensa  # type: ignore[import-not-found,unused-ignore]

    held: list[Any] = []
    grown: dict[str, int] = {}
    for label, sketch, make in (
        (
            "rensa RMinHashDeduplicator.add",
            rensa.RMinHash,
            lambda: rensa.RMinHashDeduplicator(THRESHOLD, NUM_PERM, True),
        ),
        ("rensa CMinHashDeduplicator.add", rensa.CMinHash, lambda: rensa.CMinHashDeduplicator(THRESHOLD, NUM_PERM)),
    ):
        # Memory first, before timing passes leave freed memory for the allocator to reuse; kept alive to the end.
        before = rss_bytes()
        index = make()
        for i, doc in enumerate(shingles):
            m = sketch(NUM_PERM, 42)
            m.update(doc)
            index.add(str(i), m)
        grown[label] = rss_bytes() - before
        held.append(index)
    out: list[dict[str, Any]] = []
    for label, sketch, make in (
        (
            "rensa RMinHashDeduplicator.add",
            rensa.RMinHash,
            lambda: rensa.RMinHashDeduplicator(THRESHOLD, NUM_PERM, True),
        ),
        ("rensa CMinHashDeduplicator.add", rensa.CMinHash, lambda: rensa.CMinHashDeduplicator(THRESHOLD, NUM_PERM)),
    ):
        dups = 0

        def run(sketch: Any = sketch, make: Any = make) -> int:
            nonlocal dups
            dedup = make()
            dups = 0
            for i, doc in enumerate(shingles):
                m = sketch(NUM_PERM, 42)  # rensa's deduplicators only take their own default seed
                m.update(doc)
                if not dedup.add(str(i), m):
                    dups += 1
            return len(shingles)

        run()  # warm-up
        seconds, count = best_of(run)
        out.append({"contestant": label, "seconds": seconds, "count": count, "duplicates": dups, "rss": grown[label]})
    return out


def peer_main(peer: str, path: str) -> int:
    shingles = [json.loads(line)["shingles"] for line in Path(path).read_text(encoding="utf-8").splitlines()]
    try:
        rows = _rensa(shingles) if peer == "rensa" else []
    except Exception as exc:  # a broken peer is reported, not fatal
        rows = [{"contestant": peer, "error": f"{type(exc).__name__}: {exc}"[:200]}]
    for row in rows:
        print(json.dumps(row), flush=True)
    return 0


def run_peer(peer: str, shingle_file: Path) -> list[dict[str, Any]]:
    python = VENVS_DIR / peer / "bin" / "python"
    if not python.exists():
        return [{"contestant": peer, "error": f"no {python}: run bash benchmarks/setup_peers.sh"}]
    try:
        proc = subprocess.run(
            [str(python), "-m", "benchmarks.deduper_speed", "--peer", peer, str(shingle_file)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=PEER_TIMEOUT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
    except subprocess.TimeoutExpired:
        return [{"contestant": peer, "error": f"timed out after {PEER_TIMEOUT} s"}]
    rows = [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]
    if not rows:
        return [{"contestant": peer, "error": (proc.stderr.strip().splitlines() or ["no output"])[-1][:200]}]
    return rows


# --- dedup and datasketch (this environment) ----------------------------------------------------------------------


def datasketch_rows(shingles: Sequence[list[str]]) -> list[dict[str, Any]]:
    from datasketch import MinHash, MinHashLSH

    encoded = [[s.encode("utf-8") for s in doc] for doc in shingles]
    dups = 0

    def run(keep: list[Any] | None = None) -> int:
        nonlocal dups
        lsh = MinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM)
        dups = 0
        for i, doc in enumerate(encoded):
            m = MinHash(num_perm=NUM_PERM, seed=1)
            m.update_batch(doc)
            if lsh.query(m):
                dups += 1
            lsh.insert(str(i), m)
        if keep is not None:
            keep.append(lsh)
        return len(encoded)

    run()
    seconds, count = best_of(run)
    gc.collect()
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    held: list[Any] = []
    run(held)
    gc.collect()
    grown = tracemalloc.get_traced_memory()[0] - base
    tracemalloc.stop()
    return [
        {
            "contestant": "datasketch update_batch + MinHashLSH query/insert",
            "seconds": seconds,
            "count": count,
            "duplicates": dups,
            "heap": grown,
        }
    ]


def dedup_rows(docs: Sequence[tuple[str, str, str]], passes: int) -> list[dict[str, Any]]:
    from dedup.deduper import Deduper
    from dedup.pipeline import Pipeline

    def fresh() -> Deduper:
        d = Deduper()
        d.check("warm-up", docs[0][2], kind="text")  # builds the thread's pipeline: rules, signer
        return d

    results: list[Any] = []

    def run_add() -> int:
        d = fresh()
        start = time.perf_counter()
        results[:] = [d.add(i, text, kind="text", url=url) for i, url, text in docs]
        return int((time.perf_counter() - start) * 1e9)

    def timed(run: Callable[[], int]) -> float:
        return min(run() for _ in range(passes)) / 1e9

    add_seconds = timed(run_add)
    dups = sum(r.duplicate_of is not None for r in results)
    pipeline = Pipeline()
    from dedup.document import Document

    documents = [Document(i, text, url=url) for i, url, text in docs]

    def run_analyse() -> int:
        start = time.perf_counter()
        for doc in documents:
            pipeline.analyse(doc)
        return int((time.perf_counter() - start) * 1e9)

    analyse_seconds = timed(run_analyse)

    def run_index() -> int:
        d = fresh()
        prepared = [d._prepare(doc) for doc in documents]
        start = time.perf_counter()
        for p in prepared:
            d.index.transact(lambda view, p=p: d._decide(p, view, add=True))
        return int((time.perf_counter() - start) * 1e9)

    index_seconds = timed(run_index)
    # Memory: what the index holds once every document is in, beyond a warmed-up Deduper. The per-thread pipeline
    # also fills bounded caches (rule verdicts, token power tables); they are not the index and are left out by
    # counting only what dedup/index.py and dedup/deduper.py allocated and still hold.
    gc.collect()
    d = fresh()
    tracemalloc.start()
    before = tracemalloc.take_snapshot()
    for i, url, text in docs:
        d.add(i, text, kind="text", url=url)
    gc.collect()
    after = tracemalloc.take_snapshot()
    total = sum(x.size_diff for x in after.compare_to(before, "filename"))
    mine = [tracemalloc.Filter(True, "*dedup/index.py"), tracemalloc.Filter(True, "*dedup/deduper.py")]
    heap = sum(x.size_diff for x in after.filter_traces(mine).compare_to(before.filter_traces(mine), "filename"))
    tracemalloc.stop()
    with tempfile.TemporaryDirectory(prefix="deduper_speed_") as tmp:
        d.save(Path(tmp) / "index.dedup")
        disk = (Path(tmp) / "index.dedup").stat().st_size
    n = len(docs)
    return [
        {"contestant": "dedup Deduper.add (clean + index)", "seconds": add_seconds, "count": n, "duplicates": dups,
         "heap": heap, "nbytes": d.nbytes, "disk": disk, "process": total},
        {"contestant": "  of which: per-document cleaning (Pipeline.analyse)", "seconds": analyse_seconds, "count": n},
        {"contestant": "  of which: index step (decide + index, after cleaning)", "seconds": index_seconds, "count": n},
    ]  # fmt: skip


def shingle_seconds(texts: Sequence[str]) -> tuple[float, list[list[str]]]:
    from dedup.shingle import shingles

    start = time.perf_counter()
    out = [shingles(t, "word", 3) for t in texts]
    return time.perf_counter() - start, out


# --- report -----------------------------------------------------------------------------------------------------


def markdown(rows: list[dict[str, Any]], docs: int, chars: int, shingling: float) -> str:
    baseline = next((r for r in rows if r["contestant"].startswith("datasketch") and "seconds" in r), None)
    base_rate = baseline["count"] / baseline["seconds"] if baseline else None
    lines = [
        f"{docs} documents, {chars / docs:,.0f} characters on average; measured {date.today().isoformat()}.",
        "",
        "| contestant | docs/s | ms/doc | x datasketch loop | duplicates found | index memory per doc |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for r in rows:
        if "error" in r:
            lines.append(f"| {r['contestant']} | error: {r['error']} | | | | |")
            continue
        rate = r["count"] / r["seconds"]
        ratio = f"{rate / base_rate:.2f}x" if base_rate else ""
        mem = ""
        if "heap" in r:
            mem = f"{r['heap'] / r['count']:,.0f} B (heap)"
            if "nbytes" in r:
                mem += f", {r['nbytes'] / r['count']:,.0f} B (`nbytes`), {r['disk'] / r['count']:,.0f} B (file)"
        elif "rss" in r:
            mem = f"{r['rss'] / r['count']:,.0f} B (RSS)"
        dups = str(r.get("duplicates", ""))
        lines.append(f"| {r['contestant']} | {rate:,.0f} | {1000 / rate:.2f} | {ratio} | {dups} | {mem} |")
    dedup = next((r for r in rows if "process" in r), None)
    if dedup:
        lines += ["", f"Python heap grown during dedup's adds, caches of the cleaning step included (bounded: rule "
                  f"verdicts, token tables): {dedup['process'] / dedup['count']:,.0f} B/doc."]  # fmt: skip
    lines += ["", f"Peers' shingles were made beforehand; dedup's reference shingling of these documents in Python "
              f"takes {1000 * shingling / docs:.2f} ms/doc ({docs / shingling:,.0f} docs/s)."]  # fmt: skip
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--eval-dir", type=Path, default=DEFAULT_EVAL_DIR)
    parser.add_argument("--limit", type=int, default=None, help="use at most this many documents")
    parser.add_argument("--passes", type=int, default=2, help="dedup passes (the fastest counts)")
    parser.add_argument("--markdown", action="store_true", help="print the README table")
    parser.add_argument("--peer", nargs=2, metavar=("PEER", "SHINGLES"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.peer:
        return peer_main(*args.peer)
    if not (args.eval_dir / "aeb").is_dir():
        print(f"evaluation data not found at {args.eval_dir} (give --eval-dir)", file=sys.stderr)
        return 2
    docs = news_documents(args.eval_dir, args.limit)
    shingling, shingles = shingle_seconds([t for _, _, t in docs])
    with tempfile.TemporaryDirectory(prefix="deduper_speed_") as tmp:
        path = Path(tmp) / "shingles.jsonl"
        path.write_text("".join(json.dumps({"shingles": s}) + "\n" for s in shingles), encoding="utf-8")
        rows = dedup_rows(docs, args.passes) + datasketch_rows(shingles) + run_peer("rensa", path)
    chars = sum(len(t) for _, _, t in docs)
    if args.markdown:
        print(markdown(rows, len(docs), chars, shingling))
    else:
        for r in rows:
            print(json.dumps(r))
    return 0


if __name__ == "__main__":
    sys.exit(main())
