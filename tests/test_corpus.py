"""End to end on the sample corpus: line by line, what must survive and what must go in every seed.

Labels are by line number of the seed file (1-based): KEEP lines survive exactly once, DROP lines
are gone in every copy, each GROUP (copies of one repeated paragraph) has exactly one survivor, and
lines not listed may go either way (the section label "World", captions with photo credits).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from dedup import Document, clean

pytestmark = pytest.mark.integration

CORPUS = Path(__file__).resolve().parents[1] / "corpus"

LABELS: dict[str, dict[str, list]] = {
    "000_371159aacda7b0d2.txt": {
        "keep": [3, 5, 10, 12, 14, 16, 18, 22, 24, 26, 28],
        "drop": [20, 30, 32, 34, 36],
        "groups": [[7, 8]],
    },
    "001_24441fc46dfa6e3e.txt": {
        "keep": [1],
        "drop": [],
        "groups": [[n, n + 13] for n in range(2, 15)],
    },
    "002_df35194d66157c14.txt": {
        "keep": [1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21],
        "drop": [25, 27, 29, 31, 33, 35, 37, 39, 41],
        "groups": [],
    },
    "003_6ce4857d165d9a8b.txt": {
        "keep": [5, 16, 20, 24, 26, 28, 32, 34],
        "drop": [1, 3, 9, 11, 22, 30, 36, 37, 38, 39, 41],
        "groups": [[7, 18]],
    },
    "004_4355ba6ee4013c6f.txt": {
        "keep": [7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27],
        "drop": [1],
        "groups": [[3, 5]],
    },
}


@pytest.fixture(scope="module")
def cleaned() -> dict[str, tuple[list[str], list[str]]]:
    paths = sorted(CORPUS.glob("*.txt"))
    docs = [Document(id=p.name, text=p.read_text(encoding="utf-8"), source="corpus") for p in paths]
    results = clean(docs)
    return {
        r.id: (d.text.split("\n"), [ln.strip() for ln in r.text.split("\n")])
        for d, r in zip(docs, results, strict=True)
    }


def test_every_seed_is_labelled() -> None:
    assert sorted(p.name for p in CORPUS.glob("*.txt")) == sorted(LABELS)


@pytest.mark.parametrize("name", sorted(LABELS))
def test_seed_line_by_line(name: str, cleaned: dict[str, tuple[list[str], list[str]]]) -> None:
    original, out = cleaned[name]
    labels = LABELS[name]

    def line(n: int) -> str:
        return original[n - 1].strip()

    for n in labels["keep"]:
        assert out.count(line(n)) == 1, f"{name}:{n} must survive once: {line(n)!r}"
    for n in labels["drop"]:
        assert line(n) not in out, f"{name}:{n} is debris and must go: {line(n)!r}"
    for group in labels["groups"]:
        survivors = sum(out.count(text) for text in {line(n) for n in group})
        assert survivors == 1, f"{name}: exactly one of lines {group} must survive, got {survivors}"
