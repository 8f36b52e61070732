"""One walk over a parsed page: the visible text cut into blocks, each with the structure around it.

A block is the text of one block-level element that is not inside a nested block (a paragraph, a heading, a list
item, a table row, a `<br>`-separated line), with what the extractor needs to judge it: its element's CSS path, the
characters inside links, the nearest boilerplate cue among its ancestors (a tag such as `nav`, a role, or a class
or id word such as "share"), and whether a content cue (`article`, `main`, `itemprop=articleBody`, ...) encloses it.

The walk keeps its own stack instead of recursing, so 10,000 levels of nesting cost nothing special.
"""

from __future__ import annotations

import itertools
import re
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import urlsplit

import regex
from selectolax.lexbor import LexborHTMLParser, LexborNode

# Never visible as text.
SKIP_TAGS = frozenset(
    [
        "script",
        "style",
        "noscript",
        "template",
        "svg",
        "math",
        "iframe",
        "object",
        "embed",
        "canvas",
        "head",
        "title",
        "meta",
        "link",
        "base",
        "button",
        "select",
        "option",
        "optgroup",
        "datalist",
        "textarea",
        "input",
        "video",
        "audio",
        "map",
        "area",
        "dialog",
    ]
)
BLOCK_TAGS = frozenset(
    [
        "address",
        "article",
        "aside",
        "blockquote",
        "body",
        "center",
        "dd",
        "details",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hgroup",
        "hr",
        "html",
        "legend",
        "li",
        "main",
        "menu",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "summary",
        "table",
        "tbody",
        "thead",
        "tfoot",
        "tr",
        "ul",
        "caption",
    ]
)
CELL_TAGS = frozenset(("td", "th"))
HEADINGS = frozenset(("h1", "h2", "h3", "h4", "h5", "h6"))
# Tags that are boilerplate wherever they sit; `header` and `footer` only outside an article (an article's own
# header holds its title and standfirst). A `figcaption` describes a picture and credits its photographer: not the
# text of the article (AEB extraction F1 +0.006, WCXB +0.0004; taking the whole `figure` lost WCXB text).
CUE_TAGS = {"nav": "nav", "aside": "aside", "menu": "menu", "figcaption": "figcaption"}
PAGE_PART_TAGS = {"header": "header", "footer": "footer"}
# Captions and photo credits, by tag or by class and id words ("wp-caption-text", "image-credit"): a page that is
# mostly captions is a gallery and keeps them.
CAPTION_CUES = frozenset(
    ["figcaption", *(f"{name}~{word}" for name in ("id", "class") for word in ("caption", "credit", "credits"))]
)
CUE_ROLES = frozenset(
    [
        "navigation",
        "banner",
        "contentinfo",
        "complementary",
        "search",
        "menu",
        "menubar",
        "toolbar",
        "dialog",
        "alertdialog",
        "tablist",
    ]
)
CONTENT_ROLES = frozenset(("main", "article"))
# Class and id words that mark debris. Matched against whole words of the attribute (split at non-letters and at
# camelCase humps), so "share-bar" and "socialLinks" match and "shareholder" does not.
CUE_WORDS = frozenset(
    [
        "share",
        "sharing",
        "sharer",
        "social",
        "socials",
        "sociallinks",
        "related",
        "recommended",
        "recommendations",
        "newsletter",
        "newsletters",
        "subscribe",
        "subscription",
        "signup",
        "cookie",
        "cookies",
        "consent",
        "gdpr",
        "sidebar",
        "widget",
        "widgets",
        "advert",
        "advertisement",
        "advertising",
        "sponsor",
        "sponsored",
        "promo",
        "promotion",
        "popup",
        "modal",
        "overlay",
        "skip",
        "toolbar",
        "pagination",
        "pager",
        "navigation",
        "nav",
        "menu",
        "masthead",
        "footer",
        "copyright",
        "disclaimer",
        "login",
        "signin",
        "outbrain",
        "taboola",
        "tagcloud",
        "comments",
        "comment",
        "respond",
        "disqus",
        "author",
        "author-bio",
        "byline",
        "caption",
        "credit",
        "credits",
        "trending",
        "most-read",
        "mostread",
    ]
)
# Words that make a class or id a content container (CMS conventions, not sites).
CONTENT_WORDS = frozenset(
    [
        "article",
        "articlebody",
        "article-body",
        "articlecontent",
        "article-content",
        "entry-content",
        "post-content",
        "post-body",
        "postbody",
        "story-body",
        "storybody",
        "story-content",
        "body-text",
        "bodytext",
        "main-content",
        "maincontent",
        "content-body",
        "rich-text",
    ]
)

_Trie = dict[str, "_Trie"]


def _trie_pattern(words: set[str]) -> str:
    """A pattern matching where any of `words` starts, its alternatives sharing prefixes: `re` tries the branches of
    an alternation one by one, so a flat list of fifty words costs twice as much per token as a tree of them."""
    tree: _Trie = {}
    for w in words:
        node = tree
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}

    def branch(node: _Trie) -> str:
        if "" in node:
            return ""  # a word ends here: whatever follows, the token holds it
        alts = [re.escape(ch) + branch(child) for ch, child in sorted(node.items())]
        return alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"

    return branch(tree)


# Every cue word is made of these, so a token without any of them inside holds no cue.
_CUE_PARTS = {part for w in CUE_WORDS for part in w.split("-")}
_CUE_PART = re.compile(_trie_pattern(_CUE_PARTS))
STATE_WORDS = frozenset(["has", "no", "with", "w", "without", "is", "show", "hide", "enable", "disable", "js"])
COMMENT_WORDS = frozenset(("comments", "comment", "respond", "disqus"))
_TAG_CUES = frozenset((*CUE_TAGS, *PAGE_PART_TAGS, "article", "main"))
_NO_CUE: tuple[str | None, bool] = (None, False)
_LIST_TAGS = frozenset(("ul", "ol", "dl"))
_IGNORED = frozenset((*SKIP_TAGS, "-comment", "-doctype", "-document"))
# Tags the walk treats specially on entering or leaving them.
_SPECIAL_TAGS = frozenset(("a", "table", "article", "td", "th", *_LIST_TAGS))
_WORD_SPLIT = regex.compile(r"[^\p{L}\p{N}]+|(?<=\p{Ll})(?=\p{Lu})")
_SPACE = regex.compile(r"\s+")
# Ids usable in a CSS path as they are (anything else would need escaping: the path uses :nth-of-type instead).
_PLAIN_ID = regex.compile(r"[A-Za-z_][A-Za-z0-9_-]{0,39}")
_STREAMED = regex.compile(r"S:[0-9a-f]+")
_HIDDEN_STYLE = regex.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", regex.IGNORECASE)
# A class or id cue on more elements than this, in more than MAX_CUE_PARTS separate parts of the page, is a page
# builder's vocabulary, not a part of the page.
MAX_CUE_REPEATS = 12
MAX_CUE_PARTS = 6
# Cue words of parts that interrupt the page rather than lay it out: never a builder's vocabulary, however many.
INTERRUPTION_WORDS = frozenset(
    [
        "modal",
        "popup",
        "overlay",
        "cookie",
        "cookies",
        "consent",
        "gdpr",
        "login",
        "signin",
        "signup",
        "newsletter",
        "newsletters",
        "subscribe",
        "subscription",
        "advert",
        "advertisement",
        "advertising",
        "outbrain",
        "taboola",
    ]
)
# CSS paths deeper than this keep only their last segments, behind a leading "... > ".
MAX_PATH_SEGMENTS = 40


class Frame:
    """One open element during the walk."""

    __slots__ = (
        "content",
        "counts",
        "cue",
        "cue_frame",
        "ident",
        "index",
        "klass",
        "link",
        "nth",
        "own",
        "parent",
        "post",
        "pre",
        "segs",
        "tag",
    )

    def __init__(
        self,
        tag: str,
        parent: Frame | None,
        index: int,
        nth: int = 1,
        ident: str | None = None,
        klass: str | None = None,
    ) -> None:
        self.tag = tag
        self.parent = parent
        # Enough to name the element in a CSS path; the path is built only for the few elements a report names.
        self.nth = nth
        self.ident = ident
        self.counts: dict[str, int] | None = None  # children per tag, made with the first child element
        self.own: str | None = None  # this element's own boilerplate cue
        self.klass = klass  # its class attribute: siblings built from one template share it
        self.index = self.pre = self.post = index  # pre-order number; `post` is the last pre-order number inside it
        self.segs: tuple[tuple[str, ...], bool] | None = None  # see _segments
        if parent is None:
            self.cue: str | None = None
            self.cue_frame: Frame | None = None
            self.content = self.link = False
        else:
            self.cue = parent.cue
            self.cue_frame = parent.cue_frame
            self.content = parent.content
            self.link = parent.link

    def path(self) -> str:
        segs, cut = self._segments()
        return "... > " + " > ".join(segs) if cut else " > ".join(segs)

    def _segments(self) -> tuple[tuple[str, ...], bool]:
        """The last MAX_PATH_SEGMENTS segments of the path and whether any went; remembered on every element on
        the way, as a report names many blocks inside one part of the page."""
        if self.segs is None:
            chain: list[Frame] = []
            f: Frame | None = self
            while f is not None and f.segs is None:
                chain.append(f)
                f = f.parent
            segs, cut = f.segs if f is not None and f.segs is not None else ((), False)
            for g in reversed(chain):
                segs = (*segs, g.seg())
                if len(segs) > MAX_PATH_SEGMENTS:
                    segs, cut = segs[1:], True
                g.segs = (segs, cut)
        assert self.segs is not None
        return self.segs

    def seg(self) -> str:
        if self.parent is None:
            return self.tag
        ident = self.ident
        if ident and _PLAIN_ID.fullmatch(ident):
            return f"{self.tag}#{ident}"
        return f"{self.tag}:nth-of-type({self.nth})"

    def inside(self, other: Frame) -> bool:
        return other.pre <= self.pre <= other.post


@dataclass(slots=True)
class Block:
    """Visible text of one block: `chars` counts non-space characters, `link_chars` those inside links."""

    text: str
    tag: str
    frame: Frame
    chars: int
    link_chars: int
    cue: str | None
    cue_frame: Frame | None
    content: bool
    in_table: bool = False
    in_list: bool = False

    @property
    def path(self) -> str:
        return self.frame.path()

    @property
    def link_density(self) -> float:
        return self.link_chars / self.chars if self.chars else 0.0


_new_block = Block.__new__


@dataclass
class Dom:
    """The page as blocks plus its metadata."""

    blocks: list[Block]
    frames: list[Frame]
    title: str | None = None
    canonical: str | None = None
    lang: str | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def host(self) -> str | None:
        """Host of the canonical (or og:url) link, lowercased without "www."."""
        if not self.canonical:
            return None
        try:
            host = urlsplit(self.canonical).hostname
        except ValueError:
            return None
        return host.removeprefix("www.") if host else None


def _words(value: str) -> list[str]:
    return [w.lower() for w in _WORD_SPLIT.split(value) if w]


def element_cue(tag: str, attrs: dict[str, str | None], in_article: bool) -> tuple[str | None, bool]:
    """(boilerplate cue, content cue) of one element from its tag, role, class and id."""
    if tag in CUE_TAGS:
        return CUE_TAGS[tag], False
    if tag in PAGE_PART_TAGS and not in_article:
        return PAGE_PART_TAGS[tag], False
    return _attr_cue(tag, attrs.get("role"), attrs.get("itemprop"), attrs.get("id"), attrs.get("class"))


@lru_cache(maxsize=8192)
def _attr_cue(
    tag: str, role: str | None, prop: str | None, ident: str | None, klass: str | None
) -> tuple[str | None, bool]:
    # Pages repeat the same class strings hundreds of times: the cache makes each distinct one cost once.
    role = (role or "").strip().lower()
    if role in CUE_ROLES:
        return f"role={role}", False
    content = tag in ("article", "main") or role in CONTENT_ROLES
    if prop and prop.strip().lower() in ("articlebody", "text", "reviewbody"):
        content = True
    cue, named_content = _name_cue(ident, klass)
    return (cue, False) if cue is not None else (None, content or named_content)


def _name_cue(ident: str | None, klass: str | None) -> tuple[str | None, bool]:
    """(boilerplate cue, content cue) of an element from its id and class alone."""
    content = False
    for name, value in (("id", ident), ("class", klass)):
        if value:
            cue, is_content = _value_cue(name, value)
            if cue is not None:
                return cue, False
            content = content or is_content
    return None, content


@lru_cache(maxsize=8192)
def _value_cue(name: str, value: str) -> tuple[str | None, bool]:
    """The cue of the first cue word among the tokens of an id or class value, else whether any is a content word;
    a site repeats its class strings from page to page."""
    low = value.lower()
    if not _CUE_PART.search(low):
        # Most class strings of a page hold no cue word in any token: one search over the whole string rules that
        # out, and only content words are left to look for. (Cue parts hold no space: no match spans two tokens.)
        return None, any(token in CONTENT_WORDS for token in low.split())
    content = False
    for token in value.split():
        cue, is_content = _token_cue(token)
        if is_content:
            content = True
        elif cue is not None:
            return f"{name}~{cue}", False
    return None, content


@lru_cache(maxsize=16384)
def _token_cue(token: str) -> tuple[str | None, bool]:
    """(cue word, content word) of one class or id token; ids are mostly unique, their words are not."""
    low = token.lower()
    if low in CONTENT_WORDS:
        return None, True
    # Most tokens are unique ids and generated class names holding no cue word at all: one search rules them out.
    if not _CUE_PART.search(low):
        return None, False
    words = _words(token)
    # "has-sidebar", "no-comments", "and-w-sidebar": a state of a wrapper, not a part of the page.
    if not words or words[0] in STATE_WORDS:
        return None, False
    for k, w in enumerate(words):
        if w in CUE_WORDS and not (k and words[k - 1] in STATE_WORDS):
            return w, False
    for a, b in itertools.pairwise(words):
        if f"{a}-{b}" in CUE_WORDS:
            return f"{a}-{b}", False
    return None, False


def hidden(attrs: dict[str, str | None]) -> bool:
    if "hidden" in attrs:
        # React's streaming renderer sends each finished part hidden, as <div hidden id="S:0">, and a script moves
        # it into place: in a browser it is shown. Any other hidden element stays hidden.
        return not _STREAMED.fullmatch(attrs.get("id") or "")
    if (attrs.get("aria-hidden") or "").strip().lower() == "true":
        return True
    style = attrs.get("style")
    return bool(style and _HIDDEN_STYLE.search(style))


def _meta(tree: LexborHTMLParser) -> tuple[str | None, str | None, str | None]:
    title = canonical = og_url = og_title = None
    head = tree.head
    if head is not None:
        for node in head.iter():
            tag = node.tag
            if tag == "title" and title is None:
                title = _SPACE.sub(" ", node.text() or "").strip() or None
            elif tag == "link":
                attrs = node.attributes
                if canonical is None and "canonical" in (attrs.get("rel") or "").lower().split():
                    canonical = (attrs.get("href") or "").strip() or None
            elif tag == "meta":
                attrs = node.attributes
                prop = (attrs.get("property") or attrs.get("name") or "").strip().lower()
                if prop == "og:url" and og_url is None:
                    og_url = (attrs.get("content") or "").strip() or None
                elif prop == "og:title" and og_title is None:
                    og_title = _SPACE.sub(" ", attrs.get("content") or "").strip() or None
    lang = None
    root = tree.root
    if root is not None:
        lang = (root.attributes.get("lang") or "").strip().lower()[:2] or None
    return og_title or title, canonical if canonical and canonical.startswith("http") else og_url, lang


def _drop_layout_cues(frames: list[Frame]) -> None:
    """Forget class and id cues that mark too many separate parts of a page to name one of them.

    Page builders put "widget" on every block of a page; a cue on that many elements is the builder's vocabulary,
    not a share bar. Elements inside one with the same cue are parts of that part (the items of a menu, the panes
    of a modal) and do not count as separate ones. Comment cues stay (every comment of a thread carries one), and
    so do the cues of parts that interrupt the page (modals, pop-ups, cookie and sign-up prompts): no builder
    lays a page out with those. `frames` need only hold those with a cue of their own, in page order.
    """
    counts: dict[str, int] = {}
    separate: dict[str, int] = {}
    last_end: dict[str, int] = {}  # the last pre-order number inside the latest outermost element of each cue
    for f in frames:
        cue = f.own
        if cue is None:
            continue
        counts[cue] = counts.get(cue, 0) + 1
        if f.pre > last_end.get(cue, -1):
            separate[cue] = separate.get(cue, 0) + 1
            last_end[cue] = f.post
    layout = {
        cue
        for cue, n in counts.items()
        if n > MAX_CUE_REPEATS
        and separate[cue] > MAX_CUE_PARTS
        and "~" in cue
        and cue.rsplit("~", 1)[-1] not in COMMENT_WORDS
        and cue.rsplit("~", 1)[-1] not in INTERRUPTION_WORDS
    }
    if layout:
        for f in frames:
            if f.own in layout:
                f.own = None


def _keep_gallery_captions(owners: list[Frame], blocks: list[Block]) -> None:
    """Forget the caption cues of a page whose text is mostly captions: a photo gallery, where they are the content."""
    captions = [f for f in owners if f.own in CAPTION_CUES]
    # The elements under a caption cue are the ranges [pre, post] of the captions' frames. Owners come in document
    # order and two elements' ranges are nested or apart, so leaving out the ones inside the last range kept gives
    # sorted, disjoint ranges; a block is inside one when its frame's `pre` falls in it.
    starts: list[int] = []
    ends: list[int] = []
    for f in captions:
        if not ends or f.pre > ends[-1]:
            starts.append(f.pre)
            ends.append(f.post)
    inside = 0
    for b in blocks:
        k = bisect_right(starts, b.frame.pre) - 1
        if k >= 0 and b.frame.pre <= ends[k]:
            inside += b.chars
    if 2 * inside > sum(b.chars for b in blocks):
        for f in captions:
            f.own = None


def walk(html: str, *, show_hidden: bool = False) -> Dom:
    """Parse `html` and cut its visible text into blocks (`show_hidden`: hidden elements too)."""
    tree = LexborHTMLParser(html)
    title, canonical, lang = _meta(tree)
    blocks: list[Block] = []
    frames: list[Frame] = []
    root_node = tree.body or tree.root
    if root_node is None:
        return Dom(blocks, frames, title, canonical, lang)
    root = Frame("body", None, 0)
    frames.append(root)
    # `parts` collects the text of the block being read, `link_chars` the characters of it inside links.
    parts: list[str] = []
    link_chars = 0
    table_depth = 0
    list_depth = 0
    article_depth = 0
    # This loop runs once per node of the page, the extractor's hot path: locals instead of globals, one set test
    # before the rarer cases, and the cues of each distinct (tag, id, class) worked out once per page.
    # Comments, doctypes and the like (lexbor names them "-comment", ..., or None), and the skipped elements. Element
    # names start with a letter, so no element is taken for one of those.
    ignored = _IGNORED
    block_tags = BLOCK_TAGS
    special = _SPECIAL_TAGS
    tag_cues = _TAG_CUES
    new_frame = Frame.__new__
    # Keys: a class string (an element with a class and nothing else to judge), an (id, class) pair, or for the
    # few tags that are cues themselves (tag, id, class, inside an article); the three kinds never compare equal.
    cues: dict[object, tuple[str | None, bool]] = {}
    frame = block_frame = root
    # The nodes of the open elements below the root, to go on with their next sibling once their children are done.
    open_nodes: list[LexborNode] = []
    block_stack: list[Frame] = [root]
    counter = 1
    captioned = False
    owners: list[Frame] = []  # the frames with a cue of their own
    node: LexborNode | None = root_node.first_child
    while True:
        if node is None:
            # The children of `frame` are done: close it. Its counts go at once rather than live on in the result as
            # garbage-collected containers.
            frame.post = counter - 1
            frame.counts = None
            closed = frame.tag
            if closed in block_tags:
                if parts:
                    _flush(blocks, parts, link_chars, block_frame, table_depth, list_depth)
                    parts = []
                link_chars = 0
                block_stack.pop()
                # Back in the enclosing block: later text belongs to it.
                block_frame = block_stack[-1] if block_stack else root
            if closed in special:
                if closed == "table":
                    table_depth -= 1
                elif closed in _LIST_TAGS:
                    list_depth -= 1
                elif closed == "article":
                    article_depth -= 1
                elif closed in CELL_TAGS:
                    parts.append(" ")
            if not open_nodes:
                break
            node = open_nodes.pop().next
            frame = frame.parent  # type: ignore[assignment]
            continue
        tag = node.tag
        if tag == "-text":
            text = node.text_content
            if text:
                # Whitespace before a block's first text would be stripped anyway (outside `pre`): most text nodes
                # of a page are such indentation between tags, and leaving them out spares a block boundary work.
                if parts or not text.isspace() or block_frame.tag == "pre":
                    parts.append(text)
                if frame.link:
                    link_chars += len(text) - text.count(" ")
            node = node.next
            continue
        if tag is None or tag in ignored:
            node = node.next
            continue
        # Hidden elements count too: `:nth-of-type` counts every sibling of the tag (skipped ones are of tags no
        # path names). Most elements have no element children: their counts are made when the first one comes.
        counts = frame.counts
        if counts is None:
            n = 1
            frame.counts = {tag: 1}
        else:
            n = counts.get(tag, 0) + 1
            counts[tag] = n
        attrs = node.attributes
        if attrs:
            if not show_hidden and ("hidden" in attrs or "style" in attrs or "aria-hidden" in attrs) and hidden(attrs):
                node = node.next
                continue
            ident = attrs.get("id")
            klass = attrs.get("class")
            if "role" in attrs or "itemprop" in attrs:
                cue, content = element_cue(tag, attrs, article_depth > 0)
            elif tag in tag_cues:
                key: object = (tag, ident, klass, article_depth > 0)
                found = cues.get(key)
                if found is None:
                    found = cues[key] = element_cue(tag, attrs, article_depth > 0)
                cue, content = found
            elif ident is None:
                # Neither the tag nor a role: the id and class alone decide, and most elements have only a class.
                if klass is None:
                    cue = None
                    content = False
                else:
                    found = cues.get(klass)
                    if found is None:
                        found = cues[klass] = _value_cue("class", klass)
                    cue, content = found
            else:
                key = (ident, klass)
                found = cues.get(key)
                if found is None:
                    found = cues[key] = _name_cue(ident, klass)
                cue, content = found
        else:
            ident = klass = None
            cue, content = element_cue(tag, attrs, article_depth > 0) if tag in tag_cues else _NO_CUE
        if tag == "br":
            if parts:
                _flush(blocks, parts, link_chars, block_frame, table_depth, list_depth)
                parts = []
            link_chars = 0
            node = node.next
            continue
        # Frame(tag, frame, counter, n, ident, klass) spelt out: a call costs more than the stores it makes.
        child = new_frame(Frame)
        child.tag = tag
        child.parent = frame
        child.nth = n
        child.ident = ident
        child.klass = klass
        child.counts = None
        child.index = child.pre = child.post = counter
        child.segs = None
        child.link = frame.link
        child.content = content or frame.content
        if cue is None:
            child.own = None
            child.cue = frame.cue
            child.cue_frame = frame.cue_frame
        else:
            child.own = cue
            owners.append(child)
            captioned = captioned or cue in CAPTION_CUES
            if frame.cue is None:
                child.cue = cue
                child.cue_frame = child
            else:
                child.cue = frame.cue
                child.cue_frame = frame.cue_frame
        counter += 1
        frames.append(child)
        if tag in special:
            if tag == "a":
                child.link = True
            elif tag == "table":
                table_depth += 1
            elif tag in _LIST_TAGS:
                list_depth += 1
            elif tag == "article":
                article_depth += 1
        if tag in block_tags:
            if parts:
                _flush(blocks, parts, link_chars, block_frame, table_depth, list_depth)
                parts = []
            link_chars = 0
            block_frame = child
            block_stack.append(child)
        open_nodes.append(node)
        frame = child
        node = node.first_child
    _drop_layout_cues(owners)
    if captioned:
        _keep_gallery_captions(owners, blocks)
    return Dom(blocks, frames, title, canonical, lang)


def _flush(blocks: list[Block], parts: list[str], link_chars: int, f: Frame, table_depth: int, list_depth: int) -> None:
    """Append the block of the text read since the last block boundary, if it shows anything."""
    text = "".join(parts)
    if f.tag == "pre":
        # Preformatted text keeps its line breaks and indentation.
        text = text.strip("\r\n").rstrip()
        chars = len(text) - sum(text.count(c) for c in " \t\r\n")
    elif "\x1c" in text or "\x1d" in text or "\x1e" in text or "\x1f" in text:
        # str.split() knows the same whitespace as `\s` but for the separators U+001C-U+001F, and is much faster;
        # four substring tests cost a fifth of one regex search.
        text = _SPACE.sub(" ", text).strip()
        chars = len(text) - text.count(" ")
    else:
        words = text.split()
        text = " ".join(words)
        chars = len(text) - len(words) + 1
    if text:
        # Block(...) spelt out: the dataclass's __init__ costs more than the stores it makes.
        b = _new_block(Block)
        b.text = text
        b.tag = f.tag
        b.frame = f
        b.chars = chars
        b.link_chars = link_chars if link_chars < chars else chars
        b.cue = f.cue
        b.cue_frame = f.cue_frame
        b.content = f.content
        b.in_table = table_depth > 0
        b.in_list = list_depth > 0
        blocks.append(b)
