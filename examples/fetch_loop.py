"""A plain loop over fetched pages: clean each page at once, skip the ones seen before, keep the index across runs.

    python examples/fetch_loop.py                      # the sample pages in corpus/ (no network needed)
    python examples/fetch_loop.py https://example.com/a https://example.com/b ...
    python examples/fetch_loop.py --index crawl.dedup page1.html page2.txt ...

Run it twice: the second run loads the saved index and reports every page as a repeat of the first run's.
"""

from __future__ import annotations

import argparse
import sys
import urllib.request
from pathlib import Path

import dedup

SAMPLES = Path(__file__).resolve().parents[1] / "corpus"


def fetch(where: str) -> bytes:
    """The page's bytes: a URL is fetched, anything else read as a file."""
    if where.startswith(("http://", "https://")):
        with urllib.request.urlopen(where, timeout=30) as response:
            return bytes(response.read())
    return Path(where).read_bytes()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("pages", nargs="*", help="URLs or files (default: the sample corpus)")
    parser.add_argument("--index", default="fetch-loop.dedup", help="index file, loaded if present, saved at the end")
    args = parser.parse_args(argv)
    pages = args.pages or [str(p) for p in sorted(SAMPLES.glob("*.txt"))]

    index = Path(args.index)
    deduper = dedup.Deduper.load(index) if index.exists() else dedup.Deduper()
    print(f"index {index}: {len(deduper)} pages known", file=sys.stderr)
    for where in pages:
        if where in deduper:  # the same id twice is refused by add(); check() tells what it would say now
            result = deduper.check(where, fetch(where), url=where if "://" in where else None)
        else:
            # Bytes go in as fetched: HTML is told from its first bytes and decoded like a browser would.
            result = deduper.add(where, fetch(where), url=where if "://" in where else None)
        if not result.kept:
            print(f"skip {where}: near-duplicate of {result.duplicate_of} (similarity {result.similarity:.2f})")
            continue
        boilerplate = sum(r.reason == "boilerplate" for r in result.removals)
        print(
            f"new  {where}: {len(result.text)} characters kept, {len(result.removals)} removals"
            f" ({boilerplate} boilerplate of {result.source or 'the default source'})"
        )
    deduper.save(index)  # atomic: an interrupted save leaves the previous index whole
    return 0


if __name__ == "__main__":
    sys.exit(main())
