"""Incremental (`Deduper.add` one document at a time) against batch (`dedup.clean` on the whole corpus).

The documented difference: a block becomes boilerplate of its source on the page that brings it to `min_docs`
pages, so only batch mode removes it from the first `min_docs - 1` pages (and, on those pages, everything that
follows from it: their near-duplicate body and context rules). Everything else must be equal.

To test "everything else" exactly, every source starts with `min_docs - 1` warm-up pages carrying its templates
(the pages where the two modes differ by design) and the comparison covers every page after them. Content shows
up in at most `min_docs - 1` pages of one source (originals, near copies, syndicated paragraphs), so no content
paragraph becomes boilerplate halfway through. The other differences of seeing pages one at a time are filtered
explicitly: boilerplate removals and `shared` can only name earlier pages.
"""

from __future__ import annotations

import random
from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from dedup import Config, Document, Result, clean
from dedup.deduper import Deduper

# Made-up words, so that paragraphs drawn at random share few word 3-grams unless the plan copies them.
WORDS = [a + b for a in ("ka", "lo", "mi", "su", "te", "vo", "ra", "ne") for b in ("dan", "rik", "mol", "pes", "tur")]
WORDS += ["the", "council", "river", "school", "market", "storm", "budget", "court", "said", "would", "after"]
DEBRIS = ["Advertisement", "Share this:", "Source link", "Leave a Reply"]


def sentence(rng: random.Random, low: int = 10, high: int = 28) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(low, high))).capitalize() + "."


def edit(rng: random.Random, text: str) -> str:
    words = text.rstrip(".").split(" ")
    words[rng.randrange(len(words))] = rng.choice(WORDS)
    return " ".join(words) + "."


PLAN = st.lists(
    st.tuples(st.sampled_from(["new", "new", "copy", "syndicate"]), st.integers(0, 2), st.integers(0, 10_000)),
    min_size=1,
    max_size=14,
)


def build_corpus(plan: list[tuple[str, int, int]], seed: int, min_docs: int) -> tuple[list[Document], int]:
    """(documents, number of warm-up pages at the start)."""
    rng = random.Random(seed)
    sources = ["one.example", "two.example", "three.example"]
    templates = {s: [sentence(rng, 6, 14) for _ in range(rng.randint(0, 2))] for s in sources}
    docs: list[Document] = []
    for s in sources:
        for w in range(min_docs - 1):
            body = [sentence(rng, 25, 30) for _ in range(4)]
            docs.append(Document(f"{s}-warm{w}", "\n\n".join([*templates[s], *body]), url=f"https://{s}/w{w}"))
    warm = len(docs)
    originals: list[tuple[list[str], str]] = []  # (content paragraphs, source) of real pages
    uses: dict[tuple[str, str], int] = {}  # (paragraph, source) -> pages of that source holding it

    def room(paragraphs: list[str], source: str) -> bool:
        return all(uses.get((p, source), 0) < min_docs - 1 for p in paragraphs)

    for n, (what, s_index, pick) in enumerate(plan):
        source = sources[s_index]
        content = [sentence(rng) for _ in range(rng.randint(1, 4))]
        if what == "copy" and originals:
            base, _ = originals[pick % len(originals)]
            copied = [edit(rng, p) if rng.random() < 0.3 else p for p in base]
            if room(copied, source):
                content = copied
        elif what == "syndicate" and originals:
            base, _ = originals[pick % len(originals)]
            borrowed = base[pick % len(base)]
            if room([borrowed], source):
                content.insert(rng.randint(0, len(content)), borrowed)
        for p in content:
            uses[(p, source)] = uses.get((p, source), 0) + 1
        originals.append((content, source))
        items = list(content)
        if rng.random() < 0.3:
            items.append(rng.choice(items))  # a repeat inside the page
        if rng.random() < 0.4:
            items.insert(rng.randint(0, len(items)), rng.choice(DEBRIS))
        for t in templates[source]:
            if rng.random() < 0.7:
                items.insert(0 if rng.random() < 0.5 else len(items), t)
        docs.append(Document(f"p{n:02d}", "\n\n".join(items), url=f"https://{source}/{n}"))
    return docs, warm


def expected_online(batch: Result, earlier: set[str]) -> Result:
    """Batch's result as far as it can be known when the page arrives: references to earlier pages only."""
    removals = tuple(
        replace(r, ref_docs=tuple(d for d in r.ref_docs if d in earlier)) if r.reason == "boilerplate" else r
        for r in batch.removals
    )
    shared = tuple(replace(s, docs=tuple(d for d in s.docs if d in earlier)) for s in batch.shared)
    return replace(batch, removals=removals, shared=tuple(s for s in shared if s.docs))


@settings(max_examples=60, deadline=None)
@given(PLAN, st.integers(0, 2**32), st.sampled_from([2, 3]), st.sampled_from(["first", "all"]))
def test_incremental_equals_batch_after_the_first_pages(
    plan: list[tuple[str, int, int]], seed: int, min_docs: int, keep: str
) -> None:
    config = Config().with_options(min_docs=min_docs, keep=keep)
    docs, warm = build_corpus(plan, seed, min_docs)
    batch = clean(docs, config)
    deduper = Deduper(config)
    online = [deduper.add_document(d) for d in docs]
    for n in range(warm, len(docs)):
        earlier = {d.id for d in docs[:n]}
        assert online[n] == expected_online(batch[n], earlier), docs[n].id


@settings(max_examples=40, deadline=None)
@given(PLAN, st.integers(0, 2**32))
def test_without_cross_page_boilerplate_every_page_is_equal(plan: list[tuple[str, int, int]], seed: int) -> None:
    # min_docs above the corpus size: nothing can become boilerplate, so there is no exception at all.
    config = Config().with_options(min_docs=100)
    docs, _ = build_corpus(plan, seed, 2)
    batch = clean(docs, config)
    deduper = Deduper(config)
    for n, doc in enumerate(docs):
        assert deduper.add_document(doc) == expected_online(batch[n], {d.id for d in docs[:n]}), doc.id


def test_the_documented_exception() -> None:
    footer = "Copyright Example Media Group, all content is protected under the laws of the land."
    pages = [
        Document(
            f"p{i}",
            f"Story number {i} tells of the {w} that the council discussed at length on Monday evening.\n\n{footer}",
            url=f"https://news.example/{i}",
        )
        for i, w in enumerate(["bridge", "harbour", "library", "stadium"])
    ]
    batch = clean(pages)
    deduper = Deduper()
    online = [deduper.add_document(p) for p in pages]
    assert all(footer not in r.text for r in batch)
    # The first min_docs - 1 pages keep it online: nothing had shown it to be boilerplate yet.
    assert [footer in r.text for r in online] == [True, True, False, False]
    (removal,) = online[2].removals
    assert removal.reason == "boilerplate" and removal.ref_docs == ("p0", "p1")
    assert online[3] == batch[3]
