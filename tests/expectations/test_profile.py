"""The batch profile: exact per-document counts, and a warning (never a block) for each broken rule."""

from __future__ import annotations

import polars as pl
import pytest

from expectations import batch_profile
from expectations.batch_profile import profile
from expectations.context import Context
from expectations.gate import SUITES, gate, validate

D1, D2, D3 = "1" * 64, "2" * 64, "3" * 64
DOCS = pl.DataFrame({"doc_id": [D1, D2, D3], "clean_chars": [2000, 500, 4000]})
MENTIONS = pl.DataFrame({"doc_id": [D1, D1, D1, D1, D3, D3], "start": [0, 10, 20, 30, 0, 9]})
METRICS = pl.DataFrame({"doc_id": [D1, D3, D3], "metric_id": ["a", "b", "c"]})


def test_profile_counts_per_document_with_zero_for_documents_without_rows() -> None:
    got = profile(DOCS, MENTIONS, METRICS)
    assert got.columns == batch_profile.TABLE.columns
    assert got.rows() == [
        (D1, 2000, 4, 1, 0.0, 2.0, 0.5),
        (D2, 500, 0, 0, 1.0, 0.0, 0.0),
        (D3, 4000, 2, 2, 0.0, 0.5, 0.5),
    ]


def test_profile_leaves_densities_null_for_an_empty_text() -> None:
    got = profile(pl.DataFrame({"doc_id": [D1], "clean_chars": [0]}), MENTIONS.head(0), METRICS.head(0))
    assert got.rows() == [(D1, 0, 0, 0, 1.0, None, None)]


def test_profile_of_an_empty_batch_is_empty() -> None:
    assert profile(DOCS.head(0), MENTIONS.head(0), METRICS.head(0)).height == 0


def passing() -> pl.DataFrame:
    """Ten documents of 2,000 characters: 9 with 20 mentions and 2 figures, 1 with none (10% < 50%)."""
    ids = [f"{i:064d}" for i in range(10)]
    docs = pl.DataFrame({"doc_id": ids, "clean_chars": [2000] * 10})
    mentions = pl.DataFrame({"doc_id": [d for d in ids[:9] for _ in range(20)]})
    metrics = pl.DataFrame({"doc_id": [d for d in ids[:9] for _ in range(2)]})
    return profile(docs, mentions, metrics)


def _set(column: str, value: float | int):
    return lambda d: d.with_columns(pl.lit(value, d.schema[column]).alias(column))


# (the expectation that must warn, how to break the profile)
BREAKS = [
    ("ExpectColumnMeanToBeBetween(no_mentions)", _set("no_mentions", 1.0)),
    ("ExpectColumnMeanToBeBetween(mentions_per_kchar)", _set("mentions_per_kchar", 0.0)),
    ("ExpectColumnMeanToBeBetween(mentions_per_kchar)", _set("mentions_per_kchar", 500.0)),
    ("ExpectColumnMeanToBeBetween(metrics_per_kchar)", _set("metrics_per_kchar", 0.0)),
    ("ExpectColumnMeanToBeBetween(metrics_per_kchar)", _set("metrics_per_kchar", 100.0)),
    ("ExpectColumnValuesToBeBetween(n_mentions)", _set("n_mentions", 5000)),
    ("ExpectTableColumnsToMatchSet", lambda d: d.drop("n_metrics")),
    ("ExpectColumnValuesToBeUnique(doc_id)", lambda d: pl.concat([d, d])),
    *(
        (
            f"ExpectColumnValuesToNotBeNull({c})",
            lambda d, c=c: d.with_columns(pl.lit(None, d.schema[c]).alias(c)),
        )
        for c in batch_profile.TABLE.required
    ),
]


def test_profile_suite_is_registered_and_warning_only() -> None:
    assert SUITES["batch_profile"] is batch_profile
    assert {c.severity for c in batch_profile.suite()} == {"warning"}


def test_passing_profile_passes_every_expectation() -> None:
    report = validate("batch_profile", passing(), Context(), "metrics", 0)
    assert [o.check.name for o in report.outcomes if not o.success] == []
    assert report.passed == len(batch_profile.suite())


@pytest.mark.parametrize(
    ("expectation", "breaker"), BREAKS, ids=[f"{e}-{i}" for i, (e, _) in enumerate(BREAKS)]
)
def test_each_rule_warns_on_a_broken_profile_and_never_blocks(expectation: str, breaker) -> None:
    broken = breaker(passing())
    kept, held, report = gate("batch_profile", broken, Context(), "metrics", 0, policy="fail")
    assert expectation in {o.check.name for o in report.warnings}
    assert report.failed_critical == []
    assert kept.height == broken.height and held.height == 0


def test_every_rule_has_a_breaking_profile() -> None:
    covered = {e for e, _ in BREAKS}
    assert {c.name for c in batch_profile.suite()} <= covered


def test_a_silent_extractor_trips_the_distribution_checks() -> None:
    """The failure the profile exists for: every row valid, but no mentions and no figures at all."""
    docs = pl.DataFrame({"doc_id": [f"{i:064d}" for i in range(5)], "clean_chars": [3000] * 5})
    prof = profile(docs, pl.DataFrame({"doc_id": []}, schema={"doc_id": pl.String}), METRICS.head(0))
    report = validate("batch_profile", prof, Context(), "metrics", 0)
    warned = {o.check.name: o.observed for o in report.warnings}
    assert warned == {
        "ExpectColumnMeanToBeBetween(no_mentions)": "1.0",
        "ExpectColumnMeanToBeBetween(mentions_per_kchar)": "0.0",
        "ExpectColumnMeanToBeBetween(metrics_per_kchar)": "0.0",
    }


def test_an_empty_batch_would_warn_so_the_task_skips_it() -> None:
    """GX observes no mean on zero rows and fails the check: the metrics task gates only non-empty batches."""
    empty = profile(DOCS.head(0), MENTIONS.head(0), METRICS.head(0))
    report = validate("batch_profile", empty, Context(), "metrics", 0)
    assert {o.check.name for o in report.warnings} == {
        "ExpectColumnMeanToBeBetween(no_mentions)",
        "ExpectColumnMeanToBeBetween(mentions_per_kchar)",
        "ExpectColumnMeanToBeBetween(metrics_per_kchar)",
    }
