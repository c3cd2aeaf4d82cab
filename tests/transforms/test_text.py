"""Sentence segmentation and offset helpers: literal cases and properties."""

from __future__ import annotations

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from transforms.dedup import minhash_signatures, near_duplicates
from transforms.text import byte_to_char, sentence_spans, slice_spans

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


def test_byte_to_char_on_non_ascii():
    df = pl.DataFrame({"t": ["é “abc” 小米 abc"], "b": [20]})  # byte offset of the last "abc"
    assert df.select(byte_to_char(pl.col("t"), pl.col("b"))).item() == 11


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


def test_slice_spans_of_no_rows():
    docs = pl.DataFrame({"doc_id": ["a"], "text": ["abc"]})
    spans = pl.DataFrame(schema={"doc_id": pl.String, "start": pl.Int64, "end": pl.Int64})
    assert slice_spans(docs, spans).to_list() == []
