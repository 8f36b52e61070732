"""The benchmark scorers and the naive converter on hand-checked examples (no evaluation data needed)."""

from __future__ import annotations

import gzip
import sys
from pathlib import Path

import pytest

# `benchmarks` is not an installed package: make the repository root importable when pytest is run as `pytest`
# (with `python -m pytest` the working directory already is). `pythonpath = ["."]` in pyproject would do the same.
_ROOT = str(Path(__file__).resolve().parents[1])
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

from benchmarks.eval_text import Page, Row, build_rows, percentile, split_of  # noqa: E402
from benchmarks.naive_text import decode_html, naive_text, read_page  # noqa: E402
from benchmarks.scoring import (  # noqa: E402
    SetScore,
    aeb_scores,
    aggregate_aeb,
    aggregate_wcxb,
    shingles,
    wcxb_scores,
)

# --- aeb: 4-token shingles, case kept -----------------------------------------------------------------------------


def test_aeb_identical_texts_score_one() -> None:
    text = "The quick brown fox jumps over the lazy dog."
    assert aeb_scores(text, text) == (1.0, 1.0)


def test_aeb_disjoint_texts_score_zero() -> None:
    assert aeb_scores("alpha beta gamma delta epsilon", "one two three four five") == (0.0, 0.0)


def test_aeb_partial_overlap_by_hand() -> None:
    # extracted tokens a b c d e x: shingles abcd, bcde, cdex (3)
    # gold tokens      a b c d e f: shingles abcd, bcde, cdef (3); matched = 2 -> P = R = 2/3
    assert aeb_scores("a b c d e x", "a b c d e f") == pytest.approx((2 / 3, 2 / 3))
    # a menu line in front: Home-a-b-c, a-b-c-d, b-c-d-e (3) against a-b-c-d, b-c-d-e (2): matched 2
    assert aeb_scores("Home\na b c d e", "a b c d e") == pytest.approx((2 / 3, 1.0))


def test_aeb_keeps_case_and_counts_repeats() -> None:
    assert aeb_scores("A b c d", "a b c d") == (0.0, 0.0)
    # extracted shingles: abcd, bcda, cdab, dabc, abcd (5); the gold's single abcd matches once: P = 1/5, R = 1
    ext = shingles("a b c d a b c d")
    assert sum(ext.values()) == 5 and ext[("a", "b", "c", "d")] == 2
    assert aeb_scores("a b c d a b c d", "a b c d") == pytest.approx((1 / 5, 1.0))


def test_aeb_empty_rules() -> None:
    assert aeb_scores("", "") == (1.0, 1.0)
    assert aeb_scores("  ...  ", "") == (1.0, 1.0)  # no \w+ token counts as empty
    assert aeb_scores("", "some gold text here") == (0.0, 0.0)
    assert aeb_scores("some extracted text here", "") == (0.0, 0.0)


def test_aeb_short_text_is_one_short_shingle() -> None:
    assert shingles("just two") == {("just", "two"): 1}
    assert aeb_scores("just two", "just two") == (1.0, 1.0)


def test_aeb_aggregate_is_harmonic_mean_of_averages() -> None:
    score = aggregate_aeb([(1.0, 0.5), (0.5, 1.0)])
    assert (score.precision, score.recall, score.pages) == (0.75, 0.75, 2)
    assert score.f1 == pytest.approx(0.75)  # not the mean of the per-page F1s (2/3)
    assert aggregate_aeb([]) == SetScore(0.0, 0.0, 0.0, 0)


# --- wcxb: lowercased bag of words ---------------------------------------------------------------------------------


def test_wcxb_identical_texts_score_one() -> None:
    assert wcxb_scores("Hello, World!", "hello world") == (1.0, 1.0, 1.0)


def test_wcxb_disjoint_texts_score_zero() -> None:
    assert wcxb_scores("alpha beta", "gamma delta") == (0.0, 0.0, 0.0)


def test_wcxb_partial_overlap_by_hand() -> None:
    # extracted: home, the, cat, the, mat (5); gold: the, cat, sat, on, the, mat (6); matched: the x2, cat, mat = 4
    precision, recall, f1 = wcxb_scores("Home\nThe cat the mat", "the cat sat on the mat")
    assert precision == pytest.approx(4 / 5)
    assert recall == pytest.approx(4 / 6)
    assert f1 == pytest.approx(2 * (4 / 5) * (4 / 6) / (4 / 5 + 4 / 6))


def test_wcxb_empty_gold_rule() -> None:
    assert wcxb_scores("", "") == (1.0, 1.0, 1.0)
    assert wcxb_scores("Cookie settings", "") == (0.0, 0.0, 0.0)
    assert wcxb_scores("", "real content") == (0.0, 0.0, 0.0)


def test_wcxb_unicode_words() -> None:
    assert wcxb_scores("Größe café 東京", "größe CAFÉ 東京") == (1.0, 1.0, 1.0)


def test_wcxb_aggregate_is_macro_mean() -> None:
    score = aggregate_wcxb([(1.0, 1.0, 1.0), (0.5, 0.0, 0.0)])
    assert score == SetScore(0.75, 0.5, 0.5, 2)


# --- naive text ----------------------------------------------------------------------------------------------------

PAGE = """<!doctype html><html><head><title>Title</title><style>p{color:red}</style>
<script>var hidden = "script text";</script></head>
<body><nav><ul><li><a href="/">Home</a></li><li><a href="/news">News</a></li></ul></nav>
<article><h1>Headline</h1><p>First   <b>para</b>graph
 text.</p><p>Second<br>line <!-- a comment --> here</p></article>
<script>document.write("nope")</script><noscript>Enable JavaScript</noscript>
<template><p>never shown</p></template><svg><text>svg label</text></svg>
<footer>© 2024 Site</footer></body></html>"""


def test_naive_text_lines() -> None:
    assert naive_text(PAGE).split("\n") == [
        "Home",
        "News",
        "Headline",
        "First para graph text.",
        "Second",
        "line here",
        "Enable JavaScript",
        "© 2024 Site",
    ]


def test_naive_text_drops_non_rendered_content_only() -> None:
    text = naive_text(PAGE)
    for hidden in ("script text", "nope", "never shown", "svg label", "Title", "color"):
        assert hidden not in text
    assert "Home" in text and "© 2024 Site" in text  # navigation and footer debris stays


def test_naive_text_noscript_can_be_dropped() -> None:
    assert "Enable JavaScript" not in naive_text(PAGE, keep_noscript=False)


def test_naive_text_table_cells_and_list_items_are_lines() -> None:
    html = "<table><tr><td>a</td><td>b</td></tr><tr><th>c</th></tr></table><ul><li>x<li>y</ul><span>in</span>line"
    assert naive_text(html) == "a\nb\nc\nx\ny\nin line"


def test_naive_text_deep_nesting_does_not_crash() -> None:
    html = "<div>" * 5000 + "deep text" + "</div>" * 5000 + "<p>after</p>"
    assert naive_text(html) == "deep text\nafter"


def test_naive_text_broken_and_empty_html() -> None:
    assert naive_text("") == ""
    assert naive_text("<p>unclosed <b>bold <div>block</p></i>tail") == "unclosed bold\nblock\ntail"
    assert naive_text("<<<>>> <td>x") == "<<<>>> x"  # a stray cell outside a table is ignored, as browsers do


def test_decode_prefers_utf8_over_a_wrong_declaration() -> None:
    data = '<meta charset="iso-8859-1"><p>café</p>'.encode()
    assert "café" in decode_html(data)


def test_decode_uses_declared_charset_for_non_utf8_bytes() -> None:
    data = '<meta http-equiv="Content-Type" content="text/html; charset=windows-1252"><p>café “x”</p>'.encode("cp1252")
    assert "café “x”" in decode_html(data)


def test_decode_falls_back_to_lossy_utf8() -> None:
    assert decode_html(b"<p>caf\xe9</p>") == "<p>caf\ufffd</p>"


def test_read_page_reads_gzip_and_plain(tmp_path: Path) -> None:
    (tmp_path / "a.html.gz").write_bytes(gzip.compress("<p>ü</p>".encode()))
    (tmp_path / "b.html").write_bytes("<p>ü</p>".encode())
    assert read_page(tmp_path / "a.html.gz") == read_page(tmp_path / "b.html") == "<p>ü</p>"


# --- eval script helpers ---------------------------------------------------------------------------------------------


def test_split_groups_by_host_without_www() -> None:
    a = split_of("https://www.example.com/a", "1")
    assert a == split_of("http://example.com/b?q=1", "2") == split_of("https://EXAMPLE.com:8080/", "3")
    assert a in ("tune", "report")
    assert split_of(None, "x") == split_of(None, "x")


def test_split_is_roughly_a_third() -> None:
    splits = [split_of(f"https://site{i}.example/", str(i)) for i in range(3000)]
    assert 0.28 < splits.count("report") / len(splits) < 0.39


def test_build_rows_scores_floor_per_split() -> None:
    pages = [
        Page("wcxb", "1", "https://a.example/", "the cat sat", Path("1.html.gz")),
        Page("wcxb", "2", "https://b.example/", "a dog ran", Path("2.html.gz")),
    ]
    rows = build_rows("wcxb", "wcxb", pages, ["Home the cat sat", "a dog ran"], None, ("all",))
    assert rows == [Row("wcxb", "all", 2, SetScore(0.875, 1.0, (6 / 7 + 1) / 2, 2), None, None, None)]
    assert rows[0].verdict == "n/a"


def test_row_targets() -> None:
    floor = SetScore(0.6, 0.98, 0.0, 1)
    good = Row("x", "all", 1, floor, SetScore(0.71, 0.951, 0.0, 1), None, None)
    low_recall = Row("x", "all", 1, floor, SetScore(0.9, 0.95, 0.0, 1), None, None)
    low_precision = Row("x", "all", 1, floor, SetScore(0.69, 0.98, 0.0, 1), None, None)
    assert (good.verdict, low_recall.verdict, low_precision.verdict) == ("PASS", "FAIL", "FAIL")


def test_percentile() -> None:
    assert percentile([5.0], 95) == 5.0
    assert percentile([float(v) for v in range(1, 101)], 95) == pytest.approx(95.05)
