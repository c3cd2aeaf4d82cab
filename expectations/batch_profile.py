"""Suite for `batch_profile`: distribution checks that catch a broken extractor, not a bad row.

A row-level suite passes a batch in which the gazetteer matched nothing or the metric extractor
started reading every year as a figure: each row is still well formed. These checks look at the
batch as a whole through a small profile frame (one row per document) and are warnings: recorded in
`quality_results` and shown in the run report, never blocking a batch. Thresholds are deliberately
generous: they flag an extractor that is off by an order of magnitude, not a quiet news day.
"""

from __future__ import annotations

import dataclasses

import polars as pl

from expectations.checks import Check, baseline
from expectations.context import Context
from expectations.profile_schema import BATCH_PROFILE

TABLE = BATCH_PROFILE
DERIVED: tuple[str, ...] = ()

# Batch-level bounds (see each check's `why`). Module constants so a test or a caller can read them.
MAX_SHARE_WITHOUT_MENTIONS = 0.5
MENTIONS_PER_KCHAR = (0.5, 60.0)
METRICS_PER_KCHAR = (0.01, 20.0)


def profile(documents: pl.DataFrame, mentions: pl.DataFrame, metrics: pl.DataFrame) -> pl.DataFrame:
    """One row per document of the batch: its length, mention and metric counts, and their densities."""
    counts = [
        frame.group_by("doc_id").agg(pl.len().cast(pl.Int64).alias(name))
        for frame, name in ((mentions, "n_mentions"), (metrics, "n_metrics"))
    ]
    per_kchar = pl.when(pl.col("clean_chars") > 0).then(1000.0 / pl.col("clean_chars"))
    return (
        documents.select(pl.col("doc_id"), pl.col("clean_chars").cast(pl.Int64))
        .join(counts[0], on="doc_id", how="left", maintain_order="left")
        .join(counts[1], on="doc_id", how="left", maintain_order="left")
        .with_columns(pl.col("n_mentions", "n_metrics").fill_null(0))
        .with_columns(
            (pl.col("n_mentions") == 0).cast(pl.Float64).alias("no_mentions"),
            (pl.col("n_mentions") * per_kchar).alias("mentions_per_kchar"),
            (pl.col("n_metrics") * per_kchar).alias("metrics_per_kchar"),
        )
        .select(TABLE.columns)
    )


def prepare(df: pl.DataFrame, ctx: Context) -> pl.DataFrame:
    return df


def _warning(check: Check) -> Check:
    return dataclasses.replace(check, severity="warning")


def suite() -> list[Check]:
    # Even the baseline is a warning here: the profile is computed by us, a broken profile must not
    # block data that passed its own critical gates.
    lo_m, hi_m = MENTIONS_PER_KCHAR
    lo_x, hi_x = METRICS_PER_KCHAR
    return [
        *(_warning(c) for c in baseline(TABLE)),
        Check(
            "ExpectColumnMeanToBeBetween",
            {"column": "no_mentions", "min_value": 0.0, "max_value": MAX_SHARE_WITHOUT_MENTIONS},
            severity="warning",
            why=f"the corpus is news about AI companies: if more than {MAX_SHARE_WITHOUT_MENTIONS:.0%} of a "
            "batch's documents mention no known entity, the gazetteer or the matcher is broken "
            "(seeds: 0%); a small batch of off-topic documents can trip it too",
            row_level=False,
        ),
        Check(
            "ExpectColumnMeanToBeBetween",
            {"column": "mentions_per_kchar", "min_value": lo_m, "max_value": hi_m},
            severity="warning",
            why=f"mean entity mentions per 1,000 characters between {lo_m} and {hi_m}: below, the matcher "
            "finds almost nothing; above, it matches common words (seeds: 7 to 14 per document, mean 10)",
            row_level=False,
        ),
        Check(
            "ExpectColumnMeanToBeBetween",
            {"column": "metrics_per_kchar", "min_value": lo_x, "max_value": hi_x},
            severity="warning",
            why=f"mean figures per 1,000 characters between {lo_x} and {hi_x}: at 0 the metric extractor "
            "is silent; above, it reads dates, years or list numbers as figures "
            "(seeds: 0.07 to 1.7 per document, mean 0.9); a batch of a few figure-free documents "
            "can trip the lower bound",
            row_level=False,
        ),
        Check(
            "ExpectColumnValuesToBeBetween",
            {"column": "n_mentions", "min_value": 0, "max_value": 2000},
            severity="warning",
            why="no news article holds 2,000 entity mentions: a runaway match (e.g. a one-letter alias)",
        ),
    ]
