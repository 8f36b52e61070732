from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dedup.cli import app

runner = CliRunner()


def make_inputs(tmp_path: Path) -> Path:
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_text("Advertisement\n\nThe council met on Monday to approve the budget for next year.\n")
    (src / "b.txt").write_text("")
    return src


def test_clean_writes_outputs_and_report(tmp_path: Path) -> None:
    src = make_inputs(tmp_path)
    out = tmp_path / "out"
    result = runner.invoke(app, ["clean", str(src), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert (out / "a.txt").read_text() == "The council met on Monday to approve the budget for next year.\n"
    assert (out / "b.txt").read_text() == ""
    records = [json.loads(line) for line in (out / "report.jsonl").read_text().splitlines()]
    assert [r["id"] for r in records] == ["a.txt", "b.txt"]
    assert records[0]["removed"][0]["rule"] == "en.advertisement"
    assert records[0]["removed"][0]["start"] == 0 and records[0]["removed"][0]["end"] == 13
    assert "empty document" in records[1]["notes"]
    summary = json.loads((out / "summary.json").read_text())
    assert summary["lsh"]["documents"]["bands"] > 0 and summary["config"]["repeats"]["min_docs"] == 3
    assert not list(out.glob(".*.tmp"))


def test_refusals_and_exit_codes(tmp_path: Path) -> None:
    src = make_inputs(tmp_path)
    out = tmp_path / "out"
    assert runner.invoke(app, ["clean", str(src), "-o", str(out)]).exit_code == 0
    again = runner.invoke(app, ["clean", str(src), "-o", str(out)])
    assert again.exit_code == 2 and "not empty" in again.output
    assert runner.invoke(app, ["clean", str(src), "-o", str(out), "--force"]).exit_code == 0
    inside = runner.invoke(app, ["clean", str(src), "-o", str(src / "out")])
    assert inside.exit_code == 2 and "inside the input tree" in inside.output
    missing = runner.invoke(app, ["clean", str(tmp_path / "missing"), "-o", str(tmp_path / "o2")])
    assert missing.exit_code == 2 and "missing" in missing.output
    other = tmp_path / "other"
    other.mkdir()
    (other / "a.txt").write_text("x")
    clash = runner.invoke(app, ["clean", str(src), str(other), "-o", str(tmp_path / "o3")])
    assert clash.exit_code == 2 and "same output path" in clash.output
    bad = runner.invoke(app, ["clean", str(src), "-o", str(tmp_path / "o4"), "--threshold", "2"])
    assert bad.exit_code == 2 and "threshold" in bad.output
    assert not (tmp_path / "o4").exists()


def test_inputs_are_never_modified(tmp_path: Path) -> None:
    src = make_inputs(tmp_path)
    before = {p: p.read_bytes() for p in src.rglob("*")}
    runner.invoke(app, ["clean", str(src), "-o", str(tmp_path / "out")])
    assert {p: p.read_bytes() for p in src.rglob("*")} == before


def test_stdout_and_stdin(tmp_path: Path) -> None:
    src = make_inputs(tmp_path)
    result = runner.invoke(app, ["clean", str(src / "a.txt"), "-o", "-", "--quiet"])
    assert result.exit_code == 0
    assert result.stdout == "The council met on Monday to approve the budget for next year.\n"
    piped = runner.invoke(app, ["clean", "-", "-o", "-", "-q"], input="Source link\nHello there world.\n")
    assert piped.stdout == "Hello there world.\n"
    many = runner.invoke(app, ["clean", str(src), "-o", "-"])
    assert many.exit_code == 2


def test_scan_reports_without_writing_text(tmp_path: Path) -> None:
    src = make_inputs(tmp_path)
    result = runner.invoke(app, ["scan", str(src), "-q"])
    assert result.exit_code == 0
    lines = [json.loads(x) for x in result.stdout.splitlines()]
    assert lines[0]["removed"][0]["reason"] == "rule"
    out = tmp_path / "rep"
    assert runner.invoke(app, ["scan", str(src), "-o", str(out), "-q"]).exit_code == 0
    assert sorted(p.name for p in out.iterdir()) == ["report.jsonl", "summary.json"]


def test_binary_and_invalid_utf8_warn(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    (src / "bin.txt").write_bytes(b"\x00\x01\x02\x03" * 10)
    (src / "bad.txt").write_bytes(b"Caf\xe9 au lait is served here every single morning.")
    out = tmp_path / "out"
    result = runner.invoke(app, ["clean", str(src), "-o", str(out)])
    assert result.exit_code == 0
    summary = json.loads((out / "summary.json").read_text())
    messages = {Path(w["path"]).name: w["message"] for w in summary["warnings"]}
    assert "binary" in messages["bin.txt"] and "byte offset 3" in messages["bad.txt"]
    assert not (out / "bin.txt").exists()
    assert "\ufffd" in (out / "bad.txt").read_text()


def test_unreadable_file_fails_before_writing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    src = make_inputs(tmp_path)
    locked = src / "locked.txt"
    locked.write_text("secret")
    real_read = Path.read_bytes

    def read_bytes(self: Path) -> bytes:
        if self.name == "locked.txt":
            raise PermissionError(13, "Permission denied")
        return real_read(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    out = tmp_path / "out"
    result = runner.invoke(app, ["clean", str(src), "-o", str(out)])
    assert result.exit_code == 1 and "locked.txt" in result.output
    assert not (out / "summary.json").exists()


def test_python_dash_m_and_console_script(tmp_path: Path) -> None:
    src = make_inputs(tmp_path)
    command = [sys.executable, "-m", "dedup", "clean", str(src), "-o", str(tmp_path / "o")]
    proc = subprocess.run(command, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    script = Path(sys.executable).parent / "dedup"  # the console script pip put beside this interpreter
    assert script.exists(), "the dedup console script is not installed"
    help_text = subprocess.run([str(script), "--help"], capture_output=True, text=True, check=True).stdout
    assert "clean" in help_text and "scan" in help_text


def test_params_shows_bands_rows_and_curve() -> None:
    result = runner.invoke(app, ["params", "--threshold", "0.8", "--num-perm", "128"])
    assert result.exit_code == 0, result.output
    assert "9 bands x 13 rows" in result.output  # datasketch MinHashLSH's choice for 0.8 / 128
    assert "P(0.70)" in result.output and "P(0.90)" in result.output
    data = json.loads(runner.invoke(app, ["params", "--threshold", "0.5", "--json"]).output)
    first = data["settings"][0]
    assert (first["bands"], first["rows"]) == (25, 5)
    assert set(first["p_candidate"]) == {"0.40", "0.50", "0.60"}


def test_params_rejects_a_threshold_out_of_range() -> None:
    result = runner.invoke(app, ["params", "--threshold", "1.5"])
    assert result.exit_code == 2
