"""The HTML extraction harness's pure parts and the peer-runner protocol (no peer venvs, no evaluation data)."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

_ROOT = str(Path(__file__).resolve().parents[1])
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

from benchmarks import eval_html  # noqa: E402
from benchmarks.eval_html import (  # noqa: E402
    RUNNER,
    RowSpec,
    SetPages,
    ToolColumn,
    ToolOutput,
    ToolUnavailable,
    dedup_takes_html,
    dedup_texts,
    freeze_version,
    load_cached,
    make_set,
    page_lang,
    page_scores,
    peer_key,
    render_tables,
    render_worst,
    row_specs,
    run_peer,
    save_cache,
    worst_pages,
)
from benchmarks.eval_text import Page  # noqa: E402
from benchmarks.html_peer_run import echo_text, justext_language, lxml_block_text  # noqa: E402
from benchmarks.naive_text import naive_text  # noqa: E402

STOPLISTS = frozenset({"English", "German", "French", "Portuguese", "Norwegian_Bokmal", "Newar", "Nepali"})


def _page(page_id: str, gold: str = "", page_type: str | None = None, url: str | None = None) -> Page:
    return Page("wcxb", page_id, url or f"https://{page_id}.example/", gold, Path("unused.html.gz"), page_type)


def _set(htmls: list[str], name: str = "wcxb") -> SetPages:
    pages = [
        Page(name, f"p{i}", f"https://h{i}.example/", "gold text", Path("unused"), "article") for i in range(len(htmls))
    ]
    return make_set(name, pages, htmls)


# --- language ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", "English"),
        ("en-US", "English"),
        ("DE-at", "German"),
        ("pt_BR", "Portuguese"),
        ("fr", "French"),
        ("nb-NO", "Norwegian_Bokmal"),
        ("no", "Norwegian_Bokmal"),
        ("new", "Newar"),  # a three-letter subtag is looked up whole, not cut to "ne" (Nepali)
        ("ne", "Nepali"),
        ("it", "English"),  # Italian is mapped but not in this fake list of available stoplists
        ("zz", "English"),
        ("", "English"),
        (None, "English"),
    ],
)
def test_justext_language(lang: str | None, expected: str) -> None:
    assert justext_language(lang, STOPLISTS) == expected


def test_page_lang_reads_the_html_tag_only() -> None:
    assert page_lang('<!doctype html><html class="x" lang="de-DE"><body>') == "de-DE"
    assert page_lang("<HTML LANG=fr><body>") == "fr"
    assert page_lang('<html xml:lang="pt_BR">') == "pt_BR"
    assert page_lang('<html><body><div lang="es">hola</div></body></html>') is None
    assert page_lang("no markup") is None


def test_freeze_version_matches_names_loosely() -> None:
    freeze = "jusText==3.0.2\nlxml==6.1.3\nreadability-lxml==0.9\nResiliparse==2.0.1\n-e git+x#egg=y\n"
    assert freeze_version(freeze, "justext") == "3.0.2"
    assert freeze_version(freeze, "readability_lxml") == "0.9"
    assert freeze_version(freeze, "resiliparse") == "2.0.1"
    assert freeze_version(freeze, "trafilatura") is None


# --- text helpers of the runner --------------------------------------------------------------------------------------


def test_echo_text_strips_tags_scripts_and_keeps_blocks() -> None:
    html = "<html><head><title>T</title></head><body><p>One <b>two</b></p><script>x()</script><div>Three</div></body>"
    assert echo_text(html) == "One two\nThree"


def test_lxml_block_text_one_line_per_block() -> None:
    pytest.importorskip("lxml.html")
    html = "<div><h1>Title</h1><p>First  para<br>second line</p><!-- c --><ul><li>a</li><li>b</li></ul></div>"
    assert lxml_block_text(html) == "Title\nFirst para\nsecond line\na\nb"
    assert lxml_block_text("  ") == ""


# --- rows, scores, tables ------------------------------------------------------------------------------------------


def test_row_specs_split_and_type_rows() -> None:
    pages = [_page("a", page_type="article"), _page("b", page_type="forum"), _page("c", page_type=None)]
    rows = row_specs([make_set("wcxb", pages, ["", "", ""])])
    labels = [r.label for r in rows]
    assert labels[0] == "wcxb all" and labels[1:3] == ["wcxb tune", "wcxb report"]
    assert "wcxb article" in labels and "wcxb forum" in labels and "wcxb unknown" in labels
    assert "wcxb product" not in labels  # no page of that type: no row
    by_label = {r.label: r for r in rows}
    assert by_label["wcxb all"].indices == (0, 1, 2)
    assert len(by_label["wcxb tune"].indices) + len(by_label["wcxb report"].indices) == 3
    aeb = row_specs([make_set("aeb", [_page("x")], ["<p>x</p>"])])
    assert [r.label for r in aeb] == ["aeb all"]


def _fake_columns() -> tuple[list[RowSpec], list[ToolColumn]]:
    rows = [RowSpec("wcxb all", "wcxb", (0, 1)), RowSpec("wcxb forum", "wcxb", (1,))]
    good = ToolColumn("dedup", "dedup (text fallback)", version="dedup 0.1.0")
    good.outputs["wcxb"] = ToolOutput(["a", "b"], [1.0, 3.0], [None, "ValueError: x"], 0.5)
    good.scores["wcxb"] = [(1.0, 0.5, 2 / 3), (0.5, 0.5, 0.5)]
    missing = ToolColumn("readability", "readability", reason="pip install failed")
    return rows, [good, missing]


def test_render_tables_plain_and_markdown() -> None:
    rows, columns = _fake_columns()
    plain = render_tables(rows, columns, ["wcxb"], markdown=False)
    assert "dedup (text fallback)" in plain and "readability" in plain
    f1_line = next(line for line in plain.splitlines() if line.startswith("wcxb all"))
    assert f1_line.split()[3:] == ["0.583", "n/a"]  # macro F1 = (2/3 + 1/2) / 2
    assert "0.750 / 0.500" in plain
    median = next(line for line in plain.splitlines() if line.startswith("wcxb median ms"))
    assert median.split()[3:] == ["2.0", "n/a"]
    errors = next(line for line in plain.splitlines() if line.startswith("wcxb pages raised"))
    assert errors.split()[3:] == ["1", "n/a"]

    markdown = render_tables(rows, columns, ["wcxb"], markdown=True)
    tables = [block for block in markdown.split("\n\n") if block.startswith("|")]
    assert len(tables) == 3
    for table in tables:
        widths = {line.count("|") for line in table.splitlines()}
        assert len(widths) == 1  # every line has the same number of cells
    assert "| wcxb forum | 1 | 0.500 | n/a |" in markdown


def test_page_scores_use_each_sets_metric() -> None:
    text = "The quick brown fox jumps over the lazy dog"
    assert page_scores("aeb", [text, ""], [text, text]) == [(1.0, 1.0, 1.0), (0.0, 0.0, 0.0)]
    ((p, r, f1),) = page_scores("wcxb", ["THE quick"], ["the quick brown fox"])
    assert (p, r) == (1.0, 0.5) and f1 == pytest.approx(2 / 3)


def test_worst_pages_orders_by_gap() -> None:
    sp = make_set("wcxb", [_page("a"), _page("b"), _page("c")], ["", "", ""])
    dedup = [(0, 0, 0.9), (0, 0, 0.2), (0, 0, 0.5)]
    ref = [(0, 0, 0.8), (0, 0, 0.9), (0, 0, 0.9)]
    assert worst_pages(sp, dedup, ref, range(3), 5) == [(pytest.approx(0.7), 1), (pytest.approx(0.4), 2)]
    assert worst_pages(sp, dedup, ref, [0, 2], 1) == [(pytest.approx(0.4), 2)]


def test_render_worst_needs_trafilatura() -> None:
    _, columns = _fake_columns()
    assert "needs both" in render_worst(columns, [], 3, markdown=False)


# --- cache ---------------------------------------------------------------------------------------------------------


def test_cache_round_trip_and_invalidation(tmp_path: Path) -> None:
    runner = tmp_path / "runner.py"
    runner.write_text("print('v1')\n")
    key = peer_key("trafilatura", "trafilatura==2.3.1\n", runner)
    sp = _set(["<p>one</p>", "<p>two</p>", "<p>three</p>"])
    out = ToolOutput(["one", "two", ""], [1.5, 2.5, 0.1], [None, None, "ValueError: bad"], 4.2)
    path = tmp_path / "trafilatura" / "wcxb.jsonl"
    save_cache(path, key, sp, out)

    hit = load_cached(path, key, sp)
    assert hit is not None and hit.cached
    assert (hit.texts, hit.ms, hit.errors, hit.wall_seconds) == (out.texts, out.ms, out.errors, 4.2)
    # a subset of the cached pages (--limit) is still a hit
    subset = make_set("wcxb", sp.pages[:2], sp.htmls[:2])
    assert load_cached(path, key, subset) is not None
    # another tool version, another runner source, a changed page or an extra page: miss
    assert load_cached(path, peer_key("trafilatura", "trafilatura==2.4.0\n", runner), sp) is None
    runner.write_text("print('v2')\n")
    assert load_cached(path, peer_key("trafilatura", "trafilatura==2.3.1\n", runner), sp) is None
    changed = make_set("wcxb", sp.pages, ["<p>one</p>", "<p>TWO</p>", "<p>three</p>"])
    assert load_cached(path, key, changed) is None
    more = make_set("wcxb", [*sp.pages, _page("new")], [*sp.htmls, "<p>new</p>"])
    assert load_cached(path, key, more) is None
    assert load_cached(tmp_path / "absent.jsonl", key, sp) is None


def test_cache_save_keeps_other_pages_under_the_same_key(tmp_path: Path) -> None:
    runner = tmp_path / "runner.py"
    runner.write_text("x = 1\n")
    key = peer_key("justext", "jusText==3.0.2\n", runner)
    sp = _set(["<p>a</p>", "<p>b</p>"])
    path = tmp_path / "c.jsonl"
    save_cache(path, key, make_set("wcxb", sp.pages[:1], sp.htmls[:1]), ToolOutput(["a"], [1.0], [None]))
    save_cache(path, key, make_set("wcxb", sp.pages[1:], sp.htmls[1:]), ToolOutput(["b"], [2.0], [None]))
    both = load_cached(path, key, sp)
    assert both is not None and both.texts == ["a", "b"]
    other_key = peer_key("justext", "jusText==9\n", runner)
    save_cache(path, other_key, make_set("wcxb", sp.pages[1:], sp.htmls[1:]), ToolOutput(["b"], [2.0], [None]))
    assert load_cached(path, other_key, sp) is None  # the old key's entries were dropped


# --- the peer runner protocol ----------------------------------------------------------------------------------------


def _write_jsonl(path: Path, rows: list[dict[str, Any]]) -> None:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_runner_protocol_with_echo_peer(tmp_path: Path) -> None:
    src, dst = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    _write_jsonl(
        src,
        [
            {"id": "1", "html": "<p>Hello <i>world</i></p><p>Bye</p>", "lang": "en"},
            {"id": "2", "html": None, "lang": None},  # not a str: the extractor raises
            {"id": "3", "html": "<style>p{}</style>plain", "lang": "de-DE"},
        ],
    )
    proc = subprocess.run(
        [sys.executable, "-I", str(RUNNER), "echo", str(src), str(dst)], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stderr
    rows = _read_jsonl(dst)
    assert [r["id"] for r in rows] == ["1", "2", "3"]
    assert [r["text"] for r in rows] == ["Hello world\nBye", "", "plain"]
    assert rows[0]["error"] is None and rows[1]["error"].startswith("TypeError")
    assert all(isinstance(r["ms"], float) and r["ms"] >= 0 for r in rows)


def test_runner_rejects_unknown_peer(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-I", str(RUNNER), "nope", "a", "b"], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 2 and "usage" in proc.stderr


def test_runner_imports_only_the_standard_library_at_module_level() -> None:
    tree = ast.parse(RUNNER.read_text(encoding="utf-8"))
    names = set()
    for node in tree.body:  # module level only: peer imports live inside their setup functions
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0])
    assert names - {"__future__"} <= set(sys.stdlib_module_names), names


def test_run_peer_through_the_harness(tmp_path: Path) -> None:
    sp = _set(["<p>alpha</p>", "<div>beta</div><script>no()</script>"])
    src = eval_html.write_input(sp, tmp_path / "in.jsonl")
    out = run_peer("echo", Path(sys.executable), sp, src, tmp_path / "work")
    assert out.texts == ["alpha", "beta"] and out.errors == [None, None] and len(out.ms) == 2
    assert not (tmp_path / "work" / "wcxb.echo.out.jsonl").exists()


def test_run_peer_setup_failure_is_unavailable(tmp_path: Path) -> None:
    sp = _set(["<p>alpha</p>"])
    src = eval_html.write_input(sp, tmp_path / "in.jsonl")
    # trafilatura is not installed in the test interpreter (skip if it happens to be)
    try:
        import trafilatura  # type: ignore[import-not-found,unused-ignore]  # noqa: F401
    except ImportError:
        with pytest.raises(ToolUnavailable, match="cannot set up trafilatura"):
            run_peer("trafilatura", Path(sys.executable), sp, src, tmp_path / "work")
    else:
        pytest.skip("trafilatura is importable here")


CRASHING_RUNNER = """
import json, os, sys
peer, src, dst = sys.argv[1:]
with open(src) as fin, open(dst, "w") as fout:
    for line in fin:
        row = json.loads(line)
        if row["html"] == "boom":
            os._exit(9)
        fout.write(json.dumps({"id": row["id"], "text": row["html"].upper(), "ms": 1.0, "error": None}) + "\\n")
        fout.flush()
"""


def test_run_peer_survives_a_hard_crash(tmp_path: Path) -> None:
    runner = tmp_path / "crashing_runner.py"
    runner.write_text(CRASHING_RUNNER, encoding="utf-8")
    sp = _set(["a", "boom", "c", "d"])
    src = eval_html.write_input(sp, tmp_path / "in.jsonl")
    out = run_peer("fake", Path(sys.executable), sp, src, tmp_path / "work", runner=runner)
    assert out.texts == ["A", "", "C", "D"]
    assert out.errors[1] is not None and "crashed" in out.errors[1]
    assert out.error_count == 1


# --- dedup through one function -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _TextDoc:
    id: str
    text: str
    url: str | None = None


@dataclass(frozen=True)
class _HtmlDoc:
    id: str
    text: str
    url: str | None = None
    kind: str = "text"


@dataclass(frozen=True)
class _Result:
    id: str
    text: str
    kept: bool = True


@dataclass
class _Config:
    options: dict[str, Any] = field(default_factory=dict)

    def with_options(self, **options: Any) -> _Config:
        return _Config({**self.options, **options})


class _FakeDedup:
    def __init__(self, document: type) -> None:
        self.Document = document
        self.Config = _Config
        self.calls: list[list[Any]] = []

    def clean(self, docs: list[Any], config: _Config) -> list[_Result]:
        assert config.options == {"keep": "all"}
        self.calls.append(list(docs))
        return [_Result(d.id, f"{getattr(d, 'kind', 'text')}:{d.text}") for d in docs]


def test_dedup_texts_falls_back_to_naive_text_without_kind() -> None:
    module = _FakeDedup(_TextDoc)
    html = "<html><body><p>Hello</p><script>x</script><p>there</p></body></html>"
    pages = [(_page("a"), html), (_page("b"), "<p>b</p>")]
    assert not dedup_takes_html(module)
    stats: dict[str, float] = {}
    texts, ms = dedup_texts(module, pages, stats=stats)
    assert texts == [f"text:{naive_text(html)}", "text:b"]
    assert len(ms) == 2 and "batch_seconds" in stats
    assert [len(c) for c in module.calls] == [2, 1, 1, 1]  # one batch, one warm-up, one call per page


def test_dedup_texts_passes_html_when_document_has_kind() -> None:
    module = _FakeDedup(_HtmlDoc)
    assert dedup_takes_html(module)
    texts, ms = dedup_texts(module, [(_page("a"), "<p>x</p>")], page_timing=False)
    assert texts == ["html:<p>x</p>"] and ms == []
    assert len(module.calls) == 1


@pytest.mark.integration
def test_dedup_times_run_in_a_fresh_process() -> None:
    """The isolated path imports dedup by name in a new interpreter: same texts, one time per page."""
    import dedup

    pages = [(_page("a"), "<html><body><p>Hello there, a paragraph.</p></body></html>"), (_page("b"), "<p>b</p>")]
    texts, ms = dedup_texts(dedup, pages, isolate=True)
    assert texts == dedup_texts(dedup, pages, page_timing=False)[0]
    assert len(ms) == 2 and all(m > 0 for m in ms)
    out = eval_html.in_fresh_process(eval_html._extract_pages, "dedup", [html for _, html in pages])
    assert out.texts == [str(dedup.extract_html(html).content) for _, html in pages]
    assert len(out.ms) == 2 and out.errors == [None, None]
