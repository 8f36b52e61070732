"""The batch flow over a corpus: segment, rules, repeats, near-duplicate documents, boilerplate,
context, then one `Result` per document in input order."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from urllib.parse import urlsplit

import numpy as np

from dedup.config import Config
from dedup.context import context_debris, is_prose
from dedup.document import Document, Paragraph, Removal, Result, Shared
from dedup.html.page import SEPARATOR, Page, extract_html
from dedup.language import detect
from dedup.lsh import PIPELINE_MAX_BUCKET
from dedup.match import near_duplicates
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
class _DocState:
    doc: Document
    source: str
    paragraphs: tuple[Paragraph, ...]
    separator: str
    language: str | None
    keys: tuple[str, ...]  # match_key of every paragraph, computed once
    removals: dict[int, Removal] = field(default_factory=dict)
    page: Page | None = None  # HTML documents: the parsed page

    def alive(self, i: int) -> bool:
        return i not in self.removals

    def kept_texts(self) -> list[str]:
        return [p.text for p in self.paragraphs if p.index not in self.removals]


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


def _kept_blocks(st: _DocState) -> tuple[tuple[str, str], ...]:
    if st.page is None:
        return ()
    return tuple((b.tag, b.paragraph.text) for b in st.page.blocks if st.alive(b.paragraph.index))


class Pipeline:
    """Holds the compiled rules and the signer for one configuration; nothing it keeps changes a result."""

    def __init__(self, config: Config | None = None) -> None:
        self.config = config or Config()
        self.rules: RuleSet = load_ruleset(self.config.rules)
        self.signer = Signer(self.config.minhash)

    # -- per document -------------------------------------------------------------------------
    def analyse(self, doc: Document) -> _DocState:
        if doc.kind == "html":
            state = self._analyse_html(doc)
        else:
            seg = segment(doc.text, self.config.segment)
            language = detect(tokens(doc.text[:LANGUAGE_SAMPLE_CHARS]))
            keys = tuple(match_key(p.text) for p in seg.paragraphs)
            state = _DocState(doc, source_of(doc), seg.paragraphs, seg.separator, language, keys)
        self._apply_rules(state)
        texts = [p.text if state.alive(p.index) else None for p in state.paragraphs]
        for rep in find_repeats(texts, self.signer, self.config.repeats, self.config.minhash, state.keys):
            p = state.paragraphs[rep.later]
            state.removals[rep.later] = Removal(
                p.start, p.end, p.index, "repeat", p.text,
                rule=f"repeat.{rep.method}", ref_paragraph=rep.earlier, similarity=rep.similarity,
            )  # fmt: skip
        return state

    def _analyse_html(self, doc: Document) -> _DocState:
        page = extract_html(doc.text, main_content=self.config.html.main_content)
        paragraphs = page.paragraphs
        language = detect(tokens(page.content[:LANGUAGE_SAMPLE_CHARS]))
        keys = tuple(match_key(p.text) for p in paragraphs)
        state = _DocState(doc, source_of(doc, page), paragraphs, SEPARATOR, language, keys, page=page)
        for block in page.blocks:
            if block.reason is not None:
                p = block.paragraph
                state.removals[p.index] = Removal(
                    p.start, p.end, p.index, "structure", p.text, rule=f"html.{block.reason}", path=block.path
                )
        return state

    def _apply_rules(self, state: _DocState) -> None:
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

    def _apply_context(self, state: _DocState) -> None:
        texts = [p.text for p in state.paragraphs]
        kinds = []
        for p in state.paragraphs:
            r = state.removals.get(p.index)
            kinds.append("kept" if r is None else "debris" if r.reason in ("rule", "boilerplate") else "gone")
        # Removing lines can tip a document into prose-dominance, which removes more: iterate to a
        # fixed point so that cleaning the cleaned text finds nothing new (idempotence).
        for _ in range(MAX_CONTEXT_ROUNDS):
            found = context_debris(texts, kinds)
            # On a page the extraction has judged where the content starts and ends; head and tail positions
            # say nothing more there (measured: they removed content lists after a "click here" line).
            if state.page is not None:
                found = {i: r for i, r in found.items() if r == "context.between_debris"}
            if not found:
                break
            for i, rule_id in found.items():
                p = state.paragraphs[i]
                state.removals[i] = Removal(p.start, p.end, i, "rule", p.text, rule=rule_id)
                kinds[i] = "gone"

    # -- across documents ----------------------------------------------------------------------
    def run(self, docs: Iterable[Document]) -> list[Result]:
        states = [self.analyse(d) for d in docs]
        boiler_keys = self._boilerplate_keys(states, clusters=None)
        dup_of, sim_of = self._near_duplicates(states, boiler_keys)
        boiler_keys = self._boilerplate_keys(states, clusters=dup_of)
        self._remove_boilerplate(states, boiler_keys)
        if self.config.rules.context:
            for st in states:
                self._apply_context(st)
        shared = self._shared(states)
        dropped = self._dropped(states, dup_of)
        results = []
        for n, st in enumerate(states):
            removals = tuple(st.removals[i] for i in sorted(st.removals))
            notes = tuple(st.doc.meta.get("notes", ()))
            if st.page is not None:
                notes += st.page.notes
            if not st.paragraphs:
                notes += ("empty document",)
            base = Result(
                id=st.doc.id, text="", kept=True, source=st.source, removals=removals, notes=notes,
                paragraphs=len(st.paragraphs), language=st.language,
                title=st.page.title if st.page is not None else None,
            )  # fmt: skip
            if n in dropped:
                twin = states[dropped[n]].doc.id
                results.append(replace(base, kept=False, duplicate_of=twin, similarity=sim_of.get(n, 1.0)))
                continue
            # A kept member of a cluster names its twin only when every member is kept (keep="all").
            dup = dup_of.get(n) if self.config.repeats.keep == "all" else None
            results.append(
                replace(
                    base,
                    text=st.separator.join(st.kept_texts()),
                    duplicate_of=None if dup is None else states[dup].doc.id,
                    similarity=None if dup is None else sim_of.get(n),
                    shared=tuple(shared.get(n, ())),
                    blocks=_kept_blocks(st),
                )
            )
        return results

    def _keys(self, st: _DocState) -> dict[str, int]:
        """match_key -> first alive paragraph index, for paragraphs alive after rules and repeats."""
        keys: dict[str, int] = {}
        for p in st.paragraphs:
            if st.alive(p.index):
                k = st.keys[p.index]
                if k:
                    keys.setdefault(k, p.index)
        return keys

    def _boilerplate_keys(self, states: list[_DocState], clusters: dict[int, int] | None) -> dict[str, set[str]]:
        """Per source, the paragraph keys found in >= min_docs distinct documents (a cluster counts once)."""
        seen: dict[tuple[str, str], set[int]] = defaultdict(set)
        for n, st in enumerate(states):
            unit = clusters.get(n, n) if clusters else n
            for k in self._keys(st):
                seen[(st.source, k)].add(unit)
        out: dict[str, set[str]] = defaultdict(set)
        for (source, key), units in seen.items():
            if len(units) >= self.config.repeats.min_docs:
                out[source].add(key)
        return out

    def _near_duplicates(
        self, states: list[_DocState], boiler_keys: dict[str, set[str]]
    ) -> tuple[dict[int, int], dict[int, float]]:
        """doc index -> index of its cluster's first document, and the similarity to it."""
        bodies: list[str] = []
        for st in states:
            skip = boiler_keys.get(st.source, set())
            bodies.append(
                "\n".join(p.text for p in st.paragraphs if st.alive(p.index) and st.keys[p.index] not in skip)
            )
        scan = self.signer.scan(bodies)
        ids = np.flatnonzero(scan.token_counts >= self.config.minhash.min_tokens).tolist()
        best: dict[int, float] = {}
        if len(ids) < 2:
            return {}, {}
        found = near_duplicates(
            [bodies[n] for n in ids],
            self.config.repeats.doc_threshold,
            signer=self.signer,
            max_bucket=PIPELINE_MAX_BUCKET,
            scan=scan.take(np.array(ids, dtype=np.int64)),
        )
        for pair in found.pairs:
            best[ids[pair.b]] = max(best.get(ids[pair.b], 0.0), pair.similarity)
        dup_of = {ids[i]: ids[r] for i, r in enumerate(found.root.tolist()) if r != i}
        return dup_of, {n: best.get(n, 1.0) for n in dup_of}

    def _dropped(self, states: list[_DocState], dup_of: dict[int, int]) -> dict[int, int]:
        """Dropped document -> the kept document of its cluster, by the `keep` policy."""
        keep = self.config.repeats.keep
        if keep == "all" or not dup_of:
            return {}
        members: dict[int, list[int]] = defaultdict(list)
        for n, root in dup_of.items():
            members[root].append(n)
        out: dict[int, int] = {}
        for root, rest in members.items():
            group = [root, *sorted(rest)]
            if keep == "longest":
                lengths = [len(states[n].separator.join(states[n].kept_texts())) for n in group]
                winner = group[int(np.argmax(lengths))]
            else:
                winner = root
            out.update({n: winner for n in group if n != winner})
        return out

    def _remove_boilerplate(self, states: list[_DocState], boiler_keys: dict[str, set[str]]) -> None:
        docs_with: dict[tuple[str, str], list[str]] = defaultdict(list)
        for st in states:
            for k in self._keys(st):
                if k in boiler_keys.get(st.source, ()):
                    docs_with[(st.source, k)].append(st.doc.id)
        for st in states:
            keys = boiler_keys.get(st.source)
            if not keys:
                continue
            for p in st.paragraphs:
                if st.alive(p.index):
                    k = st.keys[p.index]
                    if k in keys:
                        refs = tuple(sorted(d for d in docs_with[(st.source, k)] if d != st.doc.id))
                        st.removals[p.index] = Removal(
                            p.start, p.end, p.index, "boilerplate", p.text, ref_docs=refs[:MAX_SHARED_DOCS]
                        )

    def _shared(self, states: list[_DocState]) -> dict[int, list[Shared]]:
        """Kept paragraphs (long enough to mean something) that also occur in other sources."""
        where: dict[str, list[tuple[int, int]]] = defaultdict(list)
        for n, st in enumerate(states):
            for k, i in self._keys(st).items():
                if len(k.split()) >= self.config.minhash.min_tokens:
                    where[k].append((n, i))
        out: dict[int, list[Shared]] = defaultdict(list)
        for places in where.values():
            sources = {states[n].source for n, _ in places}
            if len(sources) < 2:
                continue
            for n, i in places:
                others = sorted({states[m].doc.id for m, _ in places if states[m].source != states[n].source})
                out[n].append(Shared(i, tuple(others[:MAX_SHARED_DOCS])))
        for n in out:
            out[n].sort(key=lambda s: s.paragraph)
        return out
