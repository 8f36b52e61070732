"""The Deduper: verdicts one document at a time, boilerplate learned online, persistence, bad input, threads."""

from __future__ import annotations

import threading
import zipfile
from pathlib import Path

import numpy as np
import pytest

from dedup import Config, ConfigError, Document, UsageError
from dedup.deduper import Deduper, DuplicateIdError, IndexRun, clean_with_index, make_document
from dedup.index import IndexFormatError, MemoryIndex, _MultiMap, read_manifest

STORY = [
    "The city council approved a new budget on Monday after weeks of debate among its members.",
    "Spending on public transport will rise by a tenth, while road repairs receive less money.",
    "The mayor said the plan balanced the needs of commuters and residents of outer districts.",
]
FOOTER = "Copyright Example Media Group, all content is protected under the laws of the land."
TOPICS = ["bridge", "harbour", "library", "stadium", "museum", "airport", "market", "station"]


def page(i: int, extra: str = "") -> str:
    topic = TOPICS[i % len(TOPICS)]
    return "\n\n".join(
        [
            f"Story {i}: the {topic} that the council discussed at length on Monday evening was approved in the end.",
            f"Residents near the {topic} said they had waited {i + 2} years for a decision on the plans.",
            *([extra] if extra else []),
            FOOTER,
        ]
    )


def test_add_returns_the_verdict_and_names_the_earlier_page() -> None:
    d = Deduper()
    first = d.add("a", "\n\n".join(STORY), url="https://news.example/a")
    assert first.kept and first.duplicate_of is None and first.source == "news.example"
    edited = [*STORY[:2], STORY[2].replace("mayor", "major")]
    second = d.add("b", "\n\n".join(edited), url="https://other.example/b")
    assert not second.kept and second.duplicate_of == "a"
    assert second.similarity is not None and 0.8 <= second.similarity < 1.0
    assert second.text == ""
    exact = d.add("c", "\n\n".join(STORY), url="https://third.example/c")
    assert exact.duplicate_of == "a" and exact.similarity == 1.0
    assert len(d) == 3 and "b" in d and "z" not in d


def test_keep_all_keeps_the_duplicate_and_names_it() -> None:
    d = Deduper(Config().with_options(keep="all"))
    d.add("a", "\n\n".join(STORY))
    r = d.add("b", "\n\n".join(STORY))
    assert r.kept and r.duplicate_of == "a" and r.text == "\n\n".join(STORY)


def test_keep_longest_needs_batch_mode() -> None:
    with pytest.raises(ConfigError, match="batch mode"):
        Deduper(Config().with_options(keep="longest"))


def test_check_does_not_add() -> None:
    d = Deduper()
    d.add("a", "\n\n".join(STORY))
    r = d.check("b", "\n\n".join(STORY))
    assert r.duplicate_of == "a"
    assert len(d) == 1 and "b" not in d
    assert d.check("a", "\n\n".join(STORY)).duplicate_of == "a"  # checking an indexed id is fine


def test_boilerplate_is_learned_from_the_kth_page_of_a_source() -> None:
    d = Deduper(Config().with_options(min_docs=3))
    results = [d.add(f"p{i}", page(i), url=f"https://news.example/{i}") for i in range(5)]
    assert [FOOTER in r.text for r in results] == [True, True, False, False, False]
    removal = next(r for r in results[3].removals if r.reason == "boilerplate")
    assert removal.text == FOOTER and removal.ref_docs == ("p0", "p1", "p2")
    assert "boilerplate" in removal.explain()
    # Another source has not shown it on three pages: kept there.
    other = d.add("o1", page(6), url="https://elsewhere.example/1")
    assert FOOTER in other.text


def test_source_defaults_to_the_url_host_and_can_be_given() -> None:
    d = Deduper()
    assert d.add("a", "one two three", url="https://www.Example.com/x").source == "example.com"
    assert d.add("b", "four five six", url="https://example.com/y", source="feed").source == "feed"
    assert d.add("c", "seven eight nine").source == ""


def test_same_id_twice_is_refused_and_changes_nothing() -> None:
    d = Deduper()
    d.add("a", "\n\n".join(STORY))
    with pytest.raises(DuplicateIdError, match="already in the index"):
        d.add("a", "something else entirely, a different page with its own words")
    assert isinstance(DuplicateIdError("x"), UsageError)
    assert len(d) == 1


def test_html_is_detected_and_extracted() -> None:
    html = (
        "<!doctype html><html><head><title>T</title></head><body><nav><a href='/'>Home</a> <a href='/n'>News</a></nav>"
        f"<article>{''.join(f'<p>{p}</p>' for p in STORY)}</article><footer>{FOOTER}</footer></body></html>"
    )
    d = Deduper()
    r = d.add("h", html, url="https://news.example/h")
    assert r.text.split("\n\n") == STORY
    assert any(x.reason == "structure" for x in r.removals)
    assert make_document("x", html.encode()).kind == "html"
    assert make_document("x", "plain words").kind == "text"
    assert make_document("x", "<p>x</p>", kind="text").kind == "text"
    # The same story as plain text is a duplicate of the page.
    assert d.check("t", "\n\n".join(STORY)).duplicate_of == "h"


def test_bytes_and_bad_arguments() -> None:
    doc = make_document("b", b"caf\xc3\xa9 au lait \xff end")
    assert doc.text.startswith("café") and doc.meta["notes"]
    with pytest.raises(UsageError):
        make_document("", "x")
    with pytest.raises(UsageError):
        make_document("a", "x", kind="pdf")  # type: ignore[arg-type]
    with pytest.raises(UsageError):
        make_document("a", 3)  # type: ignore[arg-type]


def test_empty_and_tiny_documents_are_never_duplicates() -> None:
    d = Deduper()
    assert d.add("e1", "").notes == ("empty document",)
    assert d.add("e2", "").duplicate_of is None
    assert d.add("t1", "short line").duplicate_of is None
    assert d.add("t2", "short line").duplicate_of is None  # under min_tokens: not matched, like batch mode


def test_same_documents_same_order_same_results() -> None:
    docs = [Document(f"p{i}", page(i), url=f"https://s{i % 2}.example/{i}") for i in range(6)]
    docs.append(Document("copy", page(2), url="https://s1.example/copy"))
    a, b = Deduper(), Deduper()
    assert [a.add_document(d) for d in docs] == [b.add_document(d) for d in docs]


# -- persistence --------------------------------------------------------------------------------------------------


def test_save_and_load_continue_exactly(tmp_path: Path) -> None:
    docs = [Document(f"p{i}", page(i), url=f"https://news.example/{i}") for i in range(8)]
    docs += [Document("dup", page(3), url="https://other.example/d")]
    whole = Deduper()
    expected = [whole.add_document(d) for d in docs]
    first = Deduper()
    got = [first.add_document(d) for d in docs[:4]]
    path = tmp_path / "crawl.dedup"
    first.save(path)
    again = Deduper.load(path)
    got += [again.add_document(d) for d in docs[4:]]
    assert got == expected
    manifest = read_manifest(path)
    assert manifest["docs"] == 4 and manifest["scheme"] == "affine32"
    assert manifest["lsh"]["bands"] == again.params.bands
    # Saving over an existing index replaces it whole.
    again.save(path)
    assert len(Deduper.load(path)) == len(docs)


def test_save_is_atomic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    d = Deduper()
    d.add("a", page(1))
    path = tmp_path / "i.dedup"
    d.save(path)
    before = path.read_bytes()
    d.add("b", page(2))

    def broken(*args: object, **kwargs: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(np.lib.format, "write_array", broken)
    with pytest.raises(OSError, match="disk full"):
        d.save(path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["i.dedup"]  # no temporary file left


def test_loading_with_other_parameters_is_refused(tmp_path: Path) -> None:
    d = Deduper(Config().with_options(min_docs=4, ngram=4))
    d.add("a", page(1))
    path = tmp_path / "i.dedup"
    d.save(path)
    with pytest.raises(ConfigError, match=r"minhash.ngram \(index: 4, given: 3\).*repeats.min_docs"):
        Deduper.load(path, Config())
    loaded = Deduper.load(path)
    assert loaded.config.minhash.ngram == 4 and loaded.config.repeats.min_docs == 4
    # Options that do not change the index (output, batch size) may differ.
    Deduper.load(path, Config().with_options(min_docs=4, ngram=4, batch_bytes=4096, force=True))


def test_a_damaged_index_is_an_error_never_an_empty_index(tmp_path: Path) -> None:
    d = Deduper()
    for i in range(5):
        d.add(f"p{i}", page(i))
    path = tmp_path / "i.dedup"
    d.save(path)
    data = path.read_bytes()
    cases = {
        "truncated": data[: len(data) // 2],
        "empty": b"",
        "not an index": b"hello world",
        "flipped": data[:200] + bytes([data[200] ^ 0xFF]) + data[201:],
    }
    for name, content in cases.items():
        bad = tmp_path / f"{name}.dedup"
        bad.write_bytes(content)
        with pytest.raises(IndexFormatError):
            Deduper.load(bad)
    with pytest.raises(IndexFormatError, match="no index"):
        Deduper.load(tmp_path / "missing.dedup")
    with pytest.raises(IndexFormatError, match="directory"):
        Deduper.load(tmp_path)


def test_an_index_whose_arrays_disagree_is_refused(tmp_path: Path) -> None:
    d = Deduper()
    for i in range(3):
        d.add(f"p{i}", page(i))
    path = tmp_path / "i.dedup"
    d.save(path)
    # A well-formed zip whose manifest claims more documents than the arrays hold.
    forged = tmp_path / "forged.dedup"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(forged, "w") as dst:
        for item in src.namelist():
            content = src.read(item)
            if item == "manifest.json":
                content = content.replace(b'"docs": 3', b'"docs": 7')
            dst.writestr(item, content)
    with pytest.raises(IndexFormatError, match="damaged"):
        Deduper.load(forged)


def test_clean_with_index_reports_matches_from_the_index(tmp_path: Path) -> None:
    path = tmp_path / "i.dedup"
    with pytest.raises(UsageError, match="update-index"):
        clean_with_index([], path)
    old = [Document(f"old{i}", page(i), url=f"https://news.example/{i}") for i in range(3)]
    run = clean_with_index(old, path, update=True)
    assert isinstance(run, IndexRun) and run.indexed == 0 and run.matched == {}
    new = [
        Document("new0", page(1), url="https://mirror.example/0"),
        Document("new1", page(5), url="https://news.example/5"),
        Document("new2", page(5), url="https://news.example/6"),
    ]
    run = clean_with_index(new, path)
    assert run.indexed == 3
    assert run.matched == {"new0": "old1"}  # new2 repeats new1, a page of this run, not of the index
    assert [r.duplicate_of for r in run.results] == ["old1", None, "new1"]
    assert FOOTER not in run.results[1].text  # the index taught that it is boilerplate of news.example
    assert len(Deduper.load(path)) == 3  # not updated
    run = clean_with_index([*new, old[2]], path, update=True)
    assert len(Deduper.load(path)) == 6
    assert run.results[-1].duplicate_of == "old2"  # an indexed id is checked, not added again


# -- threads ------------------------------------------------------------------------------------------------------


def test_threads_adding_the_same_pages_get_one_new_verdict_each() -> None:
    d = Deduper()
    texts = [page(i) for i in range(8)]
    verdicts: list[tuple[int, bool]] = []
    lock = threading.Lock()
    start = threading.Barrier(4)

    def work(t: int) -> None:
        start.wait()
        for i, text in enumerate(texts):
            # One source per thread: min_docs copies of a page in one source would make it all boilerplate.
            r = d.add(f"t{t}-{i}", text, url=f"https://t{t}.example/{i}")
            with lock:
                verdicts.append((i, r.kept))

    threads = [threading.Thread(target=work, args=(t,)) for t in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert len(d) == 32
    for i in range(8):
        assert sum(kept for j, kept in verdicts if j == i) == 1


# -- the in-memory structures -------------------------------------------------------------------------------------


def test_multimap_keeps_insertion_order_across_merges() -> None:
    m = _MultiMap(np.uint32)
    rng = np.random.default_rng(3)
    keys = rng.integers(0, 50, 20_000).tolist()
    expected: dict[int, list[int]] = {}
    for v, k in enumerate(keys):
        m.add(k, v)
        expected.setdefault(k, []).append(v)
        if v % 997 == 0:
            assert m.get(k).tolist() == expected[k]
    for k, vs in expected.items():
        assert m.get(k).tolist() == vs
    assert m.get(10**12).tolist() == []


def test_memory_per_document_is_bounded() -> None:
    d = Deduper()
    for i in range(200):
        d.add(f"p{i}", page(i) + f"\n\nA closing line number {i} with words of its own to make it unique here.")
    assert isinstance(d.index, MemoryIndex)
    assert d.nbytes / len(d) < 4096
