"""Parquet files written atomically and read back in their declared schema."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable
from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from warehouse.schemas import Table


def conform(df: pl.DataFrame, table: Table) -> pa.Table:
    """Select the table's columns in schema order and cast to its declared pyarrow types.

    Columns the frame lacks are added as nulls, so a stage can leave optional columns to later stages.
    """
    n = df.height
    arrays = []
    for f in table.schema:
        if f.name in df.columns:
            arr = df.get_column(f.name).to_arrow()
            if isinstance(arr, pa.ChunkedArray):
                arr = arr.combine_chunks()
            if arr.type != f.type:
                arr = arr.cast(f.type)
        else:
            arr = pa.nulls(n, f.type)
        arrays.append(arr)
    return pa.Table.from_arrays(arrays, schema=table.schema)


def fsync_dir(path: Path) -> None:
    """Make a rename inside `path` durable."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _replace_atomic(path: Path, write: Callable[[Path], object], durable: bool = True) -> Path:
    """Write `path` through `write(tmp)` under a temporary name, fsync, rename: all of it or nothing.

    A failed write (disk full, file size limit) raises and leaves the old file, and no tmp file.
    `durable=False` skips both fsyncs (the rename stays atomic: a reader never sees half a file).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        write(tmp)
        if durable:
            with open(tmp, "rb") as fh:
                os.fsync(fh.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    if durable:
        fsync_dir(path.parent)
    return path


def write_atomic(data: pa.Table, path: Path, durable: bool = True) -> Path:
    """Write a Parquet file under a temporary name, fsync it, then rename it into place."""
    return _replace_atomic(path, lambda tmp: pq.write_table(data, tmp, compression="zstd"), durable)


def write_text_atomic(text: str, path: Path, durable: bool = True) -> Path:
    """Write a text file (a JSON report) atomically: a reader never sees it half-written."""
    return _replace_atomic(path, lambda tmp: tmp.write_text(text, encoding="utf-8"), durable)


def write_table(df: pl.DataFrame, table: Table, path: Path, durable: bool = True) -> Path:
    """Conform `df` to `table`'s schema and write it atomically to `path`."""
    return write_atomic(conform(df, table), path, durable)


# A run's staging files (a batch's tables, gate results) are renamed into place but not fsynced: after
# a crash the next run deletes the whole staging dir (catalog.remove_orphans), and the load fsyncs the
# table files it commits. A 13-document run staged 28 files: 56 fsyncs the commit never relied on.
def stage_table(df: pl.DataFrame, table: Table, path: Path) -> Path:
    """`write_table` for a run's staging file: atomic, not fsynced."""
    return write_table(df, table, path, durable=False)


def stage_text(text: str, path: Path) -> Path:
    """`write_text_atomic` for a run's staging file: atomic, not fsynced."""
    return write_text_atomic(text, path, durable=False)


def read_table(path: Path | str, table: Table, columns: list[str] | None = None) -> pl.DataFrame:
    """Read a Parquet file written for `table`, cast back to the declared schema; only `columns` (in
    that order) when given, as a stage that needs a few columns of a wide table holds only those."""
    schema = table.schema if columns is None else pa.schema([table.schema.field(c) for c in columns])
    return pl.from_arrow(pq.read_table(path, columns=columns).cast(schema))  # type: ignore[return-value]


def empty(table: Table) -> pl.DataFrame:
    """An empty frame with the table's schema."""
    return pl.from_arrow(table.schema.empty_table())  # type: ignore[return-value]
