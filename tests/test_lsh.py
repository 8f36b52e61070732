from __future__ import annotations

import itertools

import numpy as np
from datasketch import MinHash, MinHashLSH
from hypothesis import given, settings
from hypothesis import strategies as st

from dedup.lsh import candidate_pairs, choose_params


def test_params_match_datasketch() -> None:
    for threshold in (0.3, 0.5, 0.7, 0.8, 0.9):
        ours = choose_params(threshold, 128)
        theirs = MinHashLSH(threshold=threshold, num_perm=128)
        assert (ours.bands, ours.rows) == (theirs.b, theirs.r)


def test_probability_curve() -> None:
    p = choose_params(0.8, 128)
    assert p.probability(0.0) == 0.0
    assert p.probability(1.0) == 1.0
    assert p.probability(0.7) < p.probability(0.8) < p.probability(0.9)


@settings(max_examples=25, deadline=None)
@given(st.lists(st.sets(st.integers(0, 40), min_size=1, max_size=12), min_size=2, max_size=25))
def test_candidates_equal_datasketch_minhashlsh(sets: list[set[int]]) -> None:
    num_perm = 32
    params = choose_params(0.5, num_perm)
    minhashes = []
    for s in sets:
        m = MinHash(num_perm=num_perm)
        for v in sorted(s):
            m.update(str(v).encode())
        minhashes.append(m)
    sigs = np.array([m.hashvalues for m in minhashes], dtype=np.uint32)
    ours = {tuple(p) for p in candidate_pairs(sigs, params).tolist()}
    lsh = MinHashLSH(num_perm=num_perm, params=(params.bands, params.rows))
    theirs = set()
    for i, m in enumerate(minhashes):
        for j in lsh.query(m):
            theirs.add((int(j), i))
        lsh.insert(i, m)
    assert ours == theirs


def test_candidates_brute_force_identical_signatures() -> None:
    sigs = np.array([[1, 2, 3, 4], [1, 2, 3, 4], [9, 9, 9, 9], [1, 2, 3, 4]], dtype=np.uint32)
    params = choose_params(0.5, 4)
    pairs = {tuple(p) for p in candidate_pairs(sigs, params).tolist()}
    assert pairs == set(itertools.combinations([0, 1, 3], 2))
