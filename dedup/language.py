"""A document's language, told by the share of each language's function words among its tokens."""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from importlib import resources

# Fewer function-word hits than this and the language is left unknown.
MIN_HITS = 3


@cache
def stopwords() -> dict[str, frozenset[str]]:
    folder = resources.files("dedup") / "data" / "stopwords"
    out: dict[str, frozenset[str]] = {}
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".txt"):
            words = (w.strip() for w in entry.read_text(encoding="utf-8").splitlines())
            out[entry.name[:-4]] = frozenset(w for w in words if w and not w.startswith("#"))
    return out


def detect(tokens: Iterable[str]) -> str | None:
    """The language whose function words are most frequent in `tokens` (casefolded), or None.

    A word shared by k lists ("en", "la", "que") counts 1/k for each, so the words that belong to
    one language alone decide between close ones.
    """
    lists = stopwords()
    scores = dict.fromkeys(lists, 0.0)
    hits = 0
    for tok in tokens:
        owners = [lang for lang, words in lists.items() if tok in words]
        if owners:
            hits += 1
            for lang in owners:
                scores[lang] += 1.0 / len(owners)
    if hits < MIN_HITS:
        return None
    return max(sorted(scores), key=lambda lang: scores[lang])
