"""Great Expectations Data Docs: one static HTML site per warehouse, built once at the end of a run.

Batches are validated on threads or Dask workers, each with its own ephemeral GX context, so no
single context holds a run's results. Each `GateReport` therefore carries its GX result as JSON
(`gx_result`); this module re-hydrates those results into one context whose validation-results
store is a folder under the site (`<out_dir>/.results/`), so the index keeps the last `keep_runs`
runs, and renders only the new pages plus the index. GX is imported on first call, never at import.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from expectations.checks import Check
from expectations.gate import SUITES, gx_meta

SITE = "quarry"
RESULTS_DIR = ".results"  # GX's validation-results store: one JSON per suite x batch x run
SUITE_PREFIX = "quarry."  # GX suite names are `quarry.<table>`, as in gate.py


def build_data_docs(
    results: list[dict[str, Any]],
    suites: Mapping[str, Sequence[Check]] | None,
    out_dir: Path,
    run_id: str = "run",
    run_time: dt.datetime | None = None,
    keep_runs: int = 20,
) -> Path:
    """Render `results` (GateReport.gx_result dicts) and `suites` (table -> checks; None: every suite
    of the gate) as Data Docs in `out_dir`; keep the newest `keep_runs` runs; return its index.html."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    import great_expectations as gx
    from great_expectations.core.expectation_validation_result import ExpectationSuiteValidationResultSchema
    from great_expectations.core.run_identifier import RunIdentifier
    from great_expectations.data_context.types.base import ProgressBarsConfig
    from great_expectations.data_context.types.resource_identifiers import (
        ExpectationSuiteIdentifier,
        ValidationResultIdentifier,
    )

    out_dir = Path(out_dir).resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    ctx = gx.get_context(mode="ephemeral")
    ctx.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    ctx.add_store(
        "quarry_results",
        {
            "class_name": "ValidationResultsStore",
            "store_backend": {
                "class_name": "TupleFilesystemStoreBackend",
                "base_directory": str(out_dir / RESULTS_DIR),
            },
        },
    )
    ctx.validation_results_store_name = "quarry_results"
    # Replace the ephemeral context's default site (a temporary folder) with ours.
    ctx.variables.data_docs_sites = {
        SITE: {
            "class_name": "SiteBuilder",
            "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(out_dir)},
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
        }
    }

    if suites is None:
        suites = {table: module.suite() for table, module in SUITES.items()}
    built: list[Any] = []
    # Every suite, every time: the index drops pages whose source is not in this context.
    for table, checks in suites.items():
        suite = gx.ExpectationSuite(name=f"{SUITE_PREFIX}{table}")
        for i, c in enumerate(checks):
            cls = getattr(gx.expectations, c.expectation)
            suite.add_expectation(cls(**c.kwargs, severity=c.severity, meta=gx_meta(i, c)))
        ctx.suites.add(suite)
        built.append(ExpectationSuiteIdentifier(suite.name))

    run = RunIdentifier(run_name=run_id, run_time=run_time or dt.datetime.now(dt.UTC))
    schema = ExpectationSuiteValidationResultSchema()
    store = ctx.validation_results_store
    for i, raw in enumerate(results):
        meta = dict(raw.get("meta") or {})
        q = meta.get("quarry") or {}
        batch_id = f"{q.get('stage', 'stage')}-b{int(q.get('batch', i)):05d}"
        # What the pages show as the run and the data asset (GX leaves both empty outside checkpoints).
        meta["run_id"] = run.to_json_dict()
        meta["batch_spec"] = {
            **(meta.get("batch_spec") or {}),
            "data_asset_name": f"{q.get('table', '?')} ({q.get('stage', '?')}, batch {q.get('batch', i)})",
        }
        result = schema.load({**raw, "meta": meta})
        key = ValidationResultIdentifier(ExpectationSuiteIdentifier(result.suite_name), run, batch_id)
        store.set(key, result)
        built.append(key)

    _prune(store, keep_runs)
    # Incremental: pages for this run's suites and results; the index is rebuilt over the whole store
    # and drops pages whose result was pruned.
    ctx.build_data_docs(site_names=[SITE], resource_identifiers=built or None)
    return out_dir / "index.html"


def _prune(store: Any, keep_runs: int) -> None:
    """Remove stored results of all but the newest `keep_runs` runs."""
    keys = store.list_keys()
    runs = sorted({(k.run_id.run_time, k.run_id.run_name) for k in keys}, reverse=True)
    old = set(runs[keep_runs:])
    for k in keys:
        if (k.run_id.run_time, k.run_id.run_name) in old:
            store.remove_key(k)
