"""Suite for `documents`: the cleaned text every offset refers to."""

from __future__ import annotations

import polars as pl

from expectations.checks import Check, baseline, derived
from expectations.context import Context
from warehouse.schemas import DOCUMENTS

TABLE = DOCUMENTS
DERIVED = ("_clean_chars_match", "_text_not_empty")


def prepare(df: pl.DataFrame, ctx: Context) -> pl.DataFrame:
    """Add `_clean_chars_match` (the stored length is the length of the stored text) and
    `_text_not_empty`: text rules are computed here in polars so GX never receives the text itself."""
    return df.with_columns(
        (pl.col("text").str.len_chars().cast(pl.Int64) == pl.col("clean_chars"))
        .fill_null(False)
        .alias(DERIVED[0]),
        (pl.col("text").str.len_bytes() > 0).fill_null(False).alias(DERIVED[1]),
    )


def suite() -> list[Check]:
    return [
        *baseline(TABLE, DERIVED),
        Check(
            "ExpectColumnValuesToMatchRegex",
            {"column": "doc_id", "regex": r"^[0-9a-f]{64}$"},
            why="doc_id is the sha256 hex digest of the raw bytes",
        ),
        Check(
            "ExpectColumnPairValuesAToBeGreaterThanB",
            {"column_A": "raw_chars", "column_B": "clean_chars", "or_equal": True},
            why="cleaning only removes text: cleaned text is never longer than the raw text",
        ),
        Check(
            "ExpectColumnValuesToMatchRegex",
            {"column": "language", "regex": r"^(?:[a-z]{2,3}|und)$"},
            why="language is an ISO 639 code or `und`",
        ),
        derived(DERIVED[1], "an empty document must be quarantined, not loaded"),
        derived(DERIVED[0], "clean_chars is the character length of text"),
    ]
