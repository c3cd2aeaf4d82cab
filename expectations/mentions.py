"""Suite for `mentions`: every mention slices back to its surface and names a known entity."""

from __future__ import annotations

import polars as pl

from expectations.checks import Check, baseline, derived
from expectations.context import Context, slice_matches
from warehouse.schemas import MENTIONS

TABLE = MENTIONS
DERIVED = ("_surface_matches", "_entity_known")


def prepare(df: pl.DataFrame, ctx: Context) -> pl.DataFrame:
    """Add the offset check against the batch's documents and the reference check against entities."""
    surface = (
        slice_matches(df, ctx.documents)
        if ctx.documents is not None
        else pl.repeat(True, df.height, eager=True)
    )
    known = (
        df.get_column("entity_id").is_in(ctx.entity_ids.implode())
        if ctx.entity_ids is not None
        else pl.repeat(True, df.height, eager=True)
    )
    return df.with_columns(surface.alias(DERIVED[0]), known.fill_null(False).alias(DERIVED[1]))


def suite() -> list[Check]:
    return [
        *baseline(TABLE, DERIVED),
        Check(
            "ExpectColumnValuesToBeBetween", {"column": "start", "min_value": 0}, why="offsets are 0-based"
        ),
        Check(
            "ExpectColumnPairValuesAToBeGreaterThanB",
            {"column_A": "end", "column_B": "start"},
            why="end is exclusive and a mention is never empty",
        ),
        Check(
            "ExpectColumnValuesToBeBetween",
            {"column": "confidence", "min_value": 0.0, "max_value": 1.0},
            why="confidence is a probability",
        ),
        Check(
            "ExpectColumnValuesToBeInSet",
            {"column": "method", "value_set": ["gazetteer", "pattern", "registry"]},
            why="how the mention was found",
        ),
        derived(DERIVED[0], "documents.text[start:end] == surface, inside the document"),
        derived(DERIVED[1], "every mentions.entity_id exists in entities", row_level=False),
    ]
