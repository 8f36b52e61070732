from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from dedup import tokenize
from dedup.shingle import tokens as reference_tokens

# Every code point, surrogates and controls included: the fast path must not degrade any script.
ANY_TEXT = st.text(alphabet=st.characters(exclude_categories=()), max_size=60)
SCRIPTS = st.text(
    alphabet=st.sampled_from(
        list(
            "abcXYZ äöüß ÄÖÜ ẞ éèçœ ÆØÅ москваСТОЛИЦА 北京欢迎你ひらがなカタカナ 서울은한국"
            " ١٢٣ 𝔘𝟙🙂 .,;—«»\n\t\u00a0\u200b\u0301"
        )
    ),
    max_size=60,
)


def fast_tokens(texts: list[str]) -> list[list[str]]:
    enc = tokenize.encode(texts)
    toks = tokenize.tokens(enc)
    out: list[list[str]] = [[] for _ in texts]
    data = enc.data.tobytes()
    for s, e, o in zip(toks.start.tolist(), toks.end.tolist(), toks.owner.tolist(), strict=True):
        out[o].append(data[s:e].decode("utf-8", "surrogatepass"))
    return out


@settings(max_examples=300, deadline=None)
@given(st.lists(ANY_TEXT | SCRIPTS, min_size=1, max_size=6))
def test_fast_tokens_equal_reference_tokens(texts: list[str]) -> None:
    assert fast_tokens(texts) == [reference_tokens(t) for t in texts]


def test_scripts_tokenize_as_words() -> None:
    texts = [
        "Die Straßenbahn fährt über die Brücke.",
        "Москва — столица России",
        "北京欢迎你",
        "서울은 한국의 수도이다",
    ]
    assert fast_tokens(texts) == [
        ["die", "strassenbahn", "fährt", "über", "die", "brücke"],
        ["москва", "столица", "россии"],
        ["北", "京", "欢", "迎", "你"],
        ["서울은", "한국의", "수도이다"],
    ]


def test_tokens_never_cross_texts() -> None:
    assert fast_tokens(["abc", "def", "", "ghi"]) == [["abc"], ["def"], [], ["ghi"]]


def test_classes_agree_with_regex_for_astral_planes() -> None:
    table = tokenize.all_classes()
    assert table[ord("𝔘")] == tokenize.WORD
    assert table[ord("🙂")] == tokenize.NON_TOKEN
    assert table[0x20000] == tokenize.SINGLE  # CJK Extension B
    assert table[0] == tokenize.NON_TOKEN
