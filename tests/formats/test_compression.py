"""gzip and zstd streams: multi-member reading, damage reported instead of swallowed, repeatable writing."""

from __future__ import annotations

import gzip
import io
import zlib

import pytest
import zstandard

from dedup.formats.compression import DecompressedReader, codec_of, compressing_writer, open_decompressed

DATA = b"".join(b"line %d of some text\n" % i for i in range(5000))


def read_all(data: bytes, codec: str) -> tuple[bytes, str | None]:
    stream, decoder = open_decompressed(io.BytesIO(data), codec)  # type: ignore[arg-type]
    assert decoder is not None
    return stream.read(), decoder.damage


def test_codec_of() -> None:
    assert codec_of("a.jsonl.GZ") == "gzip"
    assert codec_of("a.jsonl.zst") == "zstd"
    assert codec_of("a.jsonl") is None


@pytest.mark.parametrize("codec", ["gzip", "zstd"])
def test_several_members_read_as_one_stream(codec: str) -> None:
    parts = [DATA[:1000], DATA[1000:50000], DATA[50000:]]
    if codec == "gzip":
        data = b"".join(gzip.compress(p, mtime=0) for p in parts)
    else:
        data = b"".join(zstandard.ZstdCompressor().compress(p) for p in parts)
    assert read_all(data, codec) == (DATA, None)


@pytest.mark.parametrize("codec", ["gzip", "zstd"])
def test_a_cut_stream_keeps_what_came_before_and_says_so(codec: str) -> None:
    data = DATA * 10  # zstd hands out whole blocks of up to 128 KiB: the cut must come several blocks in
    whole = gzip.compress(data, mtime=0) if codec == "gzip" else zstandard.ZstdCompressor().compress(data)
    out, damage = read_all(whole[: len(whole) - 10], codec)
    assert damage is not None and damage.startswith(f"truncated {codec} stream")
    assert data.startswith(out)
    assert len(out) > len(data) // 2


def test_corrupt_data_is_damage_not_an_exception() -> None:
    whole = gzip.compress(DATA, mtime=0)
    out, damage = read_all(whole + b"garbage after the member", "gzip")
    assert out == DATA
    assert damage is not None and damage.startswith("corrupt gzip stream")


def test_member_offsets_locate_each_member() -> None:
    parts = [b"first\n" * 3, b"second\n" * 4000, b"third\n"]
    members = [gzip.compress(p, mtime=0) for p in parts]
    raw = DecompressedReader(io.BytesIO(b"".join(members)), "gzip", track_members=True)
    assert io.BufferedReader(raw).read() == b"".join(parts)
    starts = [0, len(members[0]), len(members[0]) + len(members[1])]
    assert raw.member_offset(0) == starts[0]
    assert raw.member_offset(len(parts[0])) == starts[1]
    assert raw.member_offset(len(parts[0]) + 100) == starts[1]
    assert raw.member_offset(len(parts[0]) + len(parts[1])) == starts[2]


@pytest.mark.parametrize("codec", ["gzip", "zstd", None])
def test_writers_are_repeatable_and_readable(codec: str | None) -> None:
    outputs = []
    for _ in range(2):
        buf = io.BytesIO()
        sink = compressing_writer(buf, codec)  # type: ignore[arg-type]
        sink.write(DATA)
        sink.close()
        assert not buf.closed
        outputs.append(buf.getvalue())
    assert outputs[0] == outputs[1]
    if codec is None:
        assert outputs[0] == DATA
    else:
        assert read_all(outputs[0], codec) == (DATA, None)


def test_gzip_output_has_no_time_and_no_name() -> None:
    buf = io.BytesIO()
    sink = compressing_writer(buf, "gzip")
    sink.write(b"x")
    sink.close()
    header = buf.getvalue()[:10]
    assert header[3] & 0x08 == 0  # FNAME flag
    assert header[4:8] == b"\0\0\0\0"  # MTIME
    assert zlib.decompress(buf.getvalue(), 16 + zlib.MAX_WBITS) == b"x"
