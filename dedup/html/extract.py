"""Main content of a page: which blocks are content, and for every other block the reason it is not.

1. Each block gets a weight: its non-link characters when it reads as prose, a penalty when it is link text or sits
   under a structural boilerplate tag (`nav`, `aside`, a page `header`/`footer`, a navigation role), nothing when it
   is short. Content cues (`article`, `main`, `itemprop=articleBody`, "entry-content" ...) raise the weight.
2. The main container is the element whose subtree has the largest total weight (a maximum-weight subtree: it takes
   in content and stops where debris begins).
3. Inside it, a block still goes when a boilerplate cue encloses it below the container (a share bar or a related
   list inside the article), unless that cue covers most of the container's prose (a forum whose posts are all
   "comment"s), or when it is link text inside a container that is mostly prose.
4. A heading that repeats the page title goes: the title is metadata, kept apart from the text.
"""

from __future__ import annotations

from dataclasses import dataclass

from dedup.html.dom import HEADINGS, Block, Dom, Frame

# A block reads as prose with this many words, or fewer ending in sentence punctuation.
PROSE_WORDS = 10
SENTENCE_WORDS = 5
LINK_DENSE = 0.5
CONTENT_BOOST = 1.5
STRUCTURAL_CUES = frozenset(("nav", "aside", "menu", "header", "footer"))
# A cue frame holding more than this share of the container's prose is the content itself, not debris.
CUE_MAJORITY = 0.5
# Container link density below which link-dense blocks inside it are debris (a listing keeps them).
PROSE_CONTAINER_LINKS = 0.25
COMMENT_WORDS = frozenset(("comments", "comment", "respond", "disqus"))
_END_PUNCT = tuple(".!?:;\u3002\uff01\uff1f\u2026\"'\u201d\u00bb)")


@dataclass(frozen=True)
class Verdict:
    """Why a block is not content: a short reason id and the element that decided it."""

    reason: str
    frame: Frame


def is_prose(block: Block) -> bool:
    words = block.text.count(" ") + 1
    if words >= PROSE_WORDS:
        return True
    return words >= SENTENCE_WORDS and block.text.endswith(_END_PUNCT)


def _structural(cue: str | None) -> bool:
    return cue is not None and (cue in STRUCTURAL_CUES or cue.startswith("role="))


def weight(block: Block) -> float:
    if _structural(block.cue):
        return -float(block.chars)
    if block.link_density > LINK_DENSE:
        return -0.5 * block.chars
    if not is_prose(block):
        return 0.0
    w = float(block.chars - block.link_chars)
    return w * CONTENT_BOOST if block.content else w


def main_container(dom: Dom) -> Frame | None:
    """The element whose subtree carries the most weight, None for a page without blocks."""
    if not dom.blocks:
        return None
    totals = [0.0] * len(dom.frames)
    for b in dom.blocks:
        totals[b.frame.index] += weight(b)
    # Frames are in pre-order: adding each to its parent from the end sums whole subtrees in one pass.
    for f in reversed(dom.frames):
        if f.parent is not None:
            totals[f.parent.index] += totals[f.index]
    # Among equal totals the deepest element wins: wrappers add nothing but the debris around the content.
    best = max(range(len(totals)), key=lambda i: (totals[i], i))
    if totals[best] <= 0:
        return dom.frames[0]
    return dom.frames[best]


def classify(dom: Dom) -> list[Verdict | None]:
    """One entry per block: None for content, else why it is not."""
    container = main_container(dom)
    out: list[Verdict | None] = [None] * len(dom.blocks)
    if container is None:
        return out
    inside = [b.frame.inside(container) for b in dom.blocks]
    prose_chars = 0
    link_chars = 0
    chars = 0
    cue_prose: dict[int, int] = {}
    for b, ins in zip(dom.blocks, inside, strict=True):
        if not ins:
            continue
        chars += b.chars
        link_chars += b.link_chars
        if is_prose(b):
            prose_chars += b.chars
            if b.cue_frame is not None and b.cue_frame.pre > container.pre:
                cue_prose[b.cue_frame.index] = cue_prose.get(b.cue_frame.index, 0) + b.chars
    majority = {
        i for i, c in cue_prose.items() if c > CUE_MAJORITY * prose_chars and not _comments(dom.frames[i].cue)
    }
    prose_container = chars > 0 and link_chars / chars < PROSE_CONTAINER_LINKS
    for n, (b, ins) in enumerate(zip(dom.blocks, inside, strict=True)):
        if not ins:
            out[n] = Verdict("outside-main", _outside_frame(b, container))
            continue
        cf = b.cue_frame
        if cf is not None and cf.pre > container.pre and cf.index not in majority:
            out[n] = Verdict(f"cue:{b.cue}", cf)
            continue
        if prose_container and b.link_density > LINK_DENSE:
            out[n] = Verdict("link-dense", b.frame)
    _drop_title(dom, out)
    return out


def _comments(cue: str | None) -> bool:
    return cue is not None and cue.split("~")[-1] in COMMENT_WORDS


def _outside_frame(block: Block, container: Frame) -> Frame:
    """The element a block outside the container is best named by: its boilerplate cue element if any."""
    return block.cue_frame or block.frame


def _drop_title(dom: Dom, out: list[Verdict | None]) -> None:
    """Drop the first kept heading that repeats the page title, if it comes before any kept prose."""
    title = (dom.title or "").casefold()
    if not title:
        return
    for n, b in enumerate(dom.blocks):
        if out[n] is not None:
            continue
        if b.tag in HEADINGS:
            text = b.text.casefold()
            if text == title or (len(text) >= 10 and title.startswith(text)):
                out[n] = Verdict("title", b.frame)
                return
        if is_prose(b):
            return
