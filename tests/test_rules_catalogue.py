"""The built-in debris catalogues and stopword lists: every rule proves itself on its own examples.

Each rule must match each of its examples on its own, no counterexample may be matched by any
built-in rule, and ordinary article text (sentences, headings, agency attributions) in every
catalogue language survives the whole rule set.
"""

from __future__ import annotations

import time
from importlib import resources

import pytest
import regex

from dedup.rules import Rule, RuleSet, builtin_languages, builtin_rules

CATALOGUES = ("en", "de", "fr", "es", "it", "pt", "nl", "ru", "zh")
STOPWORD_LANGUAGES = ("en", "de", "fr", "es", "it", "pt", "nl", "ru", "pl", "zh")

RULES = builtin_rules()
ALL = RuleSet(RULES)

# Ordinary article text that no rule may claim: news sentences, short headings, section labels and
# attributions that belong to the article ("With inputs from agencies").
CONTENT = [
    # en
    "Kim also praises bilateral cooperation",
    "Putin, Kim sign new agreement on Russia-North Korea ties",
    "(With inputs from agencies)",
    "Comments from the minister were brief.",
    "Home prices rose 5% in June.",
    "Video shows the launch",
    "North Korea releases video showing new missile launch",
    "World",
    "Why it matters",
    "Share prices fell sharply on Monday.",
    "Search for survivors continues after the earthquake",
    "Follow the money, investigators say",
    "Published in 1851, the novel sold poorly.",
    "Updated on Tuesday.",
    "Latest figures show inflation falling.",
    "Related to the case, three men were arrested.",
    "Photos of the meeting were released by KCNA.",
    "Reporting by Hyonhee Shin; Editing by Ed Davies",
    "The Associated Press contributed to this report.",
    "About the treaty",
    "June was the hottest month on record.",
    "9/11",
    # de
    "Kim lobt die bilaterale Zusammenarbeit",
    "Die Anzeige wurde bei der Polizei erstattet.",
    "Teilen Sie diese Einschätzung, fragte der Moderator.",
    "Mehr zum Thema Klimaschutz will die Regierung im Herbst vorlegen.",
    "Suche nach Überlebenden dauert an",
    "Hintergrund",
    "(Mit Material von dpa und AFP)",
    # fr
    "Poutine et Kim signent un nouvel accord",
    "Partager les richesses, voilà l'objectif du gouvernement.",
    "Publicité mensongère : l'entreprise condamnée",
    "Par ailleurs, le ministre a démenti.",
    "(Avec AFP)",
    # es
    "Putin y Kim firman un nuevo acuerdo",
    "Compartir el poder no es fácil, dijo el presidente.",
    "Búsqueda de supervivientes tras el terremoto",
    "(Con información de agencias)",
    # it
    "Putin e Kim firmano un nuovo accordo",
    "Leggi anche tu il rapporto, ha detto il ministro.",
    "Pubblicità ingannevole, multa da un milione",
    # pt
    "Putin e Kim assinam novo acordo",
    "Leia também o relatório, pediu o ministro.",
    "Com informações da Reuters",
    # nl
    "Poetin en Kim tekenen nieuw akkoord",
    "Reageer niet op verdachte berichten, waarschuwt de politie.",
    "Deel van de weg is afgesloten",
    # ru
    "Путин и Ким подписали новое соглашение",
    "Поиск выживших продолжается",
    "Главное — не паниковать, сказал врач.",
    "Источник в правительстве сообщил, что решение уже принято.",
    "Фото с места происшествия опубликовали очевидцы.",
    "Комментарии министра были краткими.",
    "12 марта 2024 года Путин прибыл в Пхеньян.",
    "(По материалам ТАСС и РИА Новости)",
    "Видео показывает запуск ракеты",
    "Новости",
    # zh
    "普京和金正恩签署新协议",
    "国务院召开常务会议，研究稳定经济的政策措施。",
    "首页设计采用了简洁的风格。",
    "分享经济正在改变城市生活。",
    "评论家认为这部小说很有意义。",
    "作者在书中写道，城市正在迅速变化。",
    "2024年3月12日，国务院召开常务会议。",
    "搜索救援工作仍在继续",
    "（新华社）",
]


def rule_id(rule: Rule) -> str:
    return rule.id


@pytest.mark.parametrize("rule", RULES, ids=rule_id)
def test_rule_matches_its_examples(rule: Rule) -> None:
    alone = RuleSet([rule])
    for example in rule.examples:
        assert alone.match(example) is rule, f"{rule.id} does not match its example {example!r}"


@pytest.mark.parametrize("rule", RULES, ids=rule_id)
def test_no_rule_matches_a_counterexample(rule: Rule) -> None:
    for counter in rule.counterexamples:
        hit = ALL.match(counter)
        assert hit is None, f"counterexample {counter!r} of {rule.id} is matched by {hit.id if hit else ''}"


@pytest.mark.parametrize("rule", RULES, ids=rule_id)
def test_rule_is_documented_and_well_formed(rule: Rule) -> None:
    assert len(rule.examples) >= 2, f"{rule.id} needs at least two examples"
    assert len(rule.counterexamples) >= 1, f"{rule.id} needs a counterexample"
    assert rule.description
    assert rule.origin == f"rules/{rule.language}.toml"
    assert rule.id.startswith(f"{rule.language}.") and len(rule.id) > len(rule.language) + 1
    # Capturing groups would shift the group numbering of the combined alternation.
    assert regex.compile(rule.pattern, regex.IGNORECASE).groups == 0, f"{rule.id}: use (?:...) groups"


@pytest.mark.parametrize("rule", [r for r in RULES if r.kind == "section"], ids=rule_id)
def test_section_headings_are_not_claimed_by_a_paragraph_rule(rule: Rule) -> None:
    # The first matching rule wins; a paragraph rule listed earlier would drop the heading but leave its teasers.
    for example in rule.examples:
        hit = ALL.match(example)
        assert hit is not None and hit.kind == "section", f"{example!r} is claimed by {hit.id if hit else None}"


def test_catalogues_load_with_unique_ids() -> None:
    assert set(CATALOGUES) <= set(builtin_languages())
    ids = [r.id for r in RULES]
    assert len(ids) == len(set(ids))
    for lang in CATALOGUES:
        assert builtin_rules([lang]), f"catalogue {lang} is empty"


@pytest.mark.parametrize("text", CONTENT)
def test_content_survives_every_rule(text: str) -> None:
    hit = ALL.match(text)
    assert hit is None, f"{text!r} is matched by {hit.id if hit else ''}"


def test_matching_stays_fast_on_long_repetitive_paragraphs() -> None:
    # Near-misses built from the examples themselves are where backtracking blows up.
    texts = []
    for rule in RULES:
        for example in rule.examples:
            texts.append(((example + " ") * 40)[:398] + "!")
            texts.append(((example + ", ") * 40)[:398] + "!")
    start = time.perf_counter()
    for text in texts:
        ALL.match(text)
    assert time.perf_counter() - start < 10


@pytest.mark.parametrize("lang", STOPWORD_LANGUAGES)
def test_stopword_list(lang: str) -> None:
    path = resources.files("dedup") / "data" / "stopwords" / f"{lang}.txt"
    assert path.is_file(), f"missing stopword list for {lang}"
    lines = [ln.strip() for ln in path.read_text(encoding="utf-8").splitlines()]
    words = [ln for ln in lines if ln and not ln.startswith("#")]
    assert len(words) >= 100
    assert len(words) == len(set(words)), "duplicate stopwords"
    for word in words:
        assert word == word.lower() and regex.fullmatch(r"\w+", word), f"{lang}: bad stopword {word!r}"
