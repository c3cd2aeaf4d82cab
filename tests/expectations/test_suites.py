"""Each suite: a table that passes, and for every critical rule a table that breaks exactly that rule."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from expectations.context import Context
from expectations.gate import SUITES, GateFailure, gate, validate

DOC = "a" * 64
TEXT = "Xiaomi’s MiMo has 7 billion parameters."
NOW = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
CTX = Context(
    documents=pl.DataFrame({"doc_id": [DOC], "text": [TEXT]}),
    entity_ids=pl.Series(["org:xiaomi", "model:mimo-7b"]),
)


# Row-level tables checked here; the per-batch profile has its own tests (tests/expectations/test_profile.py).
ROW_TABLES = sorted(t for t in SUITES if t != "batch_profile")


def valid(table: str) -> pl.DataFrame:
    rows = {
        "raw_documents": {
            "doc_id": [DOC],
            "source": ["a.txt"],
            "raw_text": [TEXT],
            "title": [None],
            "author": [None],
            "published_at": [None],
            "url": [None],
        },
        "documents": {
            "doc_id": [DOC],
            "source": ["a.txt"],
            "title": ["T"],
            "author": [None],
            "published_at": [NOW],
            "url": [None],
            "text": [TEXT],
            "raw_chars": [50],
            "clean_chars": [len(TEXT)],
            "language": ["en"],
            "duplicate_of": [None],
            "clean_version": ["c1"],
            "gazetteer_version": ["g1"],
            "extractor_version": ["m1"],
            "run_id": ["r"],
        },
        "sentences": {
            "doc_id": [DOC],
            "sentence_id": [0],
            "paragraph_id": [0],
            "start": [0],
            "end": [len(TEXT)],
            "run_id": ["r"],
        },
        "removed_spans": {
            "doc_id": [DOC],
            "start": [0],
            "end": [5],
            "rule": ["promo"],
            "text": ["Buy! "],
            "run_id": ["r"],
        },
        "doc_signatures": {"doc_id": [DOC], "signature": [list(range(128))], "run_id": ["r"]},
        "entities": {
            "entity_id": ["org:xiaomi", "model:mimo-7b"],
            "name": ["Xiaomi", "MiMo-7B"],
            "type": ["ORG", "MODEL"],
            "method": ["gazetteer", "gazetteer"],
            "gazetteer_version": ["g1", "g1"],
        },
        "mentions": {
            "doc_id": [DOC, DOC],
            "entity_id": ["org:xiaomi", "model:mimo-7b"],
            "surface": ["Xiaomi", "MiMo"],
            "start": [0, 9],
            "end": [6, 13],
            "method": ["gazetteer", "gazetteer"],
            "confidence": [1.0, 1.0],
            "gazetteer_version": ["g1", "g1"],
            "run_id": ["r", "r"],
        },
        "metrics": {
            "metric_id": [f"{DOC}:18"],
            "doc_id": [DOC],
            "value": [7e9],
            "value_high": [None],
            "unit": ["parameters"],
            "qualifier": [None],
            "kind": ["parameter_count"],
            "direction": [None],
            "outlook": [None],
            "segment": [None],
            "surface": ["7 billion parameters"],
            "start": [18],
            "end": [38],
            "sentence_start": [0],
            "sentence_end": [len(TEXT)],
            "subject_entity_id": ["model:mimo-7b"],
            "linked_metric_id": [None],
            "extractor_version": ["m1"],
            "run_id": ["r"],
        },
    }[table]
    from warehouse.files import conform

    return pl.from_arrow(conform(pl.DataFrame(rows, strict=False), SUITES[table].TABLE))


# (table, the expectation that must fail, how to break it)
BREAKS = [
    (
        "raw_documents",
        "ExpectColumnValuesToNotBeNull(raw_text)",
        lambda d: d.with_columns(raw_text=pl.lit(None, pl.String)),
    ),
    (
        "raw_documents",
        "ExpectColumnValuesToBeInSet(_raw_text_not_empty)",
        lambda d: d.with_columns(raw_text=pl.lit("")),
    ),
    (
        "raw_documents",
        "ExpectColumnValuesToMatchRegex(doc_id)",
        lambda d: d.with_columns(doc_id=pl.lit("xyz")),
    ),
    ("raw_documents", "ExpectColumnValuesToBeUnique(doc_id)", lambda d: pl.concat([d, d])),
    (
        "documents",
        "ExpectTableColumnsToMatchSet",
        lambda d: d.drop("language").with_columns(lang=pl.lit("en")),
    ),
    (
        "documents",
        "ExpectColumnValuesToNotBeNull(doc_id)",
        lambda d: d.with_columns(doc_id=pl.lit(None, pl.String)),
    ),
    ("documents", "ExpectColumnValuesToBeUnique(doc_id)", lambda d: pl.concat([d, d])),
    (
        "documents",
        "ExpectColumnValuesToBeInSet(_text_not_empty)",
        lambda d: d.with_columns(text=pl.lit(""), clean_chars=pl.lit(0, pl.Int64)),
    ),
    (
        "documents",
        "ExpectColumnPairValuesAToBeGreaterThanB(raw_chars,clean_chars)",
        lambda d: d.with_columns(raw_chars=pl.lit(3, pl.Int64)),
    ),
    ("documents", "ExpectColumnValuesToMatchRegex(doc_id)", lambda d: d.with_columns(doc_id=pl.lit("ABC"))),
    (
        "documents",
        "ExpectColumnValuesToMatchRegex(language)",
        lambda d: d.with_columns(language=pl.lit("English")),
    ),
    (
        "documents",
        "ExpectColumnValuesToBeInSet(_clean_chars_match)",
        lambda d: d.with_columns(clean_chars=pl.lit(2, pl.Int64)),
    ),
    (
        "sentences",
        "ExpectColumnPairValuesAToBeGreaterThanB(end,start)",
        lambda d: d.with_columns(end=pl.col("start")),
    ),
    ("sentences", "ExpectCompoundColumnsToBeUnique(doc_id,sentence_id)", lambda d: pl.concat([d, d])),
    (
        "removed_spans",
        "ExpectColumnPairValuesAToBeGreaterThanB(end,start)",
        lambda d: d.with_columns(end=pl.lit(0, pl.Int64)),
    ),
    (
        "removed_spans",
        "ExpectColumnValuesToNotBeNull(rule)",
        lambda d: d.with_columns(rule=pl.lit(None, pl.String)),
    ),
    (
        "doc_signatures",
        "ExpectColumnValuesToBeInSet(_signature_length_ok)",
        lambda d: d.with_columns(signature=pl.lit([1, 2, 3], pl.List(pl.UInt64))),
    ),
    ("entities", "ExpectColumnValuesToBeInSet(type)", lambda d: d.with_columns(type=pl.lit("COMPANY"))),
    ("entities", "ExpectColumnValuesToBeInSet(method)", lambda d: d.with_columns(method=pl.lit("guess"))),
    (
        "entities",
        "ExpectColumnValuesToMatchRegex(entity_id)",
        lambda d: d.with_columns(entity_id=pl.Series(["Xiaomi", "MiMo"])),
    ),
    (
        "entities",
        "ExpectColumnValuesToBeUnique(entity_id)",
        lambda d: d.with_columns(entity_id=pl.lit("org:xiaomi")),
    ),
    (
        "mentions",
        "ExpectColumnValuesToBeBetween(start)",
        lambda d: d.with_columns(start=pl.lit(-1, pl.Int64)),
    ),
    (
        "mentions",
        "ExpectColumnPairValuesAToBeGreaterThanB(end,start)",
        lambda d: d.with_columns(end=pl.col("start")),
    ),
    (
        "mentions",
        "ExpectColumnValuesToBeBetween(confidence)",
        lambda d: d.with_columns(confidence=pl.lit(1.5)),
    ),
    ("mentions", "ExpectColumnValuesToBeInSet(method)", lambda d: d.with_columns(method=pl.lit("ml"))),
    (
        "mentions",
        "ExpectColumnValuesToBeInSet(_surface_matches)",
        lambda d: d.with_columns(start=pl.col("start") + 1, end=pl.col("end") + 1),
    ),
    (
        "mentions",
        "ExpectColumnValuesToBeInSet(_entity_known)",
        lambda d: d.with_columns(entity_id=pl.lit("org:nobody")),
    ),
    ("mentions", "ExpectCompoundColumnsToBeUnique(doc_id,start)", lambda d: pl.concat([d, d])),
    ("metrics", "ExpectColumnValuesToBeInSet(unit)", lambda d: d.with_columns(unit=pl.lit("pounds"))),
    (
        "metrics",
        "ExpectColumnValuesToBeInSet(direction)",
        lambda d: d.with_columns(direction=pl.lit("sideways")),
    ),
    (
        "metrics",
        "ExpectColumnValuesToBeInSet(outlook)",
        lambda d: d.with_columns(outlook=pl.lit("hoped")),
    ),
    (
        "metrics",
        "ExpectColumnPairValuesAToBeGreaterThanB(end,start)",
        lambda d: d.with_columns(end=pl.col("start")),
    ),
    (
        "metrics",
        "ExpectColumnValuesToBeInSet(_surface_matches)",
        lambda d: d.with_columns(end=pl.lit(10_000, pl.Int64)),
    ),
    (
        "metrics",
        "ExpectColumnValuesToBeInSet(_subject_known)",
        lambda d: d.with_columns(subject_entity_id=pl.lit("model:gpt-9")),
    ),
    (
        "metrics",
        "ExpectColumnValuesToBeInSet(_value_plausible)",
        lambda d: d.with_columns(value=pl.lit(1e15)),
    ),
    ("metrics", "ExpectColumnValuesToBeUnique(metric_id)", lambda d: pl.concat([d, d])),
    (
        "metrics",
        "ExpectColumnValuesToNotBeNull(unit)",
        lambda d: d.with_columns(unit=pl.lit(None, pl.String)),
    ),
]


def _baseline_breaks() -> list[tuple[str, str, object]]:
    """Baseline rules come from the schema, so do their breaking tables: one per rule per table."""
    out = []
    for table in ROW_TABLES:
        module = SUITES[table]
        t = module.TABLE
        out.append((table, "ExpectTableColumnsToMatchSet", lambda d, c=t.columns[-1]: d.drop(c)))
        for col in t.required:
            out.append(
                (
                    table,
                    f"ExpectColumnValuesToNotBeNull({col})",
                    lambda d, c=col: d.with_columns(pl.lit(None, d.schema[c]).alias(c)),
                )
            )
        if len(t.key) == 1:
            out.append((table, f"ExpectColumnValuesToBeUnique({t.key[0]})", lambda d: pl.concat([d, d])))
        elif t.key:
            out.append(
                (table, f"ExpectCompoundColumnsToBeUnique({','.join(t.key)})", lambda d: pl.concat([d, d]))
            )
    return out


BREAKS += _baseline_breaks()

# A broken column also breaks the rules that read the same column (listed here, from a run of every
# breaker); any other failure means a breaker or a rule checks more than it says.
ALSO_FAILS: dict[tuple[str, str], set[str]] = {
    ("doc_signatures", "ExpectColumnValuesToNotBeNull(signature)"): {
        "ExpectColumnValuesToBeInSet(_signature_length_ok)",
    },
    ("doc_signatures", "ExpectTableColumnsToMatchSet"): {
        "ExpectColumnValuesToNotBeNull(run_id)",
    },
    ("documents", "ExpectColumnValuesToNotBeNull(clean_chars)"): {
        "ExpectColumnPairValuesAToBeGreaterThanB(raw_chars,clean_chars)",
        "ExpectColumnValuesToBeInSet(_clean_chars_match)",
    },
    ("documents", "ExpectColumnValuesToNotBeNull(raw_chars)"): {
        "ExpectColumnPairValuesAToBeGreaterThanB(raw_chars,clean_chars)",
    },
    ("documents", "ExpectColumnValuesToNotBeNull(text)"): {
        "ExpectColumnValuesToBeInSet(_clean_chars_match)",
        "ExpectColumnValuesToBeInSet(_text_not_empty)",
    },
    ("documents", "ExpectTableColumnsToMatchSet"): {
        "ExpectColumnValuesToMatchRegex(language)",
        "ExpectColumnValuesToNotBeNull(language)",
        "ExpectColumnValuesToNotBeNull(run_id)",
    },
    ("entities", "ExpectTableColumnsToMatchSet"): {
        "ExpectColumnValuesToNotBeNull(gazetteer_version)",
    },
    ("mentions", "ExpectColumnPairValuesAToBeGreaterThanB(end,start)"): {
        "ExpectColumnValuesToBeInSet(_surface_matches)",
    },
    ("mentions", "ExpectColumnValuesToBeBetween(start)"): {
        "ExpectColumnValuesToBeInSet(_surface_matches)",
        "ExpectCompoundColumnsToBeUnique(doc_id,start)",
    },
    ("mentions", "ExpectColumnValuesToNotBeNull(doc_id)"): {
        "ExpectColumnValuesToBeInSet(_surface_matches)",
    },
    ("mentions", "ExpectColumnValuesToNotBeNull(end)"): {
        "ExpectColumnPairValuesAToBeGreaterThanB(end,start)",
        "ExpectColumnValuesToBeInSet(_surface_matches)",
    },
    ("mentions", "ExpectColumnValuesToNotBeNull(entity_id)"): {
        "ExpectColumnValuesToBeInSet(_entity_known)",
    },
    ("mentions", "ExpectColumnValuesToNotBeNull(start)"): {
        "ExpectColumnPairValuesAToBeGreaterThanB(end,start)",
        "ExpectColumnValuesToBeInSet(_surface_matches)",
        "ExpectCompoundColumnsToBeUnique(doc_id,start)",
    },
    ("mentions", "ExpectColumnValuesToNotBeNull(surface)"): {
        "ExpectColumnValuesToBeInSet(_surface_matches)",
    },
    ("mentions", "ExpectTableColumnsToMatchSet"): {
        "ExpectColumnValuesToNotBeNull(run_id)",
    },
    ("metrics", "ExpectColumnPairValuesAToBeGreaterThanB(end,start)"): {
        "ExpectColumnValuesToBeInSet(_surface_matches)",
    },
    ("metrics", "ExpectColumnValuesToBeInSet(unit)"): {
        "ExpectColumnValuesToBeInSet(_value_plausible)",
    },
    ("metrics", "ExpectColumnValuesToNotBeNull(doc_id)"): {
        "ExpectColumnValuesToBeInSet(_surface_matches)",
    },
    ("metrics", "ExpectColumnValuesToNotBeNull(end)"): {
        "ExpectColumnPairValuesAToBeGreaterThanB(end,start)",
        "ExpectColumnValuesToBeInSet(_surface_matches)",
    },
    ("metrics", "ExpectColumnValuesToNotBeNull(start)"): {
        "ExpectColumnPairValuesAToBeGreaterThanB(end,start)",
        "ExpectColumnValuesToBeInSet(_surface_matches)",
    },
    ("metrics", "ExpectColumnValuesToNotBeNull(surface)"): {
        "ExpectColumnValuesToBeInSet(_surface_matches)",
    },
    ("metrics", "ExpectColumnValuesToNotBeNull(unit)"): {
        "ExpectColumnValuesToBeInSet(_value_plausible)",
    },
    ("metrics", "ExpectColumnValuesToNotBeNull(value)"): {
        "ExpectColumnValuesToBeInSet(_value_plausible)",
    },
    ("metrics", "ExpectTableColumnsToMatchSet"): {
        "ExpectColumnValuesToNotBeNull(run_id)",
    },
    ("raw_documents", "ExpectColumnValuesToNotBeNull(raw_text)"): {
        "ExpectColumnValuesToBeInSet(_raw_text_not_empty)",
    },
    ("removed_spans", "ExpectColumnValuesToNotBeNull(end)"): {
        "ExpectColumnPairValuesAToBeGreaterThanB(end,start)",
    },
    ("removed_spans", "ExpectColumnValuesToNotBeNull(start)"): {
        "ExpectColumnPairValuesAToBeGreaterThanB(end,start)",
    },
    ("removed_spans", "ExpectTableColumnsToMatchSet"): {
        "ExpectColumnValuesToNotBeNull(run_id)",
    },
    ("sentences", "ExpectColumnValuesToNotBeNull(end)"): {
        "ExpectColumnPairValuesAToBeGreaterThanB(end,start)",
    },
    ("sentences", "ExpectColumnValuesToNotBeNull(start)"): {
        "ExpectColumnPairValuesAToBeGreaterThanB(end,start)",
    },
    ("sentences", "ExpectTableColumnsToMatchSet"): {
        "ExpectColumnValuesToNotBeNull(run_id)",
    },
}


@pytest.mark.parametrize("table", ROW_TABLES)
def test_valid_table_passes_every_expectation(table: str) -> None:
    report = validate(table, valid(table), CTX, "test", 0)
    assert [o.check.name for o in report.outcomes if not o.success] == []
    assert report.passed == len(SUITES[table].suite())


@pytest.mark.parametrize(("table", "expectation", "breaker"), BREAKS, ids=[f"{t}-{e}" for t, e, _ in BREAKS])
def test_each_critical_rule_fails_on_a_broken_table(table: str, expectation: str, breaker) -> None:
    broken = breaker(valid(table))
    report = validate(table, broken, CTX, "test", 0)
    failed = {o.check.name for o in report.failed_critical}
    assert expectation in failed
    assert failed - {expectation} <= ALSO_FAILS.get((table, expectation), set())


def test_every_critical_rule_has_a_breaking_table() -> None:
    covered = {(t, e) for t, e, _ in BREAKS}
    for table in ROW_TABLES:
        module = SUITES[table]
        for check in module.suite():
            if check.severity == "critical":
                assert (table, check.name) in covered, f"no test breaks {table}: {check.name}"


def test_gate_failure_names_expectation_and_offending_values() -> None:
    broken = valid("metrics").with_columns(value=pl.lit(1e15))
    with pytest.raises(GateFailure) as info:
        gate("metrics", broken, CTX, "metrics", 3, policy="fail")
    msg = str(info.value)
    assert "gate metrics/metrics batch 3: 1 of" in msg
    assert "[critical] ExpectColumnValuesToBeInSet(_value_plausible): 1 of 1 rows unexpected (100.00%)" in msg
    assert "'value': 1000000000000000.0" in msg and "'unit': 'parameters'" in msg


def test_quarantine_policy_holds_back_only_offending_rows() -> None:
    good = valid("mentions")
    bad = good.head(1).with_columns(start=pl.lit(20, pl.Int64), end=pl.lit(26, pl.Int64))
    kept, held, report = gate("mentions", pl.concat([good, bad]), CTX, "entities", 0, policy="quarantine")
    assert kept.get_column("start").to_list() == [0, 9]
    assert held.select("start", "_failed").rows() == [
        (
            20,
            "ExpectColumnValuesToBeInSet(_surface_matches): "
            f'{{"doc_id":"{DOC}","surface":"Xiaomi","start":20,"end":26,"entity_id":"org:xiaomi"}}',
        )
    ]
    assert report.quarantined_rows == 1


def test_quarantine_policy_still_fails_on_table_level_rules() -> None:
    with pytest.raises(GateFailure, match="ExpectCompoundColumnsToBeUnique"):
        gate("mentions", pl.concat([valid("mentions")] * 2), CTX, "entities", 0, policy="quarantine")


def test_records_are_quality_results_rows() -> None:
    report = validate("entities", valid("entities"), CTX, "entities", 2)
    recs = report.records("run1", NOW)
    assert {r["expectation"] for r in recs} >= {
        "ExpectColumnValuesToBeInSet(type)",
        "ExpectColumnValuesToBeUnique(entity_id)",
    }
    assert all(r["success"] and r["batch"] == 2 and r["table_name"] == "entities" for r in recs)
