"""A deliberately broken batch end to end: the gate stops it (fail) or holds back its bad rows."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import duckdb
import polars as pl
import pytest

import transforms.metrics
from flows import cli
from flows.pipeline import RunParameters, quarry_pipeline

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
BROKEN = SEEDS / "004_dff8e1591547957f.txt"
BROKEN_ID = hashlib.sha256(BROKEN.read_bytes()).hexdigest()
BROKEN_MENTIONS = 33  # the document's entity mentions when it lands (extraction changes move it)


@pytest.fixture
def corpus(tmp_path) -> Path:
    """A sound seed (batch 0 at one file a batch) and the one the broken extractor breaks (batch 1)."""
    root = tmp_path / "c"
    root.mkdir()
    for seed in (SEEDS / "002_3c9ed8aaf0bf1444.txt", BROKEN):
        (root / seed.name).write_bytes(seed.read_bytes())
    return root


@pytest.fixture
def broken_extractor(monkeypatch):
    """The metric extractor returns an out-of-range offset for one document's first figure."""
    real = transforms.metrics.extract_metrics

    def extract(docs, *args, **kwargs):
        out = real(docs, *args, **kwargs)
        first = (pl.col("doc_id") == BROKEN_ID) & (
            pl.col("start") == pl.col("start").filter(pl.col("doc_id") == BROKEN_ID).min()
        )
        return out.with_columns(
            pl.when(first).then(pl.col("end") + 100_000).otherwise(pl.col("end")).alias("end")
        )

    monkeypatch.setattr(transforms.metrics, "extract_metrics", extract)


def q(wh: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(wh), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_failed_gate_promotes_nothing_of_the_batch_and_the_next_run_retries_it(
    prefect_server, tmp_path, corpus, broken_extractor, monkeypatch, capsys
):
    wh = tmp_path / "g.duckdb"
    # Through the CLI's entry point, in this process (the session's Prefect server): exit status 1.
    # No Data Docs in this file: nothing here is about them.
    argv = ["run", "--source", str(corpus), "--warehouse", str(wh), "--batch-size", "1", "--no-data-docs"]
    assert cli.main([*argv, "--on-failure", "fail"]) == 1
    out = capsys.readouterr().out
    assert "run failed: batch 1 metrics: gate metrics/metrics batch 1: 1 of" in out
    assert "[critical] ExpectColumnValuesToBeInSet(_surface_matches): 1 of 2 rows unexpected" in out
    assert re.search(r"│ batches failed +│ +1 │", out), out
    # nothing of the broken batch reached the warehouse; the other batch did
    for table in ("documents", "sentences", "mentions", "metrics", "doc_signatures"):
        assert q(wh, f"SELECT count(*) FROM {table} WHERE doc_id = '{BROKEN_ID}'") == [(0,)], table
    assert q(wh, "SELECT count(*) FROM documents") == [(1,)]
    status, message = q(wh, "SELECT status, message FROM runs")[0]
    assert status == "failed" and "_surface_matches" in message
    assert q(
        wh,
        "SELECT stage, batch, table_name, severity, observed FROM quality_results "
        "WHERE NOT success AND severity = 'critical'",
    ) == [("metrics", 1, "metrics", "critical", "1 of 2 rows unexpected (50.00%)")]
    assert q(wh, f"SELECT count(*) FROM quarantine WHERE doc_id = '{BROKEN_ID}'") == [(0,)]
    # The extractor is fixed: the next ordinary run retries exactly the unpromoted document.
    monkeypatch.undo()
    params = RunParameters(
        source=str(corpus), warehouse=str(wh), batch_size=1, on_failure="fail", data_docs=False
    )
    s = quarry_pipeline(params)
    assert (s["status"], s["docs_in"], s["docs_skipped"], s["docs_cleaned"]) == ("succeeded", 2, 1, 1)
    assert q(wh, "SELECT count(*), count(DISTINCT doc_id) FROM documents") == [(2, 2)]
    assert q(wh, f"SELECT value, unit FROM metrics WHERE doc_id = '{BROKEN_ID}' ORDER BY value") == [
        (10000.0, "GPU"),
        (7e9, "parameters"),
    ]
    assert q(wh, f"SELECT count(*) FROM mentions WHERE doc_id = '{BROKEN_ID}'") == [(BROKEN_MENTIONS,)]
    assert q(wh, "SELECT status FROM runs ORDER BY started_at") == [("failed",), ("succeeded",)]


def test_quarantine_policy_holds_back_only_the_bad_rows(prefect_server, tmp_path, corpus, broken_extractor):
    wh = tmp_path / "q.duckdb"
    s = quarry_pipeline(
        RunParameters(
            source=str(corpus), warehouse=str(wh), batch_size=1, on_failure="quarantine", data_docs=False
        )
    )
    assert s["status"] == "succeeded"
    assert q(wh, "SELECT count(*) FROM documents") == [(2,)]
    held = q(wh, "SELECT stage, doc_id, reason, detail FROM quarantine")
    assert [h[:3] for h in held] == [("metrics", BROKEN_ID, "gate_failed")]
    assert held[0][3].startswith(
        f'metrics row failed ExpectColumnValuesToBeInSet(_surface_matches): {{"doc_id":"{BROKEN_ID}"'
    )
    # the document's other figure was promoted
    assert q(wh, f"SELECT value, unit FROM metrics WHERE doc_id = '{BROKEN_ID}'") == [(10000.0, "GPU")]
