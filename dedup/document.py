"""The record types that flow through every step: `Document` in, `Result` out."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Reason = Literal["structure", "rule", "repeat", "boilerplate", "near_duplicate", "empty"]
Kind = Literal["text", "html"]
_new_object = object.__new__


@dataclass(frozen=True)
class Document:
    """One input document.

    `kind="html"` means `text` is the page's markup: its main content is extracted first. `source` groups
    documents for boilerplate detection (a site); when it is None the host of `url` is used, then (for HTML) the
    host of the page's canonical or og:url link, then `meta["folder"]`; failing all, documents share one source.
    """

    id: str
    text: str
    url: str | None = None
    source: str | None = None
    meta: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)
    kind: Kind = "text"


@dataclass(frozen=True)
class Paragraph:
    """A unit of a document: `text` is `document.text[start:end]` (code-point offsets)."""

    index: int
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Removal:
    """One removed span, with the reason as data.

    `reason` is one of: "structure" (an HTML block outside the main content: `rule` names why, `path` the
    element), "rule" (a debris rule, `rule` holds its id), "repeat" (a later copy of paragraph `ref_paragraph`
    of the same document), "boilerplate" (recurs in `ref_docs` of the same source). Offsets are code points into
    the original text; for HTML, into the page's visible text (every block, joined by blank lines).
    """

    start: int
    end: int
    paragraph: int
    reason: Reason
    text: str
    rule: str | None = None
    ref_paragraph: int | None = None
    similarity: float | None = None
    ref_docs: tuple[str, ...] = ()
    path: str | None = None

    @classmethod
    def structure(cls, p: Paragraph, rule: str, path: str) -> Removal:
        """`Removal(p.start, p.end, p.index, "structure", p.text, rule=rule, path=path)`, made without the frozen
        `__init__` (one attribute store through `object.__setattr__` per field): a page removes a hundred blocks."""
        removal = _new_object(cls)
        removal.__dict__.update(
            start=p.start, end=p.end, paragraph=p.index, reason="structure", text=p.text, rule=rule,
            ref_paragraph=None, similarity=None, ref_docs=(), path=path,
        )  # fmt: skip
        return removal

    def explain(self) -> str:
        if self.reason == "structure":
            return f"not main content ({self.rule}) at {self.path}"
        if self.reason == "rule":
            return f"debris rule {self.rule}"
        if self.reason == "repeat":
            return f"repeat of paragraph {self.ref_paragraph}, similarity {self.similarity:.2f}"
        if self.reason == "boilerplate":
            return f"boilerplate of its source, found in {len(self.ref_docs)} documents"
        return self.reason

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "start": self.start,
            "end": self.end,
            "paragraph": self.paragraph,
            "reason": self.reason,
            "explanation": self.explain(),
            "text": self.text,
        }
        if self.rule is not None:
            out["rule"] = self.rule
        if self.ref_paragraph is not None:
            out["ref_paragraph"] = self.ref_paragraph
        if self.similarity is not None:
            out["similarity"] = round(self.similarity, 4)
        if self.ref_docs:
            out["ref_docs"] = list(self.ref_docs)
        if self.path is not None:
            out["path"] = self.path
        return out


@dataclass(frozen=True)
class Shared:
    """A kept paragraph that recurs in documents of other sources (syndicated content)."""

    paragraph: int
    docs: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"paragraph": self.paragraph, "docs": list(self.docs)}


@dataclass(frozen=True)
class Result:
    """What dedup decided about one document.

    `kept` is False when the whole document is a near-duplicate of `duplicate_of` (then `text` is
    empty and nothing is written for it). `text` is the cleaned text: the kept paragraphs, each as
    in the original, joined by the layout's separator.
    """

    id: str
    text: str
    kept: bool
    source: str
    removals: tuple[Removal, ...] = ()
    duplicate_of: str | None = None
    similarity: float | None = None
    shared: tuple[Shared, ...] = ()
    notes: tuple[str, ...] = ()
    paragraphs: int = 0
    language: str | None = None
    title: str | None = None
    blocks: tuple[tuple[str, str], ...] = ()  # HTML: the kept blocks as (tag, text), for md and html output

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id,
            "status": "kept" if self.kept else "dropped",
            "source": self.source,
            "paragraphs": self.paragraphs,
            "language": self.language,
            "removed": [r.to_dict() for r in self.removals],
        }
        if self.duplicate_of is not None:
            out["duplicate_of"] = self.duplicate_of
            out["similarity"] = round(self.similarity or 0.0, 4)
        if self.shared:
            out["shared"] = [s.to_dict() for s in self.shared]
        if self.notes:
            out["notes"] = list(self.notes)
        if self.title is not None:
            out["title"] = self.title
        return out
