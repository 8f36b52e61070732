"""Debris known from its position and neighbours, not from its words.

"Prose" is a paragraph of at least `PROSE_MIN_TOKENS` tokens ending in sentence punctuation (not an
ellipsis, which marks a truncated teaser) or in a colon or semicolon, which leads into what follows (a
list, a command, a quote: the text goes on); "short" is at most `SHORT_TOKENS` tokens. The body runs
from the first prose paragraph to the last; a document is "prose-dominant" when prose holds at least
`PROSE_DOMINANT` of its kept tokens (an article, as opposed to a listing or an index, where position
says less). Nothing here fires on a document without prose, and every rule is anchored on the body
or on debris that a rule or the boilerplate stage already found:

- `context.head`: lines before the body are navigation, except the `HEAD_KEEP` lines right above
  it (title, byline, date); in a document that is not prose-dominant only the short ones go.
- `context.tail`: when debris follows the body, the lines after the body go (related headlines,
  video titles, widget captions: article ends are where widgets pile up); in a document that is not
  prose-dominant only up to `MAX_TAIL` lines before the last debris, since a longer run is a list
  that belongs to the page.
- `context.between_debris`: in a run of at most `MAX_RUN` non-prose lines with debris right before
  and right after it (ignoring removed repeats), the short lines go, and all of them in a
  prose-dominant document: menus and share bars.

The limits were chosen on the tuning split of the evaluation pages (see benchmarks/README.md).
"""

from __future__ import annotations

from collections.abc import Sequence

import regex

from dedup.shingle import token_count

PROSE_MIN_TOKENS = 6
SHORT_TOKENS = 5
PROSE_DOMINANT = 0.7
HEAD_KEEP = 3
MAX_TAIL = 20
MAX_RUN = 3
_SENTENCE_END = regex.compile(r"[.!?。！？][\"'”’»)\]]*$")
# A paragraph that ends in a colon or semicolon leads into what follows (a list, a command, a quote).
_LEAD_IN_END = regex.compile(r"[:;：；]$")


def _ends_like_prose(text: str) -> bool:
    stripped = text.rstrip()
    if stripped.endswith(("...", "…")):
        return False
    return bool(_SENTENCE_END.search(stripped) or _LEAD_IN_END.search(stripped))


def is_prose(text: str) -> bool:
    return _ends_like_prose(text) and token_count(text) >= PROSE_MIN_TOKENS


class Paragraphs:
    """A document's paragraph texts with their token counts and prose verdicts, each worked out once: the
    context rules read them several times per round, and rounds repeat until nothing more goes."""

    def __init__(self, texts: Sequence[str]) -> None:
        self.texts = texts
        self._size: dict[int, int] = {}
        self._prose: dict[int, bool] = {}

    def size(self, i: int) -> int:
        found = self._size.get(i)
        if found is None:
            found = self._size[i] = token_count(self.texts[i])
        return found

    def prose(self, i: int) -> bool:
        found = self._prose.get(i)
        if found is None:
            # Trailing whitespace adds no token, so the paragraph's own count serves.
            found = self._prose[i] = _ends_like_prose(self.texts[i]) and self.size(i) >= PROSE_MIN_TOKENS
        return found


def context_debris(texts: Sequence[str] | Paragraphs, state: Sequence[str]) -> dict[int, str]:
    """Paragraphs to remove, with the rule id, given each paragraph's state.

    `state[i]` is "kept", "debris" (removed by a rule or as boilerplate) or "gone" (removed for
    another reason, e.g. a repeat, and transparent here). Pass `Paragraphs` to keep token counts
    across calls on one document.
    """
    paras = texts if isinstance(texts, Paragraphs) else Paragraphs(texts)
    order = [i for i, s in enumerate(state) if s != "gone"]
    kept = [i for i in order if state[i] == "kept"]
    prose = [i for i in kept if paras.prose(i)]
    if not prose:
        return {}
    size = {i: paras.size(i) for i in kept}
    dominant = sum(size[i] for i in prose) >= PROSE_DOMINANT * sum(size.values())
    short = {i for i in kept if size[i] <= SHORT_TOKENS}
    out: dict[int, str] = {}

    head = [i for i in kept if i < prose[0]]
    for i in head[: max(0, len(head) - HEAD_KEEP)]:
        if dominant or i in short:
            out[i] = "context.head"

    debris_after = [i for i in order if i > prose[-1] and state[i] == "debris"]
    if debris_after:
        if dominant:
            tail = [i for i in kept if i > prose[-1]]
        else:
            tail = [i for i in kept if prose[-1] < i < debris_after[-1]]
            tail = tail if len(tail) <= MAX_TAIL else []
        out.update((i, "context.tail") for i in tail)

    run: list[int] = []
    prev_debris = False
    for i in order:
        if state[i] == "debris":
            if prev_debris and 0 < len(run) <= MAX_RUN:
                for j in run:
                    if dominant or j in short:
                        out.setdefault(j, "context.between_debris")
            run = []
            prev_debris = True
        elif paras.prose(i):
            run = []
            prev_debris = False
        else:
            run.append(i)
    return out
