"""Tokens of many texts at once, found in their UTF-8 bytes with numpy.

The tokens are exactly those of `dedup.shingle.tokens` (NFC, casefolded, `regex` word runs, one
token per Han, Hiragana or Katakana character; a test holds the two together on random Unicode
text), but no Python object is made per token: each text is folded and encoded once, the bytes of
a whole batch are decoded to code points and classified through a table built from the `regex`
module itself, and tokens come out as byte spans into the batch.

Lone surrogates are encoded with `surrogatepass` and, like every other non-word character, only
separate tokens.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np
import numpy.typing as npt
import regex

I64 = npt.NDArray[np.int64]
U8 = npt.NDArray[np.uint8]

NON_TOKEN, WORD, SINGLE = 0, 1, 2
_BMP = 0x10000
# Texts of a batch are separated by this byte: not a word character, so no token crosses texts.
SEPARATOR = b"\n"


def _classes(first: int, stop: int) -> U8:
    chars = "".join(map(chr, range(first, stop)))
    word = regex.sub(r"[^\w]", "\x00", chars, flags=regex.V1)
    single = regex.sub(r"[^\p{Han}\p{Hiragana}\p{Katakana}]", "\x00", chars, flags=regex.V1)
    as_codes = (np.frombuffer(s.encode("utf-32-le", "surrogatepass"), dtype=np.uint32) for s in (word, single))
    is_word, is_single = (codes != 0 for codes in as_codes)
    if first == 0:
        is_word[0] = is_single[0] = False  # U+0000 stood for "no match" above
    out = np.zeros(stop - first, dtype=np.uint8)
    out[is_word] = WORD
    out[is_single] = SINGLE
    return out


@cache
def bmp_classes() -> U8:
    """Token class of every code point of the Basic Multilingual Plane (about 20 ms to build)."""
    return _classes(0, _BMP)


@cache
def all_classes() -> U8:
    """Token class of every code point; built only when a text leaves the BMP (about 0.3 s)."""
    return np.concatenate([bmp_classes(), _classes(_BMP, 0x110000)])


@cache
def _ascii_classes() -> U8:
    return bmp_classes()[:128].copy()


def fold(text: str) -> str:
    """The form tokens are taken from: NFC, then casefolded (ASCII needs neither but lowercasing)."""
    if text.isascii():
        return text.lower()
    return unicodedata.normalize("NFC", text).casefold()


@dataclass(frozen=True)
class Encoded:
    """The folded UTF-8 bytes of a batch of texts, each followed by SEPARATOR."""

    data: U8
    starts: I64  # byte offset of each text, plus len(data) at the end

    @property
    def count(self) -> int:
        return len(self.starts) - 1


def encode(texts: Sequence[str]) -> Encoded:
    parts = [fold(t).encode("utf-8", "surrogatepass") for t in texts]
    lengths = np.fromiter((len(p) + 1 for p in parts), dtype=np.int64, count=len(parts))
    starts = np.zeros(len(parts) + 1, dtype=np.int64)
    np.cumsum(lengths, out=starts[1:])
    blob = SEPARATOR.join(parts) + SEPARATOR if parts else b""
    return Encoded(np.frombuffer(blob, dtype=np.uint8), starts)


@dataclass(frozen=True)
class Chars:
    """Code points of an encoded batch: byte offset of each (plus the end) and token class."""

    offsets: I64
    classes: U8


def chars(enc: Encoded) -> Chars:
    data = enc.data
    if not len(data) or int(data.max()) < 0x80:
        return Chars(np.arange(len(data) + 1, dtype=np.int64), _ascii_classes()[data])
    lead = np.flatnonzero((data & 0xC0) != 0x80)
    padded = np.concatenate([data, np.zeros(3, dtype=np.uint8)])
    b0 = padded[lead].astype(np.uint32)
    cp = b0.copy()
    multi = np.flatnonzero(b0 >= 0x80)
    if len(multi):
        at = lead[multi]
        c0 = b0[multi]
        c1 = (padded[at + 1] & 0x3F).astype(np.uint32)
        c2 = (padded[at + 2] & 0x3F).astype(np.uint32)
        c3 = (padded[at + 3] & 0x3F).astype(np.uint32)
        cp[multi] = np.where(
            c0 < 0xE0,
            ((c0 & 0x1F) << 6) | c1,
            np.where(
                c0 < 0xF0, ((c0 & 0x0F) << 12) | (c1 << 6) | c2, ((c0 & 0x07) << 18) | (c1 << 12) | (c2 << 6) | c3
            ),
        )
    table = all_classes() if int(cp.max()) >= _BMP else bmp_classes()
    return Chars(np.append(lead, len(data)).astype(np.int64), table[cp])


@dataclass(frozen=True)
class Tokens:
    """Tokens of an encoded batch as byte spans [start, end), in text order, and the text of each."""

    start: I64
    end: I64
    owner: I64


def tokens(enc: Encoded, ch: Chars | None = None) -> Tokens:
    ch = ch if ch is not None else chars(enc)
    cls = ch.classes
    word = cls == WORD
    single = cls == SINGLE
    prev_word = np.concatenate([[False], word[:-1]])
    next_word = np.concatenate([word[1:], [False]])
    first = np.flatnonzero(single | (word & ~prev_word))
    last = np.flatnonzero(single | (word & ~next_word))
    start = ch.offsets[first]
    end = ch.offsets[last + 1]
    owner = np.searchsorted(enc.starts, start, side="right") - 1
    return Tokens(start, end, owner.astype(np.int64))
