"""Suite for `removed_spans`: the audit trail of cleaning."""

from __future__ import annotations

import polars as pl

from expectations.checks import Check, baseline
from expectations.context import Context
from warehouse.schemas import REMOVED_SPANS

TABLE = REMOVED_SPANS
DERIVED: tuple[str, ...] = ()


def prepare(df: pl.DataFrame, ctx: Context) -> pl.DataFrame:
    return df


def suite() -> list[Check]:
    return [
        *baseline(TABLE),
        Check(
            "ExpectColumnPairValuesAToBeGreaterThanB",
            {"column_A": "end", "column_B": "start"},
            why="a removal always cuts something",
        ),
    ]
