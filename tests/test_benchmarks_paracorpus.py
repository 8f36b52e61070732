"""The paragraph-corpus generator on small in-memory inputs (no network, no apt, no evaluation data needed)."""

from __future__ import annotations

import hashlib
import random
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from benchmarks import paracorpus as pc
from dedup.shingle import tokens

# --- roff -------------------------------------------------------------------------------------------------------------

ROFF = r""".\" -*- coding: UTF-8 -*-
.TH LS 1 "September 2022" "GNU coreutils 9.1" "User Commands"
.SH NAME
ls \- list directory contents
.SH DESCRIPTION
.\" Add any additional description here
.PP
List information about the FILEs (the current directory by default).
Sort entries alphabetically if none of \fB\-cftuvSUX\fR nor \fB\-\-sort\fP
is specified \(em see
.BR dircolors (1)
for colours.
.TP
\fB\-a\fR, \fB\-\-all\fR
do not ignore entries starting with .
.nf
ls \-la /tmp
.fi
A line after the example, with \fIitalic\fR words\c
, glued.
.IP "\(bu" 4
Bullet text with \(lqquotes\(rq and \[u00E9]t\['e]; a comment follows \" not this

Text after a blank line, see
.UR https://example.org/
the site
.UE .
.de XX
macro body that is not text
..
.SS "A heading"
Last paragraph.
"""


def test_roff_paragraphs_join_lines_and_drop_macros() -> None:
    paragraphs = pc.roff_paragraphs(ROFF)
    assert paragraphs == [
        "ls - list directory contents",
        "List information about the FILEs (the current directory by default). Sort entries alphabetically if none "
        "of -cftuvSUX nor --sort is specified — see dircolors(1) for colours.",
        "do not ignore entries starting with .",
        "A line after the example, with italic words, glued.",
        "Bullet text with “quotes” and été; a comment follows",
        "Text after a blank line, see the site.",
        "Last paragraph.",
    ]


def test_roff_tags_headings_and_chinese_joining() -> None:
    source = ".SH\nHEADING ON ITS OWN LINE\n.TP\n.B \\-x\n一二三\n四五六\n.PP\nabc\n四五\n"
    # the .TP tag is the line after .TP, here a font macro; lines of Chinese text join without a space
    assert pc.roff_paragraphs(source) == ["一二三四五六", "abc 四五"]


def test_unescape() -> None:
    assert pc.unescape(r"\fBbold\fP \f(CWcode\fR \s-1SMALL\s0 a\-b \(em \e \&. \*(lqq\*(rq") == (
        "bold code SMALL a-b — \\ . “q”"
    )
    assert pc.unescape(r"x\" comment") == "x"
    assert pc.unescape(r"\N'65'\[u0416]\(xx") == "AЖ"


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet=st.sampled_from(list(".'\\\"fBRIPT()[]{}ce- \nab一")), max_size=200))
def test_roff_paragraphs_never_fail(source: str) -> None:
    for paragraph in pc.roff_paragraphs(source):
        assert paragraph == paragraph.strip() and paragraph


# --- language -----------------------------------------------------------------------------------------------------

EN = (
    "The committee said on Tuesday that the new rules would apply to all members of the club, and that it had "
    "written to each of them to explain what would change and when the changes would take effect."
)
DE = (
    "Die Option legt fest, wie viele Einträge in der Liste angezeigt werden, wenn das Programm ohne weitere Argumente "
    "aufgerufen wird; der Standardwert ist zehn, und er kann in der Konfigurationsdatei geändert werden."
)
FR = (
    "Cette option indique le nombre de fichiers qui seront affichés dans la liste lorsque le programme est lancé sans "
    "autre argument ; la valeur par défaut est dix et elle peut être modifiée dans le fichier de configuration."
)
RU = (
    "Этот параметр задаёт количество записей, которые будут показаны в списке, если программа запущена без других "
    "аргументов; значение по умолчанию равно десяти, и его можно изменить в файле настроек. Если указанное число "
    "больше числа строк в файле, программа покажет весь файл и не сообщит об ошибке."
)
ZH = (
    "这个选项指定当程序在没有其他参数的情况下运行时列表中显示的条目数量。默认值是十，并且可以在配置文件中修改。"
    "如果指定的数值大于文件的行数，程序将显示整个文件的内容，而不会报告任何错误。"
)
TEXTS = {"en": EN, "de": DE, "fr": FR, "ru": RU, "zh": ZH}


@pytest.mark.parametrize("lang", pc.LANGS)
def test_detect_language_and_prose(lang: str) -> None:
    assert pc.detect_language(TEXTS[lang]) == lang
    assert pc.is_prose(TEXTS[lang], lang)
    assert pc.plantable(TEXTS[lang], lang)


def test_untranslated_english_is_not_german() -> None:
    assert not pc.is_prose(EN, "de")
    assert (
        pc.detect_language("El sistema de archivos es una parte de la configuración que se usa para los datos.") is None
    )
    assert not pc.is_prose("Short German text ist nicht lang.", "de")


# --- edits --------------------------------------------------------------------------------------------------------


def edit_distance(a: list[str], b: list[str]) -> int:
    """Damerau-Levenshtein distance (substitutions, insertions, deletions, swaps of adjacent items; unrestricted, so
    it is a metric and n edits never count more than n)."""
    inf = len(a) + len(b)
    last_row: dict[str, int] = {}
    d = [[inf] * (len(b) + 2) for _ in range(len(a) + 2)]
    for i in range(len(a) + 1):
        d[i + 1][0], d[i + 1][1] = inf, i
    for j in range(len(b) + 1):
        d[0][j + 1], d[1][j + 1] = inf, j
    for i in range(1, len(a) + 1):
        last_col = 0
        for j in range(1, len(b) + 1):
            k, m = last_row.get(b[j - 1], 0), last_col
            cost = 1
            if a[i - 1] == b[j - 1]:
                cost, last_col = 0, j
            d[i + 1][j + 1] = min(
                d[i][j] + cost, d[i + 1][j] + 1, d[i][j + 1] + 1, d[k][m] + (i - k - 1) + 1 + (j - m - 1)
            )
        last_row[a[i - 1]] = i
    return d[len(a) + 1][len(b) + 1]


def test_edit_distance() -> None:
    assert edit_distance(list("abc"), list("abc")) == 0
    assert edit_distance(list("abcd"), list("acbd")) == 1
    assert edit_distance(list("xyz"), list("zx")) == 2  # delete y, swap
    assert edit_distance(list("kitten"), list("sitting")) == 3


VOCAB = {lang: pc.vocabulary([TEXTS[lang]] * 2, lang) for lang in pc.LANGS}


@settings(max_examples=150, deadline=None)
@given(lang=st.sampled_from(pc.LANGS), seed=st.integers(0, 10**9))
def test_copies_differ_by_one_to_three_word_edits(lang: str, seed: int) -> None:
    text = TEXTS[lang]
    copy, edits = pc.make_copy(text, lang, VOCAB[lang], random.Random(seed))
    assert 1 <= len(edits) <= pc.MAX_EDITS
    assert {e["op"] for e in edits} <= {"substitute", "insert", "delete", "swap"}
    assert 1 <= edit_distance(tokens(text), tokens(copy)) <= len(edits)
    assert pc.detect_language(copy) == lang
    vocab = set(VOCAB[lang])
    for e in edits:
        if e["op"] in ("substitute", "insert"):
            assert e["new"].lower() in vocab
    assert pc.jaccard(pc.shingle_set(text), pc.shingle_set(copy)) >= 0.3


def test_edit_keeps_punctuation_and_capitals() -> None:
    rng = random.Random(0)
    seen_ops = set()
    for _ in range(200):
        units = ["The", "cat,", "(quickly)", "sat", "on", "the", "mat."]
        edit = pc._apply_edit(units, "en", ["dog", "ran"], rng)
        if edit is None:
            continue
        seen_ops.add(edit["op"])
        joined = " ".join(units)
        assert joined.endswith((".", "dog", "ran")) and joined.count(",") == 1 and joined.count("(") == 1
        assert joined[0].isupper()
    assert seen_ops == {"substitute", "insert", "delete", "swap"}


def test_chinese_edits_touch_han_characters_only() -> None:
    text = (
        "使用 ls -la 命令可以列出目录中的所有文件，包括以点开头的隐藏文件和它们的权限信息以及大小和修改时间等等内容。"
    )
    for seed in range(50):
        copy, edits = pc.make_copy(text, "zh", ["甲", "乙"], random.Random(seed))
        assert "ls -la" in copy
        for e in edits:
            assert all(pc._HAN.match(ch) for ch in e.get("old", "") + e.get("new", ""))


# --- Markov extension ---------------------------------------------------------------------------------------------


def training_texts(lang: str, n: int, seed: int = 1) -> list[str]:
    rng = random.Random(seed)
    if lang == "zh":
        chars = [chr(0x4E00 + i) for i in range(200)]
        return ["".join(rng.choices(chars, k=rng.randint(50, 90))) + "。" for _ in range(n)]
    words = [*["the", "of", "and", "to", "is", "that", "for", "with", "a", "in"], *(f"w{i}" for i in range(150))]
    weights = [1 / (i + 1) for i in range(len(words))]
    return [" ".join(rng.choices(words, weights, k=rng.randint(15, 40))) + "." for _ in range(n)]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_markov_is_deterministic_and_keeps_to_its_vocabulary(lang: str) -> None:
    train = training_texts(lang, 60)
    chain = pc.Markov(train, lang)
    first = [chain.generate(random.Random(f"x{k}")) for k in range(20)]
    again = [pc.Markov(train, lang).generate(random.Random(f"x{k}")) for k in range(20)]
    assert first == again
    assert len(set(first)) > 15
    if lang == "zh":
        allowed = {ch for t in train for ch in t}
        assert all(set(t) <= allowed for t in first)
    else:
        allowed = {w for t in train for w in t.split()}
        assert all(set(t.split()) <= allowed for t in first)
    mean_train = sum(len(chain_units(t, lang)) for t in train) / len(train)
    mean_gen = sum(len(chain_units(t, lang)) for t in first) / len(first)
    assert 0.6 * mean_train < mean_gen < 1.5 * mean_train


def chain_units(text: str, lang: str) -> list[str]:
    return list(text) if lang == "zh" else text.split()


# --- near-duplicate check -----------------------------------------------------------------------------------------


def test_check_finds_and_drops_an_unplanted_near_duplicate() -> None:
    texts = training_texts("en", 30, seed=5)
    near = texts[3].replace(".", " extra words.")  # same 3-grams but the last: Jaccard well above 0.3
    corpus = [*texts, near]
    pairs = pc.SimilarityIndex().near_pairs(corpus)
    assert [(i, j) for i, j, _, _ in pairs] == [(3, len(texts))]
    assert pc.greedy_drop(len(corpus), pairs) == {len(texts)}

    sources = pc.Sources(tuple(pc.RealParagraph("en", t, "test") for t in [*corpus, texts[0]]))
    stats = pc.Stats()
    real = pc.clean_real(sources, pc.SimilarityIndex(), stats)
    assert stats.exact_duplicates == 1 and stats.real_near_dropped == 1
    assert real["en"] == texts


def test_greedy_drop_keeps_the_earlier_and_the_unconnected() -> None:
    # 0-1 and 1-2 pair, 0-2 does not: dropping 1 settles both
    assert pc.greedy_drop(3, [(0, 1, 0.5, 0.5), (1, 2, 0.5, 0.5)]) == {1}
    assert pc.greedy_drop(3, [(0, 1, 0.5, 0.5), (0, 2, 0.5, 0.5), (1, 2, 0.5, 0.5)]) == {1, 2}


def test_quotas_histogram_and_plan() -> None:
    assert sum(pc.quotas(1003).values()) == 1003
    assert pc.quotas(100_000) == {"en": 68_000, "de": 8_000, "fr": 8_000, "ru": 8_000, "zh": 8_000}
    hist = pc.jaccard_histogram([0.1, 0.3, 0.35, 0.99, 1.0, 0.9])
    assert hist["<0.3"] == 1 and hist["0.3-0.4"] == 2 and hist["0.9-1.0"] == 3
    stream = [pc._Item("en", EN + " " + EN, "real") for _ in range(100)]
    base, sources, copies = pc.plan_base(stream, 100, 0.1)
    assert base + copies == 100 and sources <= copies <= 2 * sources and sources == round(0.1 * base)


# --- whole build ----------------------------------------------------------------------------------------------------


def fake_sources() -> pc.Sources:
    """Zipf-distributed nonsense words in each language's script, led by its function words: prose to the checks,
    branching enough for the Markov chains, no near-duplicates among the paragraphs."""
    rng = random.Random(7)
    paragraphs: list[pc.RealParagraph] = []
    counts = {"en": 150, "de": 30, "fr": 30, "ru": 10, "zh": 20}
    for lang, n in counts.items():
        if lang == "zh":  # "words" of one to three characters, written without spaces
            chars = [chr(0x4E00 + i) for i in range(300)]
            words = sorted({"".join(rng.choices(chars, k=rng.randint(1, 3))) for _ in range(300)})
            weights = [1 / (i + 1) for i in range(len(words))]
            for _ in range(n):
                paragraphs.append(
                    pc.RealParagraph(lang, "".join(rng.choices(words, weights, k=rng.randint(30, 60))), "z")
                )
            continue
        alphabet = "абвгдежзиклмнопрстуфхцчшщэюя" if lang == "ru" else "abcdefghijklmnopqrstuvwxyz"
        fake = sorted({"".join(rng.choices(alphabet, k=rng.randint(3, 9))) for _ in range(300)})
        words = sorted(pc._STOPWORDS.get(lang, frozenset()))[:15] + fake
        weights = [1 / (i + 1) for i in range(len(words))]
        for _ in range(n):
            text = " ".join(rng.choices(words, weights, k=rng.randint(14, 60)))
            paragraphs.append(pc.RealParagraph(lang, text[0].upper() + text[1:] + ".", "x"))
    assert all(pc.is_prose(p.text, p.lang) for p in paragraphs)
    return pc.Sources(tuple(paragraphs), {"fake-package": "1.0"})


def digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def test_tiny_build_is_deterministic_and_clean(tmp_path: Path) -> None:
    sources = fake_sources()
    first = pc.build(300, 3, out=tmp_path / "a", sources=sources, near_fraction=0.2)
    second = pc.build(300, 3, out=tmp_path / "b", sources=sources, near_fraction=0.2)
    assert digest(first) == digest(second)
    assert sorted(digest(first)) == ["manifest.json", "paragraphs.jsonl", "truth.jsonl"]
    other = pc.build(300, 4, out=tmp_path / "c", sources=sources, near_fraction=0.2)
    assert digest(other)["paragraphs.jsonl"] != digest(first)["paragraphs.jsonl"]

    paragraphs, truth = pc.load(first)
    assert [p.id for p in paragraphs] == list(range(300))
    counts = {lang: sum(p.lang == lang for p in paragraphs) for lang in pc.LANGS}
    assert counts == pc.quotas(300)
    origins = {p.origin for p in paragraphs}
    assert origins == {"real", "generated", "planted"}
    assert sum(p.origin == "planted" for p in paragraphs) == sum(t.kind == "source-copy" for t in truth)

    # every planted pair is recorded with its true Jaccard, and nothing else is a near-duplicate
    group: dict[int, int] = {}
    for t in truth:
        group[t.a] = group[t.b] = t.source
        assert t.jaccard3 == round(
            pc.jaccard(pc.shingle_set(paragraphs[t.a].text), pc.shingle_set(paragraphs[t.b].text)), 6
        )
        assert paragraphs[t.a].lang == paragraphs[t.b].lang
        if t.kind == "source-copy":
            assert paragraphs[t.b].origin == "planted" and 1 <= len(t.edits) <= 3
    sets3 = [pc.shingle_set(p.text) for p in paragraphs]
    sets1 = [pc.word_set(p.text) for p in paragraphs]
    for i in range(len(paragraphs)):
        for j in range(i + 1, len(paragraphs)):
            if i in group and group[i] == group.get(j):
                continue
            assert pc.jaccard(sets3[i], sets3[j]) < pc.NEAR_J3 and pc.jaccard(sets1[i], sets1[j]) < pc.NEAR_J1, (i, j)

    # a finished corpus with the same parameters is reused, not rebuilt
    assert pc.build(300, 3, out=first, near_fraction=0.2) == first
    assert digest(first) == digest(second)
