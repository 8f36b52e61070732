"""Realistic pages for the HTML tests: site templates (tests/data/html/*.html) filled with different articles.

The templates are whole pages as a CMS would serve them: a cookie banner, a header with the site navigation, the
article with a dateline, a promo paragraph and a share bar, comments, a "most read" column, related posts and a
footer. `$title`, `$author`, `$date`, `$paragraphs` and `$canonical` are filled in per page.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from pathlib import Path
from string import Template

DATA = Path(__file__).resolve().parents[1] / "data" / "html"

# Template blocks that read as article prose on any one page: only the other pages of the site tell them apart
# (the digest promo is also caught by the newsletter rule; the note about the reporters by nothing but repetition).
ABOUT = (
    "Riverside Gazette reporters have covered the town and the villages of the lower valley since 1921, from the "
    "council chamber to the touchline of every Saturday match."
)
DIGEST = (
    "Subscribe to our weekly digest for the best stories from the Riverside Gazette delivered every Sunday morning."
)
LEDGER_NOTE = (
    "The Valley Ledger is an independent newspaper funded by its readers; corrections can be sent to the editor "
    "at any time and are published within two working days."
)
COOKIE = (
    "We use cookies to improve your experience on our website. By continuing to browse you agree to our use of cookies."
)
COPYRIGHT = "Copyright 2024 Riverside Gazette Ltd. All rights reserved. Registered in England and Wales."
RELATED = "The ferry timetable changes again: what commuters need to know before the winter schedule begins in October."
COMMENT = (
    "I have lived in Riverside for thirty years and this is the first time I have seen the council move this "
    "quickly on anything at all."
)


@dataclass(frozen=True)
class Article:
    slug: str
    title: str
    author: str
    date: str
    paragraphs: tuple[str, ...]


ARTICLES = (
    Article(
        "bridge",
        "Council approves new footbridge over the canal",
        "Helen Marsh",
        "3 March 2024",
        (
            "The city council voted on Tuesday evening to approve funding for a new pedestrian bridge across the "
            "Riverside canal, ending a debate that has run for almost a decade and outlasted three council leaders.",
            "Supporters said the bridge would connect the eastern neighbourhoods to the market district and cut "
            "walking times for thousands of commuters who now take a long detour through the industrial estate.",
            "Opponents on the planning committee argued that the money would be better spent on repairing the "
            "existing towpath, which has been closed in several places since the floods two winters ago.",
            "Construction is expected to begin next spring, and the council said the work should be finished within "
            "eighteen months provided that the contractor can keep the canal open to boats throughout.",
        ),
    ),
    Article(
        "library",
        "Central library to open on Sundays from April",
        "Tom Okafor",
        "5 March 2024",
        (
            "The central library will open on Sunday afternoons from the first week of April, the first time in its "
            "hundred-year history that readers have been able to borrow books at the weekend.",
            "Library staff had asked for the change for years, pointing out that families with young children and "
            "shift workers could rarely visit during the week when the building was at its busiest.",
            "The extra hours will be paid for by a grant from the county arts fund and by moving the mobile library "
            "van to a fortnightly timetable in the villages where it is least used.",
            "A consultation on the new opening times drew more than four thousand responses, most of them asking for "
            "the children's section and the local history room to be staffed on Sundays as well.",
        ),
    ),
    Article(
        "floods",
        "Flood defences tested as river reaches record height",
        "Priya Nair",
        "9 March 2024",
        (
            "The river rose to its highest level since records began on Saturday night, but the new flood barriers "
            "at the old mill held firm and no homes in the town centre were flooded this time.",
            "Emergency crews spent the night pumping water from the underpass beneath the railway station, which "
            "remained closed to traffic until late on Sunday morning while engineers checked the drains.",
            "Residents of the riverside terraces, who were evacuated twice in the last five years, said they had "
            "watched the water creep up the steps with a mixture of dread and disbelief as the barrier held.",
            "The environment agency warned that the ground was saturated and that further heavy rain forecast for "
            "the middle of the week could bring the river back up to dangerous levels within hours.",
        ),
    ),
    Article(
        "market",
        "Farmers market moves to the cathedral square",
        "Gareth Lloyd",
        "12 March 2024",
        (
            "The weekly farmers market will move from the car park behind the bus station to the cathedral square "
            "next month, giving its forty stallholders more space and a great deal more passing trade.",
            "Traders welcomed the decision, saying that the car park had become unpleasant to work in since the bus "
            "company moved its depot there and the number of diesel engines idling nearby doubled.",
            "The cathedral chapter agreed to the move on the condition that the market closes by two in the "
            "afternoon on Saturdays, when weddings are most often held in the cathedral itself.",
            "Shoppers will be able to park for free in the multi-storey on Castle Street for the first two hours "
            "during the market, a concession the council says it will review after six months.",
        ),
    ),
    Article(
        "school",
        "Primary school wins national science prize",
        "Amira Hassan",
        "15 March 2024",
        (
            "Pupils from Saint Anne's primary school have won a national science prize for a project that measured "
            "air quality at the school gates over a whole year using sensors they built themselves.",
            "The children found that pollution peaked in the ten minutes before the morning bell, when parents' cars "
            "queued along the narrow street, and fell sharply once a walking bus scheme was introduced.",
            "Their teacher said the judges were impressed that the pupils had not only collected the data but had "
            "also used it to persuade the council to close the street to traffic at drop-off time.",
            "The prize of five thousand pounds will be spent on a greenhouse and a weather station, which the pupils "
            "hope to use for a second project on how the school garden copes with the changing climate.",
        ),
    ),
)


def gazette_page(article: Article, *, canonical: str | None = "https://www.riverside-gazette.example") -> str:
    """A Riverside Gazette page for `article`; `canonical` is the site's base URL (None: no canonical link)."""
    link = f'<link rel="canonical" href="{canonical}/news/{article.slug}">' if canonical else ""
    return _fill("gazette.html", article, link)


def ledger_page(article: Article, *, canonical: str | None = "https://valley-ledger.example") -> str:
    """A Valley Ledger page (another site, another template) for `article`."""
    link = f'<meta property="og:url" content="{canonical}/{article.slug}.html">' if canonical else ""
    return _fill("ledger.html", article, link)


def _fill(template: str, article: Article, canonical: str) -> str:
    body = "\n".join(f"      <p>{html.escape(p)}</p>" for p in article.paragraphs)
    return Template((DATA / template).read_text(encoding="utf-8")).substitute(
        title=html.escape(article.title),
        author=html.escape(article.author),
        date=article.date,
        paragraphs=body,
        canonical=canonical,
    )


def snapshot(root: Path) -> dict[Path, tuple[bytes, int]]:
    """Bytes and modification time of every file under `root` (or `root` itself): inputs must stay as they were."""
    files = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
    return {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in files}
