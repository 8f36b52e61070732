"""Properties of cleaning: idempotent, lossless on plain prose, deterministic."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from dedup import Document, clean

VOCABULARY = (
    "the a council minister city river school report police market village storm budget court "
    "said would after before during under against between announced approved rejected warned "
    "Tuesday Berlin Paris Madrid über Straße 北京 Москва café naïve"
)
WORDS = st.sampled_from(VOCABULARY.split(" "))
DEBRIS = st.sampled_from(
    ["Advertisement", "Published: undefined", "Source link", "Leave a Reply", "Share this:", "Comments", "Menu"]
)


@st.composite
def sentences(draw: st.DrawFn, min_words: int = 6) -> str:
    words = draw(st.lists(WORDS, min_size=min_words, max_size=30))
    return " ".join(words).capitalize() + draw(st.sampled_from([".", "!", "?"]))


@st.composite
def scraped(draw: st.DrawFn) -> str:
    items = draw(
        st.lists(st.one_of(sentences(), DEBRIS, st.lists(WORDS, min_size=1, max_size=8).map(" ".join)), max_size=20)
    )
    if items and draw(st.booleans()):
        items.append(draw(st.sampled_from(items)))  # a repeat
    sep = draw(st.sampled_from(["\n", "\n\n", "\r\n"]))
    return sep.join(items)


@settings(max_examples=150, deadline=None)
@given(scraped())
def test_cleaning_is_idempotent(text: str) -> None:
    once = clean(text)[0].text
    assert clean(once)[0].text == once


@settings(max_examples=100, deadline=None)
@given(st.lists(sentences(min_words=8), min_size=1, max_size=12, unique_by=lambda s: s.lower()))
def test_prose_of_distinct_sentences_loses_nothing(paragraphs: list[str]) -> None:
    # Distinct sentences can still share long n-gram runs by chance; only keep truly distinct ones.
    from dedup.minhash import Signer, jaccard

    signer = Signer()
    sets = [signer.shingle_hashes(p) for p in paragraphs]
    distinct = [p for i, p in enumerate(paragraphs) if all(jaccard(sets[i], sets[j]) < 0.3 for j in range(i))]
    text = "\n\n".join(distinct)
    (result,) = clean(text)
    assert result.removals == ()
    assert result.text == text


@settings(max_examples=40, deadline=None)
@given(st.lists(scraped(), min_size=1, max_size=6))
def test_output_is_deterministic(texts: list[str]) -> None:
    docs = [Document(id=f"d{i}", text=t, source="s") for i, t in enumerate(texts)]
    assert clean(docs) == clean(list(docs))
