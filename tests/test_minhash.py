from __future__ import annotations

import numpy as np
from datasketch import MinHash
from hypothesis import given, settings
from hypothesis import strategies as st

from dedup.config import MinHashConfig
from dedup.minhash import EMPTY_VALUE, Signer, jaccard
from dedup.shingle import tokens, word_shingles


def datasketch_signature(text: str, num_perm: int, seed: int, n: int) -> np.ndarray:
    m = MinHash(num_perm=num_perm, seed=seed)
    for sh in set(word_shingles(tokens(text), n)):
        m.update(sh.encode("utf-8"))
    return m.hashvalues


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.text(min_size=0, max_size=80), min_size=1, max_size=5),
    st.sampled_from([16, 128]),
    st.integers(1, 5),
    st.integers(0, 2**31 - 1),
)
def test_sha1_mode_equals_datasketch_bit_for_bit(texts: list[str], num_perm: int, n: int, seed: int) -> None:
    signer = Signer(MinHashConfig(num_perm=num_perm, ngram=n, seed=seed, hash="sha1"))
    sigs = signer.sign_texts(texts)
    for text, row in zip(texts, sigs, strict=True):
        assert np.array_equal(row, datasketch_signature(text, num_perm, seed, n))


def test_multilingual_tokens() -> None:
    assert tokens("Straßenbahn fährt über Brücke") == ["strassenbahn", "fährt", "über", "brücke"]  # casefold: ß -> ss
    assert tokens("Москва — столица России") == ["москва", "столица", "россии"]
    assert tokens("北京欢迎你") == ["北", "京", "欢", "迎", "你"]
    assert tokens("서울은 한국의 수도이다") == ["서울은", "한국의", "수도이다"]


def test_degenerate_inputs_have_defined_signatures() -> None:
    signer = Signer()
    sigs = signer.sign_texts(["", "   ", "word", "\ud800 \x00\x01", "spam " * 100_000])
    assert (sigs[0] == EMPTY_VALUE).all() and (sigs[1] == EMPTY_VALUE).all()
    assert not (sigs[2] == EMPTY_VALUE).all()
    # One repeated token: the signature of its single distinct shingle.
    assert np.array_equal(sigs[4], signer.sign_texts(["spam spam spam"])[0])


def test_fast_mode_estimates_jaccard() -> None:
    signer = Signer()
    words = [f"w{i}" for i in range(200)]
    a = " ".join(words)
    b = " ".join(words[:150] + [f"x{i}" for i in range(50)])
    sa, sb = signer.shingle_hashes(a), signer.shingle_hashes(b)
    exact = jaccard(sa, sb)
    sig = signer.sign([sa, sb])
    estimate = float(np.mean(sig[0] == sig[1]))
    assert abs(exact - estimate) < 0.15


def test_signing_in_chunks_equals_signing_one_by_one() -> None:
    signer = Signer()
    texts = [" ".join(f"t{i}_{j}" for j in range(3000)) for i in range(30)]  # > one chunk of rows
    together = signer.sign_texts(texts)
    for text, row in zip(texts, together, strict=True):
        assert np.array_equal(row, signer.sign_texts([text])[0])
