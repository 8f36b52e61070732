from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from dedup.config import SegmentConfig
from dedup.segment import segment


def test_blank_line_blocks_and_lines_inside_a_block() -> None:
    text = "Title\n\nFirst line of block\nSecond distinct line\n\nLast"
    seg = segment(text)
    assert [p.text for p in seg.paragraphs] == ["Title", "First line of block", "Second distinct line", "Last"]
    assert seg.separator == "\n\n"


def test_one_paragraph_per_line_layout() -> None:
    seg = segment("a b c\nd e f\r\ng h i")
    assert [p.text for p in seg.paragraphs] == ["a b c", "d e f", "g h i"]
    assert seg.separator == "\n"


def test_hard_wrapped_prose_is_rejoined() -> None:
    text = (
        "The committee met on Tuesday to discuss the budget for the coming\n"
        "year, and after a long debate it agreed to raise spending on schools\n"
        "by four percent."
    )
    seg = segment(text)
    assert len(seg.paragraphs) == 1
    assert seg.paragraphs[0].text == text


def test_caption_and_its_near_repeat_stay_two_units() -> None:
    text = (
        "Putin & Kim also signed a treaty for mutual military assistance (photo: National Herald archives)\n"
        "Putin & Kim also signed a treaty for mutual military assistance (photo: National Herald archives)"
        " National Herald archives"
    )
    assert len(segment(text).paragraphs) == 2


def test_short_lines_are_not_taken_for_wrapped_prose() -> None:
    assert len(segment("Advertisement\nContinue Reading\nAdvertisement\nComments").paragraphs) == 4


def test_offsets_are_code_points_into_the_original() -> None:
    text = "  \ufeffÄrger über Straßen 北京  \n\n\t😀 emoji line\u2028next"
    for p in segment(text).paragraphs:
        assert text[p.start : p.end] == p.text
        assert p.text == p.text.strip()


@given(st.text())
def test_offsets_always_slice_the_original(text: str) -> None:
    seg = segment(text, SegmentConfig())
    last = 0
    for n, p in enumerate(seg.paragraphs):
        assert p.index == n
        assert text[p.start : p.end] == p.text
        assert p.text.strip() and p.start >= last
        last = p.end


def test_empty_and_whitespace() -> None:
    assert segment("").paragraphs == ()
    assert segment(" \n\n \t\n").paragraphs == ()
