"""Suite for `entities`: canonical ids, names and types."""

from __future__ import annotations

import polars as pl

from expectations.checks import Check, baseline
from expectations.context import Context
from warehouse.schemas import ENTITIES, ENTITY_TYPES

TABLE = ENTITIES
DERIVED: tuple[str, ...] = ()


def prepare(df: pl.DataFrame, ctx: Context) -> pl.DataFrame:
    return df


def suite() -> list[Check]:
    return [
        *baseline(TABLE),
        Check(
            "ExpectColumnValuesToBeInSet",
            {"column": "type", "value_set": list(ENTITY_TYPES)},
            why="the entity types of seeds/labels/README.md",
        ),
        Check(
            "ExpectColumnValuesToBeInSet",
            {"column": "method", "value_set": ["gazetteer", "pattern"]},
            why="where the entity comes from",
        ),
        Check(
            "ExpectColumnValuesToMatchRegex",
            {"column": "entity_id", "regex": r"^[a-z]+:\S+$"},
            why="ids are `<type>:<slug>` so they are stable across runs",
        ),
    ]
