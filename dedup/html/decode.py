"""Bytes of a page to text: BOM, then the bytes themselves when they are valid UTF-8, then the declared charset,
then detection.

Valid UTF-8 wins over a declared charset because pages that declare `iso-8859-1` but are served as UTF-8 are common
and decoding them as declared gives mojibake ("Ã©" for "é"); text that is not UTF-8 almost never happens to be valid
UTF-8 once it holds non-ASCII bytes. Following the WHATWG encoding standard, the Latin-1 and ASCII labels mean
windows-1252.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass

import regex

# Where a declaration may sit: browsers look at the first 1024 bytes; pages with long heads push it further.
_PRESCAN_BYTES = 8192
# Detection reads a sample: enough to tell a charset, bounded on huge pages.
_DETECT_BYTES = 65536
_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_DECLARED = regex.compile(
    rb"""<meta[^>]{0,512}?charset\s*=\s*["']?\s*([A-Za-z0-9._:-]{1,40})|<\?xml[^>]{0,200}?encoding\s*=\s*["']([A-Za-z0-9._:-]{1,40})""",
    regex.IGNORECASE,
)
_WINDOWS_1252_LABELS = {"latin_1", "iso8859-1", "ascii"}


@dataclass(frozen=True)
class Decoded:
    """A decoded page: `encoding` is the codec used, `declared` what the page said (if anything), `notes` anything
    a user should hear about (a declaration that the bytes contradict, replaced bytes)."""

    text: str
    encoding: str
    declared: str | None
    notes: tuple[str, ...] = ()


def declared_charset(data: bytes) -> str | None:
    """The codec name of the charset a page declares in its first bytes (meta charset, http-equiv, XML), if known."""
    m = _DECLARED.search(data[:_PRESCAN_BYTES])
    if m is None:
        return None
    label = (m.group(1) or m.group(2)).decode("ascii", "replace")
    return _codec(label)


def _codec(label: str) -> str | None:
    try:
        name = codecs.lookup(label.strip().lower()).name
    except LookupError:
        return None
    return "cp1252" if name in _WINDOWS_1252_LABELS else name


def decode_html(data: bytes) -> Decoded:
    """Decode a page's bytes; never raises. Undecodable bytes become U+FFFD and a note says how many."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            return _lenient(data[len(bom) :], name, declared_charset(data), "byte order mark")
    declared = declared_charset(data)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        notes: tuple[str, ...] = ()
        if declared not in (None, "utf-8") and not data.isascii():
            notes = (f"declared charset {declared} contradicted by the bytes, which are valid UTF-8: decoded as UTF-8",)
        return Decoded(text, "utf-8", declared, notes)
    if declared is not None and declared != "utf-8":
        try:
            return Decoded(data.decode(declared), declared, declared)
        except (UnicodeDecodeError, LookupError):
            pass
    detected = _detect(data)
    note = f"declared charset {declared} does not decode these bytes" if declared is not None else "no declared charset"
    return _lenient(data, detected, declared, f"{note}; detected {detected}")


def _detect(data: bytes) -> str:
    from charset_normalizer import from_bytes

    best = from_bytes(data[:_DETECT_BYTES]).best()
    name = _codec(best.encoding) if best is not None else None
    return name or "cp1252"


def _lenient(data: bytes, encoding: str, declared: str | None, how: str) -> Decoded:
    text = data.decode(encoding, errors="replace")
    # U+FFFD the page really contains is not a replaced byte.
    literal = "\ufffd".encode(encoding, errors="ignore")
    bad = text.count("\ufffd") - (data.count(literal) if literal else 0)
    notes = [f"decoded as {encoding} ({how})"] if "byte order mark" not in how else []
    if bad > 0:
        notes.append(f"{bad} undecodable byte sequence(s) replaced by U+FFFD")
    return Decoded(text, encoding, declared, tuple(notes))
