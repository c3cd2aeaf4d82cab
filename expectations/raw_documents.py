"""Suite for the ingest stage's output: decoded documents, one per content hash."""

from __future__ import annotations

import polars as pl

from expectations.checks import Check, baseline
from expectations.context import Context
from warehouse.schemas import RAW_DOCUMENTS

TABLE = RAW_DOCUMENTS
DERIVED: tuple[str, ...] = ()


def prepare(df: pl.DataFrame, ctx: Context) -> pl.DataFrame:
    return df


def suite() -> list[Check]:
    return [
        *baseline(TABLE),
        Check(
            "ExpectColumnValuesToMatchRegex",
            {"column": "doc_id", "regex": r"^[0-9a-f]{64}$"},
            why="doc_id is the sha256 hex digest of the raw bytes",
        ),
        Check(
            "ExpectColumnValueLengthsToBeBetween",
            {"column": "raw_text", "min_value": 1},
            why="empty inputs are quarantined at ingest",
        ),
    ]
