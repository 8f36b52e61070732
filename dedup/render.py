"""A result as the file dedup writes for it: the cleaned text, or for HTML input Markdown or a small HTML page.

Text input is always written as text. HTML input becomes `.txt` by default; `output_format="md"` renders headings,
list items, quotes and preformatted blocks in Markdown, `"html"` a minimal standalone page with the same structure.
"""

from __future__ import annotations

import html

from dedup.document import Result

_HTML_SUFFIXES = (".html.gz", ".htm.gz", ".xhtml.gz", ".html", ".htm", ".xhtml")
_HEADINGS = {f"h{n}": n for n in range(1, 7)}


def output_name(doc_id: str, kind: str, output_format: str) -> str:
    """The relative output path of a document: text keeps its name; HTML gets the format's extension."""
    if kind != "html":
        return doc_id
    lowered = doc_id.lower()
    for suffix in _HTML_SUFFIXES:
        if lowered.endswith(suffix):
            doc_id = doc_id[: -len(suffix)]
            break
    if output_format == "txt" and doc_id.lower().endswith(".txt"):
        return doc_id
    return f"{doc_id}.{output_format}"


def render(result: Result, output_format: str) -> str:
    """The file content for one kept result, ending in a newline unless empty. Only HTML input has blocks: a text
    result is its text whatever the format."""
    if output_format == "html" and result.blocks:
        return _html(result)
    body = _markdown(result) if output_format == "md" and result.blocks else result.text
    return body + ("\n" if body else "")


def _markdown(result: Result) -> str:
    parts = [f"# {result.title}"] if result.title else []
    for tag, text in result.blocks:
        if tag in _HEADINGS:
            parts.append("#" * max(_HEADINGS[tag], 2 if result.title else 1) + " " + text)
        elif tag == "li":
            parts.append("- " + text)
        elif tag == "blockquote":
            parts.append("\n".join("> " + line for line in text.split("\n")))
        elif tag == "pre":
            parts.append("```\n" + text + "\n```")
        else:
            parts.append(text)
    return "\n\n".join(parts)


def _html(result: Result) -> str:
    title = html.escape(result.title or "")
    lines = ["<!doctype html>", '<html><head><meta charset="utf-8">', f"<title>{title}</title></head><body>"]
    if result.title:
        lines.append(f"<h1>{title}</h1>")
    in_list = False
    for tag, text in result.blocks:
        if tag == "li" and not in_list:
            lines.append("<ul>")
            in_list = True
        elif tag != "li" and in_list:
            lines.append("</ul>")
            in_list = False
        safe = html.escape(text)
        if tag in _HEADINGS or tag in ("li", "pre", "blockquote"):
            lines.append(f"<{tag}>{safe}</{tag}>")
        else:
            lines.append(f"<p>{safe}</p>")
    if in_list:
        lines.append("</ul>")
    lines.append("</body></html>")
    return "\n".join(lines) + "\n"
