from __future__ import annotations

import numpy as np
import pytest
from datasketch import MinHash
from hypothesis import given, settings
from hypothesis import strategies as st

from dedup.config import MinHashConfig
from dedup.hashing import char_shingle_hash, word_shingle_hash
from dedup.minhash import EMPTY_VALUE, Shingles, Signer, agreement, jaccard
from dedup.shingle import shingles

UNICODE = st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=80)
WORDY = st.text(alphabet=st.sampled_from(list("ab cd éß Жж 北京 한국 ,.\n")), max_size=80)


def datasketch_values(text: str, cfg: MinHashConfig, hashfunc: object = None) -> np.ndarray:
    kwargs = {"hashfunc": hashfunc} if hashfunc is not None else {}
    m = MinHash(num_perm=cfg.num_perm, seed=cfg.seed, scheme=cfg.scheme, **kwargs)
    for sh in shingles(text, cfg.shingle, cfg.ngram):
        m.update(sh.encode("utf-8"))
    return m.hashvalues


@settings(max_examples=80, deadline=None)
@given(
    st.lists(UNICODE | WORDY, min_size=1, max_size=5),
    st.sampled_from([16, 128]),
    st.integers(1, 5),
    st.integers(0, 2**31 - 1),
    st.sampled_from(["affine32", "legacy"]),
    st.sampled_from(["word", "char"]),
)
def test_sha1_mode_equals_datasketch_bit_for_bit(
    texts: list[str], num_perm: int, n: int, seed: int, scheme: str, kind: str
) -> None:
    cfg = MinHashConfig(num_perm=num_perm, ngram=n, seed=seed, hash="sha1", scheme=scheme, shingle=kind)  # type: ignore[arg-type]
    sigs = Signer(cfg).sign_texts(texts)
    for text, row in zip(texts, sigs, strict=True):
        assert np.array_equal(row, datasketch_values(text, cfg))


@settings(max_examples=60, deadline=None)
@given(st.lists(UNICODE | WORDY, min_size=1, max_size=5), st.integers(1, 5), st.sampled_from(["word", "char"]))
def test_fast_mode_equals_datasketch_with_dedups_hashfunc(texts: list[str], n: int, kind: str) -> None:
    cfg = MinHashConfig(num_perm=32, ngram=n, shingle=kind)  # type: ignore[arg-type]
    hashfunc = word_shingle_hash if kind == "word" else char_shingle_hash
    sigs = Signer(cfg).sign_texts(texts)
    for text, row in zip(texts, sigs, strict=True):
        assert np.array_equal(row, datasketch_values(text, cfg, hashfunc))


@settings(max_examples=40, deadline=None)
@given(st.lists(WORDY, min_size=1, max_size=30), st.sampled_from(["word", "char"]))
def test_batches_and_blocks_do_not_change_values(texts: list[str], kind: str) -> None:
    small = Signer(MinHashConfig(shingle=kind, batch_bytes=1024))  # type: ignore[arg-type]
    big = Signer(MinHashConfig(shingle=kind))  # type: ignore[arg-type]
    together = big.sign_texts(texts)
    assert np.array_equal(small.sign_texts(texts), together)
    for text, row in zip(texts, together, strict=True):
        assert np.array_equal(row, big.sign_texts([text])[0])


def test_signing_across_permutation_blocks() -> None:
    signer = Signer()
    texts = [" ".join(f"t{i}_{j}" for j in range(3000)) for i in range(10)]  # more shingles than one block
    together = signer.sign_texts(texts)
    for text, row in zip(texts, together, strict=True):
        assert np.array_equal(row, signer.sign_texts([text])[0])


@pytest.mark.parametrize("kind", ["word", "char"])
def test_degenerate_inputs_have_defined_signatures(kind: str) -> None:
    signer = Signer(MinHashConfig(shingle=kind))  # type: ignore[arg-type]
    sigs = signer.sign_texts(["", "   ", "word", "\ud800 \x00\x01 \udfff", ".,;!"])
    for i in (0, 1, 3, 4):
        assert (sigs[i] == EMPTY_VALUE).all()
    assert not (sigs[2] == EMPTY_VALUE).all()


def test_ten_megabytes_of_one_token() -> None:
    signer = Signer()
    sig = signer.sign_texts(["spam " * 2_000_000])
    assert np.array_equal(sig[0], signer.sign_texts(["spam spam spam"])[0])


def test_fast_mode_estimates_jaccard() -> None:
    signer = Signer()
    words = [f"w{i}" for i in range(200)]
    a = " ".join(words)
    b = " ".join(words[:150] + [f"x{i}" for i in range(50)])
    sets = signer.shingle_sets([a, b])
    exact = jaccard(sets[0], sets[1])
    sig = signer.sign(sets)
    assert abs(exact - agreement(sig[0], sig[1])) < 0.15


def test_shingle_sets_are_sorted_and_distinct() -> None:
    sets = Signer().shingle_sets(["a b c a b c a b c", "", "x y"])
    assert len(sets) == 3
    assert np.array_equal(sets[0], np.unique(sets[0])) and len(sets[0]) == 3
    assert len(sets[1]) == 0 and len(sets[2]) == 1


def test_shingles_from_sets_round_trip() -> None:
    parts = [np.array([3, 1], dtype=np.uint32), np.array([], dtype=np.uint32), np.array([7], dtype=np.uint32)]
    sh = Shingles.from_sets(parts)
    assert [sh[i].tolist() for i in range(len(sh))] == [[3, 1], [], [7]]


def test_take_and_concat_keep_groups() -> None:
    sh = Shingles.from_sets(
        [np.array([1, 2], dtype=np.uint32), np.array([], dtype=np.uint32), np.array([5], dtype=np.uint32)]
    )
    picked = sh.take(np.array([2, 0, 1]))
    assert [picked[i].tolist() for i in range(3)] == [[5], [1, 2], []]
    both = Shingles.concat([sh, picked])
    assert [both[i].tolist() for i in range(6)] == [[1, 2], [], [5], [5], [1, 2], []]


@settings(max_examples=40, deadline=None)
@given(st.lists(WORDY, min_size=1, max_size=8))
def test_exact_keys_follow_token_sequences(texts: list[str]) -> None:
    from dedup.shingle import tokens

    scan = Signer(MinHashConfig(batch_bytes=1024)).scan(texts)
    for i, a in enumerate(texts):
        assert (scan.keys[i] == 0) == (not tokens(a))
        assert scan.token_counts[i] == len(tokens(a))
        for j, b in enumerate(texts):
            if tokens(a) and tokens(b):
                assert (scan.keys[i] == scan.keys[j]) == (tokens(a) == tokens(b))


@settings(max_examples=40, deadline=None)
@given(st.lists(WORDY, min_size=1, max_size=60), st.booleans())
def test_scanning_in_batches_or_at_once_gives_the_same_arrays(texts: list[str], unique: bool) -> None:
    parts = Signer(MinHashConfig(batch_bytes=1024)).scan(texts, unique)
    whole = Signer().scan(texts, unique)
    assert parts.shingles.values.dtype == whole.shingles.values.dtype
    assert np.array_equal(parts.shingles.values, whole.shingles.values)
    assert np.array_equal(parts.shingles.offsets, whole.shingles.offsets)
    assert np.array_equal(parts.token_counts, whole.token_counts)
    assert np.array_equal(parts.keys, whole.keys)
