"""Progress of a long run, told to standard error: a rich bar on a terminal, plain periodic lines elsewhere.

The flow reports phases ("read", "sign", "finish", "write", and the corpus-wide steps between them) and advances
by documents and characters; the reading phase also knows how many input bytes are behind it, which gives its ETA.
Data never goes to the same stream: outputs are files or standard output, messages are standard error.
"""

from __future__ import annotations

import sys
import time
from typing import Any, Protocol, TextIO

# Plain log lines come at most this often.
LOG_EVERY_SECONDS = 10.0


class Progress(Protocol):
    def phase(self, name: str, total_docs: int, total_chars: int) -> None: ...

    def advance(self, docs: int, chars: int, done_bytes: int | None = None) -> None: ...

    def close(self) -> None: ...


class NullProgress:
    def phase(self, name: str, total_docs: int, total_chars: int) -> None:
        pass

    def advance(self, docs: int, chars: int, done_bytes: int | None = None) -> None:
        pass

    def close(self) -> None:
        pass


def _rate(value: float, seconds: float) -> float:
    return value / seconds if seconds > 0 else 0.0


def _eta(done: float, total: float, seconds: float) -> str:
    if total <= 0 or done <= 0 or done >= total:
        return "-"
    left = seconds * (total - done) / done
    return time.strftime("%H:%M:%S", time.gmtime(left))


class _Counts:
    def __init__(self, name: str, total_docs: int, total_chars: int, total_bytes: int = 0) -> None:
        self.name = name
        self.total_docs = total_docs
        self.total_chars = total_chars
        self.total_bytes = total_bytes
        self.docs = 0
        self.chars = 0
        self.bytes = 0
        self.started = time.monotonic()

    def add(self, docs: int, chars: int, done_bytes: int | None) -> None:
        self.docs += docs
        self.chars += chars
        if done_bytes is not None:
            self.bytes = done_bytes

    def fraction(self) -> tuple[float, float]:
        """(done, total) on the axis that knows its total: input bytes while reading, else documents."""
        if self.total_bytes:
            return float(self.bytes), float(self.total_bytes)
        return float(self.docs), float(self.total_docs)

    def line(self) -> str:
        seconds = time.monotonic() - self.started
        if not (self.docs or self.total_docs or self.total_bytes):  # a corpus-wide step between passes
            return f"{self.name:>7} {seconds:.1f} s"
        done, total = self.fraction()
        share = f"{100 * done / total:5.1f}%" if total else "     "
        return (
            f"{self.name:>7} {share} {self.docs:,} docs, {_rate(self.docs, seconds):,.0f} docs/s, "
            f"{_rate(self.chars, seconds) / 1e6:.1f} MB/s, ETA {_eta(done, total, seconds)}"
        )


class LogProgress:
    """A line per phase end and at most one every LOG_EVERY_SECONDS during it (for logs and pipes)."""

    def __init__(self, stream: TextIO | None = None, total_bytes: int = 0) -> None:
        self.stream = stream or sys.stderr
        self.current = _Counts("read", 0, 0, total_bytes)
        self.last = time.monotonic()

    def _print(self, text: str) -> None:
        self.stream.write(f"dedup: {text}\n")
        self.stream.flush()

    def phase(self, name: str, total_docs: int, total_chars: int) -> None:
        self._print(self.current.line() + (" (done)" if self.current.docs else ""))
        self.current = _Counts(name, total_docs, total_chars)
        self.last = time.monotonic()

    def advance(self, docs: int, chars: int, done_bytes: int | None = None) -> None:
        self.current.add(docs, chars, done_bytes)
        now = time.monotonic()
        if now - self.last >= LOG_EVERY_SECONDS:
            self.last = now
            self._print(self.current.line())

    def close(self) -> None:
        self._print(self.current.line() + " (done)")


class RichProgress:
    """A rich progress bar per phase, with documents/s, MB/s and the ETA (for a terminal)."""

    def __init__(self, total_bytes: int = 0) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, TextColumn, TimeElapsedColumn, TimeRemainingColumn
        from rich.progress import Progress as Bar

        self.bar = Bar(
            TextColumn("{task.description:>7}"),
            BarColumn(),
            TextColumn("{task.percentage:>5.1f}%"),
            TextColumn(
                "{task.fields[docs]:,} docs  {task.fields[docs_rate]:,.0f} docs/s  {task.fields[mbps]:.1f} MB/s"
            ),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            console=Console(stderr=True),
            transient=False,
        )
        self.bar.start()
        self.current = _Counts("read", 0, 0, total_bytes)
        self.task = self._task()

    def _task(self) -> Any:
        _, total = self.current.fraction()
        return self.bar.add_task(self.current.name, total=total or None, docs=0, docs_rate=0.0, mbps=0.0)

    def phase(self, name: str, total_docs: int, total_chars: int) -> None:
        self._update()
        _, total = self.current.fraction()
        if total:
            self.bar.update(self.task, completed=total)
        self.current = _Counts(name, total_docs, total_chars)
        self.task = self._task()

    def _update(self) -> None:
        seconds = time.monotonic() - self.current.started
        done, _ = self.current.fraction()
        self.bar.update(
            self.task,
            completed=done,
            docs=self.current.docs,
            docs_rate=_rate(self.current.docs, seconds),
            mbps=_rate(self.current.chars, seconds) / 1e6,
        )

    def advance(self, docs: int, chars: int, done_bytes: int | None = None) -> None:
        self.current.add(docs, chars, done_bytes)
        self._update()

    def close(self) -> None:
        self._update()
        _, total = self.current.fraction()
        if total:
            self.bar.update(self.task, completed=total)
        self.bar.stop()


def make_progress(mode: str, total_bytes: int = 0) -> Progress:
    """`mode`: "auto" (a bar on a terminal, lines elsewhere), "bar", "log" or "none"."""
    if mode == "none":
        return NullProgress()
    if mode == "bar" or (mode == "auto" and sys.stderr.isatty()):
        return RichProgress(total_bytes)
    return LogProgress(total_bytes=total_bytes)
