"""The command line over the batch flow: --jobs, --resume, --progress and --quiet; data to files or stdout,
messages to stderr."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dedup.api import WORK_DIR
from dedup.cli import app
from tests.batch.test_flow import corpus, write_jsonl

pytestmark = pytest.mark.integration


@pytest.fixture
def crawl(tmp_path: Path) -> Path:
    src = tmp_path / "in" / "crawl.jsonl"
    src.parent.mkdir()
    write_jsonl(src, corpus(11, 25))
    return src


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_quiet_prints_nothing_and_jobs_change_nothing(crawl: Path, tmp_path: Path) -> None:
    code, out, err = invoke("clean", str(crawl), "-o", str(tmp_path / "a"), "--quiet")
    assert (code, out, err) == (0, "", "")
    code, _, _ = invoke("clean", str(crawl), "-o", str(tmp_path / "b"), "--quiet", "--jobs", "2")
    assert code == 0
    for name in ("crawl.jsonl", "report.jsonl", "summary.json"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_log_progress_goes_to_stderr(crawl: Path, tmp_path: Path) -> None:
    code, out, err = invoke("clean", str(crawl), "-o", str(tmp_path / "a"), "--progress", "log")
    assert code == 0 and out == ""
    phases = [line.split()[1] for line in err.splitlines() if line.startswith("dedup:")]
    assert phases == ["read", "sign", "match", "finish", "decide", "write"]


def test_scan_streams_the_report_to_stdout(crawl: Path) -> None:
    code, out, err = invoke("scan", str(crawl), "--progress", "log")
    assert code == 0
    ids = [json.loads(line)["id"] for line in out.splitlines()]
    assert ids == [f"crawl.jsonl:d{n:03d}" for n in range(25)]
    assert "dedup:" in err and "dedup:" not in out


def test_leftover_checkpoints_need_resume_or_force(crawl: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    (out / WORK_DIR).mkdir(parents=True)
    code, _, err = invoke("clean", str(crawl), "-o", str(out), "-q")
    assert code == 2 and "--resume" in err and "--force" in err
    code, _, _ = invoke("clean", str(crawl), "-o", str(out), "-q", "--resume")
    assert code == 0 and (out / "summary.json").exists() and not (out / WORK_DIR).exists()


def test_bad_options(crawl: Path, tmp_path: Path) -> None:
    assert invoke("clean", str(crawl), "-o", str(tmp_path / "a"), "--jobs", "0")[0] == 2
    assert invoke("clean", str(crawl), "-o", str(tmp_path / "a"), "--progress", "loud")[0] == 2
