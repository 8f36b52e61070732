from __future__ import annotations

from pathlib import Path

import pytest

from dedup.errors import InputError, UsageError
from dedup.readers import InputFile, decode, discover, looks_binary, read_file


def test_discover_directory_recursively_sorted(tmp_path: Path) -> None:
    root = tmp_path / "site"
    (root / "b").mkdir(parents=True)
    (root / "z.txt").write_text("z")
    (root / "b" / "a.txt").write_text("a")
    (root / "ignored.md").write_text("x")
    files = discover([str(root)])
    assert [(f.id, f.source) for f in files] == [("b/a.txt", "site/b"), ("z.txt", "site")]


def test_discover_single_file_and_missing(tmp_path: Path) -> None:
    f = tmp_path / "one.txt"
    f.write_text("x")
    assert [(i.id, i.root) for i in discover([str(f)])] == [("one.txt", tmp_path)]
    with pytest.raises(UsageError, match="does not exist: nope"):
        discover(["nope"])


def test_bom_and_invalid_utf8_are_reported_with_offset() -> None:
    text, warnings = decode(b"\xef\xbb\xbfhello", "f.txt")
    assert text == "hello" and warnings == []
    text, warnings = decode(b"ok \xff\xfe bad", "f.txt")
    assert "\ufffd" in text
    assert "byte offset 3" in warnings[0].message and warnings[0].path == "f.txt"


def test_binary_detection() -> None:
    assert looks_binary(b"\x89PNG\r\n\x1a\n\x00\x00")
    assert looks_binary(bytes(range(1, 32)) * 10)
    assert not looks_binary("Grüße aus Köln\n\tTab".encode())
    assert not looks_binary(b"")


def test_read_file_binary_and_unreadable(tmp_path: Path) -> None:
    binary = tmp_path / "x.txt"
    binary.write_bytes(b"\x00\x01\x02abc")
    doc, warnings = read_file(InputFile(binary, "x.txt", "t"))
    assert doc is None and "binary" in warnings[0].message
    with pytest.raises(InputError, match="cannot read"):
        read_file(InputFile(tmp_path / "gone.txt", "gone.txt", "t"))
