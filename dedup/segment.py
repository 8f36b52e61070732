"""Cut a text into paragraphs that keep code-point offsets into the original.

Lines are the unit, because scrapers write one block per line (seed layouts: blank-line separated
blocks, one paragraph per line, and blocks of several distinct lines). A block of consecutive
non-blank lines is re-joined into one paragraph only when it reads as hard-wrapped prose: it has at
least two lines, its longest line is between `wrap_min_width` and `wrap_max_width` characters, and
every line but the last is "full": the next line's first word would not have fitted on it. Lines a
scraper writes one per block (captions, headings, list items) fail that test because they are either
longer than any wrap width or end well before it.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import regex

from dedup.config import SegmentConfig
from dedup.document import Paragraph

_LINE_BREAK = regex.compile(r"\r\n|\r|\n|\u2028|\u2029|\x0b|\x0c|\x1c|\x1d|\x1e|\x85")
# What surrounds a line's content: everything Python calls whitespace, plus BOM and zero-width space.
_BLANK = "".join(chr(c) for c in range(0x3100) if chr(c).isspace()) + "\ufeff\u200b"


@dataclass(frozen=True)
class Segmented:
    paragraphs: tuple[Paragraph, ...]
    separator: str  # "\n\n" when the text separates blocks by blank lines, else "\n"


def _lines(text: str) -> list[tuple[int, int]]:
    """(start, end) of every line's visible content, blank lines as (-1, -1)."""
    spans: list[tuple[int, int]] = []
    pos = 0
    for m in _LINE_BREAK.finditer(text):
        spans.append(_strip(text, pos, m.start()))
        pos = m.end()
    spans.append(_strip(text, pos, len(text)))
    return spans


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    segment = text[start:end]
    s = start + len(segment) - len(segment.lstrip(_BLANK))
    e = start + len(segment.rstrip(_BLANK))
    return (s, e) if e > s else (-1, -1)


def _is_wrapped(text: str, block: list[tuple[int, int]], config: SegmentConfig) -> bool:
    if len(block) < 2:
        return False
    lengths = [e - s for s, e in block]
    width = max(lengths)
    if not config.wrap_min_width <= width <= config.wrap_max_width:
        return False
    for (s, e), (ns, ne) in itertools.pairwise(block):
        next_line = text[ns:ne]
        first_word = next_line.split(maxsplit=1)[0] if next_line.split() else next_line
        if (e - s) + 1 + len(first_word) <= width:
            return False
    return True


def segment(text: str, config: SegmentConfig | None = None) -> Segmented:
    config = config or SegmentConfig()
    blocks: list[list[tuple[int, int]]] = [[]]
    blank_between = False
    for span in _lines(text):
        if span[0] < 0:
            if blocks[-1]:
                blocks.append([])
            continue
        if len(blocks) > 1 and not blocks[-1]:
            blank_between = True
        blocks[-1].append(span)
    paragraphs: list[Paragraph] = []
    for block in blocks:
        if not block:
            continue
        if _is_wrapped(text, block, config):
            units = [(block[0][0], block[-1][1])]
        else:
            units = block
        for s, e in units:
            paragraphs.append(Paragraph(len(paragraphs), s, e, text[s:e]))
    return Segmented(tuple(paragraphs), "\n\n" if blank_between else "\n")
