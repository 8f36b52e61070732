"""`dedup clean` on record files: JSONL (plain, gz, zst), Parquet and WARC in, records out in the input's format."""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from dedup.cli import app
from tests.formats.warcs import record, response, rid, write_warc

pytestmark = pytest.mark.integration
ANSI = re.compile(r"\x1b\[[0-9;]*m")

ARTICLE = [
    "The council met on Monday to approve the budget for next year, after a long debate about the roads.",
    "Residents asked for more buses on the northern routes, and the mayor promised a study by the autumn.",
    "The new library will open in March with longer hours and a reading room for students of all ages.",
]
OTHER = [
    "A storm brought down trees across the valley overnight, and crews worked until dawn to clear the lanes.",
    "Farmers said the early frost had cost them most of the apple harvest, the second poor year running.",
]
CLEAN_A = "\n\n".join(ARTICLE)


def seed_records() -> list[dict[str, Any]]:
    """Seed-like debris (an ad label, a date stub, a repeated paragraph), a near-duplicate pair and an all-debris
    record; extra fields of several types to check they come back."""
    return [
        {
            "id": "a1",
            "url": "https://www.example.org/a1",
            "text": f"Advertisement\n\n{CLEAN_A}\n\nPublished: undefined\n\n{ARTICLE[1]}",
            "lang": "en",
            "score": 0.5,
            "tags": ["news", "local"],
        },
        {"id": "b", "url": "https://example.org/b", "text": "\n\n".join(OTHER), "lang": "en", "score": 1.5, "tags": []},
        {
            "id": "a2",
            "url": "https://example.org/a2",
            "text": f"{CLEAN_A}\n\nAdvertisement",
            "lang": "en",
            "score": 2.0,
            "tags": ["copy"],
        },
        {"id": "c", "url": "https://example.org/c", "text": "Advertisement", "lang": "en", "score": 0.0, "tags": []},
    ]


def lines_of(data: bytes) -> list[dict[str, Any]]:
    return [json.loads(line) for line in data.decode("utf-8").splitlines()]


def write_input(path: Path, objs: list[dict[str, Any]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    data = "".join(json.dumps(o) + "\n" for o in objs).encode("utf-8")
    if path.name.endswith(".gz"):
        data = gzip.compress(data, mtime=0)
    elif path.name.endswith(".zst"):
        import zstandard

        data = zstandard.ZstdCompressor().compress(data)
    path.write_bytes(data)
    return path


def read_output(path: Path) -> list[dict[str, Any]]:
    data = path.read_bytes()
    if path.name.endswith(".gz"):
        data = gzip.decompress(data)
    elif path.name.endswith(".zst"):
        import zstandard

        data = zstandard.ZstdDecompressor().decompressobj().decompress(data)
    return lines_of(data)


def clean(*args: str) -> Any:
    return CliRunner().invoke(app, ["clean", *args])


def check_cleaned(objs: list[dict[str, Any]], original: list[dict[str, Any]]) -> None:
    """a2 (the near duplicate of a1) is left out; the rest keep every field, in order, with the text cleaned."""
    by_id = {o["id"]: o for o in original}
    assert [o["id"] for o in objs] == ["a1", "b", "c"]
    for obj in objs:
        assert list(obj) == list(by_id[obj["id"]])
        assert {k: v for k, v in obj.items() if k != "text"} == {
            k: v for k, v in by_id[obj["id"]].items() if k != "text"
        }
    assert [o["text"] for o in objs] == [CLEAN_A, "\n\n".join(OTHER), ""]


@pytest.mark.parametrize("name", ["corpus.jsonl", "corpus.jsonl.gz", "corpus.jsonl.zst"])
def test_jsonl_in_jsonl_out(tmp_path: Path, name: str) -> None:
    src = write_input(tmp_path / "in" / name, seed_records())
    before = src.read_bytes()
    out = tmp_path / "out"
    result = clean(str(src), "-o", str(out))
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == sorted([name, "report.jsonl", "summary.json"])
    check_cleaned(read_output(out / name), seed_records())
    assert src.read_bytes() == before
    report = lines_of((out / "report.jsonl").read_bytes())
    assert [r["id"] for r in report] == [f"{name}:a1", f"{name}:b", f"{name}:a2", f"{name}:c"]
    assert report[2]["status"] == "dropped" and report[2]["duplicate_of"] == f"{name}:a1"
    assert {r["rule"] for r in report[0]["removed"]} == {"en.advertisement", "en.date_stub", "repeat.exact"}
    assert report[0]["source"] == "example.org"
    summary = json.loads((out / "summary.json").read_text())
    assert summary["documents"] == {"total": 4, "kept": 3, "dropped": 1, "empty": 0}
    assert summary["skipped_records"] == {"count": 0, "records": []}


def test_directory_input_keeps_relative_paths(tmp_path: Path) -> None:
    write_input(tmp_path / "in" / "shard" / "part.jsonl.gz", seed_records())
    (tmp_path / "in" / "note.txt").write_text("Advertisement\n\nA plain text file beside the records, kept as text.\n")
    out = tmp_path / "out"
    result = clean(str(tmp_path / "in"), "-o", str(out))
    assert result.exit_code == 0, result.output
    check_cleaned(read_output(out / "shard" / "part.jsonl.gz"), seed_records())
    assert (out / "note.txt").read_text() == "A plain text file beside the records, kept as text.\n"


def test_parquet_in_parquet_out(tmp_path: Path) -> None:
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    src = tmp_path / "in" / "corpus.parquet"
    src.parent.mkdir()
    pq.write_table(pa.Table.from_pylist(seed_records()), src)
    out = tmp_path / "out"
    result = clean(str(src), "-o", str(out), "--removal-fields")
    assert result.exit_code == 0, result.output
    table = pq.read_table(out / "corpus.parquet")
    assert table.schema.names == [*pa.Table.from_pylist(seed_records()).schema.names, "dedup"]
    rows = table.to_pylist()
    check_cleaned([{k: v for k, v in r.items() if k != "dedup"} for r in rows], seed_records())
    # A Parquet column has one type: the removal report is stored as JSON text.
    assert json.loads(rows[0]["dedup"])["removed"][0]["rule"] == "en.advertisement"


def test_warc_in_jsonl_out(tmp_path: Path) -> None:
    pytest.importorskip("fastwarc")
    page = (
        "<html><head><title>Budget</title></head><body><nav><a href='/'>Home</a> <a href='/news'>News</a></nav>"
        f"<article><h1>Budget</h1><p>{ARTICLE[0]}</p><p>{ARTICLE[1]}</p></article></body></html>"
    )
    src = tmp_path / "in" / "crawl.warc.gz"
    src.parent.mkdir()
    write_warc(
        src,
        [
            record("warcinfo", b"software: hand\r\n", record_id=rid(90), content_type="application/warc-fields"),
            response(1, "text/html; charset=utf-8", page.encode("utf-8"), uri="https://www.example.org/budget"),
            response(2, "image/png", b"\x89PNG\r\n\x1a\n"),
            response(3, "text/plain; charset=utf-8", f"Advertisement\n\n{ARTICLE[2]}".encode()),
        ],
    )
    out = tmp_path / "out"
    result = clean(str(src), "-o", str(out))
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["crawl.jsonl", "report.jsonl", "summary.json"]
    objs = read_output(out / "crawl.jsonl")
    assert [list(o) for o in objs] == [["id", "url", "date", "text"]] * 2
    assert objs[0]["id"] == rid(1) and objs[0]["url"] == "https://www.example.org/budget"
    assert objs[0]["date"] == "2024-05-06T07:08:09Z"
    assert ARTICLE[0] in objs[0]["text"] and "Home" not in objs[0]["text"]
    assert objs[1]["text"] == ARTICLE[2]
    summary = json.loads((out / "summary.json").read_text())
    assert summary["ignored_records"] == {"image/png": 1}


def test_output_field_keeps_the_original_text(tmp_path: Path) -> None:
    src = write_input(tmp_path / "in" / "c.jsonl", seed_records())
    out = tmp_path / "out"
    result = clean(str(src), "-o", str(out), "--output-field", "clean_text")
    assert result.exit_code == 0, result.output
    objs = read_output(out / "c.jsonl")
    originals = {o["id"]: o for o in seed_records()}
    assert [o["text"] for o in objs] == [originals[o["id"]]["text"] for o in objs]
    assert [o["clean_text"] for o in objs] == [CLEAN_A, "\n\n".join(OTHER), ""]
    assert list(objs[0])[-1] == "clean_text"


def test_other_field_names(tmp_path: Path) -> None:
    objs = [{"key": o["id"], "body": o["text"], "link": o["url"]} for o in seed_records()]
    src = write_input(tmp_path / "in" / "c.jsonl", objs)
    out = tmp_path / "out"
    result = clean(str(src), "-o", str(out), "--text-field", "body", "--id-field", "key", "--url-field", "link")
    assert result.exit_code == 0, result.output
    assert [o["body"] for o in read_output(out / "c.jsonl")] == [CLEAN_A, "\n\n".join(OTHER), ""]


def bad_input(tmp_path: Path) -> Path:
    src = write_input(tmp_path / "in" / "c.jsonl", seed_records())
    with src.open("a") as fh:
        fh.write('{"id": "n", "text": 5}\n')
        fh.write("not json\n")
        fh.write(json.dumps({"id": "d", "text": OTHER[0]}) + "\n")
    return src


def test_on_error_stop_names_file_and_line_and_writes_nothing(tmp_path: Path) -> None:
    src = bad_input(tmp_path)
    good = write_input(tmp_path / "in" / "a.jsonl", seed_records())
    out = tmp_path / "out"
    result = clean(str(good), str(src), "-o", str(out))
    assert result.exit_code == 1
    assert f"{src}:5: 'text' is a number, not a string" in ANSI.sub("", result.stderr).replace("\n", "")
    assert not out.exists()


def test_on_error_skip_counts_and_lists_what_it_skipped(tmp_path: Path) -> None:
    src = bad_input(tmp_path)
    out = tmp_path / "out"
    result = clean(str(src), "-o", str(out), "--on-error", "skip")
    assert result.exit_code == 0, result.output
    assert [o["id"] for o in read_output(out / "c.jsonl")] == ["a1", "b", "c", "d"]
    summary = json.loads((out / "summary.json").read_text())
    assert summary["skipped_records"]["count"] == 2
    assert [(r["file"], r["line"], r["unit"]) for r in summary["skipped_records"]["records"]] == [
        (str(src), 5, "line"),
        (str(src), 6, "line"),
    ]
    assert "not valid JSON" in summary["skipped_records"]["records"][1]["message"]
    warnings = [line for line in ANSI.sub("", result.stderr).splitlines() if line.startswith("warning:")]
    assert len(warnings) == 2 and f"{src}:6" in warnings[1]


def test_write_dropped_and_removal_fields(tmp_path: Path) -> None:
    src = write_input(tmp_path / "in" / "c.jsonl.gz", seed_records())
    out = tmp_path / "out"
    result = clean(str(src), "-o", str(out), "--write-dropped", "--removal-fields")
    assert result.exit_code == 0, result.output
    dropped = read_output(out / "c.dropped.jsonl.gz")
    assert [o["id"] for o in dropped] == ["a2"]
    assert dropped[0]["text"] == seed_records()[2]["text"]
    assert dropped[0]["dedup"] == {"status": "dropped", "duplicate_of": "c.jsonl.gz:a1", "similarity": 1.0}
    objs = read_output(out / "c.jsonl.gz")
    assert objs[0]["dedup"]["status"] == "kept"
    assert [(r["start"], r["reason"], r.get("rule")) for r in objs[0]["dedup"]["removed"]] == [
        (0, "rule", "en.advertisement"),
        (317, "rule", "en.date_stub"),
        (339, "repeat", "repeat.exact"),
    ]
    # The spans point into the original text.
    assert seed_records()[0]["text"][0:13] == "Advertisement"
    assert objs[1]["dedup"] == {"status": "kept", "removed": []}


def test_two_runs_are_byte_identical(tmp_path: Path) -> None:
    src = write_input(tmp_path / "in" / "c.jsonl.gz", seed_records())
    outputs = []
    for n in range(2):
        out = tmp_path / f"out{n}"
        assert clean(str(src), "-o", str(out), "--write-dropped", "--removal-fields").exit_code == 0
        outputs.append({p.name: p.read_bytes() for p in out.iterdir() if p.name != "summary.json"})
    assert outputs[0] == outputs[1] and len(outputs[0]) == 3


def test_scan_reads_records_and_writes_no_records(tmp_path: Path) -> None:
    src = write_input(tmp_path / "in" / "c.jsonl", seed_records())
    result = CliRunner().invoke(app, ["scan", str(src)])
    assert result.exit_code == 0, result.output
    assert [json.loads(line)["id"] for line in result.stdout.splitlines()] == [
        "c.jsonl:a1",
        "c.jsonl:b",
        "c.jsonl:a2",
        "c.jsonl:c",
    ]


def test_refusals(tmp_path: Path) -> None:
    src = write_input(tmp_path / "in" / "c.jsonl", seed_records())
    result = clean(str(src), "-o", "-")
    assert result.exit_code == 2 and "record file" in result.stderr
    report = write_input(tmp_path / "in2" / "report.jsonl", seed_records())
    result = clean(str(report), "-o", str(tmp_path / "out"))
    assert result.exit_code == 2 and "the run's own report" in ANSI.sub("", result.stderr).replace("\n", "")
    result = clean(str(src), "-o", str(tmp_path / "out"), "--on-error", "maybe")
    assert result.exit_code == 2 and "on_error" in result.stderr


def test_missing_extra_names_the_file_and_the_install_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import builtins

    real_import = builtins.__import__

    def no_pyarrow(name: str, *args: Any, **kwargs: Any) -> Any:
        if name.startswith("pyarrow"):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "c.parquet").write_bytes(b"PAR1")
    monkeypatch.setattr(builtins, "__import__", no_pyarrow)
    result = clean(str(tmp_path / "in" / "c.parquet"), "-o", str(tmp_path / "out"))
    message = ANSI.sub("", result.stderr).replace("\n", "")
    assert result.exit_code == 1
    assert "c.parquet" in message and "pip install 'dedup[parquet]'" in message
    assert not (tmp_path / "out").exists()
