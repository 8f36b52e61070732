"""Run one HTML main-content extractor over a JSONL file of pages, inside the peer's own virtual environment.

    <venv>/bin/python -I html_peer_run.py PEER IN.jsonl OUT.jsonl

`benchmarks.eval_html` runs this script with `benchmarks/.venvs/<peer>/bin/python`, where neither dedup nor the
`benchmarks` package is importable: it uses the standard library plus the one peer library, imported inside its
setup function. Each line of IN is `{"id", "html", "lang"}` (`lang`: the page's `<html lang>` value or null); for
each page, in order, one line `{"id", "text", "ms", "error"}` is appended to OUT and flushed, so a crash loses
nothing already written. `ms` is `time.perf_counter()` around the single extraction call of that page, after one
untimed warm-up call on the first page. A page on which the extractor raises gets `text: ""` and the error.

Exit status: 0 when every page was processed, 2 on bad usage, 3 when the peer cannot be set up (the reason is
the last stderr line).

The settings are pinned by the HTML extraction issue:

- trafilatura: `extract(html, include_comments=False, include_tables=True)`, None read as "".
- resiliparse: `extract_plain_text(html, main_content=True)`.
- readability: `Document(html).summary()`, reduced to text with lxml (one line per block element).
- justext: the non-boilerplate paragraphs of `justext(html, get_stoplist(language))`, joined by blank lines; the
  language comes from the page's `<html lang>` (`justext_language`), English when unknown.
- echo: a stdlib-only tag stripper, for tests of this protocol without any peer installed.
"""

from __future__ import annotations

import contextlib
import json
import sys
import time
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any

# Block elements: each starts and ends a line in the text of readability's summary and of the echo peer.
BLOCK_TAGS: frozenset[str] = frozenset(
    {
        "address",
        "article",
        "aside",
        "blockquote",
        "body",
        "caption",
        "dd",
        "details",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "html",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "summary",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "tr",
        "ul",
    }
)
_SKIPPED_TAGS: frozenset[str] = frozenset({"script", "style", "template", "head", "title", "noscript", "svg"})

# ISO 639 primary language subtags to jusText stoplist names (`justext.get_stoplists()`). Three-letter subtags are
# looked up whole, never cut to two letters: "new" (Newar) is not "ne" (Nepali).
ISO_TO_JUSTEXT: dict[str, str] = {
    "af": "Afrikaans",
    "an": "Aragonese",
    "ar": "Arabic",
    "ast": "Asturian",
    "az": "Azerbaijani",
    "be": "Belarusian",
    "bg": "Bulgarian",
    "bn": "Bengali",
    "bpy": "Bishnupriya_Manipuri",
    "br": "Breton",
    "bs": "Bosnian",
    "ca": "Catalan",
    "ceb": "Cebuano",
    "cs": "Czech",
    "cv": "Chuvash",
    "cy": "Welsh",
    "da": "Danish",
    "de": "German",
    "el": "Greek",
    "en": "English",
    "eo": "Esperanto",
    "es": "Spanish",
    "et": "Estonian",
    "eu": "Basque",
    "fa": "Persian",
    "fi": "Finnish",
    "fr": "French",
    "fy": "West_Frisian",
    "ga": "Irish",
    "gl": "Galician",
    "gu": "Gujarati",
    "he": "Hebrew",
    "hi": "Hindi",
    "hr": "Croatian",
    "ht": "Haitian",
    "hu": "Hungarian",
    "hy": "Armenian",
    "id": "Indonesian",
    "ig": "Igbo",
    "in": "Indonesian",
    "io": "Ido",
    "is": "Icelandic",
    "it": "Italian",
    "iw": "Hebrew",
    "jv": "Javanese",
    "ka": "Georgian",
    "kk": "Kazakh",
    "kn": "Kannada",
    "ko": "Korean",
    "ku": "Kurdish",
    "ky": "Kyrgyz",
    "la": "Latin",
    "lb": "Luxembourgish",
    "lmo": "Lombard",
    "lt": "Lithuanian",
    "lv": "Latvian",
    "mk": "Macedonian",
    "ml": "Malayalam",
    "mr": "Marathi",
    "ms": "Malay",
    "mt": "Maltese",
    "nap": "Neapolitan",
    "nb": "Norwegian_Bokmal",
    "nds": "Low_Saxon",
    "ne": "Nepali",
    "new": "Newar",
    "nl": "Dutch",
    "nn": "Norwegian_Nynorsk",
    "no": "Norwegian_Bokmal",
    "oc": "Occitan",
    "pa": "Western_Panjabi",
    "pl": "Polish",
    "pms": "Piedmontese",
    "pnb": "Western_Panjabi",
    "pt": "Portuguese",
    "qu": "Quechua",
    "ro": "Romanian",
    "ru": "Russian",
    "rup": "Aromanian",
    "scn": "Sicilian",
    "sgs": "Samogitian",
    "sh": "Serbo_Croatian",
    "sk": "Slovak",
    "sl": "Slovenian",
    "sq": "Albanian",
    "sr": "Serbian",
    "su": "Sundanese",
    "sv": "Swedish",
    "sw": "Swahili",
    "ta": "Tamil",
    "te": "Telugu",
    "tk": "Turkmen",
    "tl": "Tagalog",
    "tr": "Turkish",
    "uk": "Ukrainian",
    "ur": "Urdu",
    "uz": "Uzbek",
    "vi": "Vietnamese",
    "vo": "Volapuk",
    "wa": "Walloon",
    "war": "Waray_Waray",
    "yo": "Yoruba",
}
JUSTEXT_DEFAULT = "English"


def justext_language(lang: str | None, available: Collection[str]) -> str:
    """The jusText stoplist for an `<html lang>` value ("de-AT", "pt_BR", "EN"), English when unknown or missing.

    The primary subtag is looked up whole (two or three letters); a stoplist name missing from `available` (the
    installed jusText's `get_stoplists()`) falls back to English too.
    """
    primary = (lang or "").strip().replace("_", "-").split("-", 1)[0].lower()
    name = ISO_TO_JUSTEXT.get(primary)
    return name if name is not None and name in available else JUSTEXT_DEFAULT


@dataclass(frozen=True)
class Peer:
    """An extractor: `prepare(lang)` runs outside the timed region (e.g. loading a stoplist) and its result is
    passed to `extract(html, prepared)`, the one timed call."""

    extract: Callable[[str, Any], str]
    prepare: Callable[[str | None], Any] = lambda lang: None


def clean_lines(text: str) -> str:
    """Collapse whitespace within lines and drop empty lines."""
    lines = (" ".join(line.split()) for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


# --- peers -------------------------------------------------------------------------------------------------------


def _trafilatura() -> Peer:
    import trafilatura  # type: ignore[import-not-found,unused-ignore]

    def extract(html: str, _: Any) -> str:
        return trafilatura.extract(html, include_comments=False, include_tables=True) or ""

    return Peer(extract)


def _resiliparse() -> Peer:
    from resiliparse.extract.html2text import extract_plain_text  # type: ignore[import-not-found,unused-ignore]

    def extract(html: str, _: Any) -> str:
        return str(extract_plain_text(html, main_content=True))

    return Peer(extract)


def lxml_block_text(fragment: str) -> str:
    """Text of an HTML fragment parsed with lxml.html, one line per block element and `<br>`."""
    import lxml.html  # type: ignore[import-not-found,import-untyped,unused-ignore]

    if not fragment.strip():
        return ""
    root = lxml.html.fromstring(fragment)
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue  # comments and processing instructions
        if element.tag in BLOCK_TAGS:
            element.text = "\n" + (element.text or "")
            element.tail = "\n" + (element.tail or "")
        elif element.tag == "br":
            element.tail = "\n" + (element.tail or "")
    return clean_lines(str(root.text_content()))


def _readability() -> Peer:
    from readability import Document  # type: ignore[import-not-found,unused-ignore]

    def extract(html: str, _: Any) -> str:
        return lxml_block_text(Document(html).summary())

    return Peer(extract)


def _justext() -> Peer:
    import justext  # type: ignore[import-not-found,unused-ignore]

    available = frozenset(justext.get_stoplists())
    stoplists: dict[str, Any] = {}

    def prepare(lang: str | None) -> Any:
        name = justext_language(lang, available)
        if name not in stoplists:
            stoplists[name] = justext.get_stoplist(name)
        return stoplists[name]

    def extract(html: str, stoplist: Any) -> str:
        paragraphs = justext.justext(html, stoplist)
        return "\n\n".join(p.text for p in paragraphs if not p.is_boilerplate)

    return Peer(extract, prepare)


class _TextCollector(HTMLParser):
    """The echo peer's tag stripper: visible text, one line per block element, scripts and styles dropped."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED_TAGS:
            self.skipping += 1
        elif tag in BLOCK_TAGS or tag == "br":
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED_TAGS:
            self.skipping = max(0, self.skipping - 1)
        elif tag in BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data)


def echo_text(html: str) -> str:
    """The page's visible text by the standard library's `html.parser` (the `echo` test peer)."""
    if not isinstance(html, str):
        raise TypeError(f"html must be str, not {type(html).__name__}")
    parser = _TextCollector()
    parser.feed(html)
    parser.close()
    return clean_lines("".join(parser.parts))


def _echo() -> Peer:
    return Peer(lambda html, _: echo_text(html))


PEERS: dict[str, Callable[[], Peer]] = {
    "trafilatura": _trafilatura,
    "resiliparse": _resiliparse,
    "readability": _readability,
    "justext": _justext,
    "echo": _echo,
}


# --- the loop ----------------------------------------------------------------------------------------------------


def _error_text(exc: BaseException) -> str:
    first = (str(exc).splitlines() or [""])[0]
    return f"{type(exc).__name__}: {first}"[:300]


def run(peer: Peer, in_path: str, out_path: str) -> int:
    """Extract every page of IN into OUT; returns the number of pages on which the extractor raised."""
    errors = 0
    warmed = False
    with open(in_path, encoding="utf-8") as fin, open(out_path, "w", encoding="utf-8") as fout:
        for line in fin:
            if not line.strip():
                continue
            row = json.loads(line)
            html, lang = row.get("html"), row.get("lang")
            text, error, ms = "", None, 0.0
            try:
                prepared = peer.prepare(lang)
                if not warmed:
                    warmed = True
                    with contextlib.suppress(Exception):  # the timed call below reports it
                        peer.extract(html, prepared)
                start = time.perf_counter()
                try:
                    text = peer.extract(html, prepared)
                finally:
                    ms = (time.perf_counter() - start) * 1000
                if not isinstance(text, str):
                    raise TypeError(f"extractor returned {type(text).__name__}, not str")
            except Exception as exc:  # a page that breaks the peer counts as empty output
                text, error = "", _error_text(exc)
                errors += 1
            fout.write(json.dumps({"id": row.get("id"), "text": text, "ms": ms, "error": error}) + "\n")
            fout.flush()
    return errors


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 3 or args[0] not in PEERS:
        print(f"usage: html_peer_run.py {{{'|'.join(PEERS)}}} IN.jsonl OUT.jsonl", file=sys.stderr)
        return 2
    try:
        peer = PEERS[args[0]]()
    except Exception as exc:
        print(f"cannot set up {args[0]}: {_error_text(exc)}", file=sys.stderr)
        return 3
    errors = run(peer, args[1], args[2])
    print(f"{args[0]}: done, {errors} pages raised", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
