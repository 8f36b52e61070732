from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from dedup.context import context_debris, is_prose

STATES = ("kept", "debris", "gone")
PROSE = "The minister said the new rules would take effect next month across the country."


def test_is_prose() -> None:
    assert is_prose(PROSE)
    assert is_prose("“We will not back down,” she told reporters on Monday evening.”")
    assert not is_prose("North Korea releases video showing new missile launch")
    assert not is_prose("New protests over the death of a young woman detained by the moral police erupted …")
    assert not is_prose("Stop.")


def test_tail_after_last_prose_goes_only_when_debris_is_there() -> None:
    texts = [PROSE, "Video headline", "Source link"]
    assert context_debris(texts, ["kept", "kept", "debris"]) == {1: "context.tail"}
    assert context_debris(texts, ["kept", "kept", "kept"]) == {}


def test_short_run_between_debris() -> None:
    texts = ["Home", "News", "Sport", "Share", PROSE]
    assert context_debris(texts, ["debris", "kept", "kept", "debris", "kept"]) == {
        1: "context.between_debris",
        2: "context.between_debris",
    }


def test_prose_breaks_a_run_and_repeats_are_transparent() -> None:
    texts = ["Menu", PROSE, "Heading", "Heading", "Share", PROSE]
    assert context_debris(texts, ["debris", "kept", "kept", "gone", "debris", "kept"]) == {}


def test_document_without_prose_keeps_its_tail() -> None:
    assert context_debris(["Item one", "Item two", "Menu"], ["kept", "kept", "debris"]) == {}


def test_head_keeps_the_lines_right_above_the_body() -> None:
    texts = ["Home", "News", "Sport", "World", "Title of the story", "By A. Writer", PROSE]
    out = context_debris(texts, ["kept"] * len(texts))
    assert out == {0: "context.head", 1: "context.head", 2: "context.head"}


def test_long_tail_is_a_list_that_stays() -> None:
    items = [f"Listing item number {n}" for n in range(25)]
    texts = [PROSE, *items, "Privacy Policy"]
    assert context_debris(texts, ["kept"] * 26 + ["debris"]) == {}


def test_article_tail_goes_entirely_when_debris_follows() -> None:
    texts = [PROSE, PROSE.replace("minister", "mayor"), "Widget one", "A longer related headline here", "Share"]
    assert context_debris(texts, ["kept"] * 4 + ["debris"]) == {2: "context.tail", 3: "context.tail"}


@given(st.lists(st.tuples(st.sampled_from([PROSE, "Share", "Home page", "Read more..."]), st.sampled_from(STATES))))
def test_between_debris_needs_two_debris(rows: list[tuple[str, str]]) -> None:
    # The pipeline skips the context rules on a page with fewer than two debris paragraphs on this ground.
    texts = [t for t, _ in rows]
    state = [s for _, s in rows]
    found = context_debris(texts, state)
    if state.count("debris") < 2:
        assert "context.between_debris" not in found.values()
