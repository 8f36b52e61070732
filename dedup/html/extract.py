"""Main content of a page: which blocks are content, and for every other block the reason it is not.

1. Each block gets a weight: its non-link characters when it reads as prose, a penalty when it is link text or sits
   under a structural boilerplate tag (`nav`, `aside`, `figcaption`, a page `header`/`footer`, a navigation role),
   nothing when it is short. Content cues (`article`, `main`, `itemprop=articleBody`, "entry-content" ...) raise
   the weight.
   Items of a listing (four or more siblings from one template, each a link with text of its own beside it: a
   product tile, a search hit) weigh their non-link characters even when short, outside navigation.
2. The main container is the element whose subtree has the largest total weight (a maximum-weight subtree: it takes
   in content and stops where debris begins).
   Teaser cards (sibling items from one template, each a linked headline and a snippet: "more stories") are taken
   out and the weighing done again when a body of prose of its own remains beside them; a page of cards alone is
   a listing and keeps them.
3. Inside it, a block still goes when a boilerplate cue encloses it below the container (a share bar or a related
   list inside the article), unless that cue covers most of the container's prose (a forum whose posts are all
   "comment"s), or when it is link text inside a container that is mostly prose.
4. A heading that repeats the page title goes: the title is metadata, kept apart from the text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from dedup.html.dom import COMMENT_WORDS, HEADINGS, Block, Dom, Frame

# A block reads as prose with this many non-space characters, or fewer ending in sentence punctuation.
PROSE_CHARS = 50
SENTENCE_CHARS = 20
LINK_DENSE = 0.5
CONTENT_BOOST = 1.5
# A cue frame holding more than this share of the container's prose is the content itself, not debris.
CUE_MAJORITY = 0.5
# Container link density below which link-dense blocks inside it are debris (a listing keeps them).
PROSE_CONTAINER_LINKS = 0.25
# A cue element holding this share of the page's characters is a wrapper, not a part.
WRAPPER_SHARE = 0.5
# Comment prose this many times the main container's weight makes the page a discussion.
DISCUSSION_SHARE = 3.0
# ... when the content found without the comments is this little (weighted characters).
DISCUSSION_MAX_CONTENT = 500.0
# Teaser cards: at least this many siblings from one template (tag and class), each a linked headline plus a
# snippet of at most CARD_PROSE characters, announce other pages. Next to a body of prose they are not content.
CARD_MIN = 3
ITEM_MIN = 4
ITEM_TEXT = 10
ITEM_TEXT_SHARE = 0.3
CARD_PROSE = 600
CARD_HEADLINE = 20  # a headline names an article; a section's self-link ("Events", "Constructor") is shorter
CARD_BODY = 1000  # prose characters the body beside the cards must have
# A part of the page title must have this many words to count as its headline.
TITLE_WORDS = 3
TITLE_MAX_CHARS = 400
# Where a page title joins the headline and the site's name: "Headline | Site", "Section: Headline".
_TITLE_SEPARATOR = re.compile(r"\s+[|\-\u2013\u2014:\u00b7\u2022\u00bb]\s+|\s*[|\u00b7\u2022\u00bb]\s*")
_WORD = re.compile(r"\w+")
_END_PUNCT = tuple(".!?:;\u3002\uff01\uff1f\u2026\"'\u201d\u00bb)")


@dataclass(frozen=True)
class Verdict:
    """Why a block is not content: a short reason id and the element that decided it."""

    reason: str
    frame: Frame


def is_prose(block: Block) -> bool:
    # Characters, not words: scripts without spaces between words (Chinese, Japanese, Thai) read as prose too.
    if block.chars >= PROSE_CHARS:
        return True
    return block.chars >= SENTENCE_CHARS and block.text.endswith(_END_PUNCT)


def weight(block: Block) -> float:
    if block.link_density > LINK_DENSE:
        return -0.5 * block.chars
    if not is_prose(block):
        return 0.0
    w = float(block.chars - block.link_chars)
    return w * CONTENT_BOOST if block.content else w


def main_container(dom: Dom) -> Frame | None:
    return _main_container(dom)[0]


def _main_container(dom: Dom) -> tuple[Frame | None, bool, frozenset[int]]:
    """The element whose subtree carries the most weight, None for a page without blocks.

    An element with a boilerplate cue counts as debris as a whole (minus its characters), unless it holds most of
    the page's prose: then it is a wrapper whose class happens to name a part ("content-sidebar-wrap"). Comments
    weigh nothing at first, so that an article is chosen over the discussion under it; a page whose prose is mostly
    comments (a forum thread) is weighed again with them as content.
    """
    if not dom.blocks:
        return None, False, frozenset()
    own = [0.0] * len(dom.frames)
    chars = [0] * len(dom.frames)  # characters in each subtree
    prose = [0] * len(dom.frames)  # prose characters in each subtree
    talk_chars = 0
    items = _items(dom)
    for b in dom.blocks:
        i = b.frame.index
        if items[i]:
            # An item of a listing: its facts (price, size, date) are content even when short, its link is its name.
            own[i] += 0.0 if b.link_density > LINK_DENSE else float(b.chars - b.link_chars)
        else:
            own[i] += weight(b)
        chars[i] += b.chars
        if is_prose(b):
            prose[i] += b.chars
    for f in reversed(dom.frames):
        if f.parent is not None:
            chars[f.parent.index] += chars[f.index]
            prose[f.parent.index] += prose[f.index]
    page = max(prose[0], 1)
    for f in dom.frames:
        if f.own is not None and _comments(f.own):
            talk_chars = max(talk_chars, chars[f.index])
    no_cards: frozenset[int] = frozenset()
    best, total = _heaviest(dom, own, chars, prose, page, 0.0, no_cards)
    discussion = total < DISCUSSION_MAX_CONTENT and talk_chars > DISCUSSION_SHARE * max(total, 0.0)
    talk = 1.0 if discussion else 0.0
    if discussion:
        best, total = _heaviest(dom, own, chars, prose, page, talk, no_cards)
    if total <= 0:
        return dom.frames[0], discussion, no_cards
    found = dom.frames[best]
    cards = _teaser_cards(dom, found, prose)
    if cards:
        # Without the cards the content must stay one body: most of the rest of the prose, no card inside it.
        again, _ = _heaviest(dom, own, chars, prose, page, talk, cards)
        body = dom.frames[again]
        rest = prose[found.index] - sum(prose[i] for i in cards)
        whole = prose[again] >= CARD_BODY and 2 * prose[again] >= rest
        if whole and not any(dom.frames[i].inside(body) for i in cards):
            return body, discussion, cards
    return found, discussion, frozenset()


def _heaviest(
    dom: Dom, own: list[float], chars: list[int], prose: list[int], page: int, talk: float, cards: frozenset[int]
) -> tuple[int, float]:
    totals = own[:]
    debris = [False] * len(dom.frames)
    # Frames are in pre-order: going from the end, every frame has its whole subtree summed when it is reached.
    for f in reversed(dom.frames):
        i = f.index
        if i in cards:
            totals[i] = -float(chars[i])
            debris[i] = True
        elif f.own is not None:
            # A comment section may be most of a page; any other part that is, is a wrapper.
            if _comments(f.own):
                totals[i] *= talk
                debris[i] = talk == 0.0
            elif prose[i] < WRAPPER_SHARE * page:
                totals[i] = -float(chars[i])
                debris[i] = True
        if f.parent is not None:
            totals[f.parent.index] += totals[i]
    # Nothing inside a debris part can be the main container.
    for f in dom.frames:
        if f.parent is not None and debris[f.parent.index]:
            debris[f.index] = True
    # Among equal totals the deepest element wins: wrappers add nothing but the debris around the content.
    best = max((i for i in range(len(totals)) if not debris[i]), key=lambda i: (totals[i], i), default=0)
    return best, totals[best]


def _items(dom: Dom) -> list[bool]:
    """Per frame: whether it sits in an item of a listing, one of ITEM_MIN or more siblings from one template (tag
    and class) that each hold a link and ITEM_TEXT or more characters outside it (a product tile, a search hit)."""
    n = len(dom.frames)
    link = [0] * n
    text = [0] * n
    for b in dom.blocks:
        i = b.frame.index
        link[i] += b.link_chars
        text[i] += b.chars - b.link_chars
    for f in reversed(dom.frames):
        if f.parent is not None:
            link[f.parent.index] += link[f.index]
            text[f.parent.index] += text[f.index]
    groups: dict[tuple[int, str, str | None], list[int]] = {}
    for f in dom.frames:
        i = f.index
        if f.parent is not None and link[i] and text[i] >= max(ITEM_TEXT, ITEM_TEXT_SHARE * link[i]):
            groups.setdefault((f.parent.index, f.tag, f.klass), []).append(i)
    out = [False] * n
    for members in groups.values():
        if len(members) >= ITEM_MIN:
            for i in members:
                out[i] = True
    # Menus are lists of items too: nothing under a navigation tag or role is a listing's item.
    menu = [False] * n
    for f in dom.frames:
        menu[f.index] = f.own is not None and "~" not in f.own
        if f.parent is not None:
            menu[f.index] = menu[f.index] or menu[f.parent.index]
            out[f.index] = out[f.index] or out[f.parent.index]
    return [o and not m for o, m in zip(out, menu, strict=True)]


def _teaser_cards(dom: Dom, container: Frame, prose: list[int]) -> frozenset[int]:
    """Teaser cards inside `container` when it also holds a body of prose at least as long as theirs, else none.

    A card is one of CARD_MIN or more siblings sharing tag and class, with a linked headline (a link-dense block)
    and a snippet of prose (at most CARD_PROSE characters): "more stories" under an article. A listing page is
    all cards and no body: there the cards are the content.
    """
    n = len(dom.frames)
    # A card leads with its headline: its first link-dense block comes before its first prose block.
    never = len(dom.blocks)
    first_head = [never] * n
    first_prose = [never] * n
    for k, b in enumerate(dom.blocks):
        if not b.frame.inside(container):
            continue
        i = b.frame.index
        if b.link_density > LINK_DENSE:
            first_head[i] = min(first_head[i], k)
        elif is_prose(b):
            first_prose[i] = min(first_prose[i], k)
    for f in reversed(dom.frames[container.pre + 1 : container.post + 1]):
        if f.parent is not None:
            j = f.parent.index
            first_head[j] = min(first_head[j], first_head[f.index])
            first_prose[j] = min(first_prose[j], first_prose[f.index])
    groups: dict[tuple[int, str, str | None], list[Frame]] = {}
    for f in dom.frames[container.pre + 1 : container.post + 1]:
        head = first_head[f.index]
        if f.parent is not None and head < first_prose[f.index] < never and dom.blocks[head].chars >= CARD_HEADLINE:
            groups.setdefault((f.parent.index, f.tag, f.klass), []).append(f)
    cards: set[int] = set()
    card_prose = 0
    for members in groups.values():
        found = [m for m in members if prose[m.index] <= CARD_PROSE]
        if len(found) < CARD_MIN:
            continue
        for m in found:
            # Only the outermost cards count: a card's own parts may form a group of their own.
            if not any(a in cards for a in _ancestors(m, container)):
                cards.add(m.index)
                card_prose += prose[m.index]
    if not cards or prose[container.index] - card_prose < CARD_BODY:
        return frozenset()
    return frozenset(cards)


def _ancestors(frame: Frame, stop: Frame) -> list[int]:
    out = []
    f = frame.parent
    while f is not None and f is not stop:
        out.append(f.index)
        f = f.parent
    return out


def classify(dom: Dom) -> list[Verdict | None]:
    """One entry per block: None for content, else why it is not."""
    container, discussion, cards = _main_container(dom)
    out: list[Verdict | None] = [None] * len(dom.blocks)
    if container is None:
        return out
    inside = [b.frame.inside(container) for b in dom.blocks]
    prose_chars = 0
    link_chars = 0
    chars = 0
    cue_prose: dict[int, int] = {}
    cue_of: list[Frame | None] = [None] * len(dom.blocks)
    for n, (b, ins) in enumerate(zip(dom.blocks, inside, strict=True)):
        if not ins:
            continue
        chars += b.chars
        link_chars += b.link_chars
        cf = cue_of[n] = _cue_below(b.frame, container, discussion)
        if is_prose(b):
            prose_chars += b.chars
            if cf is not None:
                cue_prose[cf.index] = cue_prose.get(cf.index, 0) + b.chars
    majority = {i for i, c in cue_prose.items() if c > CUE_MAJORITY * prose_chars and not _comments(dom.frames[i].own)}
    prose_container = chars > 0 and link_chars / chars < PROSE_CONTAINER_LINKS
    for n, (b, ins) in enumerate(zip(dom.blocks, inside, strict=True)):
        card = _card_of(b.frame, None, cards) if cards else None
        if card is not None:
            out[n] = Verdict("teaser", card)
            continue
        if not ins:
            # Named by the debris part it sits in, if any (the same cues, after page-builder ones were dropped).
            out[n] = Verdict("outside-main", _cue_below(b.frame, None, False) or b.frame)
            continue
        cf = cue_of[n]
        if cf is not None and cf.index not in majority:
            out[n] = Verdict(f"cue:{cf.own}", cf)
            continue
        if prose_container and b.link_density > LINK_DENSE:
            out[n] = Verdict("link-dense", b.frame)
    _drop_title(dom, out)
    return out


def _card_of(frame: Frame, container: Frame | None, cards: frozenset[int]) -> Frame | None:
    f: Frame | None = frame
    while f is not None and f is not container:
        if f.index in cards:
            return f
        f = f.parent
    return None


def _cue_below(frame: Frame, container: Frame | None, discussion: bool) -> Frame | None:
    """The outermost element with its own boilerplate cue between a block's element and the container (the root
    when None); on a discussion page, comment cues mark the content and do not count."""
    found = None
    f: Frame | None = frame
    while f is not None and f is not container:
        if f.own is not None and not (discussion and _comments(f.own)):
            found = f
        f = f.parent
    return found


def _comments(cue: str | None) -> bool:
    return cue is not None and cue.split("~")[-1] in COMMENT_WORDS


def _drop_title(dom: Dom, out: list[Verdict | None]) -> None:
    """Drop the headline: the first kept heading that repeats the page title, if it comes before any kept prose,
    and every kept block that reads as the title or as its headline part ("Opinion | <headline>",
    "<headline> - Site"), wherever it sits (a share box under the article prints it again).

    The title is metadata, kept apart from the text. A part of fewer than TITLE_WORDS words ("Home", "Contact")
    may name a section of the page too, so only longer ones count.
    """
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
                break
        if is_prose(b):
            break
    forms = {_words(part) for part in (title, *_TITLE_SEPARATOR.split(title))}
    forms = {f for f in forms if f.count(" ") + 1 >= TITLE_WORDS}
    if not forms:
        return
    for n, b in enumerate(dom.blocks):
        # Word content only: quotes, case and punctuation differ between <title> and the heading.
        if out[n] is None and b.chars < TITLE_MAX_CHARS and _words(b.text.casefold()) in forms:
            out[n] = Verdict("title", b.frame)


def _words(text: str) -> str:
    return " ".join(_WORD.findall(text))
