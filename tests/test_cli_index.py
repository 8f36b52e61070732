"""`dedup clean NEW... --index PATH [--update-index]`: a new crawl against a saved index, from the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dedup.cli import app

pytestmark = pytest.mark.integration

STORY = (
    "The river rose two metres overnight and the council closed the old bridge at dawn, sending commuters on a "
    "long detour through the hills while engineers checked the piers for damage from the floating debris."
)
MORE = (
    "Farmers downstream moved their cattle to higher ground, and the school in the valley stayed shut for the "
    "day as buses could not reach the villages on the far bank of the swollen river."
)
OTHER = (
    "A bakery on the high street won a national prize for its rye bread and now ships loaves to shops in three "
    "cities, its owner said, after twenty years of baking through the night."
)


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stderr


def report(out: Path) -> dict[str, dict[str, object]]:
    lines = (out / "report.jsonl").read_text(encoding="utf-8").splitlines()
    return {r["id"]: r for r in map(json.loads, lines)}


def test_a_new_crawl_names_the_indexed_page_it_repeats(tmp_path: Path) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir()
    second.mkdir()
    (first / "flood.txt").write_text(f"{STORY}\n\n{MORE}\n", encoding="utf-8")
    (second / "flood-again.txt").write_text(f"{STORY}\n\n{MORE} Updated at noon.\n", encoding="utf-8")
    (second / "bakery.txt").write_text(f"{OTHER}\n", encoding="utf-8")
    index = tmp_path / "seen.idx"
    code, err = invoke("clean", str(first), "-o", str(tmp_path / "out1"), "-q", "--index", str(index), "--update-index")
    assert code == 0, err
    summary = json.loads((tmp_path / "out1" / "summary.json").read_text())
    assert summary["index"]["documents_before"] == 0 and summary["index"]["updated"] is True
    saved = index.read_bytes()

    code, err = invoke("clean", str(second), "-o", str(tmp_path / "out2"), "-q", "--index", str(index))
    assert code == 0, err
    found = report(tmp_path / "out2")
    assert found["flood-again.txt"]["status"] == "dropped"
    assert found["flood-again.txt"]["duplicate_of"] == "flood.txt"
    assert found["flood-again.txt"]["matched_index"] == "flood.txt"
    assert found["bakery.txt"]["status"] == "kept" and "matched_index" not in found["bakery.txt"]
    assert not (tmp_path / "out2" / "flood-again.txt").exists() and (tmp_path / "out2" / "bakery.txt").exists()
    summary = json.loads((tmp_path / "out2" / "summary.json").read_text())
    assert summary["index"] == {"path": str(index), "documents_before": 1, "matched": 1, "updated": False}
    assert index.read_bytes() == saved  # without --update-index the index is only read


def test_index_usage_errors(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_text(f"{STORY}\n", encoding="utf-8")
    out = str(tmp_path / "out")
    assert invoke("clean", str(src), "-o", out, "--update-index")[0] == 2
    assert invoke("clean", str(src), "-o", out, "--index", str(tmp_path / "i.idx"), "--jobs", "2")[0] == 2
    code, err = invoke("clean", str(src), "-o", out, "--index", str(tmp_path / "missing.idx"))
    assert code == 2 and "--update-index" in err


def test_a_damaged_index_is_a_clear_error(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_text(f"{STORY}\n", encoding="utf-8")
    bad = tmp_path / "bad.idx"
    bad.write_bytes(b"PK\x03\x04 not really a zip")
    code, err = invoke("clean", str(src), "-o", str(tmp_path / "out"), "--index", str(bad))
    assert code == 1 and "bad.idx" in err
    assert not (tmp_path / "out" / "summary.json").exists()
