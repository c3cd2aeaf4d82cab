"""Sentence segmentation and offset helpers: literal cases and properties."""

from __future__ import annotations

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from transforms.dedup import minhash_signatures, near_duplicates
from transforms.text import (
    _CHUNK,
    _CHUNK_CLASSES,
    MAX_SENTENCE_CHARS,
    _abbreviation_ends,
    _abbreviations,
    _chunk_bounds,
    _chunk_parts,
    _chunks,
    byte_to_char,
    sentence_spans,
    slice_spans,
    spelled,
)

NO_WORDS = [2**64 - 1] * 128  # the MinHash signature of an empty shingle set: every slot at the maximum
TEXT = (
    "Xiaomi rose 5.3% on Friday. Mr. Lei Jun said so! The U.S. market fell.\nNew para here? Yes\n\nLast one"
)


def test_sentences_with_abbreviations_decimals_and_paragraphs():
    s = sentence_spans(pl.DataFrame({"doc_id": ["a"], "text": [TEXT]}))
    got = [
        (r["sentence_id"], r["paragraph_id"], TEXT[r["start"] : r["end"]]) for r in s.iter_rows(named=True)
    ]
    assert got == [
        (0, 0, "Xiaomi rose 5.3% on Friday."),
        (1, 0, "Mr. Lei Jun said so!"),
        (2, 0, "The U.S. market fell."),
        (3, 1, "New para here?"),
        (4, 1, "Yes"),
        (5, 2, "Last one"),
    ]


def _sentences(text: str) -> list[str]:
    s = sentence_spans(pl.DataFrame({"doc_id": ["a"], "text": [text]}))
    return [text[a:b] for a, b in zip(s["start"], s["end"], strict=True)]


def test_continental_abbreviations_do_not_end_a_sentence():
    # the short forms of continental news ("z.B.", "bzw.", "ca.", "Nr.", "d.h.") never end one
    assert _sentences("Das Werk Nr. 4 baut z.B. Achsen bzw. Motoren, d.h. ca. 40 Teile. Es wuchs.") == [
        "Das Werk Nr. 4 baut z.B. Achsen bzw. Motoren, d.h. ca. 40 Teile.",
        "Es wuchs.",
    ]


def test_a_scale_abbreviation_ends_a_sentence_only_before_a_new_one():
    # before a currency, a number or a lower-case word the sentence goes on; before a capital it ends
    text = (
        "Umsatz 1.500 Mio. EUR und 9,5 Mrd. Euro, dann 3 Mrd. € bzw. 4 Mio. US-Dollar und 2 Tsd. 5 Stück. "
        "Der Gewinn lag bei 2 Mrd. Im Vorjahr waren es 4 Mio. und mehr."
    )
    assert _sentences(text) == [
        "Umsatz 1.500 Mio. EUR und 9,5 Mrd. Euro, dann 3 Mrd. € bzw. 4 Mio. US-Dollar und 2 Tsd. 5 Stück.",
        "Der Gewinn lag bei 2 Mrd.",
        "Im Vorjahr waren es 4 Mio. und mehr.",
    ]


def test_abbreviation_ends_of_chunks():
    # a title, a scale abbreviation the next chunk continues (lower case) or not (a capital), an initial,
    # and a scale abbreviation in the last chunk, which no chunk continues
    chunks = pl.Series(
        [
            "Dr. ",
            "Smith came. ",
            "It was 2 Mrd. ",
            "euro. ",
            "Sum 3 Mio. ",
            "Then more. ",
            "J. ",
            "last 4 mio. ",
        ]
    )
    assert _abbreviation_ends(chunks).to_list() == [True, False, True, False, False, False, True, False]
    assert _abbreviation_ends(pl.Series([], dtype=pl.String)).to_list() == []


def test_chunks_of_a_text_by_the_compiled_scan():
    # a terminator run glued to a word, a quote after a terminator (not whitespace: the sentence goes on),
    # "\u3000" (whitespace, but no tail space), a fullwidth stop, no-break spaces (tail spaces, or text
    # where no terminator precedes them), a blank line, and texts that are null, empty or without a stop
    text = 'Vol. 2 is out...now? Yes." She left!  \n\nWait.\u3000Here。 Then\u00a0\u00a0\nEnd'
    rows, chunks = _chunks(pl.Series([text, None, "", "no stop"]))
    assert rows.tolist() == [0, 0, 0, 0, 0, 0, 0, 3]
    assert chunks.to_list() == [
        "Vol. ",
        "2 is out...now? ",
        'Yes." She left!  \n\n',
        "Wait.",
        "\u3000Here。 ",
        "Then\u00a0\u00a0\n",
        "End",
        "no stop",
    ]
    regex = pl.Series([text]).str.extract_all(_CHUNK).explode()
    assert chunks.head(7).to_list() == regex.filter(regex != "").to_list()


# Characters of every class the chunk regex tells apart, and others (ASCII, Latin-1, CJK, an emoji).
_CHUNK_ALPHABET = "a.!?。！？\n \t\r\x0b\x0c\u00a0\u3000\u2028\u0085\"'”’)]é中😀"


@given(st.lists(st.text(alphabet=_CHUNK_ALPHABET, max_size=40), max_size=4))
@settings(max_examples=300, deadline=None)
def test_chunks_are_the_regex_matches(texts):
    rows, chunks = _chunks(pl.Series(texts, dtype=pl.String))
    want = (
        pl.DataFrame({"t": texts}, schema={"t": pl.String})
        .select(pl.col("t").str.extract_all(_CHUNK))
        .with_row_index("row")
        .explode("t")
        .filter(pl.col("t").str.len_bytes() > 0)
    )
    assert rows.tolist() == want["row"].to_list()
    assert chunks.to_list() == want["t"].to_list()


def test_byte_to_char_on_non_ascii():
    df = pl.DataFrame({"t": ["é “abc” 小米 abc"], "b": [20]})  # byte offset of the last "abc"
    assert df.select(byte_to_char(pl.col("t"), pl.col("b"))).item() == 11


def test_sentences_of_several_documents_are_numbered_per_document():
    texts = [
        "",
        "  \n ",
        "\nLead. Mr. Smith went.\n\n  \nNext para.",
        "One.  Two",
        "Dr. Who?\nYes. ",
        "  a  ",
    ]
    s = sentence_spans(pl.DataFrame({"doc_id": [f"d{i}" for i in range(len(texts))], "text": texts}))
    assert s.rows() == [
        ("d2", 0, 0, 1, 6),  # a leading newline alone is no sentence and no paragraph
        ("d2", 1, 0, 7, 22),
        ("d2", 2, 1, 27, 37),  # a whitespace-only line between two newlines adds no paragraph
        ("d3", 0, 0, 0, 4),
        ("d3", 1, 0, 6, 9),
        ("d4", 0, 0, 0, 8),
        ("d4", 1, 1, 9, 13),
        ("d5", 0, 0, 0, 3),
    ]
    assert s.schema == pl.Schema(
        {
            "doc_id": pl.String,
            "sentence_id": pl.Int32,
            "paragraph_id": pl.Int32,
            "start": pl.Int64,
            "end": pl.Int64,
        }
    )


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(max_size=300), min_size=1, max_size=4))
def test_sentences_lie_inside_the_text_in_order(texts):
    docs = pl.DataFrame({"doc_id": [str(i) for i in range(len(texts))], "text": texts})
    s = sentence_spans(docs)
    for r in s.iter_rows(named=True):
        text = texts[int(r["doc_id"])]
        assert 0 <= r["start"] < r["end"] <= len(text)
        assert text[r["start"] : r["end"]] != ""
    for _, g in s.group_by("doc_id"):
        starts = g.sort("sentence_id").get_column("start").to_list()
        assert starts == sorted(starts)


@settings(max_examples=30, deadline=None)
@given(st.lists(st.text(max_size=200), min_size=1, max_size=4))
def test_minhash_never_raises_and_a_document_is_its_own_duplicate(texts):
    docs = pl.DataFrame({"doc_id": [f"d{i}" for i in range(len(texts))], "text": texts})
    sigs = minhash_signatures(docs)
    assert sigs.height == len(texts)
    assert sigs.get_column("signature").list.len().unique().to_list() == [128]
    near_duplicates(sigs)  # any input: no exception
    # Each document arrives again under another id: every copy with words is found in the prior set,
    # as a duplicate of its original or of an earlier original at least as similar.
    copies = sigs.with_columns(("c" + pl.col("doc_id")).alias("doc_id"))
    got = near_duplicates(copies, prior=sigs)
    worded = [i for i, sig in enumerate(sigs.get_column("signature").to_list()) if sig != NO_WORDS]
    assert sorted(got.get_column("doc_id").to_list()) == [f"cd{i}" for i in worded]
    for copy, original in got.iter_rows():
        assert int(original.removeprefix("d")) <= int(copy.removeprefix("cd")), (copy, original)


def test_slice_spans_gathers_code_points_across_documents():
    docs = pl.DataFrame({"doc_id": ["a", "b"], "text": ["é “abc” 小米 abc", "hello\x00world"]})
    spans = pl.DataFrame(
        {
            "doc_id": ["b", "a", "a", "z", "a", "b", "b", "a"],
            "start": [6, 2, 8, 0, 5, 0, 3, -1],
            "end": [11, 7, 10, 1, 99, 5, 3, 2],
        }
    )
    # a missing document, a span past the end and a negative start give null; an empty span gives "".
    assert slice_spans(docs, spans).to_list() == ["world", "“abc”", "小米", None, None, "hello", "", None]


def test_slice_spans_longer_than_a_view_prefix_in_several_buffers(monkeypatch):
    # Strings past 12 bytes point into the text instead of being inlined; a tiny buffer size splits the
    # batch into one data buffer per document, as text past int32 offsets would be.
    import transforms.text as text_module

    docs = pl.DataFrame(
        {"doc_id": ["a", "e", "b"], "text": ["Ünïcode text, ünïcode text.", None, "小米汽车 sold 多 cars"]}
    )
    spans = pl.DataFrame({"doc_id": ["b", "a", "e", "a"], "start": [0, 0, 0, 14], "end": [16, 27, 0, 27]})
    want = ["小米汽车 sold 多 cars", "Ünïcode text, ünïcode text.", "", "ünïcode text."]
    assert slice_spans(docs, spans).to_list() == want
    monkeypatch.setattr(text_module, "_VIEW_BUFFER_BYTES", 8)
    got = slice_spans(docs, spans)
    assert got.to_list() == want
    assert got.filter(got.str.contains("text")).to_list() == [want[1], want[3]]
    # A short (inlined) slice compares equal to the same string built by polars.
    short = pl.DataFrame({"doc_id": ["a", "a"], "start": [8, 22], "end": [12, 26]})
    assert (slice_spans(docs, short) == pl.Series(["text", "text"])).to_list() == [True, True]


def test_slice_spans_of_empty_texts():
    # No text bytes at all: empty spans are "" and a span past the end is null.
    docs = pl.DataFrame({"doc_id": ["a", "b"], "text": ["", None]})
    spans = pl.DataFrame({"doc_id": ["a", "b", "a"], "start": [0, 0, 0], "end": [0, 0, 1]})
    assert slice_spans(docs, spans).to_list() == ["", "", None]
    # A batch shorter than an inlined prefix (12 bytes), and spans in the last 12 bytes of a longer one.
    short = pl.DataFrame({"doc_id": ["a"], "text": ["abc"]})
    spans = pl.DataFrame({"doc_id": ["a", "a"], "start": [0, 1], "end": [3, 2]})
    assert slice_spans(short, spans).to_list() == ["abc", "b"]
    longer = pl.DataFrame({"doc_id": ["a"], "text": ["an example sentence"]})
    spans = pl.DataFrame({"doc_id": ["a", "a", "a"], "start": [11, 3, 18], "end": [19, 10, 19]})
    assert slice_spans(longer, spans).to_list() == ["sentence", "example", "e"]


def test_slice_spans_of_no_rows():
    docs = pl.DataFrame({"doc_id": ["a"], "text": ["abc"]})
    spans = pl.DataFrame(schema={"doc_id": pl.String, "start": pl.Int64, "end": pl.Int64})
    assert slice_spans(docs, spans).to_list() == []


@settings(max_examples=30, deadline=None)
@given(st.text(max_size=200))
def test_a_document_is_exactly_its_own_near_duplicate(text):
    sigs = minhash_signatures(pl.DataFrame({"doc_id": ["orig"], "text": [text]}))
    copy = sigs.with_columns(pl.lit("copy").alias("doc_id"))
    expected = [] if sigs.get_column("signature").to_list() == [NO_WORDS] else [("copy", "orig")]
    assert near_duplicates(copy, prior=sigs).rows() == expected
    assert near_duplicates(pl.concat([sigs, copy])).rows() == expected


def test_a_text_without_words_has_the_empty_signature_and_no_duplicate():
    sigs = minhash_signatures(pl.DataFrame({"doc_id": ["a", "b", "c"], "text": ["", "-- !", "one word"]}))
    assert sigs.get_column("signature").to_list()[:2] == [NO_WORDS, NO_WORDS]
    assert sigs.get_column("signature").to_list()[2] != NO_WORDS
    assert near_duplicates(sigs).rows() == []


def test_chunk_parts_are_counted_from_the_chunk_end():
    # characters, characters without trailing whitespace, a newline, and the tail the abbreviation
    # rules read: from the whitespace before the last word ("\u3000" too), or the whole chunk
    texts = pl.Series(["Tea (Dr. Who. Then\u3000U.S. 東京。 Bye!\u00a0\n\n", "x", "  "])
    data, rows, starts, ends = _chunk_bounds(texts)
    chars, core, newline, tail = _chunk_parts(data, starts, ends, _CHUNK_CLASSES)
    chunks = spelled(data, starts, ends - starts)
    assert chunks.to_list() == [
        "Tea (Dr. ",
        "Who. ",
        "Then\u3000U.S. ",
        "東京。 ",
        "Bye!\u00a0\n\n",
        "x",
        "  ",
    ]
    assert rows.tolist() == [0, 0, 0, 0, 0, 1, 2]
    assert chars.tolist() == [9, 5, 10, 4, 7, 1, 2]
    assert core.tolist() == [8, 4, 9, 3, 4, 1, 0]
    assert newline.tolist() == [False, False, False, False, True, False, False]
    tails = spelled(data, tail, ends - tail)
    assert tails.to_list() == [" (Dr. ", "Who. ", "\u3000U.S. ", "東京。 ", "Bye!\u00a0\n\n", "x", "  "]
    assert _abbreviations(tails, chunks.gather).to_list() == [True, False, True, False, False, False, False]


# --- over-long sentences ------------------------------------------------------------------------------


def _pieces(text: str) -> list[str]:
    s = sentence_spans(pl.DataFrame({"doc_id": ["d"], "text": [text]}))
    assert s.get_column("sentence_id").to_list() == list(range(s.height))
    return [text[a:b] for a, b in zip(s["start"], s["end"], strict=True)]


def test_a_sentence_without_punctuation_is_cut_at_the_last_whitespace_before_each_cut_point() -> None:
    text = "word " * 500  # 2,500 characters, no terminator: one sentence before
    s = sentence_spans(pl.DataFrame({"doc_id": ["d"], "text": [text]}))
    # cut point 1,400; the last space before it with a word after it in the window is at 1,394
    assert s.select("sentence_id", "paragraph_id", "start", "end").rows() == [
        (0, 0, 0, 1394),
        (1, 0, 1395, 2499),
    ]
    # a stretch with no whitespace is cut hard, at the cut point
    assert _pieces("x" * 2500) == ["x" * 1400, "x" * 1100]


def test_an_over_long_sentence_is_cut_at_a_bullet_dash_before_a_clause_mark_before_a_space() -> None:
    head = "Acme said " + "results rose " * 80  # 1,050 characters
    bullet = "- Beta grew, then " + "more words " * 30  # a dash, then a comma, then spaces before 1,400
    text = head + bullet + "tail " * 200 + "end."
    pieces = _pieces(text)
    assert pieces[0] == head.rstrip()
    assert pieces[1].startswith("- Beta grew, then")
    no_dash = text.replace("- Beta", "Beta")
    assert _pieces(no_dash)[0].endswith("Beta grew,")  # the clause mark, next


def test_sentences_are_at_most_max_sentence_chars_and_cover_the_text_in_order() -> None:
    words = ["alpha", "beta,", "gamma;", "- delta", "x" * 300, "12%", "$3 billion"]
    text = " ".join(words[(i * 7) % len(words)] for i in range(3000)) + "\n" + "Short one. Done."
    pieces = _pieces(text)
    assert max(len(p) for p in pieces) <= MAX_SENTENCE_CHARS
    assert pieces[-2:] == ["Short one.", "Done."]
    assert "".join(pieces).replace(" ", "") == text.replace(" ", "").replace("\n", "")
    # sentences of real length are left whole
    assert _pieces("A normal sentence, of some length. " * 3) == ["A normal sentence, of some length."] * 3
