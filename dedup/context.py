"""Debris known from its neighbours, not from its words.

Two rules, both anchored on paragraphs a debris rule or the boilerplate stage already removed, so
they never fire on a document without debris:

- `context.tail`: after the last prose paragraph of a document, the remaining short non-prose lines
  (related headlines, video titles, captions of widgets) go when debris is among them: article ends
  are where widgets pile up.
- `context.between_debris`: a run of at most `MAX_RUN` non-prose paragraphs with debris right
  before and right after it (ignoring removed repeats) is debris too: menus and share bars.

"Prose" is a paragraph of at least `PROSE_MIN_TOKENS` tokens ending in sentence punctuation.
"""

from __future__ import annotations

from collections.abc import Sequence

import regex

from dedup.shingle import tokens

PROSE_MIN_TOKENS = 6
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
    out: dict[int, str] = {}
    order = [i for i, s in enumerate(state) if s != "gone"]
    kept = [i for i in order if state[i] == "kept"]
    prose = [i for i in kept if is_prose(texts[i])]
    last_prose = prose[-1] if prose else -1
    tail = [i for i in order if i > last_prose]
    if any(state[i] == "debris" for i in tail) and prose:
        for i in tail:
            if state[i] == "kept":
                out[i] = "context.tail"
    run: list[int] = []
    prev_debris = False
    for i in order:
        if state[i] == "debris":
            if prev_debris and 0 < len(run) <= MAX_RUN:
                for j in run:
                    out.setdefault(j, "context.between_debris")
            run = []
            prev_debris = True
        elif is_prose(texts[i]):
            run = []
            prev_debris = False
        else:
            run.append(i)
    return out
