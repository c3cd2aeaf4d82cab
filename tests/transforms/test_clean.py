"""Cleaning: each rule cuts its boilerplate and leaves normal news text alone."""

from __future__ import annotations

import json
import pathlib
from datetime import UTC, datetime

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from transforms import clean as C
from transforms.clean import clean_documents
from transforms.ingest import decode_documents

SEEDS = pathlib.Path(__file__).resolve().parents[2] / "seeds"

BODY = (
    "Xiaomi said on Friday that its new model, MiMo, outperformed larger rivals on maths and coding "
    "benchmarks. The company plans to ship it on phones and cars later this year, executives said."
)
BODY2 = (
    "Analysts said the launch puts Xiaomi in a crowded field. Alibaba, ByteDance and Tencent have all "
    "released models this spring, and prices for access have fallen sharply as a result."
)


def docs_frame(*texts: str, **meta) -> pl.DataFrame:
    n = len(texts)
    return pl.DataFrame(
        {
            "doc_id": [f"d{i}" for i in range(n)],
            "source": [f"s{i}" for i in range(n)],
            "raw_text": list(texts),
            "title": meta.get("title", [None] * n),
            "author": meta.get("author", [None] * n),
            "published_at": meta.get("published_at", [None] * n),
            "url": [None] * n,
        },
        schema={
            "doc_id": pl.String,
            "source": pl.String,
            "raw_text": pl.String,
            "title": pl.String,
            "author": pl.String,
            "published_at": pl.Datetime("us", "UTC"),
            "url": pl.String,
        },
    )


def clean_one(text: str, min_words: int = 0) -> tuple[dict, list[dict]]:
    res = clean_documents(docs_frame(text), min_words=min_words)
    assert res.documents.height == 1, res.rejects.to_dicts()
    return res.documents.row(0, named=True), res.removed_spans.to_dicts()


# (boilerplate line(s), rule) — the lines sit between two article paragraphs and must be cut.
POSITIVE = [
    ("Advertisement", C.ADVERTISEMENT),
    ("ADVERTISEMENT - SCROLL TO CONTINUE", C.ADVERTISEMENT),
    ("Ad", C.ADVERTISEMENT),
    ("Share this article", C.SHARE_WIDGET),
    ("Facebook Twitter LinkedIn", C.SHARE_WIDGET),
    ("We use cookies to improve your experience on our site. Accept all cookies", C.COOKIE_BANNER),
    ("Sign up for our newsletter to get the latest AI news.", C.NEWSLETTER),
    (
        "Fuel your morning with AI insights. Lands in your inbox 6 a.m. PST daily. Grab it free now!",
        C.NEWSLETTER,
    ),
    ("Click here to download the full report", C.CALL_TO_ACTION),
    ("Follow us on X for the latest updates", C.CALL_TO_ACTION),
    ("Photo: Xiaomi's new phone on display in Beijing", C.PHOTO_CAPTION),
    ("Image credit: Reuters", C.PHOTO_CAPTION),
    ("Lei Jun speaks at the launch event in Beijing (Getty Images)", C.PHOTO_CAPTION),
    ("Tags: Xiaomi, AI, Smartphones", C.TAG_LINE),
    ("$AAPL $MSFT $NVDA", C.TAG_LINE),
    ("© 2025 Example News. All rights reserved.", C.COPYRIGHT),
    ("Read more: Xiaomi unveils AI model, joining fierce competition", C.LINK_LEAD_IN),
    ("Read Also: Huawei hands in its results first", C.LINK_LEAD_IN),
    ("Related:", C.LINK_LEAD_IN),
    ("By Jane Doe and John Smith", C.BYLINE),
    ("Published: August 7, 2025", C.DATELINE),
    ("August 27, 2025 9:42 PM UTC Updated 2 hours ago", C.DATELINE),
    ("Reporting by Stephen Nellis in San Francisco; Editing by Sonali Paul", C.BYLINE),
    ("Skip to main content", C.NAVIGATION),
    ("Purchase Licensing Rights", C.NAVIGATION),
]


@pytest.mark.parametrize(("noise", "rule"), POSITIVE)
def test_rule_cuts_boilerplate_line(noise: str, rule: str) -> None:
    raw = f"{BODY}\n{noise}\n{BODY2}"
    doc, spans = clean_one(raw)
    assert doc["text"] == f"{BODY}\n{BODY2}"
    assert [(s["rule"], s["text"]) for s in spans] == [(rule, noise)]
    start = len(BODY) + 1
    assert (spans[0]["start"], spans[0]["end"]) == (start, start + len(noise))


# Normal article lines that look a bit like boilerplate: they must survive untouched.
NEGATIVE = [
    "The service now has 12 million subscribers, and readers who read more than ten articles pay more.",
    "Customers can subscribe to the plan for $9.99 a month, the company said in a statement.",
    "Xiaomi shares rose 5.3% after the photo of the prototype leaked online.",
    "By 2030, the company expects AI features to drive most of its phone sales.",
    "Source code for the model is available on GitHub, the company said.",
    "Why it matters: Xiaomi is the first phone maker to ship its own reasoning model on devices.",
    "The ad market in China shrank last year, according to analysts.",
    "It will share more details next month.",
    "Facebook parent Meta and Twitter have both cut staff this year.",
    "The company said it uses cookies-and-cream branding for a limited edition of the phone.",
    "Image recognition: the model can label photos taken with the phone's camera.",
    "Let's talk about pricing: the phone costs 3,999 yuan.",
    "- Natural Language Processing (NLP): MiMo could be used for tasks such as text summarization.",
    "That's a marathon, not a sprint.",
    "The deal was announced in August 7, 2025 filings.",
]


@pytest.mark.parametrize("line", NEGATIVE)
def test_normal_news_line_survives(line: str) -> None:
    raw = f"{BODY}\n{line}\n{BODY2}"
    doc, spans = clean_one(raw)
    assert spans == []
    assert doc["text"] == raw


def test_related_links_after_lead_in() -> None:
    raw = (
        f"{BODY}\nWhy this matters:\nRead on, my dear:\n"
        "South China Morning Post: Smartphone giant Xiaomi unveils AI model, joining fierce competition"
    )
    doc, spans = clean_one(raw)
    assert doc["text"] == BODY
    assert [s["rule"] for s in spans] == [C.LINK_LEAD_IN, C.RELATED_LINKS]
    assert spans[0]["text"] == "Why this matters:\nRead on, my dear:"


def test_lead_in_label_followed_by_real_paragraph_keeps_paragraph() -> None:
    doc, spans = clean_one(f"{BODY}\nWhy it matters:\n{BODY2}")
    assert doc["text"] == f"{BODY}\n{BODY2}"
    assert [s["rule"] for s in spans] == [C.LINK_LEAD_IN]


def test_related_headlines_run() -> None:
    heads = [
        "Xiaomi bolsters high-end push with latest AI and foldables",
        "Xiaomi signals major investment in R&D with AI focus",
        "Xiaomi takes shot at premium AI phone sector",
    ]
    raw = f"{BODY}\n\n{BODY2}\n\n" + "\n".join(heads)
    doc, spans = clean_one(raw)
    assert doc["text"] == f"{BODY}\n\n{BODY2}"
    assert [(s["rule"], s["text"]) for s in spans] == [(C.RELATED_HEADLINES, "\n".join(heads))]


def test_headings_between_paragraphs_survive() -> None:
    third = "Investors cheered the news, sending the shares up 5.3% in Hong Kong trading on Monday."
    heads = ["Xiaomi Unveils MiMo AI Model", "MiMo Model Outperforms Rivals in Key Areas", "What Comes Next"]
    raw = f"{heads[0]}\n{BODY}\n{heads[1]}\n{BODY2}\n{heads[2]}\n{third}"
    doc, spans = clean_one(raw)
    assert spans == []
    assert doc["title"] == "Xiaomi Unveils MiMo AI Model"


def test_short_spec_list_inside_article_survives() -> None:
    specs = (
        "6.7-inch OLED display\nSnapdragon 8 Gen 3 chip\n5,000 mAh battery pack\n120W wired charging speed"
    )
    raw = f"{BODY}\n{specs}\n{BODY2}"
    doc, spans = clean_one(raw)
    assert spans == []


def test_headline_run_mid_article_needs_four_long_lines() -> None:
    three = (
        "Xiaomi bolsters high-end push with latest AI\n"
        "Xiaomi signals major investment in R&D\n"
        "Xiaomi takes shot at premium AI phones"
    )
    doc, spans = clean_one(f"{BODY}\n{three}\n{BODY2}")
    assert spans == []


def test_menu_run_of_tiny_lines() -> None:
    doc, spans = clean_one(f"Home\nWorld\nBusiness\nTech\n{BODY}\n{BODY2}\nX\nFacebook\nEmail")
    assert doc["text"] == f"{BODY}\n{BODY2}"
    assert [(s["rule"], s["text"]) for s in spans] == [
        (C.NAVIGATION, "Home\nWorld\nBusiness\nTech"),
        (C.NAVIGATION, "X\nFacebook\nEmail"),
    ]


def test_two_tiny_lines_are_not_a_menu() -> None:
    raw = f"{BODY}\nKey figures\nRevenue up\n{BODY2}"
    doc, spans = clean_one(raw)
    assert spans == []


def test_network_promo_label_and_paragraph() -> None:
    promo = (
        "Whether you're looking for expert guidance or want to share your knowledge, our network is for you."
    )
    doc, spans = clean_one(f"{BODY}\n\nLet’s talk\n\n{promo}")
    assert doc["text"] == BODY
    assert [s["rule"] for s in spans] == [C.NETWORK_PROMO]
    assert spans[0]["text"] == f"Let’s talk\n\n{promo}"


def test_promo_block_at_top() -> None:
    promo = [
        "📢 Gate Square Exclusive: #WXTM Creative Contest# Is Now Live!",
        "Celebrate Round 59 and compete for a 70,000 WXTM prize pool!",
        "🎯 About the token",
        "It is a blockchain protocol for digital assets.",
        "📌 How to Participate:",
        "Post original content related to WXTM or its",
    ]
    doc, spans = clean_one("\n".join(promo) + f"\n{BODY}")
    assert doc["text"] == BODY
    assert [(s["rule"], s["text"]) for s in spans] == [(C.PROMO_BLOCK, "\n".join(promo))]


def test_article_with_one_exclusive_line_is_not_a_promo_block() -> None:
    raw = f"Exclusive: Xiaomi to launch AI model\n{BODY}\n🎯 {BODY2}"
    doc, spans = clean_one(raw)
    assert spans == []


def test_duplicate_paragraph_later_copy_dropped() -> None:
    doc, spans = clean_one(f"Title line here\n{BODY}\n{BODY}\n{BODY2}")
    assert doc["text"] == f"Title line here\n{BODY}\n{BODY2}"
    assert [(s["rule"], s["start"]) for s in spans] == [
        (C.DUPLICATE_PARAGRAPH, len("Title line here\n") + len(BODY) + 1)
    ]


def test_short_repeated_line_is_not_a_duplicate_paragraph() -> None:
    raw = f"{BODY}\nKey points\n- One.\n{BODY2}\nKey points\n- Two."
    doc, spans = clean_one(raw)
    assert spans == []


def test_repeated_menu_lines() -> None:
    menu = "Home News Tech Business"
    raw = f"{menu}\n{BODY}\n{menu}\n{BODY2}\n{menu}"
    doc, spans = clean_one(raw)
    assert doc["text"] == f"{BODY}\n{BODY2}"
    assert {s["rule"] for s in spans} == {C.REPEATED_MENU}


def test_byline_and_dateline_fill_metadata() -> None:
    head = "The large model of Xiaomi handing in the paper"
    raw = f"{head}\nSource: Qubit\nAuthor: Meng Chen Mingmin\nAug 7, 2025\n{BODY}"
    doc, spans = clean_one(raw)
    assert doc["author"] == "Meng Chen Mingmin"
    assert doc["title"] == "The large model of Xiaomi handing in the paper"
    assert doc["published_at"] == datetime(2025, 8, 7, tzinfo=UTC)
    assert [(s["rule"], s["text"]) for s in spans] == [
        (C.BYLINE, "Source: Qubit\nAuthor: Meng Chen Mingmin"),
        (C.DATELINE, "Aug 7, 2025"),
    ]
    assert doc["text"] == f"The large model of Xiaomi handing in the paper\n{BODY}"


@pytest.mark.parametrize(
    ("opening", "published"),
    [
        ("LYON, France, Nov. 20, 2026 /PRNewswire/ -- ", datetime(2026, 11, 20, tzinfo=UTC)),
        ("Nov. 20, 2026 /PRNewswire/ -- ", datetime(2026, 11, 20, tzinfo=UTC)),
        ("SAN JOSE, Calif., March 4, 2026 /PRNewswire/ -- ", datetime(2026, 3, 4, tzinfo=UTC)),
        ("OSLO, Sept. 3, 2026 (Newsfile Corp.) - ", datetime(2026, 9, 3, tzinfo=UTC)),
        # continental datelines: day first, the month named in German, French, Spanish or Italian
        ("Stuttgart, 21. November 2026 – ", datetime(2026, 11, 21, tzinfo=UTC)),
        ("Wien, 4. Jänner 2026 – ", datetime(2026, 1, 4, tzinfo=UTC)),
        ("Paris, le 22 octobre 2026 – ", datetime(2026, 10, 22, tzinfo=UTC)),
        ("Lyon, 1er août 2026 – ", datetime(2026, 8, 1, tzinfo=UTC)),
        ("MADRID, 5 de noviembre de 2026 - ", datetime(2026, 11, 5, tzinfo=UTC)),
        ("Milano, 3 marzo 2026 — ", datetime(2026, 3, 3, tzinfo=UTC)),
        ("Mumbai, November 5, 2026 – ", datetime(2026, 11, 5, tzinfo=UTC)),
        # a day the month does not have is no date
        ("Genève, 30 février 2026 – ", None),
        # no year and no reference time (test_a_yearless_wire_dateline_takes_its_year_from_the_reference)
        ("NEW YORK, Nov 28 (Reuters) - ", None),
        # a date inside the story is no dateline
        ("Acme said that on Nov. 20, 2026 - a Friday - ", None),
    ],
)
def test_a_wire_dateline_opening_the_story_fills_published_at(opening, published) -> None:
    raw = f"Acme opens a plant\n{opening}{BODY}\n{BODY2}"
    doc, spans = clean_one(raw)
    # the line stays: the story goes on after the dash
    assert (doc["published_at"], doc["text"], spans) == (published, raw, [])


@pytest.mark.parametrize(
    ("line", "published"),
    [
        ("Mumbai, November 5, 2026", datetime(2026, 11, 5, tzinfo=UTC)),
        ("Zürich, 12. März 2026", datetime(2026, 3, 12, tzinfo=UTC)),
        ("Date: 12 agosto 2026", datetime(2026, 8, 12, tzinfo=UTC)),
        ("Roma, 9 settembre 2026", datetime(2026, 9, 9, tzinfo=UTC)),
    ],
)
def test_a_dateline_line_with_a_place_or_a_continental_month_fills_published_at(line, published) -> None:
    doc, spans = clean_one(f"Acme opens a plant\n{line}\n{BODY}")
    assert (doc["published_at"], [(s["rule"], s["text"]) for s in spans]) == (published, [(C.DATELINE, line)])
    assert doc["text"] == f"Acme opens a plant\n{BODY}"


@pytest.mark.parametrize(
    ("opening", "reference", "published"),
    [
        (
            "TOKYO, Nov. 28 (Reuters) - ",
            datetime(2026, 12, 1, 9, tzinfo=UTC),
            datetime(2026, 11, 28, tzinfo=UTC),
        ),
        ("March 3 (AP) — ", datetime(2026, 12, 1, tzinfo=UTC), datetime(2026, 3, 3, tzinfo=UTC)),
        # the latest such date on or before the reference: a Dec 30 dateline read on Jan 2 is last year's
        (
            "LIMA, Peru, Dec. 30 /Newswire/ -- ",
            datetime(2027, 1, 2, tzinfo=UTC),
            datetime(2026, 12, 30, tzinfo=UTC),
        ),
        # one day of slack: a dateline's local date is up to a day ahead of UTC (Auckland's Jan 1 morning)
        (
            "AUCKLAND, Jan. 1 (Reuters) - ",
            datetime(2026, 12, 31, 20, tzinfo=UTC),
            datetime(2027, 1, 1, tzinfo=UTC),
        ),
        (
            "AUCKLAND, Jan. 3 (Reuters) - ",
            datetime(2026, 12, 31, 20, tzinfo=UTC),
            datetime(2026, 1, 3, tzinfo=UTC),
        ),
        # Feb 29 is of the last leap year on or before the reference (2100 is none)
        ("BERN, Feb. 29 (Reuters) - ", datetime(2027, 3, 1, tzinfo=UTC), datetime(2024, 2, 29, tzinfo=UTC)),
        ("BERN, Feb. 29 (Reuters) - ", datetime(2101, 3, 1, tzinfo=UTC), datetime(2096, 2, 29, tzinfo=UTC)),
        # day first, continental month names, a place without a credit
        ("Berlin, 4. März - ", datetime(2026, 12, 1, tzinfo=UTC), datetime(2026, 3, 4, tzinfo=UTC)),
        (
            "MADRID, 5 noviembre (EFE) - ",
            datetime(2026, 11, 5, tzinfo=UTC),
            datetime(2026, 11, 5, tzinfo=UTC),
        ),
        ("DENVER, Sept. 9 – ", datetime(2026, 9, 7, 23, tzinfo=UTC), datetime(2025, 9, 9, tzinfo=UTC)),
        # a date with neither place nor credit opens sentences and ranges too; a word that only begins
        # like a month names none; a day no month has is no date
        ("June 3 — ", datetime(2026, 12, 1, tzinfo=UTC), None),
        ("May 5 - 7 ", datetime(2026, 12, 1, tzinfo=UTC), None),
        ("OSLO, Marching 5 (AP) - ", datetime(2026, 12, 1, tzinfo=UTC), None),
        ("OSLO, Nov. 31 (Reuters) - ", datetime(2026, 12, 1, tzinfo=UTC), None),
        # no reference time, no year
        ("TOKYO, Nov. 28 (Reuters) - ", None, None),
    ],
)
def test_a_yearless_wire_dateline_takes_its_year_from_the_reference(opening, reference, published) -> None:
    raw = f"Acme opens a plant\n{opening}{BODY}\n{BODY2}"
    frame = docs_frame(raw).with_columns(pl.Series("reference_at", [reference], pl.Datetime("us", "UTC")))
    res = clean_documents(frame, min_words=0)
    doc = res.documents.row(0, named=True)
    # the line stays: the story goes on after the dash
    assert (doc["published_at"], doc["text"], res.removed_spans.height) == (published, raw, 0)
    assert "reference_at" not in res.documents.columns


def test_a_dated_wire_dateline_wins_over_a_yearless_one() -> None:
    raw = f"Acme opens a plant\nOSLO, Sept. 3 (AP) - {BODY}\nLYON, Nov. 20, 2025 - {BODY2}"
    frame = docs_frame(raw).with_columns(
        pl.Series("reference_at", [datetime(2026, 12, 1, tzinfo=UTC)], pl.Datetime("us", "UTC"))
    )
    doc = clean_documents(frame).documents.row(0, named=True)
    assert doc["published_at"] == datetime(2025, 11, 20, tzinfo=UTC)


def test_wire_month_day_reads_yearless_wire_datelines_only() -> None:
    lines = pl.Series(
        [
            "TOKYO, Nov. 28 (Reuters) - Acme buys a mill",
            "TOKYO, Nov. 28 (Reuters) -",  # the story on the next line
            "Feb 29 (AP) — Acme buys a mill",
            "TOKYO, Nov. 28 (Reuters): Acme buys a mill",  # no dash
            "Acme said on Nov. 28 - a Friday - it would buy a mill",  # inside the story
            "",
        ]
    )
    assert C._wire_month_day(lines).to_list() == [1128, 1128, 229, None, None, None]


def test_wire_date_reads_only_lines_with_a_dash_and_a_year() -> None:
    lines = pl.Series(
        [
            "OSLO, Sept. 3, 2026 (Newsfile Corp.) - Acme buys a mill",
            "OSLO, Sept. 3 (Newsfile Corp.) - Acme buys a mill",  # a dash, no year
            "OSLO, Sept. 3, 2026 (Newsfile Corp.): Acme buys a mill",  # a year, no dash
            "Sept. 3, 2026 -- Acme buys a mill",
            "",
        ]
    )
    assert C._wire_date(lines).to_list() == [
        datetime(2026, 9, 3, tzinfo=UTC),
        None,
        None,
        datetime(2026, 9, 3, tzinfo=UTC),
        None,
    ]


def test_the_first_kept_wire_dateline_fills_published_at() -> None:
    raw = f"Acme opens a plant\nOSLO, Sept. 3, 2026 - {BODY}\nLYON, Nov. 20, 2026 - {BODY2}"
    doc, _ = clean_one(raw)
    assert doc["published_at"] == datetime(2026, 9, 3, tzinfo=UTC)


def test_a_dateline_line_wins_over_a_wire_dateline() -> None:
    raw = f"Acme opens a plant\nAug 7, 2025\nLYON, Nov. 20, 2026 /PRNewswire/ -- {BODY}"
    doc, _ = clean_one(raw)
    assert doc["published_at"] == datetime(2025, 8, 7, tzinfo=UTC)


def test_given_metadata_is_not_overwritten() -> None:
    frame = docs_frame(f"Headline Of The Day\nBy Jane Doe\n{BODY}", title=["Given"], author=["Given Author"])
    doc = clean_documents(frame).documents.row(0, named=True)
    assert (doc["title"], doc["author"]) == ("Given", "Given Author")


def test_a_markdown_heading_is_a_title_without_its_hashes() -> None:
    doc, _ = clean_one(f"## Xiaomi opens MiMo to developers\n{BODY}")
    assert doc["title"] == "Xiaomi opens MiMo to developers"


def test_title_not_taken_from_a_sentence() -> None:
    doc, _ = clean_one(f"{BODY}\n{BODY2}")
    assert doc["title"] is None


def test_whitespace_and_unicode_normalisation() -> None:
    raw = (
        "  Xiaomi\u00a0unveils   MiMo\u200b model \r\n"
        "\n\n\n\n"
        "• First point about Xiaomi’s plans.\r\n"
        "● Second point\x07 with a control char.\n"
        "▪ Third point, cafe\u0301.\n"
        "Xiaomiâ€™s shares rose."
    )
    doc, spans = clean_one(raw)
    assert spans == []
    assert doc["text"] == (
        "Xiaomi unveils MiMo model\n\n"
        "- First point about Xiaomi’s plans.\n"
        "- Second point with a control char.\n"
        "- Third point, café.\n"
        "Xiaomi’s shares rose."
    )
    assert doc["raw_chars"] == len(raw)
    assert doc["clean_chars"] == len(doc["text"])


def test_curly_quotes_and_dashes_are_kept() -> None:
    line = "Xiaomi’s “MiLM-6B” model — the first — beat rivals."
    doc, _ = clean_one(f"{line}\n{BODY}")
    assert doc["text"].startswith(line)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("Advertisement\nShare this article", C.EMPTY_AFTER_CLEANING),
        ("Xiaomi unveils MiMo.", C.TOO_SHORT),
        (
            "Home News Tech Business\n" * 3
            + "We use cookies to improve your experience on our site, by continuing to browse you agree.\n"
            * 12
            + BODY,
            C.MOSTLY_BOILERPLATE,
        ),
    ],
)
def test_rejects(text: str, reason: str) -> None:
    res = clean_documents(docs_frame(text))
    assert res.documents.height == 0
    assert res.rejects.select("source", "doc_id", "reason").rows() == [("s0", "d0", reason)]
    assert res.rejects["detail"][0].endswith(".")


# Two-sentence wire brief (190 characters) and a Chinese brief with four figures (59 characters).
BRIEF_EN = (
    "Nordvik Shipping said on Tuesday it would buy two gas carriers for $310.5 million. The deal, its "
    "first since 2021, lifts the fleet to 14 vessels, the Oslo-based company added in a statement."
)
BRIEF_ZH = (
    "星河电池周三公布，第三季度营收48亿元，同比增长23%，"
    "净利润6.2亿元，储能电池出货量首次突破1万套，创下历史新高。"
)


def test_short_briefs_in_any_script_are_kept() -> None:
    assert (len(BRIEF_EN), len(BRIEF_ZH)) == (190, 59)
    res = clean_documents(docs_frame(BRIEF_EN, BRIEF_ZH))
    assert res.rejects.height == 0
    assert res.documents["text"].to_list() == [BRIEF_EN, BRIEF_ZH]


def test_words_are_counted_per_script() -> None:
    counted = pl.select(
        C.count_words(pl.Series([BRIEF_EN, BRIEF_ZH, "净利润6.2亿元", "Revenue — $2.5bn, up 4%.", "ข่าว ด่วน"]))
    )
    # Han characters count one each; "6.2" and "$2.5bn" are one word; a lone dash is none.
    assert counted.to_series().to_list() == [33, 48, 6, 4, 2]


def test_fragment_is_too_short_and_the_floor_is_a_parameter() -> None:
    res = clean_documents(docs_frame("Tanker fleet grows.", BRIEF_EN), min_words=34)
    assert res.documents.height == 0
    assert res.rejects.select("source", "reason", "detail").rows() == [
        (
            "s0",
            C.TOO_SHORT,
            "Only 3 words are left after cleaning (a Han or kana character counts as one); "
            "at least 34 are needed.",
        ),
        (
            "s1",
            C.TOO_SHORT,
            "Only 33 words are left after cleaning (a Han or kana character counts as one); "
            "at least 34 are needed.",
        ),
    ]


def test_long_enough_article_is_not_rejected() -> None:
    res = clean_documents(docs_frame(f"{BODY}\n{BODY2}"))
    assert res.rejects.height == 0 and res.documents.height == 1


def test_language_ids() -> None:
    zh = "小米发布了新的大语言模型，雷军在年度演讲中介绍了公司的人工智能技术战略和未来的发展方向。" * 3
    de = (
        "Xiaomi hat am Freitag ein eigenes Sprachmodell vorgestellt, das bei Mathematik besser sein soll "
        "als die Konkurrenz."
    )
    res = clean_documents(docs_frame(f"{BODY}\n{BODY2}", zh, de, "1234 5678"), min_words=0)
    assert res.documents["language"].to_list() == ["en", "zh", "de", "und"]


def test_chinese_article_is_cleaned_not_dropped() -> None:
    raw = (
        "小米发布首个大模型\n"
        "小米公司周五发布了其首个大型语言模型，称其在数学推理和代码生成方面超过了竞争对手。\n"
        "雷军在年度演讲中表示，公司将在未来五年投入大量资金用于人工智能研发，并把大模型装进手机。\n"
        "分析人士认为，这一举措将加剧中国科技公司之间在人工智能领域的竞争，价格也会进一步下降。\n"
        "广告\n"
        "Advertisement"
    )
    doc, spans = clean_one(raw)
    assert doc["language"] == "zh"
    assert doc["title"] == "小米发布首个大模型"
    assert doc["text"] == raw.rsplit("\n", 2)[0]
    assert [(s["rule"], s["text"]) for s in spans] == [(C.ADVERTISEMENT, "广告\nAdvertisement")]


def test_output_schema() -> None:
    res = clean_documents(docs_frame(f"{BODY}\nAdvertisement\n{BODY2}", ""))
    assert res.documents.schema == pl.Schema(C.DOCUMENT_COLUMNS)
    assert res.removed_spans.schema == pl.Schema(C.SPAN_COLUMNS)
    assert res.rejects.schema == pl.Schema(C.REJECT_COLUMNS)
    assert res.documents["clean_version"].to_list() == [C.CLEAN_VERSION]
    assert res.documents["duplicate_of"].to_list() == [None]


def test_empty_input() -> None:
    res = clean_documents(docs_frame())
    assert (res.documents.height, res.removed_spans.height, res.rejects.height) == (0, 0, 0)


# --- the real seeds -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def seeds():
    files = sorted(SEEDS.glob("*.txt"))
    raw = pl.DataFrame(
        {
            "source": [f.name for f in files],
            "content": [f.read_bytes() for f in files],
            "format": ["txt"] * len(files),
        },
        schema={"source": pl.String, "content": pl.Binary, "format": pl.String},
    )
    docs, rejects = decode_documents(raw)
    assert rejects.height == 0
    return docs, clean_documents(docs)


def test_seeds_boilerplate_removed(seeds) -> None:
    _, res = seeds
    assert res.rejects.height == 0
    texts = "\n".join(res.documents["text"])
    for noise in [
        "Gate Square", "WXTM", "CandyDrop", "Fuel your morning", "Xiaomi bolsters high-end push",
        "Huawei hands in", "Let’s talk", "our network", "Read on, my dear", "South China Morning Post",
    ]:  # fmt: skip
        assert noise not in texts, noise


def test_seeds_labels_survive(seeds) -> None:
    _, res = seeds
    by_stem = {
        pathlib.Path(s).stem: t for s, t in zip(res.documents["source"], res.documents["text"], strict=True)
    }
    for label_file in sorted((SEEDS / "labels").glob("*.json")):
        labels = json.loads(label_file.read_text())
        text = by_stem[label_file.stem]
        for item in labels["entities"] + labels["metrics"]:
            if item.get("optional"):
                continue  # borderline items such as the byline names, which cleaning removes
            # "Qubit" only appears in the removed "Source: Qubit" byline; its alias "qubit" is in the body.
            forms = [item["text"], *item.get("aliases", [])]
            assert any(f in text for f in forms), (label_file.stem, item["text"])
        for item in labels.get("noise_entities", []) + labels.get("noise_metrics", []):
            if not item.get("in_body"):
                assert item["text"] not in text, (label_file.stem, item["text"])


def test_seeds_metadata_and_structure(seeds) -> None:
    docs, res = seeds
    d = {pathlib.Path(r["source"]).stem[:3]: r for r in res.documents.iter_rows(named=True)}
    assert d["000"]["text"].startswith("The large model of Xiaomi handing in the paper")
    assert d["000"]["author"] == "Meng Chen Mingmin"
    assert d["004"]["title"] == "Xiaomi Unveils MiMo AI Model"
    assert d["001"]["text"] == docs.filter(pl.col("source").str.starts_with("001"))["raw_text"][0].strip()
    para = "Xiaomi just crashed the AI party. The Chinese tech giant unveiled MiMo"
    assert d["002"]["text"].count(para) == 1
    assert "- Natural Language Processing (NLP): MiMo" in d["001"]["text"]
    assert "Key Takeaways\n\n- Xiaomi will annually invest 20 billion yuan" in d["003"]["text"]
    assert set(res.documents["language"]) == {"en"}
    rules = set(res.removed_spans["rule"])
    assert {C.PROMO_BLOCK, C.BYLINE, C.DUPLICATE_PARAGRAPH, C.NEWSLETTER, C.RELATED_HEADLINES} <= rules


def test_seeds_span_text_matches_raw(seeds) -> None:
    docs, res = seeds
    raw = dict(zip(docs["doc_id"], docs["raw_text"], strict=True))
    assert res.removed_spans.height > 0
    for s in res.removed_spans.iter_rows(named=True):
        assert raw[s["doc_id"]][s["start"] : s["end"]] == s["text"]


# --- properties ---------------------------------------------------------------------------------------

text_strategy = st.lists(
    st.one_of(
        st.text(max_size=60),
        st.sampled_from(
            ["Advertisement", "Read more:", "Share this article", "", "  ", "• bullet", BODY, BODY2]
        ),
    ),
    max_size=12,
).map("\n".join)


# Many documents per example, few examples: as many generated documents (~390) as 150 examples of 1-4
# gave, in a sixth of the clean_documents calls (each costs ~0.1 s of polars planning whatever its
# size: 42.8 s -> 10 s serially); every example is a batch of unrelated documents. The batch size is
# drawn uniformly (st.lists alone draws mostly short lists: ~4 documents an example).
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
@given(st.integers(1, 30).flatmap(lambda n: st.lists(text_strategy, min_size=n, max_size=n)))
def test_properties(texts: list[str]) -> None:
    frame = docs_frame(*texts)
    res = clean_documents(frame, min_words=0)
    docs = res.documents
    assert docs.height + res.rejects.height == len(texts)
    assert (docs["clean_chars"] <= docs["raw_chars"]).all()
    raw = dict(zip(frame["doc_id"], frame["raw_text"], strict=True))
    for s in res.removed_spans.iter_rows(named=True):
        assert raw[s["doc_id"]][s["start"] : s["end"]] == s["text"]
    # Idempotent: cleaning the cleaned text changes nothing.
    again = clean_documents(docs_frame(*docs["text"].to_list()), min_words=0).documents
    assert again["text"].to_list() == docs["text"].to_list()


# --- speed shortcuts: each must give what the slow path gives -------------------------------------------

GERMAN_WITH_ENGLISH_LOOKALIKES = (
    "Die Bundesregierung will in diesem Jahr mehr Geld in die Forschung investieren, was von der Opposition "
    "kritisiert wird. Das Modell ist in vielen Tests schneller als die Konkurrenz, was die Aktie steigen "
    "ließ. Die Firma will im Herbst in Europa starten, so der Vorstand in einer Mitteilung am Montag."
)


@pytest.mark.parametrize(
    "text",
    [
        f"{BODY}\n{BODY2}",
        "小米发布了新的大语言模型，雷军在年度演讲中介绍了公司的人工智能技术战略和未来的发展方向。" * 5,
        GERMAN_WITH_ENGLISH_LOOKALIKES,  # "in", "was", "will" are German words too: not counted as English
        "L'entreprise a présenté un nouveau modèle de langage, plus rapide et moins cher que ceux de ses "
        "concurrents, selon un communiqué publié lundi. Les analystes y voient un tournant pour le marché.",
        "新しい言語モデルを発表しました。小米は数学と推論で競合他社を上回ると述べています。" * 4,
        "OPENAI SAID ON FRIDAY THAT THE NEW MODEL WILL BE AVAILABLE TO ALL USERS FROM NEXT WEEK, WITH A FREE "
        "TIER FOR STUDENTS AND RESEARCHERS AND HIGHER LIMITS FOR THE PAID PLANS THAT THE COMPANY SELLS.",
        "Xiaomi MiMo 7B",
    ],
)
def test_language_precheck_agrees_with_the_classifier(text: str) -> None:
    sample = text[: C.LANG_SAMPLE_CHARS]
    lang, prob = C._identifier().classify(sample)
    expected = lang if prob >= C.LANG_MIN_PROB else "und"
    if sum(c.isalpha() for c in sample) < C.LANG_MIN_CHARS:
        expected = "und"
    assert C._language(pl.Series([text])).to_list() == [expected]


def test_language_precheck_skips_the_classifier_only_when_sure(monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[str] = []

    class Spy:
        def classify(self, text: str) -> tuple[str, float]:
            asked.append(text)
            return "de", 0.99

    monkeypatch.setattr(C, "_IDENTIFIER", Spy())
    zh = "小米发布了新的大语言模型，雷军在年度演讲中介绍了公司的人工智能技术战略和未来的发展方向。" * 5
    out = C._language(pl.Series([f"{BODY}\n{BODY2}", zh, GERMAN_WITH_ENGLISH_LOOKALIKES, "1234 5678"]))
    assert out.to_list() == ["en", "zh", "de", "und"]
    assert asked == [GERMAN_WITH_ENGLISH_LOOKALIKES[: C.LANG_SAMPLE_CHARS]]


def test_nfc_is_skipped_only_on_characters_nfc_never_changes() -> None:
    import re
    import unicodedata

    # Characters that can be the second half of a canonical composition ("e" + U+0301 -> "é").
    second = {
        int(cp, 16)
        for c in range(0x110000)
        if (d := unicodedata.decomposition(chr(c))) and not d.startswith("<")
        for cp in d.split()[1:]
    }
    stable = re.compile(C._NFC_STABLE)
    for c in range(0x110000):
        ch = chr(c)
        if 0xD800 <= c <= 0xDFFF or not stable.fullmatch(ch):
            continue
        assert unicodedata.normalize("NFC", ch) == ch and unicodedata.combining(ch) == 0, hex(c)
        assert c not in second and not 0x1161 <= c <= 0x11C2, hex(c)  # Hangul vowels/finals compose too


@pytest.mark.parametrize(
    ("raw", "line"),
    [
        ("Cafe\u0301 au lait", "Café au lait"),  # combining accent: NFC composes
        ("\u212b ngstr\u00f6m", "Å ngström"),  # Angstrom sign: NFC maps it to Å
        ("Plain ASCII line", "Plain ASCII line"),
        ("小米 “quotes” — and 📢", "小米 “quotes” — and 📢"),
    ],
)
def test_normalise_applies_nfc_where_needed(raw: str, line: str) -> None:
    lines = pl.DataFrame({"_row": [0], "line_no": [0], "start": [0], "end": [len(raw)], "raw": [raw]})
    assert C._normalise(lines)["line"].to_list() == [line]


def test_context_rules_do_not_reach_across_documents() -> None:
    # A document ending in a "Read more:" label and one starting with link-like lines: the links are not
    # "after" the label, and two menu lines + one menu line do not make a 3-line run across documents.
    first = f"{BODY}\n{BODY2}\nRead more:"
    second = f"Xiaomi unveils MiMo\nHome\nWorld\n{BODY}\n{BODY2}"
    third = f"Tech\n{BODY}\n{BODY2}"
    together = clean_documents(docs_frame(first, second, third), min_words=0)
    alone = [clean_documents(docs_frame(t), min_words=0) for t in (first, second, third)]
    assert together.documents["text"].to_list() == [a.documents["text"][0] for a in alone]
    assert together.removed_spans.select("rule", "text").rows() == [
        r for a in alone for r in a.removed_spans.select("rule", "text").rows()
    ]


# --- web chrome as kinds (issue 17) ---------------------------------------------------------------------

# (chrome line, rule): sits between two article paragraphs and is cut alone.
CHROME_POSITIVE = [
    ("6 min read", C.COUNTER),
    ("- 3 min Reading Time", C.COUNTER),
    ("By Ann Lee | Translated by AI 5 min read", C.COUNTER),
    ("1.2K views", C.COUNTER),
    ("Listen · 4 min", C.COUNTER),
    ("Updated 2 hours ago", C.DATELINE),
    ("Play this episode", C.COUNTER),
    ("12:48 / 30:00", C.COUNTER),
    ("356人阅读", C.COUNTER),
    ("Disclosure: We may earn a commission when you buy through links on this page.", C.DISCLOSURE),
    ("FTC: This site uses affiliate links that earn us money.", C.DISCLOSURE),
    (
        "Notice: This post was uploaded by a user of the portal, which only provides information storage "
        "services.",
        C.DISCLOSURE,
    ),
    ("免责声明：本文仅代表作者观点，不构成投资建议。", C.DISCLOSURE),
    ('<div class="box"><a href="https://example.com/p?id=42">Example Forum</a></div>', C.MARKUP),
    ("Home > Markets > Asia", C.NAVIGATION),
    ("Sport | Culture | Travel | Weather", C.NAVIGATION),
    ("Top of page", C.NAVIGATION),
    ("Example Daily logo", C.PHOTO_CAPTION),
    ("- Instagram Social Icon", C.PHOTO_CAPTION),
    ("A robot arm sorts parcels at a depot.(Photo: Example Wire)", C.PHOTO_CAPTION),
    ("The new factory Photo: Example Wire", C.PHOTO_CAPTION),
    ("- Writer: Ann Lee", C.BYLINE),
    ("Latest from this section", C.LINK_LEAD_IN),
    ("Related Podcasts", C.LINK_LEAD_IN),
    ("推荐阅读：某某新闻网", C.LINK_LEAD_IN),
    ("责任编辑：王小明", C.BYLINE),
    ("分享到：微博 微信", C.SHARE_WIDGET),
    ("扫码关注我们的公众号", C.CALL_TO_ACTION),
    ("关注示例网,畅想美好生活!", C.CALL_TO_ACTION),
    ("Originally published on Example Blog.", C.CALL_TO_ACTION),
    ("Via Example Forum", C.CALL_TO_ACTION),
    ("Take our 12-lesson course: earn a certification in data science", C.CHROME_VOCABULARY),
    (
        "Our weekly letter goes to twenty thousand readers across the chip trade, from fab engineers to fund "
        "managers, and every issue and podcast episode brings the launches, deals and figures that matter to "
        "them. Sign on at no cost and stay up to date; advertisers who want the same readers can talk to our "
        "sponsorship team.",
        C.CHROME_VOCABULARY,
    ),
]


@pytest.mark.parametrize(("noise", "rule"), CHROME_POSITIVE)
def test_chrome_line_is_cut_as_its_kind(noise: str, rule: str) -> None:
    raw = f"{BODY}\n{noise}\n{BODY2}"
    doc, spans = clean_one(raw)
    assert doc["text"] == f"{BODY}\n{BODY2}"
    assert [(s["rule"], s["text"]) for s in spans] == [(rule, noise)]


# Article lines near those kinds: each stays, untouched, between two paragraphs.
CHROME_NEGATIVE = [
    "The hearing took 6 minutes to read out, officials said.",
    "Two hours ago the exchange halted trading in the shares.",
    "Views of the plan were mixed: 1,200 people wrote to the council.",
    "Reader comments on the plan were mostly positive, the ministry said in a statement.",
    "The marketplace earns a commission of 15% on every sale, its filing shows.",
    "Notice periods for staff will rise to three months under the new law.",
    "Revenue | 2024 | 2025",
    "North | 12.5 | 14.1 | 9.8",
    "Investors asked whether the company would redesign its brand logo and app icon this year.",
    "The photo of the prototype (Photo: leaked) spread fast online, the report said.",
    "Its new phone image: a cheaper Pro",
    "Writers: the guild said its members would strike.",
    "Related risks include higher prices for memory chips, analysts said.",
    "关注度持续上升，该公司股价本周上涨5%。",
    "Subscribers to the service, which offers courses and lessons online, rose 12% to 3 million.",
    "Via its cloud unit, the group sold 4 million licences last year.",
    "“We want to be the platform that writers join first,” the chief executive said.",
    "- Revenue rose 12% to $3.2 billion in the quarter.",
    "Comments from investors were mixed, with some calling the price too high.",
]


@pytest.mark.parametrize("line", CHROME_NEGATIVE)
def test_article_line_near_a_chrome_kind_survives(line: str) -> None:
    raw = f"{BODY}\n{line}\n{BODY2}"
    doc, spans = clean_one(raw)
    assert spans == []
    assert doc["text"] == raw


def test_reader_comment_section_goes_to_the_end() -> None:
    comments = "3 Comments\n\nkiwi_fan\nGreat read, thanks.\n\nold_timer\nI disagree with the analysts here."
    doc, spans = clean_one(f"{BODY}\n\n{BODY2}\n\n{comments}")
    assert doc["text"] == f"{BODY}\n\n{BODY2}"
    assert [(s["rule"], s["text"]) for s in spans] == [
        (C.COUNTER, "3 Comments"),
        (C.READER_COMMENTS, comments.removeprefix("3 Comments\n\n")),
    ]


def test_reader_comment_author_lines_and_counters() -> None:
    raw = (
        f"{BODY}\n\n{BODY2}\n\n1. kiwi_fan\n\nPosts: 12 | Member since: May 2020\n\nGreat read, thanks.\n\n"
        "2. old_timer\n\nPosts: 7 | Member since: June 2018\n\nThe phones look alike, just look at"
    )
    doc, spans = clean_one(raw)
    assert doc["text"] == f"{BODY}\n\n{BODY2}"
    assert [(s["rule"], s["text"]) for s in spans] == [
        (C.READER_COMMENTS, "1. kiwi_fan"),
        (C.COUNTER, "Posts: 12 | Member since: May 2020"),
        (C.READER_COMMENTS, "Great read, thanks.\n\n2. old_timer"),
        (C.COUNTER, "Posts: 7 | Member since: June 2018"),
        (C.READER_COMMENTS, "The phones look alike, just look at"),
    ]


def test_comment_prompt_takes_the_footer_below_it() -> None:
    tail = (
        "Got a view on this? Let us know in the comments.\n\nPost a comment\n\n"
        "“Ten Secrets About the Summer Games” “Why Everyone Is Talking About This Tablet”"
    )
    doc, spans = clean_one(f"{BODY}\n\n{BODY2}\n\n{tail}")
    assert doc["text"] == f"{BODY}\n\n{BODY2}"
    assert [(s["rule"], s["text"]) for s in spans] == [(C.READER_COMMENTS, tail)]


def test_comment_counter_under_the_headline_keeps_the_article() -> None:
    doc, spans = clean_one(f"Xiaomi ships its model\n12 comments\n{BODY}\n{BODY2}")
    assert doc["text"] == f"Xiaomi ships its model\n{BODY}\n{BODY2}"
    assert [(s["rule"], s["text"]) for s in spans] == [(C.COUNTER, "12 comments")]


def test_comments_heading_early_in_the_document_cuts_only_itself() -> None:
    doc, spans = clean_one(f"Comments (4)\n{BODY}\n{BODY2}")
    assert doc["text"] == f"{BODY}\n{BODY2}"
    assert [(s["rule"], s["text"]) for s in spans] == [(C.READER_COMMENTS, "Comments (4)")]


# A press release as a newswire carries it: body, then the trailer (written for these tests).
RELEASE = (
    "Orbel Systems said on Tuesday that it had signed a supply deal with a large carmaker, sending its "
    "shares up in early trading. The company expects the contract to add to sales from next year, its "
    "chief executive told reporters.\n\n"
    "The deal covers welding arms for two plants, and deliveries start in the spring, the company said."
)


def test_press_release_trailer_goes_to_the_end() -> None:
    trailer = (
        "About Orbel Systems\n"
        "Orbel Systems, founded in 1998, employs 4,200 people and had revenue of $900 million last year.\n\n"
        "Forward-Looking Statements\n"
        "This release holds forward-looking statements that involve risks and uncertainties.\n\n"
        "Media Contact:\nKim Ode, Head of Communications"
    )
    contacts = "+1 408 555 0142\npress@orbel.example"
    doc, spans = clean_one(f"{RELEASE}\n\n{trailer}\n{contacts}\n\n###")
    assert doc["text"] == RELEASE
    assert [(s["rule"], s["text"]) for s in spans] == [
        (C.PRESS_RELEASE_TRAILER, trailer),
        (C.CONTACT_DETAILS, contacts),
        (C.PRESS_RELEASE_TRAILER, "###"),
    ]


def test_press_release_trailer_in_german_and_french() -> None:
    de = "Über Orbel Systems\nOrbel Systems beschäftigt 4.200 Mitarbeiter.\n\nPressekontakt\nKim Ode"
    fr = "À propos de Orbel Systems\nOrbel Systems emploie 4 200 personnes.\n\nContact presse\nKim Ode"
    for trailer in (de, fr):
        doc, spans = clean_one(f"{RELEASE}\n\n{trailer}")
        assert doc["text"] == RELEASE
        assert [(s["rule"], s["text"]) for s in spans] == [(C.PRESS_RELEASE_TRAILER, trailer)]


@pytest.mark.parametrize(
    "heading",
    [
        "About Orbel Systems, Inc. (NASDAQ: ORBL)",
        "**About the Company**",
        "Investor Relations",
        "Media and Investor Contacts:",
        "Cautionary Note Regarding Forward-Looking Statements",
        "Safe Harbour",
        "Contacts:",
        "Kontakt",
        "Relations presse",
        "-30-",
    ],
)
def test_each_trailer_heading_opens_the_trailer(heading: str) -> None:
    trailer = f"{heading}\nKim Ode leads the office in Lyon."
    doc, spans = clean_one(f"{RELEASE}\n\n{trailer}")
    assert doc["text"] == RELEASE
    assert [(s["rule"], s["text"]) for s in spans] == [(C.PRESS_RELEASE_TRAILER, trailer)]


def test_safe_harbor_run_in_heading_and_end_mark() -> None:
    legal = "Safe Harbor Statement: Statements in this release about future results are estimates only."
    doc, spans = clean_one(f"{RELEASE}\n\n{legal}\n\n-30-")
    assert doc["text"] == RELEASE
    assert [(s["rule"], s["text"]) for s in spans] == [(C.PRESS_RELEASE_TRAILER, f"{legal}\n\n-30-")]


@pytest.mark.parametrize(
    "para",
    [
        "About 300 workers joined the strike, and the union called the company's plans forward-looking.",
        "Forward-looking statements in the filing were vague, analysts said, and shares fell 3%.",
        "About Orbel Systems, the regulator said little on Tuesday.",
    ],
)
def test_article_paragraph_about_forward_looking_stays(para: str) -> None:
    raw = f"{RELEASE}\n\n{para}"
    doc, spans = clean_one(raw)
    assert spans == []
    assert doc["text"] == raw


def test_trailer_heading_high_in_the_document_keeps_the_article() -> None:
    raw = f"Media Contacts\n{RELEASE}\n\n{BODY}"
    doc, spans = clean_one(raw)
    assert spans == []
    assert doc["text"] == raw


@pytest.mark.parametrize(
    "line",
    [
        "Tel: +49 30 1234 5678 | kim.ode@orbel.example",
        "Kim Ode, Head of Communications, (408) 555-0142",
        "E-mail: press@orbel.example",
    ],
)
def test_contact_line_anywhere_is_cut(line: str) -> None:
    doc, spans = clean_one(f"{BODY}\n{line}\n{BODY2}")
    assert doc["text"] == f"{BODY}\n{BODY2}"
    assert [(s["rule"], s["text"]) for s in spans] == [(C.CONTACT_DETAILS, line)]


@pytest.mark.parametrize(
    "line",
    [
        "Call the city hotline at 555-010-2030 for updates.",
        "Revenue rose to +1.2 billion euros from 0.9 billion.",
        "Net result +1 234 567 890 €",  # a figure grouped in thousands, not a phone number
    ],
)
def test_sentence_with_a_phone_number_stays(line: str) -> None:
    raw = f"{BODY}\n{line}\n{BODY2}"
    doc, spans = clean_one(raw)
    assert spans == []
    assert doc["text"] == raw


def test_footer_headlines_and_dangling_label_at_the_end() -> None:
    tail = "Try Our Reading App\nSee what the app can do for you:\n\nTen Gadgets You Will Want This Summer"
    doc, spans = clean_one(f"Xiaomi ships its model\n{BODY}\n\n{BODY2}\n\n{tail}")
    assert doc["text"] == f"Xiaomi ships its model\n{BODY}\n\n{BODY2}"
    assert [(s["rule"], s["text"]) for s in spans] == [(C.FOOTER, tail)]


@pytest.mark.parametrize(
    "last",
    [
        "Analysts expect the company to report its first profit in",  # an excerpt cut off mid-sentence
        "Despite these positive trends, analysts remain cautious",
        "Revenue in the quarter: $3.2 billion",  # a figure
        "- Shares closed up 4 percent",  # a bullet
        "Net margin | 12.5 | 14.1",
        "Xiaomi ships its model",  # the document's only other line is its headline
    ],
)
def test_article_end_that_is_no_footer_stays(last: str) -> None:
    raw = f"{BODY}\n\n{last}"
    doc, spans = clean_one(raw)
    assert spans == []
    assert doc["text"] == raw


def test_headline_alone_is_never_a_footer() -> None:
    doc, spans = clean_one("Why Everyone Is Talking About This Tablet")
    assert spans == []


COOKIE_PARAS = [
    "We value your privacy. We and our partners use cookies to store and access information on your device, "
    "and to measure advertising.",
    "You can accept all, reject all or manage your preferences at any time in our privacy settings.",
    "I Accept",
    "Show Purposes",
]


def test_cookie_banner_of_several_paragraphs_goes_whole() -> None:
    banner = "\n\n".join(COOKIE_PARAS)
    doc, spans = clean_one(f"{banner}\n\n{BODY}\n\n{BODY2}")
    assert doc["text"] == f"{BODY}\n\n{BODY2}"
    assert [(s["rule"], s["text"]) for s in spans] == [(C.COOKIE_BANNER, banner)]


def test_news_about_cookies_and_consent_stays() -> None:
    story = (
        "Regulators said the company used tracking cookies without consent and shared personal data with "
        "advertising partners, and ordered it to let users reject them."
    )
    raw = f"{BODY}\n\n{story}\n\nAccept all\n\n{BODY2}"
    doc, spans = clean_one(raw)
    assert spans == []
    assert doc["text"] == raw


def test_caption_printed_twice_keeps_one_copy_without_credit() -> None:
    caption = "A robot arm sorts parcels at a depot."
    raw = f"{BODY}\n{caption}(Photo: Example Wire)\n{caption}\n{BODY2}"
    doc, spans = clean_one(raw)
    assert doc["text"] == f"{BODY}\n{BODY2}"
    assert [s["rule"] for s in spans] == [C.PHOTO_CAPTION, C.DUPLICATE_PARAGRAPH]


def test_sentence_that_starts_the_next_one_is_not_a_repeat() -> None:
    raw = f"{BODY}\nShares rose 5% on Monday.\nShares rose 5% on Monday. Analysts cheered.\n{BODY2}"
    doc, spans = clean_one(raw)
    assert spans == []


def test_key_takeaways_quote_and_figure_table_stay() -> None:
    raw = (
        f"{BODY}\n\nKey Takeaways\n\n- Xiaomi will spend 20 billion yuan a year on research.\n"
        "- The model runs on phones and cars.\n\n“We are only at the start,” the founder said.\n\n"
        f"Quarter | Revenue | Margin\nQ1 2025 | 111.3 | 22.8\nQ2 2025 | 116.0 | 22.5\n\n{BODY2}"
    )
    doc, spans = clean_one(raw)
    assert spans == []
    assert doc["text"] == raw


def test_whole_page_of_chrome_around_a_short_article() -> None:
    head = "Chipmaker Example Corp posts record quarterly revenue"
    para1 = (
        "Example Corp said on Tuesday its quarterly revenue rose 34% to $12.5 billion, beating analyst "
        "estimates, as demand for its data-centre chips stayed strong."
    )
    para2 = "The company expects revenue of about $13 billion in the current quarter, it said in a statement."
    page = "\n".join(
        [
            "We value your privacy",
            "We and our 500 partners store and/or access information on a device, such as cookies, and "
            "process personal data for personalised advertising and content measurement.",
            "With your permission we and our partners may use precise geolocation data. You may click to "
            "consent to our processing, or change your preferences before consenting.",
            "I Accept",
            "Show Purposes",
            "Skip to content\nWorld\nBusiness\nMarkets\nTech",
            head,
            "Listen · 4 min\nUpdated 2 hours ago\nBy Jane Roe",
            para1,
            para2,
            "Most Read\nOil prices jump as supply worries grow\nWhy Your Phone Battery Dies So Fast",
            "Sign up for our daily newsletter",
            "Share this story\nCopy link\nFacebook\nX\nEmail",
            "© 2025 Example Media Group",
            "Comments (12)\ngreatname: Impressive numbers!",
        ]
    )
    doc, spans = clean_one(page)
    assert doc["text"] == f"{head}\n{para1}\n{para2}"
    assert [s["rule"] for s in spans] == [
        C.COOKIE_BANNER, C.NAVIGATION, C.COUNTER, C.DATELINE, C.BYLINE, C.LINK_LEAD_IN, C.RELATED_LINKS,
        C.NEWSLETTER, C.SHARE_WIDGET, C.RELATED_LINKS, C.COPYRIGHT, C.READER_COMMENTS,
    ]  # fmt: skip


def test_batched_classifier_returns_what_py3langid_returns() -> None:
    texts = [
        f"{BODY}\n{BODY2}",
        "小米发布了新的大语言模型，雷军在年度演讲中介绍了公司的人工智能技术战略。",
        GERMAN_WITH_ENGLISH_LOOKALIKES,
        "OPENAI SAID THE NEW MODEL WILL BE AVAILABLE TO ALL USERS FROM NEXT WEEK.",
        "",
        "1234 5678",
        "Ü",
    ]
    model = C._identifier()
    assert C._classify(texts) == [model.classify(t) for t in texts]


def test_lines_split_at_every_line_ending_in_one_batch() -> None:
    # One document with "\r\n" and "\r", one with "\n" only, one empty: offsets into each raw text.
    docs = pl.DataFrame(
        {"_row": [0, 1, 2], "raw_text": ["ab\r\ncd\ref", "gh\n\nij\n", ""]},
        schema_overrides={"_row": pl.UInt32},
    )
    lines = C._split_lines(docs.lazy()).collect()
    assert lines.rows() == [
        (0, 0, 0, 2, "ab"),
        (0, 1, 4, 6, "cd"),
        (0, 2, 7, 9, "ef"),
        (1, 0, 0, 2, "gh"),
        (1, 1, 3, 3, ""),
        (1, 2, 4, 6, "ij"),
    ]


def test_fewer_words_counts_past_the_start_when_needed() -> None:
    # With n = 3 the start looked at is 60 characters: the third word of the last text lies beyond it.
    texts = pl.Series(
        ["one two three", "one two", "one " + " " * 70 + "two three", "one " + "—" * 70 + " two"]
    )
    assert C._fewer_words(texts, 3).to_list() == [False, True, False, True]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.text(
            alphabet=st.sampled_from(
                [*"ab e.Ã©ï»¿K•\t", "\u0301", "\u200b", "\u00a0", "\u212b", "ſ", "小", "\x07"]
            )
        ),
        min_size=1,
        max_size=8,
    )
)
def test_normalise_leaves_alone_only_lines_no_edit_would_change(raws: list[str]) -> None:
    lines = pl.DataFrame({"raw": raws})
    assert C._normalise(lines)["line"].to_list() == C._normalised(pl.Series("line", raws)).to_list()


def test_reject_details_from_a_frame_whose_reasons_come_in_two_chunks() -> None:
    # polars 2.1 panicked on this layout (a string when/then/otherwise with a two-chunk mask); a real
    # batch had it and its run crashed. 2,034 rows, three with a reason, `reason`/`share` in two chunks.
    n = 2034
    reasons = [None] * n
    reasons[1500], reasons[1700], reasons[1900] = C.TOO_SHORT, C.MOSTLY_BOILERPLATE, C.EMPTY_AFTER_CLEANING
    two = {"rechunk": False}
    out = pl.DataFrame(
        {
            "source": [f"s{i}" for i in range(n)],
            "doc_id": [f"d{i}" for i in range(n)],
            "text": [("word " * (i % 50 + 1)) + "x" * (i % 30) for i in range(n)],
            "raw_chars": list(range(n)),
        }
    ).with_columns(
        pl.concat(
            [pl.Series("reason", reasons[:1000], pl.String), pl.Series("reason", reasons[1000:])], **two
        ),
        pl.concat([pl.Series("share", [0.1] * 1000), pl.Series("share", [0.9] * (n - 1000))], **two),
    )
    assert out["reason"].n_chunks() == 2
    assert C._rejects(out, 30).rows() == [
        (
            "s1500",
            "d1500",
            C.TOO_SHORT,
            "Only 1 words are left after cleaning (a Han or kana character counts as one); "
            "at least 30 are needed.",
        ),
        (
            "s1700",
            "d1700",
            C.MOSTLY_BOILERPLATE,
            "Cleaning rules cut 90% of the text, so what is left is unlikely to be the article.",
        ),
        ("s1900", "d1900", C.EMPTY_AFTER_CLEANING, "Nothing is left after cleaning 1900 raw characters."),
    ]


def test_menu_line_items_are_at_most_25_characters() -> None:
    # The item length is checked apart from the regex (see MENU_ITEM_MAX_CHARS): 25 characters pass, 26
    # do not; whitespace around a separator is not the item's, whitespace ending the line is.
    item25 = "Regional" + "x" * 17
    lines = pl.Series(
        [
            "Home | World | Business",
            f"Home | World | {item25}",
            f"Home | World | {item25}y",
            f"Home  |  {item25}  |  World",
            f"Home | World | {item25} ",
            "Home | World",
            "Home | | World | Sport",
            "Home | World | 2024",
        ]
    )
    assert C._menu_line(lines).to_list() == [True, True, False, True, False, False, False, False]


def test_photo_credit_is_at_most_30_characters_after_its_capital() -> None:
    lines = pl.Series(
        [
            "Cover photo: Jane Doe",
            "Cover photo: J" + "a" * 30,
            "Cover photo: J" + "a" * 31,
            "Cover photo: jane doe",
            "The team photo: it shows the whole squad.",
        ]
    )
    assert C._photo_caption(lines).to_list() == [True, True, False, False, False]


def test_ascii_letters_and_words_are_counted_from_the_bytes() -> None:
    # What str.count_matches("[A-Za-z]") and ("[A-Za-z]+") count: a non-ASCII letter ("é", "ª") is neither
    # and splits a run; a run never continues into the next text; a slice starts past the buffer's start.
    texts = pl.Series(["pad", "Ab cd", "", "caféx Zª9q", "z", "Q"]).slice(1)
    letters, words = C._ascii_letters_and_words(texts)
    assert letters.tolist() == [4, 0, 6, 1, 1]
    assert words.tolist() == [2, 0, 4, 1, 1]


def test_lines_join_back_by_text_when_their_hashes_collide(monkeypatch) -> None:
    # Distinct lines are joined back by a hash of their text, or by the text when two share a hash.
    menu = "Home | World | Business"
    raw = f"{BODY}\n{menu}\n\n{BODY2}\n{menu}\nShare on Facebook"
    expected = clean_documents(docs_frame(raw, raw.upper()))
    hash_ = pl.Series.hash
    monkeypatch.setattr(pl.Series, "hash", lambda self, *a, **k: hash_(self, *a, **k) // 2**63)
    got = clean_documents(docs_frame(raw, raw.upper()))
    assert got.documents.equals(expected.documents)
    assert got.removed_spans.equals(expected.removed_spans)
    assert got.removed_spans["rule"].to_list() == ["navigation", "navigation", "share_widget"] * 2
    assert got.removed_spans["text"].to_list()[2:4] == ["Share on Facebook", menu.upper()]


def test_lines_are_joined_into_one_text_per_document() -> None:
    # sep per line: 0 starts a document, 1 joins with a newline, 2 with a paragraph break; a slice of a
    # Series starts past its buffer's start, and an empty line still takes its separator.
    line = pl.Series(["skip", "Ünïcode first", "second", "", "third", "next doc", "x"]).slice(1)
    sep = pl.Series([0, 1, 2, 1, 0, 0], dtype=pl.Int8)
    assert C._join_lines(line, sep).to_list() == ["Ünïcode first\nsecond\n\n\nthird", "next doc", "x"]
    assert C._join_lines(pl.Series([], dtype=pl.String), pl.Series([], dtype=pl.Int8)).to_list() == []


def test_load_language_model_leaves_no_kernel_to_compile_for_a_batch() -> None:
    from transforms import text

    C.load_language_model()
    kernels = [
        v for m in (C, text) for v in vars(m).values() if hasattr(v, "signatures") and hasattr(v, "py_func")
    ]
    before = [list(k.signatures) for k in kernels]
    assert C._joined in kernels and C._ascii_counts in kernels and text._chunk_ends in kernels
    assert C._class_counts in kernels and C._non_ascii_chars in kernels and text._chunk_parts in kernels
    docs = C.clean_documents(
        docs_frame("Ünïcode text of a long enough article. " * 8, "Another one here. " * 9)
    )
    text.sentence_spans(docs.documents)
    assert [list(k.signatures) for k in kernels] == before


def test_script_counts_are_the_regex_counts_of_each_class() -> None:
    # non-ASCII letters (Han, kana and Hangul are letters too), Han, kana or Hangul; ASCII counts in none
    texts = pl.Series(["Hello", "Café 東京 ひらがな 한국!", "", "Ωmega ½ — ok"])
    letters, han, kana = C._script_counts(texts)
    assert (letters.tolist(), han.tolist(), kana.tolist()) == ([0, 9, 0, 1], [0, 2, 0, 0], [0, 6, 0, 0])
    assert C._script_counts(pl.Series([], dtype=pl.String))[0].tolist() == []


def test_joining_lines_compiles_one_kernel_whatever_the_chunks_of_its_codes() -> None:
    """numba compiles a kernel once per kind of array it is given: the line codes of one chunk came as a
    read-only view, those of several as a writable copy, and a run compiled `_joined` again (~2.5 s)."""
    line = pl.Series(["a", "b", "c"])
    one = pl.Series([0, 1, 0], dtype=pl.Int8)
    many = pl.concat([pl.Series([0, 1], dtype=pl.Int8), pl.Series([0], dtype=pl.Int8)], rechunk=False)
    assert many.n_chunks() == 2
    assert C._join_lines(line, one).to_list() == C._join_lines(line, many).to_list() == ["a\nb", "c"]
    assert C._join_lines(line.head(0), one.head(0)).to_list() == []
    assert len(C._joined.signatures) == 1
