"""A Scrapy item pipeline: every scraped item is cleaned at once, near-duplicates of earlier pages are dropped.

Enable it in the project's settings.py:

    ITEM_PIPELINES = {"examples.scrapy_pipeline.DedupPipeline": 300}
    DEDUP_INDEX = "crawl.dedup"  # kept across crawls: loaded at start, saved at the end
    # or one index shared by every crawler process (pip install 'dedup[redis]'):
    DEDUP_REDIS_URL = "redis://127.0.0.1:6379/0"

Items carry the page as `html` (or `text`) and its `url`; the pipeline adds `text` (the cleaned text) and
`dedup_removed` (what went and why), and drops an item whose page repeats an earlier one.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import dedup

try:
    from scrapy.exceptions import DropItem
except ImportError:  # the pipeline's logic is usable (and tested) without Scrapy installed

    class DropItem(Exception):  # type: ignore[no-redef]
        """Scrapy's signal to drop an item."""


class DedupPipeline:
    def __init__(self, index_path: str | None = None, redis_url: str | None = None) -> None:
        self.index_path = index_path
        self.redis_url = redis_url
        self.deduper: dedup.Deduper | None = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> DedupPipeline:
        return cls(crawler.settings.get("DEDUP_INDEX"), crawler.settings.get("DEDUP_REDIS_URL"))

    def open_spider(self, spider: Any) -> None:
        if self.redis_url:
            self.deduper = dedup.Deduper.redis(self.redis_url, name=getattr(spider, "name", "dedup"))
        elif self.index_path and Path(self.index_path).exists():
            self.deduper = dedup.Deduper.load(self.index_path)  # a damaged file raises: never a silently empty index
        else:
            self.deduper = dedup.Deduper()

    def process_item(self, item: Any, spider: Any) -> Any:
        assert self.deduper is not None, "open_spider was not called"
        url = item["url"]
        content = item.get("html") or item.get("text") or ""
        if url in self.deduper:
            raise DropItem(f"{url} was processed before")
        # Scrapy runs pipelines in one thread; Deduper is thread-safe anyway, and atomic across processes on Redis.
        result = self.deduper.add(url, content, url=url)
        if not result.kept:
            raise DropItem(f"{url} repeats {result.duplicate_of} (similarity {result.similarity:.2f})")
        item["text"] = result.text
        item["dedup_removed"] = [{"text": r.text, "why": r.explain()} for r in result.removals]
        return item

    def close_spider(self, spider: Any) -> None:
        if self.deduper is None:
            return
        if self.index_path and not self.redis_url:
            self.deduper.save(self.index_path)
        self.deduper.close()
