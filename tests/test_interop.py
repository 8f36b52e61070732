from __future__ import annotations

import numpy as np
import pytest
from datasketch import LeanMinHash, MinHash, MinHashLSH

from dedup.config import MinHashConfig
from dedup.errors import ConfigError
from dedup.interop import fill_minhashlsh, from_datasketch, to_datasketch, to_lean, to_minhashlsh
from dedup.lsh import candidate_pairs, lsh_params
from dedup.minhash import Signer

TEXTS = [
    "the quick brown fox jumps over the lazy dog near the river bank",
    "the quick brown fox jumps over the sleepy dog near the river bank",
    "markets rose on strong earnings from technology companies this quarter",
]


@pytest.mark.parametrize("hash_", ["fast", "sha1"])
@pytest.mark.parametrize("scheme", ["affine32", "legacy"])
def test_round_trip_and_updates_stay_consistent(hash_: str, scheme: str) -> None:
    cfg = MinHashConfig(hash=hash_, scheme=scheme)  # type: ignore[arg-type]
    signer = Signer(cfg)
    sig = signer.sign_texts(TEXTS)
    m = to_datasketch(sig[0], cfg)
    assert isinstance(m, MinHash) and m.scheme == scheme
    assert np.array_equal(from_datasketch(m, cfg), sig[0])
    assert np.array_equal(from_datasketch(to_lean(sig[0], cfg), cfg), sig[0])
    # Updating the converted MinHash with the next shingle equals signing the longer text.
    longer = TEXTS[0] + " today"
    m.update(b"river bank today")
    assert np.array_equal(from_datasketch(m, cfg), signer.sign_texts([longer])[0])
    assert to_datasketch(sig[0], cfg).jaccard(to_datasketch(sig[1], cfg)) == float(np.mean(sig[0] == sig[1]))


def test_mismatched_config_is_refused() -> None:
    m = MinHash(num_perm=64)
    with pytest.raises(ConfigError, match="64 permutations"):
        from_datasketch(m, MinHashConfig())
    with pytest.raises(ConfigError, match="affine64"):
        from_datasketch(MinHash(num_perm=128, scheme="affine64"), MinHashConfig())


def test_filled_minhashlsh_finds_our_candidates() -> None:
    cfg = MinHashConfig()
    sig = Signer(cfg).sign_texts(TEXTS)
    params = lsh_params(0.5, cfg.num_perm)
    lsh = to_minhashlsh(["a", "b", "c"], sig, params, cfg)
    ours = {tuple(p) for p in candidate_pairs(sig, params).tolist()}
    theirs = {(0, "abc".index(k)) for k in lsh.query(to_lean(sig[0], cfg)) if k != "a"}
    assert theirs == {p for p in ours if p[0] == 0}
    empty = MinHashLSH(threshold=0.5, num_perm=128)
    assert isinstance(to_lean(sig[2], cfg), LeanMinHash)
    fill_minhashlsh(empty, [10, 11, 12], sig, cfg)
    assert 12 in empty.query(to_lean(sig[2], cfg))
