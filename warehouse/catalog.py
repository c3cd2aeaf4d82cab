"""The DuckDB catalog: which Parquet files make up each table, committed atomically.

Layout for a warehouse `data/quarry.duckdb`:

    data/quarry.duckdb          views over the committed Parquet files, plus the `_manifest` table
    data/quarry/tables/<t>/     Parquet files (only those listed in `_manifest` are part of the table)
    data/quarry/staging/<run>/  a run's intermediate batch files, deleted after the run
    data/quarry/.lock           held by the one run that may write
    data/quarry/run-state/      markers of started runs (warehouse.run_state), never part of a commit

A commit writes a new catalog file beside the old one and renames it into place. A reader that opened
the old catalog keeps reading the old, consistent set of files; a crash before the rename leaves the
old catalog untouched and the new Parquet files unreferenced (they are removed by the next run).
"""

from __future__ import annotations

import datetime as dt
import errno
import fcntl
import os
import shutil
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl
import pyarrow as pa

from warehouse.files import fsync_dir
from warehouse.schemas import TABLES, Table, ddl, duckdb_type
from warehouse.sources import SourceError
from warehouse.views import VIEWS

MANIFEST = "_manifest"


class WarehouseError(RuntimeError):
    """A problem with the warehouse a user can act on (missing, locked, unwritable)."""


DEFAULT_CATALOG_NAME = "quarry.duckdb"
_DUCKDB_MAGIC = b"DUCK"


@dataclass(frozen=True)
class Warehouse:
    """Paths of one warehouse, derived from its catalog file."""

    catalog: Path

    @classmethod
    def at(cls, path: str | os.PathLike[str]) -> Warehouse:
        """`path` is the catalog file (`x.duckdb`: Parquet under `x/`), or a directory (an existing
        one, or a name without a suffix) holding `quarry.duckdb` — the Parquet root is the catalog's
        stem, so a suffix-less catalog file would collide with its own Parquet directory."""
        p = Path(path).expanduser().resolve()
        if p.is_dir() or (not p.exists() and not p.suffix):
            p = p / DEFAULT_CATALOG_NAME
        return cls(p)

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

    def check(self) -> None:
        """WarehouseError when the catalog path holds something that is not a DuckDB database (a
        user's file, an empty file): refused before anything is written beside it. A missing
        catalog is fine (a new warehouse)."""
        if not self.catalog.exists() and not self.catalog.is_symlink():
            return
        try:
            with open(self.catalog, "rb") as fh:
                head = fh.read(12)
        except OSError as exc:
            raise WarehouseError(f"cannot read warehouse {self.catalog}: {exc.strerror or exc}") from None
        if head[8:12] != _DUCKDB_MAGIC:  # DuckDB's file header: an 8-byte checksum, then "DUCK"
            raise WarehouseError(
                f"{self.catalog} is not a quarry warehouse (not a DuckDB database file); "
                "pass a new path, or a directory for its quarry.duckdb"
            )


@dataclass(frozen=True)
class FileEntry:
    """One committed Parquet file of a table."""

    table_name: str
    path: str
    run_id: str
    rows: int


# Statement types an analyst may run: queries and plans. SHOW, DESCRIBE, SUMMARIZE, VALUES and FROM-first
# queries parse as SELECT. Everything else (COPY, EXPORT, ATTACH, INSTALL, SET, ...) is refused.
READ_STATEMENTS = frozenset(
    {duckdb.StatementType.SELECT, duckdb.StatementType.EXPLAIN, duckdb.StatementType.PRAGMA}
)


class ReadOnlyConnection:
    """A DuckDB connection to the catalog that can read the warehouse and nothing else.

    Three locks, because each alone leaves a hole: the catalog is attached READ_ONLY (no DDL/DML);
    file access is limited to the committed Parquet files and then locked (no COPY TO /tmp, no ATTACH,
    no read_csv('/etc/passwd'), no extensions); and only read statements are accepted, because the
    allowed files themselves could otherwise be overwritten (`COPY ... TO '<committed>' (USE_TMP_FILE
    false)` passes the path check).
    """

    def __init__(self, con: duckdb.DuckDBPyConnection):
        self._con = con

    def _check(self, query: str) -> None:
        for st in self._con.extract_statements(query):
            if st.type not in READ_STATEMENTS:
                kind = str(st.type).rsplit(".", 1)[-1]
                raise duckdb.PermissionException(
                    f"{kind} statements are not allowed on a read-only warehouse"
                )

    def sql(self, query: str, **kwargs: object) -> duckdb.DuckDBPyRelation | None:
        """Run a read statement (as `DuckDBPyConnection.sql`)."""
        self._check(query)
        return self._con.sql(query, **kwargs)  # type: ignore[arg-type]

    def execute(self, query: str, parameters: object = None) -> duckdb.DuckDBPyConnection:
        """Run a read statement (as `DuckDBPyConnection.execute`)."""
        self._check(query)
        return self._con.execute(query, parameters)  # type: ignore[arg-type]

    def close(self) -> None:
        self._con.close()

    def __enter__(self) -> ReadOnlyConnection:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _attach(con: duckdb.DuckDBPyConnection, wh: Warehouse, alias: str) -> None:
    """Attach the catalog read-only as `alias`; WarehouseError when its file is damaged (a failed
    checksum, a truncated file): DuckDB raises at ATTACH, with a message naming the block, not the cause."""
    try:
        con.execute(f"ATTACH {sql_string(wh.catalog)} AS {alias} (READ_ONLY)")
    except duckdb.Error as exc:
        raise WarehouseError(
            f"the warehouse catalog {wh.catalog} is damaged and cannot be opened "
            f"({str(exc).splitlines()[0]}); its Parquet files under {wh.tables_dir} are untouched: "
            "restore the catalog file from a backup, or build a new warehouse from the sources "
            "(`quarry run --source ... --warehouse NEW_PATH`)"
        ) from None


def connect_readonly(wh: Warehouse) -> ReadOnlyConnection:
    """Open the catalog read-only: no statement through this connection can change the warehouse
    or touch any other file."""
    if not wh.exists():
        raise WarehouseError(f"no warehouse at {wh.catalog} (run `quarry run` first)")
    wh.check()
    files = [e.path for e in manifest(wh)]
    # A fresh in-memory database, not `connect(catalog)`: duckdb shares one instance per path within
    # a process, and the settings below would then leak into (and lock) every other connection.
    con = duckdb.connect(":memory:")
    try:
        _attach(con, wh, "quarry")
        con.execute("USE quarry")
        con.execute(f"SET allowed_paths = {sql_list(files)}")
        con.execute("SET enable_external_access = false")
        con.execute("SET lock_configuration = true")
    except BaseException:
        con.close()
        raise
    return ReadOnlyConnection(con)


# The manifest last read from each catalog file, by the file's identity (inode, mtime, size). A commit
# replaces the catalog with a new file (os.replace), so a changed manifest always has a new identity;
# an unchanged one is not read again. A run read it ~10 times (plan, stale documents, near-duplicates,
# load, commit, compaction check, orphans), each an ATTACH of the catalog: ~0.3 s of a 13-document run.
_manifests: dict[str, tuple[tuple[int, int, int], tuple[FileEntry, ...]]] = {}
_manifests_lock = threading.Lock()
# How many times this process has read a catalog's `_manifest` table (tests check the cache with it).
manifest_reads = 0


def _identity(path: Path) -> tuple[int, int, int] | None:
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    return st.st_ino, st.st_mtime_ns, st.st_size


def manifest(wh: Warehouse) -> list[FileEntry]:
    """The committed files of every table (empty for a new warehouse)."""
    global manifest_reads
    key = str(wh.catalog)
    before = _identity(wh.catalog)
    if before is None:
        return []
    with _manifests_lock:
        hit = _manifests.get(key)
    if hit is not None and hit[0] == before:
        return list(hit[1])
    wh.check()
    # ATTACH from a fresh in-memory database: `duckdb.connect(path)` would reuse an instance this
    # process already has open on the *old* catalog file (duckdb caches one per path) and read stale.
    with duckdb.connect(":memory:") as con:
        _attach(con, wh, "catalog")
        try:
            rows = con.execute(
                f"SELECT table_name, path, run_id, rows FROM catalog.{MANIFEST} ORDER BY path"
            ).fetchall()
        except duckdb.CatalogException:  # a user's own DuckDB database: refused, never written to
            raise WarehouseError(
                f"{wh.catalog} is a DuckDB database but not a quarry warehouse (it has no {MANIFEST} "
                "table); pass a new path, or a directory for its quarry.duckdb"
            ) from None
    entries = tuple(FileEntry(*r) for r in rows)
    with _manifests_lock:
        manifest_reads += 1
        if _identity(wh.catalog) == before:  # not replaced while it was read: what was read is `before`
            _manifests[key] = (before, entries)
    return list(entries)


def table_files(wh: Warehouse, table: str) -> list[str]:
    """Paths of the committed Parquet files of `table`."""
    return [e.path for e in manifest(wh) if e.table_name == table]


def scan(wh: Warehouse, table: str, entries: Iterable[FileEntry] | None = None) -> pl.LazyFrame:
    """Lazily scan the committed rows of `table` (an empty frame with its schema when there are none)."""
    files = [e.path for e in (manifest(wh) if entries is None else entries) if e.table_name == table]
    empty = pl.from_arrow(TABLES[table].schema.empty_table())  # type: ignore[union-attr]
    if not files:
        return empty.lazy()
    # Files written before a column was added read it as nulls (see _table_select).
    return pl.scan_parquet(files, schema=empty.schema, missing_columns="insert", extra_columns="ignore")


def _table_select(con: duckdb.DuckDBPyConnection, table: Table, files: list[str]) -> str:
    """SELECT of `table`'s declared columns over its files. A column added to the schema after some
    files were written reads as NULL in them (additive schema evolution, as Iceberg and Delta allow):
    the files of an existing warehouse stay valid when a release adds a column."""
    source = f"read_parquet({sql_list(files)}, union_by_name = true)"
    present = {r[0] for r in con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()}
    cols = ", ".join(
        f'"{f.name}"' if f.name in present else f'CAST(NULL AS {duckdb_type(f.type)}) AS "{f.name}"'
        for f in table.schema
    )
    return f"SELECT {cols} FROM {source}"


def sql_string(value: str | os.PathLike[str]) -> str:
    """`value` as a quoted SQL string literal (a path with a quote in it stays one literal)."""
    return "'" + str(value).replace("'", "''") + "'"


def sql_list(values: Iterable[str | os.PathLike[str]]) -> str:
    """A DuckDB list literal of quoted strings: `['a', 'b']` (read_parquet's file lists)."""
    return "[" + ", ".join(sql_string(v) for v in values) + "]"


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
            # One transaction, and the manifest inserted as one Arrow table: in autocommit, every
            # statement was a commit of its own with a WAL write, and `executemany` one per row
            # (a 41-file manifest took 0.20 s of a commit's 0.27 s, doing nothing but syncing).
            con.begin()
            con.execute(
                f"CREATE TABLE {MANIFEST} (table_name VARCHAR, path VARCHAR, run_id VARCHAR, rows BIGINT)"
            )
            if new:
                con.register("_new_manifest", _manifest_rows(new))
                con.execute(f"INSERT INTO {MANIFEST} SELECT * FROM _new_manifest")
                con.unregister("_new_manifest")
            for name, table in TABLES.items():
                files = sorted(e.path for e in new if e.table_name == name)
                if files:
                    con.execute(f'CREATE VIEW "{name}" AS {_table_select(con, table, files)}')
                else:
                    con.execute(ddl(table))
            for name, sql in VIEWS.items():
                con.execute(f'CREATE VIEW "{name}" AS {sql}')
            con.commit()
            con.execute("CHECKPOINT")
        except (duckdb.IOException, duckdb.FatalException, duckdb.TransactionException) as exc:
            # The new catalog file could not be written (disk full, file size limit): an IO error of
            # the warehouse like any other, and the old catalog is untouched. duckdb reports a failed
            # checkpoint write as FATAL (or a failed WAL write as a failed commit); the instance is then
            # unusable, but it only held the tmp file.
            raise OSError(errno.EIO, str(exc).splitlines()[0], str(tmp)) from exc
        finally:
            con.close()
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, wh.catalog)
        fsync_dir(wh.catalog.parent)
        stamp = _identity(wh.catalog)
        if stamp is not None:  # the next reader of this catalog need not attach it: `new` is its manifest
            with _manifests_lock:
                _manifests[str(wh.catalog)] = (stamp, tuple(sorted(new, key=lambda e: e.path)))
    finally:
        tmp.unlink(missing_ok=True)
        Path(str(tmp) + ".wal").unlink(missing_ok=True)
    return new


def _manifest_rows(entries: list[FileEntry]) -> pa.Table:
    """`entries` as the `_manifest` table's rows (table_name, path, run_id, rows)."""
    return pa.table(
        {
            "table_name": pa.array([e.table_name for e in entries], pa.string()),
            "path": pa.array([e.path for e in entries], pa.string()),
            "run_id": pa.array([e.run_id for e in entries], pa.string()),
            "rows": pa.array([e.rows for e in entries], pa.int64()),
        }
    )


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


def _cannot_write(wh: Warehouse, exc: OSError) -> str:
    where = f" ({exc.filename})" if exc.filename else ""
    return (
        f"cannot write to warehouse {wh.catalog}: {exc.strerror or exc}{where}; "
        "nothing of this run was committed, the warehouse keeps its last committed state"
    )


@contextmanager
def write_lock(
    wh: Warehouse, wait_seconds: float = 0.0, on_wait: Callable[[], None] | None = None
) -> Iterator[None]:
    """Hold the warehouse's writer lock; a second writer waits up to `wait_seconds`, then refuses.
    `on_wait` is called between attempts (every 0.2 s) and may raise to stop waiting (a signal).

    An OSError inside (an unwritable directory, a full disk) comes out as a WarehouseError naming the
    warehouse: commits are atomic, so the warehouse still holds its last committed state.
    """
    wh.check()
    if wh.exists():
        manifest(wh)  # (a DuckDB file that is no quarry warehouse: refused before its folder is made)
    path = wh.root / ".lock"
    try:
        wh.root.mkdir(parents=True, exist_ok=True)
        fh = open(path, "a+")  # noqa: SIM115 - held open for the whole block
    except OSError as exc:
        raise WarehouseError(_cannot_write(wh, exc)) from exc
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
                        "wait for it to finish or wait longer for the lock (--lock-wait, or "
                        "lock_wait_seconds in the Prefect run form)"
                    ) from None
                if on_wait is not None:
                    on_wait()
                time.sleep(0.2)
        try:
            fh.seek(0)
            fh.truncate()
            fh.write(f"pid {os.getpid()} since {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M:%S} UTC")
            fh.flush()
            yield
        except SourceError:
            raise  # (SourceUnavailable is an OSError, and the source's, not the warehouse's)
        except OSError as exc:
            raise WarehouseError(_cannot_write(wh, exc)) from exc
    finally:
        fcntl.flock(fh, fcntl.LOCK_UN)
        fh.close()
