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
LABELS = SEEDS / "labels"
# Exact outputs of one run over seeds/ (batch_size=2). Extraction changes move these: update them here.
SEED_DOCUMENTS = 5
SEED_BATCHES = 3
SEED_MENTIONS = 317
SEED_METRICS = 24
SEED_ENTITIES = 505  # the gazetteer's entities; the seeds discover no new one
SEED_REMOVED_SPANS = 8
SEED_DOCS_WITH_REMOVED_SPANS = 3
SEED_EXPECTATIONS_PASSED = 279
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


def labelled_metrics() -> tuple[set[tuple[str, float, str]], set[tuple[str, float, str]]]:
    """(document stem, value, unit) of seeds/labels: (required figures, optional figures)."""
    required: set[tuple[str, float, str]] = set()
    optional: set[tuple[str, float, str]] = set()
    for path in sorted(LABELS.glob("*.json")):
        for m in json.loads(path.read_text(encoding="utf-8"))["metrics"]:
            (optional if m.get("optional") else required).add((path.stem, float(m["value"]), m["unit"]))
    return required, optional


def test_summary_counts_every_seed(seeded):
    _, s = seeded
    assert s["status"] == "succeeded"
    assert (s["docs_in"], s["docs_cleaned"], s["docs_quarantined"], s["batches"]) == (
        SEED_DOCUMENTS,
        SEED_DOCUMENTS,
        0,
        SEED_BATCHES,
    )
    assert (s["mentions"], s["metrics"]) == (SEED_MENTIONS, SEED_METRICS)
    assert (s["expectations_passed"], s["expectations_failed"]) == (SEED_EXPECTATIONS_PASSED, 0)
    assert set(s["stage_seconds"]) == {"ingest", "clean", "entities", "metrics", "load"}


def test_every_table_is_queryable_with_rows_from_all_seeds(seeded):
    wh, s = seeded
    for table in ("documents", "sentences", "mentions", "metrics"):
        assert q(wh, f"SELECT count(DISTINCT doc_id) FROM {table}") == [(SEED_DOCUMENTS,)], table
    assert q(wh, "SELECT count(*), count(DISTINCT doc_id) FROM removed_spans") == [
        (SEED_REMOVED_SPANS, SEED_DOCS_WITH_REMOVED_SPANS)
    ]
    assert q(wh, "SELECT count(*) FROM mentions") == [(SEED_MENTIONS,)]
    assert q(wh, "SELECT count(*) FROM metrics") == [(SEED_METRICS,)]
    assert q(wh, "SELECT count(*) FROM entities") == [(SEED_ENTITIES,)]
    assert q(wh, "SELECT count(*) FROM runs WHERE status = 'succeeded'") == [(1,)]
    # every outcome of every gate is a row: passed + failed, all of them successes
    assert q(wh, "SELECT count(*), count(*) FILTER (WHERE success) FROM quality_results") == [
        (
            s["expectations_passed"] + s["expectations_failed"] + s["expectations_warned"],
            SEED_EXPECTATIONS_PASSED,
        )
    ]
    assert q(wh, "SELECT count(*) FROM quarantine") == [(0,)]


def test_metrics_are_exactly_the_labelled_figures(seeded):
    """Every required figure of seeds/labels is extracted and nothing outside the labels is: a figure
    that is not labelled at all (noise, a date, a model's size) would show up in `unlabelled`."""
    wh, _ = seeded
    required, optional = labelled_metrics()
    got = set(
        q(
            wh,
            r"""SELECT regexp_extract(d.source, '([^/]+)\.txt$', 1), m.value, m.unit
                FROM metrics m JOIN documents d USING (doc_id)""",
        )
    )
    assert required - got == set()  # recall on the required figures
    assert got - required - optional == set()  # precision: no unlabelled figure


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
    assert q(wh, "SELECT count(*) FROM removed_spans") == [(SEED_REMOVED_SPANS,)]


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


# Suites the seeds' run validates (entities only when a run discovers new entities), and its Data Docs
# validation pages: one per suite per batch that had rows (one batch of three removed no span).
VALIDATED_SUITES = {
    "raw_documents",
    "documents",
    "sentences",
    "removed_spans",
    "doc_signatures",
    "mentions",
    "metrics",
    "batch_profile",
}
SEED_VALIDATION_PAGES = 23


def test_quality_artifact_of_the_run_reads_back_from_the_prefect_api(seeded):
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId

    wh, s = seeded
    [(flow_run_id,)] = q(wh, f"SELECT flow_run_id FROM runs WHERE run_id = '{s['run_id']}'")
    with get_client(sync_client=True) as client:
        artifacts = client.read_artifacts(
            artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[flow_run_id]))
        )
    [art] = artifacts
    assert (art.key, art.type) == ("quarry-quality", "markdown")
    lines = art.data.splitlines()
    assert lines[0] == f"# Quality: run {s['run_id']} succeeded"
    assert f"Expectations: {SEED_EXPECTATIONS_PASSED} passed, 0 failed, 0 warned." in lines
    index = Path(s["data_docs"])
    from flows.reporting import docs_url

    wh_path = s["warehouse"]
    assert (
        f"Data Docs: [{docs_url()}]({docs_url()}) (while `quarry docs --warehouse {wh_path}` runs; "
        f"files in {index.parent})"
    ) in lines


def test_data_docs_of_the_run_name_every_validated_suite(seeded):
    wh, s = seeded
    index = Path(s["data_docs"])
    assert index == wh.parent / "quarry" / "data_docs" / "index.html"
    html = index.read_text(encoding="utf-8")
    for suite in VALIDATED_SUITES:
        # the offline index lists each suite as a static, linked row (no JavaScript table)
        assert f'<a href="expectations/quarry/{suite}.html">quarry.{suite}</a>' in html, suite
    validations = index.parent / "validations" / "quarry"
    assert {p.name for p in validations.iterdir()} == VALIDATED_SUITES
    assert len(list(validations.rglob("*.html"))) == SEED_VALIDATION_PAGES
