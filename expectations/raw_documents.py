"""Suite for the ingest stage's output: decoded documents, one per content hash."""

from __future__ import annotations

import polars as pl

from expectations.checks import Check, baseline, derived
from expectations.context import Context
from warehouse.schemas import RAW_DOCUMENTS

TABLE = RAW_DOCUMENTS
DERIVED = ("_raw_text_not_empty",)


def prepare(df: pl.DataFrame, ctx: Context) -> pl.DataFrame:
    """Add `_raw_text_not_empty`, computed in polars so GX never receives the text itself."""
    return df.with_columns((pl.col("raw_text").str.len_bytes() > 0).fill_null(False).alias(DERIVED[0]))


def suite() -> list[Check]:
    return [
        *baseline(TABLE, DERIVED),
        Check(
            "ExpectColumnValuesToMatchRegex",
            {"column": "doc_id", "regex": r"^[0-9a-f]{64}$"},
            why="doc_id is the sha256 hex digest of the raw bytes",
        ),
        derived(DERIVED[0], "empty inputs are quarantined at ingest"),
    ]
