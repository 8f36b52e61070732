"""Pinned quality floors on the evaluation pages: if a change lowers the score, CI says so.

The floors sit a little below the figures measured when they were set (benchmarks/README.md has
the full table); never lower one silently. Skipped when ../shared/eval is absent.
"""

from __future__ import annotations

import pytest

import dedup
from benchmarks.eval_text import load_aeb, load_wcxb, naive_texts
from benchmarks.naive_text import read_page
from benchmarks.scoring import aeb_scores, aggregate_aeb, aggregate_wcxb, wcxb_scores
from tests.conftest import require_eval

pytestmark = pytest.mark.integration


def cleaned(pages: list) -> list[str]:
    texts = naive_texts(pages)
    docs = [dedup.Document(id=p.id, text=t, url=p.url) for p, t in zip(pages, texts, strict=True)]
    return [r.text for r in dedup.clean(docs, dedup.Config().with_options(keep="all"))]


def test_aeb_floor() -> None:
    pages = load_aeb(require_eval())
    score = aggregate_aeb(aeb_scores(t, p.gold) for t, p in zip(cleaned(pages), pages, strict=True))
    # Measured: P 0.646, R 0.986, F1 0.781 (the naive text: P 0.507, R 0.994).
    assert score.precision >= 0.63 and score.recall >= 0.975 and score.f1 >= 0.77, score


def test_wcxb_sample_floor() -> None:
    # Every fifth page: a fixed sample across page types, a fifth of the full run's time.
    pages = load_wcxb(require_eval())[::5]
    score = aggregate_wcxb(wcxb_scores(t, p.gold) for t, p in zip(cleaned(pages), pages, strict=True))
    # Measured: P 0.686, R 0.965, F1 0.768 (the naive text: P 0.592, R 0.983).
    assert score.precision >= 0.675 and score.recall >= 0.955 and score.f1 >= 0.76, score


def cleaned_html(pages: list) -> list[str]:
    docs = [dedup.Document(id=p.id, text=read_page(p.html_path), url=p.url, kind="html") for p in pages]
    return [r.text for r in dedup.clean(docs, dedup.Config().with_options(keep="all"))]


def test_aeb_html_floor() -> None:
    pages = load_aeb(require_eval())
    score = aggregate_aeb(aeb_scores(t, p.gold) for t, p in zip(cleaned_html(pages), pages, strict=True))
    # Measured: P 0.936, R 0.978, F1 0.956 (trafilatura on the same pages: 0.942, 0.978, 0.960).
    assert score.precision >= 0.925 and score.recall >= 0.965 and score.f1 >= 0.945, score


def test_wcxb_html_sample_floor() -> None:
    pages = load_wcxb(require_eval())[::5]
    score = aggregate_wcxb(wcxb_scores(t, p.gold) for t, p in zip(cleaned_html(pages), pages, strict=True))
    # Measured: P 0.856, R 0.873, F1 0.834 on this sample (the full set is in benchmarks/README.md).
    assert score.precision >= 0.845 and score.recall >= 0.86 and score.f1 >= 0.825, score
