"""The DuckDB catalog: which Parquet files make up each table, committed atomically.

Layout for a warehouse `data/quarry.duckdb`:

    data/quarry.duckdb          views over the committed Parquet files, plus the `_manifest` table
    data/quarry/tables/<t>/     Parquet files (only those listed in `_manifest` are part of the table)
    data/quarry/staging/<run>/  a run's intermediate batch files, deleted after the run
    data/quarry/.lock           held by the one run that may write

A commit writes a new catalog file beside the old one and renames it into place. A reader that opened
the old catalog keeps reading the old, consistent set of files; a crash before the rename leaves the
old catalog untouched and the new Parquet files unreferenced (they are removed by the next run).
"""

from __future__ import annotations

import datetime as dt
import fcntl
import os
import shutil
import time
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl

from warehouse.files import fsync_dir
from warehouse.schemas import TABLES, ddl
from warehouse.views import VIEWS

MANIFEST = "_manifest"


class WarehouseError(RuntimeError):
    """A problem with the warehouse a user can act on (missing, locked, unwritable)."""


@dataclass(frozen=True)
class Warehouse:
    """Paths of one warehouse, derived from its catalog file."""

    catalog: Path

    @classmethod
    def at(cls, path: str | os.PathLike[str]) -> Warehouse:
        return cls(Path(path).expanduser().resolve())

    @property
    def root(self) -> Path:
        return self.catalog.parent / self.catalog.stem

    @property
    def tables_dir(self) -> Path:
        return self.root / "tables"

    @property
    def staging_dir(self) -> Path:
        return self.root / "staging"

    @property
    def docs_dir(self) -> Path:
        return self.root / "data_docs"

    def table_dir(self, table: str) -> Path:
        return self.tables_dir / table

    def exists(self) -> bool:
        return self.catalog.exists()


@dataclass(frozen=True)
class FileEntry:
    """One committed Parquet file of a table."""

    table_name: str
    path: str
    run_id: str
    rows: int


def connect_readonly(wh: Warehouse) -> duckdb.DuckDBPyConnection:
    """Open the catalog read-only: no statement through this connection can change the warehouse."""
    if not wh.exists():
        raise WarehouseError(f"no warehouse at {wh.catalog} (run `quarry run` first)")
    return duckdb.connect(str(wh.catalog), read_only=True)


def manifest(wh: Warehouse) -> list[FileEntry]:
    """The committed files of every table (empty for a new warehouse)."""
    if not wh.exists():
        return []
    # ATTACH from a fresh in-memory database: `duckdb.connect(path)` would reuse an instance this
    # process already has open on the *old* catalog file (duckdb caches one per path) and read stale.
    with duckdb.connect(":memory:") as con:
        path = str(wh.catalog).replace("'", "''")
        con.execute(f"ATTACH '{path}' AS catalog (READ_ONLY)")
        rows = con.execute(
            f"SELECT table_name, path, run_id, rows FROM catalog.{MANIFEST} ORDER BY path"
        ).fetchall()
    return [FileEntry(*r) for r in rows]


def table_files(wh: Warehouse, table: str) -> list[str]:
    """Paths of the committed Parquet files of `table`."""
    return [e.path for e in manifest(wh) if e.table_name == table]


def scan(wh: Warehouse, table: str, entries: Iterable[FileEntry] | None = None) -> pl.LazyFrame:
    """Lazily scan the committed rows of `table` (an empty frame with its schema when there are none)."""
    files = [e.path for e in (manifest(wh) if entries is None else entries) if e.table_name == table]
    if not files:
        return pl.from_arrow(TABLES[table].schema.empty_table()).lazy()  # type: ignore[union-attr]
    return pl.scan_parquet(files)


def _sql_list(paths: list[str]) -> str:
    return "[" + ", ".join("'" + p.replace("'", "''") + "'" for p in paths) + "]"


def commit(
    wh: Warehouse,
    add: Iterable[FileEntry],
    replace_tables: Iterable[str] = (),
    drop_files: Iterable[str] = (),
) -> list[FileEntry]:
    """Atomically make `add` part of the warehouse.

    `replace_tables` drops every earlier file of those tables; `drop_files` drops single files
    (compaction, rewritten files). Returns the new manifest.
    """
    replace = set(replace_tables)
    dropped = set(drop_files)
    old = manifest(wh)
    new = [e for e in old if e.table_name not in replace and e.path not in dropped] + list(add)
    wh.catalog.parent.mkdir(parents=True, exist_ok=True)
    tmp = wh.catalog.with_name(f".{wh.catalog.name}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        con = duckdb.connect(str(tmp))
        try:
            con.execute(
                f"CREATE TABLE {MANIFEST} (table_name VARCHAR, path VARCHAR, run_id VARCHAR, rows BIGINT)"
            )
            if new:
                con.executemany(
                    f"INSERT INTO {MANIFEST} VALUES (?, ?, ?, ?)",
                    [(e.table_name, e.path, e.run_id, e.rows) for e in new],
                )
            for name, table in TABLES.items():
                files = sorted(e.path for e in new if e.table_name == name)
                if files:
                    cols = ", ".join(f'"{c}"' for c in table.columns)
                    con.execute(
                        f'CREATE VIEW "{name}" AS SELECT {cols} FROM read_parquet({_sql_list(files)})'
                    )
                else:
                    con.execute(ddl(table))
            for name, sql in VIEWS.items():
                con.execute(f'CREATE VIEW "{name}" AS {sql}')
            con.execute("CHECKPOINT")
        finally:
            con.close()
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, wh.catalog)
        fsync_dir(wh.catalog.parent)
    finally:
        tmp.unlink(missing_ok=True)
        Path(str(tmp) + ".wal").unlink(missing_ok=True)
    return new


def remove_orphans(wh: Warehouse) -> int:
    """Delete Parquet files no commit references and leftover staging dirs (from crashed runs)."""
    referenced = {e.path for e in manifest(wh)}
    removed = 0
    if wh.tables_dir.exists():
        for f in wh.tables_dir.rglob("*"):
            if f.is_file() and str(f) not in referenced:
                f.unlink(missing_ok=True)
                removed += 1
    if wh.staging_dir.exists():
        shutil.rmtree(wh.staging_dir, ignore_errors=True)
    for f in wh.catalog.parent.glob(f".{wh.catalog.name}.*.tmp*"):
        f.unlink(missing_ok=True)
    return removed


@contextmanager
def write_lock(wh: Warehouse, wait_seconds: float = 0.0) -> Iterator[None]:
    """Hold the warehouse's writer lock; a second writer waits up to `wait_seconds`, then refuses."""
    wh.root.mkdir(parents=True, exist_ok=True)
    path = wh.root / ".lock"
    fh = open(path, "a+")
    deadline = time.monotonic() + wait_seconds
    try:
        while True:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    fh.seek(0)
                    holder = fh.read().strip() or "another process"
                    raise WarehouseError(
                        f"warehouse {wh.catalog} is locked by a running run ({holder}); "
                        "wait for it to finish or pass a longer --lock-wait"
                    ) from None
                time.sleep(0.2)
        fh.seek(0)
        fh.truncate()
        fh.write(f"pid {os.getpid()} since {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M:%S} UTC")
        fh.flush()
        yield
    finally:
        fcntl.flock(fh, fcntl.LOCK_UN)
        fh.close()
