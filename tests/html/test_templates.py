"""Template prose that no cue gives away: one page keeps it, the site's other pages show it is boilerplate."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import dedup
from dedup import Document, Result
from dedup.cli import app
from tests.html.sites import (
    ABOUT,
    ARTICLES,
    COMMENT,
    COOKIE,
    COPYRIGHT,
    DIGEST,
    LEDGER_NOTE,
    RELATED,
    Article,
    gazette_page,
    ledger_page,
    snapshot,
)

GAZETTE = "https://riverside-gazette.example"
SHARE = "Share on Facebook Share on Twitter Send by email"


def html_doc(article: Article, make: Callable[..., str] = gazette_page, **kw: Any) -> Document:
    return Document(id=f"{article.slug}.html", text=make(article, **kw), kind="html")


def removal(result: Result, text: str) -> dedup.Removal | None:
    return next((r for r in result.removals if r.text == text), None)


def assert_article_intact(result: Result, article: Article) -> None:
    kept = result.text.split("\n\n")
    for p in article.paragraphs:
        assert p in kept, p
        assert removal(result, p) is None
    if "gazette" in result.source:
        assert f"By {article.author}, {article.date}" in kept


@pytest.mark.parametrize("make", [gazette_page, ledger_page])
def test_template_prose_is_content_on_a_page_alone(make: Callable[..., str]) -> None:
    for article in ARTICLES:
        content = dedup.extract_html(make(article)).content.split("\n\n")
        note = ABOUT if make is gazette_page else LEDGER_NOTE
        assert note in content
        (result,) = dedup.clean(html_doc(article, make))
        assert note in result.text.split("\n\n")


def test_template_prose_is_boilerplate_across_the_site() -> None:
    docs = [html_doc(a) for a in ARTICLES]
    results = dedup.clean(docs)
    ids = [d.id for d in docs]
    for article, result in zip(ARTICLES, results, strict=True):
        assert result.kept and result.source == "riverside-gazette.example"
        about = removal(result, ABOUT)
        assert about is not None and about.reason == "boilerplate"
        assert about.ref_docs == tuple(i for i in ids if i != result.id)  # input order
        assert about.rule is None and about.path is None
        assert ABOUT not in result.text
        # The promo goes too (a debris rule may name it first).
        digest = removal(result, DIGEST)
        assert digest is not None and digest.reason in ("rule", "boilerplate")
        assert_article_intact(result, article)
        assert result.text.split("\n\n") == [f"By {article.author}, {article.date}", *article.paragraphs]


def test_boilerplate_offsets_point_into_the_page_text() -> None:
    docs = [html_doc(a) for a in ARTICLES[:3]]
    for doc, result in zip(docs, dedup.clean(docs), strict=True):
        page = dedup.extract_html(doc.text)
        about = removal(result, ABOUT)
        assert about is not None
        assert page.text[about.start : about.end] == ABOUT


def test_min_docs_counts_pages_of_the_site() -> None:
    two = dedup.clean([html_doc(a) for a in ARTICLES[:2]])
    assert all(ABOUT in r.text for r in two)
    three = dedup.clean([html_doc(a) for a in ARTICLES[:3]])
    assert all(ABOUT not in r.text for r in three)
    relaxed = dedup.clean([html_doc(a) for a in ARTICLES[:2]], dedup.Config().with_options(min_docs=2))
    assert all(ABOUT not in r.text for r in relaxed)


def test_two_sites_sharing_a_paragraph_in_two_pages_each_keep_it() -> None:
    gazette = [html_doc(a) for a in ARTICLES[:2]]
    # The Ledger prints the Gazette's note on two of its pages (same words, another site).
    ledger = [
        Document(id=f"ledger-{a.slug}.html", text=ledger_page(a).replace(LEDGER_NOTE, ABOUT), kind="html")
        for a in ARTICLES[2:4]
    ]
    results = dedup.clean(gazette + ledger)
    assert [r.source for r in results] == ["riverside-gazette.example"] * 2 + ["valley-ledger.example"] * 2
    for article, result in zip(ARTICLES[:4], results, strict=True):
        assert ABOUT in result.text.split("\n\n")
        assert removal(result, ABOUT) is None
        assert_article_intact(result, article)
    # The note is syndicated across the two sites: each page names the other site's pages.
    first = results[0]
    assert any(set(s.docs) == {"ledger-floods.html", "ledger-market.html"} for s in first.shared)


def test_same_pages_under_one_host_lose_it() -> None:
    docs = [html_doc(a) for a in ARTICLES[:2]]
    docs += [
        Document(
            id=f"ledger-{a.slug}.html", text=ledger_page(a, canonical=GAZETTE).replace(LEDGER_NOTE, ABOUT), kind="html"
        )
        for a in ARTICLES[2:4]
    ]
    results = dedup.clean(docs)
    assert {r.source for r in results} == {"riverside-gazette.example"}
    for result in results:
        about = removal(result, ABOUT)
        assert about is not None and about.reason == "boilerplate" and len(about.ref_docs) == 3


def test_explicit_source_and_url_come_before_the_canonical_link() -> None:
    a, b, c = ARTICLES[:3]
    docs = [
        Document(id="a.html", text=gazette_page(a), kind="html", source="one"),
        Document(id="b.html", text=gazette_page(b), kind="html", url="https://www.other.example/b"),
        Document(id="c.html", text=gazette_page(c), kind="html"),
    ]
    assert [r.source for r in dedup.clean(docs)] == ["one", "other.example", "riverside-gazette.example"]


def write_site(root: Path, folder: str, articles: tuple[Article, ...], **kw: Any) -> None:
    (root / folder).mkdir(parents=True, exist_ok=True)
    for a in articles:
        (root / folder / f"{a.slug}.html").write_text(gazette_page(a, **kw), encoding="utf-8")


def test_run_without_canonical_links_takes_the_folder_as_source(tmp_path: Path) -> None:
    root = tmp_path / "crawl"
    write_site(root, "riverside", ARTICLES[:3], canonical=None)
    write_site(root, "mirror", ARTICLES[3:], canonical=None)
    out = tmp_path / "out"
    report = dedup.run([str(root)], str(out))
    by_id = {r.id: r for r in report.results}
    assert sorted(by_id) == sorted(
        [f"riverside/{a.slug}.html" for a in ARTICLES[:3]] + [f"mirror/{a.slug}.html" for a in ARTICLES[3:]]
    )
    for a in ARTICLES[:3]:
        r = by_id[f"riverside/{a.slug}.html"]
        assert r.source == "crawl/riverside"
        about = removal(r, ABOUT)
        assert about is not None and about.reason == "boilerplate"
        assert about.ref_docs == tuple(sorted(f"riverside/{x.slug}.html" for x in ARTICLES[:3] if x is not a))
        written = (out / "riverside" / f"{a.slug}.txt").read_text(encoding="utf-8")
        assert ABOUT not in written
        for p in a.paragraphs:
            assert p in written
    for a in ARTICLES[3:]:
        r = by_id[f"mirror/{a.slug}.html"]
        assert r.source == "crawl/mirror"
        assert removal(r, ABOUT) is None  # only two pages in that folder
        assert ABOUT in (out / "mirror" / f"{a.slug}.txt").read_text(encoding="utf-8")
    assert report.warnings == ()


def test_run_with_canonical_links_groups_folders_by_host(tmp_path: Path) -> None:
    root = tmp_path / "crawl"
    write_site(root, "riverside", ARTICLES[:2])
    write_site(root, "mirror", ARTICLES[2:4])
    report = dedup.run([str(root)], str(tmp_path / "out"))
    assert {r.source for r in report.results} == {"riverside-gazette.example"}
    for r in report.results:
        about = removal(r, ABOUT)
        assert about is not None and about.reason == "boilerplate"


def test_run_with_og_url_only(tmp_path: Path) -> None:
    root = tmp_path / "crawl"
    for folder, articles in (("a", ARTICLES[:2]), ("b", ARTICLES[2:4])):
        (root / folder).mkdir(parents=True)
        for art in articles:
            (root / folder / f"{art.slug}.htm").write_text(ledger_page(art), encoding="utf-8")
    report = dedup.run([str(root)], str(tmp_path / "out"))
    assert {r.source for r in report.results} == {"valley-ledger.example"}
    assert all(removal(r, LEDGER_NOTE) is not None for r in report.results)


def test_cli_removes_template_prose_and_reports_it(tmp_path: Path) -> None:
    site = tmp_path / "site"
    write_site(site, "news", ARTICLES)
    out = tmp_path / "out"
    before = snapshot(site)
    result = CliRunner().invoke(app, ["clean", str(site), "-o", str(out)])
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in (out / "report.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in records] == sorted(f"news/{a.slug}.html" for a in ARTICLES)
    for rec in records:
        boiler = [x for x in rec["removed"] if x["reason"] == "boilerplate"]
        assert [x["text"] for x in boiler] == [ABOUT]
        assert len(boiler[0]["ref_docs"]) == len(ARTICLES) - 1
        structure = [x for x in rec["removed"] if x["reason"] == "structure"]
        assert structure and all(x["rule"].startswith("html.") and x["path"].startswith("body") for x in structure)
        assert rec["source"] == "riverside-gazette.example"
    for a in ARTICLES:
        text = (out / "news" / f"{a.slug}.txt").read_text(encoding="utf-8")
        assert ABOUT not in text and DIGEST not in text
        assert text == "\n\n".join([f"By {a.author}, {a.date}", *a.paragraphs]) + "\n"
    assert snapshot(site) == before


def test_same_article_twice_is_a_near_duplicate_page() -> None:
    docs = [html_doc(a) for a in ARTICLES]
    # The same story under a second URL, with another "most read" column around it.
    copy = gazette_page(ARTICLES[0]).replace("Market hall reopens", "Town hall reopens")
    docs.append(Document(id="bridge-copy.html", text=copy, kind="html"))
    results = dedup.clean(docs)
    assert [r.kept for r in results] == [True] * len(ARTICLES) + [False]
    assert results[-1].duplicate_of == "bridge.html" and results[-1].text == ""
    assert all(r.duplicate_of is None for r in results[:-1])


def test_all_blocks_leaves_the_template_to_boilerplate_detection() -> None:
    config = dedup.Config().with_options(main_content=False)
    results = dedup.clean([html_doc(a) for a in ARTICLES], config)
    for article, result in zip(ARTICLES, results, strict=True):
        assert not [r for r in result.removals if r.reason == "structure"]
        reasons = {r.text: r.reason for r in result.removals}
        for chrome in ("Politics", ABOUT, COMMENT, COPYRIGHT, RELATED, SHARE):
            assert reasons[chrome] == "boilerplate", chrome
        assert reasons[COOKIE] in ("rule", "boilerplate") and reasons[DIGEST] in ("rule", "boilerplate")
        assert result.text.split("\n\n") == [
            article.title,
            f"By {article.author}, {article.date}",
            *article.paragraphs,
        ]
