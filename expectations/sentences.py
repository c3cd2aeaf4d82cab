"""Suite for `sentences`: boundaries inside the document."""

from __future__ import annotations

import polars as pl

from expectations.checks import Check, baseline
from expectations.context import Context
from warehouse.schemas import SENTENCES

TABLE = SENTENCES
DERIVED: tuple[str, ...] = ()


def prepare(df: pl.DataFrame, ctx: Context) -> pl.DataFrame:
    return df


def suite() -> list[Check]:
    return [
        *baseline(TABLE),
        Check(
            "ExpectColumnPairValuesAToBeGreaterThanB",
            {"column_A": "end", "column_B": "start"},
            why="a sentence is never empty",
        ),
    ]
