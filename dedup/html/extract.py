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
from bisect import bisect_right
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


def weight(block: Block, prose: bool, dense: bool) -> float:
    """A block's weight given its prose and link-density tests (made once per block by `_Tree`)."""
    if dense:
        return -0.5 * block.chars
    if not prose:
        return 0.0
    w = float(block.chars - block.link_chars)
    return w * CONTENT_BOOST if block.content else w


class _Tree:
    """The elements with a block in their subtree, in pre-order (`order`, with each one's parent in `up`, -1 for the
    root), and per-element sums over each subtree, zero for the other elements.

    The other elements (about half of a page's: links and other inline elements inside a block, images, empty
    wrappers) weigh nothing and decide no verdict, so the passes over the page skip them.
    """

    __slots__ = ("chars", "cued", "dense", "link", "order", "prose", "prose_block", "up")

    def __init__(self, dom: Dom) -> None:
        n = len(dom.frames)
        self.link = link = [0] * n
        self.chars = chars = [0] * n
        self.prose = prose = [0] * n
        # Per block, each test made once for all the passes below.
        self.prose_block = prose_block = [is_prose(b) for b in dom.blocks]
        self.dense = [b.link_density > LINK_DENSE for b in dom.blocks]
        # Per element with text and a cue of its own: whether it names a comment section; None for the others.
        self.cued: list[bool | None] = [None] * n
        parent = [-2] * n  # -2 until the element is reached from a block, -1 for the root
        order: list[int] = []
        for b, p in zip(dom.blocks, prose_block, strict=True):
            f: Frame = b.frame
            i = f.index
            c = b.chars
            link[i] += b.link_chars
            chars[i] += c
            if p:
                prose[i] += c
            while parent[i] == -2:
                order.append(i)
                if f.own is not None:
                    self.cued[i] = _comments(f.own)
                g = f.parent
                if g is None:
                    parent[i] = -1
                    break
                parent[i] = g.index
                f, i = g, g.index
        order.sort()
        self.order = order
        self.up = up = [parent[i] for i in order]
        for i, j in zip(reversed(order), reversed(up), strict=True):
            if j >= 0:
                link[j] += link[i]
                chars[j] += chars[i]
                prose[j] += prose[i]


def _main_container(dom: Dom, tree: _Tree) -> tuple[Frame | None, bool, frozenset[int]]:
    """The element whose subtree carries the most weight, None for a page without blocks.

    An element with a boilerplate cue counts as debris as a whole (minus its characters), unless it holds most of
    the page's prose: then it is a wrapper whose class happens to name a part ("content-sidebar-wrap"). Comments
    weigh nothing at first, so that an article is chosen over the discussion under it; a page whose prose is mostly
    comments (a forum thread) is weighed again with them as content.
    """
    if not dom.blocks:
        return None, False, frozenset()
    own = [0.0] * len(dom.frames)
    chars = tree.chars
    prose = tree.prose
    items = _items(dom, tree)
    for b, p, dense in zip(dom.blocks, tree.prose_block, tree.dense, strict=True):
        i = b.frame.index
        if items[i]:
            # An item of a listing: its facts (price, size, date) are content even when short, its link is its name.
            own[i] += 0.0 if dense else float(b.chars - b.link_chars)
        else:
            own[i] += weight(b, p, dense)
    page = max(prose[0], 1)
    talk_chars = max((chars[i] for i in tree.order if tree.cued[i]), default=0)
    no_cards: frozenset[int] = frozenset()
    best, total = _heaviest(dom, tree, own, page, 0.0, no_cards)
    discussion = total < DISCUSSION_MAX_CONTENT and talk_chars > DISCUSSION_SHARE * max(total, 0.0)
    talk = 1.0 if discussion else 0.0
    if discussion:
        best, total = _heaviest(dom, tree, own, page, talk, no_cards)
    # An element without text weighs 0 and so never wins over a positive total: weighing only the ones with text
    # finds the same container. With no positive total the page's root is the container, whichever element won.
    if total <= 0:
        return dom.frames[0], discussion, no_cards
    found = dom.frames[best]
    cards = _teaser_cards(dom, tree, found)
    if cards:
        # Without the cards the content must stay one body: most of the rest of the prose, no card inside it.
        again, rest_total = _heaviest(dom, tree, own, page, talk, cards)
        if rest_total <= 0:
            # Here the winner itself matters: weigh every element, as an empty one may win a tie at 0.
            again, _ = _heaviest(dom, _Whole(dom, tree), own, page, talk, cards)
        body = dom.frames[again]
        rest = prose[found.index] - sum(prose[i] for i in cards)
        whole = prose[again] >= CARD_BODY and 2 * prose[again] >= rest
        if whole and not any(dom.frames[i].inside(body) for i in cards):
            return body, discussion, cards
    return found, discussion, frozenset()


class _Whole:
    """Every element of the page in pre-order, with the sums of a `_Tree`."""

    __slots__ = ("chars", "cued", "order", "prose", "up")

    def __init__(self, dom: Dom, tree: _Tree) -> None:
        self.order = list(range(len(dom.frames)))
        self.up = [-1 if f.parent is None else f.parent.index for f in dom.frames]
        self.cued: list[bool | None] = [None if f.own is None else _comments(f.own) for f in dom.frames]
        self.chars = tree.chars
        self.prose = tree.prose


def _heaviest(
    dom: Dom, tree: _Tree | _Whole, own: list[float], page: int, talk: float, cards: frozenset[int]
) -> tuple[int, float]:
    chars = tree.chars
    prose = tree.prose
    cued = tree.cued
    totals = own[:]
    debris = [False] * len(dom.frames)
    wrapper = WRAPPER_SHARE * page
    # Frames are in pre-order: going from the end, every frame has its whole subtree summed when it is reached.
    for i, j in zip(reversed(tree.order), reversed(tree.up), strict=True):
        if cards and i in cards:
            totals[i] = -float(chars[i])
            debris[i] = True
        else:
            comment = cued[i]
            if comment is not None:
                # A comment section may be most of a page; any other part that is, is a wrapper.
                if comment:
                    totals[i] *= talk
                    debris[i] = talk == 0.0
                elif prose[i] < wrapper:
                    totals[i] = -float(chars[i])
                    debris[i] = True
        if j >= 0:
            totals[j] += totals[i]
    # Nothing inside a debris part can be the main container.
    best = 0
    top: float | None = None
    for i, j in zip(tree.order, tree.up, strict=True):
        if j >= 0 and debris[j]:
            debris[i] = True
        # Among equal totals the deepest element (the later in pre-order) wins: wrappers add nothing but the debris
        # around the content.
        elif not debris[i] and (top is None or totals[i] >= top):
            best, top = i, totals[i]
    return best, totals[best]


def _items(dom: Dom, tree: _Tree) -> list[bool]:
    """Per frame: whether it sits in an item of a listing, one of ITEM_MIN or more siblings from one template (tag
    and class) that each hold a link and ITEM_TEXT or more characters outside it (a product tile, a search hit)."""
    n = len(dom.frames)
    link = tree.link
    chars = tree.chars
    frames = dom.frames
    groups: dict[tuple[int, str, str | None], list[int]] = {}
    for i, j in zip(tree.order, tree.up, strict=True):
        k = link[i]
        if k and j >= 0:
            t = chars[i] - k
            if t >= ITEM_TEXT and t >= ITEM_TEXT_SHARE * k:
                f = frames[i]
                groups.setdefault((j, f.tag, f.klass), []).append(i)
    out = [False] * n
    listed = False
    for members in groups.values():
        if len(members) >= ITEM_MIN:
            listed = True
            for i in members:
                out[i] = True
    if not listed:
        return out
    # Menus are lists of items too: nothing under a navigation tag or role is a listing's item.
    menu = [False] * n
    for i, j in zip(tree.order, tree.up, strict=True):
        own = frames[i].own
        menu[i] = own is not None and "~" not in own
        if j >= 0:
            menu[i] = menu[i] or menu[j]
            out[i] = out[i] or out[j]
    return [o and not m for o, m in zip(out, menu, strict=True)]


def _teaser_cards(dom: Dom, tree: _Tree, container: Frame) -> frozenset[int]:
    """Teaser cards inside `container` when it also holds a body of prose at least as long as theirs, else none.

    A card is one of CARD_MIN or more siblings sharing tag and class, with a linked headline (a link-dense block)
    and a snippet of prose (at most CARD_PROSE characters): "more stories" under an article. A listing page is
    all cards and no body: there the cards are the content.
    """
    n = len(dom.frames)
    prose = tree.prose
    lo, hi = container.pre, container.post
    # A card leads with its headline: its first link-dense block comes before its first prose block.
    never = len(dom.blocks)
    first_head = [never] * n
    first_prose = [never] * n
    for k, (b, p, dense) in enumerate(zip(dom.blocks, tree.prose_block, tree.dense, strict=True)):
        i = b.frame.index
        if not lo <= i <= hi:
            continue
        if dense:
            first_head[i] = min(first_head[i], k)
        elif p:
            first_prose[i] = min(first_prose[i], k)
    start, stop = bisect_right(tree.order, lo), bisect_right(tree.order, hi)
    inner = tree.order[start:stop]
    ups = tree.up[start:stop]
    for i, j in zip(reversed(inner), reversed(ups), strict=True):
        first_head[j] = min(first_head[j], first_head[i])
        first_prose[j] = min(first_prose[j], first_prose[i])
    groups: dict[tuple[int, str, str | None], list[Frame]] = {}
    for i, j in zip(inner, ups, strict=True):
        head = first_head[i]
        if head < first_prose[i] < never and dom.blocks[head].chars >= CARD_HEADLINE:
            f = dom.frames[i]
            groups.setdefault((j, f.tag, f.klass), []).append(f)
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
    tree = _Tree(dom)
    container, discussion, cards = _main_container(dom, tree)
    out: list[Verdict | None] = [None] * len(dom.blocks)
    if container is None:
        return out
    lo, hi = container.pre, container.post
    # In one pass down, for each element inside the container the outermost element with its own boilerplate cue
    # between them (`below`; on a discussion page comment cues mark the content and do not count), for each element
    # outside it the outermost one up to the root (`top`), and the innermost teaser card an element sits in.
    n = len(dom.frames)
    below: list[Frame | None] = [None] * n
    top: list[Frame | None] = [None] * n
    card_of: list[Frame | None] = [None] * n
    for i, j in zip(tree.order, tree.up, strict=True):
        comment = tree.cued[i]
        if lo < i <= hi:
            u = below[j]
            if u is None and comment is not None and not (discussion and comment):
                u = dom.frames[i]
            below[i] = u
        else:
            t = top[j] if j >= 0 else None
            if t is None and comment is not None:
                t = dom.frames[i]
            top[i] = t
        if cards:
            # The cards lie beside the container when it is the body found without them.
            card_of[i] = dom.frames[i] if i in cards else card_of[j] if j >= 0 else None
    inside = [lo <= b.frame.index <= hi for b in dom.blocks]
    prose_chars = 0
    link_chars = 0
    chars = 0
    cue_prose: dict[int, int] = {}
    for b, ins, p in zip(dom.blocks, inside, tree.prose_block, strict=True):
        if not ins:
            continue
        chars += b.chars
        link_chars += b.link_chars
        if p:
            prose_chars += b.chars
            cf = below[b.frame.index]
            if cf is not None:
                cue_prose[cf.index] = cue_prose.get(cf.index, 0) + b.chars
    majority = {i for i, c in cue_prose.items() if c > CUE_MAJORITY * prose_chars and not tree.cued[i]}
    prose_container = chars > 0 and link_chars / chars < PROSE_CONTAINER_LINKS
    # Blocks in one part share its verdict.
    made: dict[tuple[str, int], Verdict] = {}
    for n, (b, ins, dense) in enumerate(zip(dom.blocks, inside, tree.dense, strict=True)):
        card = card_of[b.frame.index]
        if card is not None:
            out[n] = Verdict("teaser", card)
            continue
        if not ins:
            # Named by the debris part it sits in, if any (the same cues, after page-builder ones were dropped).
            f = top[b.frame.index] or b.frame
            v = made.get(("outside-main", f.index))
            if v is None:
                v = made["outside-main", f.index] = Verdict("outside-main", f)
            out[n] = v
            continue
        cf = below[b.frame.index]
        if cf is not None and cf.index not in majority:
            v = made.get(("cue", cf.index))
            if v is None:
                v = made["cue", cf.index] = Verdict(f"cue:{cf.own}", cf)
            out[n] = v
            continue
        if prose_container and dense:
            out[n] = Verdict("link-dense", b.frame)
    _drop_title(dom, out, tree.prose_block)
    return out


def _comments(cue: str | None) -> bool:
    return cue is not None and cue.split("~")[-1] in COMMENT_WORDS


def _drop_title(dom: Dom, out: list[Verdict | None], prose: list[bool]) -> None:
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
        if prose[n]:
            break
    forms = {_words(part) for part in (title, *_TITLE_SEPARATOR.split(title))}
    forms = {f for f in forms if f.count(" ") + 1 >= TITLE_WORDS}
    if not forms:
        return
    # A block with the words of a form has the form's longest word in it: a substring test spares splitting the
    # words of nearly every block.
    keys = {max(f.split(" "), key=len) for f in forms}
    for n, b in enumerate(dom.blocks):
        if out[n] is None and b.chars < TITLE_MAX_CHARS:
            text = b.text.casefold()
            # Word content only: quotes, case and punctuation differ between <title> and the heading.
            if any(k in text for k in keys) and _words(text) in forms:
                out[n] = Verdict("title", b.frame)


def _words(text: str) -> str:
    return " ".join(_WORD.findall(text))
