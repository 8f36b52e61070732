"""Debris known from its position and neighbours, not from its words.

"Prose" is a paragraph of at least `PROSE_MIN_TOKENS` tokens ending in sentence punctuation (not an
ellipsis, which marks a truncated teaser); "short" is at most `SHORT_TOKENS` tokens. The article body
runs from the first prose paragraph to the last. Three rules, none of which fires on a document
without prose (a listing, an index: there, position says nothing):

- `context.head`: short lines before the body are navigation, except the `HEAD_KEEP` lines right
  above it (title, byline, date).
- `context.tail`: after the body, up to `MAX_TAIL` non-prose lines followed by debris (related
  headlines, video titles, widget captions) go: article ends are where widgets pile up. A longer
  run is a list that belongs to the page.
- `context.between_debris`: a run of at most `MAX_RUN` short lines with debris right before and
  right after it (ignoring removed repeats) is debris too: menus and share bars.

The limits were chosen on the tuning split of the evaluation pages (benchmarks/README.md): longer
head lines, longer runs or unbounded tails each bought precision with as much recall.
"""

from __future__ import annotations

from collections.abc import Sequence

import regex

from dedup.shingle import tokens

PROSE_MIN_TOKENS = 6
SHORT_TOKENS = 5
HEAD_KEEP = 3
MAX_TAIL = 10
MAX_RUN = 3
_SENTENCE_END = regex.compile(r"[.!?。！？][\"'”’»)\]]*$")


def is_prose(text: str) -> bool:
    stripped = text.rstrip()
    if stripped.endswith(("...", "…")):
        return False
    return bool(_SENTENCE_END.search(stripped)) and len(tokens(stripped)) >= PROSE_MIN_TOKENS


def context_debris(texts: Sequence[str], state: Sequence[str]) -> dict[int, str]:
    """Paragraphs to remove, with the rule id, given each paragraph's state.

    `state[i]` is "kept", "debris" (removed by a rule or as boilerplate) or "gone" (removed for
    another reason, e.g. a repeat, and transparent here).
    """
    order = [i for i, s in enumerate(state) if s != "gone"]
    kept = [i for i in order if state[i] == "kept"]
    prose = [i for i in kept if is_prose(texts[i])]
    if not prose:
        return {}
    short = {i for i in kept if len(tokens(texts[i])) <= SHORT_TOKENS}
    out: dict[int, str] = {}
    head = [i for i in kept if i < prose[0]]
    for i in head[: max(0, len(head) - HEAD_KEEP)]:
        if i in short:
            out[i] = "context.head"
    debris_after = [i for i in order if i > prose[-1] and state[i] == "debris"]
    if debris_after:
        tail = [i for i in kept if prose[-1] < i < debris_after[-1]]
        if len(tail) <= MAX_TAIL:
            out.update((i, "context.tail") for i in tail)
    run: list[int] = []
    prev_debris = False
    for i in order:
        if state[i] == "debris":
            if prev_debris and 0 < len(run) <= MAX_RUN:
                for j in run:
                    if j in short:
                        out.setdefault(j, "context.between_debris")
            run = []
            prev_debris = True
        elif is_prose(texts[i]):
            run = []
            prev_debris = False
        else:
            run.append(i)
    return out
