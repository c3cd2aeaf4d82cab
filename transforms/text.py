"""Text helpers shared by the stage transforms: offsets and segmentation, as polars expressions."""

from __future__ import annotations

import polars as pl

from warehouse.schemas import Table

# Abbreviations after which a period does not end a sentence (checked on the last token of a chunk).
ABBREVIATIONS = (
    "mr mrs ms dr prof sr jr st inc corp co ltd llc plc gmbh vs etc e.g i.e u.s u.k u.n e.u "
    "jan feb mar apr jun jul aug sep sept oct nov dec no fig approx est dept gov rep sen"
).split()

# One sentence chunk: any run of non-terminators, where a terminator followed by a non-space (3.5, e.g,
# U.S.A) does not end the sentence; then terminators, closing quotes/brackets, and trailing whitespace.
# Consecutive matches cover the whole text, so a cumulative sum of lengths gives offsets.
_TERM = r".!?。！？"
_CHUNK = (
    rf"(?:[^{_TERM}\n]|[{_TERM}]+[^\s{_TERM}])*"
    rf"[{_TERM}]*[\"'”’)\]]*[ \t\r\f\v\u00a0]*\n*[ \t\r\f\v\u00a0\n]*"
)
_ABBREV_TAIL = r"(?i)(?:^|[\s(\"'“])(?:" + "|".join(a.replace(".", r"\.") for a in ABBREVIATIONS) + r")\.\s*$"
_INITIAL_TAIL = r"(?:^|\s)[A-Z]\.\s*$"  # "John F. Kennedy", "U. S."


def frame_schema(table: Table, drop: tuple[str, ...] = ("run_id",)) -> dict[str, pl.DataType]:
    """The polars dtypes of a warehouse table's declared columns (minus the ones a flow adds)."""
    schema = pl.from_arrow(table.schema.empty_table()).schema  # type: ignore[union-attr]
    return {name: dtype for name, dtype in schema.items() if name not in drop}


def byte_to_char(text: pl.Expr, byte_offset: pl.Expr) -> pl.Expr:
    """Convert a UTF-8 byte offset (what polars string search returns) into a character offset."""
    return text.cast(pl.Binary).bin.head(byte_offset).cast(pl.String).str.len_chars().cast(pl.Int64)


def sentence_spans(docs: pl.DataFrame, text_col: str = "text") -> pl.DataFrame:
    """Split each document into sentences: doc_id, sentence_id, paragraph_id, start, end (char offsets).

    Ends exclude trailing whitespace; empty chunks are dropped. Paragraphs break at newlines.
    """
    chunks = (
        docs.lazy()
        .select("doc_id", pl.col(text_col).str.extract_all(_CHUNK).alias("chunk"))
        .explode("chunk")
        .filter(pl.col("chunk").is_not_null() & (pl.col("chunk").str.len_chars() > 0))
        .with_columns(pl.col("chunk").str.len_chars().cast(pl.Int64).alias("n"))
        .with_columns((pl.col("n").cum_sum().over("doc_id") - pl.col("n")).alias("start"))
        .with_columns(
            pl.col("chunk").str.strip_chars_end().str.len_chars().cast(pl.Int64).alias("core"),
            pl.col("chunk").str.contains("\n").alias("ends_par"),
            (pl.col("chunk").str.contains(_ABBREV_TAIL) | pl.col("chunk").str.contains(_INITIAL_TAIL)).alias(
                "abbrev"
            ),
        )
        # A chunk starts a new sentence unless the previous chunk ended on an abbreviation (same line).
        .with_columns(
            (~(pl.col("abbrev") & ~pl.col("ends_par")).shift(1, fill_value=False).over("doc_id")).alias(
                "new_sentence"
            ),
            pl.col("ends_par").shift(1, fill_value=False).over("doc_id").alias("new_par"),
        )
        .with_columns(
            (pl.col("new_sentence").cast(pl.Int32).cum_sum().over("doc_id") - 1).alias("sentence_id"),
            pl.col("new_par").cast(pl.Int32).cum_sum().over("doc_id").alias("paragraph_id"),
        )
        .filter(pl.col("core") > 0)
        .group_by("doc_id", "sentence_id", maintain_order=True)
        .agg(
            pl.col("paragraph_id").first(),
            pl.col("start").first(),
            (pl.col("start") + pl.col("core")).last().alias("end"),
        )
        .with_columns(
            (pl.col("sentence_id").rank("dense").over("doc_id") - 1).cast(pl.Int32).alias("sentence_id"),
            (pl.col("paragraph_id").rank("dense").over("doc_id") - 1).cast(pl.Int32).alias("paragraph_id"),
        )
        .select("doc_id", "sentence_id", "paragraph_id", "start", "end")
    )
    return chunks.collect()
