from __future__ import annotations

import multiprocessing as mp
import subprocess
import sys

import duckdb
import polars as pl
import pytest

from warehouse.catalog import (
    FileEntry,
    Warehouse,
    WarehouseError,
    commit,
    manifest,
    remove_orphans,
    write_lock,
)
from warehouse.files import write_table
from warehouse.schemas import ENTITIES, TABLES


def _entities(wh: Warehouse, name: str, rows: list[tuple[str, str]]) -> FileEntry:
    df = pl.DataFrame(
        {
            "entity_id": [r[0] for r in rows],
            "name": [r[1] for r in rows],
            "type": ["ORG"] * len(rows),
            "method": ["gazetteer"] * len(rows),
            "gazetteer_version": ["1"] * len(rows),
        }
    )
    path = write_table(df, ENTITIES, wh.table_dir("entities") / f"{name}.parquet")
    return FileEntry("entities", str(path), name, df.height)


def test_new_warehouse_has_every_table_empty(tmp_path):
    wh = Warehouse.at(tmp_path / "w.duckdb")
    commit(wh, [])
    con = duckdb.connect(str(wh.catalog), read_only=True)
    names = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    assert set(TABLES) <= names
    assert con.execute("SELECT count(*) FROM metrics").fetchone() == (0,)
    assert [r[0] for r in con.execute("DESCRIBE documents").fetchall()] == TABLES["documents"].columns


def test_commit_makes_files_visible_and_reader_keeps_old_state(tmp_path):
    wh = Warehouse.at(tmp_path / "w.duckdb")
    commit(wh, [_entities(wh, "r1", [("org:a", "A")])])
    reader = duckdb.connect(str(wh.catalog), read_only=True)
    assert reader.execute("SELECT name FROM entities").fetchall() == [("A",)]
    commit(wh, [_entities(wh, "r2", [("org:b", "B")])])
    # The open reader still sees its consistent snapshot; a new reader (another process) sees both files.
    assert reader.execute("SELECT name FROM entities").fetchall() == [("A",)]
    code = (
        "import duckdb,sys; con = duckdb.connect(sys.argv[1], read_only=True); "
        "print(con.sql('SELECT name FROM entities ORDER BY 1').fetchall())"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(wh.catalog)], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[('A',), ('B',)]"
    # the writer's own view of the catalog is never a stale per-process instance
    assert [e.run_id for e in manifest(wh)] == ["r1", "r2"]


def test_replace_and_orphan_removal(tmp_path):
    wh = Warehouse.at(tmp_path / "w.duckdb")
    first = _entities(wh, "r1", [("org:a", "A")])
    commit(wh, [first])
    second = _entities(wh, "r2", [("org:b", "B")])
    commit(wh, [second], replace_tables=["entities"])
    crashed = wh.table_dir("entities") / "r3.parquet"  # written by a run that died before committing
    crashed.write_bytes(b"partial")
    assert remove_orphans(wh) == 2  # the replaced file and the crashed run's file
    assert sorted(p.name for p in wh.table_dir("entities").iterdir()) == ["r2.parquet"]
    con = duckdb.connect(str(wh.catalog), read_only=True)
    assert con.execute("SELECT name FROM entities").fetchall() == [("B",)]


def _hold_lock(path: str, ready, release) -> None:
    with write_lock(Warehouse.at(path)):
        ready.set()
        release.wait(10)


def test_second_writer_is_refused_with_a_clear_message(tmp_path):
    wh = Warehouse.at(tmp_path / "w.duckdb")
    ready, release = mp.Event(), mp.Event()
    holder = mp.Process(target=_hold_lock, args=(str(wh.catalog), ready, release))
    holder.start()
    try:
        assert ready.wait(10)
        with pytest.raises(WarehouseError, match="is locked by a running run"):
            with write_lock(wh, wait_seconds=0.3):
                pass
    finally:
        release.set()
        holder.join(10)
    with write_lock(wh):  # free again once the holder is gone
        pass


def test_files_written_before_a_column_was_added_read_it_as_null(tmp_path):
    """An older release wrote `runs` without `message`; the view and `scan` still read the file."""
    from warehouse.catalog import scan
    from warehouse.schemas import RUNS

    wh = Warehouse.at(tmp_path / "w.duckdb")
    new = pl.from_arrow(RUNS.schema.empty_table())
    row = {c: None for c in RUNS.columns} | {"run_id": "r2", "status": "succeeded", "message": "fine"}
    full = pl.DataFrame([row], schema=new.schema)
    # the old file lacks `message` and has a column this release no longer declares
    old = full.with_columns(pl.lit("r1").alias("run_id"), pl.lit(7).alias("retired")).drop("message")
    d = wh.table_dir(RUNS.name)
    d.mkdir(parents=True, exist_ok=True)
    old.write_parquet(d / "r1.parquet")
    full.write_parquet(d / "r2.parquet")
    commit(wh, [FileEntry(RUNS.name, str(d / f"{r}.parquet"), r, 1) for r in ("r1", "r2")])

    con = duckdb.connect(str(wh.catalog), read_only=True)
    got = con.execute("SELECT run_id, status, message FROM runs ORDER BY run_id").fetchall()
    assert got == [("r1", "succeeded", None), ("r2", "succeeded", "fine")]
    assert [r[0] for r in con.execute("DESCRIBE runs").fetchall()] == RUNS.columns
    scanned = scan(wh, RUNS.name).select("run_id", "message").sort("run_id").collect()
    assert scanned.rows() == [("r1", None), ("r2", "fine")]


def test_a_directory_or_suffixless_warehouse_path_holds_quarry_duckdb(tmp_path):
    # A catalog named "wh" would put its Parquet under "wh/" too: the run used to crash in DuckDB
    # ("Could not read from file ...: Is a directory") after creating that directory.
    (tmp_path / "existing").mkdir()
    assert Warehouse.at(tmp_path / "existing").catalog == tmp_path / "existing" / "quarry.duckdb"
    assert Warehouse.at(tmp_path / "new").catalog == tmp_path / "new" / "quarry.duckdb"
    assert Warehouse.at(tmp_path / "w.duckdb").catalog == tmp_path / "w.duckdb"
    wh = Warehouse.at(tmp_path / "new")
    commit(wh, [_entities(wh, "e1", [("org:a", "A")])])
    con = duckdb.connect(str(tmp_path / "new" / "quarry.duckdb"), read_only=True)
    assert con.execute("SELECT entity_id, name FROM entities").fetchall() == [("org:a", "A")]
    assert wh.root == tmp_path / "new" / "quarry"


def test_manifest_is_read_once_per_catalog_file_and_again_when_the_file_is_replaced(tmp_path):
    from warehouse import catalog

    wh = Warehouse.at(tmp_path / "w.duckdb")
    commit(wh, [_entities(wh, "r1", [("org:a", "A")])])
    saved = tmp_path / "r1.duckdb"
    saved.write_bytes(wh.catalog.read_bytes())
    commit(wh, [_entities(wh, "r2", [("org:b", "B")])])
    reads = catalog.manifest_reads
    # the commit left its manifest behind: three lookups attach the catalog 0 times
    assert [[e.run_id for e in manifest(wh)] for _ in range(3)] == [["r1", "r2"]] * 3
    assert catalog.manifest_reads == reads
    # another process replaces the catalog (here: the earlier one put back): read again, once
    saved.replace(wh.catalog)
    assert [[e.run_id for e in manifest(wh)] for _ in range(2)] == [["r1"]] * 2
    assert catalog.manifest_reads == reads + 1
    # a returned list is the caller's: changing it does not change the next answer
    manifest(wh).clear()
    assert [e.run_id for e in manifest(wh)] == ["r1"]


def _refused_by_every_reader(wh: Warehouse, message: str) -> None:
    """The writer's lock, the manifest and a read-only connection each refuse `wh` with `message`."""
    from warehouse.catalog import connect_readonly

    for attempt in (lambda: write_lock(wh).__enter__(), lambda: manifest(wh), lambda: connect_readonly(wh)):
        with pytest.raises(WarehouseError) as err:
            attempt()
        assert str(err.value) == message


@pytest.mark.parametrize("content", [b"", b"title,text\nA,B\n"])
def test_a_file_that_is_not_a_duckdb_database_is_refused_before_anything_is_written(tmp_path, content):
    junk = tmp_path / "feed.csv"
    junk.write_bytes(content)
    _refused_by_every_reader(
        Warehouse.at(junk),
        f"{junk} is not a quarry warehouse (not a DuckDB database file); pass a new path, or a "
        "directory for its quarry.duckdb",
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["feed.csv"]  # no feed/.lock beside it
    assert junk.read_bytes() == content


def test_a_duckdb_database_that_is_not_a_warehouse_is_refused_and_left_as_it_was(tmp_path):
    import duckdb

    own = tmp_path / "mine.duckdb"
    with duckdb.connect(str(own)) as con:
        con.execute("CREATE TABLE t AS SELECT 1 AS a")
    before = own.read_bytes()
    _refused_by_every_reader(
        Warehouse.at(own),
        f"{own} is a DuckDB database but not a quarry warehouse (it has no _manifest table); pass a "
        "new path, or a directory for its quarry.duckdb",
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine.duckdb"]  # no mine/.lock beside it
    assert own.read_bytes() == before


def test_a_commit_is_one_transaction_with_the_manifest_as_one_insert(tmp_path, monkeypatch):
    """Each autocommitted statement synced the new catalog's WAL, `executemany` once per manifest row:
    a 41-file manifest spent 0.20 s of a 0.27 s commit syncing. One transaction, one INSERT."""
    from warehouse import catalog

    calls: list[str] = []

    class Recording:
        def __init__(self, con):
            self._con = con

        def __getattr__(self, name):
            attr = getattr(self._con, name)
            if name in ("begin", "commit", "executemany", "execute"):

                def record(*args, **kwargs):
                    calls.append(name if name != "execute" else args[0].split()[0].upper())
                    return attr(*args, **kwargs)

                return record
            return attr

    wh = Warehouse.at(tmp_path / "w.duckdb")
    entries = [_entities(wh, f"r{i:02d}", [(f"org:{i}", f"N{i}")]) for i in range(30)]
    real_connect = duckdb.connect
    monkeypatch.setattr(catalog.duckdb, "connect", lambda *a, **k: Recording(real_connect(*a, **k)))
    commit(wh, entries)
    monkeypatch.undo()
    assert [c for c in calls if c in ("begin", "commit", "executemany", "INSERT", "CHECKPOINT")] == [
        "begin",
        "INSERT",
        "commit",
        "CHECKPOINT",
    ]
    con = duckdb.connect(str(wh.catalog), read_only=True)
    assert con.execute("SELECT run_id, rows FROM _manifest ORDER BY path").fetchall() == [
        (f"r{i:02d}", 1) for i in range(30)
    ]
    assert con.execute("SELECT count(*) FROM entities").fetchone() == (30,)


@pytest.mark.parametrize("damage", ["truncated", "overwritten"])
def test_a_damaged_catalog_is_one_clear_error_naming_the_untouched_parquet(tmp_path, damage):
    """A truncated catalog or one with bytes overwritten made DuckDB raise its own error from ATTACH
    (a traceback in `quarry runs`): a WarehouseError names the file and says the Parquet is intact."""
    from warehouse.catalog import connect_readonly

    wh = Warehouse.at(tmp_path / "w.duckdb")
    entry = _entities(wh, "r1", [("org:a", "A")])
    commit(wh, [entry])
    size = wh.catalog.stat().st_size
    if damage == "truncated":
        with open(wh.catalog, "r+b") as fh:
            fh.truncate(3000)
    else:
        with open(wh.catalog, "r+b") as fh:
            fh.seek(10000)
            fh.write(b"\xff" * 200)
    assert wh.catalog.stat().st_size == (3000 if damage == "truncated" else size)
    for attempt in (lambda: manifest(wh), lambda: connect_readonly(wh)):
        with pytest.raises(WarehouseError) as err:
            attempt()
        message = str(err.value)
        assert message.startswith(f"the warehouse catalog {wh.catalog} is damaged and cannot be opened (")
        assert message.endswith(
            f"; its Parquet files under {wh.tables_dir} are untouched: restore the catalog file from a "
            "backup, or build a new warehouse from the sources "
            "(`quarry run --source ... --warehouse NEW_PATH`)"
        )
        assert "\n" not in message
    assert pl.read_parquet(entry.path)["name"].to_list() == ["A"]
