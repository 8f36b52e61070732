from __future__ import annotations

import os
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


def test_equal_configurations_share_one_ruleset() -> None:
    assert load_ruleset(RulesConfig(languages=("en",))) is load_ruleset(RulesConfig(languages=("en",)))
    assert load_ruleset(RulesConfig(languages=("en",))) is not load_ruleset(RulesConfig(languages=("de",)))


def test_an_edited_rules_file_is_read_again(tmp_path: Path) -> None:
    path = tmp_path / "mine.toml"
    path.write_text(RULE)
    config = RulesConfig(languages=("en",), rules_files=(str(path),))
    before = load_ruleset(config).match("Hello world")
    assert before is not None and before.id == "xx.hello"
    # Same size and modification time: only the text tells the edit.
    stat = path.stat()
    path.write_text(RULE.replace("hello world", "howdy world").replace("Hello world", "Howdy world"))
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert path.stat().st_size == stat.st_size
    rules = load_ruleset(config)
    after = rules.match("Howdy world")
    assert after is not None and after.id == "xx.hello"
    assert rules.match("Hello world") is None
    path.unlink()
    with pytest.raises(ConfigError, match="cannot read rule file"):
        load_ruleset(config)


def test_rules_files_fail_in_order(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(RULE.replace("hello world", "(hello)"))
    missing = str(tmp_path / "missing.toml")
    with pytest.raises(ConfigError, match="capturing groups"):
        load_ruleset(RulesConfig(rules_files=(str(bad), missing)))
    with pytest.raises(ConfigError, match="cannot read rule file"):
        load_ruleset(RulesConfig(rules_files=(missing, str(bad))))


def test_remembered_verdicts_are_the_computed_ones() -> None:
    rules = RuleSet(builtin_rules(["en"]))
    for text in ("Advertisement", "The advertisement ran for three weeks on national television.") * 2:
        assert rules.match(text, "en") == rules._match(match_form(text), "en")
