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


def _replace_atomic(path: Path, write: Callable[[Path], object]) -> Path:
    """Write `path` through `write(tmp)` under a temporary name, fsync, rename: all of it or nothing.

    A failed write (disk full, file size limit) raises and leaves the old file, and no tmp file.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        write(tmp)
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    fsync_dir(path.parent)
    return path


def write_atomic(data: pa.Table, path: Path) -> Path:
    """Write a Parquet file under a temporary name, fsync it, then rename it into place."""
    return _replace_atomic(path, lambda tmp: pq.write_table(data, tmp, compression="zstd"))


def write_text_atomic(text: str, path: Path) -> Path:
    """Write a text file (a JSON report) atomically: a reader never sees it half-written."""
    return _replace_atomic(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def write_table(df: pl.DataFrame, table: Table, path: Path) -> Path:
    """Conform `df` to `table`'s schema and write it atomically to `path`."""
    return write_atomic(conform(df, table), path)


def read_table(path: Path | str, table: Table) -> pl.DataFrame:
    """Read a Parquet file written for `table`, cast back to the declared schema."""
    return pl.from_arrow(pq.read_table(path).cast(table.schema))  # type: ignore[return-value]


def empty(table: Table) -> pl.DataFrame:
    """An empty frame with the table's schema."""
    return pl.from_arrow(table.schema.empty_table())  # type: ignore[return-value]
