"""Turn an HTML page into text the way a naive scraper writes it: the floor of the text-cleaning benchmark.

The seeds dedup is built for are plain text with all the page's debris in it (menus, footers, share buttons,
comments). To measure the text cleaner on pages that have gold text, we need that same kind of input, so this
converter deliberately removes nothing a no-JavaScript client would show: it only drops content that is never
rendered as text (scripts, styles, templates, svg, the head) and lays out every block of visible text on its own line.

`<noscript>` content is kept by default: a scraper that does not run JavaScript is exactly the client it is shown
to, and some sites put the whole page there (Discourse forums serve every post inside `<noscript>`; dropping it
leaves 19 wcxb-dev forum pages with almost no text).
"""

from __future__ import annotations

import codecs
import gzip
import re
from pathlib import Path

from selectolax.lexbor import LexborHTMLParser, LexborNode

# Elements whose content is never rendered as page text. `iframe` and `noframes` hold raw fallback markup that a
# browser does not show either; `title` only matters when a broken page puts it in the body.
SKIPPED_TAGS: frozenset[str] = frozenset(
    {"script", "style", "template", "svg", "head", "title", "iframe", "noframes", "math"}
)
_SKIPPED_WITH_NOSCRIPT: frozenset[str] = SKIPPED_TAGS | {"noscript"}

# Elements that start (and end) their own line: the HTML block and table-cell elements, list items and form parts.
BLOCK_TAGS: frozenset[str] = frozenset(
    {
        "address",
        "article",
        "aside",
        "blockquote",
        "body",
        "br",
        "caption",
        "center",
        "dd",
        "details",
        "dialog",
        "dir",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "frameset",
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
        "optgroup",
        "option",
        "p",
        "pre",
        "search",
        "section",
        "select",
        "summary",
        "table",
        "tbody",
        "td",
        "textarea",
        "tfoot",
        "th",
        "thead",
        "tr",
        "ul",
    }
)

_WHITESPACE = re.compile(r"\s+")
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.IGNORECASE)
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

# A sentinel pushed on the walk stack after a block element's children, so its end closes the current line.
_END_BLOCK = None


def naive_text(html: str, *, keep_noscript: bool = True) -> str:
    """Every visible text block of the page body, one block per line, joined by "\\n".

    The text nodes of a block are joined with spaces (so `<a>Home</a><a>News</a>` gives two words, as most
    extractors and the gold texts have it) and whitespace is collapsed per line; empty lines are dropped.
    """
    tree = LexborHTMLParser(html)
    root = tree.body or tree.root
    if root is None:
        return ""
    return "\n".join(_block_lines(root, SKIPPED_TAGS if keep_noscript else _SKIPPED_WITH_NOSCRIPT))


def _block_lines(root: LexborNode, skipped: frozenset[str]) -> list[str]:
    """Walk the tree iteratively (pages can nest thousands of levels deep) and collect one string per block."""
    lines: list[str] = []
    pending: list[str] = []
    stack: list[LexborNode | None] = [root]
    while stack:
        node = stack.pop()
        if node is _END_BLOCK:
            _flush(pending, lines)
            continue
        if node.is_text_node:
            pending.append(node.text_content or "")
            continue
        if not node.is_element_node and not node.is_document_node:
            continue  # comments, doctype, processing instructions
        tag = node.tag or ""
        if tag in skipped:
            continue
        if tag in BLOCK_TAGS:
            _flush(pending, lines)
            stack.append(_END_BLOCK)
        stack.extend(_children_reversed(node))
    _flush(pending, lines)
    return lines


def _children_reversed(node: LexborNode) -> list[LexborNode]:
    """The node's children last-first, so popping them off a stack visits them in document order."""
    children: list[LexborNode] = []
    child = node.child
    while child is not None:
        children.append(child)
        child = child.next
    children.reverse()
    return children


def _flush(pending: list[str], lines: list[str]) -> None:
    """Close the current line: collapse its whitespace and keep it only if something visible is left."""
    if not pending:
        return
    line = _WHITESPACE.sub(" ", " ".join(pending)).strip()
    pending.clear()
    if line:
        lines.append(line)


def decode_html(data: bytes) -> str:
    """Decode page bytes: a BOM first, then strict UTF-8, then the charset the page declares, then lossy UTF-8.

    Strict UTF-8 goes before the declared charset because stored pages are often re-encoded to UTF-8 while their
    meta tag still claims the original charset (wcxb-dev has pages saying iso-8859-1 whose bytes are UTF-8);
    multi-byte UTF-8 sequences almost never occur by chance in a legacy 8-bit encoding.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data.decode(encoding, errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    declared = _declared_charset(data)
    if declared is not None:
        return data.decode(declared, errors="replace")
    return data.decode("utf-8", errors="replace")


def _declared_charset(data: bytes) -> str | None:
    """The charset named in a meta tag near the top of the page, if Python knows it."""
    match = _META_CHARSET.search(data[:16384])
    if match is None:
        return None
    name = match.group(1).decode("ascii", errors="ignore").lower()
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def read_page(path: Path | str) -> str:
    """Read a stored page (`.html.gz` or plain `.html`) and decode it to text."""
    raw = Path(path).read_bytes()
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    return decode_html(raw)
