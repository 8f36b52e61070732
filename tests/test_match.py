from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from dedup.config import MinHashConfig
from dedup.match import exact_groups, near_duplicates, union_find_roots
from dedup.minhash import Signer, jaccard

BASE = [
    "the quick brown fox jumps over the lazy dog near the river bank today",
    "a completely different sentence about markets rising on strong quarterly earnings",
    "scientists discover a new species of frog in the rainforest of borneo this week",
]


def test_exact_stage_groups_normalised_text() -> None:
    keys = Signer().scan(["Hello, World!", "hello world", "other", "", "...", "HELLO WORLD"]).keys
    roots = exact_groups(keys)
    assert roots.tolist() == [0, 0, 2, 3, 4, 0]


def test_near_duplicates_are_found_verified_and_clustered() -> None:
    texts = [BASE[0], BASE[1], BASE[0].replace("lazy", "sleepy"), BASE[2], BASE[0].upper(), BASE[1] + " indeed"]
    m = near_duplicates(texts, 0.6)
    pairs = {(p.a, p.b): p for p in m.pairs}
    assert pairs[(0, 4)].method == "exact" and pairs[(0, 4)].similarity == 1.0
    assert pairs[(0, 2)].method == "near" and 0.6 <= pairs[(0, 2)].similarity < 1.0
    assert (1, 5) in pairs
    assert m.clusters() == [[0, 2, 4], [1, 5]]
    assert m.params is not None and m.params.threshold == 0.4


def test_signature_verification_scores_agreement() -> None:
    texts = [BASE[0], BASE[0].replace("lazy", "sleepy")]
    m = near_duplicates(texts, 0.5, MinHashConfig(verify="signature"))
    signer = Signer()
    sig = signer.sign_texts(texts)
    assert m.pairs[0].similarity == float(np.mean(sig[0] == sig[1]))


def test_min_tokens_keeps_short_texts_to_the_exact_stage() -> None:
    texts = ["one two three four", "one two three five", "one two three four"]
    m = near_duplicates(texts, 0.3, min_tokens=10)
    assert [(p.a, p.b, p.method) for p in m.pairs] == [(0, 2, "exact")]


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 19), st.integers(0, 19)), max_size=40))
def test_union_find_roots_are_component_minima(edges: list[tuple[int, int]]) -> None:
    roots = union_find_roots(20, edges).tolist()
    comp = list(range(20))
    changed = True
    while changed:  # label propagation to the minimum, the slow obvious way
        changed = False
        for a, b in edges:
            low = min(comp[a], comp[b])
            if comp[a] != low or comp[b] != low:
                comp[a] = comp[b] = low
                changed = True
    assert roots == comp


def test_verified_pairs_meet_the_threshold_by_exact_jaccard() -> None:
    rng = np.random.default_rng(3)
    vocab = [f"w{i}" for i in range(300)]
    texts = [" ".join(rng.choice(vocab, 40)) for _ in range(50)]
    texts += [t.replace(t.split()[5], "edited", 1) for t in texts[:20]]
    m = near_duplicates(texts, 0.7)
    sets = Signer().shingle_sets(texts)
    for p in m.pairs:
        assert p.similarity == jaccard(sets[p.a], sets[p.b]) >= 0.7
