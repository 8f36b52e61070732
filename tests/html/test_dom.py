from __future__ import annotations

import pytest
from selectolax.lexbor import LexborHTMLParser

from dedup import extract_html
from dedup.html.dom import MAX_PATH_SEGMENTS, element_cue, walk
from tests.html.sites import ARTICLES, gazette_page, ledger_page

# Long enough that a page holding it is not read again with its hidden parts (see page.HIDDEN_FALLBACK_CHARS).
LONG = " ".join(ARTICLES[2].paragraphs[:2])


def squash(text: str) -> str:
    return "".join(text.split())


def selects_block(html: str, path: str, text: str) -> bool:
    """Whether `path` is a selector whose first match holds `text` (whitespace aside)."""
    node = LexborHTMLParser(html).css_first(path)
    return node is not None and squash(text) in squash(node.text(deep=True, separator=""))


def texts(html: str) -> list[tuple[str, str]]:
    return [(b.tag, b.paragraph.text) for b in extract_html(html, main_content=False).blocks]


def test_block_elements_make_blocks() -> None:
    html = """<html><body>
      <h1>Main heading</h1>
      <h3>A smaller heading</h3>
      <p>First paragraph with <b>bold</b>, <em>emphasis</em> and <a href="/x">a link</a> inside it.</p>
      <ul><li>First item</li><li>Second <span>item</span></li></ul>
      <ol><li>Numbered item</li></ol>
      <table><tr><th>Name</th><th>Score</th></tr><tr><td>Alice</td><td>42</td></tr></table>
      <pre>line one
line two</pre>
      <p>Address line one<br>Address line two<br/>Address line three</p>
      <blockquote>A quotation from someone.</blockquote>
    </body></html>"""
    assert texts(html) == [
        ("h1", "Main heading"),
        ("h3", "A smaller heading"),
        ("p", "First paragraph with bold, emphasis and a link inside it."),
        ("li", "First item"),
        ("li", "Second item"),
        ("li", "Numbered item"),
        ("tr", "Name Score"),
        ("tr", "Alice 42"),
        ("pre", "line one\nline two"),
        ("p", "Address line one"),
        ("p", "Address line two"),
        ("p", "Address line three"),
        ("blockquote", "A quotation from someone."),
    ]


def test_inline_elements_do_not_split_words_and_whitespace_collapses() -> None:
    html = "<p>  Hel<b>lo</b>\n\n   wor<i>ld</i>\t again  </p><div>loose <span>text</span> in a div</div>"
    assert texts(html) == [("p", "Hello world again"), ("div", "loose text in a div")]


def test_text_around_a_nested_block_belongs_to_the_outer_block() -> None:
    html = "<div>before <p>inside</p> after</div>"
    assert texts(html) == [("div", "before"), ("p", "inside"), ("div", "after")]


def test_pre_keeps_indentation() -> None:
    html = "<pre>def f():\n    return 1\n</pre>"
    assert texts(html) == [("pre", "def f():\n    return 1")]


INVISIBLE = f"""<html><head><title>T</title><style>p {{ color: red }}</style></head><body>
<article>{"".join(f"<p>{p}</p>" for p in ARTICLES[4].paragraphs)}</article>
<script>var secretScript = 1;</script>
<style>.secretStyle {{ }}</style>
<noscript>secret noscript</noscript>
<template><p>secret template</p></template>
<div hidden><p>secret hidden attribute</p></div>
<p aria-hidden="true">secret aria hidden</p>
<div style="display: none"><p>secret display none</p></div>
<div style="color:red;DISPLAY:NONE"><p>secret display none upper</p></div>
<span style="visibility:hidden">secret visibility</span>
<button>secret button</button>
<select><option>secret option</option></select>
<p>Visible text stays.</p>
<div aria-hidden="false"><p>Not hidden after all.</p></div>
</body></html>"""


@pytest.mark.parametrize("main_content", [True, False])
def test_invisible_elements_never_appear(main_content: bool) -> None:
    page = extract_html(INVISIBLE, main_content=main_content)
    assert "secret" not in page.text.lower()
    assert "Visible text stays." in page.text
    assert "Not hidden after all." in page.text


def test_metadata_title_canonical_host_lang() -> None:
    html = """<html lang="en-GB"><head><title> The   page title </title>
      <link rel="canonical" href="https://WWW.Example.COM/a/b?c=1"></head><body><p>x</p></body></html>"""
    page = extract_html(html)
    assert page.title == "The page title"
    assert page.canonical == "https://WWW.Example.COM/a/b?c=1"
    assert page.host == "example.com"
    assert page.lang == "en"


def test_og_metadata_and_relative_canonical() -> None:
    html = """<html><head><title>Site | Story</title><meta property="og:title" content="Story">
      <link rel="canonical" href="/relative/story"><meta property="og:url" content="https://news.example.org/story">
      </head><body><p>x</p></body></html>"""
    page = extract_html(html)
    assert page.title == "Story"
    assert page.canonical == "https://news.example.org/story"
    assert page.host == "news.example.org"


def test_no_canonical_no_host() -> None:
    page = extract_html("<html><head><title>x</title></head><body><p>y</p></body></html>")
    assert page.canonical is None and page.host is None


def test_offsets_point_into_the_page_text() -> None:
    page = extract_html(gazette_page(ARTICLES[0]))
    assert page.blocks
    for b in page.blocks:
        p = b.paragraph
        assert page.text[p.start : p.end] == p.text
    assert [b.paragraph.index for b in page.blocks] == list(range(len(page.blocks)))
    assert page.content == "\n\n".join(b.paragraph.text for b in page.blocks if b.reason is None)


ORDINARY = [
    gazette_page(ARTICLES[0]),
    gazette_page(ARTICLES[3], canonical=None),
    ledger_page(ARTICLES[1]),
    """<html><body><div id="wrap"><div class="row"><div class="col"><p>One</p><p>Two</p></div>
       <div class="col"><p>Three</p><table><tbody><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr></tbody>
       </table></div></div><ul><li>x</li><li>y<ul><li>nested</li></ul></li></ul><p>tail<br>after break</p></div>
       </body></html>""",
    "<p>Fragment one.</p><p>Fragment two.</p><section><h2>Head</h2><p>Body of the section.</p></section>",
]


@pytest.mark.parametrize("html", ORDINARY)
@pytest.mark.parametrize("main_content", [True, False])
def test_paths_are_selectors_that_find_the_block(html: str, main_content: bool) -> None:
    page = extract_html(html, main_content=main_content)
    assert page.blocks
    for b in page.blocks:
        assert selects_block(html, b.path, b.paragraph.text), (b.path, b.paragraph.text)


def test_paths_of_content_blocks_name_their_own_element() -> None:
    html = gazette_page(ARTICLES[1])
    tree = LexborHTMLParser(html)
    for b in extract_html(html).blocks:
        if b.reason is None:
            node = tree.css_first(b.path)
            assert node is not None and node.tag == b.tag
            assert squash(node.text(separator="")) == squash(b.paragraph.text)


def test_path_of_a_removed_block_names_the_part_it_sits_in() -> None:
    page = extract_html(gazette_page(ARTICLES[0]))
    by_text = {b.paragraph.text: b for b in page.blocks}
    assert by_text["Share on Facebook Share on Twitter Send by email"].path.endswith("div:nth-of-type(1)")
    assert by_text["Politics"].path == "body > header:nth-of-type(1)"
    comment = next(b for t, b in by_text.items() if t.startswith("I have lived in Riverside"))
    assert comment.path.endswith("section#comments")


def test_deep_paths_are_cut_but_their_tail_still_selects() -> None:
    depth = MAX_PATH_SEGMENTS + 20
    html = "<div>" * depth + "<p>deep paragraph</p>" + "</div>" * depth
    (block,) = extract_html(html).blocks
    assert block.path.startswith("... > ")
    tail = block.path.removeprefix("... > ")
    assert len(tail.split(" > ")) == MAX_PATH_SEGMENTS
    assert selects_block(html, tail, "deep paragraph")


def test_path_counts_hidden_siblings() -> None:
    html = f"<div hidden><p>Hidden notice.</p></div><div><p>{LONG}</p></div>"
    (block,) = extract_html(html).blocks
    assert selects_block(html, block.path, LONG)


@pytest.mark.parametrize("ident", ["story.body", "main:content"])
def test_path_escapes_ids(ident: str) -> None:
    html = f'<div id="{ident}"><p>{LONG}</p></div>'
    (block,) = extract_html(html).blocks
    assert selects_block(html, block.path, LONG)


def test_walk_records_cues_and_content_flags() -> None:
    dom = walk(gazette_page(ARTICLES[0]))
    by_text = {b.text: b for b in dom.blocks}
    assert by_text["Politics"].cue == "nav" or by_text["Politics"].cue == "header"
    assert by_text[ARTICLES[0].paragraphs[0]].content
    assert by_text[ARTICLES[0].paragraphs[0]].cue is None
    assert by_text["Share on Facebook Share on Twitter Send by email"].cue == "class~share"
    assert by_text["Market hall reopens after two years of repairs"].in_list
    assert by_text["Market hall reopens after two years of repairs"].link_density == 1.0


@pytest.mark.parametrize(
    ("klass", "cue"),
    [
        ("share-bar", "class~share"),
        ("block sidebar-widget", "class~sidebar"),
        ("has-sidebar", None),
        ("page-block-container and-w-sidebar", None),  # a layout "with sidebar", not the sidebar
        ("layout with-comments", None),
        ("post-comments", "class~comments"),
    ],
)
def test_state_words_before_a_cue_word_name_a_layout_not_a_part(klass: str, cue: str | None) -> None:
    assert element_cue("div", {"class": klass}, False)[0] == cue


def test_react_streamed_parts_are_visible_other_hidden_parts_are_not() -> None:
    html = (
        f"<html><body><footer><p>{LONG}</p></footer><template id='B:0'></template>"
        f"<div hidden id='S:0'><article><p>Streamed article text.</p></article></div>"
        f"<div hidden id='menu'><p>A closed menu.</p></div></body></html>"
    )
    texts = [b.text for b in walk(html).blocks]
    assert "Streamed article text." in texts
    assert "A closed menu." not in texts


@pytest.mark.parametrize(
    ("klass", "cue"),
    [
        ("wp-caption-text", "class~caption"),
        ("image-credit", "class~credit"),
        ("author-box", "class~author"),
        ("has-author", None),
    ],
)
def test_captions_credits_and_author_boxes_are_cues(klass: str, cue: str | None) -> None:
    assert element_cue("div", {"class": klass}, False)[0] == cue


def _owners(html: str, klass: str) -> list[str | None]:
    return [f.own for f in walk(html).frames if f.klass == klass]


def test_a_cue_on_many_separate_parts_is_a_builders_word_and_is_forgotten() -> None:
    blocks = "".join(f"<div class='widget'><p>{p}</p></div>" for p in ARTICLES[2].paragraphs * 5)
    owners = _owners(f"<html><body>{blocks}</body></html>", "widget")
    assert len(owners) > 12 and set(owners) == {None}


def test_a_cue_nested_in_one_part_names_that_part() -> None:
    # Twenty menu items inside one menu: one part of the page, however many elements carry the word.
    items = "".join(f"<li class='menu-item'><a href='/{n}'>Section {n}</a></li>" for n in range(20))
    html = f"<html><body><div class='menu'><ul>{items}</ul></div><p>{LONG}</p></body></html>"
    assert _owners(html, "menu") == ["class~menu"]
    assert set(_owners(html, "menu-item")) == {"class~menu"}


def test_interruptions_keep_their_cue_however_many() -> None:
    modals = "".join(f"<div class='modal'><p>Dialog {n}: sign in to continue.</p></div>" for n in range(15))
    owners = _owners(f"<html><body><p>{LONG}</p>{modals}</body></html>", "modal")
    assert owners == ["class~modal"] * 15
