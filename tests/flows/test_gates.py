"""A deliberately broken batch end to end: the gate stops it (fail) or holds back its bad rows."""

from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb
import polars as pl
import pytest

import transforms.metrics
from flows.pipeline import PipelineFailed, RunParameters, quarry_pipeline

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
BROKEN = SEEDS / "004_dff8e1591547957f.txt"
BROKEN_ID = hashlib.sha256(BROKEN.read_bytes()).hexdigest()


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


def test_failed_gate_promotes_nothing_of_the_batch(prefect_server, tmp_path, broken_extractor):
    wh = tmp_path / "g.duckdb"
    with pytest.raises(PipelineFailed) as info:
        quarry_pipeline(RunParameters(source=str(SEEDS), warehouse=str(wh), batch_size=1, on_failure="fail"))
    msg = str(info.value)
    assert "batch 4 metrics: gate metrics/metrics batch 4: 1 of" in msg
    assert "[critical] ExpectColumnValuesToBeInSet(_surface_matches): 1 of 2 rows unexpected" in msg
    assert info.value.summary["batches_failed"] == 1
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
    # the next run (extractor fixed or not) retries the unpromoted document: it is not "known"
    assert q(wh, f"SELECT count(*) FROM quarantine WHERE doc_id = '{BROKEN_ID}'") == [(0,)]


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
