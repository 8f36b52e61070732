"""The fast base hash: a 64-bit hash of byte spans computed for a whole batch at once.

A span's hash is its polynomial `sum(byte[k] * P**k) mod 2**64`, read off prefix sums of the
batch (`(H[end] - H[start]) * P**-start`, P odd so it has an inverse mod 2**64), combined with
the span's length and sent through the MurmurHash3 64-bit finalizer. `span_hash` is the same
function on one bytes object, in plain Python: the reference the tests compare with, and what a
datasketch `MinHash(hashfunc=...)` can use to reproduce dedup's fast-mode signatures.

Word n-grams combine their tokens' hashes (`c = c * MIX + t`, token by token) and fold the result
to 32 bits, so a token is hashed once however many shingles it is part of.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

U64 = npt.NDArray[np.uint64]
U32 = npt.NDArray[np.uint32]
I64 = npt.NDArray[np.int64]

_MASK = (1 << 64) - 1
P = 0xD6E8FEB86659FD93  # odd, so invertible mod 2**64
P_INV = pow(P, -1, 1 << 64)
LENGTH_KEY = 0xC2B2AE3D27D4EB4F
MIX = 0x9E3779B97F4A7C15
_F1, _F2 = 0xFF51AFD7ED558CCD, 0xC4CEB9FE1A85EC53


def fmix64(h: U64) -> U64:
    h = h ^ (h >> np.uint64(33))
    h = h * np.uint64(_F1)
    h = h ^ (h >> np.uint64(33))
    h = h * np.uint64(_F2)
    return h ^ (h >> np.uint64(33))


def fold32(h: U64) -> U32:
    return (h ^ (h >> np.uint64(32))).astype(np.uint32)


class Powers:
    """P**k and P**-k mod 2**64 for k < size; one per signer (not shared between threads).

    Tables up to `keep` entries are kept and grown on demand; a larger one (a single huge text) is
    made for that call only, so one 10 MB text does not leave 160 MB behind.
    """

    def __init__(self, keep: int = 1 << 22) -> None:
        self.keep = keep
        self.up = np.ones(1, dtype=np.uint64)
        self.down = np.ones(1, dtype=np.uint64)

    @staticmethod
    def _tables(size: int) -> tuple[U64, U64]:
        up = np.full(size, P, dtype=np.uint64)
        down = np.full(size, P_INV, dtype=np.uint64)
        up[0] = down[0] = 1
        return np.cumprod(up), np.cumprod(down)

    def get(self, size: int) -> tuple[U64, U64]:
        if size > self.keep:
            return self._tables(size)
        if size > len(self.up):
            self.up, self.down = self._tables(min(self.keep, max(size, 2 * len(self.up))))
        return self.up, self.down


def span_hashes(data: npt.NDArray[np.uint8], start: I64, end: I64, powers: Powers) -> U64:
    """The fast hash of every byte span data[start[i]:end[i]]."""
    size = len(data) + 1
    up, down = powers.get(size)
    prefix = np.zeros(size, dtype=np.uint64)
    np.cumsum(data.astype(np.uint64) * up[: size - 1], out=prefix[1:])
    raw = (prefix[end] - prefix[start]) * down[start]
    return fmix64(raw ^ ((end - start).astype(np.uint64) * np.uint64(LENGTH_KEY)))


def _fmix64_int(h: int) -> int:
    h ^= h >> 33
    h = (h * _F1) & _MASK
    h ^= h >> 33
    h = (h * _F2) & _MASK
    return h ^ (h >> 33)


def span_hash(data: bytes) -> int:
    """Reference for `span_hashes` on one bytes object."""
    raw = 0
    power = 1
    for byte in data:
        raw = (raw + byte * power) & _MASK
        power = (power * P) & _MASK
    return _fmix64_int(raw ^ ((len(data) * LENGTH_KEY) & _MASK))


def combine(hashes: list[int]) -> int:
    c = hashes[0]
    for h in hashes[1:]:
        c = (c * MIX + h) & _MASK
    return c


def fold32_int(h: int) -> int:
    return (h ^ (h >> 32)) & 0xFFFFFFFF


def word_shingle_hash(shingle: bytes) -> int:
    """dedup's fast 32-bit base hash of a word shingle (its tokens joined by single spaces).

    Passed as `hashfunc` to a datasketch `MinHash`, it reproduces dedup's default signatures.
    """
    return fold32_int(combine([span_hash(tok) for tok in shingle.split(b" ")]))


def char_shingle_hash(shingle: bytes) -> int:
    """dedup's fast 32-bit base hash of a character shingle."""
    return fold32_int(span_hash(shingle))
