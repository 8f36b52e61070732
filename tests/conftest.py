from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
EVAL = ROOT.parent / "shared" / "eval"


@pytest.fixture
def corpus_dir() -> Path:
    return CORPUS


def require_eval() -> Path:
    if not EVAL.is_dir():
        pytest.skip("evaluation data ../shared/eval is absent (it sits beside the repository in CI)")
    return EVAL
