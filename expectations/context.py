"""What a suite may look at besides the table it checks: the batch's documents and known entities."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from transforms.text import slice_spans


@dataclass(frozen=True)
class Context:
    """Related frames for cross-table rules (offsets into text, references to entities)."""

    documents: pl.DataFrame | None = None  # doc_id, text
    entity_ids: pl.Series | None = None  # every entity id the rows may reference


def slice_matches(df: pl.DataFrame, docs: pl.DataFrame, text_col: str = "text") -> pl.Series:
    """True where `docs.text[start:end] == surface` and the span lies inside the document (linear time:
    `transforms.text.slice_spans`)."""
    sliced = slice_spans(docs, df, text_col)
    ok = (sliced == df.get_column("surface")) & (df.get_column("end") > df.get_column("start"))
    return ok.fill_null(False).alias("ok")
