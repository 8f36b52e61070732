"""MinHash signatures for many texts at once, datasketch's `affine32` scheme vectorised with numpy.

A shingle's 32-bit base hash is pre-mixed with the MurmurHash3 finalizer and sent through
`num_perm` permutations `(a*h + b) mod 2**32` whose parameters come from
`numpy.random.RandomState(seed)` exactly as datasketch 2.x draws them, so with `hash="sha1"` (the
first four bytes of SHA-1 of the UTF-8 shingle, little-endian: datasketch's default) the values are
datasketch's own. The default `hash="xxh64"` hashes each distinct token once and combines the token
hashes of an n-gram arithmetically, which is much faster and just as well mixed.

Defined values for degenerate input: a text with no token has the empty signature (every value
2**32-1, as datasketch's empty MinHash); a text with fewer than n tokens has one shingle made of
all its tokens.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import xxhash

from dedup.config import MinHashConfig
from dedup.shingle import tokens, word_shingles

U32 = npt.NDArray[np.uint32]
EMPTY_VALUE = np.uint32(0xFFFFFFFF)
_MIX = np.uint64(0x9E3779B97F4A7C15)
# Rows of the (shingles x permutations) product computed at once: bounds memory at ~16 MB.
_CHUNK_ROWS = 32768


def _fmix32(h: U32) -> U32:
    h = h ^ (h >> np.uint32(16))
    h = h * np.uint32(0x85EBCA6B)
    h = h ^ (h >> np.uint32(13))
    h = h * np.uint32(0xC2B2AE35)
    return h ^ (h >> np.uint32(16))


def permutations(num_perm: int, seed: int) -> tuple[U32, U32]:
    """datasketch's affine32 parameters: odd `a`, any `b`, drawn from RandomState(seed)."""
    gen = np.random.RandomState(seed)
    a = gen.randint(0, 1 << 31, num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = gen.randint(0, 1 << 32, num_perm, dtype=np.uint32)
    return a, b


class Signer:
    """Turns texts into shingle-hash sets and sets into signatures; holds no state between calls."""

    def __init__(self, config: MinHashConfig | None = None) -> None:
        self.config = config or MinHashConfig()
        self.a, self.b = permutations(self.config.num_perm, self.config.seed)

    def shingle_hashes(self, text: str) -> U32:
        """The sorted distinct 32-bit base hashes of a text's word n-grams."""
        toks = tokens(text)
        if not toks:
            return np.empty(0, dtype=np.uint32)
        n = self.config.ngram
        if self.config.hash == "sha1":
            values = [
                int.from_bytes(hashlib.sha1(s.encode("utf-8")).digest()[:4], "little") for s in word_shingles(toks, n)
            ]
            return np.unique(np.array(values, dtype=np.uint32))
        th = np.array([xxhash.xxh64_intdigest(t.encode("utf-8")) for t in toks], dtype=np.uint64)
        if len(th) < n:
            combined = th[:1].copy()
            for k in range(1, len(th)):
                combined = combined * _MIX + th[k : k + 1]
        else:
            m = len(th) - n + 1
            combined = th[:m].copy()
            for k in range(1, n):
                combined = combined * _MIX + th[k : k + m]
        folded = (combined ^ (combined >> np.uint64(32))).astype(np.uint32)
        return np.unique(folded)

    def sign(self, hash_sets: Sequence[U32]) -> U32:
        """Signatures of many hash sets: an array of shape (len(hash_sets), num_perm)."""
        num_perm = self.config.num_perm
        out = np.full((len(hash_sets), num_perm), EMPTY_VALUE, dtype=np.uint32)
        if not hash_sets:
            return out
        sizes = np.fromiter((len(h) for h in hash_sets), dtype=np.int64, count=len(hash_sets))
        flat = np.concatenate(hash_sets) if sizes.sum() else np.empty(0, dtype=np.uint32)
        mixed = _fmix32(flat.astype(np.uint32))
        owner = np.repeat(np.arange(len(hash_sets)), sizes)
        start = 0
        while start < len(mixed):
            stop = min(len(mixed), start + _CHUNK_ROWS)
            # Keep whole items inside one chunk when possible so reduceat sees complete groups;
            # items split across chunks are merged by the np.minimum.at below.
            block = mixed[start:stop, None] * self.a[None, :] + self.b[None, :]
            ids = owner[start:stop]
            boundaries = np.flatnonzero(np.r_[True, ids[1:] != ids[:-1]])
            mins = np.minimum.reduceat(block, boundaries, axis=0)
            rows = ids[boundaries]
            out[rows] = np.minimum(out[rows], mins)
            start = stop
        return out

    def sign_texts(self, texts: Sequence[str]) -> U32:
        return self.sign([self.shingle_hashes(t) for t in texts])


def jaccard(a: U32, b: U32) -> float:
    """Exact Jaccard similarity of two sorted distinct hash sets."""
    if len(a) == 0 and len(b) == 0:
        return 1.0
    inter = len(np.intersect1d(a, b, assume_unique=True))
    return inter / (len(a) + len(b) - inter)
