"""Where a batch run keeps what its passes hand to each other: in memory, or in a work directory on disk.

A run is a few passes over shards of documents (see `dedup.batch.flow`). Each pass writes named objects (pickled
Python data) and arrays (`.npy`, read back memory-mapped) for each shard, and reads what earlier passes wrote.
`MemoryStore` keeps them in a dict (the one-call library API); `DiskStore` writes each one to its own file,
atomically, so that a file's presence is the checkpoint marker that `--resume` trusts: an interrupted run never
leaves a half-written object under its final name.
"""

from __future__ import annotations

import os
import pickle
import shutil
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from dedup.errors import OutputError


class MemoryStore:
    """Objects and arrays in a dict: nothing spills, nothing survives the process."""

    def __init__(self) -> None:
        self._items: dict[str, Any] = {}

    def has(self, name: str) -> bool:
        return name in self._items

    def put(self, name: str, obj: Any) -> None:
        self._items[name] = obj

    def get(self, name: str) -> Any:
        return self._items[name]

    def put_array(self, name: str, array: npt.NDArray[Any]) -> None:
        self._items[name] = array

    def get_array(self, name: str) -> npt.NDArray[Any]:
        array: npt.NDArray[Any] = self._items[name]
        return array

    def new_array(self, name: str, shape: tuple[int, ...], dtype: Any) -> npt.NDArray[Any]:
        """A writable array to fill in place (a memory map on disk); `finish_array` publishes it."""
        array = np.zeros(shape, dtype=dtype)
        self._items[name] = array
        return array

    def finish_array(self, name: str, array: npt.NDArray[Any]) -> None:
        self._items[name] = array

    def drop(self, name: str) -> None:
        self._items.pop(name, None)

    def remove(self) -> None:
        self._items.clear()


class DiskStore:
    """Objects and arrays as files in one work directory; every write is atomic (temporary file, then rename)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)

    def _path(self, name: str, suffix: str) -> Path:
        return self.root / f"{name}{suffix}"

    def has(self, name: str) -> bool:
        return self._path(name, ".pkl").exists() or self._path(name, ".npy").exists()

    def _atomic(self, target: Path, write: Any) -> None:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=self.root)
        try:
            with os.fdopen(fd, "wb") as fh:
                write(fh)
            os.replace(tmp, target)
        except OSError as exc:
            Path(tmp).unlink(missing_ok=True)
            raise OutputError(f"cannot write the run's work file {target}: {exc.strerror or exc}") from exc
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def put(self, name: str, obj: Any) -> None:
        self._atomic(self._path(name, ".pkl"), lambda fh: pickle.dump(obj, fh, protocol=pickle.HIGHEST_PROTOCOL))

    def get(self, name: str) -> Any:
        with self._path(name, ".pkl").open("rb") as fh:
            return pickle.load(fh)

    def put_array(self, name: str, array: npt.NDArray[Any]) -> None:
        self._atomic(self._path(name, ".npy"), lambda fh: np.save(fh, np.ascontiguousarray(array)))

    def get_array(self, name: str) -> npt.NDArray[Any]:
        # Memory-mapped: a pass reads the slices it needs and the page cache, not the heap, holds the rest.
        path = self._path(name, ".npy")
        if path.stat().st_size <= 128:  # np.load cannot map an empty array
            return np.load(path)
        return np.load(path, mmap_mode="r")

    def new_array(self, name: str, shape: tuple[int, ...], dtype: Any) -> npt.NDArray[Any]:
        tmp = self._path(f".{name}.partial", ".npy")
        if 0 in shape:
            return np.zeros(shape, dtype=dtype)
        return np.lib.format.open_memmap(tmp, mode="w+", dtype=dtype, shape=shape)

    def finish_array(self, name: str, array: npt.NDArray[Any]) -> None:
        if isinstance(array, np.memmap):
            array.flush()
            os.replace(self._path(f".{name}.partial", ".npy"), self._path(name, ".npy"))
        else:
            self.put_array(name, array)

    def drop(self, name: str) -> None:
        for suffix in (".pkl", ".npy"):
            self._path(name, suffix).unlink(missing_ok=True)

    def remove(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


Store = MemoryStore | DiskStore
