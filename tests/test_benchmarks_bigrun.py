"""The large-corpus benchmark harness (benchmarks.bigrun) and its peer pipelines (benchmarks.bigpeers): process-tree
measuring, the table, and the pipeline logic on a tiny corpus. The text-dedup pipeline runs in its own venv and is
skipped when that venv is absent."""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path
from typing import Any

import pytest

from benchmarks import bigcorpus as bc
from benchmarks import bigpeers as bp
from benchmarks import bigrun as br

ROOT = Path(__file__).resolve().parents[1]
TEXT_DEDUP_PYTHON = br.VENVS / "text-dedup" / "bin" / "python"

# --- measuring ----------------------------------------------------------------------------------------------------


def test_parse_stat_counts_fields_after_the_last_parenthesis() -> None:
    fields = " ".join(str(n) for n in range(3, 30))  # field 3 (state) onwards: ppid is 4, utime 14, stime 15
    assert br.parse_stat(f"42 (odd) name (x)) {fields}") == (4, 14 + 15)
    assert br.parse_stat("42 (short) S 1") is None


def test_descendants_walks_the_whole_tree() -> None:
    table = {1: (0, 0), 10: (1, 0), 11: (10, 0), 12: (11, 0), 20: (1, 0), 30: (99, 0)}
    assert sorted(br.descendants(10, table)) == [10, 11, 12]
    assert br.descendants(30, table) == [30]


def _fake_proc(root: Path, procs: dict[int, tuple[int, int, int]]) -> None:
    """pid -> (ppid, cpu ticks, resident pages) as /proc files."""
    for pid, (ppid, ticks, pages) in procs.items():
        d = root / str(pid)
        d.mkdir()
        rest = ["S", str(ppid), *["0"] * 9, str(ticks), "0", *["0"] * 10]
        (d / "stat").write_text(f"{pid} (py thon) {' '.join(rest)}\n")
        (d / "statm").write_text(f"1000 {pages} 0 0 0 0 0\n")
    (root / "self").mkdir()  # not a pid: ignored


def test_sampler_sums_the_tree_and_keeps_the_peak(tmp_path: Path) -> None:
    _fake_proc(tmp_path, {5: (1, 100, 10), 6: (5, 50, 20), 7: (6, 25, 5), 8: (1, 999, 1000)})
    sampler = br.TreeSampler(5, proc=tmp_path)
    sampler.sample()
    assert sampler.peak_rss == 35 * br.PAGE_SIZE
    assert sampler.max_processes == 3
    assert sampler.sampled_cpu == pytest.approx(175 / br.CLOCK_TICKS)
    (tmp_path / "6" / "statm").write_text("1000 2 0\n")  # the tree shrinks: the peak stays
    sampler.sample()
    assert sampler.peak_rss == 35 * br.PAGE_SIZE


CHILD = """
import subprocess, sys, time
block = b"x" * (60 * 1000 * 1000)  # resident, unlike a zeroed bytearray
child = subprocess.Popen([sys.executable, "-c", "import time; b = b'y' * (60 * 1000 * 1000); time.sleep(0.8)"])
sum(range(2_000_000))
child.wait()
sys.exit(3)
"""


@pytest.mark.skipif(not Path("/proc/self/statm").is_file(), reason="needs Linux /proc")
def test_measure_sees_the_tree_peak_and_its_cpu() -> None:
    m = br.measure([sys.executable, "-c", CHILD], interval=0.05)
    assert m.returncode == 3
    assert m.wall > 0.8
    assert m.cpu > 0.0 and m.cpu <= m.wall * 2 + 0.5
    # Two processes of some 60 MB each at once: the tree's peak holds both. (ru_maxrss cannot be checked against
    # it: Linux carries the launching process's own high-water RSS over the exec, here the test runner's.)
    assert 110 * br.MB < m.tree_peak_rss < 110 * br.MB + 2 * 60 * br.MB
    assert m.peak_rss == m.tree_peak_rss
    assert m.max_processes == 2


# --- contestants, corpora, table -----------------------------------------------------------------------------------


def test_commands_pass_dedup_arguments_through(tmp_path: Path) -> None:
    dedup, peer = br.contestants(["dedup", "datasketch"], venvs=tmp_path)
    cmd = br.command_for(dedup, Path("c.jsonl"), Path("o"), ["--jobs", "2"])
    assert cmd[1:] == ["-m", "dedup", "clean", "c.jsonl", "-o", "o", "--jobs", "2"]
    cmd = br.command_for(peer, Path("c.jsonl"), Path("o"), ["--jobs", "2"], peer_jobs=3)
    assert cmd[1:] == ["-m", "benchmarks.bigpeers", "datasketch", "c.jsonl", "o", "--jobs", "3"]


def test_text_dedup_contestant_reports_a_missing_failed_or_other_venv(tmp_path: Path) -> None:
    (c,) = br.contestants(["text-dedup"], venvs=tmp_path)
    assert c.python is None and "setup_peers.sh" in c.reason
    venv = tmp_path / "text-dedup"
    (venv / "bin").mkdir(parents=True)
    (venv / "FAILED").write_text("pip install text-dedup failed: no wheel\n")
    (c,) = br.contestants(["text-dedup"], venvs=tmp_path)
    assert c.python is None and c.reason == "pip install text-dedup failed: no wheel"
    (venv / "FAILED").unlink()
    (venv / "bin" / "python").write_text("")
    (venv / "FREEZE").write_text("numpy==2.0.0\ntext_dedup==0.3.9\n")
    (c,) = br.contestants(["text-dedup"], venvs=tmp_path)
    assert c.python is not None and "0.3.9" in c.reason
    (venv / "FREEZE").write_text(f"text-dedup=={br.TEXT_DEDUP_VERSION}\n")
    assert br.contestants(["text-dedup"], venvs=tmp_path)[0].reason == ""
    with pytest.raises(ValueError):
        br.contestants(["rensa"], venvs=tmp_path)


def test_corpus_ready_needs_a_finished_meta_with_the_same_parameters(tmp_path: Path) -> None:
    assert not br.corpus_ready(tmp_path, 10, 1)
    (tmp_path / "corpus.jsonl").write_text("")
    (tmp_path / "meta.json").write_text(json.dumps({"parameters": {"docs": 10, "seed": 1}}))
    assert br.corpus_ready(tmp_path, 10, 1)
    assert not br.corpus_ready(tmp_path, 10, 2)
    assert not br.corpus_ready(tmp_path, 20, 1)


def test_last_json_line_skips_progress_output(tmp_path: Path) -> None:
    path = tmp_path / "log"
    path.write_text('progress 10%\n{"a": 1}\n{broken\n\n')
    assert br.last_json_line(path) == {"a": 1}
    assert br.last_json_line(tmp_path / "missing") is None


def _result(tool: str, docs: int, wall: float, cpu: float, **extra: Any) -> dict[str, Any]:
    return {
        "tool": tool,
        "docs": docs,
        "input_bytes": docs * 2_000,
        "measurement": {"wall": wall, "cpu": cpu, "peak_rss": 300 * br.MB},
        "error": None,
        "score": {"precision": 0.995, "recall": 0.951},
    } | extra


def test_table_ratios_and_cost_per_document() -> None:
    results = [
        _result("dedup", 10_000, 10.0, 8.0),
        _result("datasketch", 10_000, 50.0, 40.0),
        _result("dedup", 100_000, 100.0, 96.0),
        _result("datasketch", 100_000, 400.0, 400.0),
        _result("text-dedup", 100_000, 1.0, 1.0, measurement=None, error="not available (no venv)"),
    ]
    rows = {(r[0], r[1]): dict(zip(br.HEADER, r, strict=True)) for r in br.table_rows(results)}
    d10, s10, d100, s100 = (
        rows[("10,000", "dedup")],
        rows[("10,000", "datasketch")],
        rows[("100,000", "dedup")],
        rows[("100,000", "datasketch")],
    )
    assert (s10["wall / dedup"], s10["CPU / dedup"]) == ("5.00x", "5.00x")
    assert (s100["wall / dedup"], s100["CPU / dedup"]) == ("4.00x", "4.17x")
    assert d10["wall / dedup"] == "" and d10["CPU/doc vs 10k"] == "1.00"
    assert d100["CPU/doc vs 10k"] == "1.20" and s100["CPU/doc vs 10k"] == "1.00"
    assert d10["input MB"] == "20.0" and d10["MB/s"] == "2.00" and d10["MB/s per core"] == "2.50"
    assert d10["docs/s"] == "1,000" and d10["peak RSS MB"] == "300"
    assert (d10["precision"], d10["recall"]) == ("0.995", "0.951")
    assert rows[("100,000", "text-dedup")]["wall s"] == "not available (no venv)"


def test_cost_per_document_falls_back_to_the_smallest_size() -> None:
    rows = br.table_rows([_result("dedup", 100_000, 10.0, 10.0), _result("dedup", 1_000_000, 120.0, 120.0)])
    assert [r[br.HEADER.index("CPU/doc vs 10k")] for r in rows] == ["1.00 (vs 100,000)", "1.20 (vs 100,000)"]


def test_render_markdown_and_text() -> None:
    data = {"results": [_result("dedup", 10_000, 10.0, 8.0)], "corpora": [], "dedup_args": ["--jobs", "2"]}
    md = br.render(data, markdown=True).splitlines()
    assert md[0].startswith("| docs | tool | wall s |") and md[1].startswith("|---|")
    assert any("`python -m dedup clean corpus.jsonl -o OUT --jobs 2`" in line for line in md)
    text = br.render(data).splitlines()
    assert text[0].split()[:3] == ["docs", "tool", "wall"]
    assert len(text[0]) == len(text[1])


# --- the peer pipelines -------------------------------------------------------------------------------------------


def test_tokens_follow_dedup() -> None:
    from dedup.shingle import tokens as dedup_tokens

    for text in ("Straße, ÉTÉ — l'été 2024!", "中文分词 テスト ok_go", "Привет, мир; x2 y_3", "a\u0301b"):
        assert bp.tokens(text) == dedup_tokens(text), text


def test_keys_paragraphs_and_shingles() -> None:
    assert bp.match_key("  Hello,   WORLD!! ") == "hello world"
    assert bp.paragraphs("a\n\nb\n \n\nc\nd\n\n") == ["a", "b", "c\nd"]
    assert bp.paragraphs("\n\n") == []
    assert bp.word_shingles(["a", "b"]) == ["a b"]
    assert bp.word_shingles(["a", "b", "c", "a", "b", "c"]) == ["a b c", "b c a", "c a b"]
    assert bp.word_shingles([]) == []


def test_union_find_roots_at_the_first_member() -> None:
    uf = bp.UnionFind()
    uf.union(5, 3)
    uf.union(7, 5)
    uf.union(9, 8)
    assert [uf.find(i) for i in (3, 5, 7, 8, 9, 4)] == [3, 3, 3, 8, 8, 4]
    uf.union(9, 7)
    assert uf.find(8) == 3


def test_pairwise_repeats_compare_with_kept_rows_only() -> None:
    import numpy as np

    a = np.arange(8, dtype=np.uint64)
    b = a.copy()
    b[:3] += 100  # 5/8 equal to a
    c = b.copy()
    c[3:6] += 100  # 2/8 equal to a, 5/8 equal to b
    assert bp.pairwise_repeats(np.vstack([a, b, c])) == {1: 0}  # c is near b, but b is gone
    assert bp.pairwise_repeats(np.vstack([a])) == {}


def _words(rng: random.Random, n: int) -> str:
    return " ".join(f"w{rng.randrange(100_000)}" for _ in range(n))


def tiny_corpus(path: Path) -> list[dict[str, Any]]:
    rng = random.Random(7)
    a, b, c = _words(rng, 30), _words(rng, 30), _words(rng, 40)
    b_near = b.rsplit(" ", 1)[0] + " changed"  # the last of 30 words changed: word 3-gram Jaccard 27/29
    page = f"{a}\n\n{b}\n\n{a.upper()}!\n\n{b_near}\n\nShare"
    records: list[dict[str, Any]] = [
        {"id": "p0", "url": "https://a.example/0", "text": page},
        {"id": "p1", "url": "https://b.example/1", "text": page, "extra": 1},  # the same page elsewhere
        {"id": "p2", "url": "https://a.example/2", "text": f"{c}\n\n{_words(rng, 25)}"},
        {"id": "p3", "url": "https://a.example/3", "text": "Too short to match.\n\nToo short to match."},
        {"id": "p4", "url": "https://a.example/4", "text": ""},
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return records


class ExactEngine(bp.Engine):
    """Exact Jaccard instead of MinHash: the shared pipeline logic without a peer."""

    name = "exact"

    def __init__(self) -> None:
        self.docs: list[tuple[int, frozenset[str]]] = []

    def sign_paragraphs(self, token_lists: list[list[str]]) -> list[Any]:
        return [frozenset(bp.word_shingles(t)) for t in token_lists]

    def near_repeats(self, signatures: list[Any]) -> dict[int, int]:
        def similar(i: int, kept: Any) -> int | None:
            best = max(kept, key=lambda j: len(signatures[i] & signatures[j]) / len(signatures[i] | signatures[j]))
            sim = len(signatures[i] & signatures[best]) / len(signatures[i] | signatures[best])
            return best if sim >= bp.THRESHOLD else None

        return bp.greedy_repeats(similar, len(signatures))

    def sign_documents(self, token_lists: list[list[str]]) -> list[Any]:
        return self.sign_paragraphs(token_lists)

    def add_document(self, index: int, signature: Any) -> None:
        self.docs.append((index, signature))

    def roots(self, count: int) -> list[int]:
        uf = bp.UnionFind()
        for n, (i, s) in enumerate(self.docs):
            for j, t in self.docs[:n]:
                if len(s & t) / len(s | t) >= bp.DOC_THRESHOLD:
                    uf.union(i, j)
        return [uf.find(i) for i in range(count)]


def _check_outputs(out: Path, records: list[dict[str, Any]]) -> None:
    kept = [json.loads(line) for line in (out / "corpus.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in kept] == ["p0", "p2", "p3", "p4"]
    a, b = records[0]["text"].split("\n\n")[:2]
    assert kept[0]["text"] == f"{a}\n\n{b}\n\nShare"
    assert kept[0]["url"] == records[0]["url"]
    assert kept[1]["text"] == records[2]["text"]
    assert kept[2]["text"] == "Too short to match."
    report = bc.load_report(out / "report.jsonl")
    assert report["p0"].status == "kept" and report["p0"].paragraphs == 5
    assert report["p0"].removed == {2: "repeat", 3: "repeat"}
    assert report["p1"].status == "dropped"
    assert report["p3"].removed == {1: "repeat"}
    assert report["p4"].paragraphs == 0
    rows = [json.loads(line) for line in (out / "report.jsonl").read_text(encoding="utf-8").splitlines()]
    assert rows[1]["duplicate_of"] == "p0"
    assert not (out / bp.SPILL_NAME).exists()


def test_shared_pipeline_on_a_tiny_corpus(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    records = tiny_corpus(tmp_path / "corpus.jsonl")
    monkeypatch.setitem(bp.ENGINES, "exact", ExactEngine)
    result = bp.run("exact", tmp_path / "corpus.jsonl", tmp_path / "out")
    assert (result["documents"], result["kept"], result["paragraphs_removed"]) == (5, 4, 5)
    _check_outputs(tmp_path / "out", records)


def test_datasketch_pipeline_one_and_two_processes(tmp_path: Path) -> None:
    pytest.importorskip("datasketch")
    records = tiny_corpus(tmp_path / "corpus.jsonl")
    first = bp.run("datasketch", tmp_path / "corpus.jsonl", tmp_path / "one")
    _check_outputs(tmp_path / "one", records)
    second = bp.run("datasketch", tmp_path / "corpus.jsonl", tmp_path / "two", jobs=2)
    for name in ("corpus.jsonl", "report.jsonl"):
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes()
    assert first["versions"]["datasketch"] and second["jobs"] == 2


def test_datasketch_lsh_path_for_many_paragraphs() -> None:
    pytest.importorskip("datasketch")
    rng = random.Random(3)
    texts = [_words(rng, 20) for _ in range(bp.PAIRWISE_MAX + 5)]
    texts.append(texts[10].rsplit(" ", 1)[0] + " changed")
    engine = bp.DatasketchEngine()
    sigs = engine.sign_paragraphs([bp.tokens(t) for t in texts])
    assert engine.near_repeats(sigs) == {len(texts) - 1: 10}


@pytest.mark.skipif(
    not TEXT_DEDUP_PYTHON.is_file(),
    reason="benchmarks/.venvs/text-dedup is absent (bash benchmarks/setup_peers.sh text-dedup makes it)",
)
def test_text_dedup_pipeline_in_its_venv(tmp_path: Path) -> None:
    import subprocess

    records = tiny_corpus(tmp_path / "corpus.jsonl")
    # One interpreter (importing text-dedup takes seconds): the whole pipeline, then the band path of a document
    # with more paragraphs than PAIRWISE_MAX.
    script = f"""
import json, random
from pathlib import Path
from benchmarks import bigpeers as bp
result = bp.run("text-dedup", Path({str(tmp_path / "corpus.jsonl")!r}), Path({str(tmp_path / "out")!r}))
rng = random.Random(3)
texts = [" ".join(f"w{{rng.randrange(100_000)}}" for _ in range(20)) for _ in range(bp.PAIRWISE_MAX + 5)]
texts.append(texts[10].rsplit(" ", 1)[0] + " changed")
engine = bp.TextDedupEngine()
found = engine.near_repeats(engine.sign_paragraphs([bp.tokens(t) for t in texts]))
print(json.dumps({{"result": result, "found": sorted(found.items()), "last": len(texts) - 1}}))
"""
    proc = subprocess.run(
        [str(TEXT_DEDUP_PYTHON), "-c", script],
        cwd=ROOT,
        env=br.child_env(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert out["result"]["versions"]["text-dedup"] == br.TEXT_DEDUP_VERSION
    assert out["found"] == [[out["last"], 10]]
    _check_outputs(tmp_path / "out", records)
