"""The per-document steps every mode shares: segment (or extract HTML), rules, repeats inside the document
(`Pipeline.analyse`), then, once the corpus-wide decisions are known, boilerplate removal, context rules and the
document's `Result` (`remove_boilerplate`, `finish`, `result`). The corpus-wide decisions live in `dedup.batch`
(batch runs, `Pipeline.run`) and `dedup.deduper` (one document at a time)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urlsplit

from dedup.config import Config
from dedup.context import Paragraphs, context_debris, is_prose
from dedup.document import Document, Paragraph, Removal, Result
from dedup.gcpause import gc_paused
from dedup.html.page import SEPARATOR, Page, extract_html
from dedup.language import detect
from dedup.minhash import Signer
from dedup.normalize import match_key
from dedup.repeats import find_repeats
from dedup.rules import RuleSet, load_ruleset
from dedup.segment import segment
from dedup.shingle import tokens

# The language is told from the start of a document: enough text, and bounded work on huge ones.
LANGUAGE_SAMPLE_CHARS = 20_000
# Rounds of context rules at most; each round removes something or ends the loop.
MAX_CONTEXT_ROUNDS = 10
# Teaser lines a section heading ("Related articles") takes with it, at most.
MAX_TEASERS = 10
# Shared (syndicated) paragraphs are listed with at most this many documents each.
MAX_SHARED_DOCS = 50


@dataclass
class DocState:
    """One document between the steps: its paragraphs, their match keys, and what has been removed so far."""

    doc: Document
    source: str
    paragraphs: tuple[Paragraph, ...]
    separator: str
    language: str | None
    keys: tuple[str, ...]  # match_key of every paragraph, computed once
    removals: dict[int, Removal] = field(default_factory=dict)
    page: Page | None = None  # HTML documents: the parsed page (dropped by `slim`)
    # What `slim` keeps of the page and the document, so a state can be pickled cheaply into a shard:
    title: str | None = None
    notes: tuple[str, ...] = ()
    block_tags: tuple[str, ...] | None = None  # HTML: the tag of each block, in paragraph order
    slimmed: bool = False

    def alive(self, i: int) -> bool:
        return i not in self.removals

    def kept_texts(self) -> list[str]:
        return [p.text for p in self.paragraphs if p.index not in self.removals]

    @property
    def is_html(self) -> bool:
        return self.page is not None or self.block_tags is not None

    def slim(self) -> DocState:
        """The state without the input text, the parsed page or metadata nothing downstream reads; only
        `meta["record"]` and `meta["input"]` stay, for writing record files back."""
        if self.slimmed:
            return self
        notes = tuple(self.doc.meta.get("notes", ()))
        title, tags = self.title, self.block_tags
        if self.page is not None:
            notes += self.page.notes
            title, tags = self.page.title, tuple(b.tag for b in self.page.blocks)
        if not self.paragraphs:
            notes += ("empty document",)
        meta: dict[str, Any] = {k: self.doc.meta[k] for k in ("record", "input") if k in self.doc.meta}
        doc = Document(self.doc.id, "", self.doc.url, self.doc.source, meta, self.doc.kind)
        return replace(self, doc=doc, page=None, title=title, notes=notes, block_tags=tags, slimmed=True)


def source_of(doc: Document, page: Page | None = None) -> str:
    """The document's source: explicit, else its URL's host without "www.", else (HTML) its canonical link's host,
    else `meta["folder"]`, else "" (one shared source)."""
    if doc.source is not None:
        return doc.source
    if doc.url:
        try:
            host = (urlsplit(doc.url).hostname or "").lower()
        except ValueError:
            host = ""
        if host:
            return host.removeprefix("www.")
    if page is not None and page.host:
        return page.host
    return str(doc.meta.get("folder", ""))


def _kept_blocks(st: DocState) -> tuple[tuple[str, str], ...]:
    if st.page is not None:
        return tuple((b.tag, b.paragraph.text) for b in st.page.blocks if st.alive(b.paragraph.index))
    if st.block_tags is None:
        return ()
    return tuple((tag, p.text) for tag, p in zip(st.block_tags, st.paragraphs, strict=True) if st.alive(p.index))


class Pipeline:
    """Holds the compiled rules and the signer for one configuration; nothing it keeps changes a result."""

    def __init__(self, config: Config | None = None) -> None:
        self.config = config or Config()
        self.rules: RuleSet = load_ruleset(self.config.rules)
        self.signer = Signer(self.config.minhash)

    # -- per document -------------------------------------------------------------------------
    def analyse(self, doc: Document) -> DocState:
        with gc_paused():
            return self._analyse(doc)

    def _analyse(self, doc: Document) -> DocState:
        if doc.kind == "html":
            state = self._analyse_html(doc)
        else:
            seg = segment(doc.text, self.config.segment)
            language = detect(tokens(doc.text[:LANGUAGE_SAMPLE_CHARS]))
            keys = tuple(match_key(p.text) for p in seg.paragraphs)
            state = DocState(doc, source_of(doc), seg.paragraphs, seg.separator, language, keys)
        self._apply_rules(state)
        texts = [p.text if state.alive(p.index) else None for p in state.paragraphs]
        for rep in find_repeats(texts, self.signer, self.config.repeats, self.config.minhash, state.keys):
            p = state.paragraphs[rep.later]
            state.removals[rep.later] = Removal(
                p.start, p.end, p.index, "repeat", p.text,
                rule=f"repeat.{rep.method}", ref_paragraph=rep.earlier, similarity=rep.similarity,
            )  # fmt: skip
        return state

    def _analyse_html(self, doc: Document) -> DocState:
        page = extract_html(doc.text, main_content=self.config.html.main_content)
        paragraphs = page.paragraphs
        language = page.language(LANGUAGE_SAMPLE_CHARS)
        # Keys are read only for paragraphs still alive, and most blocks of a page are gone already (navigation,
        # footer, ...): those get an empty key instead of the cost of one.
        keys = tuple("" if b.reason is not None else match_key(b.paragraph.text) for b in page.blocks)
        state = DocState(doc, source_of(doc, page), paragraphs, SEPARATOR, language, keys, page=page)
        for block in page.blocks:
            if block.reason is not None:
                p = block.paragraph
                state.removals[p.index] = Removal.structure(p, f"html.{block.reason}", block.path)
        return state

    def _apply_rules(self, state: DocState) -> None:
        paragraphs = state.paragraphs
        hits = [self.rules.match(p.text, state.language) if state.alive(p.index) else None for p in paragraphs]
        for p, rule in zip(paragraphs, hits, strict=True):
            if rule is not None:
                state.removals[p.index] = Removal(p.start, p.end, p.index, "rule", p.text, rule=rule.id)
        for i, rule in enumerate(hits):
            if rule is None or rule.kind != "section":
                continue
            teasers = []
            for p, hit in zip(paragraphs[i + 1 :], hits[i + 1 :], strict=True):
                if hit is not None or is_prose(p.text):
                    break
                teasers.append(p)
            # A longer run under such a heading is the page's own list (a listing page), not teasers.
            if len(teasers) <= MAX_TEASERS:
                for p in teasers:
                    state.removals[p.index] = Removal(p.start, p.end, p.index, "rule", p.text, rule=rule.id)

    def _apply_context(self, state: DocState) -> None:
        kinds = []
        for p in state.paragraphs:
            r = state.removals.get(p.index)
            kinds.append("kept" if r is None else "debris" if r.reason in ("rule", "boilerplate") else "gone")
        # A page takes only context.between_debris (below), which needs debris on both sides of a run, and the
        # rounds never add debris: with fewer than two there is nothing to look for.
        if state.is_html and kinds.count("debris") < 2:
            return
        texts = Paragraphs([p.text for p in state.paragraphs])
        # Removing lines can tip a document into prose-dominance, which removes more: iterate to a
        # fixed point so that cleaning the cleaned text finds nothing new (idempotence).
        for _ in range(MAX_CONTEXT_ROUNDS):
            found = context_debris(texts, kinds)
            # On a page the extraction has judged where the content starts and ends; head and tail positions
            # say nothing more there (measured: they removed content lists after a "click here" line).
            if state.is_html:
                found = {i: r for i, r in found.items() if r == "context.between_debris"}
            if not found:
                break
            for i, rule_id in found.items():
                p = state.paragraphs[i]
                state.removals[i] = Removal(p.start, p.end, i, "rule", p.text, rule=rule_id)
                kinds[i] = "gone"

    # -- per document, once the corpus-wide decisions are known ---------------------------------------------
    def alive_keys(self, st: DocState) -> dict[str, int]:
        """match_key -> first alive paragraph index, for the non-empty keys of alive paragraphs."""
        keys: dict[str, int] = {}
        for p in st.paragraphs:
            if st.alive(p.index):
                k = st.keys[p.index]
                if k:
                    keys.setdefault(k, p.index)
        return keys

    def remove_boilerplate(self, st: DocState, refs: Mapping[str, Sequence[str]]) -> None:
        """Remove the alive paragraphs whose key is boilerplate of the document's source; `refs` maps each such
        key to the first documents (ids, input order) holding it, the document itself possibly among them."""
        if not refs:
            return
        for p in st.paragraphs:
            if st.alive(p.index):
                found = refs.get(st.keys[p.index])
                if found is not None:
                    others = tuple(d for d in found if d != st.doc.id)[:MAX_SHARED_DOCS]
                    st.removals[p.index] = Removal(p.start, p.end, p.index, "boilerplate", p.text, ref_docs=others)

    def finish(self, st: DocState) -> None:
        """The context rules, which read a document's neighbours after every other removal."""
        if self.config.rules.context:
            self._apply_context(st)

    def result(self, st: DocState) -> Result:
        """The document's result as if kept: its cleaned text and removals (near-duplicate verdicts and
        syndicated paragraphs are the corpus's to add)."""
        st = st.slim()
        return Result(
            id=st.doc.id,
            text=st.separator.join(st.kept_texts()),
            kept=True,
            source=st.source,
            removals=tuple(st.removals[i] for i in sorted(st.removals)),
            notes=st.notes,
            paragraphs=len(st.paragraphs),
            language=st.language,
            title=st.title,
            blocks=_kept_blocks(st),
        )

    # -- across documents ---------------------------------------------------------------------------------
    def run(self, docs: Iterable[Document]) -> list[Result]:
        """Every document's result, in input order, from the batch flow held in memory."""
        from dedup.batch.flow import run_documents  # the flow builds on this module

        return run_documents(self, docs)
