"""MinHash signature throughput on one core: dedup against datasketch, rensa, datatrove and text-dedup.

Why this exists: dedup's signer is a numpy re-implementation of datasketch's scheme, and the claim that it is fast
only means something next to the libraries people would otherwise use, measured in the same run on the same
paragraphs. The paragraphs are real text: the gold `main_content` of the wcxb-dev evaluation set, split on blank
lines, keeping paragraphs of at least 8 words.

Every contestant signs the same word 3-gram shingles of `dedup.shingle.tokens` (128 permutations, seed 1), written
once to a JSONL file that each peer reads in its own virtual environment (`benchmarks/setup_peers.sh`,
`benchmarks.peers`), so the comparison is about signing. dedup's `sign_texts` starts from raw text, so its time
includes tokenization; the shared tokenization + shingling time is measured separately and added to the peers'
signing time in the "from text" columns. Rows whose peer only takes raw text say so and are not adjusted.
Each contestant is warmed up on 200 paragraphs, then timed with perf_counter as the best of a few full passes.

    bash benchmarks/setup_peers.sh            # once: creates benchmarks/.venvs/<peer>/
    python -m benchmarks.sign_speed [--limit N] [--eval-dir DIR] [--peers rensa,datatrove,text-dedup] [--markdown]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from benchmarks.peers import MAX_PASSES, MIN_SECONDS, time_runner
from dedup.config import MinHashConfig
from dedup.minhash import Signer
from dedup.shingle import tokens, word_shingles

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_EVAL_DIR = Path(__file__).resolve().parents[2] / "shared" / "eval"
CACHE_DIR = Path(__file__).resolve().parent / ".cache" / "sign_speed"
VENVS_DIR = Path(__file__).resolve().parent / ".venvs"
PEERS: tuple[str, ...] = ("rensa", "datatrove", "text-dedup")
MIN_WORDS = 8
NGRAM = 3
NUM_PERM = 128
BASELINE = "datasketch update()"
PEER_TIMEOUT = 1800  # seconds for one peer's subprocess; a hung peer must not hang the benchmark


@dataclass(frozen=True)
class Row:
    """One contestant's result; `seconds` covers signing from shingles unless `from_text` is set."""

    contestant: str
    seconds: float | None
    count: int
    note: str = ""
    from_text: bool = False
    error: str = ""


def load_paragraphs(eval_dir: Path, limit: int) -> list[str]:
    """Gold paragraphs in file order, so a given --limit always picks the same paragraphs."""
    files = sorted((eval_dir / "wcxb-dev" / "ground-truth").glob("*.json"))
    if not files:
        raise SystemExit(f"no wcxb-dev ground truth under {eval_dir}; pass --eval-dir")
    paragraphs: list[str] = []
    for path in files:
        gold = json.loads(path.read_text(encoding="utf-8")).get("ground_truth") or {}
        for block in (gold.get("main_content") or "").split("\n\n"):
            block = block.strip()
            if len(block.split()) >= MIN_WORDS:
                paragraphs.append(block)
                if len(paragraphs) >= limit:
                    return paragraphs
    return paragraphs


def shingle_all(texts: Sequence[str]) -> list[list[str]]:
    return [word_shingles(tokens(t), NGRAM) for t in texts]


def time_shingling(texts: Sequence[str]) -> float:
    """The shared tokenization + shingling cost that every shingle-fed contestant would pay from raw text."""
    seconds, _ = time_runner(lambda ts, _sh: len(shingle_all(ts)), texts, [])
    return seconds


def time_dedup(texts: Sequence[str], hash_name: str) -> Row:
    """Same warm-up and best-of-passes timing as the peers (`benchmarks.peers.time_runner`)."""
    signer = Signer(MinHashConfig(hash=hash_name, num_perm=NUM_PERM, ngram=NGRAM))  # type: ignore[arg-type]
    seconds, count = time_runner(lambda ts, _sh: len(signer.sign_texts(ts)), texts, [])
    note = "sign_texts from raw text (includes dedup's tokenization)"
    return Row(f"dedup ({hash_name})", seconds, count, note, from_text=True)


def write_paragraph_file(texts: Sequence[str], shingles: Sequence[Sequence[str]]) -> Path:
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    path = CACHE_DIR / f"paragraphs-{len(texts)}.jsonl"
    with path.open("w", encoding="utf-8") as fh:
        for text, doc in zip(texts, shingles, strict=True):
            fh.write(json.dumps({"text": text, "shingles": list(doc)}, ensure_ascii=False) + "\n")
    return path


def run_peer(peer: str, python: Path, paragraphs: Path) -> list[Row]:
    """Run `benchmarks.peers` for one peer in a subprocess and parse its JSON lines."""
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONHOME")}
    env["PYTHONPATH"] = str(ROOT)
    try:
        proc = subprocess.run(
            [str(python), "-m", "benchmarks.peers", peer, str(paragraphs)],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=PEER_TIMEOUT,
        )
    except subprocess.TimeoutExpired:
        return [Row(peer, None, 0, error=f"timed out after {PEER_TIMEOUT} s")]
    rows: list[Row] = []
    for line in proc.stdout.splitlines():
        if not line.startswith("{"):
            continue
        data = json.loads(line)
        note = data.get("note", "")
        rows.append(
            Row(
                data["contestant"],
                data.get("seconds"),
                data.get("count", 0),
                note,
                from_text=note.startswith("raw text"),
                error=data.get("error", ""),
            )
        )
    if not rows:
        tail = (proc.stderr.strip().splitlines() or [f"exit code {proc.returncode}"])[-1][:200]
        rows.append(Row(peer, None, 0, error=f"runner failed: {tail}"))
    return rows


def peer_rows(peer: str, paragraphs: Path) -> list[Row]:
    venv = VENVS_DIR / peer
    failed = venv / "FAILED"
    if failed.exists():
        return [Row(peer, None, 0, error=failed.read_text(encoding="utf-8").strip())]
    python = venv / "bin" / "python"
    if not python.exists():
        return [Row(peer, None, 0, error="venv missing: run bash benchmarks/setup_peers.sh")]
    return run_peer(peer, python, paragraphs)


def text_seconds(row: Row, shingling: float) -> float | None:
    if row.seconds is None:
        return None
    return row.seconds if row.from_text else row.seconds + shingling


def render(rows: Sequence[Row], shingling: float, n: int, megabytes: float, markdown: bool) -> str:
    base = next((r for r in rows if r.contestant == BASELINE and r.seconds), None)
    base_text = text_seconds(base, shingling) if base else None
    head = [
        "contestant",
        "paragraphs/s (from text)",
        "MB/s (from text)",
        f"ratio to {BASELINE} (from text)",
        "paragraphs/s (signing only)",
        "note",
    ]
    lines = [head, ["---"] * len(head)] if markdown else [head]
    for r in rows:
        if r.seconds is None or r.count != n:
            reason = r.error or f"signed {r.count} of {n} paragraphs"
            lines.append([r.contestant, f"not available ({reason})", "", "", "", r.note])
            continue
        total = text_seconds(r, shingling) or 0.0
        ratio = f"{base_text / total:.2f}x" if base_text else "n/a"
        sign_only = "" if r.from_text else f"{n / r.seconds:,.0f}"
        lines.append([r.contestant, f"{n / total:,.0f}", f"{megabytes / total:.2f}", ratio, sign_only, r.note])
    lines.append(
        [
            "(shared tokenize + shingle)",
            f"{n / shingling:,.0f}",
            f"{megabytes / shingling:.2f}",
            "",
            "",
            "added to peers",
        ]
    )
    if markdown:
        return "\n".join("| " + " | ".join(cells) + " |" for cells in lines)
    widths = [max(len(row[i]) for row in lines) for i in range(len(head))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--eval-dir", type=Path, default=DEFAULT_EVAL_DIR)
    parser.add_argument("--limit", type=int, default=20_000, help="paragraphs to sign (default 20000)")
    parser.add_argument(
        "--corpus", type=Path, help="sign paragraphs of a benchmarks.paracorpus directory instead of WCXB gold"
    )
    parser.add_argument("--peers", default=",".join(PEERS), help="comma-separated peers to run in their venvs")
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table with command and date")
    args = parser.parse_args(argv)

    if args.corpus:
        from benchmarks.paracorpus import load

        texts = [p.text for p in load(args.corpus)[0][: args.limit]]
    else:
        texts = load_paragraphs(args.eval_dir, args.limit)
    n = len(texts)
    megabytes = sum(len(t.encode("utf-8")) for t in texts) / 1e6
    shingles = shingle_all(texts)
    paragraphs = write_paragraph_file(texts, shingles)
    shingling = time_shingling(texts)

    rows = [time_dedup(texts, "fast"), time_dedup(texts, "sha1")]
    rows += run_peer("datasketch", Path(sys.executable), paragraphs)
    for peer in [p for p in args.peers.split(",") if p]:
        rows += peer_rows(peer, paragraphs)

    command = "python -m benchmarks.sign_speed " + shlex.join(sys.argv[1:] if argv is None else list(argv))
    print(f"{n:,} paragraphs, {megabytes:.2f} MB UTF-8, {sum(map(len, shingles)):,} word 3-gram shingles")
    print(
        f"one process, {NUM_PERM} permutations, seed 1; best of up to {MAX_PASSES} full passes after a warm-up "
        f"(until {MIN_SECONDS:g} s spent); {platform.python_implementation()} {platform.python_version()}"
    )
    print()
    print(render(rows, shingling, n, megabytes, args.markdown))
    print()
    print(f"command: `{command.strip()}`  date: {date.today().isoformat()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
