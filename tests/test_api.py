from __future__ import annotations

import dedup

PUBLIC = [
    "Config",
    "ConfigError",
    "DedupError",
    "Document",
    "InputError",
    "LSHParams",
    "MinHashConfig",
    "OutputConfig",
    "OutputError",
    "Paragraph",
    "Removal",
    "RepeatsConfig",
    "Result",
    "RulesConfig",
    "RunReport",
    "SegmentConfig",
    "Shared",
    "Signer",
    "UsageError",
    "choose_params",
    "clean",
    "run",
]


def test_public_api_is_pinned() -> None:
    assert sorted(dedup.__all__) == PUBLIC
    for name in PUBLIC:
        assert getattr(dedup, name) is not None


def test_errors_share_one_base() -> None:
    for name in ("ConfigError", "InputError", "OutputError", "UsageError"):
        assert issubclass(getattr(dedup, name), dedup.DedupError)
