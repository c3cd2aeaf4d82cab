"""Suite for `metrics`: values an analyst can sum, in known units, slicing back to their evidence."""

from __future__ import annotations

import polars as pl

from expectations.checks import Check, baseline, derived
from expectations.context import Context, slice_matches
from warehouse.schemas import CURRENCIES, DIRECTIONS, METRICS, OUTLOOKS, UNITS

TABLE = METRICS
DERIVED = ("_surface_matches", "_subject_known", "_value_plausible")

# Largest believable value per unit: beyond these a figure is a parsing error (10^15 parameters is).
_MONEY_MAX = 1e14
MAX_VALUE: dict[str, float] = {
    **{c: _MONEY_MAX for c in CURRENCIES},
    **{f"{c}_per_share": 1e6 for c in CURRENCIES},
    "parameters": 1e14,
    "tokens": 1e16,
    "GPU": 1e8,
    "GPU_hours": 1e12,
    "users": 1.2e10,
    "employees": 1e7,
    "people": 1.2e10,
    "count": 1e13,
    "percent": 1e5,
    "multiplier": 1e4,
    "score": 1e6,
    "rank": 1e6,
    "tokens_per_second": 1e7,
    **{f"{c}_per_million_tokens": 1e6 for c in CURRENCIES},
    "vehicles": 1e9,  # the world's car fleet is about 1.5e9
    "units": 1e13,
    "customers": 1.2e10,
    "ratio": 1.0,  # a share of a whole
    "W": 1e14,  # world electricity generation averages about 3e12 W
    "GWh": 1e8,  # world yearly electricity is about 3e7 GWh
    "t": 1e11,  # world yearly mining of all minerals and fuels is about 2e10 tonnes
    "barrels": 1e13,  # the world's proven oil reserves are about 1.7e12 barrels
    "barrels_per_day": 1e9,  # world oil output is about 1e8 barrels a day
    "oz": 1e11,  # all gold ever mined is about 7e9 troy ounces, yearly silver output about 1e9
    "m2": 1.5e14,  # the Earth's land area
    "TEU": 1e10,  # the world's ports handle about 9e8 TEU a year
    "GB": 1e12,
    "Tbps": 1e7,
    "hours": 1e7,
    "days": 1e6,
    "months": 1e5,
    "years": 1e4,
}


def prepare(df: pl.DataFrame, ctx: Context) -> pl.DataFrame:
    """Add offset, subject-reference and plausibility checks as boolean columns."""
    surface = (
        slice_matches(df, ctx.documents)
        if ctx.documents is not None
        else pl.repeat(True, df.height, eager=True)
    )
    subject = pl.col("subject_entity_id")
    known = (
        subject.is_null() | subject.is_in(ctx.entity_ids.implode())
        if ctx.entity_ids is not None
        else pl.lit(True)
    )
    cap = pl.col("unit").replace_strict(MAX_VALUE, default=None, return_dtype=pl.Float64)
    plausible = (
        pl.col("value").is_finite()
        & (pl.col("value") >= 0)
        & (pl.col("value") <= cap)
        & (
            pl.col("value_high").is_null()
            | (pl.col("value_high").is_finite() & (pl.col("value_high") >= pl.col("value")))
        )
    )
    return df.with_columns(
        surface.alias(DERIVED[0]),
        known.fill_null(False).alias(DERIVED[1]),
        plausible.fill_null(False).alias(DERIVED[2]),
    )


def suite() -> list[Check]:
    return [
        *baseline(TABLE, DERIVED),
        Check(
            "ExpectColumnValuesToBeInSet",
            {"column": "unit", "value_set": list(UNITS)},
            why="units come from the vocabulary in seeds/labels/README.md",
        ),
        Check(
            "ExpectColumnValuesToBeInSet",
            {"column": "direction", "value_set": list(DIRECTIONS)},
            why="a figure rose, fell, or its text does not say (null)",
        ),
        Check(
            "ExpectColumnValuesToBeInSet",
            {"column": "outlook", "value_set": list(OUTLOOKS)},
            why="a figure is stated as expected, or reported / unsaid (null)",
        ),
        Check(
            "ExpectColumnPairValuesAToBeGreaterThanB",
            {"column_A": "end", "column_B": "start"},
            why="a figure's span is never empty",
        ),
        derived(DERIVED[0], "documents.text[start:end] == surface, inside the document"),
        derived(DERIVED[1], "subject_entity_id is null or exists in entities", row_level=False),
        derived(DERIVED[2], "value is finite, non-negative and within the plausible bound for its unit"),
    ]
