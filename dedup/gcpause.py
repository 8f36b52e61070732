"""Pausing Python's garbage collector around one document's work.

Extracting and analysing a page makes a few thousand small container objects that all live until the page is
judged. With the collector on, allocation counts trigger collections in the middle of that work: each one scans the
young objects again and, every so often, the caller's whole heap, which is wasted work when nothing is garbage yet
(measured on the evaluation pages, interleaved with the collector on: about 4% of a page's extraction and of its
one-document clean, more in a process with a large heap). Paused for one document, collection resumes at the first
allocation after it, so garbage never builds up across documents.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused() -> Iterator[None]:
    """Disable the collector for the block and enable it after; left alone when it is already off (the caller's
    choice, or an enclosing pause)."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
