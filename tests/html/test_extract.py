from __future__ import annotations

import pytest

from dedup import Page, extract_html
from tests.html.sites import (
    ABOUT,
    ARTICLES,
    COMMENT,
    COOKIE,
    COPYRIGHT,
    DIGEST,
    LEDGER_NOTE,
    RELATED,
    Article,
    gazette_page,
    ledger_page,
)

# Prose a boilerplate part may hold: a cue must remove it for its place, not for being short or made of links.
PROSE = (
    "Readers who enjoyed this story also spent time reading about the new tram line that will open across the "
    "valley next year, and about the fares the operator plans to charge."
)


def reasons(page: Page) -> dict[str, str | None]:
    return {b.paragraph.text: b.reason for b in page.blocks}


def body(article: Article) -> str:
    return "\n".join(f"<p>{p}</p>" for p in article.paragraphs)


@pytest.mark.parametrize("article", ARTICLES, ids=lambda a: a.slug)
def test_site_template_keeps_the_article_and_drops_the_chrome(article: Article) -> None:
    page = extract_html(gazette_page(article))
    r = reasons(page)
    for p in article.paragraphs:
        assert r[p] is None, p
    chrome = [COOKIE, "Politics", "Weather", "Share on Facebook Share on Twitter Send by email", COMMENT]
    chrome += ["Most read", "Market hall reopens after two years of repairs", RELATED, COPYRIGHT, "Privacy policy"]
    for part in chrome:
        assert r[part] is not None, part
    # The template's own prose inside the article is content on a page seen alone.
    assert r[ABOUT] is None and r[DIGEST] is None
    assert page.title == f"{article.title} | Riverside Gazette"
    assert page.host == "riverside-gazette.example"


@pytest.mark.parametrize("article", ARTICLES, ids=lambda a: a.slug)
def test_a_div_template_without_article_tag(article: Article) -> None:
    page = extract_html(ledger_page(article))
    r = reasons(page)
    for p in (*article.paragraphs, LEDGER_NOTE):
        assert r[p] is None, p
    assert [b.paragraph.text for b in page.blocks if b.reason is None] == [*article.paragraphs, LEDGER_NOTE]
    assert page.title == article.title  # og:title over <title>
    assert page.host == "valley-ledger.example"


def test_content_is_the_article_in_order() -> None:
    article = ARTICLES[0]
    content = extract_html(gazette_page(article)).content.split("\n\n")
    assert content == [f"By {article.author}, {article.date}", *article.paragraphs, ABOUT, DIGEST]


CUE_PARTS = {
    "nav": f"<nav><p>{PROSE}</p></nav>",
    "footer": f"<footer><p>{PROSE}</p></footer>",
    "aside": f"<aside><p>{PROSE}</p></aside>",
    "share-bar": f'<div class="share-bar"><p>{PROSE}</p></div>',
    "comments": f'<div id="comments"><p>{PROSE}</p></div>',
    "related-posts": f'<div class="related-posts"><p>{PROSE}</p></div>',
    "cookie-consent": f'<div class="cookie-consent"><p>{PROSE}</p></div>',
    "role-navigation": f'<div role="navigation"><p>{PROSE}</p></div>',
    "socialLinks": f'<div id="socialLinks"><p>{PROSE}</p></div>',
}


def cue_page(part: str, where: str, article: Article = ARTICLES[2]) -> str:
    head = "<html><head><title>The Gazette</title></head><body><div class='page'>"
    heading = f"<h1>{article.title}</h1>"
    if where == "before":  # before a plain div holding the article (no content cue at all)
        return f"{head}{part}<div>{heading}{body(article)}</div></div></body></html>"
    if where == "after":
        return f"{head}<article>{heading}{body(article)}</article>{part}</div></body></html>"
    return f"{head}<article>{heading}{body(article)}{part}</article></div></body></html>"


@pytest.mark.parametrize(
    ("cue", "where"),
    # An article's own <footer> belongs to the article: a footer counts as a part outside one only.
    [(c, w) for c in sorted(CUE_PARTS) for w in ("before", "after", "inside") if (c, w) != ("footer", "inside")],
)
def test_boilerplate_parts_are_not_content(cue: str, where: str) -> None:
    page = extract_html(cue_page(CUE_PARTS[cue], where))
    r = reasons(page)
    assert r[PROSE] is not None
    for p in ARTICLES[2].paragraphs:
        assert r[p] is None, p
    assert r[ARTICLES[2].title] is None  # not the <title>: a real heading


@pytest.mark.parametrize(
    "wrapper",
    [
        '<body class="has-sidebar">',
        '<body class="page no-comments is-sticky-header">',
        '<body><div class="layout has-sidebar with-share-buttons">',
        '<body><div class="content-sidebar-wrap">',
        '<body><div id="sidebar-layout">',
    ],
)
def test_state_and_wrapper_classes_do_not_remove_the_article(wrapper: str) -> None:
    article = ARTICLES[1]
    close = "</div></body>" if "<div" in wrapper else "</body>"
    html = (
        f"<html><head><title>{article.title}</title></head>{wrapper}"
        f"<nav><a href='/'>Home</a> <a href='/news'>News</a></nav>"
        f"<article><h1>{article.title}</h1>{body(article)}</article>"
        f"<footer><p>{COPYRIGHT}</p></footer>{close}</html>"
    )
    r = reasons(extract_html(html))
    for p in article.paragraphs:
        assert r[p] is None, p
    assert r[COPYRIGHT] is not None and r["Home News"] is not None


def test_captions_inside_the_article_are_not_content_but_a_gallery_of_them_is() -> None:
    article = ARTICLES[2]
    caption = "The new tram waits at the depot before its first run across the valley.Credit: Valley Transit"
    figure = f"<figure><img src='/tram.jpg'><figcaption>{caption}</figcaption></figure>"
    paragraphs = [f"<p>{p}</p>" for p in article.paragraphs]
    html = f"<html><body><article><h1>{article.title}</h1>{paragraphs[0]}{figure}{''.join(paragraphs[1:])}</article>"
    r = reasons(extract_html(html))
    assert r[caption] == "cue:figcaption"
    assert all(r[p] is None for p in article.paragraphs)
    # A page whose prose is its captions (a photo gallery) keeps them: the cue covers most of its prose.
    gallery = "".join(
        f"<figure><img src='/{n}.jpg'><figcaption>{p}</figcaption></figure>" for n, p in enumerate(article.paragraphs)
    )
    content = extract_html(f"<html><body><article><h1>{article.title}</h1>{gallery}</article></body></html>").content
    assert content.split("\n\n")[1:] == list(article.paragraphs)


def test_caption_and_credit_classes_are_captions_too() -> None:
    article = ARTICLES[2]
    caption = "The new tram waits at the depot before its first run across the valley."
    figure = f"<div class='wp-caption'><img src='/tram.jpg'><p class='wp-caption-text'>{caption}</p></div>"
    credit = "<p class='photo-credit'>Valley Transit</p>"
    paragraphs = [f"<p>{p}</p>" for p in article.paragraphs]
    html = f"<html><body><article>{paragraphs[0]}{figure}{credit}{''.join(paragraphs[1:])}</article></body></html>"
    r = reasons(extract_html(html))
    assert (r[caption], r["Valley Transit"]) == ("cue:class~caption", "cue:class~credit")
    assert all(r[p] is None for p in article.paragraphs)
    # A gallery of them keeps them, as it keeps a gallery of figcaptions.
    gallery = "".join(
        f"<div><img src='/{n}.jpg'><p class='caption'>{p}</p></div>" for n, p in enumerate(article.paragraphs)
    )
    assert extract_html(f"<html><body><article>{gallery}</article></body></html>").content.split("\n\n") == list(
        article.paragraphs
    )


def test_language_is_the_declared_one_when_known_else_detected() -> None:
    german = "<p>Der Minister sagte, dass die neuen Regeln im Frühjahr in Kraft treten würden, und dass es so ist.</p>"
    assert extract_html(f"<html lang='en-GB'><body>{german}</body></html>").language(1000) == "en"
    assert extract_html(f"<html lang='xx'><body>{german}</body></html>").language(1000) == "de"
    assert extract_html(f"<html><body>{german}</body></html>").language(1000) == "de"


def test_shareholder_is_not_share() -> None:
    article = ARTICLES[3]
    html = f"<html><body><div class='shareholder-report'>{body(article)}</div><nav><a href='/'>Home</a></nav>"
    assert extract_html(html).content == "\n\n".join(article.paragraphs)


def test_title_heading_is_dropped_as_title() -> None:
    article = ARTICLES[0]
    html = (
        f"<html><head><title>{article.title}</title></head><body><article><h1>{article.title}</h1>"
        f"<h2>What happens next</h2>{body(article)}</article></body></html>"
    )
    page = extract_html(html)
    first, second = page.blocks[:2]
    assert (first.tag, first.paragraph.text, first.reason) == ("h1", article.title, "title")
    assert (second.tag, second.reason) == ("h2", None)
    assert page.title == article.title
    assert article.title not in page.content


def test_title_with_site_suffix_still_drops_the_heading() -> None:
    page = extract_html(gazette_page(ARTICLES[4]))
    (heading,) = [b for b in page.blocks if b.tag == "h1"]
    assert heading.reason == "title"


def test_headline_part_of_the_title_goes_wherever_it_is_printed() -> None:
    article = ARTICLES[0]
    share = f"<div class='box'><p>{article.title.upper()}!</p><p>Short words</p></div>"
    html = (
        f"<html><head><title>Opinion | {article.title} \u2013 Riverside Gazette</title></head><body><article>"
        f"<div class='kicker'>{article.title}</div>{body(article)}{share}</article></body></html>"
    )
    page = extract_html(html)
    dropped = [b.paragraph.text for b in page.blocks if b.reason == "title"]
    assert dropped == [article.title, f"{article.title.upper()}!"]
    assert page.content == "\n\n".join([*article.paragraphs, "Short words"])


def test_a_short_part_of_the_title_is_not_a_headline() -> None:
    article = ARTICLES[0]
    html = (
        f"<html><head><title>Sports | Riverside Gazette</title></head><body><article>"
        f"<h2>Sports</h2>{body(article)}</article></body></html>"
    )
    assert reasons(extract_html(html))["Sports"] is None


def test_heading_different_from_title_stays() -> None:
    article = ARTICLES[0]
    html = f"<html><head><title>Riverside Gazette</title></head><body><article><h1>{article.title}</h1>{body(article)}"
    assert reasons(extract_html(html))[article.title] is None


def test_link_list_inside_the_article_is_link_dense() -> None:
    article = ARTICLES[3]
    links = "".join(f"<li><a href='/{a.slug}'>{a.title}</a></li>" for a in ARTICLES if a is not article)
    html = f"<html><body><article>{body(article)}<ul>{links}</ul></article></body></html>"
    page = extract_html(html)
    r = reasons(page)
    for a in ARTICLES:
        if a is not article:
            assert r[a.title] == "link-dense"
    assert page.content == "\n\n".join(article.paragraphs)


def test_a_listing_page_keeps_its_links() -> None:
    items = "".join(f"<li><a href='/{a.slug}'>{a.title}</a></li>" for a in ARTICLES)
    html = (
        "<html><head><title>All stories</title></head><body><nav><a href='/'>Home</a></nav><main>"
        f"<h1>Latest news</h1><ul>{items}</ul></main><footer><a href='/about'>About</a></footer></body></html>"
    )
    r = reasons(extract_html(html))
    for a in ARTICLES:
        assert r[a.title] is None


def card(a: Article) -> str:
    # A teaser: a linked headline, a byline, then a snippet of the other story.
    return (
        f"<li class='teaser'><h3><a href='/{a.slug}'>{a.title}</a></h3><span>{a.author}</span>"
        f"<p>{a.paragraphs[0]}</p></li>"
    )


def test_teaser_cards_after_an_article_are_not_content() -> None:
    story = (*ARTICLES[1].paragraphs, *ARTICLES[2].paragraphs)  # a body of more than CARD_BODY characters
    others = [a for a in ARTICLES if a not in ARTICLES[1:3]]
    # Enough teasers that their prose outweighs the article's: the cards must go for what they are, not by weight.
    cards = "".join(card(a) for a in others * 3)
    paragraphs = "".join(f"<p>{p}</p>" for p in story)
    html = (
        "<html><body><main><article><h1>Story</h1>"
        f"{paragraphs}</article><section><h2>More stories</h2><ul>{cards}</ul></section></main></body></html>"
    )
    page = extract_html(html)
    r = reasons(page)
    assert page.content == "\n\n".join(("Story", *story))
    for a in others:
        assert r[a.paragraphs[0]] == "teaser"
        assert r[a.title] is not None


def test_a_page_of_teaser_cards_keeps_them() -> None:
    cards = "".join(card(a) for a in ARTICLES)
    html = f"<html><body><nav><a href='/'>Home</a></nav><main><h1>Latest</h1><ul>{cards}</ul></main></body></html>"
    r = reasons(extract_html(html))
    for a in ARTICLES:
        assert r[a.paragraphs[0]] is None


def test_sections_with_short_self_links_are_not_cards() -> None:
    article = ARTICLES[1]
    sections = "".join(
        f"<section class='part'><h2><a href='#{a.slug}'>{a.slug}</a></h2><p>{a.paragraphs[0]}</p></section>"
        for a in ARTICLES
    )
    html = f"<html><body><main>{body(article)}{sections}</main></body></html>"
    r = reasons(extract_html(html))
    for a in ARTICLES:
        assert r[a.paragraphs[0]] is None


PRODUCTS = [
    ("Trail bottle 750 ml", "$24.95", "Screw cap, insulated"),
    ("Summit flask 1 l", "$39.00", "Flip top, steel"),
    ("Canyon tumbler", "$18.50", "Lid with straw"),
    ("Ridge bottle 500 ml", "$14.00", "Wide mouth, plastic"),
    ("Glacier jug 2 l", "$52.95", "Handle, insulated"),
]


def tile(name: str, price: str, facts: str) -> str:
    return f"<li class='tile'><a href='/p/{name}'>{name}</a><div>{price}</div><div>{facts}</div></li>"


def test_a_product_grid_is_content_of_a_collection_page() -> None:
    # Short facts and linked names, next to one promo paragraph: the grid is what the page is for.
    promo = "Members earn ten percent back on every bottle and flask bought this month, in store and online."
    menu = "".join(f"<li><a href='/c/{n}'>{n} and more camping gear</a></li>" for n in "abcdefgh")
    html = (
        f"<html><body><nav><ul>{menu}</ul></nav><main><h1>Water bottles</h1><p>{promo}</p>"
        f"<ul class='grid'>{''.join(tile(*p) for p in PRODUCTS)}</ul></main>"
        "<footer><a href='/help'>Help</a></footer></body></html>"
    )
    r = reasons(extract_html(html))
    for name, price, facts in PRODUCTS:
        assert r[name] is None and r[price] is None and r[facts] is None
    assert r["a and more camping gear"] is not None


def test_items_under_navigation_are_not_a_listing() -> None:
    article = ARTICLES[0]
    menu = "".join(tile(*p) for p in PRODUCTS)
    html = f"<html><body><nav><ul>{menu}</ul></nav><article>{body(article)}</article></body></html>"
    page = extract_html(html)
    assert page.content == "\n\n".join(article.paragraphs)


def test_prose_without_spaces_is_prose() -> None:
    zh = [
        "今天上午，市议会投票通过了在运河上修建一座新的人行桥的资金计划，结束了近十年的争论。",
        "支持者表示，这座桥将把东部社区与市场区连接起来，为数千名通勤者缩短步行时间。",
    ]
    html = (
        "<html lang='zh-CN'><body><nav><a href='/'>首页</a><a href='/n'>新闻</a></nav>"
        f"<article>{''.join(f'<p>{p}</p>' for p in zh)}</article><footer><p>版权所有</p></footer></body></html>"
    )
    page = extract_html(html)
    assert page.content == "\n\n".join(zh)
    assert page.lang == "zh"


def test_comments_under_an_article_go_but_a_discussion_page_keeps_its_posts() -> None:
    article = ARTICLES[0]
    comments = "".join(f"<p>{p}</p>" for p in ARTICLES[1].paragraphs[:2])
    with_article = f"<html><body><article>{body(article)}</article><section id='comments'>{comments}</section>"
    assert extract_html(with_article).content == "\n\n".join(article.paragraphs)
    posts = "".join(f"<div class='post'><p>{p}</p></div>" for a in ARTICLES for p in a.paragraphs[:2])
    thread = f"<html><body><h1>Thread</h1><p>What do you think?</p><div id='comments'>{posts}</div></body></html>"
    content = extract_html(thread).content
    for a in ARTICLES:
        assert a.paragraphs[0] in content


def test_discussion_page_whose_posts_are_comments() -> None:
    posts = "".join(
        f"<li class='comment'><p class='author'>reader{n}</p><p>{p}</p></li>"
        for n, a in enumerate(ARTICLES)
        for p in a.paragraphs[:2]
    )
    thread = f"<html><body><h1>Thread</h1><p>What do you think?</p><ol class='commentlist'>{posts}</ol></body></html>"
    content = extract_html(thread).content
    for a in ARTICLES:
        assert a.paragraphs[0] in content


def test_all_blocks_keeps_everything() -> None:
    html = gazette_page(ARTICLES[0])
    every = extract_html(html, main_content=False)
    assert all(b.reason is None for b in every.blocks)
    assert every.text == extract_html(html).text  # the same blocks, judged differently


@pytest.mark.parametrize(
    "html",
    [
        "",
        "   \n\t ",
        "just text",
        "<p>only a fragment</p>",
        "<p>one</p><p>two</p>",
        "<html><head><title>x</title></head></html>",
        "<html><head><title>x</title></head><body></body></html>",
        "<!DOCTYPE html>",
        "<!-- only a comment -->",
        "<html><body><script>document.write('x')</script></body></html>",
        "<frameset><frame src='a.html'></frameset>",
        "</p></div></body>",
        "<p>unclosed <b>bold <i>italic",
        "\x00\x01<p>\ufffd</p>",
    ],
)
@pytest.mark.parametrize("main_content", [True, False])
def test_odd_inputs_give_a_page(html: str, main_content: bool) -> None:
    page = extract_html(html, main_content=main_content)
    assert isinstance(page, Page)
    for b in page.blocks:
        assert page.text[b.paragraph.start : b.paragraph.end] == b.paragraph.text


def test_text_only_and_fragment_inputs_keep_their_text() -> None:
    assert extract_html("just text").content == "just text"
    assert extract_html("<p>only a fragment</p>").content == "only a fragment"
    assert extract_html("").blocks == ()
    assert extract_html("<html><head><title>x</title></head></html>").title == "x"
