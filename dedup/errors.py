"""One exception hierarchy: every failure dedup raises on purpose is a `DedupError`."""

from __future__ import annotations


class DedupError(Exception):
    """Base class of every error dedup raises deliberately."""


class ConfigError(DedupError, ValueError):
    """A configuration value or file is invalid; the message says how to fix it."""


class UsageError(DedupError):
    """The caller asked for something impossible (missing input, unsafe output directory, ...)."""


class InputError(DedupError):
    """An input could not be read during a run."""


class OutputError(DedupError):
    """An output could not be written."""
