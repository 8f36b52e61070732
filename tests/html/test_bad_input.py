"""Broken, huge, deep, empty and non-HTML inputs: a page or a warning, never a crash, never a changed input."""

from __future__ import annotations

import gzip
import random
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import dedup
from dedup import Document, extract_html
from dedup.readers import gunzip
from tests.html.sites import ARTICLES, gazette_page, snapshot

ARTICLE = ARTICLES[0]
PAGE = gazette_page(ARTICLE)


def cut_at(marker: str, offset: int) -> str:
    """The page cut `offset` characters into the first `marker` after the article's second paragraph."""
    start = PAGE.index(ARTICLE.paragraphs[1]) + len(ARTICLE.paragraphs[1])
    return PAGE[: PAGE.index(marker, start) + offset]


@pytest.mark.parametrize(
    ("marker", "offset"),
    [
        ("<p>", 2),  # "<p" : mid-tag
        ("</p>", 3),  # "</p" : mid end tag
        ('<p class="standfirst-note">', 6),  # '<p cla' : mid attribute name
        ('<p class="standfirst-note">', 14),  # '<p class="sta' : mid attribute value
        ('<a href="https://facebook', 18),  # inside a URL in the share bar
        ("</article>", 0),  # the article is whole, nothing after it
    ],
)
def test_truncated_html_keeps_what_came_before(marker: str, offset: int) -> None:
    html = cut_at(marker, offset)
    page = extract_html(html)
    content = page.content.split("\n\n")
    assert ARTICLE.paragraphs[0] in content and ARTICLE.paragraphs[1] in content
    (result,) = dedup.clean(Document(id="cut.html", text=html, kind="html"))
    assert ARTICLE.paragraphs[0] in result.text


@settings(max_examples=60, deadline=None)
@given(st.integers(min_value=0, max_value=len(PAGE)))
def test_any_cut_of_a_page_extracts(n: int) -> None:
    page = extract_html(PAGE[:n])
    for b in page.blocks:
        assert page.text[b.paragraph.start : b.paragraph.end] == b.paragraph.text
    assert set(page.content.split("\n\n")) <= set(extract_html(PAGE, main_content=False).text.split("\n\n")) | {
        page.content.split("\n\n")[-1]  # the block the cut went through
    }


@settings(max_examples=60, deadline=None)
@given(st.integers(min_value=0, max_value=len(PAGE.encode())))
def test_any_cut_of_the_bytes_extracts(n: int) -> None:
    page = extract_html(PAGE.encode()[:n])
    assert isinstance(page.text, str)


@pytest.mark.parametrize(
    "html",
    [
        "<html><head><title>x</title></head></html>",
        "<html><head><title>x</title><link rel='canonical' href='https://a.example/x'></head></html>",
        "<html><head><title>x</title></head><body></body></html>",
    ],
)
def test_page_without_body(html: str) -> None:
    page = extract_html(html)
    assert page.blocks == () and page.text == "" and page.content == "" and page.title == "x"
    (result,) = dedup.clean(Document(id="x.html", text=html, kind="html"))
    assert result.kept and result.text == "" and "empty document" in result.notes and result.title == "x"


def big_page(size: int) -> tuple[str, int]:
    """A page of about `size` characters: many different paragraphs (so none repeats another)."""
    rng = random.Random(20240301)
    words = [
        "council", "river", "bridge", "market", "library", "school", "budget", "weather", "festival", "harbour",
        "railway", "mayor", "village", "farmers", "museum", "garden", "station", "election", "theatre", "hospital",
        "ferry", "canal", "chapel", "orchard", "quarry",
    ]  # fmt: skip
    vocab = [w + s for w in words for s in ("", "s", "ed", "ing", "er", "ly", "ness", "ful")]
    parts = []
    total = 0
    while total < size:
        sentence = " ".join(rng.choice(vocab) for _ in range(rng.randint(30, 80))).capitalize() + "."
        p = f"<p>{sentence}</p>\n"
        parts.append(p)
        total += len(p)
    head = "<!DOCTYPE html><html><head><title>Big</title></head><body><nav><a href='/'>Home</a></nav><article>"
    return head + "".join(parts) + "</article><footer><p>Copyright</p></footer></body></html>", len(parts)


def test_ten_megabyte_page_extracts_quickly() -> None:
    html, n = big_page(10_000_000)
    assert len(html) >= 10_000_000
    start = time.perf_counter()
    page = extract_html(html)
    elapsed = time.perf_counter() - start
    content = page.content.split("\n\n")
    assert len(content) == n
    assert "Home" not in content and "Copyright" not in content
    assert elapsed < 20  # about a second on a laptop; generous for a loaded CI machine


@pytest.mark.integration
def test_ten_megabyte_page_through_run(tmp_path: Path) -> None:
    html, n = big_page(10_000_000)
    src = tmp_path / "in"
    src.mkdir()
    (src / "big.html").write_text(html, encoding="utf-8")
    report = dedup.run([str(src)], str(tmp_path / "out"))
    (result,) = report.results
    assert result.kept and len(result.text.split("\n\n")) == n
    assert (tmp_path / "out" / "big.txt").stat().st_size > 9_000_000


DEPTH = 10_000


@pytest.mark.parametrize(
    "html",
    [
        "<div>" * DEPTH + "deep text" + "</div>" * DEPTH,
        "<div>" * DEPTH + "deep text",
        "<div><span>" * (DEPTH // 2) + "deep text",
        "<ul><li>" * (DEPTH // 2) + "deep text",
        "<blockquote>" * DEPTH + "deep text",
        "<b>" * DEPTH + "deep text",
        "<table><tr><td>" * (DEPTH // 4) + "deep text",
        "<html><body><article>" + "<section>" * DEPTH + "<p>deep text</p>",
    ],
    ids=["div-closed", "div-open", "div-span", "ul-li", "blockquote", "b", "table", "section"],
)
def test_deep_nesting(html: str) -> None:
    page = extract_html(html)
    assert page.content == "deep text"
    for b in page.blocks:
        assert b.path  # built iteratively too
    (result,) = dedup.clean(Document(id="deep.html", text=html, kind="html"))
    assert result.text == "deep text"


def test_deep_nesting_with_debris_reports_paths() -> None:
    prose = " ".join(ARTICLE.paragraphs)
    html = "<div>" * DEPTH + f"<nav><a href='/'>Home</a></nav><p>{prose}</p>" + "</div>" * DEPTH
    (result,) = dedup.clean(Document(id="deep.html", text=html, kind="html"))
    assert result.text == prose
    (nav,) = [r for r in result.removals if r.reason == "structure"]
    assert nav.text == "Home" and nav.path is not None and nav.path.startswith("... > ")


def test_gunzip_multi_member_stream() -> None:
    data = gzip.compress(b"<p>first member</p>") + gzip.compress(b"<p>second member</p>")
    assert gunzip(data, "x.html.gz") == (b"<p>first member</p><p>second member</p>", [])


# -- through dedup.run --------------------------------------------------------------------------------------------


def random_binary(n: int = 4096) -> bytes:
    rng = random.Random(7)
    return b"\x89PNG\r\n\x1a\n\x00\x00" + bytes(rng.randrange(256) for _ in range(n))


def make_bad_inputs(root: Path) -> Path:
    src = root / "in"
    src.mkdir()
    (src / "binary.html").write_bytes(random_binary())
    (src / "empty.html").write_bytes(b"")
    whole = gzip.compress(PAGE.encode("utf-8"))
    (src / "truncated.html.gz").write_bytes(whole[: len(whole) // 2])
    (src / "notgzip.html.gz").write_bytes(PAGE.encode("utf-8"))
    (src / "good.html").write_text(gazette_page(ARTICLES[1]), encoding="utf-8")
    return src


def warnings_by_name(report: dedup.RunReport) -> dict[str, str]:
    return {Path(w.path).name: w.message for w in report.warnings}


def test_bad_inputs_through_run(tmp_path: Path) -> None:
    src = make_bad_inputs(tmp_path)
    before = snapshot(src)
    out = tmp_path / "out"
    report = dedup.run([str(src)], str(out))
    warned = warnings_by_name(report)
    assert set(warned) == {"binary.html", "truncated.html.gz", "notgzip.html.gz"}
    assert "binary" in warned["binary.html"] and "skipped" in warned["binary.html"]
    assert warned["truncated.html.gz"].startswith("truncated gzip stream")
    assert "not a readable gzip file" in warned["notgzip.html.gz"] and "skipped" in warned["notgzip.html.gz"]
    for w in report.warnings:
        assert w.path.startswith(str(src))  # each warning names its file
    results = {r.id: r for r in report.results}
    assert sorted(results) == ["empty.html", "good.html", "truncated.html.gz"]
    assert "empty document" in results["empty.html"].notes and results["empty.html"].text == ""
    truncated = results["truncated.html.gz"]
    assert any(n.startswith("truncated gzip stream") for n in truncated.notes)
    assert ARTICLE.paragraphs[0] in truncated.text
    assert sorted(p.name for p in out.iterdir()) == [
        "empty.txt",
        "good.txt",
        "report.jsonl",
        "summary.json",
        "truncated.txt",
    ]
    assert (out / "empty.txt").read_text() == ""
    assert ARTICLE.paragraphs[0] in (out / "truncated.txt").read_text(encoding="utf-8")
    assert ARTICLES[1].paragraphs[-1] in (out / "good.txt").read_text(encoding="utf-8")
    assert snapshot(src) == before


@pytest.mark.parametrize("keep", [0, 5, 10, 20])
def test_gzip_cut_very_short(tmp_path: Path, keep: int) -> None:
    (tmp_path / "in").mkdir()
    path = tmp_path / "in" / "tiny.html.gz"
    path.write_bytes(gzip.compress(PAGE.encode())[:keep])
    report = dedup.run([str(path)], str(tmp_path / "out"))
    (warning,) = report.warnings
    assert warning.path.endswith("tiny.html.gz")
    assert all(r.text == "" for r in report.results)


@pytest.mark.parametrize(
    "data",
    [
        b"\x00" * 100,
        b"<html><body>\x00\x00\x00binary inside</body></html>",
        bytes(range(1, 9)) * 200,
    ],
    ids=["nul", "nul-in-markup", "control"],
)
def test_binary_named_html_is_skipped(tmp_path: Path, data: bytes) -> None:
    (tmp_path / "in").mkdir()
    path = tmp_path / "in" / "page.html"
    path.write_bytes(data)
    report = dedup.run([str(path)], str(tmp_path / "out"))
    assert report.results == ()
    (warning,) = report.warnings
    assert warning.path.endswith("page.html") and "binary" in warning.message
    assert not (tmp_path / "out" / "page.txt").exists()
    assert path.read_bytes() == data


def test_gzipped_binary_is_skipped(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    path = tmp_path / "in" / "page.html.gz"
    path.write_bytes(gzip.compress(random_binary()))
    report = dedup.run([str(path)], str(tmp_path / "out"))
    assert report.results == ()
    assert "binary" in report.warnings[0].message
