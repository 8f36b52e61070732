"""dedup: near-duplicate and boilerplate detection and cleaning for scraped text.

The public API is what this module exports; everything else may move.
"""

from dedup.api import RunReport, clean, run
from dedup.config import Config, MinHashConfig, OutputConfig, RepeatsConfig, RulesConfig, SegmentConfig
from dedup.document import Document, Paragraph, Removal, Result, Shared
from dedup.errors import ConfigError, DedupError, InputError, OutputError, UsageError
from dedup.lsh import LSHParams, choose_params
from dedup.minhash import Signer

__all__ = [
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
