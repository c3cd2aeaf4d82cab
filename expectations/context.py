"""What a suite may look at besides the table it checks: the batch's documents and known entities."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl


@dataclass(frozen=True)
class Context:
    """Related frames for cross-table rules (offsets into text, references to entities)."""

    documents: pl.DataFrame | None = None  # doc_id, text
    entity_ids: pl.Series | None = None  # every entity id the rows may reference


def slice_matches(df: pl.DataFrame, docs: pl.DataFrame, text_col: str = "text") -> pl.Series:
    """True where `docs.text[start:end] == surface` and the span lies inside the document."""
    joined = df.select("doc_id", "start", "end", "surface").join(
        docs.select("doc_id", pl.col(text_col).alias("_doc_text")),
        on="doc_id",
        how="left",
        maintain_order="left",
    )
    n = pl.col("_doc_text").str.len_chars()
    ok = (
        pl.col("_doc_text").is_not_null()
        & (pl.col("start") >= 0)
        & (pl.col("end") > pl.col("start"))
        & (pl.col("end") <= n)
        & (
            pl.col("_doc_text").str.slice(pl.col("start"), pl.col("end") - pl.col("start"))
            == pl.col("surface")
        )
    )
    return joined.select(ok.fill_null(False).alias("ok")).to_series()
