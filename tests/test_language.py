from __future__ import annotations

from dedup.language import detect, stopwords
from dedup.shingle import tokens


def test_detects_the_languages_with_stopword_lists() -> None:
    samples = {
        "en": "The minister said that the new rules would take effect in the spring.",
        "de": "Der Minister sagte, dass die neuen Regeln im Frühjahr in Kraft treten würden.",
        "fr": "Le ministre a dit que les nouvelles règles entreraient en vigueur au printemps.",
        "es": "El ministro dijo que las nuevas normas entrarían en vigor en la primavera.",
    }
    for lang, text in samples.items():
        assert detect(tokens(text)) == lang


def test_unknown_when_too_little_text() -> None:
    assert detect(tokens("Pyongyang 2024")) is None
    assert detect([]) is None
    assert set(stopwords()) >= {"en", "de", "fr", "es", "it", "pt", "nl", "ru", "pl"}
