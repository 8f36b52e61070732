from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from dedup.shingle import token_count, tokens

ASCII = st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=127), max_size=200)


@given(st.one_of(ASCII, st.text(max_size=200)))
def test_token_count_is_the_number_of_tokens(text: str) -> None:
    assert token_count(text) == len(tokens(text))


def test_token_count_examples() -> None:
    assert token_count("Hello, world_2 -- 3.5") == 4
    assert token_count("東京タワー is tall") == 7
    assert token_count("") == 0
