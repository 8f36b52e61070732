from __future__ import annotations

import codecs

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dedup import decode_html, extract_html
from dedup.html.decode import declared_charset


def page(body: str, head: str = "") -> str:
    return f"<!DOCTYPE html><html><head>{head}<title>Test page</title></head><body>{body}</body></html>"


def test_utf8_bom_is_stripped_and_wins() -> None:
    data = codecs.BOM_UTF8 + page("<p>café Grüße 日本語</p>", '<meta charset="windows-1252">').encode("utf-8")
    d = decode_html(data)
    assert d.encoding == "utf-8"
    assert d.text.startswith("<!DOCTYPE html>")
    assert "café Grüße 日本語" in d.text
    assert d.declared == "cp1252"
    assert d.notes == ()


@pytest.mark.parametrize(("bom", "codec"), [(codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")])
def test_utf16_with_bom(bom: bytes, codec: str) -> None:
    text = page("<p>Schöne Grüße aus Köln und 東京</p>")
    d = decode_html(bom + text.encode(codec))
    assert d.encoding == codec
    assert d.text == text
    assert extract_html(bom + text.encode(codec)).content == "Schöne Grüße aus Köln und 東京"


def test_declared_latin1_but_bytes_are_utf8() -> None:
    prose = "<p>Le café de la Grüße-Straße sert du thé japonais 日本語 depuis 1990.</p>"
    text = page(prose, '<meta charset="iso-8859-1">')
    d = decode_html(text.encode("utf-8"))
    assert d.text == text
    assert "Ã" not in d.text  # no mojibake ("cafÃ©")
    assert d.encoding == "utf-8"
    assert d.declared == "cp1252"  # Latin-1 labels mean windows-1252
    assert len(d.notes) == 1
    assert "contradicted" in d.notes[0] and "cp1252" in d.notes[0]
    for word in ("café", "Grüße", "日本語"):
        assert word in extract_html(text.encode("utf-8")).content


def test_ascii_page_with_other_declaration_has_no_note() -> None:
    d = decode_html(page("<p>plain ascii</p>", '<meta charset="iso-8859-1">').encode("ascii"))
    assert d.encoding == "utf-8" and d.notes == ()


def test_real_windows_1252_page() -> None:
    data = (
        b'<!DOCTYPE html><html><head><meta charset="windows-1252"><title>Menu</title></head><body>'
        b"<p>Our caf\xe9 serves cr\xe8me br\xfbl\xe9e. The chef says \x93it is the best in town\x94 \x96 and "
        b"it costs \x805.</p></body></html>"
    )
    d = decode_html(data)
    assert d.encoding == "cp1252" and d.declared == "cp1252" and d.notes == ()
    assert "Our café serves crème brûlée. The chef says “it is the best in town” – and it costs €5." in d.text
    assert "\ufffd" not in d.text


def test_latin1_label_decodes_as_windows_1252() -> None:
    data = b'<html><head><meta charset="ISO-8859-1"></head><body><p>\x93Quoted\x94 caf\xe9</p></body></html>'
    assert "“Quoted” café" in decode_html(data).text


def test_http_equiv_content_type() -> None:
    head = b'<meta http-equiv="Content-Type" content="text/html; charset=windows-1252">'
    data = b"<html><head>" + head + b"</head><body><p>Na\xefve r\xe9sum\xe9</p></body></html>"
    d = decode_html(data)
    assert d.declared == "cp1252" and d.encoding == "cp1252"
    assert "Naïve résumé" in d.text


def test_xml_declaration() -> None:
    data = b'<?xml version="1.0" encoding="ISO-8859-15"?><html><body><p>Prix: 10 \xa4</p></body></html>'
    d = decode_html(data)
    assert d.declared == "iso8859-15"
    assert "Prix: 10 €" in d.text


JAPANESE = "日本語のテキストです。東京は日本の首都です。今日はとても良い天気ですね。明日は雨が降るそうです。"
KOREAN = "한국어 텍스트입니다. 서울은 대한민국의 수도입니다. 오늘 날씨가 정말 좋네요. 내일은 비가 온다고 합니다."
RUSSIAN = "Москва является столицей России. Сегодня очень хорошая погода, и мы пойдём гулять в парк у реки."


@pytest.mark.parametrize(
    ("label", "codec", "text", "words"),
    [
        ("shift_jis", "shift_jis", JAPANESE, ["日本語", "東京", "首都"]),
        ("euc-kr", "euc_kr", KOREAN, ["한국어", "서울은", "대한민국의"]),
        ("koi8-r", "koi8_r", RUSSIAN, ["Москва", "столицей", "России"]),
    ],
)
@pytest.mark.parametrize("declare", [True, False], ids=["declared", "detected"])
def test_legacy_cjk_and_cyrillic_encodings(label: str, codec: str, text: str, words: list[str], declare: bool) -> None:
    head = f'<meta charset="{label}">' if declare else ""
    data = page(f"<p>{text}</p>", head).encode(codec)
    d = decode_html(data)
    for word in words:
        assert word in d.text
    assert "\ufffd" not in d.text
    if declare:
        assert d.declared is not None and d.notes == ()
    else:
        assert d.declared is None
        assert any("detected" in n for n in d.notes)
    assert extract_html(data).content == text


@pytest.mark.parametrize(
    "decl", ['<meta charset="foo">', '<meta http-equiv="Content-Type" content="text/html; charset=foo">']
)
def test_junk_declaration_falls_through(decl: str) -> None:
    assert declared_charset(decl.encode()) is None
    utf8 = decode_html(page("<p>Grüße</p>", decl).encode("utf-8"))
    assert utf8.encoding == "utf-8" and "Grüße" in utf8.text and utf8.notes == ()
    legacy = decode_html(page("<p>Il était une fois un café très célèbre à Paris.</p>", decl).encode("cp1252"))
    assert legacy.declared is None
    assert "Il était une fois un café très célèbre à Paris." in legacy.text
    assert legacy.notes and "detected" in legacy.notes[0]


def test_declared_charset_that_does_not_decode_falls_to_detection() -> None:
    # Declared UTF-8, but the bytes are Latin-1: neither works, detection decides and says so.
    data = page("<p>Le café est très célèbre à Paris depuis longtemps.</p>", '<meta charset="utf-8">').encode("cp1252")
    d = decode_html(data)
    assert "café" in d.text and "très célèbre à Paris" in d.text
    assert d.notes


def test_declaration_far_into_a_long_head_is_found() -> None:
    head = "<meta name='x' content='" + "y" * 3000 + "'>" + '<meta charset="koi8-r">'
    d = decode_html(page(f"<p>{RUSSIAN}</p>", head).encode("koi8-r"))
    assert d.declared == "koi8-r" and RUSSIAN in d.text


def test_undecodable_bytes_after_a_bom_are_counted() -> None:
    d = decode_html(codecs.BOM_UTF8 + b"<p>ok \xff\xfe bad</p>")
    assert "\ufffd" in d.text
    assert any("undecodable" in n for n in d.notes)


def test_literal_replacement_character_is_not_reported_as_undecodable() -> None:
    d = decode_html(codecs.BOM_UTF8 + "<p>a \ufffd b</p>".encode())
    assert d.notes == ()


@settings(deadline=None)
@given(st.binary(max_size=2048))
def test_decode_never_raises(data: bytes) -> None:
    d = decode_html(data)
    assert isinstance(d.text, str)
    assert isinstance(d.encoding, str)


@settings(deadline=None)
@given(st.binary(max_size=512))
def test_extract_never_raises_on_bytes(data: bytes) -> None:
    page_ = extract_html(b"<html><body><p>" + data + b"</p></body></html>")
    assert isinstance(page_.text, str)


@settings(deadline=None)
@given(st.text(max_size=500))
def test_utf8_round_trip(s: str) -> None:
    expected = s.removeprefix("\ufeff")  # a leading U+FEFF encodes to the UTF-8 byte order mark
    assert decode_html(s.encode("utf-8")).text == expected


@settings(deadline=None)
@given(st.text(max_size=300))
def test_utf8_round_trip_under_a_wrong_declaration(s: str) -> None:
    head = '<meta charset="iso-8859-1">'
    assert decode_html((head + s).encode("utf-8")).text == head + s
