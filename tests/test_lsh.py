from __future__ import annotations

import itertools
from unittest.mock import patch

import numpy as np
import pytest
from datasketch import MinHash, MinHashLSH
from hypothesis import given, settings
from hypothesis import strategies as st

from dedup.lsh import PIPELINE_MAX_BUCKET, LSHIndex, LSHParams, candidate_pairs, choose_params, lsh_params


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


def brute_force_pairs(sigs: np.ndarray, params: LSHParams) -> set[tuple[int, int]]:
    out = set()
    for i, j in itertools.combinations(range(len(sigs)), 2):
        for band in range(params.bands):
            cols = slice(band * params.rows, (band + 1) * params.rows)
            if np.array_equal(sigs[i, cols], sigs[j, cols]):
                out.add((i, j))
                break
    return out


@settings(max_examples=30, deadline=None)
@given(st.lists(st.lists(st.integers(0, 3), min_size=8, max_size=8), min_size=2, max_size=30))
def test_key_collisions_never_make_candidates(rows: list[list[int]]) -> None:
    """Every item hashed to one key: the exact band check alone decides, so the pairs stay exact."""
    sigs = np.array(rows, dtype=np.uint32)
    params = LSHParams(0.5, 8, 4, 2)
    expected = brute_force_pairs(sigs, params)
    with patch("dedup.lsh.band_keys", lambda s, p: np.zeros((len(s), p.bands), dtype=np.uint32)):
        assert {tuple(p) for p in candidate_pairs(sigs, params).tolist()} == expected
    assert {tuple(p) for p in candidate_pairs(sigs, params).tolist()} == expected


@settings(max_examples=30, deadline=None)
@given(
    st.lists(st.lists(st.integers(0, 3), min_size=8, max_size=8), min_size=1, max_size=20),
    st.lists(st.lists(st.integers(0, 3), min_size=8, max_size=8), min_size=1, max_size=10),
)
def test_query_equals_brute_force(indexed: list[list[int]], queries: list[list[int]]) -> None:
    params = LSHParams(0.5, 8, 4, 2)
    sigs = np.array(indexed, dtype=np.uint32)
    q = np.array(queries, dtype=np.uint32)
    index = LSHIndex(params)
    index.add(sigs[: len(sigs) // 2])
    index.add(sigs[len(sigs) // 2 :])
    got = {tuple(p) for p in index.build().query(q, sigs).tolist()}
    both = np.concatenate([q, sigs])
    expected = {(i, j - len(q)) for i, j in brute_force_pairs(both, params) if i < len(q) <= j}
    assert got == expected


def test_large_bucket_becomes_a_star_when_capped() -> None:
    sigs = np.tile(np.arange(8, dtype=np.uint32), (10, 1))
    params = LSHParams(0.5, 8, 4, 2)
    assert len(candidate_pairs(sigs, params)) == 45
    star = candidate_pairs(sigs, params, max_bucket=4)
    assert {tuple(p) for p in star.tolist()} == {(0, j) for j in range(1, 10)}


def test_index_size_is_eight_bytes_per_band_per_item() -> None:
    sigs = np.random.default_rng(0).integers(0, 2**32, (1000, 128), dtype=np.uint32)
    params = lsh_params(0.6, 128)
    index = LSHIndex(params)
    index.add(sigs)
    assert index.build().nbytes == 8 * params.bands * 1000


def test_lsh_params_curve() -> None:
    p = lsh_params(0.8, 128)
    curve = p.curve()
    assert list(curve) == [0.7, 0.8, 0.9]
    assert curve[0.7] < curve[0.8] < curve[0.9]
    with pytest.raises(ValueError):
        lsh_params(0.0)


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(0, 96),
    values=st.integers(1, 4),
    bands_rows=st.sampled_from([(4, 3), (9, 13), (37, 3), (1, 16)]),
    seed=st.integers(0, 2**32 - 1),
)
def test_small_sets_compare_all_pairs_with_the_index_s_result(
    n: int, values: int, bands_rows: tuple[int, int], seed: int
) -> None:
    bands, rows = bands_rows
    sigs = np.random.default_rng(seed).integers(0, values, size=(n, 128), dtype=np.uint32)
    params = LSHParams(0.5, 128, bands, rows)
    direct = candidate_pairs(sigs, params, PIPELINE_MAX_BUCKET)
    index = LSHIndex(params)
    index.add(sigs)
    expected = index.build().pairs(sigs, PIPELINE_MAX_BUCKET)
    assert direct.tolist() == expected.tolist()
