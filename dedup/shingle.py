"""Tokens and shingles: pure functions of (text, n).

Tokens follow the `regex` module's Unicode word definition, casefolded, except that Han, Hiragana
and Katakana characters are one token each (those scripts do not separate words with spaces, so a
`\\w+` run would be a whole clause).
"""

from __future__ import annotations

import unicodedata

import regex

_TOKEN = regex.compile(
    r"[\p{Han}\p{Hiragana}\p{Katakana}]|[\w--[\p{Han}\p{Hiragana}\p{Katakana}]]+",
    regex.V1,
)


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(unicodedata.normalize("NFC", text).casefold())


def word_shingles(toks: list[str], n: int) -> list[str]:
    """Word n-grams joined by a space; a text shorter than n yields one shingle of all its tokens."""
    if not toks:
        return []
    if len(toks) < n:
        return [" ".join(toks)]
    return [" ".join(toks[i : i + n]) for i in range(len(toks) - n + 1)]
