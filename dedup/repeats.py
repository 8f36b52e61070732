"""Repeated paragraphs inside one document: exact, near-duplicate (MinHash LSH) and contained.

Three stages, cheapest first:
1. exact: equal `match_key` (case, punctuation and spacing ignored);
2. near: LSH candidates at a looser threshold than `threshold` (so pairs right at the threshold are
   not lost to the S-curve), verified by exact Jaccard of the shingle sets >= `threshold`;
3. containment, from an inverted index of shingles: a later paragraph almost entirely contained in
   an earlier one (>= `containment` of its shingles), or one that contains an earlier paragraph and
   adds at most a short tail (at most a quarter of its shingles are new).
Paragraphs with fewer than `min_tokens` tokens only take part in the exact stage, and lines of up
to four words count as repeats only inside a repeated run of lines (a menu printed twice), not alone
(a "Book now" label under every item of a listing). The first occurrence is kept; every later
copy points at the first kept paragraph of its group.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from dedup.config import MinHashConfig, RepeatsConfig
from dedup.lsh import PIPELINE_MAX_BUCKET, candidate_pairs, candidate_threshold, choose_params
from dedup.match import verified_pairs
from dedup.minhash import Shingles, Signer
from dedup.normalize import match_key

# A short addition is at most this share of the longer paragraph's shingles.
SHORT_ADDITION = 0.25
# Lines with fewer tokens repeat only as part of a repeated run (see _drop_lone_short_repeats).
SHORT_REPEAT_TOKENS = 5
# Postings longer than this are not scanned for containment (a shingle that common says nothing).
MAX_POSTING = 64


@dataclass(frozen=True)
class Repeat:
    later: int
    earlier: int
    similarity: float
    method: str  # "exact", "near" or "containment"


def find_repeats(
    texts: Sequence[str | None],
    signer: Signer,
    repeats: RepeatsConfig,
    minhash: MinHashConfig,
    keys: Sequence[str] | None = None,
) -> list[Repeat]:
    """Repeats among `texts` (None marks a paragraph already removed); sorted by `later`.

    `keys` are the texts' `match_key`s when the caller has them already.
    """
    if keys is None:
        keys = [match_key(t or "") for t in texts]
    found: dict[int, Repeat] = {}
    first_by_key: dict[str, int] = {}
    firsts: list[int] = []
    for i, text in enumerate(texts):
        if text is None:
            continue
        key = keys[i]
        if not key:
            continue
        if key in first_by_key:
            found[i] = Repeat(i, first_by_key[key], 1.0, "exact")
            continue
        first_by_key[key] = i
        firsts.append(i)
    candidates: list[int] = []
    if len(firsts) >= 2:
        scan = signer.scan([texts[i] or "" for i in firsts])
        enough = np.flatnonzero(scan.token_counts >= minhash.min_tokens)
        candidates = [firsts[k] for k in enough.tolist()]
    if len(candidates) >= 2:
        sets = scan.shingles.take(enough)
        _near(candidates, sets, signer, repeats, minhash, found)
        _contained(candidates, sets, repeats, found)
    _drop_lone_short_repeats(texts, keys, found)
    # Point every repeat at the kept paragraph its chain starts from.
    for i in sorted(found):
        r = found[i]
        if r.earlier in found:
            found[i] = Repeat(i, found[r.earlier].earlier, r.similarity, r.method)
    return [found[i] for i in sorted(found)]


def _drop_lone_short_repeats(texts: Sequence[str | None], keys: Sequence[str], found: dict[int, Repeat]) -> None:
    """Keep a repeat of a short line only when it is part of a repeated run of lines.

    A menu printed twice repeats as a block; a label such as "Book now" or "$200 off" under every
    item of a listing repeats alone, between different lines, and is part of each item.
    """
    # Neighbours are read in the text as it is and as it will read once the longer repeats are gone: a run split
    # by a removed paragraph would otherwise only become a run on a second cleaning.
    alive = [i for i, t in enumerate(texts) if t is not None]
    cleaned = [i for i in alive if not (i in found and len(keys[i].split()) >= SHORT_REPEAT_TOKENS)]
    steps = []
    for seq in (alive, cleaned):
        steps.append(dict(zip(seq[1:], seq[:-1], strict=True)))
        steps.append(dict(itertools.pairwise(seq)))

    def follows(later: int, earlier: int, step: dict[int, int]) -> bool:
        a, b = step.get(later), step.get(earlier)
        return a is not None and b is not None and a in found and found[a].earlier == b

    lone = [
        j
        for j, r in found.items()
        if len(keys[j].split()) < SHORT_REPEAT_TOKENS and not any(follows(j, r.earlier, step) for step in steps)
    ]
    for j in lone:
        del found[j]


def _near(
    ids: list[int],
    sets: Shingles,
    signer: Signer,
    repeats: RepeatsConfig,
    minhash: MinHashConfig,
    found: dict[int, Repeat],
) -> None:
    params = choose_params(candidate_threshold(repeats.threshold), minhash.num_perm)
    sigs = signer.sign(sets)
    pairs = candidate_pairs(sigs, params, PIPELINE_MAX_BUCKET)
    for a, b, sim in verified_pairs(sets, sigs, pairs, repeats.threshold, minhash.verify):
        later = ids[b]
        if later not in found:
            found[later] = Repeat(later, ids[a], sim, "near")


def _contained(ids: list[int], sets: Shingles, repeats: RepeatsConfig, found: dict[int, Repeat]) -> None:
    """Containment from shared shingles, counted with numpy: every text against the earlier texts that share a
    shingle with it, through shingles held by at most MAX_POSTING earlier texts."""
    sizes = np.diff(sets.offsets)
    if not len(sets.values):
        return
    owner = np.repeat(np.arange(len(sets), dtype=np.int64), sizes)
    # Occurrences grouped by shingle, in text order within a group (the sort is stable and texts come in order).
    order = np.argsort(sets.values, kind="stable")
    values = sets.values[order]
    holder = owner[order]
    starts = np.flatnonzero(np.concatenate(([True], values[1:] != values[:-1])))
    group_start = np.repeat(starts, np.diff(np.append(starts, len(values))))
    rank = np.arange(len(values)) - group_start  # earlier texts holding the shingle
    scanned = np.flatnonzero((rank > 0) & (rank <= MAX_POSTING))
    if not len(scanned):
        return
    # One row per (occurrence, earlier occurrence of its shingle): the pairs of texts sharing it.
    reps = rank[scanned]
    later = np.repeat(holder[scanned], reps)
    first = np.repeat(group_start[scanned], reps)
    within = np.arange(len(later)) - np.repeat(np.cumsum(reps) - reps, reps)
    earlier = holder[first + within]
    pair, inter = np.unique(later * len(sets) + earlier, return_counts=True)
    later, earlier = pair // len(sets), pair % len(sets)
    size = sizes[later]
    inside = inter / size
    covers = inter / sizes[earlier]
    score = np.where(
        inside >= repeats.containment,
        inside,
        np.where((covers >= repeats.containment) & (size - inter <= SHORT_ADDITION * size), covers, -1.0),
    )
    # Per later text the best score; among equal scores the earliest text (pairs are sorted by later, earlier).
    keep = np.flatnonzero(score >= 0)
    if not len(keep):
        return
    later, earlier, score = later[keep], earlier[keep], score[keep]
    by = np.lexsort((earlier, -score, later))
    firsts = by[np.concatenate(([True], later[by][1:] != later[by][:-1]))]
    for pos, e, sc in zip(later[firsts].tolist(), earlier[firsts].tolist(), score[firsts].tolist(), strict=True):
        if ids[pos] not in found:
            found[ids[pos]] = Repeat(ids[pos], ids[e], float(np.round(sc, 6)), "containment")
