"""Which removals cost recall: per rule id, the tokens removed that the gold has and the ones it has not.

A removal's tokens are charged against the page's gold bag of words (lowercased `\\w+`, as the WCXB
scorer counts them): tokens the gold still needs are "content lost", the rest "debris removed". Run on
the tuning split only, so the reporting third stays unseen.

    python -m benchmarks.rule_audit [--set wcxb|aeb] [--split tune] [--top 30]
"""

from __future__ import annotations

import argparse
from collections import Counter
from collections.abc import Sequence

import regex

import dedup
from benchmarks.eval_text import DEFAULT_EVAL_DIR, load_aeb, load_wcxb, naive_texts

_WORD = regex.compile(r"\w+")


def bag(text: str) -> Counter[str]:
    return Counter(_WORD.findall(text.lower()))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--set", choices=("wcxb", "aeb"), default="wcxb")
    parser.add_argument("--split", choices=("tune", "report", "all"), default="tune")
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--examples", type=int, default=0, help="print this many lost-content examples per rule")
    args = parser.parse_args(argv)
    pages = (load_wcxb if args.set == "wcxb" else load_aeb)(DEFAULT_EVAL_DIR)
    if args.split != "all":
        pages = [p for p in pages if p.split == args.split]
    texts = naive_texts(pages)
    docs = [dedup.Document(id=p.id, text=t, url=p.url) for p, t in zip(pages, texts, strict=True)]
    results = dedup.clean(docs, dedup.Config().with_options(keep="all"))
    lost: Counter[str] = Counter()
    gained: Counter[str] = Counter()
    examples: dict[str, list[str]] = {}
    for page, result in zip(pages, results, strict=True):
        need = bag(page.gold) - bag(result.text)  # gold tokens the cleaned text no longer has
        for rm in result.removals:
            key = rm.rule or rm.reason
            toks = bag(rm.text)
            hit = toks & need
            need -= hit
            lost[key] += sum(hit.values())
            gained[key] += sum((toks - hit).values())
            if hit and len(examples.setdefault(key, [])) < args.examples:
                examples[key].append(f"{page.id}: {rm.text[:100]!r}")
    print(f"{'rule':40} {'debris tokens':>14} {'content lost':>13} {'precision':>9}")
    for key, _ in sorted(((k, gained[k] + lost[k]) for k in gained), key=lambda kv: -lost[kv[0]])[: args.top]:
        total = gained[key] + lost[key]
        print(f"{key:40} {gained[key]:14d} {lost[key]:13d} {gained[key] / total if total else 0:9.3f}")
        for ex in examples.get(key, []):
            print(f"    {ex}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
