"""Precision and recall of near-duplicate paragraph pairs, by true-Jaccard bin, for shingle and threshold choices.

Why this exists: the default shingles and threshold decide which edited copies are caught, and
guessing is how tools end up with word 5-grams at 0.8 that miss a 45-word paragraph with three
edits. This runs `dedup.near_duplicates` (the engine the pipeline uses: exact stage, LSH at the
looser candidate threshold, exact-Jaccard or signature verification) on the planted corpus of
`benchmarks.paracorpus` for each choice and scores its pairs against the recorded ground truth:
precision over all pairs reported, recall over all planted pairs and per bin of their true word
3-gram Jaccard (the edit severity, recorded by the generator).

    python -m benchmarks.paracorpus            # once: builds the 100k-paragraph corpus
    python -m benchmarks.near_quality [--corpus DIR] [--choices word:3,char:5] [--thresholds 0.5,0.6] [--markdown]
"""

from __future__ import annotations

import argparse
import shlex
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from benchmarks.paracorpus import load
from dedup.config import MinHashConfig
from dedup.match import near_duplicates

DEFAULT_CORPUS = Path(__file__).resolve().parent / ".cache" / "paracorpus" / "corpus-100000-1"
BINS = ((0.0, 0.5), (0.5, 0.6), (0.6, 0.7), (0.7, 0.8), (0.8, 0.9), (0.9, 1.01))
DEFAULT_CHOICES = "word:1,word:2,word:3,word:5,char:4,char:5,char:7"
DEFAULT_THRESHOLDS = "0.4,0.5,0.6,0.7,0.8"


@dataclass(frozen=True)
class Score:
    choice: str
    threshold: float
    verify: str
    reported: int
    true_positives: int
    planted: int
    recall_by_bin: tuple[float | None, ...]
    seconds: float

    @property
    def precision(self) -> float:
        return self.true_positives / self.reported if self.reported else 1.0

    @property
    def recall(self) -> float:
        return self.true_positives / self.planted if self.planted else 1.0


def score(
    texts: Sequence[str],
    truth: dict[tuple[int, int], float],
    kind: str,
    n: int,
    threshold: float,
    verify: str,
) -> Score:
    config = MinHashConfig(shingle=kind, ngram=n, verify=verify)  # type: ignore[arg-type]
    start = time.perf_counter()
    matches = near_duplicates(texts, threshold, config, min_tokens=config.min_tokens)
    seconds = time.perf_counter() - start
    found = {(min(p.a, p.b), max(p.a, p.b)) for p in matches.pairs}
    hits = found & truth.keys()
    by_bin: list[float | None] = []
    for lo, hi in BINS:
        in_bin = [pair for pair, j in truth.items() if lo <= j < hi]
        by_bin.append(sum(1 for pair in in_bin if pair in hits) / len(in_bin) if in_bin else None)
    return Score(f"{kind} {n}-grams", threshold, verify, len(found), len(hits), len(truth), tuple(by_bin), seconds)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--choices", default=DEFAULT_CHOICES, help="kind:n pairs, comma-separated")
    parser.add_argument("--thresholds", default=DEFAULT_THRESHOLDS)
    parser.add_argument("--verify", default="jaccard", help="jaccard, signature or both")
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args(argv)
    if not (args.corpus / "paragraphs.jsonl").exists():
        raise SystemExit(f"no corpus at {args.corpus}; build it with: python -m benchmarks.paracorpus")

    paragraphs, pairs = load(args.corpus)
    texts = [p.text for p in paragraphs]
    truth = {(min(p.a, p.b), max(p.a, p.b)): p.jaccard3 for p in pairs}
    verifies = ["jaccard", "signature"] if args.verify == "both" else [args.verify]
    scores: list[Score] = []
    for choice in args.choices.split(","):
        kind, n = choice.split(":")
        for t in (float(x) for x in args.thresholds.split(",")):
            for verify in verifies:
                s = score(texts, truth, kind, int(n), t, verify)
                scores.append(s)
                print(
                    f"  {s.choice} @ {t} ({verify}): P {s.precision:.4f} R {s.recall:.4f} {s.seconds:.1f}s",
                    file=sys.stderr,
                )

    head = ["shingles", "threshold", "verify", "pairs reported", "precision", "recall"]
    head += [f"R J3 {lo:.1f}-{min(hi, 1.0):.1f}" for lo, hi in BINS] + ["seconds"]
    bins_count = [sum(1 for j in truth.values() if lo <= j < hi) for lo, hi in BINS]
    command = "python -m benchmarks.near_quality " + shlex.join(sys.argv[1:] if argv is None else list(argv))
    print(f"{len(texts):,} paragraphs, {len(truth):,} planted pairs; per J3 bin: {bins_count}")
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for s in scores:
        cells = [s.choice, f"{s.threshold:.2f}", s.verify, f"{s.reported:,}", f"{s.precision:.4f}", f"{s.recall:.4f}"]
        cells += ["" if r is None else f"{r:.3f}" for r in s.recall_by_bin] + [f"{s.seconds:.1f}"]
        print("| " + " | ".join(cells) + " |")
    print()
    print(f"command: `{command.strip()}`  date: {date.today().isoformat()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
