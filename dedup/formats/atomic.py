"""A file that appears at its path whole or not at all: written under a temporary name, renamed on commit."""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path
from typing import BinaryIO

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
