"""The sharded batch flow: the same results in memory, on disk, with any shard size and any number of jobs, and
after an interruption and `resume`."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dedup import Document, Result
from dedup.api import WORK_DIR, run
from dedup.batch import flow
from dedup.batch import shard as sh
from dedup.batch.flow import BatchRun
from dedup.batch.store import DiskStore
from dedup.config import Config
from dedup.errors import UsageError
from dedup.pipeline import Pipeline

PROSE = [
    "The council met on Monday to approve the budget for next year after a long debate about the roads.",
    "Residents asked for more buses on the northern routes and the mayor promised a study by the autumn.",
    "The new library will open in March with longer hours and a reading room for students of all ages.",
    "A storm brought down trees across the valley overnight and crews worked until dawn to clear the lanes.",
    "Farmers said the early frost had cost them most of the apple harvest for the second poor year running.",
    "The school board voted to repair the gymnasium roof before winter after parents complained of leaks.",
    "Police closed the bridge for two hours on Friday while divers searched the river for a missing boat.",
    "A local bakery won a national prize for its rye bread and now ships loaves to shops in three cities.",
    "The hospital opened a new ward for children with room for parents to stay the night beside them.",
    "Volunteers planted four hundred trees along the river path in a single weekend of rain and wind.",
    "The museum will show paintings by a forgotten local artist whose work was found in an old barn.",
    "Train services will be reduced in August while engineers replace the signals between the two towns.",
]
TEMPLATE = {
    "a.example": ["Subscribe to our newsletter for the best stories every morning in your inbox today.", "Menu"],
    "b.example": ["All content copyright the Valley Times media group unless stated otherwise here.", "Home"],
    "c.example": ["Follow the Riverside Gazette on all of its social channels for breaking local news."],
}


def corpus(seed: int, count: int) -> list[Document]:
    """Pages of three sites: template lines (boilerplate), prose drawn from a shared pool (some paragraphs recur
    across sites: syndication), exact and near copies of earlier pages, a repeated paragraph inside a page."""
    rng = random.Random(seed)
    docs: list[Document] = []
    for n in range(count):
        host = rng.choice(sorted(TEMPLATE))
        if docs and rng.random() < 0.2:
            earlier = rng.choice(docs)
            text = earlier.text if rng.random() < 0.5 else earlier.text + "\n\nUpdated on Tuesday with comments."
        else:
            body = rng.sample(PROSE, rng.randint(2, 5))
            if rng.random() < 0.2:
                body.append(body[0])
            text = "\n\n".join([TEMPLATE[host][0], *body, *TEMPLATE[host][1:]])
        docs.append(Document(id=f"d{n:03d}", text=text, url=f"https://{host}/{n}"))
    return docs


def on_disk(
    docs: list[Document], tmp: Path, shard_docs: int, partitions: int, jobs: int = 1, config: Config | None = None
) -> list[Result]:
    pipeline = Pipeline(config)
    old = flow.SHARD_DOCS
    flow.SHARD_DOCS = shard_docs
    try:
        with BatchRun(pipeline, DiskStore(tmp), jobs=jobs, partitions=partitions) as batch:
            batch.analyse(docs)
            return [f.result for f in batch.results(batch.decide())]
    finally:
        flow.SHARD_DOCS = old


def test_the_corpus_exercises_every_corpus_wide_decision() -> None:
    results = Pipeline().run(corpus(1, 40))
    reasons = {r.reason for res in results for r in res.removals}
    assert {"boilerplate", "repeat"} <= reasons
    assert any(not r.kept for r in results) and any(r.shared for r in results)


@pytest.mark.parametrize("shard_docs,partitions", [(1, 1), (3, 4), (7, 16), (1000, 2)])
def test_disk_shards_give_the_results_of_one_shard_in_memory(tmp_path: Path, shard_docs: int, partitions: int) -> None:
    docs = corpus(2, 40)
    assert on_disk(docs, tmp_path, shard_docs, partitions) == Pipeline().run(docs)


@pytest.mark.parametrize("keep", ["first", "longest", "all"])
def test_keep_policies_agree_between_memory_and_disk(tmp_path: Path, keep: str) -> None:
    docs = corpus(3, 30)
    config = Config().with_options(keep=keep, verify="signature" if keep == "all" else None)
    assert on_disk(docs, tmp_path, 4, 3, config=config) == Pipeline(config).run(docs)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 10_000), count=st.integers(1, 25), shard_docs=st.integers(1, 9), parts=st.integers(1, 8))
def test_property_shard_size_and_partitions_never_change_a_result(
    tmp_path_factory: pytest.TempPathFactory, seed: int, count: int, shard_docs: int, parts: int
) -> None:
    docs = corpus(seed, count)
    assert on_disk(docs, tmp_path_factory.mktemp("store"), shard_docs, parts) == Pipeline().run(docs)


@pytest.mark.integration
def test_worker_processes_give_the_same_results(tmp_path: Path) -> None:
    docs = corpus(4, 30)
    assert on_disk(docs, tmp_path, 4, 4, jobs=2) == Pipeline().run(docs)


# --- runs on files: jobs, resume ------------------------------------------------------------------------------------


def write_jsonl(path: Path, docs: list[Document]) -> None:
    lines = [json.dumps({"id": d.id, "url": d.url, "text": d.text}) for d in docs]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def outputs(out: Path) -> dict[str, bytes]:
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


@pytest.fixture
def small_shards(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(flow, "SHARD_DOCS", 5)


def test_a_run_leaves_no_work_directory_and_the_same_files_for_any_jobs(tmp_path: Path, small_shards: None) -> None:
    src = tmp_path / "in" / "crawl.jsonl"
    src.parent.mkdir()
    write_jsonl(src, corpus(5, 30))
    run([str(src)], str(tmp_path / "one"), keep_results=False)
    run([str(src)], str(tmp_path / "two"), jobs=2, keep_results=False)
    assert not (tmp_path / "one" / WORK_DIR).exists()
    one = outputs(tmp_path / "one")
    assert set(one) == {"crawl.jsonl", "report.jsonl", "summary.json"}
    assert one == outputs(tmp_path / "two")


def interrupt_at(monkeypatch: pytest.MonkeyPatch, name: str, shard: int) -> list[int]:
    """Make the pass `name` of dedup.batch.shard raise KeyboardInterrupt at `shard`; returns the shards it ran."""
    real = getattr(sh, name)
    ran: list[int] = []

    def task(pipeline: Pipeline, store: Any, info: sh.ShardInfo, *args: Any) -> None:
        if info.index == shard:
            raise KeyboardInterrupt
        ran.append(info.index)
        real(pipeline, store, info, *args)

    monkeypatch.setattr(sh, name, task)
    return ran


@pytest.mark.parametrize("name", ["analyse_shard", "sign_shard", "finish_shard"])
def test_resume_after_an_interruption_ends_with_the_output_of_an_uninterrupted_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, small_shards: None, name: str
) -> None:
    src = tmp_path / "in" / "crawl.jsonl"
    src.parent.mkdir()
    write_jsonl(src, corpus(6, 30))
    run([str(src)], str(tmp_path / "whole"), keep_results=False)
    out = tmp_path / "cut"
    with monkeypatch.context() as patch:
        interrupt_at(patch, name, 3)
        with pytest.raises(KeyboardInterrupt):
            run([str(src)], str(out), keep_results=False)
    assert (out / WORK_DIR).is_dir() and not (out / "summary.json").exists()
    with pytest.raises(UsageError, match="--resume"):
        run([str(src)], str(out), keep_results=False)
    with monkeypatch.context() as patch:
        ran = interrupt_at(patch, name, -1)
        run([str(src)], str(out), resume=True, keep_results=False)
    assert ran == [3, 4, 5]  # shards 0-2 finished before the interruption and were not done again
    assert outputs(out) == outputs(tmp_path / "whole")


def test_resume_refuses_checkpoints_of_another_configuration(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, small_shards: None
) -> None:
    src = tmp_path / "in" / "crawl.jsonl"
    src.parent.mkdir()
    write_jsonl(src, corpus(7, 20))
    with monkeypatch.context() as patch:
        interrupt_at(patch, "sign_shard", 1)
        with pytest.raises(KeyboardInterrupt):
            run([str(src)], str(tmp_path / "out"), keep_results=False)
    other = Config().with_options(min_docs=5)
    with pytest.raises(UsageError, match="belong to another run"):
        run([str(src)], str(tmp_path / "out"), other, resume=True)
    forced = Config().with_options(force=True)
    run([str(src)], str(tmp_path / "out"), forced, keep_results=False)  # --force starts over
    assert (tmp_path / "out" / "summary.json").exists() and not (tmp_path / "out" / WORK_DIR).exists()


def test_a_bad_record_under_stop_leaves_nothing_behind(tmp_path: Path) -> None:
    src = tmp_path / "in" / "crawl.jsonl"
    src.parent.mkdir()
    write_jsonl(src, corpus(8, 5))
    with src.open("a") as fh:
        fh.write("{not json\n")
    with pytest.raises(Exception, match=r"crawl\.jsonl:6"):
        run([str(src)], str(tmp_path / "out"))
    assert not (tmp_path / "out").exists()


def test_resume_without_checkpoints_is_a_fresh_run(tmp_path: Path) -> None:
    src = tmp_path / "in" / "crawl.jsonl"
    src.parent.mkdir()
    write_jsonl(src, corpus(9, 10))
    report = run([str(src)], str(tmp_path / "out"), resume=True)
    assert len(report.results) == 10 and (tmp_path / "out" / "summary.json").exists()


def test_copies_of_a_page_are_duplicates_not_boilerplate_of_their_site() -> None:
    text = "\n\n".join(PROSE[:4])
    docs = [Document(id=f"c{n}", text=text, url=f"https://a.example/{n}") for n in range(4)]
    docs.append(Document(id="other", text="\n\n".join(PROSE[4:8]), url="https://a.example/x"))
    results = Pipeline().run(docs)
    assert results[0].kept and results[0].text == text and not results[0].removals
    assert [(r.kept, r.duplicate_of) for r in results[1:4]] == [(False, "c0")] * 3
    assert results[4].kept and results[4].text == "\n\n".join(PROSE[4:8])


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_one_document_alone_gets_what_the_whole_flow_gives_it(tmp_path: Path, seed: int) -> None:
    for doc in corpus(seed, 6):
        assert Pipeline().run([doc]) == on_disk([doc], tmp_path / doc.id, 1, 1)
