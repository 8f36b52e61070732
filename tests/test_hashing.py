from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from dedup.hashing import P, Powers, span_hash, span_hashes


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=200), st.data())
def test_vector_span_hashes_equal_reference(data: bytes, draw: st.DataObject) -> None:
    arr = np.frombuffer(data, dtype=np.uint8)
    spans = draw.draw(st.lists(st.tuples(st.integers(0, len(data)), st.integers(0, len(data))), max_size=10))
    spans = [(min(a, b), max(a, b)) for a, b in spans]
    start = np.array([s for s, _ in spans], dtype=np.int64)
    end = np.array([e for _, e in spans], dtype=np.int64)
    got = span_hashes(arr, start, end, Powers()).tolist()
    assert got == [span_hash(data[s:e]) for s, e in spans]


def test_hash_depends_on_content_and_length() -> None:
    values = {span_hash(b""), span_hash(b"a"), span_hash(b"a\x00"), span_hash(b"\x00a"), span_hash(b"b")}
    assert len(values) == 5


def test_same_bytes_same_hash_wherever_they_sit() -> None:
    arr = np.frombuffer(b"xx word yy word", dtype=np.uint8)
    h = span_hashes(arr, np.array([3, 11]), np.array([7, 15]), Powers())
    assert h[0] == h[1] == span_hash(b"word")


def test_large_tables_are_not_kept() -> None:
    powers = Powers(keep=1000)
    up, down = powers.get(5000)
    assert len(up) == 5000 and len(powers.up) < 5000
    assert int(up[4999]) == pow(P, 4999, 1 << 64)
    assert int(up[4999]) * int(down[4999]) % (1 << 64) == 1
