"""The gate: run a table's suite with Great Expectations and pass, quarantine rows, or fail clearly.

GX has no polars backend, and its SQL datasource cannot open DuckDB without the `duckdb_engine`
SQLAlchemy dialect (not a dependency: `duckdb:///` fails at connection, loudly), so batches are
validated as pandas frames converted from Arrow. Measured on 1M mentions rows, 17 expectations
(tests/expectations/bench_gate_cost.py): prepare 0.4 s, to_pandas 0.3 s, GX 0.9 s; ArrowDtype columns
convert faster (0.1 s) but GX then runs slower (1.7 s); GX on SQLite takes 7.8 s. The GX context is
built on first use, never at import time. Each report keeps its GX result as JSON for Data Docs
(unless asked not to: a run without Data Docs).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import math
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any, Literal

import polars as pl

from expectations import (
    batch_profile,
    doc_signatures,
    documents,
    entities,
    mentions,
    metrics,
    raw_documents,
    removed_spans,
    sentences,
)
from expectations.checks import Check
from expectations.context import Context

Policy = Literal["fail", "quarantine"]

SUITES: dict[str, ModuleType] = {
    m.TABLE.name: m
    for m in (
        raw_documents,
        documents,
        sentences,
        removed_spans,
        doc_signatures,
        entities,
        mentions,
        metrics,
        batch_profile,
    )
}
SAMPLE = 5  # offending values shown per failed expectation
# Row-index lists of the COMPLETE format can be millions long; Data Docs needs only the partial lists.
_HEAVY_RESULT_KEYS = ("unexpected_list", "unexpected_index_list", "unexpected_index_query")
_MAX_STR = 200


# Share of a batch's rows a row-level expectation may fail on before the failure counts as systemic (a
# broken extractor or decoder, not an odd document). Like GX's `mostly` (here: 1 - share) and dbt's
# `error_if`; a run parameter (`systemic_share`).
SYSTEMIC_SHARE = 0.05


class GateFailure(RuntimeError):
    """A critical expectation failed systemically: the batch is not promoted. The message names every
    failure with sample bad values, and why the batch stopped (`report.stopped`)."""

    def __init__(self, report: GateReport):
        self.report = report
        super().__init__(report.describe())


@dataclass
class Outcome:
    """The result of one expectation on one batch."""

    check: Check
    success: bool
    observed: str
    unexpected_sample: list[Any] = field(default_factory=list)
    unexpected_rows: list[int] = field(default_factory=list)


@dataclass
class GateReport:
    """All outcomes of one suite on one batch."""

    table: str
    stage: str
    batch: int
    rows: int
    outcomes: list[Outcome]
    quarantined_rows: int = 0
    # Rows held back per expectation name (only rows of this batch; a row can fail several).
    held_by_check: dict[str, int] = field(default_factory=dict)
    # Why the batch stopped, when it did: which failures were table-level or systemic.
    stopped: str = ""
    # The GX ExpectationSuiteValidationResult as JSON (trimmed), for Data Docs built at the end of a run.
    gx_result: dict[str, Any] = field(default_factory=dict)

    @property
    def failed_critical(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.success and o.check.severity == "critical"]

    @property
    def warnings(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.success and o.check.severity == "warning"]

    @property
    def passed(self) -> int:
        return sum(o.success for o in self.outcomes)

    @property
    def failed(self) -> int:
        return sum(not o.success for o in self.outcomes)

    def describe(self) -> str:
        failed = [o for o in self.outcomes if not o.success]
        head = (
            f"gate {self.stage}/{self.table} batch {self.batch}: "
            f"{len(failed)} of {len(self.outcomes)} expectations failed"
        )
        lines = [head + (f"; batch stopped: {self.stopped}" if self.stopped else "")]
        for o in failed:
            lines.append(
                f"  [{o.check.severity}] {o.check.name}: {o.observed}; e.g. {o.unexpected_sample[:SAMPLE]!r}"
                f" ({o.check.why})"
            )
        return "\n".join(lines)

    def _held_note(self, o: Outcome) -> str:
        n = self.held_by_check.get(o.check.name)
        return f"; {n} rows held back" if n else ""

    def records(self, run_id: str, now: dt.datetime) -> list[dict[str, Any]]:
        """Rows for the `quality_results` table."""
        return [
            {
                "run_id": run_id,
                "stage": self.stage,
                "batch": self.batch,
                "table_name": self.table,
                "expectation": o.check.name,
                "column_name": o.check.column,
                "severity": o.check.severity,
                "success": o.success,
                "observed": o.observed + self._held_note(o),
                "unexpected_sample": json.dumps(
                    o.unexpected_sample[:SAMPLE], default=str, ensure_ascii=False
                ),
                "checked_at": now,
            }
            for o in self.outcomes
        ]


_lock = threading.Lock()
# One GX validation at a time in a process. Every batch of a table is the same GX batch (one whole-
# dataframe batch definition, one batch id) on the datasource's one execution engine, which holds the
# batch being validated: two batch tasks on threads validating at once had one batch's rows checked
# against the other's (a batch full of implausible figures passed). GX holds the GIL for most of a
# validation anyway, so this costs threads little; processes and Dask workers each have their own.
_validating = threading.Lock()
_gx: dict[str, Any] = {}
# Expectation configurations built during this thread's current `validate` call, by expectation.
_memo = threading.local()


def _memoise_configurations(expectation_cls: Any) -> None:
    """Make GX build each expectation's `configuration` once per `validate` call instead of once per
    keyword it looks up.

    GX 1.x's `Expectation.configuration` is a property that serialises the whole pydantic model on
    every access, and working out an expectation's metrics reads it once per domain, success and
    runtime keyword: measured ~1,450 builds per 17-expectation validation, 60% of a small batch's GX
    time. Inside `validate` (see `_configurations_memoised`) an expectation's fields do not change (the
    suites have no suite parameters to substitute), so the first build stands for the rest; outside
    it, and on other threads, the property behaves as GX wrote it."""
    configuration = _memoised(expectation_cls.__dict__["configuration"].fget, "configs")
    expectation_cls.configuration = property(configuration, doc=expectation_cls.configuration.__doc__)


def _memoised(build: Any, slot: str) -> Any:
    """`build(obj)`, remembered per object in this thread's `_memo.<slot>` while that is a dict (inside
    `_configurations_memoised`); called through otherwise."""

    def memoised(self: Any) -> Any:
        memo = getattr(_memo, slot, None)
        if memo is None:
            return build(self)
        hit = memo.get(id(self))
        if hit is None or hit[0] is not self:  # the object is kept, so its id is not reused
            hit = memo[id(self)] = (self, build(self))
        return hit[1]

    return memoised


def _memoise_domain_objects(configuration_cls: Any) -> None:
    """Make GX turn each expectation configuration into its expectation once per `validate` call.

    Working out an expectation's metrics calls `ExpectationConfiguration.to_domain_obj()` (a new
    pydantic expectation, whose `configuration` is then built again) once per metric it needs:
    measured ~85 per validation of a 9-expectation suite, after `_memoise_configurations` the
    largest Python overhead left. GX only reads these expectations, and inside `validate` the
    configurations do not change (the validator copies each one and sets its `batch_id` before its
    first conversion), so one expectation per configuration stands for the rest; outside `validate`,
    and on other threads, the method behaves as GX wrote it."""
    build = configuration_cls.__dict__["to_domain_obj"]
    to_domain_obj = _memoised(build, "domain")
    to_domain_obj.__doc__ = build.__doc__
    configuration_cls.to_domain_obj = to_domain_obj


def _plain_json_first(convert: Any, dict_types: tuple[type, ...]) -> Any:
    """GX's `convert_to_json_serializable`, with a fast path for what metric ids are made of.

    GX names every metric it plans by an md5 of its keyword arguments made JSON-safe with
    `convert_to_json_serializable`, which runs up to a dozen `isinstance` and `np.issubdtype` tests
    per value before it gets to `None`: measured (cProfile, a 40-document batch) a quarter of a small
    batch's GX time, ~600 ids per validation. This returns what GX returns for None, str, int,
    bool, float (NaN -> None), and dicts (keys -> str), lists and tuples (-> list) of those, by exact
    type; anything else (numpy scalars, enums, sets, dates, subclasses) goes to GX's own function."""

    def fast(data: Any) -> Any:
        t = type(data)
        if data is None or t is str or t is int or t is bool:
            return data
        if t is float:
            return None if data != data else data  # NaN is the one float unequal to itself
        if t in dict_types:
            return {str(k): fast(v) for k, v in data.items()}
        if t is list or t is tuple:
            return [fast(v) for v in data]
        return convert(data)

    return fast


# Metric dependency graphs by (suite name, batch id, runtime configuration): see _memoise_graphs.
_graphs: dict[tuple, tuple[list, list]] = {}


def _memoise_graphs(validator_cls: Any) -> None:
    """Make GX work out a suite's metric dependency graph once per process instead of once per batch.

    Before it computes anything, GX's validator turns every expectation of the suite into the metrics it
    needs and those metrics' own dependencies (`MetricConfiguration`s, each named by an md5 of its
    keyword arguments): measured (cProfile, a 129-document `documents` batch) 40% of a validation,
    the same graph for every batch, since every batch of a table is one GX batch (one batch id, see
    `_validating`) and the suites have no parameters. Inside `validate` (see `_configurations_memoised`)
    the first graph of a suite, batch id and runtime configuration (the result format: COMPLETE needs
    more metrics than BASIC) stands for the rest; the metrics are computed on each batch as before. A
    suite with an expectation whose graph could not be built (reported as a failed result) is not
    remembered. Outside `validate`, and on other threads, the method behaves as GX wrote it."""
    build = validator_cls._generate_metric_dependency_subgraphs_for_each_expectation_configuration

    def subgraphs(
        self: Any,
        expectation_configurations: list,
        processed_configurations: list,
        catch_exceptions: bool,
        runtime_configuration: dict | None = None,
    ) -> tuple[list, list, list]:
        suite = getattr(_memo, "suite", None)
        if suite is None:
            return build(
                self,
                expectation_configurations,
                processed_configurations,
                catch_exceptions,
                runtime_configuration,
            )
        key = (
            suite,
            self.active_batch_id,
            catch_exceptions,
            json.dumps(runtime_configuration, sort_keys=True),
        )
        hit = _graphs.get(key)
        if hit is None:
            graphs, evrs, processed = build(
                self, expectation_configurations, [], catch_exceptions, runtime_configuration
            )
            if evrs:
                processed_configurations.extend(processed)
                return graphs, evrs, processed_configurations
            hit = _graphs[key] = (graphs, processed)
        processed_configurations.extend(hit[1])  # (GX removes an expectation whose metric failed from it)
        return list(hit[0]), [], processed_configurations

    subgraphs.__doc__ = build.__doc__
    validator_cls._generate_metric_dependency_subgraphs_for_each_expectation_configuration = subgraphs


@contextmanager
def _configurations_memoised(suite: str | None = None) -> Iterator[None]:
    _memo.configs, _memo.domain, _memo.suite = {}, {}, suite
    try:
        yield
    finally:
        _memo.configs = _memo.domain = _memo.suite = None


def ephemeral_context() -> Any:
    """A new in-memory GX context, quiet: no progress bars, and not GX's INFO line "Created temporary
    directory ... for ephemeral docs site", noise to a user that, logged from the warm-up thread, could
    land after a run's last line. (Imports GX: call it from code that runs GX anyway.)"""
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    logging.getLogger("great_expectations.data_context.types.base").setLevel(logging.WARNING)
    ctx = gx.get_context(mode="ephemeral")
    ctx.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    return ctx


def _context() -> Any:
    """One ephemeral GX context per process, with its pandas datasource; built on first use."""
    with _lock:
        if "context" not in _gx:
            os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
            import great_expectations as gx
            from great_expectations.core import id_dict
            from great_expectations.execution_engine import pandas_execution_engine
            from great_expectations.expectations.expectation import Expectation
            from great_expectations.expectations.expectation_configuration import (
                ExpectationConfiguration,
            )
            from great_expectations.validator.validator import Validator as LegacyValidator

            _memoise_configurations(Expectation)
            _memoise_domain_objects(ExpectationConfiguration)
            _memoise_graphs(LegacyValidator)
            id_dict.convert_to_json_serializable = _plain_json_first(
                id_dict.convert_to_json_serializable, (dict, id_dict.IDDict)
            )
            # GX fingerprints every pandas batch below this many bytes (an md5 over
            # `pd.util.hash_pandas_object`) only to record it in the result's `batch_markers`; no
            # expectation reads it. Measured on one 16 MB batch of real news: 0.20 s of the 0.84 s
            # CPU its nine suites took. Above the threshold GX skips it itself; 0 skips it always.
            pandas_execution_engine.HASH_THRESHOLD = 0

            ctx = ephemeral_context()
            _gx["gx"] = gx
            _gx["context"] = ctx
            _gx["source"] = ctx.data_sources.add_pandas("quarry")
            _gx["batches"] = {}
            _gx["suites"] = {}
        return _gx


def warm_up() -> None:
    """Start building this process's GX context on a daemon thread, if nothing has started it yet.

    Importing GX and creating the context takes ~10 s on the 2-core machine; a run starts this as soon
    as it knows it has work, so the import overlaps reading and transforming the first batch instead
    of stalling its first gate. The first `validate` waits for it (on `_lock`); nothing runs at import.
    """
    # Checked before taking `_lock`, which the warming thread holds for the whole import: a second
    # call (the flow's, after `quarry run` started the warm-up) must not wait for it.
    if "context" in _gx or "warming" in _gx:
        return
    with _lock:
        if "context" in _gx or "warming" in _gx:
            return
        _gx["warming"] = threading.Thread(target=_warm, name="gx-warm-up", daemon=True)
        _gx["warming"].start()


def wait_for_warm_up(timeout: float | None = None) -> None:
    """Wait (at most `timeout` seconds) for the warm-up thread `warm_up` started, if any."""
    thread = _gx.get("warming")
    if isinstance(thread, threading.Thread):
        thread.join(timeout)


def _warm() -> None:
    _context()
    prime()


def prime() -> None:
    """Validate an empty batch of every table, so that the process's first real batch finds each
    suite, batch definition and metric dependency graph built (`_memoise_graphs`).

    Measured on a 20-document batch's nine gate calls (/tmp probe, one process): 0.70 s CPU in a
    process that had only built the context, 0.29 s after this (0.73 s CPU here, on the warm-up
    thread, while `quarry run` waits for Prefect's server; a nightly run is a new process). A
    suite that cannot validate an empty frame is left to its first batch, as before."""
    schema = {"doc_id": pl.String, "text": pl.String}
    ctx = Context(documents=pl.DataFrame(schema=schema), entity_ids=pl.Series("entity_id", [], pl.String))
    for table, module in SUITES.items():
        try:
            empty = pl.from_arrow(module.TABLE.schema.empty_table())
            assert isinstance(empty, pl.DataFrame)
            validate(table, empty, ctx, "warm-up", 0, gx_result=False)
        except Exception:  # noqa: BLE001 - a head start only: the first batch builds it otherwise
            continue


def _batch_definition(table: str) -> Any:
    g = _context()
    with _lock:
        if table not in g["batches"]:
            asset = g["source"].add_dataframe_asset(table)
            g["batches"][table] = asset.add_batch_definition_whole_dataframe(f"{table}_batch")
        return g["batches"][table]


def _validator(table: str, pdf: Any) -> Any:
    """A GX (1.x) validator of the pandas frame `pdf` as a batch of `table`'s batch definition."""
    from great_expectations.validator.v1_validator import Validator

    return Validator(batch_definition=_batch_definition(table), batch_parameters={"dataframe": pdf})


def gx_meta(index: int, check: Check) -> dict[str, Any]:
    """The `meta` of a check's GX expectation: its index in the suite, severity, and a Data Docs note."""
    return {
        "quarry_check": index,
        "severity": check.severity,
        "why": check.why,
        "notes": {"format": "markdown", "content": [f"**{check.severity}**: {check.why}"]},
    }


def _suite(table: str, checks: list[Check], only: tuple[int, ...] | None = None) -> Any:
    """`table`'s GX suite (`quarry.<table>`), or, with `only`, the suite of just those checks (by
    index; each keeps its index in `meta`, so its result maps back to its check)."""
    g = _context()
    gx = g["gx"]
    key = table if only is None else (table, only)
    with _lock:
        if key not in g["suites"]:
            name = f"quarry.{table}" if only is None else f"quarry.{table}.rerun." + "-".join(map(str, only))
            suite = gx.ExpectationSuite(name=name)
            for i, c in enumerate(checks):
                if only is None or i in only:
                    cls = getattr(gx.expectations, c.expectation)
                    suite.add_expectation(cls(**c.kwargs, severity=c.severity, meta=gx_meta(i, c)))
            g["suites"][key] = g["context"].suites.add(suite)
        return g["suites"][key]


def _observed(result: dict[str, Any]) -> str:
    if "observed_value" in result:
        return json.dumps(result["observed_value"], default=str, ensure_ascii=False)[:500]
    if "unexpected_count" in result:
        n = result.get("element_count") or 0
        pct = result.get("unexpected_percent") or 0.0
        return f"{result['unexpected_count']} of {n} rows unexpected ({pct:.2f}%)"
    return ""


def _clean(values: list[Any]) -> list[Any]:
    out = []
    for v in values:
        if isinstance(v, float) and math.isnan(v):
            out.append(None)
        elif isinstance(v, str) and len(v) > 120:
            out.append(v[:117] + "...")
        else:
            out.append(v)
    return out


def validate(
    table: str,
    df: pl.DataFrame,
    ctx: Context,
    stage: str,
    batch: int,
    want_rows: bool = False,
    gx_result: bool = True,
) -> GateReport:
    """Run `table`'s suite on `df` (after its `prepare`) and report every outcome.

    With `gx_result` False the report's `gx_result` stays empty: GX's result is not serialised, which
    only Data Docs read (`ExpectationSuiteValidationResult.to_json_dict`, a deep copy and a marshmallow
    dump of every expectation's result: 16% of the validation CPU of a 200-document batch's nine
    suites, tests/expectations/bench_gate_stages.py). Outcomes, observed values and samples are the
    same either way: they are read from the result objects."""
    module = SUITES[table]
    checks: list[Check] = module.suite()
    prepared = module.prepare(df, ctx)
    pdf = for_gx(prepared, checks).to_pandas()
    suite = _suite(table, checks)

    def run(validator: Any, on: Any, fmt: str) -> Any:
        validator.result_format = {"result_format": fmt, "partial_unexpected_count": SAMPLE}
        with _configurations_memoised(on.name):
            return validator.validate_expectation_suite(on)

    def index(r: Any) -> Any:
        return (r.expectation_config.meta or {}).get("quarry_check")

    # BASIC keeps every observed value, count and sample value, and costs ~40% less GX time than SUMMARY
    # (which adds value counts and row indices). Row indices are only needed when something failed: to
    # show the offending rows of a derived check, or to quarantine them; then the failed expectations
    # run again, alone (GX evaluates each expectation on its own, so their results are the same as in
    # the whole suite): measured on 36,522 metrics rows, the whole suite in COMPLETE took 2.4 s against
    # 0.7 s in BASIC, for one failed expectation's row list.
    with _validating:
        # One validator for the suite and the rerun of its failures: GX loads the batch when a
        # validator first validates, and `Batch.validate` would make a validator (and load it) per call.
        validator = _validator(table, pdf)
        result = run(validator, suite, "BASIC")
        if not result.success:
            failed = tuple(sorted(i for r in result.results if not r.success and (i := index(r)) is not None))
            if failed:
                rerun = run(validator, _suite(table, checks, failed), "COMPLETE" if want_rows else "SUMMARY")
                again = {index(r): r for r in rerun.results}
                result.results = [again.get(index(r), r) for r in result.results]
    by_check = {index(r): r for r in result.results}
    outcomes = []
    for i, c in enumerate(checks):
        r = by_check.get(i)
        if r is None:  # GX could not evaluate it (e.g. a missing column): that is a failure, loudly
            outcomes.append(Outcome(c, False, "expectation could not be evaluated"))
            continue
        res = r.result or {}
        if r.exception_info and r.exception_info.get("raised_exception"):
            outcomes.append(Outcome(c, False, f"error: {r.exception_info.get('exception_message')}"))
            continue
        sample = res.get("partial_unexpected_list") or []
        if c.column and c.column.startswith("_") and res.get("partial_unexpected_index_list") is not None:
            sample = _offending(df, res.get("partial_unexpected_index_list") or [])
        rows = list(res.get("unexpected_index_list") or []) if want_rows else []
        outcomes.append(Outcome(c, bool(r.success), _observed(res), _clean(list(sample)), rows))
    if not gx_result:
        return GateReport(table, stage, batch, df.height, outcomes)
    for r in result.results:  # drop full row lists before serialising (the outcomes hold them)
        for key in _HEAVY_RESULT_KEYS:
            (r.result or {}).pop(key, None)
    gx_json = _trim(result.to_json_dict())
    gx_json.setdefault("meta", {})["quarry"] = {
        "table": table,
        "stage": stage,
        "batch": batch,
        "rows": df.height,
    }
    return GateReport(table, stage, batch, df.height, outcomes, gx_result=gx_json)


# Expectations that look at a column's name only, or only at whether its values are null.
_NAME_ONLY = frozenset({"ExpectTableColumnsToMatchSet"})
_NULLNESS_ONLY = frozenset({"ExpectColumnValuesToNotBeNull"})


def value_columns(checks: list[Check]) -> set[str]:
    """The columns whose values some expectation of `checks` reads."""
    cols: set[str] = set()
    for c in checks:
        if c.expectation in _NAME_ONLY or c.expectation in _NULLNESS_ONLY:
            continue
        for k in ("column", "column_A", "column_B"):
            if c.kwargs.get(k):
                cols.add(c.kwargs[k])
        cols.update(c.kwargs.get("column_list") or [])
    return cols


def for_gx(df: pl.DataFrame, checks: list[Check]) -> pl.DataFrame:
    """The frame GX validates: every column keeps its name and its nulls, but a column no expectation
    reads the values of (cleaned text, signatures, evidence) becomes a boolean that is null exactly where
    the value is. GX hashes every column of the frame it is given and copies them when it filters
    unexpected rows; on the 50 MB benchmark that was 2.8 s of 40 s of gating for text nobody reads
    (rules on text are computed in polars by each suite's `prepare`)."""
    values = value_columns(checks)
    return df.with_columns(
        pl.when(pl.col(c).is_not_null()).then(pl.lit(True)).alias(c) for c in df.columns if c not in values
    )


def _trim(value: Any) -> Any:
    """A JSON-safe copy of a GX result without full row lists and with long strings cut."""
    if isinstance(value, dict):
        return {k: _trim(v) for k, v in value.items() if k not in _HEAVY_RESULT_KEYS}
    if isinstance(value, list):
        return [_trim(v) for v in value]
    if isinstance(value, str) and len(value) > _MAX_STR:
        return value[: _MAX_STR - 3] + "..."
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


# Columns that show what a row is, for derived checks (whose own column is only `False`).
_OBSERVED_COLUMNS = ("doc_id", "surface", "start", "end", "entity_id", "value", "value_high", "unit")


def _offending(df: pl.DataFrame, index: list[Any]) -> list[Any]:
    """For a derived check, show the offending rows' own columns rather than `False`."""
    idx = [i for i in index if isinstance(i, int)][:SAMPLE]
    cols = [c for c in _OBSERVED_COLUMNS if c in df.columns]
    return df[idx].select(cols).to_dicts() if idx else []


def _stop_reason(report: GateReport, df: pl.DataFrame, policy: Policy, systemic_share: float) -> str:
    """Why the failed critical expectations of `report` stop the batch, or "" when rows can be held back.

    Stops: strict policy; a table-level expectation (columns, keys, referential integrity) or one that
    names no rows; a row-level one failing on more than `systemic_share` of the rows *and* in more than
    one document (every bad row in one document is an odd document, whatever the batch's size; rows
    of a table without `doc_id`, such as discovered entities, count one each)."""
    failed = report.failed_critical
    if policy == "fail":
        return "strict mode (on_failure=fail)"
    whole = [o.check.name for o in failed if not o.check.row_level or not o.unexpected_rows]
    if whole:
        return "table-level expectation failed: " + ", ".join(whole)
    systemic = []
    for o in failed:
        share = len(o.unexpected_rows) / max(df.height, 1)
        docs = df.get_column("doc_id").gather(o.unexpected_rows).n_unique() if "doc_id" in df.columns else 2
        if share > systemic_share and docs > 1:
            systemic.append(f"{o.check.name} on {share:.1%} of rows in {docs} documents")
    if systemic:
        return f"systemic failure (more than {systemic_share:.0%} of rows): " + "; ".join(systemic)
    return ""


def _row_detail(df: pl.DataFrame, o: Outcome) -> pl.DataFrame:
    """`_i` (row index) and `_d`: the expectation's name and the row's offending value(s) as JSON."""
    col = o.check.column
    cols = (
        [c for c in _OBSERVED_COLUMNS if c in df.columns]
        if col is None or col.startswith("_") or col not in df.columns
        else [col]
    )
    idx = pl.Series("_i", o.unexpected_rows, dtype=pl.UInt32)
    return (
        df.select(cols)
        .with_row_index("_i")
        .join(idx.to_frame(), on="_i", how="semi")
        .select(
            "_i",
            pl.format(
                "{}: {}", pl.lit(o.check.name), pl.struct(cols).struct.json_encode().str.slice(0, 300)
            ).alias("_d"),
        )
    )


def gate(
    table: str,
    df: pl.DataFrame,
    ctx: Context,
    stage: str,
    batch: int,
    policy: Policy = "quarantine",
    systemic_share: float = SYSTEMIC_SHARE,
    gx_result: bool = True,
) -> tuple[pl.DataFrame, pl.DataFrame, GateReport]:
    """Validate `df`; return (rows to promote, rows held back, report) or raise GateFailure.

    Held-back rows carry `_failed`: each failed expectation with the row's observed value(s). See
    `_stop_reason` for when a failure stops the batch instead. `gx_result`: keep GX's result as JSON
    in the report, for Data Docs (see `validate`).
    """
    report = validate(table, df, ctx, stage, batch, want_rows=policy != "fail", gx_result=gx_result)
    failed = report.failed_critical
    if not failed:
        return df, df.clear(), report
    report.stopped = _stop_reason(report, df, policy, systemic_share)
    if report.stopped:
        raise GateFailure(report)
    details = (
        pl.concat([_row_detail(df, o) for o in failed])
        .group_by("_i")
        .agg(pl.col("_d").str.join("; ").alias("_failed"))
    )
    report.held_by_check = {o.check.name: len(set(o.unexpected_rows)) for o in failed}
    report.quarantined_rows = details.height
    rows = df.with_row_index("_i")
    held = rows.join(details, on="_i", how="inner", maintain_order="left").drop("_i")
    kept = rows.join(details, on="_i", how="anti", maintain_order="left").drop("_i")
    return kept, held, report
