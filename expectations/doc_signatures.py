"""Suite for `doc_signatures`: one fixed-length MinHash per document."""

from __future__ import annotations

import polars as pl

from expectations.checks import Check, baseline, derived
from expectations.context import Context
from warehouse.schemas import DOC_SIGNATURES

TABLE = DOC_SIGNATURES
DERIVED = ("_signature_length_ok",)
NUM_PERM = 128  # transforms.dedup.NUM_PERM: signatures of another length cannot be compared


def prepare(df: pl.DataFrame, ctx: Context) -> pl.DataFrame:
    return df.with_columns((pl.col("signature").list.len() == NUM_PERM).fill_null(False).alias(DERIVED[0]))


def suite() -> list[Check]:
    return [*baseline(TABLE, DERIVED), derived(DERIVED[0], f"every signature has {NUM_PERM} values")]
