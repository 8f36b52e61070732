"""dedup: near-duplicate and boilerplate detection and cleaning for scraped text.

The public API is what this module exports; everything else may move.
"""

from dedup.api import RunReport, clean, run
from dedup.config import (
    Config,
    HtmlConfig,
    MinHashConfig,
    OutputConfig,
    RecordsConfig,
    RepeatsConfig,
    RulesConfig,
    SegmentConfig,
)
from dedup.deduper import Deduper, DuplicateIdError
from dedup.document import Document, Paragraph, Removal, Result, Shared
from dedup.errors import ConfigError, DedupError, InputError, OutputError, UsageError
from dedup.html.decode import Decoded, decode_html
from dedup.html.page import Page, extract_html
from dedup.index import IndexFormatError, IndexUnavailableError
from dedup.interop import fill_minhashlsh, from_datasketch, to_datasketch, to_lean, to_minhashlsh
from dedup.lsh import LSHIndex, LSHParams, choose_params, lsh_params
from dedup.match import Matches, Pair, near_duplicates
from dedup.minhash import Shingles, Signer

__all__ = [
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
