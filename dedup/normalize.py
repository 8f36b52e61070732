"""Normalisation for matching: a pure function of the text.

The original text is never rewritten: paragraphs keep their offsets into it, and only the keys used
to compare paragraphs go through these functions. Order of steps: NFC, drop zero-width and control
characters, collapse whitespace, then (for keys) casefold and drop punctuation.
"""

from __future__ import annotations

import unicodedata

import regex

_INVISIBLE = regex.compile(r"[\p{Cc}\p{Cf}\p{Cs}\p{Co}--[\t\n\r]]", regex.V1)
_SPACE = regex.compile(r"[\s\p{Z}]+")
_NON_WORD = regex.compile(r"[^\w]+")


def normalize(text: str) -> str:
    """NFC, invisible characters removed, whitespace runs collapsed to one space, stripped."""
    text = unicodedata.normalize("NFC", text)
    text = _INVISIBLE.sub("", text)
    return _SPACE.sub(" ", text).strip()


def match_key(text: str) -> str:
    """The exact-match key of a paragraph: normalised, casefolded, punctuation removed."""
    return _NON_WORD.sub(" ", normalize(text).casefold()).strip()
