"""A file that appears at its path whole or not at all: written under a temporary name, renamed on commit."""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path
from types import TracebackType
from typing import BinaryIO, Self

from dedup.errors import OutputError


class AtomicFile:
    """A binary file written beside `path` under a hidden temporary name.

    `commit()` renames it onto `path` (one `os.replace`, so readers see the old file or the new one, never half of
    one); `abort()` deletes it. The temporary file is created with the process umask like any file, unlike
    `tempfile.mkstemp`, whose 0600 mode would carry over to the output.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.tmp = self.path.with_name(f".{self.path.name}.{secrets.token_hex(6)}.tmp")
            fd = os.open(self.tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except OSError as exc:
            raise OutputError(f"cannot write {self.path}: {exc.strerror or exc}") from exc
        self.fh: BinaryIO = os.fdopen(fd, "wb")
        self.done = False

    def commit(self) -> None:
        if self.done:
            return
        self.done = True
        try:
            self.fh.close()
            os.replace(self.tmp, self.path)
        except OSError as exc:
            self.tmp.unlink(missing_ok=True)
            raise OutputError(f"cannot write {self.path}: {exc.strerror or exc}") from exc

    def abort(self) -> None:
        if self.done:
            return
        self.done = True
        # The caller is already handling the failure that made it abort; a second one from close would hide it.
        with contextlib.suppress(OSError):
            self.fh.close()
        self.tmp.unlink(missing_ok=True)


class AtomicWriter:
    """What every record writer does around its own encoding: flush, close its sink, and commit, or on any failure
    abort so the target is left as it was; as a context manager, an exception aborts.

    Subclasses set `_file` (an AtomicFile) and `path`, and implement `_flush()` and `_close_sink()`.
    """

    _file: AtomicFile
    path: Path

    def _flush(self) -> None:
        raise NotImplementedError

    def _close_sink(self) -> None:
        raise NotImplementedError

    def close(self) -> None:
        """Finish the file and move it into place."""
        if self._file.done:
            return
        try:
            self._flush()
            self._close_sink()
        except BaseException as exc:
            self.abort()
            if isinstance(exc, OSError):
                raise OutputError(f"cannot write {self.path}: {exc.strerror or exc}") from exc
            raise
        self._file.commit()

    def abort(self) -> None:
        """Drop everything written; the target path is left as it was."""
        if self._file.done:
            return
        # Closing the encoder lets it release the file cleanly; what it might still say is moot.
        with contextlib.suppress(Exception):
            self._close_sink()
        self._file.abort()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()
