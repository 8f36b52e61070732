from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from dedup import clean
from dedup.config import MinHashConfig, RepeatsConfig
from dedup.minhash import Shingles, Signer
from dedup.repeats import MAX_POSTING, SHORT_ADDITION, Repeat, _contained, find_repeats

CAPTION = "Putin & Kim also signed a treaty for mutual military assistance (photo: National Herald archives)"
BODY = [
    "The committee met on Tuesday to discuss the budget for the coming year in the capital.",
    "Opposition members walked out of the session after a heated exchange with the minister.",
    "A final vote on the proposal is expected next month, officials said on Wednesday.",
]


def run(texts: list[str | None]) -> list[tuple[int, int, str]]:
    reps = find_repeats(texts, Signer(), RepeatsConfig(), MinHashConfig())
    return [(r.later, r.earlier, r.method) for r in reps]


def test_exact_repeat_ignores_case_spacing_and_punctuation() -> None:
    assert run([BODY[0], BODY[1], BODY[0].upper().replace(" ", "  ") + "!"]) == [(2, 0, "exact")]


def test_caption_with_appended_credit_is_a_repeat() -> None:
    assert run([CAPTION, CAPTION + " National Herald archives"]) == [(1, 0, "near")]


def test_near_repeat_with_small_edit() -> None:
    long = " ".join(BODY)  # 45 words: one edit leaves word 3-gram Jaccard near 0.87
    edited = long.replace("heated", "bitter")
    assert run([long, BODY[0] + " Extra words here.", edited])[0][:2] == (2, 0)


def test_later_paragraph_contained_in_earlier_one() -> None:
    long = " ".join(BODY)
    assert run([long, BODY[1]]) == [(1, 0, "containment")]


def test_earlier_paragraph_inside_a_much_longer_later_one_is_not_a_repeat() -> None:
    assert run([BODY[0], " ".join(BODY)]) == []


def test_distinct_paragraphs_and_removed_ones() -> None:
    assert run([*BODY]) == []
    assert run([BODY[0], None, BODY[0]]) == [(2, 0, "exact")]


def test_short_paragraphs_only_match_exactly() -> None:
    texts = ["Prices rose again in June", "Prices rose again in July", "prices rose again in June!"]
    assert run(texts) == [(2, 0, "exact")]


def test_short_lines_repeat_only_as_part_of_a_repeated_run() -> None:
    menu = ["Home", "News", "Sport"]
    listing = ["Deal one to Rome", "Book now", "Deal two to Oslo", "Book now"]
    assert [(a, b) for a, b, _ in run([*menu, BODY[0], *menu])] == [(4, 0), (5, 1), (6, 2)]
    assert run(listing) == []


def test_chain_points_at_the_kept_first_copy() -> None:
    texts = [CAPTION, CAPTION + " National Herald archives", CAPTION + " National Herald archives"]
    assert [(a, b) for a, b, _ in run(texts)] == [(1, 0), (2, 0)]


def test_a_short_run_split_by_a_removed_repeat_is_a_run_at_once() -> None:
    # Found by the idempotence property: the copy of "the / the the" is split by a repeated sentence; once that is
    # removed it is a repeated run, so it must go on the first cleaning, not the second.
    text = "the\nthe the\nThe the the the the the.\nThe the the the the the.\nthe\nThe the the the the the.\nthe the"
    once = clean(text)[0].text
    assert once == "the\nthe the\nThe the the the the the."
    assert clean(once)[0].text == once


def _contained_reference(ids: list[int], sets: Shingles, config: RepeatsConfig) -> dict[int, Repeat]:
    """The containment stage as a plain loop over an inverted index (what `_contained` counts with numpy)."""
    found: dict[int, Repeat] = {}
    postings: dict[int, list[int]] = {}
    for pos in range(len(sets)):
        hashes = sets[pos].tolist()
        counts: dict[int, int] = {}
        for h in hashes:
            plist = postings.setdefault(h, [])
            if len(plist) <= MAX_POSTING:
                for earlier in plist:
                    counts[earlier] = counts.get(earlier, 0) + 1
            plist.append(pos)
        best: tuple[float, int] | None = None
        for earlier, inter in sorted(counts.items()):
            inside, covers = inter / len(hashes), inter / len(sets[earlier])
            if inside >= config.containment:
                score = inside
            elif covers >= config.containment and len(hashes) - inter <= SHORT_ADDITION * len(hashes):
                score = covers
            else:
                continue
            if best is None or score > best[0]:
                best = (score, earlier)
        if best is not None:
            found[ids[pos]] = Repeat(ids[pos], ids[best[1]], float(np.round(best[0], 6)), "containment")
    return found


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sets(st.integers(0, 40), min_size=1, max_size=30), min_size=1, max_size=25))
def test_containment_counts_like_an_inverted_index(groups: list[set[int]]) -> None:
    # Few distinct values: shingles shared by many texts, so postings past MAX_POSTING are exercised too.
    groups = groups * 4 if len(groups) > 20 else groups
    sets = Shingles.from_sets([np.array(sorted(g), dtype=np.uint32) for g in groups])
    ids = [3 * i + 1 for i in range(len(groups))]
    found: dict[int, Repeat] = {}
    _contained(ids, sets, RepeatsConfig(), found)
    assert found == _contained_reference(ids, sets, RepeatsConfig())
