"""One real run over seeds/: Prefect (temporary server), polars transforms, GX gates, Parquet, DuckDB."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from flows.pipeline import RunParameters, quarry_pipeline
from warehouse.catalog import Warehouse, manifest
from warehouse.schemas import TABLES

SEEDS = Path(__file__).resolve().parents[1] / "seeds"
PROMO = [
    "Gate Square",
    "WXTM",
    "CandyDrop",
    "Fuel your morning",
    "Grab it free now",
    "Let’s talk",
    "Xiaomi bolsters high-end push",
    "Huawei hands in its results",
]


@pytest.fixture(scope="module")
def seeded(prefect_server, tmp_path_factory):
    wh = tmp_path_factory.mktemp("e2e") / "quarry.duckdb"
    summary = quarry_pipeline(RunParameters(source=str(SEEDS), warehouse=str(wh), batch_size=2))
    return wh, summary


def q(wh: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(wh), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_summary_counts_every_seed(seeded):
    _, s = seeded
    assert s["status"] == "succeeded"
    assert (s["docs_in"], s["docs_cleaned"], s["docs_quarantined"], s["batches"]) == (5, 5, 0, 3)
    assert s["mentions"] > 50 and s["metrics"] >= 15
    assert s["expectations_failed"] == 0 and s["expectations_passed"] > 100
    assert set(s["stage_seconds"]) == {"ingest", "clean", "entities", "metrics", "load"}


def test_every_table_is_queryable_with_rows_from_all_seeds(seeded):
    wh, _ = seeded
    for table in ("documents", "sentences", "mentions", "metrics", "removed_spans"):
        assert q(wh, f"SELECT count(DISTINCT doc_id) FROM {table}") == [(5,)] or table == "removed_spans"
    assert q(wh, "SELECT count(*) FROM runs WHERE status = 'succeeded'") == [(1,)]
    assert q(wh, "SELECT count(*) > 0 FROM entities") == [(True,)]
    assert q(wh, "SELECT count(*) > 0, bool_and(success) FROM quality_results") == [(True, True)]
    assert q(wh, "SELECT count(*) FROM quarantine") == [(0,)]


def test_seed_facts(seeded):
    wh, _ = seeded
    doc000 = "f6e255f79f1fd0ca"
    rows = q(
        wh,
        f"""SELECT m.value, m.unit, e.name FROM metrics m JOIN documents d USING (doc_id)
                     LEFT JOIN entities e ON e.entity_id = m.subject_entity_id
                     WHERE d.source LIKE '%{doc000}%' AND m.unit = 'parameters' ORDER BY m.value DESC""",
    )
    assert rows[0][:2] == (6.4e9, "parameters")
    assert (2e10, "CNY") in q(wh, "SELECT value, unit FROM metrics")
    assert (5.3, "percent") in q(wh, "SELECT value, unit FROM metrics")
    # offsets index the cleaned text
    bad = q(
        wh,
        """SELECT count(*) FROM mentions m JOIN documents d USING (doc_id)
                   WHERE substring(d.text, m.start + 1, m."end" - m.start) <> m.surface""",
    )
    assert bad == [(0,)]
    bad = q(
        wh,
        """SELECT count(*) FROM metrics m JOIN documents d USING (doc_id)
                   WHERE substring(d.text, m.start + 1, m."end" - m.start) <> m.surface""",
    )
    assert bad == [(0,)]


def test_boilerplate_is_gone_and_repeated_paragraph_kept_once(seeded):
    wh, _ = seeded
    texts = "\n".join(r[0] for r in q(wh, "SELECT text FROM documents"))
    for phrase in PROMO:
        assert phrase not in texts, phrase
    para = "Xiaomi just crashed the AI party."
    assert texts.count(para) == 1
    assert q(wh, "SELECT count(*) > 0 FROM removed_spans") == [(True,)]


def test_parquet_files_keep_declared_schema(seeded):
    wh, _ = seeded
    for entry in manifest(Warehouse.at(wh)):
        assert pq.read_schema(entry.path).remove_metadata() == TABLES[entry.table_name].schema, entry.path


def test_rerun_is_idempotent(seeded):
    wh, _ = seeded
    before = {
        t: q(wh, f"SELECT * FROM {t} ORDER BY ALL") for t in ("documents", "mentions", "metrics", "entities")
    }
    s = quarry_pipeline(RunParameters(source=str(SEEDS), warehouse=str(wh)))
    assert (s["docs_in"], s["docs_skipped"], s["docs_cleaned"]) == (5, 5, 0)
    after = {t: q(wh, f"SELECT * FROM {t} ORDER BY ALL") for t in before}
    assert after == before
    runs = q(wh, "SELECT docs_cleaned, parameters FROM runs ORDER BY started_at")
    assert [r[0] for r in runs] == [5, 0]
    assert json.loads(runs[1][1])["source"] == str(SEEDS)
