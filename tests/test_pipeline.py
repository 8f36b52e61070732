from __future__ import annotations

from dedup import Config, Document, clean
from dedup.pipeline import source_of

ARTICLE_A = [
    "The city council approved a new budget on Monday after weeks of debate among its members.",
    "Spending on public transport will rise by a tenth, while road repairs receive less money.",
    "The mayor said the plan balanced the needs of commuters and residents of outer districts.",
]
ARTICLE_B = [
    "Heavy rain flooded several streets in the old town overnight, the fire brigade reported.",
    "No one was hurt, but dozens of cellars had to be pumped out before the morning rush hour.",
    "Forecasters expect more storms later this week as a cold front moves in from the west.",
]
ARTICLE_C = [
    "The local football club signed a young striker from the second division on a three-year deal.",
    "Fans welcomed the move, hoping it would end a long run of games without a single goal scored.",
    "The coach praised the player's speed and said he would start in Saturday's home match.",
]
FOOTER = "Copyright Example Media Group, all content is protected under the laws of the land."


def doc(i: str, paragraphs: list[str], url: str | None = None, source: str | None = None) -> Document:
    return Document(id=i, text="\n\n".join(paragraphs), url=url, source=source)


def test_source_of() -> None:
    assert source_of(Document("a", "", url="https://www.Example.com/x")) == "example.com"
    assert source_of(Document("a", "", url="https://example.com/x", source="feed")) == "feed"
    assert source_of(Document("a", "")) == ""


def test_boilerplate_needs_min_docs_of_the_same_source() -> None:
    docs = [
        doc("a", [*ARTICLE_A, FOOTER], url="https://news.example/a"),
        doc("b", [*ARTICLE_B, FOOTER], url="https://news.example/b"),
        doc("c", [*ARTICLE_C, FOOTER], url="https://news.example/c"),
    ]
    results = clean(docs)
    for r in results:
        assert FOOTER not in r.text
        (removal,) = [rm for rm in r.removals if rm.reason == "boilerplate"]
        assert len(removal.ref_docs) == 2
    two = clean(docs[:2])
    assert all(FOOTER in r.text for r in two)
    assert all(FOOTER not in r.text for r in clean(docs[:2], Config().with_options(min_docs=2)))


def test_syndicated_paragraphs_across_sources_are_kept_and_reported() -> None:
    shared = ARTICLE_A[0]
    docs = [
        doc("a", [shared, ARTICLE_B[0]], url="https://one.example/a"),
        doc("b", [shared, ARTICLE_C[0]], url="https://two.example/b"),
        doc("c", [shared, ARTICLE_B[2]], url="https://three.example/c"),
    ]
    results = clean(docs)
    for r in results:
        assert shared in r.text
        assert r.shared and len(r.shared[0].docs) == 2


def test_near_duplicate_cluster_counts_once_for_boilerplate() -> None:
    a = doc("a", [*ARTICLE_A, FOOTER], source="s")
    a2 = doc("a2", [*ARTICLE_A, ARTICLE_A[0] + " Updated.", FOOTER], source="s")
    b = doc("b", [*ARTICLE_B, FOOTER], source="s")
    results = clean([a, a2, b], Config().with_options(keep="all"))
    assert results[1].duplicate_of == "a"
    assert all(FOOTER in r.text for r in results)


def test_near_duplicate_documents_keep_policies() -> None:
    a = doc("a", ARTICLE_A)
    longer = doc("b", [*ARTICLE_A, "Updated on Tuesday."])
    other = doc("c", ARTICLE_B)
    first = clean([a, longer, other])
    assert [r.kept for r in first] == [True, False, True]
    assert first[1].duplicate_of == "a" and first[1].text == "" and first[1].similarity is not None
    longest = clean([a, longer, other], Config().with_options(keep="longest"))
    assert [r.kept for r in longest] == [False, True, True]
    assert longest[0].duplicate_of == "b"
    everything = clean([a, longer, other], Config().with_options(keep="all"))
    assert all(r.kept for r in everything) and everything[1].duplicate_of == "a"


def test_removals_point_into_the_original() -> None:
    text = "Advertisement\n\n" + "\n\n".join(ARTICLE_A) + "\n\n" + ARTICLE_A[1]
    (r,) = clean(text)
    for rm in r.removals:
        assert text[rm.start : rm.end] == rm.text
    reasons = [(rm.reason, rm.rule, rm.ref_paragraph) for rm in r.removals]
    assert reasons == [("rule", "en.advertisement", None), ("repeat", "repeat.exact", 2)]
    assert r.removals[1].explain() == "repeat of paragraph 2, similarity 1.00"


def test_strings_documents_and_single_inputs() -> None:
    assert [r.id for r in clean(["one two", "three four"])] == ["0", "1"]
    assert clean("just text")[0].text == "just text"
    assert clean(Document("x", "hello"))[0].id == "x"
    (empty,) = clean("")
    assert empty.text == "" and "empty document" in empty.notes


def test_context_can_be_switched_off() -> None:
    text = "\n\n".join([*ARTICLE_A, "Video headline here", "Source link"])
    assert "Video headline here" not in clean(text)[0].text
    assert "Video headline here" in clean(text, Config().with_options(context=False))[0].text


def test_html_keeps_the_lines_after_debris_that_the_extraction_kept() -> None:
    # In text, the lines after the body and a debris line are a tail of widgets; in HTML the extraction has already
    # judged what ends the main content, so a "click here" line in it does not take the list below it along.
    items = ["Hundreds of tasks for two", "Dozens of tricky questions", "Challenges for the week after"]
    html = (
        "<html><body><nav><a href='/'>Home</a></nav><article>"
        + "".join(f"<p>{p}</p>" for p in ARTICLE_A)
        + "<p>Click here to download the game.</p><ul>"
        + "".join(f"<li>{i}</li>" for i in items)
        + "</ul></article></body></html>"
    )
    (result,) = clean([Document(id="game.html", text=html, kind="html")])
    assert "Click here" not in result.text
    for item in items:
        assert item in result.text
    as_text = clean("\n\n".join([*ARTICLE_A, "Click here to download the game.", *items]))[0].text
    assert items[0] not in as_text
