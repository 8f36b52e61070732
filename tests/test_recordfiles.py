"""Record files as documents: ids, sources, links back to the record, and the `dedup` field."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dedup import Config, ConfigError, RecordsConfig
from dedup.document import Removal, Result
from dedup.formats import RecordError
from dedup.pipeline import source_of
from dedup.readers import discover
from dedup.recordfiles import documents, open_reader, output_names, removal_field
from tests.formats.warcs import response, write_warc


def write_jsonl(path: Path, objs: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(o) + "\n" for o in objs), encoding="utf-8")
    return path


def read(path: Path, config: RecordsConfig | None = None) -> tuple[list, object]:
    (item,) = discover([str(path)])
    reader = open_reader(item, config or RecordsConfig())
    return list(documents(item, reader)), reader


def test_ids_urls_sources_and_the_link_to_the_record(tmp_path: Path) -> None:
    path = write_jsonl(
        tmp_path / "a.jsonl",
        [
            {"id": "x", "text": "one", "url": "https://www.example.org/1", "lang": "en"},
            {"text": "two"},
            {"id": 7, "text": "three"},
        ],
    )
    docs, _ = read(path)
    assert [d.id for d in docs] == ["a.jsonl:x", "a.jsonl:2", "a.jsonl:7"]
    assert docs[0].url == "https://www.example.org/1" and source_of(docs[0]) == "example.org"
    # Without a URL, records share the source of their file's folder, as text files do.
    assert source_of(docs[1]) == tmp_path.name
    assert docs[0].meta["record"].fields["lang"] == "en" and docs[0].meta["input"] == "a.jsonl"


def test_ids_inside_a_directory_carry_the_relative_path(tmp_path: Path) -> None:
    (tmp_path / "in" / "shard").mkdir(parents=True)
    write_jsonl(tmp_path / "in" / "shard" / "b.jsonl", [{"id": "x", "text": "one"}])
    (item,) = discover([str(tmp_path / "in")])
    (doc,) = documents(item, open_reader(item, RecordsConfig()))
    assert doc.id == "shard/b.jsonl:x"


def test_field_names_come_from_the_config(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "a.jsonl", [{"key": "k1", "body": "hello", "link": "http://h.example/"}])
    docs, _ = read(path, RecordsConfig(text_field="body", id_field="key", url_field="link"))
    assert (docs[0].id, docs[0].text, docs[0].url) == ("a.jsonl:k1", "hello", "http://h.example/")


def test_a_repeated_id_is_a_bad_record(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "a.jsonl", [{"id": "x", "text": "one"}, {"id": "x", "text": "two"}])
    with pytest.raises(RecordError, match=r"a\.jsonl:2: id 'x' is used already by line 1"):
        read(path)
    docs, reader = read(path, RecordsConfig(on_error="skip"))
    assert [d.text for d in docs] == ["one"]
    assert [(s.line, "used already" in s.message) for s in reader.skipped] == [(2, True)]  # type: ignore[attr-defined]


def test_warc_pages_are_html_documents_without_their_bytes(tmp_path: Path) -> None:
    page = b"<html><body><article><p>Hello from the archive.</p></article></body></html>"
    path = tmp_path / "crawl.warc.gz"
    write_warc(path, [response(1, "text/html; charset=utf-8", page, uri="http://www.news.example/a")])
    (doc,), _ = read(path)
    assert doc.kind == "html" and doc.id == "crawl.warc.gz:<urn:uuid:00000000-0000-0000-0000-000000000001>"
    assert source_of(doc) == "news.example" and doc.meta["record"].raw is None
    assert output_names(discover([str(path)])[0], RecordsConfig(write_dropped=True)) == [
        "crawl.jsonl",
        "crawl.dropped.jsonl",
    ]


def test_removal_field_is_compact() -> None:
    removal = Removal(0, 13, 0, "rule", "Advertisement", rule="en.advertisement")
    kept = Result(id="a", text="x", kept=True, source="", removals=(removal,))
    assert removal_field(kept) == {
        "status": "kept",
        "removed": [{"start": 0, "end": 13, "reason": "rule", "rule": "en.advertisement"}],
    }
    twin = Result(id="b", text="x", kept=True, source="", duplicate_of="a", similarity=0.91234)
    assert removal_field(twin)["duplicate_of"] == "a" and removal_field(twin)["similarity"] == 0.9123


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"on_error": "maybe"}, "records.on_error must be one of 'stop', 'skip'"),
        ({"text_field": ""}, "records.text_field must be a non-empty field name"),
        ({"output_field": "id"}, "would overwrite the id or URL field"),
        ({"output_field": ""}, "records.output_field must be a field name"),
        ({"output_field": "dedup"}, "holds what dedup removed"),
        ({"write_dropped": "yes"}, "records.write_dropped must be true or false"),
    ],
)
def test_records_config_rejects_bad_values(options: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        RecordsConfig(**options)  # type: ignore[arg-type]


def test_records_config_from_toml(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text('[records]\ntext_field = "body"\non_error = "skip"\nremoval_fields = true\n')
    config = Config.from_toml(path)
    assert (config.records.text_field, config.records.on_error, config.records.removal_fields) == ("body", "skip", True)
    assert config.with_options(output_field="clean").records.output_field == "clean"
