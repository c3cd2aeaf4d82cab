"""The `quarry` command as a user runs it: a real process, a real warehouse, one-line errors."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
import pytest

from flows import cli
from tests.test_end_to_end import SEED_MENTIONS, SEED_METRICS
from warehouse.catalog import Warehouse, write_lock
from warehouse.load import file_counts

REPO = Path(__file__).resolve().parents[2]
QUARRY = [sys.executable, "-m", "flows.cli"]


def quarry(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess:
    env = {**os.environ, "PREFECT_LOGGING_LEVEL": "WARNING", "COLUMNS": "200"}
    return subprocess.run([*QUARRY, *args], cwd=cwd, capture_output=True, text=True, env=env, timeout=600)


def quarry_here(*args: str) -> tuple[int, str, str]:
    """`quarry ARGS` in this process (the session's Prefect server): (exit status, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(list(args))
    return code, out.getvalue(), err.getvalue()


def _hold_lock_for_a_while(wh: Path, held: threading.Event, released: list, seconds: float = 3.0) -> None:
    """Hold the warehouse's writer lock for `seconds` (the run, started meanwhile, reaches the lock
    within a second: `quarry run` checks it before Prefect starts); record when it was released."""
    with write_lock(Warehouse.at(wh)):
        held.set()
        time.sleep(seconds)
        released.append(dt.datetime.now(dt.UTC))


@pytest.fixture(scope="module")
def warehouse(prefect_server, tmp_path_factory) -> Path:
    """One run over the seeds, through `quarry run --lock-wait`: another writer holds the lock when the
    run starts, and the run waits for it and then succeeds."""
    wh = tmp_path_factory.mktemp("cli") / "w.duckdb"
    held, released = threading.Event(), []
    holder = threading.Thread(target=_hold_lock_for_a_while, args=(wh, held, released))
    holder.start()
    held.wait(30)
    code, out, err = quarry_here(
        "run", "--source", str(REPO / "seeds"), "--warehouse", str(wh), "--lock-wait", "300"
    )
    holder.join(30)
    assert code == 0, err[-3000:]
    assert "quarry run" in out and "docs cleaned" in out and "wall seconds" in out
    assert f"warehouse: {wh}" in out.splitlines()
    with duckdb.connect(str(wh), read_only=True) as con:
        [(started,)] = con.execute("SELECT started_at FROM runs").fetchall()
    assert started > released[0]  # the run began its work only once the other writer let go
    return wh


def test_sql_prints_a_table(warehouse):
    out = quarry("sql", "SELECT count(*) AS n FROM documents", "--warehouse", str(warehouse))
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines()[1:5] == ["│   n   │", "│ int64 │", "├───────┤", "│     5 │"]


def test_sql_prints_every_statement(warehouse):
    q = "SELECT count(*) AS n FROM documents; SELECT 'x' AS a, 2 AS b"
    out = quarry("sql", q, "--format", "json", "--warehouse", str(warehouse))
    assert out.stdout.splitlines() == ['[{"n": 5}]', '[{"a": "x", "b": 2}]']
    out = quarry("sql", q, "--format", "csv", "--warehouse", str(warehouse))
    assert out.stdout.splitlines() == ["n", "5", "", "a,b", "x,2"]


def test_sql_json_and_runs(warehouse, monkeypatch):
    # the `runs` table unwrapped whatever the runner's terminal (an xdist worker's is a pipe: 80 columns)
    monkeypatch.setenv("COLUMNS", "200")
    out = quarry(
        "sql",
        "SELECT unit, count(*) AS n FROM metrics WHERE unit = 'CNY' GROUP BY 1",
        "--format",
        "json",
        "--warehouse",
        str(warehouse),
    )
    assert out.stdout.strip() == '[{"unit": "CNY", "n": 1}]'
    code, out, _ = quarry_here("runs", "--warehouse", str(warehouse))
    with duckdb.connect(str(warehouse), read_only=True) as con:
        [(run_id,)] = con.execute("SELECT run_id FROM runs").fetchall()
    [row] = [line for line in out.splitlines() if run_id in line]
    cells = [c.strip() for c in row.strip("│").split("│")]
    # run_id, status, started_at, seconds, docs in/skipped/cleaned/quarantined/duplicates, mentions,
    # metrics, failed, held, message: every column shown in 200 columns (none elided as "…")
    assert (code, cells[:2], cells[4:]) == (
        0,
        [run_id, "succeeded"],
        ["5", "0", "5", "0", "0", str(SEED_MENTIONS), str(SEED_METRICS), "0", "0", "NULL"],
    )


def test_runs_lists_a_catalog_committed_before_docs_duplicates(warehouse, tmp_path, monkeypatch):
    """A catalog whose `runs` view predates docs_duplicates (views are recreated at each commit, so
    until the next run): `quarry runs` shows it as NULL instead of failing on the missing column."""
    import shutil

    monkeypatch.setenv("COLUMNS", "200")
    old = tmp_path / "old.duckdb"
    shutil.copy(warehouse, old)  # the same Parquet files (absolute paths), its own catalog
    with duckdb.connect(str(old)) as con:
        con.execute("CREATE TABLE runs_before AS SELECT * EXCLUDE (docs_duplicates) FROM runs")
        con.execute("CREATE OR REPLACE VIEW runs AS SELECT * FROM runs_before")
    code, out, err = quarry_here("runs", "--warehouse", str(old))
    [row] = [line for line in out.splitlines() if "succeeded" in line]
    cells = [c.strip() for c in row.strip("│").split("│")]
    assert (code, err, cells[4:10]) == (0, "", ["5", "0", "5", "0", "NULL", str(SEED_MENTIONS)])


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
            ["run", "--source", "/nonexistent/dir/*.txt"],
            "quarry: error: source '/nonexistent/dir/*.txt' matches no files",
        ),
        (
            ["run", "--batch-size", "0"],
            "quarry: error: batch_size: Input should be greater than or equal to 1",
        ),
        (
            ["run", "--dask-address", "tcp://127.0.0.1:1"],
            "quarry: error: dask_address is set but task_runner is 'threads': choose task_runner 'dask'",
        ),
        (
            ["run", "--warehouse", str(REPO / "seeds" / "labels" / "README.md")],
            f"quarry: error: {REPO / 'seeds' / 'labels' / 'README.md'} is not a quarry warehouse",
        ),
        (
            ["sql", "SELECT 1", "--warehouse", str(REPO / "pyproject.toml")],
            f"quarry: error: {REPO / 'pyproject.toml'} is not a quarry warehouse",
        ),
        (["sql", " ;"], "quarry: error: no SQL statement given"),
        (["docs", "--port", "99999"], "quarry: error: cannot serve on 127.0.0.1:99999: bind(): port must be"),
    ],
)
def test_user_mistakes_get_one_clear_line(warehouse, args, message):
    if args[0] in ("sql", "docs") and "--warehouse" not in args:
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


def test_compact_with_nothing_to_compact_and_without_a_warehouse(warehouse, tmp_path):
    files = sum(file_counts(Warehouse.at(warehouse)).values())
    assert quarry_here("compact", "--warehouse", str(warehouse)) == (
        0,
        f"nothing to compact ({files} files)\n",
        "",
    )
    missing = tmp_path / "none" / "w.duckdb"
    assert quarry_here("compact", "--warehouse", str(missing)) == (
        2,
        "",
        f"quarry: error: no warehouse at {missing}\n",
    )


# A labelled corpus written for this test: one story, its labels, and a second label set that also
# expects a person the story never names (a miss).
STORY = """Xiaomi released a reasoning model on Monday. The MiMo model has 7 billion parameters.

The phone maker built the model in its own research group in Beijing, and it plans to ship it inside
its assistant on phones, cars and home devices next year.

The company also hired 1,200 engineers for its AI lab this year, according to a statement sent to
reporters.

Analysts said the move puts the firm in a race with other developers that release open models every
few weeks.
"""
LABELS = {
    "entities": [
        {"text": "Xiaomi", "canonical": "Xiaomi", "type": "ORG"},
        {"text": "MiMo", "canonical": "MiMo-7B", "type": "MODEL"},
        {"text": "Beijing", "canonical": "Beijing", "type": "GPE"},
    ],
    "metrics": [
        {"text": "7 billion parameters", "value": 7e9, "unit": "parameters", "subject": "MiMo-7B"},
        {"text": "1,200 engineers", "value": 1200, "unit": "employees", "subject": "Xiaomi"},
    ],
}


@pytest.fixture
def labelled(tmp_path) -> Path:
    corpus = tmp_path / "corpus"
    (corpus / "labels").mkdir(parents=True)
    (corpus / "story.txt").write_text(STORY, encoding="utf-8")
    (corpus / "labels" / "story.json").write_text(json.dumps(LABELS), encoding="utf-8")
    other = tmp_path / "other-labels"
    other.mkdir()
    missed = {"text": "Lei Jun", "canonical": "Lei Jun", "type": "PERSON"}
    (other / "story.json").write_text(
        json.dumps({**LABELS, "entities": [*LABELS["entities"], missed]}), encoding="utf-8"
    )
    return corpus


def _rows(out: str) -> list[list[str]]:
    return [
        [c.strip() for c in line.strip("│").split("│")] for line in out.splitlines() if line.startswith("│")
    ]


def test_eval_prints_score_tables(labelled, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")
    code, out, err = quarry_here("eval", "--source", str(labelled))  # labels from <source>/labels
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0].strip() == "entities (1 labelled documents)"
    assert "metrics (1 labelled documents): value within 1% + unit" in [x.strip() for x in lines]
    assert _rows(out) == [
        ["GPE", "1", "0", "0", "1.000", "1.000", "1.000"],
        ["MODEL", "1", "0", "0", "1.000", "1.000", "1.000"],
        ["ORG", "1", "0", "0", "1.000", "1.000", "1.000"],
        ["ALL", "3", "0", "0", "1.000", "1.000", "1.000"],
        ["employees", "1", "0", "0", "1.000", "1.000", "1.000", "1.000"],
        ["parameters", "1", "0", "0", "1.000", "1.000", "1.000", "1.000"],
        ["ALL", "2", "0", "0", "1.000", "1.000", "1.000", "1.000"],
        ["chrome_removed", "0", "0", ""],
        ["content_kept", "5", "5", "1.000"],
    ]


def test_eval_labels_option_and_missing_labels(labelled, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")
    code, out, _ = quarry_here(
        "eval", "--source", str(labelled), "--labels", str(labelled.parent / "other-labels")
    )
    assert code == 0
    entities = _rows(out)[:5]
    assert entities == [
        ["GPE", "1", "0", "0", "1.000", "1.000", "1.000"],
        ["MODEL", "1", "0", "0", "1.000", "1.000", "1.000"],
        ["ORG", "1", "0", "0", "1.000", "1.000", "1.000"],
        ["PERSON", "0", "0", "1", "", "0.000", "0.000"],
        ["ALL", "3", "0", "1", "1.000", "0.750", "0.857"],
    ]
    missing = labelled.parent / "no-labels"
    assert quarry_here("eval", "--source", str(labelled), "--labels", str(missing)) == (
        2,
        "",
        f"quarry: error: labels directory '{missing}' does not exist\n",
    )


def test_eval_with_a_file_that_is_no_gazetteer_says_so_in_one_line(labelled, tmp_path):
    bad = tmp_path / "notes.bak"
    bad.write_text("owners: [Acme\n", encoding="utf-8")
    assert quarry_here("eval", "--source", str(labelled), "--gazetteer", str(bad)) == (
        2,
        "",
        f"quarry: error: gazetteer '{bad}' cannot be read: while parsing a flow sequence\n",
    )
