"""Normalisation for matching: a pure function of the text.

The original text is never rewritten: paragraphs keep their offsets into it, and only the keys used
to compare paragraphs go through these functions. Order of steps: NFC, drop zero-width and control
characters, collapse whitespace, then (for keys) casefold and drop punctuation.
"""

from __future__ import annotations

import re
import unicodedata

import regex

_INVISIBLE = regex.compile(r"[\p{Cc}\p{Cf}\p{Cs}\p{Co}--[\t\n\r]]", regex.V1)
_SPACE = regex.compile(r"[\s\p{Z}]+")
_NON_WORD = regex.compile(r"[^\w]+")
# The same steps for ASCII text, which most paragraphs are: NFC and casefolding change nothing there but case, and
# the standard library's engine is faster on it. The invisible characters are the C0 controls but tab, newline and
# carriage return, and DEL; whitespace is what is left of [\t\n\x0b\x0c\r ].
_ASCII_INVISIBLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_ASCII_SPACE = re.compile(r"[\t\n\r ]+")
_ASCII_NON_WORD = re.compile(r"[^a-z0-9_]+")
_SPACES = re.compile(" {2,}")


def normalize(text: str) -> str:
    """NFC, invisible characters removed, whitespace runs collapsed to one space, stripped."""
    if text.isascii():
        if _ASCII_INVISIBLE.search(text):
            text = _ASCII_INVISIBLE.sub("", text)
        return _ASCII_SPACE.sub(" ", text).strip()
    text = unicodedata.normalize("NFC", text)
    if text.isprintable():
        # Printable text holds no control, format, surrogate or private-use character and no whitespace but the
        # space itself (the other separators and \t\n\r are not printable): only runs of spaces are left to collapse.
        # Most paragraphs of a page are such text, and the two `regex` passes cost more than these tests.
        return _SPACES.sub(" ", text).strip() if "  " in text else text.strip()
    text = _INVISIBLE.sub("", text)
    return _SPACE.sub(" ", text).strip()


def match_key(text: str) -> str:
    """The exact-match key of a paragraph: normalised, casefolded, punctuation removed."""
    if text.isascii():
        if _ASCII_INVISIBLE.search(text):
            text = _ASCII_INVISIBLE.sub("", text)
        return _ASCII_NON_WORD.sub(" ", text.lower()).strip()
    return _NON_WORD.sub(" ", normalize(text).casefold()).strip()
