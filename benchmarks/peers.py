"""Per-peer MinHash runners for `benchmarks.sign_speed`, run inside each peer's own virtual environment.

    <venv>/bin/python -m benchmarks.peers <peer> <paragraphs.jsonl>

Peers pin conflicting dependencies, so each lives in `benchmarks/.venvs/<peer>/` (see `setup_peers.sh`) and this
module runs there as a subprocess. It must therefore import nothing from `dedup` and nothing outside the standard
library at module level: every peer import happens inside its runner. All runners read the same paragraph file,
whose lines carry the text and dedup's word 3-gram shingles, so the timed work is signing the same shingle sets
(128 permutations, seed 1). Runners that can only take raw text say so in their note; their time then includes
the peer's own tokenization.

Each contestant prints one JSON line: `{"contestant", "seconds", "count", "note"}`, or `{"contestant", "error"}`.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

NUM_PERM = 128
SEED = 1
NGRAM = 3
WARMUP = 200  # paragraphs signed once before timing, so lazy imports, caches and allocators are warm
MIN_SECONDS = 2.0  # keep repeating full passes until this much time is spent ...
MAX_PASSES = 5  # ... or this many passes ran; the fastest pass is reported

Shingles = Sequence[Sequence[str]]
# A runner gets (texts, shingle lists) and returns how many signatures it made.
Runner = Callable[[Sequence[str], Shingles], int]


@dataclass(frozen=True)
class Contestant:
    """One timed way of using a peer; `setup` builds the runner so its own construction cost is not timed."""

    name: str
    setup: Callable[[], Runner]
    note: str = ""
    # "tokens": the runner's texts are dedup's tokens joined by spaces, for APIs that only take a string.
    texts: Literal["text", "tokens"] = "text"


def read_paragraphs(path: Path) -> tuple[list[str], list[list[str]]]:
    texts: list[str] = []
    shingles: list[list[str]] = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            texts.append(row["text"])
            shingles.append(row["shingles"])
    return texts, shingles


def time_runner(runner: Runner, texts: Sequence[str], shingles: Shingles) -> tuple[float, int]:
    """Warm up on a prefix, then the best of full passes timed with perf_counter (one process, one thread).

    Fast contestants finish a pass in tens of milliseconds, where one pass is at the mercy of the scheduler, so
    passes repeat until MIN_SECONDS have been spent (at most MAX_PASSES) and the fastest one counts.
    """
    runner(texts[:WARMUP], shingles[:WARMUP])
    best, spent, count = float("inf"), 0.0, 0
    for _ in range(MAX_PASSES):
        start = time.perf_counter()
        count = runner(texts, shingles)
        seconds = time.perf_counter() - start
        best, spent = min(best, seconds), spent + seconds
        if spent >= MIN_SECONDS:
            break
    return best, count


# --- datasketch (runs in dedup's own venv, where it is installed) -----------------------------------------------


def _datasketch_update() -> Runner:
    from datasketch import MinHash

    def run(texts: Sequence[str], shingles: Shingles) -> int:
        n = 0
        for doc in shingles:
            m = MinHash(num_perm=NUM_PERM, seed=SEED)
            for s in doc:
                m.update(s.encode("utf-8"))
            m.digest()
            n += 1
        return n

    return run


def _datasketch_update_batch() -> Runner:
    from datasketch import MinHash

    def run(texts: Sequence[str], shingles: Shingles) -> int:
        n = 0
        for doc in shingles:
            m = MinHash(num_perm=NUM_PERM, seed=SEED)
            m.update_batch([s.encode("utf-8") for s in doc])
            m.digest()
            n += 1
        return n

    return run


def _datasketch_bulk() -> Runner:
    from datasketch import MinHash

    def run(texts: Sequence[str], shingles: Shingles) -> int:
        sigs = MinHash.bulk(([s.encode("utf-8") for s in doc] for doc in shingles), num_perm=NUM_PERM, seed=SEED)
        return len(sigs)

    return run


# --- rensa -------------------------------------------------------------------------------------------------------


def _rensa_loop(class_name: str) -> Runner:
    """One rensa sketch per paragraph, `update` with its shingle list, then `digest`."""
    import rensa  # type: ignore[import-not-found,unused-ignore]

    sketch = getattr(rensa, class_name)

    def run(texts: Sequence[str], shingles: Shingles) -> int:
        n = 0
        for doc in shingles:
            m = sketch(NUM_PERM, SEED)
            m.update(doc)
            m.digest()
            n += 1
        return n

    return run


def _rensa_update() -> Runner:
    return _rensa_loop("RMinHash")


def _rensa_cminhash_update() -> Runner:
    return _rensa_loop("CMinHash")


def _rensa_matrix() -> Runner:
    from rensa import RMinHash

    def run(texts: Sequence[str], shingles: Shingles) -> int:
        matrix: Any = RMinHash.digest_matrix_from_token_sets(shingles, NUM_PERM, SEED)
        return len(shingles) if matrix is not None else 0

    return run


def _rensa_cminhash_bulk() -> Runner:
    from rensa import CMinHash

    def run(texts: Sequence[str], shingles: Shingles) -> int:
        digests: Any = CMinHash.digests_from_token_sets(shingles, NUM_PERM, SEED)
        return len(digests)

    return run


# --- datatrove ---------------------------------------------------------------------------------------------------


def _datatrove_step(precision: int) -> Any:
    from datatrove.pipeline.dedup.minhash import MinhashConfig, MinhashDedupSignature  # type: ignore[import-not-found,unused-ignore]
    from datatrove.utils.hashing import HashConfig  # type: ignore[import-not-found,unused-ignore]

    # 16 buckets x 8 hashes = 128 permutations, like everyone else.
    config = MinhashConfig(
        n_grams=NGRAM, num_buckets=16, hashes_per_bucket=8, seed=SEED, hash_config=HashConfig(precision=precision)
    )
    return MinhashDedupSignature(output_folder=tempfile.mkdtemp(prefix="sign_speed_datatrove_"), config=config)


def _datatrove_signature(precision: int) -> Callable[[], Runner]:
    """datatrove's `get_signature` on our shingles, hashed with datatrove's own shingle hash function."""

    def setup() -> Runner:
        import numpy as np

        step = _datatrove_step(precision)
        hash_func = step._hash_func

        def run(texts: Sequence[str], shingles: Shingles) -> int:
            n = 0
            for doc in shingles:
                hashed = np.fromiter((hash_func(s) for s in doc), dtype=np.uint64, count=len(doc)).reshape((-1, 1))
                step.get_signature(hashed)
                n += 1
            return n

        return run

    return setup


def _datatrove_own_shingles() -> Runner:
    """datatrove end to end: its own `get_shingles` (simplify_text + word tokenizer) then `get_signature`."""
    step = _datatrove_step(64)

    def run(texts: Sequence[str], shingles: Shingles) -> int:
        n = 0
        for text in texts:
            step.get_signature(step.get_shingles(text))
            n += 1
        return n

    return run


# --- text-dedup --------------------------------------------------------------------------------------------------


def _text_dedup_setup() -> Runner:
    """text-dedup's `embed_func` with its CLI defaults (sha1 base hash, 64-bit mode, 2**61-1 modulus).

    `embed_func` only takes a string and splits it on `\\W` itself, so it gets dedup's tokens joined by spaces:
    its own split, lower-casing and n-gram join then rebuild exactly our shingle set. That cheap re-split is
    inside its time. Its LSH band ranges are set to one band of all 128 values (banding is not signing).
    """
    import numpy as np
    from text_dedup.minhash import embed_func  # type: ignore[import-not-found,unused-ignore]
    from text_dedup.utils import sha1_hash  # type: ignore[import-not-found,unused-ignore]

    rng = np.random.RandomState(SEED)
    modulo_prime = np.uint64((1 << 61) - 1)
    permutations = (
        rng.randint(1, modulo_prime, size=(NUM_PERM,), dtype=np.uint64),
        rng.randint(0, modulo_prime, size=(NUM_PERM,), dtype=np.uint64),
    )

    def hash_func(data: bytes) -> int:
        return int(sha1_hash(data, d=32))

    def run(texts: Sequence[str], shingles: Shingles) -> int:
        n = 0
        for doc in texts:
            embed_func(
                doc,
                n,
                num_perm=NUM_PERM,
                ngram_size=NGRAM,
                min_length=0,
                hashranges=[(0, NUM_PERM)],
                permutations=permutations,
                hash_func=hash_func,
                dtype=np.uint64,
                max_hash=np.uint32((1 << 32) - 1),
                modulo_prime=modulo_prime,
            )
            n += 1
        return n

    return run


def joined_tokens(shingles: Shingles) -> list[str]:
    """Each paragraph's tokens joined by spaces, rebuilt from its consecutive word 3-grams (no token has a space)."""
    out: list[str] = []
    for doc in shingles:
        toks = doc[0].split(" ") if doc else []
        toks += [s.rsplit(" ", 1)[-1] for s in doc[1:]]
        out.append(" ".join(toks))
    return out


PEERS: dict[str, list[Contestant]] = {
    "datasketch": [
        Contestant("datasketch update()", _datasketch_update, "one MinHash per paragraph, update() per shingle"),
        Contestant("datasketch update_batch()", _datasketch_update_batch, "one MinHash per paragraph"),
        Contestant("datasketch MinHash.bulk", _datasketch_bulk, "all paragraphs in one call"),
    ],
    "rensa": [
        Contestant("rensa RMinHash.update", _rensa_update, "one RMinHash per paragraph, update(list of shingles)"),
        Contestant("rensa CMinHash.update", _rensa_cminhash_update, "one CMinHash per paragraph"),
        Contestant(
            "rensa RMinHash.digest_matrix_from_token_sets", _rensa_matrix, "all paragraphs in one call, u32 matrix"
        ),
        Contestant("rensa CMinHash.digests_from_token_sets", _rensa_cminhash_bulk, "all paragraphs in one call"),
    ],
    "datatrove": [
        Contestant(
            "datatrove get_signature (64-bit, default)",
            _datatrove_signature(64),
            "our shingles hashed by datatrove's xxhash64, then get_signature",
        ),
        Contestant(
            "datatrove get_signature (32-bit)",
            _datatrove_signature(32),
            "our shingles hashed by datatrove's xxhash32, then get_signature",
        ),
        Contestant(
            "datatrove get_shingles+get_signature",
            _datatrove_own_shingles,
            "raw text: includes datatrove's own text normalization and tokenizer",
        ),
    ],
    "text-dedup": [
        Contestant(
            "text-dedup embed_func (sha1, 64-bit)",
            _text_dedup_setup,
            "space-joined tokens; includes its re-split into our 3-grams",
            texts="tokens",
        ),
    ],
}


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 2 or args[0] not in PEERS:
        print(f"usage: python -m benchmarks.peers {{{'|'.join(PEERS)}}} PARAGRAPHS.jsonl", file=sys.stderr)
        return 2
    texts, shingles = read_paragraphs(Path(args[1]))
    contestants = PEERS[args[0]]
    tokens = joined_tokens(shingles) if any(c.texts == "tokens" for c in contestants) else []
    for contestant in contestants:
        result: dict[str, Any] = {"contestant": contestant.name, "note": contestant.note}
        try:
            inputs = tokens if contestant.texts == "tokens" else texts
            seconds, count = time_runner(contestant.setup(), inputs, shingles)
            result.update(seconds=seconds, count=count)
        except Exception as exc:  # a broken peer is reported, not fatal
            traceback.print_exc(file=sys.stderr)
            result["error"] = f"{type(exc).__name__}: {exc}".splitlines()[0][:200]
        print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
