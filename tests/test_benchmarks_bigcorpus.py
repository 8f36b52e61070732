"""The large planted corpus (benchmarks.bigcorpus): determinism, truth against text, no unplanted near-duplicates, and
the scorer by hand. The corpus tests build a 300-page corpus from part of the evaluation gold and are skipped without
../shared/eval; the check and scorer tests need no data."""

from __future__ import annotations

import json
import random
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

from benchmarks import bigcorpus as bc
from benchmarks import paracorpus as pc
from dedup.segment import segment
from tests.conftest import require_eval

DOCS = 300
SEED = 5
WCXB_PAGES = 200  # of the gold, read for the real text (quick), plus all of AEB
MAX_REAL = 1000  # real paragraphs used: the rest (about half) is generated


def _docs(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="module")
def real(tmp_path_factory: pytest.TempPathFactory) -> bc.RealText:
    eval_dir = require_eval()
    sub = tmp_path_factory.mktemp("eval")
    gold = sub / "wcxb-dev" / "ground-truth"
    gold.mkdir(parents=True)
    for path in sorted((eval_dir / "wcxb-dev" / "ground-truth").glob("*.json"))[:WCXB_PAGES]:
        (gold / path.name).symlink_to(path)
    (sub / "aeb").mkdir()
    (sub / "aeb" / "ground-truth.json").symlink_to(eval_dir / "aeb" / "ground-truth.json")
    return bc.real_from(pc.eval_paragraphs(sub))


@pytest.fixture(scope="module")
def corpus(real: bc.RealText, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("bigcorpus") / "a"
    bc.build(DOCS, SEED, out, real=real, max_real=MAX_REAL, as_text_dir=True)
    return out


# --- the corpus -----------------------------------------------------------------------------------------------------


def test_same_parameters_give_identical_files(corpus: Path, real: bc.RealText, tmp_path: Path) -> None:
    other = tmp_path / "b"
    bc.build(DOCS, SEED, other, real=real, max_real=MAX_REAL, as_text_dir=True)
    for name in ("corpus.jsonl", "truth.jsonl", "meta.json"):
        assert (corpus / name).read_bytes() == (other / name).read_bytes(), name
    files = sorted(p.relative_to(corpus) for p in (corpus / "text").rglob("*.txt"))
    assert files == sorted(p.relative_to(other) for p in (other / "text").rglob("*.txt"))
    assert all((corpus / f).read_bytes() == (other / f).read_bytes() for f in files)
    assert not (corpus / ".work").exists()


def test_truth_matches_the_text(corpus: Path) -> None:
    docs = _docs(corpus / "corpus.jsonl")
    truths = _docs(corpus / "truth.jsonl")
    assert len(docs) == len(truths) == DOCS
    debris_lines = {d.line for d in bc.load_debris()}
    by_id: dict[str, list[str]] = {}
    templates: dict[tuple[str, int], set[str]] = defaultdict(set)
    originals: dict[int, str] = {}  # content id -> the page it is content of (outside near copies)
    seen: dict[str, int] = {"repeat_near": 0, "near_duplicate": 0, "copy_of": 0}
    for doc, truth in zip(docs, truths, strict=True):
        assert doc["id"] == truth["id"] and doc["url"] == truth["url"]
        assert doc["url"].startswith(f"https://{truth['host']}/")
        paragraphs = [p.text for p in segment(doc["text"]).paragraphs]
        assert paragraphs == doc["text"].split("\n\n")  # dedup cuts each planted paragraph as one unit
        assert len(paragraphs) == len(truth["paragraphs"])
        by_id[doc["id"]] = paragraphs
        text_file = corpus / "text" / truth["host"] / f"{doc['id']}.txt"
        assert text_file.read_text(encoding="utf-8") == doc["text"] + "\n"
        for k, (text, p) in enumerate(zip(paragraphs, truth["paragraphs"], strict=True)):
            if p["kind"] == "repeat":
                assert p["of"] < k
                original = paragraphs[p["of"]]
                if p["mode"] == "exact":
                    assert text == original
                else:
                    sim = pc.jaccard(pc.shingle_set(text), pc.shingle_set(original))
                    assert bc.REPEAT_JACCARD_MIN <= sim < 1.0
                    assert round(sim, 4) == p["jaccard"]
                    seen["repeat_near"] += 1
                if "cid" in p:
                    assert truth["paragraphs"][p["of"]].get("cid") == p["cid"]
            elif p["kind"] == "boilerplate":
                templates[(truth["host"], p["template"])].add(text)
            elif p["kind"] == "debris":
                assert p["line"] in debris_lines
            elif "copy_of" in p:
                seen["copy_of"] += 1
            else:
                assert originals.setdefault(p["cid"], doc["id"]) == doc["id"], "a content id used twice"
        source = truth["near_duplicate_of"]
        if source is not None:
            seen["near_duplicate"] += 1
            assert source < doc["id"] and source in by_id
            for text, p in zip(paragraphs, truth["paragraphs"], strict=True):
                if "copy_of" in p:
                    sim = pc.jaccard(pc.shingle_set(text), pc.shingle_set(by_id[source][p["copy_of"]]))
                    assert round(sim, 4) == p["jaccard"]
                    assert p["jaccard"] == 1.0 or bc.REPEAT_JACCARD_MIN <= p["jaccard"] < 1.0
    assert all(len(texts) == 1 for texts in templates.values())  # a template is the same text on every page
    assert min(seen.values()) > 0, seen


def test_no_unplanted_near_duplicate_pairs(corpus: Path) -> None:
    """Every pair of paragraphs with word 3-gram Jaccard >= 0.3, found by brute force (an inverted index of the
    3-gram sets: every pair sharing a 3-gram is compared), has one content id, or is two templates."""
    docs = _docs(corpus / "corpus.jsonl")
    truths = _docs(corpus / "truth.jsonl")
    texts: list[str] = []
    labels: list[int] = []
    template_texts: dict[str, int] = {}
    for doc, truth in zip(docs, truths, strict=True):
        for text, p in zip(doc["text"].split("\n\n"), truth["paragraphs"], strict=True):
            if "cid" in p:
                texts.append(text)
                labels.append(p["cid"])
            elif p["kind"] == "boilerplate" and text not in template_texts:
                template_texts[text] = -1 - len(template_texts)
                texts.append(text)
                labels.append(template_texts[text])
    sets = [pc.shingle_set(t) for t in texts]
    index: dict[str, list[int]] = defaultdict(list)
    for k, s in enumerate(sets):
        for g in s:
            index[g].append(k)
    shared: dict[tuple[int, int], int] = defaultdict(int)
    for members in index.values():
        for x, a in enumerate(members):
            for b in members[x + 1 :]:
                shared[a, b] += 1
    planted = 0
    for (a, b), inter in shared.items():
        sim = inter / (len(sets[a]) + len(sets[b]) - inter)
        if sim < bc.NEAR_J3:
            continue
        if labels[a] == labels[b]:
            planted += 1
        else:
            assert labels[a] < 0 and labels[b] < 0, (texts[a][:80], texts[b][:80], sim)
    assert planted > 0
    meta = json.loads((corpus / "meta.json").read_text(encoding="utf-8"))
    assert meta["check"]["final"]["violations"] == 0
    assert meta["check"]["final"]["allowed_band_pairs"] > 0


def test_meta_counts_agree_with_the_files(corpus: Path) -> None:
    meta = json.loads((corpus / "meta.json").read_text(encoding="utf-8"))
    truths = _docs(corpus / "truth.jsonl")
    kinds = {kind: 0 for kind in bc.KINDS}
    for truth in truths:
        for p in truth["paragraphs"]:
            kinds[p["kind"]] += 1
    assert meta["paragraphs"]["by_kind"] == kinds
    assert meta["documents"]["total"] == DOCS
    assert meta["documents"]["near_duplicates"]["documents"] == sum(1 for t in truths if t["near_duplicate_of"])
    assert meta["bytes"]["corpus_jsonl"] == (corpus / "corpus.jsonl").stat().st_size
    assert meta["bytes"]["truth_jsonl"] == (corpus / "truth.jsonl").stat().st_size
    assert meta["content_pool"]["generated"]["en"] > 0
    assert meta["parameters"]["docs"] == DOCS and meta["generator_version"] == bc.GENERATOR_VERSION


def test_an_unplanted_pair_replaces_the_later_content_and_changes_only_its_pages(
    real: bc.RealText, corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    truths = _docs(corpus / "truth.jsonl")
    victim = next(p["cid"] for t in truths for p in t["paragraphs"] if p.get("origin") == "generated")
    holders = {t["id"] for t in truths if any(p.get("cid") == victim for p in t["paragraphs"])}
    original = bc.final_check
    calls: list[int] = []

    def pretend_a_violation(
        out: Path, workdir: Path, hosts: Any, log: Any = bc._quiet
    ) -> tuple[dict[str, Any], set[int]]:
        stats, drops = original(out, workdir, hosts, log)
        calls.append(len(drops))
        return ({**stats, "violations": 1}, {victim}) if len(calls) == 1 else (stats, drops)

    monkeypatch.setattr(bc, "final_check", pretend_a_violation)
    meta = bc.build(DOCS, SEED, tmp_path / "c", real=real, max_real=MAX_REAL)
    assert calls == [0, 0] and meta["check"]["final"]["rounds"] == 2
    assert meta["check"]["final"]["earlier_rounds"][0]["replaced_content_ids"] == [victim]
    rewritten = _docs(tmp_path / "c" / "truth.jsonl")
    assert victim not in {p.get("cid") for t in rewritten for p in t["paragraphs"]}
    before, after = _docs(corpus / "corpus.jsonl"), _docs(tmp_path / "c" / "corpus.jsonl")
    changed = {a["id"] for a, b in zip(before, after, strict=True) if a != b}
    assert changed and changed <= holders  # every other page is as it was


def test_final_check_reports_pairs_across_content_ids(tmp_path: Path) -> None:
    text = "The river rose overnight and the town council met at dawn to decide whether the old bridge could stay open."
    other = "A completely different paragraph about a bakery that sells rye bread, pretzels and cakes on every weekday."
    out = tmp_path / "out"
    out.mkdir()
    page = [text, other, text]  # the third paragraph repeats the first under another content id: a violation
    _write(out / "corpus.jsonl", [{"id": "d1", "url": "https://a.example/1", "text": "\n\n".join(page)}])
    kinds = [{"kind": "content", "cid": 7}, {"kind": "content", "cid": 8}, {"kind": "content", "cid": 9}]
    _write(out / "truth.jsonl", [{"id": "d1", "paragraphs": kinds}])
    stats, drops = bc.final_check(out, tmp_path / "work", [])
    assert stats["violations"] == 1 and drops == {9}
    assert stats["violation_examples"] == [{"a": 7, "b": 9, "jaccard": 1.0}]


# --- the check ------------------------------------------------------------------------------------------------------


def test_near_check_finds_the_pairs_brute_force_finds(tmp_path: Path) -> None:
    rng = random.Random(7)
    words = [f"w{k}" for k in range(400)]
    texts = [" ".join(rng.choice(words) for _ in range(rng.randint(15, 40))) for _ in range(300)]
    for k in range(0, 300, 10):  # near copies: a few words changed
        toks = texts[k].split()
        for _ in range(rng.randint(1, 4)):
            toks[rng.randrange(len(toks))] = rng.choice(words)
        texts.append(" ".join(toks))
    texts.append(texts[3])  # an exact copy
    sets = [pc.shingle_set(t) for t in texts]
    expected = {
        (a, b)
        for a in range(len(texts))
        for b in range(a + 1, len(texts))
        if pc.jaccard(sets[a], sets[b]) >= bc.NEAR_J3
    }
    check = bc.NearCheck(tmp_path / "check", bc.NEAR_J3, 1)
    try:
        check.add(texts[:200])
        check.add(texts[200:])
        found = check.pairs()
    finally:
        check.close()
    assert {(a, b) for a, b, _ in found} == expected
    assert all(abs(s - pc.jaccard(sets[a], sets[b])) < 0.02 for a, b, s in found)  # 32-bit shingle hashes
    assert len(expected) >= 30
    dropped: set[int] = set()
    bc.greedy_drop(found, dropped)
    assert all(a in dropped or b in dropped for a, b in expected)
    assert not any(a in dropped for a, _ in sorted(expected)[:1])  # the earlier member of the first pair stays


# --- the scorer -----------------------------------------------------------------------------------------------------


def _write(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


TRUTH = [
    {
        "id": "d1",
        "near_duplicate_of": None,
        "paragraphs": [
            {"kind": "content", "cid": 10, "origin": "real"},
            {"kind": "debris", "line": 12},
            {"kind": "content", "cid": 11, "origin": "generated"},
            {"kind": "repeat", "of": 0, "mode": "exact", "jaccard": 1.0, "cid": 10},
            {"kind": "boilerplate", "template": 0},
        ],
    },
    {
        "id": "d2",
        "near_duplicate_of": "d1",
        "near_duplicate_jaccard": 0.9,
        "paragraphs": [
            {"kind": "content", "cid": 10, "origin": "real", "copy_of": 0, "jaccard": 1.0},
            {"kind": "content", "cid": 11, "origin": "generated", "copy_of": 2, "jaccard": 0.8},
            {"kind": "debris", "line": 13},
        ],
    },
    {
        "id": "d3",
        "near_duplicate_of": None,
        "paragraphs": [
            {"kind": "content", "cid": 12, "origin": "real"},
            {"kind": "content", "cid": 13, "origin": "generated"},
        ],
    },
]


def _removal(k: int, reason: str) -> dict[str, Any]:
    return {"paragraph": k, "reason": reason, "start": 0, "end": 1}


def test_score_by_hand(tmp_path: Path) -> None:
    truth = _write(tmp_path / "truth.jsonl", TRUTH)
    report = _write(
        tmp_path / "report.jsonl",
        [
            {"id": "a.example/d1.txt", "status": "kept", "paragraphs": 5,
             "removed": [_removal(1, "rule"), _removal(2, "rule"), _removal(3, "repeat")]},
            {"id": "b.example/d2.txt", "status": "dropped", "paragraphs": 3, "removed": [], "duplicate_of": "d1"},
            {"id": "a.example/d3.txt", "status": "kept", "paragraphs": 2, "removed": []},
        ],
    )  # fmt: skip
    result = bc.score(truth, report)
    # planted: debris, repeat and boilerplate of d1, the 3 paragraphs of d2; removed: 3 of d1 (one is content), d2
    assert result["planted"] == 6 and result["removed"] == 6 and result["correct"] == 5
    assert result["precision"] == pytest.approx(5 / 6) and result["recall"] == pytest.approx(5 / 6)
    kinds = result["kinds"]
    assert kinds["boilerplate"] == {"paragraphs": 1, "removed": 0}
    assert kinds["near_duplicate"] == {"paragraphs": 3, "removed": 3}
    assert kinds["content (generated)"] == {"paragraphs": 2, "removed": 1}
    assert kinds["content (real)"] == {"paragraphs": 2, "removed": 0}
    assert result["reasons"] == {
        "near_duplicate_document": {"removed": 3, "correct": 3},
        "repeat": {"removed": 1, "correct": 1},
        "rule": {"removed": 2, "correct": 1},
    }
    assert result["pages"]["dropped_planted"] == 1 and result["pages"]["clusters_survivor_not_original"] == 0
    assert result["debris_lines"] == {12: {"planted": 1, "removed": 1}, 13: {"planted": 1, "removed": 1}}
    text = bc.render_score(result, markdown=True)
    assert "| near_duplicate | 3 | 3 | 1.000 |" in text and "precision 0.833" in text


def test_score_leaves_out_near_copies_below_the_threshold_when_dropped(tmp_path: Path) -> None:
    """A near copy planted at Jaccard 0.7 is no expected drop at threshold 0.8: kept, its paragraphs are scored as
    any page's; dropped, they are left out."""
    faint = [dict(t) for t in TRUTH]
    faint[1]["near_duplicate_jaccard"] = 0.7
    truth = _write(tmp_path / "truth.jsonl", faint)
    rows = [
        {"id": "d1", "status": "kept", "paragraphs": 5, "removed": [_removal(1, "rule"), _removal(3, "repeat")]},
        {"id": "d2", "status": "kept", "paragraphs": 3, "removed": [_removal(2, "rule")]},
        {"id": "d3", "status": "kept", "paragraphs": 2, "removed": []},
    ]
    kept = bc.score(truth, _write(tmp_path / "kept.jsonl", rows))
    assert kept["planted"] == 4 and kept["correct"] == 3 and kept["precision"] == 1.0
    assert kept["kinds"]["near_duplicate"]["paragraphs"] == 0
    assert kept["pages"]["below_threshold"] == 1 and kept["pages"]["below_threshold_dropped"] == 0
    rows[1] = {"id": "d2", "status": "dropped", "paragraphs": 3, "removed": [], "duplicate_of": "d1"}
    dropped = bc.score(truth, _write(tmp_path / "dropped.jsonl", rows))
    assert dropped["planted"] == 3 and dropped["correct"] == 2 and dropped["removed"] == 2
    assert dropped["pages"]["below_threshold_dropped"] == 1 and dropped["pages"]["dropped"] == 0
    assert "1 (1)" in bc.render_score(dropped, markdown=True)
    lower = bc.score(truth, _write(tmp_path / "dropped2.jsonl", rows), threshold=0.6)
    assert lower["planted"] == 6 and lower["correct"] == 5 and lower["pages"]["dropped_planted"] == 1


def test_score_takes_the_survivor_dedup_chose(tmp_path: Path) -> None:
    """dedup keeps the copy and drops the original (paths are read host first): the original is the expected drop."""
    truth = _write(tmp_path / "truth.jsonl", TRUTH)
    report = _write(
        tmp_path / "report.jsonl",
        [
            {"id": "corpus.jsonl:d1", "status": "dropped", "paragraphs": 5, "removed": [], "duplicate_of": "d2"},
            {"id": "corpus.jsonl:d2", "status": "kept", "paragraphs": 3, "removed": [_removal(2, "rule")]},
            {"id": "corpus.jsonl:d3", "status": "kept", "paragraphs": 2, "removed": []},
        ],
    )
    result = bc.score(truth, report)
    assert result["kinds"]["near_duplicate"] == {"paragraphs": 5, "removed": 5}
    assert result["planted"] == 6 and result["correct"] == 6 and result["precision"] == 1.0
    assert result["pages"]["clusters_survivor_not_original"] == 1


def test_score_counts_missing_pages_and_mismatched_paragraphs(tmp_path: Path) -> None:
    truth = _write(tmp_path / "truth.jsonl", TRUTH)
    report = _write(
        tmp_path / "report.jsonl",
        [{"id": "d1", "status": "kept", "paragraphs": 4, "removed": [_removal(4, "boilerplate"), _removal(9, "x")]}],
    )
    result = bc.score(truth, report)
    pages = result["pages"]
    assert pages["missing_from_report"] == 2 and pages["paragraph_count_mismatch"] == 1
    assert pages["removals_outside_paragraphs"] == 1
    assert result["correct"] == 1 and result["recall"] == pytest.approx(1 / 6)
