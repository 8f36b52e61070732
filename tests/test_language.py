from __future__ import annotations

from dedup.language import detect, stopwords
from dedup.shingle import tokens


def test_detects_the_languages_with_stopword_lists() -> None:
    samples = {
        "en": "The minister said that the new rules would take effect in the spring.",
        "de": "Der Minister sagte, dass die neuen Regeln im Frühjahr in Kraft treten würden.",
        "fr": "Le ministre a dit que les nouvelles règles entreraient en vigueur au printemps.",
        "es": "El ministro dijo que las nuevas normas entrarían en vigor en la primavera.",
        "ru": "Министр сказал, что новые правила вступят в силу весной, и это уже решено.",
        "zh": "部长说，新的规定将在春天生效，这是政府已经决定了的事情。",
    }
    for lang, text in samples.items():
        assert detect(tokens(text)) == lang


def test_unknown_when_too_little_text() -> None:
    assert detect(tokens("Pyongyang 2024")) is None
    assert detect([]) is None
    assert set(stopwords()) >= {"en", "de", "fr", "es", "it", "pt", "nl", "ru", "pl", "zh"}


def test_chinese_with_latin_words_is_chinese() -> None:
    # Han characters are one token each, so the Chinese list is of single characters.
    text = "参数可以是主机名称，也可以是数字地址。此程序首先把它当做主机的数字地址, for example 128.6.4.194 or topaz."
    assert detect(tokens(text)) == "zh"


def test_japanese_is_not_chinese() -> None:
    text = "首相は東京で記者会見を開き、新しい経済対策を発表しました。これは日本の経済にとって大きな一歩です。"
    assert detect(tokens(text * 3)) is None
