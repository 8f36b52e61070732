"""Progress on standard error: plain lines off a terminal, a rich bar on one, nothing with --quiet."""

from __future__ import annotations

import io

import pytest

from dedup.batch import progress as pg


def test_log_lines_name_the_phase_rates_and_eta(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = iter(float(t) for t in range(0, 1000, 5))
    monkeypatch.setattr(pg.time, "monotonic", lambda: next(clock))
    out = io.StringIO()
    meter = pg.LogProgress(out, total_bytes=1000)
    meter.advance(100, 50_000, done_bytes=250)  # 10 s into the read: a line, a quarter done
    meter.phase("sign", 400, 200_000)
    meter.advance(400, 200_000)
    meter.close()
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("dedup:    read  25.0% 100 docs,") and "ETA 00:00:" in lines[0]
    assert "docs/s" in lines[0] and "MB/s" in lines[0]
    assert lines[-1].startswith("dedup:    sign 100.0% 400 docs,") and lines[-1].endswith("(done)")


def test_steps_between_passes_report_their_time_only() -> None:
    out = io.StringIO()
    meter = pg.LogProgress(out)
    meter.phase("match", 0, 0)
    meter.phase("finish", 10, 10)
    assert out.getvalue().splitlines()[-1].startswith("dedup:   match ")
    assert out.getvalue().splitlines()[-1].endswith(" s")


def test_modes() -> None:
    assert isinstance(pg.make_progress("none"), pg.NullProgress)
    assert isinstance(pg.make_progress("log"), pg.LogProgress)
    assert isinstance(pg.make_progress("auto"), pg.LogProgress)  # the test's stderr is not a terminal
    bar = pg.make_progress("bar", total_bytes=10)
    bar.advance(1, 10, done_bytes=5)
    bar.phase("sign", 1, 10)
    bar.close()
