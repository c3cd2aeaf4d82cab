"""What does a GX gate cost on a big batch? Rerunnable measurement, not a test (no `test_` prefix).

    .venv/bin/python tests/expectations/bench_gate_cost.py [--rows 1000000] [--repeat 2]

Generates a realistic `mentions` batch in a temporary directory (every surface slices back out of its
document's text, ~50 mentions per document), then times the mentions suite:

  a) the gate's path: polars `prepare` -> `to_pandas()` -> GX pandas datasource, in SUMMARY (fail
     policy) and COMPLETE (quarantine policy, every offending row index) result formats;
  b) the same with `to_pandas(use_pyarrow_extension_array=True)` (ArrowDtype columns);
  c) GX 1.x SQL datasource on a DuckDB file (`duckdb:///...`), to check the claim that GX cannot
     validate DuckDB; and, for a SQL cost figure, the same suite on SQLite.

Prints one line per measurement and a JSON summary at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
import traceback
from pathlib import Path
from typing import Any

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import polars as pl  # noqa: E402

from expectations import mentions as mentions_suite  # noqa: E402
from expectations.context import Context  # noqa: E402
from expectations.gate import _batch_definition, _context, _suite, for_gx, validate  # noqa: E402
from warehouse.files import conform  # noqa: E402

ENTITIES = [
    ("org:xiaomi", "Xiaomi"),
    ("model:mimo-7b", "MiMo-7B"),
    ("model:milm", "MiLM"),
    ("org:deepseek", "DeepSeek"),
    ("person:lei-jun", "Lei Jun"),
    ("org:openai", "OpenAI"),
    ("benchmark:mmlu", "MMLU"),
    ("gpe:china", "China"),
]
FILLER = [" said on Tuesday that ", " and ", ", according to a filing by ", " released ", " beat "]


def make_batch(rows: int, per_doc: int = 50) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(mentions, documents[doc_id, text]) with `rows` mentions whose offsets slice back to surfaces."""
    n_docs = max(1, rows // per_doc)
    i = pl.int_range(0, rows, eager=True)
    ent = pl.DataFrame({"entity_id": [e for e, _ in ENTITIES], "surface": [s for _, s in ENTITIES]})
    m = pl.DataFrame({"i": i}).with_columns(
        (pl.col("i") % n_docs).alias("doc"),
        ((pl.col("i") * 7919) % len(ENTITIES)).alias("e"),
        pl.Series("filler", FILLER).gather(i % len(FILLER)),
    )
    m = m.join(ent.with_row_index("e").with_columns(pl.col("e").cast(pl.Int64)), on="e").sort("doc", "i")
    m = m.with_columns(
        (pl.col("filler").str.len_chars() + pl.col("surface").str.len_chars())
        .cast(pl.Int64)
        .cum_sum()
        .over("doc")
        .alias("end")
    ).with_columns((pl.col("end") - pl.col("surface").str.len_chars().cast(pl.Int64)).alias("start"))
    m = m.with_columns(
        pl.format("{}", pl.col("doc")).str.pad_start(64, "0").alias("doc_id"),
        pl.lit("gazetteer").alias("method"),
        pl.lit(1.0).alias("confidence"),
        pl.lit("g1").alias("gazetteer_version"),
        pl.lit("bench").alias("run_id"),
    )
    docs = m.group_by("doc_id", maintain_order=True).agg(
        (pl.col("filler") + pl.col("surface")).str.join("").alias("text")
    )
    mentions = pl.from_arrow(conform(m, mentions_suite.TABLE))
    return mentions, docs  # type: ignore[return-value]


def timed(label: str, fn: Any, repeat: int, out: dict[str, Any]) -> Any:
    best, value = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        value = fn()
        best = min(best, time.perf_counter() - t0)
    out[label] = round(best, 3)
    print(f"{label:<58} {best:8.3f} s", flush=True)
    return value


def gx_validate(pdf: Any, result_format: str) -> Any:
    checks = mentions_suite.suite()
    bd = _batch_definition("mentions")
    suite = _suite("mentions", checks)
    fmt = {"result_format": result_format, "partial_unexpected_count": 5}
    return bd.get_batch(batch_parameters={"dataframe": pdf}).validate(suite, result_format=fmt)


def outcome(result: Any) -> str:
    s = result.statistics
    return f"{s['successful_expectations']}/{s['evaluated_expectations']} passed"


def sql_validate(gx: Any, ctx: Any, name: str, url: str, table: str) -> Any:
    """The mentions suite (without the derived columns, which are plain booleans) on a SQL table."""
    ds = ctx.data_sources.add_sql(name, connection_string=url)
    bd = ds.add_table_asset(table, table_name=table).add_batch_definition_whole_table("all")
    suite = ctx.suites.add(gx.ExpectationSuite(name=f"bench.{name}"))
    for c in mentions_suite.suite():
        suite.add_expectation(getattr(gx.expectations, c.expectation)(**c.kwargs))
    return bd.get_batch().validate(suite, result_format={"result_format": "SUMMARY"})


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--skip-sql", action="store_true")
    args = ap.parse_args()
    out: dict[str, Any] = {"rows": args.rows}
    t0 = time.perf_counter()
    g = _context()
    out["gx_import_and_context_s"] = round(time.perf_counter() - t0, 3)
    gx = g["gx"]
    mentions, docs = make_batch(args.rows)
    print(
        f"mentions: {mentions.height:,} rows, documents: {docs.height:,}, "
        f"{mentions.estimated_size('mb'):.0f} MB + {docs.estimated_size('mb'):.0f} MB text",
        flush=True,
    )
    ctx = Context(documents=docs, entity_ids=pl.Series([e for e, _ in ENTITIES]))
    r = args.repeat

    prepared = timed(
        "prepare (polars: slice check + entity check)", lambda: mentions_suite.prepare(mentions, ctx), r, out
    )
    pdf = timed("to_pandas()", lambda: prepared.to_pandas(), r, out)
    pdf_arrow = timed(
        "to_pandas(use_pyarrow_extension_array=True)",
        lambda: prepared.to_pandas(use_pyarrow_extension_array=True),
        r,
        out,
    )
    gx_validate(pdf.head(10), "SUMMARY")  # warm the suite and datasource
    res = timed("GX validate, to_pandas(), SUMMARY", lambda: gx_validate(pdf, "SUMMARY"), r, out)
    out["pandas_summary_outcome"] = outcome(res)
    pdf_slim = timed(
        "for_gx(prepared).to_pandas() (what the gate sends GX)",
        lambda: for_gx(prepared, mentions_suite.suite()).to_pandas(),
        r,
        out,
    )
    res = timed("GX validate, for_gx frame, SUMMARY", lambda: gx_validate(pdf_slim, "SUMMARY"), r, out)
    out["slim_summary_outcome"] = outcome(res)
    res = timed("GX validate, to_pandas(), COMPLETE", lambda: gx_validate(pdf, "COMPLETE"), r, out)
    out["pandas_complete_outcome"] = outcome(res)
    try:
        res = timed("GX validate, ArrowDtype, SUMMARY", lambda: gx_validate(pdf_arrow, "SUMMARY"), r, out)
        out["arrow_summary_outcome"] = outcome(res)
        failed = [x.expectation_config.type for x in res.results if not x.success]
        if failed:
            out["arrow_failed"] = failed
            print("  ArrowDtype: failed expectations:", failed)
        errors = [
            x.exception_info.get("exception_message")
            for x in res.results
            if x.exception_info and x.exception_info.get("raised_exception")
        ]
        if errors:
            out["arrow_errors"] = errors[:3]
            print("  ArrowDtype: errors:", errors[:3])
    except Exception as exc:  # noqa: BLE001 - reported, it is what we measure
        out["arrow_error"] = repr(exc)[:300]
        print("  ArrowDtype failed:", repr(exc)[:300])
    # Same verdicts on a broken batch? 1% of rows out of range, 1% with shifted offsets.
    bad = prepared.with_columns(
        pl.when(pl.int_range(pl.len()) % 100 == 0)
        .then(1.5)
        .otherwise(pl.col("confidence"))
        .alias("confidence"),
        pl.when(pl.int_range(pl.len()) % 100 == 1)
        .then(False)
        .otherwise(pl.col("_surface_matches"))
        .alias("_surface_matches"),
    )
    verdicts = {}
    for label, frame in (
        ("pandas", bad.to_pandas()),
        ("arrow", bad.to_pandas(use_pyarrow_extension_array=True)),
    ):
        try:
            res = gx_validate(frame, "SUMMARY")
            verdicts[label] = sorted(
                f"{x.expectation_config.type}({x.expectation_config.kwargs.get('column')}): "
                f"{x.result.get('unexpected_count')}"
                for x in res.results
                if not x.success
            )
        except Exception as exc:  # noqa: BLE001
            verdicts[label] = [repr(exc)[:200]]
    out["broken_batch_failures"] = verdicts
    print(
        "  broken batch, same failures with ArrowDtype:", verdicts["pandas"] == verdicts["arrow"], flush=True
    )
    report = timed(
        "gate.validate end to end (prepare+convert+GX, SUMMARY)",
        lambda: validate("mentions", mentions, ctx, "entities", 0),
        r,
        out,
    )
    out["gate_outcome"] = f"{report.passed}/{len(report.outcomes)} passed"

    if not args.skip_sql:
        with tempfile.TemporaryDirectory() as tmp:
            sql_frame = prepared
            db = Path(tmp) / "bench.duckdb"
            try:
                import duckdb

                con = duckdb.connect(str(db))
                con.register("src", sql_frame.to_arrow())
                con.execute("create table mentions as select * from src")
                con.close()
                res = timed(
                    "GX SQL datasource on DuckDB (duckdb:///)",
                    lambda: sql_validate(
                        gx, g["context"], f"duck{time.monotonic_ns()}", f"duckdb:///{db}", "mentions"
                    ),
                    1,
                    out,
                )
                out["duckdb_outcome"] = outcome(res)
                errs = {
                    x.expectation_config.type: x.exception_info.get("exception_message")
                    for x in res.results
                    if x.exception_info and x.exception_info.get("raised_exception")
                }
                out["duckdb_errors"] = errs
            except Exception as exc:  # noqa: BLE001 - the claim under test
                out["duckdb_error"] = f"{type(exc).__name__}: {exc}"[:400]
                print("  DuckDB via GX SQL datasource:", out["duckdb_error"])
                if os.environ.get("BENCH_TRACE"):
                    traceback.print_exc()
            lite = Path(tmp) / "bench.sqlite"
            try:
                import sqlite3

                con = sqlite3.connect(lite)
                t1 = time.perf_counter()
                cols = sql_frame.columns
                con.execute(f"create table mentions ({', '.join(chr(34) + c + chr(34) for c in cols)})")
                con.executemany(
                    f"insert into mentions values ({', '.join('?' for _ in cols)})", sql_frame.iter_rows()
                )
                con.commit()
                con.close()
                out["sqlite_load_s"] = round(time.perf_counter() - t1, 3)
                res = timed(
                    "GX SQL datasource on SQLite (sqlite:///), SUMMARY",
                    lambda: sql_validate(
                        gx, g["context"], f"lite{time.monotonic_ns()}", f"sqlite:///{lite}", "mentions"
                    ),
                    1,
                    out,
                )
                out["sqlite_outcome"] = outcome(res)
            except Exception as exc:  # noqa: BLE001
                out["sqlite_error"] = f"{type(exc).__name__}: {exc}"[:400]
                print("  SQLite via GX SQL datasource:", out["sqlite_error"])
    print(json.dumps(out, indent=1, default=str))


if __name__ == "__main__":
    main()
