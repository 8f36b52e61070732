"""dedup.normalize: the fast paths (ASCII, printable text) give what the general steps give."""

from __future__ import annotations

import unicodedata

import regex
from hypothesis import example, given
from hypothesis import strategies as st

from dedup.normalize import match_key, normalize

_INVISIBLE = regex.compile(r"[\p{Cc}\p{Cf}\p{Cs}\p{Co}--[\t\n\r]]", regex.V1)
_SPACE = regex.compile(r"[\s\p{Z}]+")
_NON_WORD = regex.compile(r"[^\w]+")


def reference_normalize(text: str) -> str:
    """The documented steps, with no shortcut: NFC, invisible characters out, whitespace runs to one space, strip."""
    text = unicodedata.normalize("NFC", text)
    return _SPACE.sub(" ", _INVISIBLE.sub("", text)).strip()


def reference_match_key(text: str) -> str:
    return _NON_WORD.sub(" ", reference_normalize(text).casefold()).strip()


# Spaces, other separators, controls, format characters, combining marks and letters from several scripts.
_chars = st.sampled_from(
    list(" \t\n\r\x0b\x0c\x1c\x1f\x7f\u00a0\u2003\u2028\u2029\u200b\u200d\ufeff\u00ad\ue000")
    + list("aZ9_-.,!éÉßİıǅﬁ\u0301\u0915\u093f\u0e01\u0e31日本語한국Привет")
)
texts = st.one_of(st.text(), st.text(alphabet=_chars, max_size=40))


@given(texts)
@example("  Ünïcode   spaced  ")
@example("e\u0301 composed")
@example("a\u00a0b")
@example("x\u200by")
def test_normalize_equals_the_general_steps(text: str) -> None:
    assert normalize(text) == reference_normalize(text)


@given(texts)
@example("Привет,   МИР!!")
@example("क़िताब की\u093f")
def test_match_key_equals_the_general_steps(text: str) -> None:
    assert match_key(text) == reference_match_key(text)


@given(texts)
def test_normalize_is_idempotent(text: str) -> None:
    once = normalize(text)
    assert normalize(once) == once
