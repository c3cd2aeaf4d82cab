"""The gate's policy on literal frames through real GX: hold back a few odd rows, stop on systemic or
table-level failures, strict mode."""

from __future__ import annotations

import polars as pl
import pytest

from expectations.context import Context
from expectations.gate import GateFailure, gate
from warehouse.files import conform
from warehouse.schemas import METRICS

TEXT = "Acme has 7 billion parameters."
PLAUSIBLE = "ExpectColumnValuesToBeInSet(_value_plausible)"


def metrics(n: int, odd: dict[int, str], docs: int = 100) -> tuple[pl.DataFrame, Context]:
    """`n` figures over `docs` documents (row i in document i % docs); rows in `odd` get value 1e20."""
    ids = [f"{i % docs:064d}" for i in range(n)]
    df = pl.DataFrame(
        {
            "metric_id": [f"{d}:{i}" for i, d in enumerate(ids)],
            "doc_id": ids,
            "value": [1e20 if i in odd else 7e9 for i in range(n)],
            "unit": ["parameters"] * n,
            "kind": ["parameter_count"] * n,
            "surface": ["7 billion parameters"] * n,
            "start": [9] * n,
            "end": [29] * n,
            "sentence_start": [0] * n,
            "sentence_end": [len(TEXT)] * n,
            "subject_entity_id": ["org:acme"] * n,
            "extractor_version": ["m1"] * n,
            "run_id": ["r"] * n,
        },
        strict=False,
    )
    docs_frame = pl.DataFrame({"doc_id": sorted(set(ids)), "text": TEXT})
    ctx = Context(documents=docs_frame, entity_ids=pl.Series(["org:acme"]))
    return pl.from_arrow(conform(df, METRICS)), ctx  # type: ignore[return-value]


def test_three_of_a_hundred_held_back_with_the_expectation_and_the_value():
    df, ctx = metrics(100, {5: "", 50: "", 97: ""})
    kept, held, report = gate("metrics", df, ctx, "metrics", 0)
    assert kept.height == 97 and kept.get_column("value").max() == 7e9
    assert held.get_column("metric_id").to_list() == [f"{5:064d}:5", f"{50:064d}:50", f"{97:064d}:97"]
    assert held.get_column("_failed").to_list()[0] == (
        f'{PLAUSIBLE}: {{"doc_id":"{5:064d}","surface":"7 billion parameters","start":9,"end":29,'
        '"value":1e+20,"value_high":null,"unit":"parameters"}'
    )
    assert report.held_by_check == {PLAUSIBLE: 3} and report.quarantined_rows == 3
    assert report.stopped == ""


def test_more_than_the_systemic_share_stops_the_batch():
    df, ctx = metrics(100, {i: "" for i in range(10)})
    with pytest.raises(GateFailure) as info:
        gate("metrics", df, ctx, "metrics", 2)
    assert info.value.report.stopped == (
        f"systemic failure (more than 5% of rows): {PLAUSIBLE} on 10.0% of rows in 10 documents"
    )
    n = len(info.value.report.outcomes)
    assert str(info.value).splitlines()[0] == (
        f"gate metrics/metrics batch 2: 1 of {n} expectations failed; batch stopped: "
        + info.value.report.stopped
    )


def test_the_share_is_a_parameter():
    df, ctx = metrics(100, {i: "" for i in range(10)})
    kept, held, _ = gate("metrics", df, ctx, "metrics", 0, systemic_share=0.10)
    assert (kept.height, held.height) == (90, 10)


def test_odd_rows_of_one_document_are_held_back_whatever_their_share():
    df, ctx = metrics(10, {0: "", 1: "", 2: ""}, docs=1)  # 30% of the rows, all in one document
    kept, held, _ = gate("metrics", df, ctx, "metrics", 0)
    assert (kept.height, held.height) == (7, 3)


def test_strict_mode_stops_on_one_row():
    df, ctx = metrics(100, {42: ""})
    with pytest.raises(GateFailure) as info:
        gate("metrics", df, ctx, "metrics", 0, policy="fail")
    assert info.value.report.stopped == "strict mode (on_failure=fail)"


def test_a_table_level_failure_stops_even_on_one_row():
    df, ctx = metrics(100, {})
    df = df.with_columns(
        pl.when(pl.int_range(pl.len()) == 1)
        .then(pl.col("metric_id").first())
        .otherwise(pl.col("metric_id"))
        .alias("metric_id")
    )
    with pytest.raises(GateFailure) as info:
        gate("metrics", df, ctx, "metrics", 0)
    assert (
        info.value.report.stopped == "table-level expectation failed: ExpectColumnValuesToBeUnique(metric_id)"
    )


def test_a_dangling_reference_is_referential_integrity_and_stops():
    df, ctx = metrics(100, {})
    df = df.with_columns(
        pl.when(pl.int_range(pl.len()) == 3)
        .then(pl.lit("org:nobody"))
        .otherwise(pl.col("subject_entity_id"))
        .alias("subject_entity_id")
    )
    with pytest.raises(GateFailure) as info:
        gate("metrics", df, ctx, "metrics", 0)
    assert info.value.report.stopped == (
        "table-level expectation failed: ExpectColumnValuesToBeInSet(_subject_known)"
    )


def test_expectation_configurations_are_memoised_only_inside_a_validation():
    from expectations import gate as gate_module

    gx = gate_module._context()["gx"]
    e = gx.expectations.ExpectColumnValuesToNotBeNull(column="a")
    # outside `validate` GX's property builds a new configuration on every access, as GX wrote it
    assert e.configuration is not e.configuration
    with gate_module._configurations_memoised():
        assert e.configuration is e.configuration
        assert e.configuration.kwargs == {"column": "a"}
    assert e.configuration is not e.configuration


def test_expectations_are_built_from_configurations_once_only_inside_a_validation():
    from expectations import gate as gate_module

    gate_module._context()
    from great_expectations.expectations.expectation_configuration import ExpectationConfiguration

    c = ExpectationConfiguration(type="expect_column_values_to_not_be_null", kwargs={"column": "a"})
    assert c.to_domain_obj() is not c.to_domain_obj()
    with gate_module._configurations_memoised():
        assert c.to_domain_obj() is c.to_domain_obj()
        assert c.to_domain_obj().column == "a"
    assert c.to_domain_obj() is not c.to_domain_obj()


def test_a_suites_metric_graph_is_worked_out_once_and_each_batch_still_gets_its_own_verdict(monkeypatch):
    from expectations import gate as gate_module

    gate_module._context()
    from great_expectations.validator.metrics_calculator import MetricsCalculator

    odd, odd_ctx = metrics(100, {5: "", 50: ""})
    plain, plain_ctx = metrics(100, {})
    gate_module.validate("metrics", odd, odd_ctx, "metrics", 0, want_rows=True)  # suite and rerun graphs
    built: list[int] = []
    build = MetricsCalculator.build_metric_dependency_graph
    monkeypatch.setattr(
        MetricsCalculator,
        "build_metric_dependency_graph",
        lambda self, *a, **k: built.append(1) or build(self, *a, **k),
    )
    clean = gate_module.validate("metrics", plain, plain_ctx, "metrics", 1, want_rows=True)
    again = gate_module.validate("metrics", odd, odd_ctx, "metrics", 2, want_rows=True)
    assert built == []
    assert [o.check.name for o in clean.outcomes if not o.success] == []
    assert [(o.check.name, o.unexpected_rows) for o in again.outcomes if not o.success] == [
        (PLAUSIBLE, [5, 50])
    ]
    # outside a validation GX works the graph out as it wrote it
    monkeypatch.undo()
    assert gate_module._memo.suite is None


def test_the_gate_reports_what_plain_gx_reports():
    """The memoised, one-validator, unfingerprinted path gives every expectation the verdict, counts,
    sample and offending rows GX's own `Batch.validate` gives (held rows, a dangling reference and a
    duplicate key in one frame)."""
    from expectations import gate as gate_module
    from expectations import metrics as suite_module

    df, ctx = metrics(100, {5: "", 50: ""})
    df = df.with_columns(
        pl.when(pl.int_range(pl.len()) == 7)
        .then(pl.lit("org:nobody"))
        .otherwise("subject_entity_id")
        .alias("subject_entity_id"),
        pl.when(pl.int_range(pl.len()) == 9)
        .then(pl.col("metric_id").first())
        .otherwise("metric_id")
        .alias("metric_id"),
    )
    report = gate_module.validate("metrics", df, ctx, "metrics", 0, want_rows=True)
    checks = suite_module.suite()
    pdf = gate_module.for_gx(suite_module.prepare(df, ctx), checks).to_pandas()
    plain = (
        gate_module._batch_definition("metrics")
        .get_batch(batch_parameters={"dataframe": pdf})
        .validate(
            gate_module._suite("metrics", checks),
            result_format={"result_format": "COMPLETE", "partial_unexpected_count": 5},
        )
    )
    by_check = {r.expectation_config.meta["quarry_check"]: r for r in plain.results}
    expected = [
        (
            by_check[i].success,
            gate_module._observed(by_check[i].result),
            by_check[i].result.get("unexpected_index_list") or [],
        )
        for i in range(len(checks))
    ]
    assert [(o.success, o.observed, o.unexpected_rows) for o in report.outcomes] == expected
    assert [o.check.name for o in report.outcomes if not o.success] == [
        "ExpectColumnValuesToBeUnique(metric_id)",
        "ExpectColumnValuesToBeInSet(_subject_known)",
        PLAUSIBLE,
    ]
    assert [o.unexpected_rows for o in report.outcomes if not o.success] == [[0, 9], [7], [5, 50]]


def test_metric_ids_are_made_json_safe_as_gx_makes_them():
    import enum
    import math

    import numpy as np
    from great_expectations.core.id_dict import IDDict
    from great_expectations.util import convert_to_json_serializable

    from expectations import gate as gate_module

    fast = gate_module._plain_json_first(convert_to_json_serializable, (dict, IDDict))

    class Colour(enum.Enum):
        RED = "red"

    value = {
        "column": "start",
        "min_value": 0,
        "max_value": 1.5,
        "missing": math.nan,
        "strict": True,
        "row_condition": None,
        "value_set": ["a", 2, None, (1, 2)],
        3: IDDict({"batch_id": "b", "nested": {"x": [np.int64(7), np.float64(0.25)]}}),
        "enum": Colour.RED,
        "set": {4},
        "np_bool": np.bool_(False),
    }
    assert fast(value) == {
        "column": "start",
        "min_value": 0,
        "max_value": 1.5,
        "missing": None,
        "strict": True,
        "row_condition": None,
        "value_set": ["a", 2, None, [1, 2]],
        "3": {"batch_id": "b", "nested": {"x": [7, 0.25]}},
        "enum": "red",
        "set": [4],
        "np_bool": False,
    }
    assert fast(value) == convert_to_json_serializable(value)


def test_batches_gated_at_once_on_threads_are_each_judged_on_their_own_rows():
    """Two batch tasks on threads gate at the same time (the default runner): every batch of a table is
    one GX batch id on one execution engine, so without the gate's lock one batch's rows were checked
    in place of the other's."""
    from concurrent.futures import ThreadPoolExecutor

    good, good_ctx = metrics(400, {})
    bad, bad_ctx = metrics(400, {5: "", 50: "", 97: ""})

    def held(df: pl.DataFrame, ctx: Context, batch: int) -> list[int]:
        return [gate("metrics", df, ctx, "metrics", batch)[1].height for _ in range(6)]

    with ThreadPoolExecutor(2) as pool:
        a, b = pool.submit(held, good, good_ctx, 0), pool.submit(held, bad, bad_ctx, 1)
        assert (a.result(), b.result()) == ([0] * 6, [3] * 6)


def test_priming_builds_every_suites_metric_graph_before_the_first_batch():
    from expectations import gate as g

    g._graphs.clear()
    g.prime()
    primed = sorted({key[0] for key in g._graphs if ".rerun." not in key[0]})
    assert primed == sorted(f"quarry.{t}" for t in g.SUITES)
