"""dedup.document: the fast constructor of structure removals equals the dataclass's own."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dedup.document import Paragraph, Removal


@given(
    start=st.integers(min_value=0, max_value=10**9),
    length=st.integers(min_value=0, max_value=10**6),
    index=st.integers(min_value=0, max_value=10**6),
    text=st.text(),
    rule=st.text(min_size=1),
    path=st.text(min_size=1),
)
def test_structure_equals_the_constructor(start: int, length: int, index: int, text: str, rule: str, path: str) -> None:
    p = Paragraph(index, start, start + length, text)
    fast = Removal.structure(p, rule, path)
    slow = Removal(p.start, p.end, p.index, "structure", p.text, rule=rule, path=path)
    assert fast == slow
    assert dataclasses.asdict(fast) == dataclasses.asdict(slow)
    assert fast.to_dict() == slow.to_dict()
    assert hash(fast) == hash(slow)


def test_structure_is_frozen_and_sets_every_field() -> None:
    r = Removal.structure(Paragraph(3, 10, 14, "Menu"), "html.cue:nav", "body > nav")
    # A field added to Removal must be set by the fast constructor too.
    assert set(vars(r)) == {f.name for f in dataclasses.fields(Removal)}
    with pytest.raises(dataclasses.FrozenInstanceError):
        r.text = "x"  # type: ignore[misc]
