"""End-to-end peer pipelines for `benchmarks.bigrun`: the same job as `dedup clean corpus.jsonl`, built from a peer's
MinHash pieces, run inside the peer's own virtual environment.

    <venv>/bin/python -m benchmarks.bigpeers {datasketch|text-dedup} CORPUS.jsonl OUTDIR [--jobs N]

Like `benchmarks.peers`, this module runs as a subprocess in a peer's venv, so it imports nothing from `dedup` and
nothing outside the standard library at module level (numpy and the peer are imported inside functions).

Every pipeline does, on a JSONL corpus of {"id", "text", ...} records:

1. read: one record per line (`json.loads`);
2. clean: split the text into paragraphs at blank lines; drop a paragraph whose exact key (NFC, casefolded,
   every run of non-word characters one space: dedup's `match_key`) was seen earlier in the document; then, among
   the first occurrences with at least MIN_TOKENS tokens, drop a paragraph whose MinHash-estimated Jaccard of word
   3-grams with an earlier kept one reaches THRESHOLD (a document's paragraphs are compared pairwise from their
   signatures; a document with more than PAIRWISE_MAX such paragraphs goes through the peer's LSH instead);
3. sign: one MinHash of the word 3-grams of each document's kept paragraphs (documents with fewer than MIN_TOKENS
   tokens are not matched, as in dedup);
4. match: LSH at DOC_THRESHOLD over the documents in input order; documents that share a band bucket are one
   cluster (union-find), and every member but the first is dropped. Band collisions are not verified again, as
   in text-dedup's `main` and in the usual `MinHashLSH.query` loop;
5. write: OUTDIR/corpus.jsonl (kept records, every field kept, the text cleaned) and OUTDIR/report.jsonl (dedup's
   report schema reduced to what `benchmarks.bigcorpus score` reads: id, status, paragraphs, removed), so that
   the peers are scored like dedup.

The parameters are dedup's defaults (`dedup/config.py`: MinHashConfig num_perm 128, seed 1, word 3-grams,
min_tokens 10; RepeatsConfig threshold 0.5, doc_threshold 0.8, keep first). Tokens follow `dedup.shingle.tokens`
with the standard `re` module: NFC, casefold, then each Han, Hiragana or Katakana character alone and every other
run of word characters. Cleaned documents are spilled to a file in OUTDIR while the corpus is read and copied to
the output once the clusters are known, so memory holds only the LSH index, not the corpus.

Peers:
- datasketch: `MinHash.bulk` signs a batch's paragraphs and then its documents (sha1 32-bit base hash, the
  affine32 scheme); `MinHashLSH(threshold=0.8)` indexes the documents (query, then insert, in input order) and,
  for a document with more than PAIRWISE_MAX paragraphs to compare, `MinHashLSH(threshold=0.5)` its paragraphs
  (candidates checked with `MinHash.jaccard`).
- text-dedup (0.4.0): `text_dedup.minhash.embed_func` with its CLI defaults (sha1 32-bit base hash in the 64-bit
  mode, 2**61-1 modulus) signs paragraphs (one range of all 128 values, for the pairwise estimate) and documents
  (the band ranges of `optimal_param(0.8, 128)`); its band tables (a dict of sets per band) and its `UnionFind`
  make the clusters, as its `main` does. `embed_func` splits its input on `\\W` and lower-cases it itself, so it
  is given the tokens joined by spaces: it then rebuilds exactly the same 3-grams. Its CLI wants a Hugging Face
  dataset; the pipeline calls its functions on the records instead, so no Arrow conversion is timed. Its `main`
  keeps each cluster's union-find root, which its union by rank makes an arbitrary member; this keeps the first.

With --jobs N > 1, batches of records are read, cleaned and signed by N worker processes (at most 2N batches in
flight) while the parent does the LSH and the writing, in input order.

Prints one JSON line: {"pipeline", "documents", "kept", "paragraphs_removed", "seconds": {stage: s}, "versions",
"note"}.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
import unicodedata
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

NUM_PERM = 128
SEED = 1
NGRAM = 3
MIN_TOKENS = 10
THRESHOLD = 0.5
DOC_THRESHOLD = 0.8
# Up to this many paragraphs a document's signatures are compared pairwise (at most 2,016 pairs of 128 values,
# one numpy comparison); beyond it the peer's LSH keeps the work linear.
PAIRWISE_MAX = 64
BATCH_DOCS = 500
SPILL_NAME = ".spill.jsonl"

# dedup.shingle.tokens: Han, Hiragana and Katakana characters are one token each, other word-character runs one.
_CJK = (
    "\u2e80-\u2fdf\u3005-\u3007\u3021-\u3029\u3038-\u303b\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf"
    "\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f\U00020000-\U0003134f"
)
_TOKEN = re.compile(rf"(?=\w)[{_CJK}]|[^\W{_CJK}]+")
_NON_WORD = re.compile(r"\W+")
_PARAGRAPH_BREAK = re.compile(r"\n[^\S\n]*\n\s*")


# --- text (shared by every peer) -------------------------------------------------------------------------------


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(unicodedata.normalize("NFC", text).casefold())


def match_key(text: str) -> str:
    return _NON_WORD.sub(" ", unicodedata.normalize("NFC", text).casefold()).strip()


def paragraphs(text: str) -> list[str]:
    """The text's blank-line separated blocks, stripped (a text without content has none)."""
    parts = (p.strip() for p in _PARAGRAPH_BREAK.split(text))
    return [p for p in parts if p]


def word_shingles(toks: Sequence[str], n: int = NGRAM) -> list[str]:
    """Distinct word n-grams joined by a space; fewer than n tokens make one shingle (dedup's definition)."""
    if not toks:
        return []
    if len(toks) < n:
        return [" ".join(toks)]
    # zip of shifted views and map(join) is the fastest n-gram join in pure Python (a third of a generator's time).
    return list(dict.fromkeys(map(" ".join, zip(*(toks[i:] for i in range(n)), strict=False))))


def greedy_repeats(similar: Callable[[int, Sequence[int]], int | None], count: int) -> dict[int, int]:
    """later -> earlier for `count` items in order: an item is a repeat of the kept item `similar(i, kept)` names,
    else it is kept."""
    kept: list[int] = []
    out: dict[int, int] = {}
    for i in range(count):
        j = similar(i, kept) if kept else None
        if j is None:
            kept.append(i)
        else:
            out[i] = j
    return out


def pairwise_repeats(signatures: Any, threshold: float = THRESHOLD) -> dict[int, int]:
    """Near repeats among the rows of a (k, num_perm) signature matrix by the estimated Jaccard (share of equal
    values): each row against the earlier kept rows, the most similar one if it reaches `threshold`."""
    import numpy as np

    sig = np.asarray(signatures)
    if len(sig) < 2:
        return {}
    sim = (sig[:, None, :] == sig[None, :, :]).mean(axis=2)

    def similar(i: int, kept: Sequence[int]) -> int | None:
        row = sim[i, kept]
        k = int(np.argmax(row))
        return kept[k] if row[k] >= threshold else None

    return greedy_repeats(similar, len(sig))


class UnionFind:
    """Union-find whose root is the smallest member, so a cluster's root is its first document."""

    def __init__(self) -> None:
        self.parent: dict[int, int] = {}

    def find(self, x: int) -> int:
        parent = self.parent
        root = x
        while parent.get(root, root) != root:
            root = parent[root]
        while x != root:  # path compression
            parent[x], x = root, parent[x]
        return root

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            lo, hi = min(ra, rb), max(ra, rb)
            self.parent[hi] = lo


# --- one batch of records: read, clean, sign -----------------------------------------------------------------------


@dataclass
class Cleaned:
    """One document after the per-document work: the output record and report line (without status), and the
    peer's document signature (None: too short to be matched)."""

    ident: str
    record: str
    report: str
    removed: int
    signature: Any


@dataclass
class _Doc:
    record: dict[str, Any]
    paragraphs: list[str]
    tokens: list[list[str]]
    removed: dict[int, int] = field(default_factory=dict)  # paragraph -> the earlier one it repeats
    candidates: list[int] = field(default_factory=list)  # first occurrences long enough for MinHash


class Engine:
    """A peer's MinHash pieces. Subclasses sign the token lists of paragraphs and documents (word 3-grams of them)
    and cluster documents; everything else is shared, so that the peers differ only in their own pieces."""

    name = ""
    note = ""

    def sign_paragraphs(self, token_lists: list[list[str]]) -> list[Any]:
        raise NotImplementedError

    def near_repeats(self, signatures: list[Any]) -> dict[int, int]:
        raise NotImplementedError

    def sign_documents(self, token_lists: list[list[str]]) -> list[Any]:
        raise NotImplementedError

    def add_document(self, index: int, signature: Any) -> None:
        raise NotImplementedError

    def roots(self, count: int) -> list[int]:
        """The cluster root (first member) of every document 0..count-1."""
        raise NotImplementedError

    def versions(self) -> dict[str, str]:
        return {}


def clean_batch(lines: Sequence[str], engine: Engine) -> list[Cleaned]:
    docs: list[_Doc] = []
    for line in lines:
        record = json.loads(line)
        paras = paragraphs(str(record.get("text") or ""))
        docs.append(_Doc(record, paras, [tokens(p) for p in paras]))
    # Exact repeats first; what is left and long enough is signed in one call for the whole batch.
    token_lists: list[list[str]] = []
    for doc in docs:
        first: dict[str, int] = {}
        for i, text in enumerate(doc.paragraphs):
            key = match_key(text)
            if not key:
                continue
            if key in first:
                doc.removed[i] = first[key]
                continue
            first[key] = i
            if len(doc.tokens[i]) >= MIN_TOKENS:
                doc.candidates.append(i)
                token_lists.append(doc.tokens[i])
    signatures = engine.sign_paragraphs(token_lists) if token_lists else []
    at = 0
    bodies: list[list[str]] = []
    for doc in docs:
        sigs = signatures[at : at + len(doc.candidates)]
        at += len(doc.candidates)
        for later, earlier in engine.near_repeats(sigs).items():
            doc.removed[doc.candidates[later]] = doc.candidates[earlier]
        body = [t for i, toks in enumerate(doc.tokens) if i not in doc.removed for t in toks]
        bodies.append(body)
    long_enough = [k for k, body in enumerate(bodies) if len(body) >= MIN_TOKENS]
    doc_sigs = engine.sign_documents([bodies[k] for k in long_enough]) if long_enough else []
    signature_of = dict(zip(long_enough, doc_sigs, strict=True))
    out: list[Cleaned] = []
    for k, doc in enumerate(docs):
        record = doc.record
        ident = str(record.get("id", ""))
        record["text"] = "\n\n".join(p for i, p in enumerate(doc.paragraphs) if i not in doc.removed)
        removed = [{"paragraph": i, "reason": "repeat", "ref_paragraph": j} for i, j in sorted(doc.removed.items())]
        report = {"id": ident, "paragraphs": len(doc.paragraphs), "removed": removed}
        out.append(
            Cleaned(
                ident,
                json.dumps(record, ensure_ascii=False),
                json.dumps(report, ensure_ascii=False),
                len(removed),
                signature_of.get(k),
            )
        )
    return out


# --- datasketch --------------------------------------------------------------------------------------------------


class DatasketchEngine(Engine):
    name = "datasketch"
    note = (
        "MinHash.bulk (sha1 32-bit, affine32) for paragraphs and documents; paragraphs compared pairwise by "
        f"estimated Jaccard (MinHashLSH(0.5) above {PAIRWISE_MAX} per document); documents: MinHashLSH(0.8) "
        "query then insert in input order, union-find, first of each cluster kept"
    )

    def __init__(self) -> None:
        from datasketch import MinHash, MinHashLSH

        self._minhash = MinHash
        self._lsh_class = MinHashLSH
        self._template = MinHash(num_perm=NUM_PERM, seed=SEED)
        self._lsh: Any = None
        self._uf = UnionFind()

    def _bulk(self, token_lists: list[list[str]]) -> list[Any]:
        return self._minhash.bulk(
            ([s.encode("utf-8") for s in word_shingles(toks)] for toks in token_lists), num_perm=NUM_PERM, seed=SEED
        )

    def sign_paragraphs(self, token_lists: list[list[str]]) -> list[Any]:
        return self._bulk(token_lists)

    def near_repeats(self, signatures: list[Any]) -> dict[int, int]:
        if len(signatures) <= PAIRWISE_MAX:
            import numpy as np

            return pairwise_repeats(np.vstack([m.hashvalues for m in signatures])) if len(signatures) > 1 else {}
        lsh = self._lsh_class(threshold=THRESHOLD, num_perm=NUM_PERM)

        def similar(i: int, kept: Sequence[int]) -> int | None:
            m = signatures[i]
            best = max(((m.jaccard(signatures[j]), j) for j in lsh.query(m)), default=(0.0, -1))
            if best[0] >= THRESHOLD:
                return int(best[1])
            lsh.insert(i, m)
            return None

        lsh.insert(0, signatures[0])
        return greedy_repeats(similar, len(signatures))

    def sign_documents(self, token_lists: list[list[str]]) -> list[Any]:
        # The hash values alone cross a process boundary: a MinHash would carry its 2 KB of permutations along.
        return [m.hashvalues for m in self._bulk(token_lists)]

    def add_document(self, index: int, signature: Any) -> None:
        if self._lsh is None:
            self._lsh = self._lsh_class(threshold=DOC_THRESHOLD, num_perm=NUM_PERM)
        m = self._minhash(
            num_perm=NUM_PERM,
            seed=SEED,
            hashvalues=signature,
            permutations=self._template.permutations,
            scheme=self._template.scheme,
        )
        for other in self._lsh.query(m):
            self._uf.union(index, int(other))
        self._lsh.insert(index, m, check_duplication=False)

    def roots(self, count: int) -> list[int]:
        return [self._uf.find(i) for i in range(count)]

    def versions(self) -> dict[str, str]:
        from importlib.metadata import version

        return {"datasketch": version("datasketch"), "numpy": version("numpy")}


# --- text-dedup --------------------------------------------------------------------------------------------------


class TextDedupEngine(Engine):
    name = "text-dedup"
    note = (
        "text_dedup.minhash.embed_func (sha1 32-bit, 64-bit mode) on space-joined tokens for paragraphs (one range "
        "of 128 values, pairwise estimated Jaccard) and documents (bands of optimal_param(0.8, 128)); its band "
        "tables and UnionFind as in its main; first of each cluster kept; no HF dataset (functions called on "
        "the records)"
    )

    def __init__(self) -> None:
        import numpy as np
        from text_dedup.minhash import embed_func  # type: ignore[import-not-found,unused-ignore]
        from text_dedup.utils import UnionFind as TDUnionFind  # type: ignore[import-not-found,unused-ignore]
        from text_dedup.utils import optimal_param, sha1_hash  # type: ignore[import-not-found,unused-ignore]

        self._np = np
        self._embed = embed_func
        # text-dedup's HASH_CONFIG[64], its default: uint64 arithmetic on 32-bit base hashes, mod 2**61 - 1.
        self._dtype = np.uint64
        self._max_hash = np.uint32((1 << 32) - 1)
        self._prime = np.uint64((1 << 61) - 1)
        rng = np.random.RandomState(SEED)
        self._permutations = (
            rng.randint(1, self._prime, size=(NUM_PERM,), dtype=np.uint64),
            rng.randint(0, self._prime, size=(NUM_PERM,), dtype=np.uint64),
        )

        def hash_func(data: bytes) -> int:
            return int(sha1_hash(data, d=32))

        self._hash = hash_func
        bands, rows = optimal_param(DOC_THRESHOLD, NUM_PERM, false_positive_weight=0.5, false_negative_weight=0.5)
        self.bands, self.rows = int(bands), int(rows)
        self._doc_ranges = [(i * self.rows, (i + 1) * self.rows) for i in range(self.bands)]
        self._tables: list[dict[bytes, set[int]]] = []
        self._uf_class = TDUnionFind

    def _embed_all(self, token_lists: list[list[str]], ranges: list[tuple[int, int]]) -> list[list[bytes]]:
        out = []
        for n, toks in enumerate(token_lists):
            # embed_func splits on \W and builds the n-grams itself: space-joined tokens give back the same ones.
            res = self._embed(
                " ".join(toks),
                n,
                num_perm=NUM_PERM,
                ngram_size=NGRAM,
                min_length=0,
                hashranges=ranges,
                permutations=self._permutations,
                hash_func=self._hash,
                dtype=self._dtype,
                max_hash=self._max_hash,
                modulo_prime=self._prime,
            )
            out.append(res["__signatures__"])
        return out

    def sign_paragraphs(self, token_lists: list[list[str]]) -> list[Any]:
        np = self._np
        # One range of all values; embed_func byte-swaps each range, so read it back big-endian.
        return [np.frombuffer(hs[0], dtype=">u8") for hs in self._embed_all(token_lists, [(0, NUM_PERM)])]

    def near_repeats(self, signatures: list[Any]) -> dict[int, int]:
        if len(signatures) < 2:
            return {}
        if len(signatures) <= PAIRWISE_MAX:
            return pairwise_repeats(self._np.vstack(signatures))
        # text-dedup has no per-query index: band buckets at optimal_param(0.5), candidates checked by estimate.
        from text_dedup.utils import optimal_param

        bands, rows = optimal_param(THRESHOLD, NUM_PERM, false_positive_weight=0.5, false_negative_weight=0.5)
        buckets: dict[tuple[int, bytes], list[int]] = {}

        def similar(i: int, kept: Sequence[int]) -> int | None:
            sig = signatures[i]
            keys = [(b, sig[b * rows : (b + 1) * rows].tobytes()) for b in range(bands)]
            cands = {j for key in keys for j in buckets.get(key, ())}
            best = max(((float((sig == signatures[j]).mean()), j) for j in cands), default=(0.0, -1))
            if best[0] >= THRESHOLD:
                return int(best[1])
            for key in keys:
                buckets.setdefault(key, []).append(i)
            return None

        similar(0, [])
        return greedy_repeats(similar, len(signatures))

    def sign_documents(self, token_lists: list[list[str]]) -> list[Any]:
        return self._embed_all(token_lists, self._doc_ranges)

    def add_document(self, index: int, signature: Any) -> None:
        if not self._tables:
            self._tables = [{} for _ in range(self.bands)]
        for table, h in zip(self._tables, signature, strict=True):
            table.setdefault(h, set()).add(index)

    def roots(self, count: int) -> list[int]:
        # text-dedup's clustering loop: every bucket of two or more joins its members to its smallest index.
        uf = self._uf_class()
        for table in self._tables:
            for cluster in table.values():
                if len(cluster) <= 1:
                    continue
                idx = min(cluster)
                for x in cluster:
                    uf.union(x, idx)
        self._tables = []
        first: dict[int, int] = {}
        out = []
        for i in range(count):
            out.append(first.setdefault(uf.find(i), i))
        return out

    def versions(self) -> dict[str, str]:
        from importlib.metadata import version

        return {"text-dedup": version("text-dedup"), "numpy": version("numpy")}


ENGINES: dict[str, Callable[[], Engine]] = {"datasketch": DatasketchEngine, "text-dedup": TextDedupEngine}


# --- the run -------------------------------------------------------------------------------------------------------


def batches(path: Path, size: int = BATCH_DOCS) -> Iterator[list[str]]:
    batch: list[str] = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                batch.append(line)
                if len(batch) >= size:
                    yield batch
                    batch = []
    if batch:
        yield batch


_WORKER_ENGINE: Engine | None = None


def _worker_init(name: str) -> None:
    global _WORKER_ENGINE
    _WORKER_ENGINE = ENGINES[name]()


def _worker_clean(lines: list[str]) -> list[Cleaned]:
    assert _WORKER_ENGINE is not None
    return clean_batch(lines, _WORKER_ENGINE)


def cleaned_batches(name: str, engine: Engine, path: Path, jobs: int) -> Iterator[list[Cleaned]]:
    """Every batch cleaned and signed, in input order; with jobs > 1 in worker processes, 2 x jobs batches at most
    in flight (Pool.imap would read the whole corpus ahead into its queue)."""
    if jobs <= 1:
        for lines in batches(path):
            yield clean_batch(lines, engine)
        return
    import multiprocessing

    with multiprocessing.get_context("fork").Pool(jobs, _worker_init, (name,)) as pool:
        pending: deque[Any] = deque()
        for lines in batches(path):
            pending.append(pool.apply_async(_worker_clean, (lines,)))
            if len(pending) >= 2 * jobs:
                yield pending.popleft().get()
        while pending:
            yield pending.popleft().get()


def run(name: str, corpus: Path, out: Path, jobs: int = 1) -> dict[str, Any]:
    started = time.perf_counter()
    engine = ENGINES[name]()
    out.mkdir(parents=True, exist_ok=True)
    spill = out / SPILL_NAME
    seconds: dict[str, float] = {"start": time.perf_counter() - started}
    ids: list[str] = []
    removed = 0
    mark = time.perf_counter()
    with spill.open("w", encoding="utf-8") as fh:
        for batch in cleaned_batches(name, engine, corpus, jobs):
            for doc in batch:
                if doc.signature is not None:
                    engine.add_document(len(ids), doc.signature)
                ids.append(doc.ident)
                removed += doc.removed
                # json.dumps escapes every control character, so a tab cannot occur inside either part.
                fh.write(f"{doc.record}\t{doc.report}\n")
    seconds["read_clean_sign_index"] = time.perf_counter() - mark
    mark = time.perf_counter()
    roots = engine.roots(len(ids))
    seconds["cluster"] = time.perf_counter() - mark
    mark = time.perf_counter()
    kept = 0
    with (
        spill.open(encoding="utf-8") as src,
        (out / "corpus.jsonl").open("w", encoding="utf-8") as corpus_out,
        (out / "report.jsonl").open("w", encoding="utf-8") as report_out,
    ):
        for n, line in enumerate(src):
            record, report = line.rstrip("\n").split("\t", 1)
            root = roots[n]
            if root == n:
                kept += 1
                corpus_out.write(record + "\n")
                report_out.write(report[:-1] + ', "status": "kept"}\n')
            else:
                report_out.write(report[:-1] + f', "status": "dropped", "duplicate_of": {json.dumps(ids[root])}}}\n')
    spill.unlink()
    seconds["write"] = time.perf_counter() - mark
    seconds["total"] = time.perf_counter() - started
    return {
        "pipeline": name,
        "documents": len(ids),
        "kept": kept,
        "paragraphs_removed": removed,
        "jobs": jobs,
        "seconds": seconds,
        "versions": engine.versions(),
        "note": engine.note,
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bigpeers", description=__doc__.split("\n\n")[0])
    parser.add_argument("pipeline", choices=sorted(ENGINES))
    parser.add_argument("corpus", type=Path, help="a JSONL corpus of {id, text} records")
    parser.add_argument("out", type=Path, help="output directory (corpus.jsonl, report.jsonl)")
    parser.add_argument("--jobs", type=int, default=1, help="worker processes for read, clean and sign")
    args = parser.parse_args(argv)
    result = run(args.pipeline, args.corpus, args.out, max(1, args.jobs))
    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
