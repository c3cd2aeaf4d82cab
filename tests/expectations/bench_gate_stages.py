"""What does gating cost on one batch of real stage outputs? Rerunnable measurement, not a test.

    .venv/bin/python tests/expectations/bench_gate_stages.py SOURCE --cache DIR [--baseline TREE] [--no-docs]

Runs the stage tasks (flows.tasks, outside Prefect) once on the files of SOURCE as one batch and keeps
their outputs in `--cache` (Parquet); then times every gate call a batch makes (nine suites, the same
frames and contexts as the tasks pass), in this process's CPU seconds, best of `--repeat`. With
`--baseline` (a tree holding expectations/, transforms/, warehouse/ of another commit) the other
gate is timed in the same process, alternating, and every report is compared: the same expectations
with the same success, observed value and sample, and the same rows kept and held back.
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import os
import sys
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "transforms"))

import bench_common  # noqa: E402
import polars as pl  # noqa: E402
from bench_common import load_baseline  # noqa: E402

FRAMES = ("raw_documents", "documents", "sentences", "removed_spans", "doc_signatures", "entities")
FRAMES += ("mentions", "metrics", "profile", "all_entities")


def build_cache(source: str, cache: Path) -> None:
    """Run ingest, clean, entities and metrics on every file of `source` as one batch; keep outputs."""
    from flows import tasks
    from flows.params import RunParameters
    from warehouse import sources

    tasks.get_run_logger = lambda: logging.getLogger("bench")  # type: ignore[assignment]
    staging = cache / "staging"
    staging.mkdir(parents=True, exist_ok=True)
    known = staging / "known.parquet"
    pl.DataFrame({"doc_id": []}, schema={"doc_id": pl.String}).write_parquet(known)
    params = RunParameters()
    ctx = tasks.RunContext(
        run_id="bench",
        staging=str(staging),
        policy="quarantine",
        systemic_share=0.05,
        max_doc_bytes=int(params.max_doc_mb * 1e6),
        gazetteer=params.gazetteer,
        known=str(known),
        started_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
    )
    refs, _ = sources.list_sources(source)
    up = tasks.ingest_batch.fn(ctx, 0, refs)
    up = tasks.clean_batch.fn(ctx, 0, up)
    up = tasks.entities_batch.fn(ctx, 0, up)
    tasks.metrics_batch.fn(ctx, 0, up)
    bdir = ctx.batch_dir(0)
    from expectations import batch_profile

    for name in FRAMES[:8]:
        pl.read_parquet(bdir / f"{name}.parquet").write_parquet(cache / f"{name}.parquet")
    docs = pl.read_parquet(cache / "documents.parquet")
    ments = pl.read_parquet(cache / "mentions.parquet")
    mets = pl.read_parquet(cache / "metrics.parquet")
    batch_profile.profile(docs, ments, mets).write_parquet(cache / "profile.parquet")
    _, known_entities, _, _ = tasks.gazetteer(ctx.gazetteer)
    discovered = pl.read_parquet(cache / "entities.parquet")
    pl.concat([known_entities, discovered], how="diagonal_relaxed").unique("entity_id", keep="first").select(
        "entity_id"
    ).write_parquet(cache / "all_entities.parquet")


def calls(cache: Path) -> list[tuple[str, str, pl.DataFrame, Any]]:
    """(stage, table, frame, context) of every gate call of a batch, as flows.tasks makes them."""
    from expectations.context import Context

    f = {n: pl.read_parquet(cache / f"{n}.parquet") for n in FRAMES}
    text = f["documents"].select("doc_id", "text")
    ids = f["all_entities"].get_column("entity_id")
    return [
        ("ingest", "raw_documents", f["raw_documents"], Context()),
        ("clean", "documents", f["documents"], Context()),
        ("clean", "sentences", f["sentences"], Context(documents=f["documents"])),
        ("clean", "removed_spans", f["removed_spans"], Context()),
        ("clean", "doc_signatures", f["doc_signatures"], Context()),
        ("entities", "entities", f["entities"], Context()),
        ("entities", "mentions", f["mentions"], Context(documents=text, entity_ids=ids)),
        ("metrics", "metrics", f["metrics"], Context(documents=text, entity_ids=ids)),
        ("metrics", "batch_profile", f["profile"], Context()),
    ]


def summary(kept: pl.DataFrame, held: pl.DataFrame, report: Any) -> tuple:
    """What must not change: every outcome, and which rows are kept and held back (and why)."""
    outcomes = tuple(
        (o.check.name, o.check.severity, o.success, o.observed, repr(o.unexpected_sample[:5]))
        for o in report.outcomes
    )
    return (
        outcomes,
        kept.height,
        held.sort(held.columns[:2]).to_dicts() if held.height else [],
        report.stopped,
    )


def run_all(gate: Any, cs: list, policy: str, docs: bool = True) -> list[tuple]:
    import inspect

    # Without Data Docs a run asks for no GX result JSON (a gate older than that option makes it anyway).
    kw = {} if docs or "gx_result" not in inspect.signature(gate.gate).parameters else {"gx_result": False}
    out = []
    for stage, table, df, ctx in cs:
        try:
            kept, held, report = gate.gate(table, df, ctx, stage, 0, policy, **kw)
            out.append(summary(kept, held, report))
        except gate.GateFailure as exc:
            out.append(("stopped", summary(df.clear(), df.clear(), exc.report)))
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("source")
    ap.add_argument("--cache", required=True)
    ap.add_argument("--baseline")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--policy", default="quarantine")
    ap.add_argument("--per-suite", action="store_true", help="time each suite alone too")
    ap.add_argument("--no-docs", action="store_true", help="as a run without Data Docs (no GX result JSON)")
    args = ap.parse_args()
    cache = Path(args.cache)
    if not (cache / "profile.parquet").exists():
        t0 = time.perf_counter()
        build_cache(args.source, cache)
        print(f"stage outputs built in {time.perf_counter() - t0:.1f} s", flush=True)
    cs = calls(cache)
    for stage, table, df, _ in cs:
        print(f"  {stage}/{table}: {df.height:,} rows", flush=True)
    bench_common._PACKAGES = ("expectations", "transforms", "warehouse")  # type: ignore[attr-defined]
    import expectations.gate as ours

    versions = {"ours": ours}
    if args.baseline:
        versions["base"] = load_baseline(args.baseline, "expectations.gate")
    from great_expectations.core import id_dict
    from great_expectations.execution_engine import pandas_execution_engine as engine

    # Module-level GX settings a gate changes when it builds its context (the other gate must run
    # with GX's own): set before each call to the values that gate's set-up left.
    knobs = ((engine, "HASH_THRESHOLD"), (id_dict, "convert_to_json_serializable"))
    settings: dict[str, list[Any]] = {}
    for name, g in versions.items():  # GX import and context set-up are not what is measured
        before = [getattr(m, a) for m, a in knobs]
        g._context()
        settings[name] = [getattr(m, a) for m, a in knobs]
        for (m, a), v in zip(knobs, before, strict=True):
            setattr(m, a, v)

    def run(g: Any, which: list = cs) -> list[tuple]:
        values = settings[next(k for k, v in versions.items() if v is g)]
        for (m, a), v in zip(knobs, values, strict=True):
            setattr(m, a, v)
        return run_all(g, which, args.policy, docs=not args.no_docs)

    for g in versions.values():
        run(g)
    best, results = bench_common.time_versions(versions, run, args.repeat)
    for name, s in best.items():
        print(f"all gate calls of one batch, {name}: {s:.3f} s CPU")
    if "base" in best:
        print(f"ours / base: {best['ours'] / best['base']:.3f}")
        same = results["ours"] == results["base"]
        print("same outcomes, kept and held rows:", same)
        if not same:
            for c, a, b in zip(cs, results["ours"], results["base"], strict=True):
                if a != b:
                    print("  differs:", c[1], "\n   ours:", str(a)[:800], "\n   base:", str(b)[:800])
    if args.per_suite:
        for c in cs:
            t, _ = bench_common.time_versions(versions, lambda g, c=c: run(g, [c]), args.repeat)
            print(f"  {c[0]}/{c[1]}: " + ", ".join(f"{k} {v:.3f} s" for k, v in t.items()))


if __name__ == "__main__":
    main()
