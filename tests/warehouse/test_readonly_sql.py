"""An analyst's SQL can read the warehouse and nothing else: no writes, no files, no new databases."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import polars as pl
import pytest

from warehouse.catalog import FileEntry, Warehouse, commit, connect_readonly
from warehouse.files import write_table
from warehouse.schemas import ENTITIES, TABLES
from warehouse.views import VIEWS

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def wh(tmp_path: Path) -> Warehouse:
    w = Warehouse.at(tmp_path / "w.duckdb")
    df = pl.DataFrame(
        {
            "entity_id": ["ORG:xiaomi", "MODEL:mimo"],
            "name": ["Xiaomi", "MiMo"],
            "type": ["ORG", "MODEL"],
            "method": ["gazetteer"] * 2,
            "gazetteer_version": ["1"] * 2,
        }
    )
    path = write_table(df, ENTITIES, w.table_dir("entities") / "r1.parquet")
    commit(w, [FileEntry("entities", str(path), "r1", 2)])
    return w


def _digest(path: str | Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def test_every_table_and_view_still_reads(wh):
    with connect_readonly(wh) as con:
        names = [r[0] for r in con.sql("SELECT table_name FROM information_schema.tables").fetchall()]
        assert sorted(names) == sorted(["_manifest", *TABLES, *VIEWS])
        # views over committed Parquet files and over empty tables alike
        counts = {n: con.sql(f'SELECT count(*) FROM "{n}"').fetchall()[0][0] for n in names}
        assert counts == {n: {"entities": 2, "_manifest": 1}.get(n, 0) for n in names}
        assert con.sql("SELECT name FROM entities ORDER BY 1").fetchall() == [("MiMo",), ("Xiaomi",)]
        assert con.execute("SELECT count(*) FROM entities WHERE type = ?", ["ORG"]).fetchall() == [(1,)]
        [(kind, plan)] = con.sql("EXPLAIN SELECT * FROM entities").fetchall()
        assert kind == "physical_plan" and "READ_PARQUET" in plan


@pytest.mark.parametrize(
    "statement",
    [
        "COPY (SELECT 1 AS x) TO '{tmp}/x.csv'",
        "COPY (SELECT * FROM entities) TO '{tmp}/x.parquet' (FORMAT parquet)",
        # the committed file itself: its path is readable, so only the statement check stops this
        "COPY (SELECT 'pwned' AS entity_id) TO '{committed}' (FORMAT parquet, USE_TMP_FILE false)",
        "ATTACH '{tmp}/new.duckdb' AS evil",
        "EXPORT DATABASE '{tmp}/export'",
        "SELECT * FROM read_csv('/etc/passwd')",
        "SELECT * FROM read_text('{tmp}/../secret.txt')",
        "INSTALL httpfs",
        "SET enable_external_access = true",
        "CREATE TABLE memory.t AS SELECT 1",
        "DROP VIEW entities",
    ],
)
def test_analyst_statement_cannot_write_or_reach_other_files(wh, tmp_path, statement):
    out = tmp_path / "out"
    out.mkdir()
    (tmp_path / "secret.txt").write_text("not for analysts")
    committed = str(wh.table_dir("entities") / "r1.parquet")
    before = _digest(committed), _digest(wh.catalog)
    sql = statement.format(tmp=out, committed=committed)
    with connect_readonly(wh) as con:
        with pytest.raises(duckdb.Error):
            rel = con.sql(sql)
            if rel is not None:
                rel.fetchall()
        assert con.sql("SELECT count(*) FROM entities").fetchall() == [(2,)]  # still usable
    assert list(out.iterdir()) == []
    assert (_digest(committed), _digest(wh.catalog)) == before


def test_quarry_sql_copy_to_a_file_fails_with_one_line(wh, tmp_path):
    target = tmp_path / "x.csv"
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "flows.cli",
            "sql",
            f"COPY (SELECT 1) TO '{target}'",
            "--warehouse",
            str(wh.catalog),
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PREFECT_LOGGING_LEVEL": "WARNING"},
    )
    assert out.returncode == 2
    assert out.stderr.startswith("quarry: error: SQL error:"), out.stderr
    assert len(out.stderr.strip().splitlines()) == 1
    assert not target.exists()
