"""The runnable examples of docs/library.md: the plain fetch loop, and the Scrapy pipeline's logic (Scrapy itself is
not needed: the pipeline falls back to its own DropItem)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "examples"))

import fetch_loop  # noqa: E402
import scrapy_pipeline  # noqa: E402

STORY = "\n\n".join(
    [
        "The city council approved a new budget on Monday after weeks of debate among its members.",
        "Spending on public transport will rise by a tenth, while road repairs receive less money.",
    ]
)


def test_fetch_loop_twice_keeps_the_index(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    index = tmp_path / "crawl.dedup"
    assert fetch_loop.main(["--index", str(index)]) == 0
    first = capsys.readouterr().out.splitlines()
    assert len(first) == 5 and all(line.startswith("new") for line in first)
    assert fetch_loop.main(["--index", str(index)]) == 0
    second = capsys.readouterr().out.splitlines()
    assert all(line.startswith("skip") for line in second)


def test_scrapy_pipeline_drops_repeats_and_saves(tmp_path: Path) -> None:
    index = tmp_path / "crawl.dedup"
    pipeline = scrapy_pipeline.DedupPipeline(index_path=str(index))
    spider = object()
    pipeline.open_spider(spider)
    item = pipeline.process_item({"url": "https://news.example/a", "text": STORY}, spider)
    assert item["text"] == STORY and item["dedup_removed"] == []
    with pytest.raises(scrapy_pipeline.DropItem, match=r"repeats https://news\.example/a"):
        pipeline.process_item({"url": "https://mirror.example/a", "html": STORY}, spider)
    with pytest.raises(scrapy_pipeline.DropItem, match="processed before"):
        pipeline.process_item({"url": "https://news.example/a", "text": STORY}, spider)
    pipeline.close_spider(spider)
    again = scrapy_pipeline.DedupPipeline(index_path=str(index))
    again.open_spider(spider)
    assert again.deduper is not None and len(again.deduper) == 2
