"""LSH candidate search and memory: dedup's band index against datasketch's MinHashLSH, same signatures.

Why this exists: finding candidate pairs is the other half of near-duplicate detection, and the
claim that sorting 32-bit band keys beats a dict-of-buckets index only means something beside
`MinHashLSH` on the same signatures with the same bands and rows, in one run. The benchmark also
checks that both return the same candidate pairs, and measures memory with tracemalloc (numpy
reports its buffers to it): the index's bytes per paragraph, the peak of the candidate search, and
the peak of signing beyond its output array at several corpus sizes (it should not grow with them).

    python -m benchmarks.lsh_speed [--corpus DIR | --eval-dir DIR] [--limit N] [--threshold T] [--markdown]
"""

from __future__ import annotations

import argparse
import gc
import platform
import shlex
import sys
import time
import tracemalloc
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from benchmarks.sign_speed import DEFAULT_EVAL_DIR, load_paragraphs
from dedup.config import MinHashConfig
from dedup.interop import to_lean
from dedup.lsh import LSHIndex, LSHParams, lsh_params
from dedup.minhash import Signer

U32 = npt.NDArray[np.uint32]


def measure(fn: Callable[[], Any], memory: bool = True) -> tuple[Any, float, int]:
    """(result, seconds, peak bytes allocated while it ran). Timed on a first run without tracing
    (tracemalloc slows allocation-heavy code such as MinHashLSH several times), then run again
    under tracemalloc for the peak."""
    gc.collect()
    start = time.perf_counter()
    result = fn()
    seconds = time.perf_counter() - start
    if not memory:
        return result, seconds, 0
    del result
    gc.collect()
    tracemalloc.start()
    result = fn()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return result, seconds, peak


def dedup_pairs(sigs: U32, params: LSHParams) -> tuple[set[tuple[int, int]], int]:
    index = LSHIndex(params)
    index.add(sigs)
    pairs = index.build().pairs(sigs)
    return {(int(a), int(b)) for a, b in pairs.tolist()}, index.nbytes


def dedup_pairs_array(sigs: U32, params: LSHParams) -> tuple[npt.NDArray[np.int64], int]:
    index = LSHIndex(params)
    index.add(sigs)
    return index.build().pairs(sigs), index.nbytes


def datasketch_pairs(lean: Sequence[Any], params: LSHParams, config: MinHashConfig) -> tuple[set[tuple[int, int]], Any]:
    """Insert every item and query each, as a user of MinHashLSH finds all candidate pairs (the
    LeanMinHash objects are made beforehand: they are datasketch's signatures, not its index)."""
    from datasketch import MinHashLSH

    lsh = MinHashLSH(threshold=params.threshold, num_perm=config.num_perm, params=(params.bands, params.rows))
    with lsh.insertion_session() as session:
        for i, m in enumerate(lean):
            session.insert(i, m)
    pairs: set[tuple[int, int]] = set()
    for i, m in enumerate(lean):
        for j in lsh.query(m):
            if j != i:
                pairs.add((min(i, j), max(i, j)))
    return pairs, lsh


def signing_memory(texts: Sequence[str], sizes: Sequence[int], config: MinHashConfig) -> list[tuple[int, float, int]]:
    """(paragraphs, MB of text, peak bytes of signing beyond the output array) per corpus size."""
    out = []
    signer = Signer(config)
    for n in sizes:
        part = list(texts[:n])
        gc.collect()
        tracemalloc.start()
        signer.sign_texts(part)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        out.append((len(part), sum(len(t.encode("utf-8")) for t in part) / 1e6, peak - len(part) * config.num_perm * 4))
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--eval-dir", type=Path, default=DEFAULT_EVAL_DIR)
    parser.add_argument("--corpus", type=Path, help="a benchmarks.paracorpus directory (default: WCXB gold paragraphs)")
    parser.add_argument("--limit", type=int, default=100_000)
    parser.add_argument("--threshold", type=float, default=0.5, help="LSH threshold (default 0.5)")
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args(argv)

    if args.corpus:
        from benchmarks.paracorpus import load

        texts = [p.text for p in load(args.corpus)[0][: args.limit]]
    else:
        texts = load_paragraphs(args.eval_dir, args.limit)
    config = MinHashConfig()
    params = lsh_params(args.threshold, config.num_perm)
    sigs = Signer(config).sign_texts(texts)
    n = len(texts)

    (ours, index_bytes), ours_s, ours_peak = measure(lambda: dedup_pairs_array(sigs, params))
    ours_set = {(int(a), int(b)) for a, b in ours.tolist()}
    lean = [to_lean(row, config) for row in sigs]
    (theirs, lsh), theirs_s, theirs_peak = measure(lambda: datasketch_pairs(lean, params, config))
    del lsh
    same = ours_set == theirs
    mem = signing_memory(texts, [n // 10, n // 2, n], config)

    sep = "|" if args.markdown else " "
    command = "python -m benchmarks.lsh_speed " + shlex.join(sys.argv[1:] if argv is None else list(argv))
    print(
        f"{n:,} paragraphs; dedup signatures (fast, 128 permutations); "
        f"LSH threshold {params.threshold}: {params.bands} bands x {params.rows} rows"
    )
    print(
        f"one process; {platform.python_implementation()} {platform.python_version()}; "
        f"{len(ours_set):,} candidate pairs"
    )
    print(
        f"same candidate pairs from both: {same}"
        + ("" if same else f" (only dedup {len(ours_set - theirs)}, only datasketch {len(theirs - ours_set)})")
    )
    print()
    head = [
        "contestant",
        "seconds (build + all pairs)",
        "ratio",
        "index bytes/paragraph",
        "bytes/band/paragraph",
        "peak MB",
    ]
    rows = [
        [
            "dedup LSHIndex (sorted 32-bit band keys)",
            f"{ours_s:.2f}",
            f"{theirs_s / ours_s:.1f}x",
            f"{index_bytes / n:.0f}",
            f"{index_bytes / n / params.bands:.1f}",
            f"{ours_peak / 1e6:.1f}",
        ],
        [
            "datasketch MinHashLSH insert + query",
            f"{theirs_s:.2f}",
            "1.0x",
            f"~{theirs_peak / n:.0f} (peak/paragraph)",
            f"~{theirs_peak / n / params.bands:.0f}",
            f"{theirs_peak / 1e6:.1f}",
        ],
    ]
    if args.markdown:
        print("| " + " | ".join(head) + " |")
        print("|" + "---|" * len(head))
        for r in rows:
            print("| " + " | ".join(r) + " |")
    else:
        for r in [head, *rows]:
            print(sep.join(f"{c:>28}" for c in r))
    print()
    print("signing peak memory beyond its output array (batch_bytes 1 MiB):")
    for count, mb, peak in mem:
        print(f"  {count:>8,} paragraphs ({mb:6.1f} MB of text): {peak / 1e6:6.1f} MB")
    print()
    print(f"command: `{command.strip()}`  date: {date.today().isoformat()}")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
