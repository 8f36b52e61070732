"""Reading HTML inputs: discovery, sniffing by name or content, charsets, gzip, and output name clashes."""

from __future__ import annotations

import codecs
import gzip
import io
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

import dedup
from dedup.cli import app
from dedup.errors import UsageError
from dedup.readers import InputFile, discover, is_html_name, read_file, sniff_kind

PAGE = (
    "<!DOCTYPE html><html><head><title>Harbour</title></head><body><nav><a href='/'>Home</a></nav>"
    "<article><p>The harbour master said the new moorings would be ready before the summer sailing season begins "
    "in earnest next month.</p></article><footer><p>Copyright 2024 Harbour News</p></footer></body></html>"
)
CONTENT = (
    "The harbour master said the new moorings would be ready before the summer sailing season begins in earnest "
    "next month."
)


def test_discovery_picks_html_and_text_in_sorted_order(tmp_path: Path) -> None:
    root = tmp_path / "crawl"
    (root / "b").mkdir(parents=True)
    files = {
        "z.txt": b"text",
        "a.html": PAGE.encode(),
        "b/page.htm": PAGE.encode(),
        "b/old.html.gz": gzip.compress(PAGE.encode()),
        "c.xhtml": PAGE.encode(),
        "C.HTML": PAGE.encode(),
        "m.txt": b"more text",
        "skip.md": b"# not read",
        "skip.gz": gzip.compress(b"not html"),
        "skip.json": b"{}",
        "skip.txt.gz": gzip.compress(b"not read either"),
    }
    for name, data in files.items():
        (root / name).write_bytes(data)
    found = discover([str(root)])
    assert [f.id for f in found] == ["C.HTML", "a.html", "b/old.html.gz", "b/page.htm", "c.xhtml", "m.txt", "z.txt"]
    assert [f.source for f in found] == ["crawl", "crawl", "crawl/b", "crawl/b", "crawl", "crawl", "crawl"]
    kinds = {}
    for item in found:
        doc, warnings = read_file(item)
        assert doc is not None and warnings == []
        kinds[item.id] = doc.kind
    assert kinds == {
        "C.HTML": "html",
        "a.html": "html",
        "b/old.html.gz": "html",
        "b/page.htm": "html",
        "c.xhtml": "html",
        "m.txt": "text",
        "z.txt": "text",
    }


def test_html_documents_carry_folder_and_encoding_not_source(tmp_path: Path) -> None:
    (tmp_path / "site").mkdir()
    path = tmp_path / "site" / "p.html"
    path.write_bytes(b'<html><head><meta charset="windows-1252"></head><body><p>Caf\xe9</p></body></html>')
    doc, warnings = read_file(InputFile(path, "p.html", "site"))
    assert doc is not None and warnings == []
    assert doc.kind == "html" and doc.source is None  # the canonical host, if any, comes first
    assert doc.meta["folder"] == "site" and doc.meta["encoding"] == "cp1252"
    assert "Café" in doc.text


@pytest.mark.parametrize(
    "start",
    [
        "<!DOCTYPE html>\n<html><body>",
        "<!doctype HTML><html>",
        "\ufeff<!DOCTYPE html><html>",
        "  \n<html lang='en'><head>",
        "<html><body>",
        "<!-- saved page --><html><body>",
        '<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"><body>',
    ],
)
def test_txt_file_that_holds_a_page_is_html(tmp_path: Path, start: str) -> None:
    path = tmp_path / "saved.txt"
    path.write_text(start + "<p>" + CONTENT + "</p></body></html>", encoding="utf-8")
    doc, _ = read_file(InputFile(path, "saved.txt", "t"))
    assert doc is not None and doc.kind == "html"
    (result,) = dedup.clean(doc)
    assert result.text == CONTENT


@pytest.mark.parametrize(
    "text",
    [
        "Plain notes about <html> tags and how to write them.",
        "<p>A fragment without a page around it is text.</p>",
        "<!-- a comment --> and then text",
        "x < y and y > z",
    ],
)
def test_text_that_mentions_tags_stays_text(text: str) -> None:
    assert sniff_kind("notes.txt", text.encode()) == "text"


def test_is_html_name() -> None:
    assert is_html_name("a.html") and is_html_name("A.HTM") and is_html_name("x.xhtml.gz")
    assert not is_html_name("a.txt") and not is_html_name("a.gz") and not is_html_name("html")


def test_gzipped_page_is_read_and_decoded(tmp_path: Path) -> None:
    path = tmp_path / "p.html.gz"
    page = '<html><head><meta charset="koi8-r"></head><body><p>Привет</p></body></html>'
    path.write_bytes(gzip.compress(page.encode("koi8-r")))
    doc, warnings = read_file(InputFile(path, "p.html.gz", "t"))
    assert doc is not None and warnings == [] and "Привет" in doc.text


@pytest.mark.parametrize(
    ("bom", "codec"),
    [
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
        (codecs.BOM_UTF32_LE, "utf-32-le"),
        (codecs.BOM_UTF32_BE, "utf-32-be"),
    ],
)
@pytest.mark.parametrize("name", ["p.html", "p.htm.gz"])
def test_utf16_and_utf32_pages_are_not_binary(tmp_path: Path, bom: bytes, codec: str, name: str) -> None:
    src = tmp_path / "in"
    src.mkdir()
    data = bom + PAGE.replace("moorings", "Liegeplätze").encode(codec)
    (src / name).write_bytes(gzip.compress(data) if name.endswith(".gz") else data)
    report = dedup.run([str(src)], str(tmp_path / "out"))
    assert report.warnings == ()
    (result,) = report.results
    assert result.text == CONTENT.replace("moorings", "Liegeplätze")


def test_multi_member_gzip_page_is_read_whole(tmp_path: Path) -> None:
    path = tmp_path / "p.html.gz"
    half = len(PAGE) // 2
    path.write_bytes(gzip.compress(PAGE[:half].encode()) + gzip.compress(PAGE[half:].encode()))
    doc, warnings = read_file(InputFile(path, "p.html.gz", "t"))
    assert doc is not None and warnings == [] and doc.text == PAGE


def test_corrupt_second_gzip_member_keeps_the_first(tmp_path: Path) -> None:
    path = tmp_path / "p.html.gz"
    second = bytearray(gzip.compress(b"<p>second</p>"))
    second[3] = 0xFF  # reserved header flags
    path.write_bytes(gzip.compress(PAGE.encode()) + bytes(second))
    doc, warnings = read_file(InputFile(path, "p.html.gz", "t"))
    assert doc is not None and doc.text == PAGE
    (warning,) = warnings
    assert "corrupt gzip member" in warning.message and warning.path == str(path)


def test_charset_contradiction_becomes_a_warning_and_a_note(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    page = PAGE.replace("<head>", '<head><meta charset="iso-8859-1">').replace("moorings", "Liegeplätze")
    (src / "p.html").write_bytes(page.encode())
    report = dedup.run([str(src)], str(tmp_path / "out"))
    assert len(report.warnings) == 1
    assert report.warnings[0].path.endswith("p.html") and "contradicted" in report.warnings[0].message
    (result,) = report.results
    assert len([n for n in result.notes if "contradicted" in n]) == 1
    assert "Liegeplätze" in (tmp_path / "out" / "p.txt").read_text(encoding="utf-8")


def test_stdin_page_is_html(monkeypatch: pytest.MonkeyPatch) -> None:
    class Stdin:
        buffer = io.BytesIO(PAGE.encode())

    monkeypatch.setattr(sys, "stdin", Stdin)
    (item,) = discover(["-"])
    doc, warnings = read_file(item)
    assert doc is not None and doc.kind == "html" and warnings == []


def test_stdin_page_through_the_cli() -> None:
    result = CliRunner().invoke(app, ["clean", "-", "-o", "-", "-q"], input=PAGE)
    assert result.exit_code == 0, result.output
    assert result.stdout == CONTENT + "\n"
    md = CliRunner().invoke(app, ["clean", "-", "-o", "-", "-q", "--output-format", "md"], input=PAGE)
    assert md.stdout == "# Harbour\n\n" + CONTENT + "\n"


@pytest.mark.parametrize(
    ("names", "clash"),
    [
        (("page.html", "page.htm"), "page.txt"),
        (("page.html", "page.txt"), "page.txt"),
        (("page.html", "page.html.gz"), "page.txt"),
        (("page.htm", "page.xhtml"), "page.txt"),
    ],
)
def test_two_inputs_with_one_output_name_fail_before_writing(
    tmp_path: Path, names: tuple[str, str], clash: str
) -> None:
    src = tmp_path / "in"
    src.mkdir()
    for name in names:
        data = PAGE.encode() if "htm" in name else b"notes"
        (src / name).write_bytes(gzip.compress(data) if name.endswith(".gz") else data)
    out = tmp_path / "out"
    with pytest.raises(UsageError, match=repr(clash)):
        dedup.run([str(src)], str(out))
    assert not out.exists()
    result = CliRunner().invoke(app, ["clean", str(src), "-o", str(out)])
    assert result.exit_code == 2 and "same output path" in result.output
    assert not out.exists()


def test_md_format_changes_the_clash(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    (src / "page.html").write_text(PAGE, encoding="utf-8")
    (src / "page.txt").write_text("notes", encoding="utf-8")
    with pytest.raises(UsageError):
        dedup.run([str(src)], str(tmp_path / "o1"))
    dedup.run([str(src)], str(tmp_path / "o2"), dedup.Config().with_options(output_format="md"))
    assert (tmp_path / "o2" / "page.md").exists() and (tmp_path / "o2" / "page.txt").read_text() == "notes\n"


def test_scan_reports_html_without_writing(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    (src / "p.html").write_text(PAGE, encoding="utf-8")
    result = CliRunner().invoke(app, ["scan", str(src), "-q"])
    assert result.exit_code == 0
    assert '"reason": "structure"' in result.stdout and '"rule": "html.outside-main"' in result.stdout
