"""Decoding: bytes in, text or a reject reason out."""

from __future__ import annotations

import hashlib
import random
from datetime import UTC, datetime

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from transforms import ingest as I
from transforms.ingest import decode_documents

TEXT = "Xiaomi’s MiMo beat rivals — a “first” for the company. 小米"
HTML = (
    "<!DOCTYPE html><html><head><title>Xiaomi unveils MiMo</title>"
    '<meta name="author" content="Jane Doe">'
    '<meta property="article:published_time" content="2025-04-30T08:00:00Z"></head>'
    "<body><nav>Home | News | Tech</nav><article><h1>Xiaomi unveils MiMo</h1>"
    "<p>Xiaomi said on Friday that its new model, MiMo, outperformed larger rivals on maths and coding "
    "benchmarks. The company plans to ship it on phones.</p>"
    "<p>Analysts said the launch puts Xiaomi in a crowded field with Alibaba and ByteDance.</p>"
    "</article><footer>Copyright 2025</footer></body></html>"
)


def raw_frame(*contents: bytes, fmt: str = "txt", **meta) -> pl.DataFrame:
    n = len(contents)
    return pl.DataFrame(
        {
            "source": [f"s{i}" for i in range(n)],
            "content": list(contents),
            "format": [fmt] * n,
            "title": meta.get("title", [None] * n),
            "author": [None] * n,
            "published_at": [None] * n,
            "url": [None] * n,
        },
        schema={
            "source": pl.String,
            "content": pl.Binary,
            "format": pl.String,
            "title": pl.String,
            "author": pl.String,
            "published_at": pl.Datetime("us", "UTC"),
            "url": pl.String,
        },
    )


@pytest.mark.parametrize(
    "content",
    [
        TEXT.encode("utf-8"),
        b"\xef\xbb\xbf" + TEXT.encode("utf-8"),
        TEXT.encode("utf-16"),  # with BOM
        TEXT.encode("utf-16-be").join([b"\xfe\xff", b""]),
        TEXT.encode("utf-32"),
    ],
    ids=["utf8", "utf8_bom", "utf16", "utf16_be_bom", "utf32"],
)
def test_decodes_unicode_encodings(content: bytes) -> None:
    docs, rejects = decode_documents(raw_frame(content))
    assert rejects.height == 0
    assert docs.row(0, named=True) | {"published_at": None} == {
        "doc_id": hashlib.sha256(content).hexdigest(),
        "source": "s0",
        "raw_text": TEXT,
        "title": None,
        "author": None,
        "published_at": None,
        "url": None,
    }


def test_legacy_encoding_is_detected() -> None:
    text = (
        "Le fabricant chinois a présenté vendredi son modèle, qui serait plus performant que ses "
        "concurrents américains en mathématiques et en programmation, a déclaré la société."
    )
    docs, rejects = decode_documents(raw_frame(text.encode("cp1252")))
    assert rejects.height == 0
    assert docs["raw_text"][0] == text


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", I.EMPTY),
        (b" \n\t\r\n ", I.EMPTY),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", I.BINARY),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", I.BINARY),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", I.BINARY),
        (b"GIF89a\x01\x00\x01\x00", I.BINARY),
        (b"PK\x03\x04\x14\x00\x06\x00", I.BINARY),
        (b"plain\x00text\x00with\x00NUL\x00bytes", I.BINARY),
        (bytes(range(1, 9)) * 20 + b"some text", I.BINARY),
        (b"\xef\xbb\xbf\xff\xfe broken", I.UNDECODABLE),
        (b"\x89PNG\r\n\x1a\n" + random.Random(14).randbytes(2048), I.BINARY),
        (random.Random(14).randbytes(2048), I.BINARY),  # no signature: judged by its control bytes
        ("Ferry traffic rose".encode("utf-16-le"), I.BINARY),
    ],
    ids=[
        "empty",
        "whitespace",
        "pdf",
        "png",
        "jpeg",
        "gif",
        "zip",
        "nul",
        "controls",
        "bad_utf8_bom",
        "png_blob",
        "random_blob",
        "utf16_no_bom",
    ],
)
def test_rejects(content: bytes, reason: str) -> None:
    docs, rejects = decode_documents(raw_frame(content))
    assert docs.height == 0
    row = rejects.row(0, named=True)
    assert (row["source"], row["doc_id"], row["reason"]) == (
        "s0",
        hashlib.sha256(content).hexdigest(),
        reason,
    )
    assert row["detail"].endswith(".")


@pytest.mark.parametrize(
    ("content", "text"),
    [
        (b"The messaging app now has 2 million users.\x00", "The messaging app now has 2 million users."),
        (
            b"Bus fares\x00 rose 4% in March\x1b while the city's ridership\x7f fell by a tenth.\r\n",
            "Bus fares rose 4% in March while the city's ridership fell by a tenth.\r\n",
        ),
        (  # a legacy code page: decoded by charset detection, then cleaned the same way
            "Le café du port a vendu 20% de plus\x00 cette année.".encode("cp1252"),
            "Le café du port a vendu 20% de plus cette année.",
        ),
    ],
    ids=["trailing_nul", "controls", "cp1252"],
)
def test_stray_control_bytes_are_removed_not_binary(content: bytes, text: str) -> None:
    docs, rejects = decode_documents(raw_frame(content))
    assert rejects.height == 0
    assert docs.select("doc_id", "raw_text").rows() == [(hashlib.sha256(content).hexdigest(), text)]


def test_binary_detail_gives_the_share() -> None:
    _, rejects = decode_documents(raw_frame(b"ab\x00\x00cdef\x00\x00ghij\x00\x00klmn\x00\x00"))
    assert rejects["detail"].to_list() == [
        "8 of 22 bytes are control bytes such as NUL, far more than text holds: "
        "the content is binary (or UTF-16 without a byte order mark)."
    ]


def test_text_that_mentions_pdf_is_not_binary() -> None:
    content = b"The %PDF header marks a PDF file; Xiaomi published its report as one."
    docs, rejects = decode_documents(raw_frame(content))
    assert (docs.height, rejects.height) == (1, 0)


def test_html_main_text_and_metadata() -> None:
    docs, rejects = decode_documents(raw_frame(HTML.encode(), fmt="html"))
    assert rejects.height == 0
    doc = docs.row(0, named=True)
    assert "Xiaomi said on Friday" in doc["raw_text"]
    assert "Home | News" not in doc["raw_text"] and "<p>" not in doc["raw_text"]
    assert (doc["title"], doc["author"]) == ("Xiaomi unveils MiMo", "Jane Doe")
    assert doc["published_at"] == datetime(2025, 4, 30, tzinfo=UTC)


def test_every_copy_of_a_syndicated_page_keeps_its_text() -> None:
    # The same story on five sites (bytes differ): each copy is extracted alike, whatever came before.
    pages = [(HTML + f"<!-- site {i} -->").encode() for i in range(5)]
    docs, rejects = decode_documents(raw_frame(*pages, fmt="html"))
    assert rejects.height == 0
    assert docs["raw_text"].n_unique() == 1 and docs.height == 5
    assert docs["raw_text"][0].startswith("Xiaomi unveils MiMo\nXiaomi said on Friday")


def test_html_page_sniffed_in_txt_and_given_title_kept() -> None:
    docs, _ = decode_documents(raw_frame(HTML.encode(), fmt="txt", title=["Given title"]))
    doc = docs.row(0, named=True)
    assert "<html" not in doc["raw_text"]
    assert doc["title"] == "Given title"


def test_html_without_text_is_rejected() -> None:
    docs, rejects = decode_documents(
        raw_frame(b"<html><body><script>var x=1;</script></body></html>", fmt="html")
    )
    assert docs.height == 0
    assert rejects["reason"].to_list() == [I.NO_MAIN_TEXT]


def test_plain_text_with_angle_brackets_is_not_html() -> None:
    content = b"Revenue rose <5% while costs fell >3%, the <company> said."
    docs, _ = decode_documents(raw_frame(content))
    assert docs["raw_text"].to_list() == [content.decode()]


def test_schema_and_mixed_batch() -> None:
    docs, rejects = decode_documents(raw_frame(TEXT.encode(), b"", b"%PDF-1.4"))
    assert docs.schema == pl.Schema(I.DOCUMENT_COLUMNS)
    assert rejects.schema == pl.Schema(I.REJECT_COLUMNS)
    assert docs["source"].to_list() == ["s0"]
    assert rejects["reason"].to_list() == [I.EMPTY, I.BINARY]


def test_minimal_columns() -> None:
    raw = pl.DataFrame({"source": ["a"], "content": [b"hello"], "format": ["txt"]})
    docs, _ = decode_documents(raw)
    assert docs.schema == pl.Schema(I.DOCUMENT_COLUMNS)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.binary(max_size=300), min_size=1, max_size=5))
def test_any_bytes_are_decoded_or_rejected(contents: list[bytes]) -> None:
    docs, rejects = decode_documents(raw_frame(*contents))
    assert docs.height + rejects.height == len(contents)
    assert set(rejects["reason"]) <= {I.EMPTY, I.BINARY, I.UNDECODABLE, I.NO_MAIN_TEXT}


CONSENT = (
    "<div class='consent-banner' id='cmp'>"
    "<p>We value your privacy. We and our 842 partners store and/or access information on a device, such "
    "as cookies, and process personal data, such as unique identifiers and standard information sent by "
    "a device, for personalised advertising and content, advertising and content measurement, audience "
    "research and services development.</p>"
    "<p>With your permission we and our partners may use precise geolocation data and identification "
    "through device scanning. You may click to consent to our and our partners' processing as described "
    "above. Alternatively you may access more detailed information and change your preferences before "
    "consenting or to refuse consenting.</p>"
    "<button>Accept all</button><button>Manage preferences</button></div>"
)
FERRY = [
    "Tidewater Ferries will add three electric vessels to its harbour routes next year, the operator said "
    "on Wednesday, after passenger numbers climbed 18% in the first nine months.",
    "The new boats, built at a yard in Gdansk for a combined 96 million euros, each carry 400 passengers "
    "and recharge in twelve minutes at the terminal, chief executive Marta Lindqvist told reporters.",
    "Lindqvist said the company expected to retire its last diesel ferry by 2028 and would hire 60 crew "
    "members to run the extra crossings.",
]


def consent_page(article: str) -> bytes:
    return (
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>Tidewater Ferries expands</title></head>"
        f"<body>{CONSENT}<header><nav><a href='/'>Home</a> <a href='/b'>Business</a></nav></header>"
        f"{article}<footer>Contact us</footer></body></html>"
    ).encode()


@pytest.mark.parametrize(
    "wrapper",
    [
        "<aside class='entry-content'>{}</aside>",  # trafilatura's recall-oriented extraction finds it
        # a letters page's column: trafilatura drops it even recall-oriented; the largest block has it
        "<div class='comments'>{}</div>",
    ],
    ids=["aside", "comments_div"],
)
def test_consent_banner_is_never_stored_as_the_article(wrapper: str) -> None:
    # trafilatura's precise extraction returns the banner on these pages.
    page = consent_page(wrapper.format("".join(f"<p>{p}</p>" for p in FERRY)))
    docs, rejects = decode_documents(raw_frame(page, fmt="html"))
    assert rejects.height == 0
    assert docs.select("raw_text", "title").rows() == [("\n".join(FERRY), "Tidewater Ferries expands")]


def test_banner_only_page_has_no_main_text() -> None:
    docs, rejects = decode_documents(raw_frame(consent_page(""), fmt="html"))
    assert docs.height == 0
    assert rejects.select("reason", "detail").rows() == [
        (
            I.NO_MAIN_TEXT,
            "The HTML page holds only a consent, cookie or subscription banner, no article text.",
        )
    ]


@pytest.mark.parametrize(
    ("text", "share"),
    [
        ("We value your privacy. We and our partners use cookies to personalise ads.", 1.0),
        ("Subscribe now for unlimited access. Already a subscriber? Sign in to your account.", 1.0),
        ("Wir verwenden Cookies, um Ihre Erfahrung zu verbessern. Mehr dazu lesen.", 0.5),
        # Third-person news about privacy or subscriptions is not a banner.
        (
            "The regulator fined the retailer 2 million euros over its cookie consent pop-ups. The company "
            "said it would appeal. Streaming subscriptions rose 9% to 41 million.",
            0.0,
        ),
        ("\u201cWe value your privacy,\u201d a spokesperson said. Our partners agree, he told us.", 0.0),
        ("", 0.0),
    ],
    ids=["consent", "paywall", "german", "news_about_privacy", "quoted", "empty"],
)
def test_consent_share_is_a_kind_of_sentence(text: str, share: float) -> None:
    assert I.consent_share(text) == share


def test_a_copyright_year_in_the_footer_is_no_publication_date() -> None:
    body = "<p>" + "Xiaomi said on Tuesday that MiMo is open to developers worldwide. " * 4 + "</p>"
    footer = "<footer>Copyright 2019 Example Media</footer>"
    stated = '<meta property="article:published_time" content="2026-11-29T08:00:00Z">'
    pages = [
        f"<html><head><title>MiMo</title></head><body><article>{body}</article>{footer}</body></html>",
        f"<html><head>{stated}<title>MiMo</title></head><body><article>{body}</article>{footer}</body></html>",
    ]
    docs, _ = decode_documents(raw_frame(*(p.encode() for p in pages), fmt="html"))
    assert docs["published_at"].to_list() == [None, datetime(2026, 11, 29, tzinfo=UTC)]
