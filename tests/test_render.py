from __future__ import annotations

from pathlib import Path

import pytest

import dedup
from dedup import Config, Document, Result
from dedup.render import output_name, render


@pytest.mark.parametrize(
    ("doc_id", "kind", "fmt", "expected"),
    [
        ("a/page.html.gz", "html", "txt", "a/page.txt"),
        ("a/page.html", "html", "txt", "a/page.txt"),
        ("page.htm", "html", "md", "page.md"),
        ("page.xhtml", "html", "html", "page.html"),
        ("site/Index.HTML", "html", "txt", "site/Index.txt"),
        ("site/page.HTM.GZ", "html", "md", "site/page.md"),
        ("page.html", "html", "html", "page.html"),
        ("news.txt", "html", "txt", "news.txt"),  # a .txt file that holds a page keeps its name
        ("stdin.txt", "html", "txt", "stdin.txt"),
        ("a/b.txt", "text", "txt", "a/b.txt"),
        ("a/b.txt", "text", "md", "a/b.txt"),
        ("a/b.txt", "text", "html", "a/b.txt"),
        ("notes.html.txt", "text", "md", "notes.html.txt"),
    ],
)
def test_output_name(doc_id: str, kind: str, fmt: str, expected: str) -> None:
    assert output_name(doc_id, kind, fmt) == expected


def html_result(blocks: tuple[tuple[str, str], ...], title: str | None = "The title") -> Result:
    text = "\n\n".join(t for _, t in blocks)
    return Result(id="p.html", text=text, kept=True, source="s", title=title, blocks=blocks)


BLOCKS = (
    ("h1", "Main heading"),
    ("p", "A paragraph of prose."),
    ("h3", "A section"),
    ("li", "First item"),
    ("li", "Second item"),
    ("p", "Between lists."),
    ("li", "Another list"),
    ("blockquote", "Quoted line one\nQuoted line two"),
    ("pre", "def f():\n    return 1 < 2 & 3"),
    ("tr", "Cell one Cell two"),
)


def test_markdown_rendering() -> None:
    md = render(html_result(BLOCKS), "md")
    assert md == (
        "# The title\n\n"
        "## Main heading\n\n"  # below the title's level
        "A paragraph of prose.\n\n"
        "### A section\n\n"
        "- First item\n\n"
        "- Second item\n\n"
        "Between lists.\n\n"
        "- Another list\n\n"
        "> Quoted line one\n> Quoted line two\n\n"
        "```\ndef f():\n    return 1 < 2 & 3\n```\n\n"
        "Cell one Cell two\n"
    )


def test_markdown_without_title_keeps_heading_levels() -> None:
    md = render(html_result((("h1", "Top"), ("h2", "Second"), ("p", "Text.")), title=None), "md")
    assert md == "# Top\n\n## Second\n\nText.\n"


def test_html_rendering_escapes_and_groups_list_items() -> None:
    blocks = (
        ("h2", "Fish & chips <cheap>"),
        ("p", 'A < B & "C"'),
        ("li", "one & two"),
        ("li", "<three>"),
        ("p", "after"),
        ("li", "last"),
    )
    out = render(html_result(blocks, title="Q&A <live>"), "html")
    lines = out.splitlines()
    assert out.endswith("</body></html>\n")
    assert lines[0] == "<!doctype html>"
    assert "<title>Q&amp;A &lt;live&gt;</title></head><body>" in lines
    assert lines[lines.index("<title>Q&amp;A &lt;live&gt;</title></head><body>") + 1 :] == [
        "<h1>Q&amp;A &lt;live&gt;</h1>",
        "<h2>Fish &amp; chips &lt;cheap&gt;</h2>",
        "<p>A &lt; B &amp; &quot;C&quot;</p>",
        "<ul>",
        "<li>one &amp; two</li>",
        "<li>&lt;three&gt;</li>",
        "</ul>",
        "<p>after</p>",
        "<ul>",
        "<li>last</li>",
        "</ul>",
        "</body></html>",
    ]
    assert "<cheap>" not in out and "<three>" not in out


def test_html_rendering_of_pre_and_blockquote() -> None:
    out = render(html_result((("pre", "x < 1\n  y"), ("blockquote", "Said & done")), title=None), "html")
    assert "<pre>x &lt; 1\n  y</pre>" in out
    assert "<blockquote>Said &amp; done</blockquote>" in out
    assert "<h1>" not in out and "<title></title>" in out


@pytest.mark.parametrize("fmt", ["txt", "md", "html"])
def test_text_results_render_as_their_text(fmt: str) -> None:
    r = Result(id="a.txt", text="First paragraph.\n\nSecond < third & fourth.", kept=True, source="s")
    assert render(r, fmt) == "First paragraph.\n\nSecond < third & fourth.\n"


@pytest.mark.parametrize("fmt", ["txt", "md", "html"])
def test_empty_text_result_renders_empty(fmt: str) -> None:
    assert render(Result(id="a.txt", text="", kept=True, source="s"), fmt) == ""


def test_txt_rendering_of_html_is_the_text() -> None:
    r = html_result(BLOCKS)
    assert render(r, "txt") == r.text + "\n"


PAGE = """<!DOCTYPE html><html><head><title>Budget day</title></head><body>
<nav><a href="/">Home</a> <a href="/news">News</a></nav>
<article><h1>Budget day</h1>
<p>The council set its budget on Thursday after a long debate about libraries, buses and the swimming pool.</p>
<h2>What changes</h2>
<ul><li>Bus fares freeze for a year &amp; a day</li><li>Library hours extended on Sundays</li></ul>
<p>Councillors said the settlement was the fairest they could reach with the money the government provides.</p>
</article><footer><p>Copyright 2024 The Gazette. All rights reserved.</p></footer></body></html>"""


@pytest.mark.parametrize("fmt", ["txt", "md", "html"])
def test_run_writes_each_format(tmp_path: Path, fmt: str) -> None:
    src = tmp_path / "in"
    src.mkdir()
    (src / "budget.html").write_text(PAGE, encoding="utf-8")
    (src / "notes.txt").write_text("Plain notes & <angle> brackets stay as they are.\n", encoding="utf-8")
    out = tmp_path / "out"
    dedup.run([str(src)], str(out), Config().with_options(output_format=fmt))
    names = sorted(p.name for p in out.iterdir())
    assert names == sorted([f"budget.{fmt}", "notes.txt", "report.jsonl", "summary.json"])
    # Text input is always written as text.
    assert (out / "notes.txt").read_text(encoding="utf-8") == "Plain notes & <angle> brackets stay as they are.\n"
    written = (out / f"budget.{fmt}").read_text(encoding="utf-8")
    assert "Home" not in written and "Copyright" not in written
    if fmt == "txt":
        assert written.startswith("The council set its budget")
        assert "Bus fares freeze for a year & a day" in written
    elif fmt == "md":
        assert written.startswith("# Budget day\n\nThe council set its budget")
        assert "## What changes\n\n- Bus fares freeze for a year & a day\n\n- Library hours" in written
    else:
        assert "<title>Budget day</title>" in written
        assert "<ul>\n<li>Bus fares freeze for a year &amp; a day</li>\n<li>Library hours" in written


def test_clean_html_document_carries_title_and_blocks() -> None:
    (r,) = dedup.clean(Document(id="b.html", text=PAGE, kind="html"))
    assert r.title == "Budget day"
    assert r.blocks[0] == ("p", r.text.split("\n\n")[0])
    assert ("h2", "What changes") in r.blocks
    assert [t for _, t in r.blocks] == r.text.split("\n\n")
