"""Tokens and shingles, the reference definitions: pure Python functions of (text, n).

Tokens follow the `regex` module's Unicode word definition on the NFC, casefolded text, except that
Han, Hiragana and Katakana characters are one token each (those scripts do not separate words with
spaces, so a `\\w+` run would be a whole clause). Word shingles are n-grams of tokens joined by one
space; character shingles are n-grams of code points of the text in which every run of characters
that belong to no token became one space (and the ends were trimmed). A text with fewer than n
units has one shingle made of all of them; a text with none has no shingle.

`dedup.tokenize` finds the same tokens in bulk with numpy; tests hold the two together.
"""

from __future__ import annotations

import re
import unicodedata

import regex

_TOKEN = regex.compile(
    r"[\p{Han}\p{Hiragana}\p{Katakana}]|[\w--[\p{Han}\p{Hiragana}\p{Katakana}]]+",
    regex.V1,
)
# In ASCII text NFC and casefolding change no token boundary and `\w` is [A-Za-z0-9_]: the standard library's
# engine counts those runs several times faster.
_ASCII_TOKEN = re.compile(r"[A-Za-z0-9_]+")
_NON_TOKEN_RUN = regex.compile(r"[^\w\p{Han}\p{Hiragana}\p{Katakana}]+", regex.V1)


def folded(text: str) -> str:
    return unicodedata.normalize("NFC", text).casefold()


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(folded(text))


def token_count(text: str) -> int:
    """`len(tokens(text))`, without folding or keeping the tokens when the text is ASCII."""
    if text.isascii():
        return len(_ASCII_TOKEN.findall(text))
    return len(tokens(text))


def word_shingles(toks: list[str], n: int) -> list[str]:
    """Word n-grams joined by a space; a text shorter than n yields one shingle of all its tokens."""
    if not toks:
        return []
    if len(toks) < n:
        return [" ".join(toks)]
    return [" ".join(toks[i : i + n]) for i in range(len(toks) - n + 1)]


def char_text(text: str) -> str:
    """The text character shingles are taken from: folded, each non-token run one space, trimmed."""
    return _NON_TOKEN_RUN.sub(" ", folded(text)).strip(" ")


def char_shingles(text: str, n: int) -> list[str]:
    s = char_text(text)
    if not s:
        return []
    if len(s) < n:
        return [s]
    return [s[i : i + n] for i in range(len(s) - n + 1)]


def shingles(text: str, kind: str, n: int) -> list[str]:
    """The shingles of one text: kind "word" or "char"."""
    return word_shingles(tokens(text), n) if kind == "word" else char_shingles(text, n)
