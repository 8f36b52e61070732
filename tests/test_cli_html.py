"""The command line on broken HTML inputs: exit 0, a warning naming each bad file, outputs for the readable ones."""

from __future__ import annotations

import gzip
import json
import os
import random
import re
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dedup.cli import app
from tests.html.sites import ARTICLES, gazette_page, snapshot

pytestmark = pytest.mark.integration
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def make_inputs(tmp_path: Path) -> Path:
    src = tmp_path / "in"
    (src / "site").mkdir(parents=True)
    rng = random.Random(3)
    (src / "site" / "binary.html").write_bytes(b"\x00" + bytes(rng.randrange(256) for _ in range(2048)))
    (src / "site" / "empty.html").write_bytes(b"")
    whole = gzip.compress(gazette_page(ARTICLES[0]).encode("utf-8"))
    (src / "site" / "cut.html.gz").write_bytes(whole[: len(whole) // 2])
    (src / "site" / "plain.html.gz").write_text(gazette_page(ARTICLES[2]), encoding="utf-8")
    (src / "site" / "good.html").write_text(gazette_page(ARTICLES[1]), encoding="utf-8")
    return src


def check_outputs(out: Path) -> None:
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()) == [
        "report.jsonl",
        "site/cut.txt",
        "site/empty.txt",
        "site/good.txt",
        "summary.json",
    ]
    assert (out / "site" / "empty.txt").read_text() == ""
    assert ARTICLES[0].paragraphs[0] in (out / "site" / "cut.txt").read_text(encoding="utf-8")
    records = {r["id"]: r for r in map(json.loads, (out / "report.jsonl").read_text(encoding="utf-8").splitlines())}
    assert sorted(records) == ["site/cut.html.gz", "site/empty.html", "site/good.html"]
    assert "empty document" in records["site/empty.html"]["notes"]
    assert any(n.startswith("truncated gzip stream") for n in records["site/cut.html.gz"]["notes"])
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    warned = {Path(w["path"]).name: w["message"] for w in summary["warnings"]}
    assert set(warned) == {"binary.html", "cut.html.gz", "plain.html.gz"}


def check_stderr(stderr: str) -> None:
    lines = [line for line in ANSI.sub("", stderr).splitlines() if line.startswith("warning:")]
    assert len(lines) == 3, stderr
    binary = next(line for line in lines if "binary.html" in line)
    assert "binary content" in binary and "skipped" in binary
    cut = next(line for line in lines if "cut.html.gz" in line)
    assert "truncated gzip stream" in cut
    plain = next(line for line in lines if "plain.html.gz" in line)
    assert "not a readable gzip file" in plain and "skipped" in plain


def test_cli_runner_on_bad_html_inputs(tmp_path: Path) -> None:
    src = make_inputs(tmp_path)
    before = snapshot(src)
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["clean", str(src), "-o", str(out)])
    assert result.exit_code == 0, result.output
    check_stderr(result.stderr)
    check_outputs(out)
    assert snapshot(src) == before


def test_console_on_bad_html_inputs(tmp_path: Path) -> None:
    src = make_inputs(tmp_path)
    before = snapshot(src)
    out = tmp_path / "out"
    command = [sys.executable, "-m", "dedup", "clean", str(src), "-o", str(out)]
    proc = subprocess.run(command, capture_output=True, text=True, check=False, env={**os.environ, "COLUMNS": "400"})
    assert proc.returncode == 0, proc.stderr
    check_stderr(proc.stderr)
    check_outputs(out)
    assert snapshot(src) == before


def test_quiet_still_records_warnings(tmp_path: Path) -> None:
    src = make_inputs(tmp_path)
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["clean", str(src), "-o", str(out), "-q"])
    assert result.exit_code == 0 and "warning" not in result.output
    check_outputs(out)


def test_scan_on_bad_html_inputs(tmp_path: Path) -> None:
    src = make_inputs(tmp_path)
    result = CliRunner().invoke(app, ["scan", str(src)])
    assert result.exit_code == 0
    check_stderr(result.stderr)
    ids = [json.loads(line)["id"] for line in result.stdout.splitlines()]
    assert ids == ["site/cut.html.gz", "site/empty.html", "site/good.html"]


@pytest.mark.parametrize("name", ["binary.html", "empty.html", "cut.html.gz", "plain.html.gz"])
def test_single_bad_file_to_stdout(tmp_path: Path, name: str) -> None:
    src = make_inputs(tmp_path)
    result = CliRunner().invoke(app, ["clean", str(src / "site" / name), "-o", "-"])
    assert result.exit_code == 0, result.output
    if name == "cut.html.gz":
        assert ARTICLES[0].paragraphs[0] in result.stdout
    else:
        assert result.stdout == ""
