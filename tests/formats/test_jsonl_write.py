"""Writing JSON Lines: round trips, field order, repeatable bytes, all-or-nothing files, companion writers."""

from __future__ import annotations

import gzip
import json
import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dedup.errors import OutputError
from dedup.formats import FieldNames, JsonlReader, JsonlWriter, Record, dropped_name, open_records

SUFFIXES = ["out.jsonl", "out.jsonl.gz", "out.jsonl.zst"]
OBJECTS: list[dict[str, Any]] = [
    {"url": "https://example.org/1", "text": "Keep this. Drop that.", "id": "one", "n": 1, "tags": ["a", "b"]},
    {"text": 'emoji 🙂, RTL שלום, NUL \x00, escapes "\\ \t', "meta": {"nested": {"x": None, "y": 1.5}}},
    {"id": 7, "text": "", "score": 1e300, "flag": False},
]


def write_input(path: Path, objects: list[dict[str, Any]]) -> Path:
    with JsonlWriter(path) as writer:
        for obj in objects:
            writer.write_object(obj)
    return path


def no_temp_files(directory: Path) -> bool:
    return not [p for p in directory.iterdir() if p.name.endswith(".tmp")]


@pytest.mark.parametrize("name", SUFFIXES)
def test_read_write_read_gives_the_same_fields(tmp_path: Path, name: str) -> None:
    src = write_input(tmp_path / f"in{name[3:]}", OBJECTS)
    first = list(open_records(src))
    with JsonlWriter(tmp_path / name) as writer:
        for record in first:
            writer.write(record, record.text)
    again = list(open_records(tmp_path / name))
    assert [r.fields for r in again] == OBJECTS
    assert [list(r.fields) for r in again] == [list(o) for o in OBJECTS]
    assert [(r.text, r.url) for r in again] == [(r.text, r.url) for r in first]
    assert [r.id for r in again] == ["one", f"{name}:2", "7"]  # a generated id names the file it was read from
    assert writer.count == 3


def test_the_cleaned_text_replaces_the_text_field_in_place(tmp_path: Path) -> None:
    (record,) = open_records(write_input(tmp_path / "in.jsonl", OBJECTS[:1]))
    with JsonlWriter(tmp_path / "out.jsonl") as writer:
        writer.write(record, "Keep this.", {"dedup": {"removed": [{"start": 11, "reason": "rule"}]}})
    line = (tmp_path / "out.jsonl").read_text("utf-8")
    assert line == (
        '{"url":"https://example.org/1","text":"Keep this.","id":"one","n":1,"tags":["a","b"],'
        '"dedup":{"removed":[{"start":11,"reason":"rule"}]}}\n'
    )


def test_an_output_field_keeps_the_original_text(tmp_path: Path) -> None:
    body = FieldNames(text_field="body")
    (record,) = open_records(write_input(tmp_path / "in.jsonl", [{"body": "orig", "clean": "old", "z": 0}]), body)
    with JsonlWriter(tmp_path / "a.jsonl", fields=body, output_field="cleaned") as w:
        w.write(record, "new")
    with JsonlWriter(tmp_path / "b.jsonl", output_field="clean") as w:
        w.write(record, "new", {"z": 1})
    assert json.loads((tmp_path / "a.jsonl").read_text()) == {"body": "orig", "clean": "old", "z": 0, "cleaned": "new"}
    assert (tmp_path / "b.jsonl").read_text() == '{"body":"orig","clean":"new","z":1}\n'


@pytest.mark.parametrize("name", SUFFIXES)
def test_the_same_records_give_the_same_bytes(tmp_path: Path, name: str) -> None:
    records = list(open_records(write_input(tmp_path / "in.jsonl", OBJECTS * 50)))
    outputs = []
    for run in range(2):
        path = tmp_path / f"run{run}" / name
        with JsonlWriter(path) as writer:
            for record in records:
                writer.write(record, record.text.upper(), {"dedup": {"kept": True}})
        outputs.append(path.read_bytes())
    assert outputs[0] == outputs[1]


def test_gzip_output_does_not_embed_a_time_or_name(tmp_path: Path) -> None:
    path = write_input(tmp_path / "out.jsonl.gz", OBJECTS)
    data = path.read_bytes()
    assert data[3] & 0x08 == 0 and data[4:8] == b"\0\0\0\0"
    assert gzip.decompress(data).decode("utf-8").count("\n") == 3


def test_a_failure_midway_leaves_no_target_and_no_temp_file(tmp_path: Path) -> None:
    src = write_input(tmp_path / "in.jsonl", OBJECTS * 3000)
    before = src.read_bytes()
    target = tmp_path / "out" / "clean.jsonl.gz"
    with pytest.raises(RuntimeError, match="engine failed"), JsonlWriter(target) as writer:
        for i, record in enumerate(open_records(src)):
            writer.write(record, record.text)
            if i == 8000:  # past several flushes of the writer's buffer
                raise RuntimeError("engine failed")
    assert not target.exists()
    assert no_temp_files(target.parent)
    assert src.read_bytes() == before


def test_an_existing_target_is_untouched_by_a_failed_write(tmp_path: Path) -> None:
    target = tmp_path / "out.jsonl"
    target.write_text("previous run\n")
    with pytest.raises(OutputError, match="as JSON"), JsonlWriter(target) as writer:
        writer.write_object({"text": "ok"})
        writer.write_object({"text": object()})
    assert target.read_text() == "previous run\n"
    assert no_temp_files(tmp_path)


def test_the_target_appears_only_at_close(tmp_path: Path) -> None:
    target = tmp_path / "out.jsonl"
    writer = JsonlWriter(target)
    writer.write_object({"text": "a" * 1_000_000})
    assert not target.exists()
    writer.close()
    assert target.exists() and no_temp_files(tmp_path)
    writer.close()  # closing twice is harmless
    with pytest.raises(OutputError, match="already closed"):
        writer.write_object({"text": "late"})


def test_abort_drops_everything(tmp_path: Path) -> None:
    writer = JsonlWriter(tmp_path / "out.jsonl.zst")
    writer.write_object({"text": "a"})
    writer.abort()
    assert list(tmp_path.iterdir()) == []


def test_an_unwritable_target_is_an_output_error(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("not a directory")
    with pytest.raises(OutputError, match="cannot write"):
        JsonlWriter(tmp_path / "file" / "out.jsonl")


def test_output_files_get_ordinary_permissions(tmp_path: Path) -> None:
    path = write_input(tmp_path / "out.jsonl", OBJECTS)
    umask = os.umask(0)
    os.umask(umask)
    assert path.stat().st_mode & 0o777 == 0o666 & ~umask


def test_a_dropped_companion_writes_beside_the_main_output(tmp_path: Path) -> None:
    records = list(open_records(write_input(tmp_path / "in.jsonl.gz", OBJECTS * 3)))
    main = tmp_path / "out" / "corpus.jsonl.gz"
    dropped = main.with_name(dropped_name(main.name))
    with JsonlWriter(main) as kept_writer, JsonlWriter(dropped) as dropped_writer:
        for record in records:
            if record.line % 2:
                kept_writer.write(record, record.text)
            else:
                dropped_writer.write(record, record.text, {"dedup": {"duplicate_of": "x"}})
    assert sorted(p.name for p in main.parent.iterdir()) == ["corpus.dropped.jsonl.gz", "corpus.jsonl.gz"]
    assert [r.line for r in open_records(main)] == [1, 2, 3, 4, 5]
    assert all(r.fields["dedup"] == {"duplicate_of": "x"} for r in open_records(dropped))
    assert kept_writer.count + dropped_writer.count == 9


def test_a_lone_surrogate_round_trips_as_an_escape(tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    path.write_text('{"text": "half \\ud83d pair"}\n', "utf-8")
    (record,) = open_records(path)
    with JsonlWriter(tmp_path / "out.jsonl") as writer:
        writer.write(record, record.text)
    assert (tmp_path / "out.jsonl").read_bytes() == b'{"text":"half \\ud83d pair"}\n'
    assert next(iter(open_records(tmp_path / "out.jsonl"))).text == "half \ud83d pair"


def test_write_needs_only_a_record(tmp_path: Path) -> None:
    record = Record(file="mem", line=1, id="m", text="raw", fields={"id": "m", "text": "raw"})
    with JsonlWriter(tmp_path / "out.jsonl") as writer:
        writer.write(record, "clean")
    assert (tmp_path / "out.jsonl").read_text() == '{"id":"m","text":"clean"}\n'


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(), children, max_size=3),
    max_leaves=8,
)
JSON_OBJECTS = st.dictionaries(st.text(), JSON_VALUES, max_size=5).flatmap(
    lambda d: st.text().map(lambda t: {**{k: v for k, v in d.items() if k not in ("id", "url")}, "text": t})
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(objects=st.lists(JSON_OBJECTS, min_size=1, max_size=4), suffix=st.sampled_from(SUFFIXES))
def test_any_json_objects_with_string_text_round_trip(
    tmp_path_factory: pytest.TempPathFactory, objects: list[dict[str, Any]], suffix: str
) -> None:
    directory = tmp_path_factory.mktemp("prop")
    src = write_input(directory / f"in{suffix[3:]}", objects)
    records = list(JsonlReader(src))
    assert [r.fields for r in records] == objects
    assert [list(r.fields) for r in records] == [list(o) for o in objects]
    with JsonlWriter(directory / suffix) as writer:
        for record in records:
            writer.write(record, record.text)
    assert [r.fields for r in JsonlReader(directory / suffix)] == objects
    assert (directory / suffix).read_bytes() == src.read_bytes()
