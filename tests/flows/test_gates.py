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
    prefect_server, tmp_path, broken_extractor, monkeypatch, capsys
):
    wh = tmp_path / "g.duckdb"
    # Through the CLI's entry point, in this process (the session's Prefect server): exit status 1.
    argv = ["run", "--source", str(SEEDS), "--warehouse", str(wh), "--batch-size", "1"]
    assert cli.main([*argv, "--on-failure", "fail"]) == 1
    out = capsys.readouterr().out
    assert "run failed: batch 4 metrics: gate metrics/metrics batch 4: 1 of" in out
    assert "[critical] ExpectColumnValuesToBeInSet(_surface_matches): 1 of 2 rows unexpected" in out
    assert re.search(r"│ batches failed +│ +1 │", out), out
    # nothing of the broken batch reached the warehouse; the other four batches did
    for table in ("documents", "sentences", "mentions", "metrics", "doc_signatures"):
        assert q(wh, f"SELECT count(*) FROM {table} WHERE doc_id = '{BROKEN_ID}'") == [(0,)], table
    assert q(wh, "SELECT count(*) FROM documents") == [(4,)]
    status, message = q(wh, "SELECT status, message FROM runs")[0]
    assert status == "failed" and "_surface_matches" in message
    assert q(
        wh,
        "SELECT stage, batch, table_name, severity, observed FROM quality_results "
        "WHERE NOT success AND severity = 'critical'",
    ) == [("metrics", 4, "metrics", "critical", "1 of 2 rows unexpected (50.00%)")]
    assert q(wh, f"SELECT count(*) FROM quarantine WHERE doc_id = '{BROKEN_ID}'") == [(0,)]
    # The extractor is fixed: the next ordinary run retries exactly the unpromoted document.
    monkeypatch.undo()
    s = quarry_pipeline(RunParameters(source=str(SEEDS), warehouse=str(wh), batch_size=1, on_failure="fail"))
    assert (s["status"], s["docs_in"], s["docs_skipped"], s["docs_cleaned"]) == ("succeeded", 5, 4, 1)
    assert q(wh, "SELECT count(*), count(DISTINCT doc_id) FROM documents") == [(5, 5)]
    assert q(wh, f"SELECT value, unit FROM metrics WHERE doc_id = '{BROKEN_ID}' ORDER BY value") == [
        (10000.0, "GPU"),
        (7e9, "parameters"),
    ]
    assert q(wh, f"SELECT count(*) FROM mentions WHERE doc_id = '{BROKEN_ID}'") == [(BROKEN_MENTIONS,)]
    assert q(wh, "SELECT status FROM runs ORDER BY started_at") == [("failed",), ("succeeded",)]


def test_quarantine_policy_holds_back_only_the_bad_rows(prefect_server, tmp_path, broken_extractor):
    wh = tmp_path / "q.duckdb"
    s = quarry_pipeline(
        RunParameters(source=str(SEEDS), warehouse=str(wh), batch_size=1, on_failure="quarantine")
    )
    assert s["status"] == "succeeded"
    assert q(wh, "SELECT count(*) FROM documents") == [(5,)]
    held = q(wh, "SELECT stage, doc_id, reason, detail FROM quarantine")
    assert [h[:3] for h in held] == [("metrics", BROKEN_ID, "gate_failed")]
    assert held[0][3].startswith(
        f'metrics row failed ExpectColumnValuesToBeInSet(_surface_matches): {{"doc_id":"{BROKEN_ID}"'
    )
    # the document's other figure was promoted
    assert q(wh, f"SELECT value, unit FROM metrics WHERE doc_id = '{BROKEN_ID}'") == [(10000.0, "GPU")]
