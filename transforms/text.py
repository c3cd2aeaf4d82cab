"""Text helpers shared by the stage transforms: offsets and segmentation, as polars expressions."""

from __future__ import annotations

import numpy as np
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


# Separator candidates for `slice_spans`: NUL (cleaning removes it), then Unicode noncharacters, which
# no well-formed text uses for interchange.
_SEPARATORS = (0x0, 0xFFFF, 0xFFFE, 0x10FFFF, 0x10FFFE)


def slice_spans(docs: pl.DataFrame, spans: pl.DataFrame, text_col: str = "text") -> pl.Series:
    """`text[start:end]` of each span row, in linear time: one gather over the batch's code points.

    docs: doc_id, `text_col` (one row per document). spans: doc_id, start, end (character offsets, end
    exclusive). Returns a String Series aligned with `spans`: null where the document is missing or the
    span does not lie inside it. Polars' `str.slice` walks UTF-8 from the start of the string, so slicing a
    long document once per mention cost O(length x mentions) (a 8 MB document: 59 s in the mentions gate);
    here every document is encoded once as UTF-32 and spans are gathered by index.
    """
    if spans.height == 0:
        return pl.Series("slice", [], dtype=pl.String)
    d = docs.select("doc_id", pl.col(text_col).fill_null("").alias("_t")).unique(
        "doc_id", keep="first", maintain_order=True
    )
    code = np.frombuffer(d.get_column("_t").str.join("").item().encode("utf-32-le"), dtype=np.uint32)
    n = d.get_column("_t").str.len_chars().cast(pl.Int64)
    d = d.select("doc_id", n.alias("_n"), (n.cum_sum() - n).alias("_base"))
    rows = spans.select("doc_id", "start", "end").join(d, on="doc_id", how="left", maintain_order="left")
    valid = (
        rows.select(
            (
                pl.col("_n").is_not_null()
                & (pl.col("start") >= 0)
                & (pl.col("end") >= pl.col("start"))
                & (pl.col("end") <= pl.col("_n"))
            ).fill_null(False)
        )
        .to_series()
        .to_numpy()
    )
    starts = (rows.get_column("_base").fill_null(0) + rows.get_column("start").fill_null(0)).to_numpy()
    lens = np.where(valid, (rows.get_column("end") - rows.get_column("start")).fill_null(0).to_numpy(), 0)
    lens = lens.astype(np.int64)
    sep = next(s for s in _SEPARATORS if not (code == s).any())
    total = int(lens.sum())
    # Output: each span's code points followed by one separator; decoded once, split once.
    out = np.full(total + len(lens), sep, dtype=np.uint32)
    before = np.cumsum(lens) - lens  # chars of earlier spans
    src = np.repeat(starts - before, lens) + np.arange(total)
    dst = np.arange(total) + np.repeat(np.arange(len(lens)), lens)
    out[dst] = code[src]
    joined = out[:-1].tobytes().decode("utf-32-le")
    parts = pl.Series("slice", [joined]).str.split(chr(sep)).explode()
    return parts.set(pl.Series(~valid), None) if not valid.all() else parts


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
