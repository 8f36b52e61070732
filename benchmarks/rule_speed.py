"""Debris-rule matching speed: `RuleSet` with its prefilter against the plain alternations it used to run.

Why this exists: almost no paragraph of an article is debris, yet fullmatching a catalogue's alternation costs tens of
microseconds to say so, and the text cleaner asks for every paragraph. `RuleSet` now runs an alternation only when a
cheap necessary condition (lengths, first and last characters, literal strings) lets some rule through; the verdicts
must stay exactly the same, which this benchmark checks on every paragraph it times.

Paragraphs: the lines of the gold texts of the evaluation sets (`../shared/eval`, AEB and WCXB-dev), each with its
page's language as the pipeline detects it; unique (match form, language) pairs, at most `MAX_MATCH_CHARS` long.
Both sides get the match form (whitespace collapsed, edges stripped) and are timed per call with the verdict memo
bypassed. The prefilter remembers its verdicts on paragraph edges ("The ", "said."), so its first pass over the
paragraphs (empty memo) and its best pass are both reported; the alternations have no such state.

Construction: building a `RuleSet` from the built-in catalogues in a fresh process (compiled alternations and pattern
analyses are then cached for the process), against compiling the per-language alternations alone, which is what the
constructor did before; the catalogues are parsed beforehand in both. A catalogue's prefilter is prepared when the
catalogue is first used, so the time to have all of them ready is reported too.

    python -m benchmarks.rule_speed [--eval-dir DIR] [--passes N] [--limit N]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from functools import cache
from pathlib import Path

import regex

from benchmarks.eval_text import DEFAULT_EVAL_DIR, load_aeb, load_wcxb
from dedup.language import detect
from dedup.pipeline import LANGUAGE_SAMPLE_CHARS
from dedup.rules import FALLBACK_LANGUAGE, MAX_MATCH_CHARS, Rule, RuleSet, builtin_languages, builtin_rules, match_form
from dedup.shingle import tokens

Pair = tuple[str, str | None]

CONSTRUCTION = """
import json, time
from dedup.rules import RuleSet, builtin_rules
rules = builtin_rules()
start = time.perf_counter()
{body}
print(json.dumps(time.perf_counter() - start))
"""
NEW_BODY = "RuleSet(rules)"
READY_BODY = """
for group in RuleSet(rules)._groups.values():
    group.prefilter
"""
OLD_BODY = """
import regex
groups = {}
for rule in rules:
    groups.setdefault(rule.language, []).append(rule.pattern)
for patterns in groups.values():
    regex.compile("|".join(f"(?P<r{i}>{p})" for i, p in enumerate(patterns)), regex.IGNORECASE)
"""


class PlainAlternations:
    """`RuleSet`'s matching before the prefilter: one alternation per catalogue, fullmatched group by group (user
    rules, the document's language, English; or every catalogue in name order), crediting the rule of the first
    alternative that matches. Also the reference of the prefilter's equality tests."""

    def __init__(self, rules: Sequence[Rule]) -> None:
        self.rules = tuple(rules)
        members: dict[str, list[int]] = {}
        for i, rule in enumerate(self.rules):
            members.setdefault(rule.language, []).append(i)
        self.groups = {
            lang: (ids, plain_alternation(tuple(self.rules[i].pattern for i in ids))) for lang, ids in members.items()
        }
        builtin = set(builtin_languages())
        user = [lang for lang in members if lang not in builtin]
        self.catalogues = sorted(lang for lang in members if lang in builtin)
        self.everywhere = [*user, *self.catalogues]
        fallback = [FALLBACK_LANGUAGE] if FALLBACK_LANGUAGE in self.catalogues else []
        self.orders = {lang: list(dict.fromkeys([*user, lang, *fallback])) for lang in self.catalogues}

    def match(self, form: str, language: str | None) -> Rule | None:
        for lang in self.orders.get(language, self.everywhere) if language is not None else self.everywhere:
            ids, alternation = self.groups[lang]
            m = alternation.fullmatch(form)
            if m is not None:
                return self.rules[ids[int(m.lastgroup[1:])]]
        return None


@cache
def plain_alternation(patterns: tuple[str, ...]) -> regex.Pattern[str]:
    # Cached: the equality tests build many references from the same rules.
    return regex.compile("|".join(f"(?P<r{i}>{p})" for i, p in enumerate(patterns)), regex.IGNORECASE)


def load_pairs(eval_dir: Path, limit: int | None) -> list[Pair]:
    pages = [*load_aeb(eval_dir), *load_wcxb(eval_dir)][:limit]
    pairs: set[Pair] = set()
    for page in pages:
        language = detect(tokens(page.gold[:LANGUAGE_SAMPLE_CHARS]))
        for line in page.gold.splitlines():
            form = match_form(line) if len(line) <= MAX_MATCH_CHARS else ""
            if form:
                pairs.add((form, language))
    return sorted(pairs, key=lambda pair: (pair[0], pair[1] or ""))


def timed(match: Callable[[str, str | None], Rule | None], pairs: Sequence[Pair]) -> tuple[list[Rule | None], float]:
    """The verdicts, and the microseconds per call."""
    start = time.perf_counter()
    verdicts = [match(form, language) for form, language in pairs]
    return verdicts, (time.perf_counter() - start) / len(pairs) * 1e6


def passes_prefilter(rules: RuleSet, form: str, language: str | None) -> bool:
    """Whether some group's alternation runs for this paragraph."""
    for lang in rules._orders.get(language, rules._everywhere):
        prefilter = rules._groups[lang].prefilter
        if prefilter is None or prefilter.may_match(form):
            return True
    return False


def construction_seconds(body: str) -> float:
    code = CONSTRUCTION.format(body=body)
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    return float(json.loads(out.stdout))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--eval-dir", type=Path, default=DEFAULT_EVAL_DIR)
    parser.add_argument("--passes", type=int, default=3, help="timed passes per side; the best is reported")
    parser.add_argument("--limit", type=int, default=None, help="at most this many pages")
    args = parser.parse_args(argv)
    if not (args.eval_dir / "aeb").is_dir():
        raise SystemExit(f"no evaluation data under {args.eval_dir}; pass --eval-dir")

    pairs = load_pairs(args.eval_dir, args.limit)
    rules = builtin_rules()
    plain = PlainAlternations(rules)
    prefiltered = RuleSet(rules)
    for group in prefiltered._groups.values():
        assert group.prefilter is not None, "a catalogue is matched without its prefilter"
    # `_match` is `match` after the memo lookup and the match form, which both sides share.
    verdicts, first = timed(prefiltered._match, pairs)
    best_new, best_old = first, float("inf")
    for _ in range(args.passes):
        expected, old = timed(plain.match, pairs)
        best_old = min(best_old, old)
        got, new = timed(prefiltered._match, pairs)
        best_new = min(best_new, new)
        if got != expected or verdicts != expected:
            wrong = next(p for p, a, b in zip(pairs, got, expected, strict=True) if a != b)
            raise SystemExit(f"verdicts differ, first on {wrong!r}")
    hits = sum(v is not None for v in verdicts)
    let_through = sum(passes_prefilter(prefiltered, form, language) for form, language in pairs)
    everywhere = pairs[:: max(1, len(pairs) // 5000)]
    _, old_everywhere = timed(lambda form, _: plain.match(form, None), everywhere)
    _, new_everywhere = timed(lambda form, _: prefiltered._match(form, None), everywhere)

    print(
        f"{len(pairs)} unique paragraphs, {hits} matched by a rule; {len(rules)} rules, {len(plain.groups)} catalogues"
    )
    print(f"paragraphs the prefilter lets through to an alternation: {let_through} ({let_through / len(pairs):.1%})")
    print("verdicts: identical on every paragraph and pass")
    print(f"{'us per match call':44} {'alternations':>12} {'prefilter':>10} {'speed-up':>9}")
    for label, old, new in [
        ("page language, best pass", best_old, best_new),
        ("page language, prefilter's first pass", best_old, first),
        (f"every catalogue, {len(everywhere)} paragraphs", old_everywhere, new_everywhere),
    ]:
        print(f"{label:44} {old:12.2f} {new:10.2f} {old / new:8.1f}x")
    old_build, new_build, ready = (construction_seconds(body) for body in (OLD_BODY, NEW_BODY, READY_BODY))
    print("construction in a fresh process, catalogues parsed:")
    print(f"  alternations alone (as before) {old_build:.2f} s; RuleSet {new_build:.2f} s; RuleSet with every")
    print(f"  catalogue's prefilter ready {ready:.2f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
