"""The `quarry` command as a user runs it: a real process, a real warehouse, one-line errors."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
QUARRY = [sys.executable, "-m", "flows.cli"]


def quarry(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess:
    env = {**os.environ, "PREFECT_LOGGING_LEVEL": "WARNING", "COLUMNS": "200"}
    return subprocess.run([*QUARRY, *args], cwd=cwd, capture_output=True, text=True, env=env, timeout=600)


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    wh = tmp_path_factory.mktemp("cli") / "w.duckdb"
    out = quarry("run", "--source", str(REPO / "seeds"), "--warehouse", str(wh))
    assert out.returncode == 0, out.stderr[-3000:]
    assert "quarry run" in out.stdout and "docs cleaned" in out.stdout and "wall seconds" in out.stdout
    return wh


def test_sql_prints_a_table(warehouse):
    out = quarry("sql", "SELECT count(*) AS n FROM documents", "--warehouse", str(warehouse))
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines()[1:5] == ["│   n   │", "│ int64 │", "├───────┤", "│     5 │"]


def test_sql_json_and_runs(warehouse):
    out = quarry(
        "sql",
        "SELECT unit, count(*) AS n FROM metrics WHERE unit = 'CNY' GROUP BY 1",
        "--format",
        "json",
        "--warehouse",
        str(warehouse),
    )
    assert out.stdout.strip() == '[{"unit": "CNY", "n": 1}]'
    runs = quarry("runs", "--warehouse", str(warehouse))
    assert runs.returncode == 0 and "succeeded" in runs.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["sql", "SELEC nonsense"], "quarry: error: SQL error: Parser Error"),
        (["sql", "CREATE TABLE x (a INT)"], "quarry: error: SQL error:"),
        (["sql", "DELETE FROM documents"], "quarry: error: SQL error:"),
        (
            ["sql", "SELECT 1", "--warehouse", "/nonexistent/w.duckdb"],
            "quarry: error: no warehouse at /nonexistent/w.duckdb",
        ),
        (
            ["run", "--source", "/nonexistent/corpus"],
            "quarry: error: source '/nonexistent/corpus' does not exist",
        ),
        (
            ["run", "--batch-size", "0"],
            "quarry: error: batch_size: Input should be greater than or equal to 1",
        ),
    ],
)
def test_user_mistakes_get_one_clear_line(warehouse, args, message):
    if args[0] == "sql" and "--warehouse" not in args:
        args = [*args, "--warehouse", str(warehouse)]
    out = quarry(*args)
    assert out.returncode == 2
    assert out.stderr.startswith(message), out.stderr
    assert "Traceback" not in out.stderr and len(out.stderr.strip().splitlines()) == 1


def test_sql_cannot_change_the_warehouse(warehouse):
    before = quarry(
        "sql", "SELECT count(*) FROM documents", "--format", "csv", "--warehouse", str(warehouse)
    ).stdout
    quarry("sql", "DROP VIEW documents", "--warehouse", str(warehouse))
    after = quarry(
        "sql", "SELECT count(*) FROM documents", "--format", "csv", "--warehouse", str(warehouse)
    ).stdout
    assert before == after == "count_star()\n5\n"
