"""A document's language, told by the share of each language's function words among its tokens.

Han characters are one token each (`dedup.shingle`), so the Chinese list holds single characters.
Japanese writes many of the same characters but between kana: a text with kana is never Chinese.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from importlib import resources

# Fewer function-word hits than this and the language is left unknown.
MIN_HITS = 3
# Hiragana or Katakana tokens in at least this share of the Chinese hits: Japanese, which has no list.
KANA_SHARE = 0.2


@cache
def stopwords() -> dict[str, frozenset[str]]:
    folder = resources.files("dedup") / "data" / "stopwords"
    out: dict[str, frozenset[str]] = {}
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".txt"):
            words = (w.strip() for w in entry.read_text(encoding="utf-8").splitlines())
            out[entry.name[:-4]] = frozenset(w for w in words if w and not w.startswith("#"))
    return out


@cache
def _owners() -> dict[str, tuple[tuple[str, ...], float]]:
    """Each function word -> the languages whose lists hold it (in name order) and the share each gets."""
    owners: dict[str, list[str]] = {}
    for lang, words in stopwords().items():
        for word in words:
            owners.setdefault(word, []).append(lang)
    return {word: (tuple(langs), 1.0 / len(langs)) for word, langs in owners.items()}


def detect(tokens: Iterable[str]) -> str | None:
    """The language whose function words are most frequent in `tokens` (casefolded), or None.

    A word shared by k lists ("en", "la", "que") counts 1/k for each, so the words that belong to
    one language alone decide between close ones.
    """
    owners_of = _owners()
    scores = dict.fromkeys(stopwords(), 0.0)
    hits = 0
    kana = 0
    for tok in tokens:
        if "\u3040" <= tok <= "\u30ff":  # a Hiragana or Katakana character (each is one token)
            kana += 1
        found = owners_of.get(tok)
        if found is not None:
            hits += 1
            langs, share = found
            for lang in langs:
                scores[lang] += share
    if hits < MIN_HITS:
        return None
    best = max(sorted(scores), key=lambda lang: scores[lang])
    if best == "zh" and kana >= KANA_SHARE * scores[best]:
        return None
    return best
