from __future__ import annotations

import dedup

PUBLIC = [
    "Config",
    "ConfigError",
    "Decoded",
    "DedupError",
    "Deduper",
    "Document",
    "DuplicateIdError",
    "HtmlConfig",
    "IndexFormatError",
    "IndexUnavailableError",
    "InputError",
    "LSHIndex",
    "LSHParams",
    "Matches",
    "MinHashConfig",
    "OutputConfig",
    "OutputError",
    "Page",
    "Pair",
    "Paragraph",
    "RecordsConfig",
    "Removal",
    "RepeatsConfig",
    "Result",
    "RulesConfig",
    "RunReport",
    "SegmentConfig",
    "Shared",
    "Shingles",
    "Signer",
    "UsageError",
    "choose_params",
    "clean",
    "decode_html",
    "extract_html",
    "fill_minhashlsh",
    "from_datasketch",
    "lsh_params",
    "near_duplicates",
    "run",
    "to_datasketch",
    "to_lean",
    "to_minhashlsh",
]


def test_public_api_is_pinned() -> None:
    assert sorted(dedup.__all__) == PUBLIC
    for name in PUBLIC:
        assert getattr(dedup, name) is not None


def test_errors_share_one_base() -> None:
    for name in (
        "ConfigError",
        "DuplicateIdError",
        "IndexFormatError",
        "IndexUnavailableError",
        "InputError",
        "OutputError",
        "UsageError",
    ):
        assert issubclass(getattr(dedup, name), dedup.DedupError)
