"""MinHash signatures for many texts at once, datasketch 2.x's schemes vectorised with numpy.

Schemes (`MinHashConfig.scheme`):
- `affine32` (datasketch's default since 2.0): a shingle's 32-bit base hash is pre-mixed with the
  MurmurHash3 32-bit finalizer, then sent through `num_perm` permutations `(a*h + b) mod 2**32`;
- `legacy` (datasketch before 2.0): `((a*h + b) mod (2**61 - 1)) & 0xFFFFFFFF`, with `a*h` wrapping
  at 2**64 as numpy computes it.
Parameters come from `numpy.random.RandomState(seed)` exactly as datasketch draws them.

Base hashes (`MinHashConfig.hash`):
- `sha1`: the first four bytes of SHA-1 of the UTF-8 shingle, little-endian (datasketch's default),
  so with the same shingles the signatures are datasketch's own, bit for bit. One Python call per
  shingle: the compatibility mode, not the fast one.
- `fast` (default): `dedup.hashing`, computed for a whole batch of texts in numpy from their UTF-8
  bytes with no Python work per token or shingle. `dedup.hashing.word_shingle_hash` /
  `char_shingle_hash` are the same function for one shingle, usable as a datasketch `hashfunc`.

Permutations are applied to a block of (permutations x shingles) at a time, so the working memory
of signing is set by `MinHashConfig.batch_bytes` (about 40 bytes per byte of text in a batch), not by
the number of texts; a single text longer than a batch is a batch of its own.

Defined values for degenerate input: a text with no token (empty, whitespace, punctuation, control
characters, lone surrogates) has the empty signature, every value 2**32-1 as in datasketch's empty
MinHash; a text with fewer than n units has one shingle made of all of them; 10 MB of one token
repeated has the signature of that token's single n-gram.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from dedup import tokenize
from dedup.config import MinHashConfig
from dedup.hashing import LENGTH_KEY, MIX, Powers, fmix64, fold32, span_hashes
from dedup.shingle import shingles as reference_shingles

U32 = npt.NDArray[np.uint32]
U64 = npt.NDArray[np.uint64]
I64 = npt.NDArray[np.int64]
EMPTY_VALUE = np.uint32(0xFFFFFFFF)
MERSENNE_61 = np.uint64((1 << 61) - 1)
# Shingles sent through the permutations at once: a (num_perm x rows) block of 4 MB at 128 perms.
_BLOCK_ROWS = 8192


def _fmix32(h: U32) -> U32:
    h = h ^ (h >> np.uint32(16))
    h = h * np.uint32(0x85EBCA6B)
    h = h ^ (h >> np.uint32(13))
    h = h * np.uint32(0xC2B2AE35)
    return h ^ (h >> np.uint32(16))


def permutations(num_perm: int, seed: int, scheme: str = "affine32") -> tuple[U64, U64] | tuple[U32, U32]:
    """datasketch's permutation parameters for a scheme: (a, b), one of each per permutation (read-only arrays,
    made once per process: legacy ones cost a Python loop, and every Signer asks)."""
    return _permutations(num_perm, seed, scheme)


@functools.lru_cache(maxsize=16)
def _permutations(num_perm: int, seed: int, scheme: str) -> tuple[U64, U64] | tuple[U32, U32]:
    pair = _draw_permutations(num_perm, seed, scheme)
    for array in pair:
        array.flags.writeable = False
    return pair


def _draw_permutations(num_perm: int, seed: int, scheme: str) -> tuple[U64, U64] | tuple[U32, U32]:
    gen = np.random.RandomState(seed)
    if scheme == "legacy":
        drawn = [
            (gen.randint(1, MERSENNE_61, dtype=np.uint64), gen.randint(0, MERSENNE_61, dtype=np.uint64))
            for _ in range(num_perm)
        ]
        pairs = np.array(drawn, dtype=np.uint64)
        return pairs[:, 0].copy(), pairs[:, 1].copy()
    a = gen.randint(0, 1 << 31, num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = gen.randint(0, 1 << 32, num_perm, dtype=np.uint32)
    return a, b


@dataclass(frozen=True)
class Shingles:
    """Base hashes of the shingles of many texts, grouped by text: text i owns values[offsets[i]:offsets[i+1]]."""

    values: U32
    offsets: I64

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def __getitem__(self, i: int) -> U32:
        return self.values[self.offsets[i] : self.offsets[i + 1]]

    @classmethod
    def from_sets(cls, sets: Sequence[U32]) -> Shingles:
        offsets = np.zeros(len(sets) + 1, dtype=np.int64)
        np.cumsum([len(s) for s in sets], out=offsets[1:])
        values = np.concatenate(list(sets)).astype(np.uint32) if len(sets) else np.empty(0, dtype=np.uint32)
        return cls(values, offsets)

    def unique(self) -> Shingles:
        """Each text's distinct values, sorted (the form exact Jaccard works on)."""
        owner = np.repeat(np.arange(len(self), dtype=np.uint64), np.diff(self.offsets))
        keys = (owner << np.uint64(32)) | self.values.astype(np.uint64)
        keys.sort()
        keys = keys[np.concatenate([[True], keys[1:] != keys[:-1]])] if len(keys) else keys
        counts = np.bincount((keys >> np.uint64(32)).astype(np.int64), minlength=len(self))
        offsets = np.zeros(len(self) + 1, dtype=np.int64)
        np.cumsum(counts, out=offsets[1:])
        return Shingles((keys & np.uint64(0xFFFFFFFF)).astype(np.uint32), offsets)

    def take(self, rows: I64) -> Shingles:
        """The groups of the given texts, in that order."""
        sizes = np.diff(self.offsets)[rows]
        offsets = np.zeros(len(rows) + 1, dtype=np.int64)
        np.cumsum(sizes, out=offsets[1:])
        pos = np.repeat(self.offsets[rows] - offsets[:-1], sizes) + np.arange(int(offsets[-1]))
        return Shingles(self.values[pos], offsets)

    @classmethod
    def concat(cls, parts: Sequence[Shingles]) -> Shingles:
        if not parts:
            return cls(np.empty(0, dtype=np.uint32), np.zeros(1, dtype=np.int64))
        values = np.concatenate([p.values for p in parts])
        shifts = np.cumsum([0] + [len(p.values) for p in parts[:-1]])
        offsets = np.concatenate(
            [parts[0].offsets[:1]] + [p.offsets[1:] + k for p, k in zip(parts, shifts, strict=True)]
        )
        return cls(values, offsets.astype(np.int64))


@dataclass(frozen=True)
class Scan:
    """What one pass over texts yields: shingles, token counts, and exact-match keys."""

    shingles: Shingles
    token_counts: I64
    keys: U64  # a hash of each text's token sequence; 0 for a text without a token

    def take(self, rows: I64) -> Scan:
        """The scan of the given texts only, in that order."""
        return Scan(self.shingles.take(rows), self.token_counts[rows], self.keys[rows])


def _grouped(values: U32, owner: I64, count: int) -> Shingles:
    """Shingles from values and the text each belongs to (owner sorted ascending)."""
    counts = np.bincount(owner, minlength=count)
    offsets = np.zeros(count + 1, dtype=np.int64)
    np.cumsum(counts, out=offsets[1:])
    return Shingles(values, offsets)


def _merge(parts: list[tuple[U64, I64]]) -> tuple[U64, I64]:
    values = np.concatenate([p[0] for p in parts])
    owner = np.concatenate([p[1] for p in parts])
    if len(parts) > 1 and len(parts[1][1]):
        order = np.argsort(owner, kind="stable")
        values, owner = values[order], owner[order]
    return values, owner


class Signer:
    """Turns texts into shingles and shingles into signatures; its only state is scratch space.

    One Signer per thread: the scratch arrays are not shared.
    """

    def __init__(self, config: MinHashConfig | None = None) -> None:
        self.config = config or MinHashConfig()
        self.a: npt.NDArray[np.unsignedinteger[Any]]
        self.b: npt.NDArray[np.unsignedinteger[Any]]
        self.a, self.b = permutations(self.config.num_perm, self.config.seed, self.config.scheme)
        self._powers = Powers()

    # --- shingles ------------------------------------------------------------------------------------------

    def scan(self, texts: Sequence[str], unique: bool = True) -> Scan:
        """Shingles (distinct and sorted per text when `unique`), token counts and exact keys of
        texts, batch by batch. Two texts share a key when they have the same tokens in the same
        order: case, punctuation and spacing do not count."""
        parts = [self._scan_batch(texts[a:b], unique) for a, b in self.batches(texts)]
        if len(parts) == 1:
            return parts[0]  # the usual case (one document's paragraphs): joining one part would only copy it
        return Scan(
            Shingles.concat([p.shingles for p in parts]),
            np.concatenate([p.token_counts for p in parts]) if parts else np.empty(0, dtype=np.int64),
            np.concatenate([p.keys for p in parts]) if parts else np.empty(0, dtype=np.uint64),
        )

    def _scan_batch(self, texts: Sequence[str], unique: bool) -> Scan:
        enc = tokenize.encode(texts)
        ch = tokenize.chars(enc)
        toks = tokenize.tokens(enc, ch)
        th = span_hashes(enc.data, toks.start, toks.end, self._powers)
        counts = np.bincount(toks.owner, minlength=len(texts)).astype(np.int64)
        keys = _sequence_keys(th, counts, self._powers)
        if self.config.hash == "sha1":
            sh = self._sha1_shingles(texts)
        else:
            if self.config.shingle == "char":
                values, owner = self._char_hashes(enc, ch)
            else:
                values, owner = _combine_runs(th, toks.owner, self.config.ngram, len(texts))
            sh = _grouped(fold32(values), owner, len(texts))
        return Scan(sh.unique() if unique else sh, counts, keys)

    def shingles(self, texts: Sequence[str]) -> Shingles:
        """Base hashes of each text's shingles (in text order, duplicates kept)."""
        return self.scan(texts, unique=False).shingles

    def shingle_sets(self, texts: Sequence[str]) -> Shingles:
        """Each text's distinct shingle hashes, sorted."""
        return self.scan(texts).shingles

    def shingle_hashes(self, text: str) -> U32:
        """The sorted distinct base hashes of one text's shingles."""
        return self.shingle_sets([text])[0]

    def _sha1_shingles(self, texts: Sequence[str]) -> Shingles:
        kind, n = self.config.shingle, self.config.ngram
        sets = [
            np.array(
                [
                    int.from_bytes(hashlib.sha1(s.encode("utf-8", "surrogatepass")).digest()[:4], "little")
                    for s in reference_shingles(t, kind, n)
                ],
                dtype=np.uint32,
            )
            for t in texts
        ]
        return Shingles.from_sets(sets)

    def _char_hashes(self, enc: tokenize.Encoded, ch: tokenize.Chars) -> tuple[U64, I64]:
        data, offsets, cls = enc.data, ch.offsets, ch.classes
        nchar = len(cls)
        if nchar == 0:
            return np.empty(0, dtype=np.uint64), np.empty(0, dtype=np.int64)
        owner = np.searchsorted(enc.starts, offsets[:-1], side="right") - 1
        tok = cls != tokenize.NON_TOKEN
        gap = ~tok
        run_first = np.flatnonzero(gap & ~np.concatenate([[False], gap[:-1]]))
        run_last = np.flatnonzero(gap & ~np.concatenate([gap[1:], [False]]))
        after = run_last + 1
        inside = (run_first > 0) & (after < nchar)
        before_ok = np.zeros(len(run_first), dtype=bool)
        before_ok[inside] = owner[run_first[inside] - 1] == owner[run_first[inside]]
        after_ok = np.zeros(len(run_first), dtype=bool)
        after_ok[inside] = owner[after[inside]] == owner[run_first[inside]]
        spaces = run_first[before_ok & after_ok]
        kept_char = tok.copy()
        kept_char[spaces] = True
        lengths = np.diff(offsets)
        keep_byte = np.repeat(tok, lengths)
        keep_byte[offsets[spaces]] = True
        patched = data.copy()
        patched[offsets[spaces]] = ord(" ")
        compact = patched[keep_byte]
        kept = np.flatnonzero(kept_char)
        new_offsets = np.zeros(len(kept) + 1, dtype=np.int64)
        np.cumsum(np.where(tok[kept], lengths[kept], 1), out=new_offsets[1:])
        return _span_runs(compact, new_offsets, owner[kept], self.config.ngram, enc.count, self._powers)

    # --- signatures ----------------------------------------------------------------------------------------

    def sign(self, shingles: Shingles | Sequence[U32]) -> U32:
        """Signatures of many shingle groups: an array of shape (len(shingles), num_perm)."""
        if not isinstance(shingles, Shingles):
            shingles = Shingles.from_sets(shingles)
        count = len(shingles)
        num_perm = self.config.num_perm
        out = np.full((num_perm, count), EMPTY_VALUE, dtype=np.uint32)
        values = shingles.values
        if count == 0 or len(values) == 0:
            return np.ascontiguousarray(out.T)
        sizes = np.diff(shingles.offsets)
        owner = np.repeat(np.arange(count), sizes)
        legacy = self.config.scheme == "legacy"
        if legacy:
            hv = values.astype(np.uint64)
            a64, b64 = self.a[:, None].astype(np.uint64), self.b[:, None].astype(np.uint64)
        else:
            hv32 = _fmix32(values.astype(np.uint32))
            a32, b32 = self.a[:, None].astype(np.uint32), self.b[:, None].astype(np.uint32)
            block = np.empty((num_perm, min(_BLOCK_ROWS, len(values))), dtype=np.uint32)
        for start in range(0, len(values), _BLOCK_ROWS):
            stop = min(len(values), start + _BLOCK_ROWS)
            if legacy:
                wide = (a64 * hv[None, start:stop] + b64) % MERSENNE_61
                part = (wide & np.uint64(0xFFFFFFFF)).astype(np.uint32)
            else:
                part = block[:, : stop - start]
                np.multiply(a32, hv32[None, start:stop], out=part)
                np.add(part, b32, out=part)
            ids = owner[start:stop]
            bounds = np.flatnonzero(np.concatenate([[True], ids[1:] != ids[:-1]]))
            mins = np.minimum.reduceat(part, bounds, axis=1)
            rows = ids[bounds]
            if start == 0:
                out[:, rows] = mins  # nothing to meet yet (every value of `out` is the largest)
            else:
                # A text split across two blocks: its two partial minima meet here.
                out[:, rows] = np.minimum(out[:, rows], mins)
        return np.ascontiguousarray(out.T)

    def batches(self, texts: Sequence[str]) -> Iterator[tuple[int, int]]:
        """[start, stop) ranges of texts holding about `batch_bytes` of text each."""
        limit = self.config.batch_bytes
        start, size = 0, 0
        for i, t in enumerate(texts):
            size += len(t) + 1
            if size >= limit:
                yield start, i + 1
                start, size = i + 1, 0
        if start < len(texts):
            yield start, len(texts)

    def sign_texts(self, texts: Sequence[str]) -> U32:
        """Signatures of texts, in batches of bounded size: shape (len(texts), num_perm)."""
        out = np.empty((len(texts), self.config.num_perm), dtype=np.uint32)
        for start, stop in self.batches(texts):
            out[start:stop] = self.sign(self._scan_batch(texts[start:stop], unique=False).shingles)
        return out


def _sequence_keys(th: U64, counts: I64, powers: Powers) -> U64:
    """Per text, a hash of its token hashes in order (`sum(t_k * P**k)` from prefix sums, mixed
    with the count); 0 for a text without tokens."""
    up, down = powers.get(len(th) + 1)
    prefix = np.zeros(len(th) + 1, dtype=np.uint64)
    np.cumsum(th * up[: len(th)], out=prefix[1:])
    ends = np.cumsum(counts)
    starts = ends - counts
    raw = (prefix[ends] - prefix[starts]) * down[starts]
    keys = fmix64(raw ^ (counts.astype(np.uint64) * np.uint64(LENGTH_KEY)))
    keys[keys == 0] = 1
    keys[counts == 0] = 0
    return keys


def _combine_runs(th: U64, owner: I64, n: int, count: int) -> tuple[U64, I64]:
    """Word n-gram hashes: `c = c * MIX + t` over each n consecutive token hashes of one text; a text
    with fewer than n tokens gets one value combining all of them."""
    mix = np.uint64(MIX)
    total = len(th)
    parts: list[tuple[U64, I64]] = []
    if total >= n:
        m = total - n + 1
        valid = owner[:m] == owner[n - 1 :]
        combined = th[:m].copy()
        for k in range(1, n):
            combined = combined * mix + th[k : k + m]
        parts.append((combined[valid], owner[:m][valid]))
    per_text = np.bincount(owner, minlength=count)
    short = np.flatnonzero((per_text > 0) & (per_text < n))
    if len(short):
        first = np.searchsorted(owner, short)
        size = per_text[short]
        combined = th[first].copy()
        for k in range(1, n - 1):
            more = size > k
            combined[more] = combined[more] * mix + th[first[more] + k]
        parts.append((combined, short.astype(np.int64)))
    if not parts:
        return np.empty(0, dtype=np.uint64), np.empty(0, dtype=np.int64)
    return _merge(parts)


def _span_runs(
    data: npt.NDArray[np.uint8], offsets: I64, owner: I64, n: int, count: int, powers: Powers
) -> tuple[U64, I64]:
    """Character n-gram hashes: the hash of the bytes of each n consecutive characters of one text; a
    text with fewer than n characters gets the hash of all of them."""
    total = len(owner)
    parts: list[tuple[U64, I64]] = []
    if total >= n:
        m = total - n + 1
        valid = owner[:m] == owner[n - 1 :]
        parts.append((span_hashes(data, offsets[:m][valid], offsets[n : m + n][valid], powers), owner[:m][valid]))
    per_text = np.bincount(owner, minlength=count)
    short = np.flatnonzero((per_text > 0) & (per_text < n))
    if len(short):
        first = np.searchsorted(owner, short)
        parts.append(
            (span_hashes(data, offsets[first], offsets[first + per_text[short]], powers), short.astype(np.int64))
        )
    if not parts:
        return np.empty(0, dtype=np.uint64), np.empty(0, dtype=np.int64)
    return _merge(parts)


def jaccard(a: U32, b: U32) -> float:
    """Exact Jaccard similarity of two sorted distinct hash sets."""
    if len(a) == 0 and len(b) == 0:
        return 1.0
    inter = len(np.intersect1d(a, b, assume_unique=True))
    return inter / (len(a) + len(b) - inter)


def agreement(a: U32, b: U32) -> float:
    """Share of equal signature values: the MinHash estimate of Jaccard similarity."""
    return float(np.count_nonzero(a == b)) / len(a)
