from __future__ import annotations

from pathlib import Path

import pytest

from dedup.config import RulesConfig
from dedup.errors import ConfigError
from dedup.rules import RuleSet, builtin_rules, load_ruleset, match_form, parse_rules

RULE = """
language = "xx"
[[rule]]
id = "xx.hello"
pattern = '''hello world'''
examples = ["Hello world"]
counterexamples = ["Hello world, said the child."]
"""


def test_match_form_strips_edges_and_collapses_space() -> None:
    assert match_form("  •  Share\u00a0 this |  ") == "Share this"


def test_whole_paragraph_only() -> None:
    rules = RuleSet(builtin_rules(["en"]))
    assert rules.match("Advertisement") is not None
    assert rules.match("The advertisement ran for three weeks on national television.") is None


def test_document_language_is_credited_first() -> None:
    rules = RuleSet(builtin_rules())
    hit = rules.match("Advertisement", "en")
    assert hit is not None and hit.id.startswith("en.")


def test_user_rules_files_and_disable(tmp_path: Path) -> None:
    path = tmp_path / "mine.toml"
    path.write_text(RULE)
    rules = load_ruleset(RulesConfig(rules_files=(str(path),), disable=("en.advertisement",)))
    hit = rules.match("HELLO   world")
    assert hit is not None and hit.id == "xx.hello"
    ad = rules.match("Advertisement", "en")
    assert ad is None or ad.id != "en.advertisement"
    with pytest.raises(ConfigError, match="unknown rule"):
        load_ruleset(RulesConfig(disable=("en.nope",)))
    with pytest.raises(ConfigError, match="defined twice"):
        load_ruleset(RulesConfig(rules_files=(str(path), str(path))))


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        ("(hello)", "capturing groups"),
        ("(?P<x>a)", "capturing groups"),
        ("a*", "empty paragraph"),
        ("(", "bad pattern"),
    ],
)
def test_bad_patterns_are_refused(pattern: str, message: str) -> None:
    text = RULE.replace("hello world", pattern)
    with pytest.raises(ConfigError, match=message):
        parse_rules(text, "mine.toml")


def test_unknown_language_catalogue() -> None:
    with pytest.raises(ConfigError, match="no rule catalogue"):
        builtin_rules(["klingon"])


def test_known_language_uses_its_catalogue_and_english() -> None:
    rules = RuleSet(builtin_rules())
    de = rules.match("Advertisement", "de")
    assert de is not None and de.id.startswith(("de.", "en."))
    assert rules.match("Anzeige", "de") is not None
    assert rules.match("Anzeige", "fr") is None  # a German-only label on a French page
    assert rules.match("Anzeige", None) is not None  # unknown language: every catalogue
    assert rules.match("Anzeige", "pl") is not None  # no Polish catalogue: every catalogue
