"""The quality report: exact per-stage counts from literal frames, and a real Prefect artifact."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from flows.reporting import artifact_key, publish, quality_markdown

SUMMARY = {
    "run_id": "20260101T000000-abc123",
    "status": "failed",
    "docs_in": 7,
    "docs_skipped": 1,
    "docs_cleaned": 4,
    "mentions": 12,
    "metrics": 3,
    "message": "batch 1 clean: gate clean/documents batch 1: 1 of 3 expectations failed",
}


def _q(
    stage: str,
    batch: int,
    table: str,
    expectation: str,
    success: bool,
    severity: str = "critical",
    observed: str = "",
    sample: str = "[]",
) -> dict:
    return {
        "run_id": "r",
        "stage": stage,
        "batch": batch,
        "table_name": table,
        "expectation": expectation,
        "column_name": None,
        "severity": severity,
        "success": success,
        "observed": observed,
        "unexpected_sample": sample,
        "checked_at": None,
    }


QUALITY = pl.DataFrame(
    [
        _q("ingest", 0, "raw_documents", "ExpectTableColumnsToMatchSet", True),
        _q("ingest", 0, "raw_documents", "ExpectColumnValuesToNotBeNull(doc_id)", True),
        _q("ingest", 1, "raw_documents", "ExpectColumnValuesToNotBeNull(doc_id)", True),
        _q("clean", 0, "documents", "ExpectColumnValuesToNotBeNull(text)", True),
        _q("clean", 1, "documents", "ExpectColumnValuesToNotBeNull(text)", True),
        _q(
            "clean",
            1,
            "documents",
            "ExpectColumnValuesToMatchRegex(language)",
            False,
            observed="1 of 2 rows unexpected (50.00%)",
            sample='["English"]',
        ),
        _q("metrics", 0, "metrics", "ExpectColumnValuesToBeInSet(unit)", True),
        _q(
            "metrics",
            0,
            "batch_profile",
            "ExpectColumnMeanToBeBetween(metrics_per_kchar)",
            False,
            "warning",
            observed="0.0",
        ),
        _q("metrics", 0, "batch_profile", "ExpectColumnMeanToBeBetween(no_mentions)", True, "warning"),
    ]
)
QUARANTINE = pl.DataFrame(
    {
        "run_id": ["r"] * 4,
        "stage": ["ingest", "ingest", "clean", "gate"],
        "source": ["a.txt", "b.txt", "c.txt", "d.txt"],
        "doc_id": [None, "d1", "d2", "d3"],
        "reason": ["empty_document", "duplicate_document", "too_short", "gate_failed"],
        "detail": ["", "same content as x.txt", "", "mentions row failed: ..."],
    }
)


def test_markdown_has_exact_per_stage_counts() -> None:
    md = quality_markdown(SUMMARY, QUALITY, QUARANTINE, None)
    lines = md.splitlines()
    start = lines.index("## Gates by stage") + 2
    assert lines[start : start + 7] == [
        "| stage | batches | expectations | passed | failed (critical) | warnings | rows quarantined |",
        "|---|---:|---:|---:|---:|---:|---:|",
        "| ingest | 2 | 3 | 3 | 0 | 0 | 2 |",
        "| clean | 2 | 3 | 2 | 1 | 0 | 1 |",
        "| metrics | 1 | 3 | 2 | 0 | 1 | 0 |",
        "| gate | 0 | 0 | 0 | 0 | 0 | 1 |",
        "| **total** |  | 9 | 7 | 1 | 1 | 4 |",
    ]
    assert lines[0] == "# Quality: run 20260101T000000-abc123 failed"
    assert "Expectations: 7 passed, 1 failed, 1 warned." in lines  # as the table: a warning is no failure
    assert "7 documents in, 1 already loaded, 4 cleaned, 4 rows quarantined; 12 mentions, 3 metrics." in lines


def test_markdown_lists_quarantine_reasons_and_failed_expectations_with_observed_values() -> None:
    lines = quality_markdown(SUMMARY, QUALITY, QUARANTINE, None).splitlines()
    assert "| ingest | duplicate_document | 1 |" in lines and "| gate | gate_failed | 1 |" in lines
    failed = lines.index("## Failed expectations") + 2
    assert lines[failed : failed + 4] == [
        "| severity | stage | batch | table | expectation | observed | sample |",
        "|---|---|---|---|---|---|---|",
        "| critical | clean | 1 | documents | ExpectColumnValuesToMatchRegex(language) "
        '| 1 of 2 rows unexpected (50.00%) | ["English"] |',
        "| warning | metrics | 0 | batch_profile | ExpectColumnMeanToBeBetween(metrics_per_kchar) | 0.0 |  |",
    ]
    assert "batch 1 clean: gate clean/documents batch 1: 1 of 3 expectations failed" in lines


def test_markdown_links_the_data_docs_index(tmp_path: Path) -> None:
    index = tmp_path / "data_docs" / "index.html"
    md = quality_markdown({**SUMMARY, "warehouse": "/srv/q.duckdb"}, QUALITY, QUARANTINE, index)
    assert (
        "Data Docs: [http://127.0.0.1:4280/index.html](http://127.0.0.1:4280/index.html) "
        f"(while `quarry docs --warehouse /srv/q.duckdb` runs; files in {tmp_path / 'data_docs'})"
    ) in md.splitlines()


def test_markdown_of_a_run_without_results() -> None:
    md = quality_markdown({"run_id": "r", "status": "succeeded"}, pl.DataFrame(), None, None)
    assert "Expectations: 0 passed, 0 failed, 0 warned." in md
    assert "| **total** |  | 0 | 0 | 0 | 0 | 0 |" in md and "## Failed expectations" not in md


def test_artifact_keys_are_lowercase_digits_and_dashes() -> None:
    assert artifact_key("quarry-quality", "20260101T000000-abc123") == "quarry-quality-20260101t000000-abc123"
    assert artifact_key("Run #7 / Ü") == "run-7"


def test_publish_creates_a_markdown_artifact(prefect_server) -> None:
    from prefect import flow
    from prefect.artifacts import Artifact

    md = quality_markdown(SUMMARY, QUALITY, QUARANTINE, None)

    @flow
    def report() -> None:
        publish(md, "quarry-quality-TEST_1")

    report()
    got = Artifact.get("quarry-quality-test-1")
    assert got is not None and got.type == "markdown" and got.data == md


def test_rows_held_back_are_listed_per_expectation():
    summary = {
        **SUMMARY,
        "status": "succeeded",
        "message": None,
        "rows_held_by_expectation": {
            "metrics: ExpectColumnValuesToBeInSet(_value_plausible)": 3,
            "mentions: ExpectColumnValuesToBeInSet(_surface_matches)": 1,
        },
    }
    md = quality_markdown(summary, QUALITY, None, None)
    section = md.split("## Rows held back by expectation\n\n", 1)[1].split("\n\n## ", 1)[0]
    assert section.splitlines()[-4:] == [
        "| table: expectation | rows |",
        "|---|---:|",
        "| metrics: ExpectColumnValuesToBeInSet(_value_plausible) | 3 |",
        "| mentions: ExpectColumnValuesToBeInSet(_surface_matches) | 1 |",
    ]
    assert "## Rows held back" not in quality_markdown(SUMMARY, QUALITY, None, None)
