"""How fast is the metric stage on one core? Rerunnable measurement, not a test (no `test_` prefix).

    .venv/bin/quarry gen-corpus --docs 4000 --from ../shared/devset/docs,seeds --out /tmp/corpus  # ~31 MB
    mkdir /tmp/base && git archive main transforms warehouse | tar -x -C /tmp/base  # optional: to compare
    POLARS_MAX_THREADS=1 .venv/bin/python tests/transforms/bench_metrics_speed.py /tmp/corpus \
        --cache /tmp/corpus_stage --baseline /tmp/base --gate

Runs ingest -> clean -> entities once (`flows.evaluate.extract`; with `--cache DIR` the metric stage's
inputs are saved there as Parquet and read back on later runs), then times `extract_metrics` alone,
best of `--repeat` runs, in CPU seconds of this process (steadier than wall time on a shared machine;
with POLARS_MAX_THREADS=1 the two agree on an idle one). Prints MB/s of cleaned text and the time of
each named step of `transforms.metrics.metric_candidates`. `--baseline DIR` times another
version of transforms/ (metrics.py and the helpers it imports) in the same process, alternating runs
(the machine's load hits both alike), and prints the speed ratio and whether both return the same
metric_candidates frame. `--gate` also times the
metrics gate (expectations suite through `expectations.gate.gate`) on the extracted metrics.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import polars as pl  # noqa: E402

from tests.transforms.bench_common import arguments, best_cpu, load_baseline, time_versions  # noqa: E402
from transforms import metrics as M  # noqa: E402
from transforms.text import sentence_spans  # noqa: E402
from warehouse.reference import DEFAULT_GAZETTEER  # noqa: E402

_TABLES = ("docs", "mentions", "entities", "sentences")


def stage_inputs(source: str, cache: str | None) -> dict[str, pl.DataFrame]:
    """The metric stage's inputs (docs, mentions, entities, sentences), from `cache` when saved there."""
    if cache and all((Path(cache) / f"{t}.parquet").exists() for t in _TABLES):
        return {t: pl.read_parquet(Path(cache) / f"{t}.parquet") for t in _TABLES}
    from flows.evaluate import extract

    out = extract(source, str(DEFAULT_GAZETTEER), max_bytes=10**10)
    tables = {
        "docs": out["documents"].select("doc_id", "text"),
        "mentions": out["mentions"],
        "entities": out["entities"].select("entity_id", "name", "type"),
        "sentences": sentence_spans(out["documents"]),
    }
    if cache:
        Path(cache).mkdir(parents=True, exist_ok=True)
        for t, df in tables.items():
            df.write_parquet(Path(cache) / f"{t}.parquet")
    return tables


def main() -> None:
    ap = arguments("the metric stage's inputs")
    ap.add_argument("--gate", action="store_true", help="also time the metrics gate")
    args = ap.parse_args()
    t = stage_inputs(args.source, args.cache)
    docs, mentions, entities, sentences = (t[k] for k in _TABLES)
    mb = docs["text"].str.len_bytes().sum() / 1e6
    print(f"{docs.height} documents, {mb:.2f} MB cleaned text, {mentions.height} mentions")

    def cpu(fn, *a):  # noqa: ANN001, ANN202
        return best_cpu(args.repeat, fn, *a)

    versions = {"current": M}
    if args.baseline:
        versions["baseline"] = load_baseline(args.baseline, "transforms.metrics")
    best, frames = time_versions(
        versions, lambda mod: mod.metric_candidates(docs, mentions, entities, sentences), args.repeat
    )
    for name in versions:
        n = frames[name].filter(pl.col("reason").is_null()).height
        print(
            f"{name}: {n} metrics of {frames[name].height} candidates: {best[name]:.2f} s CPU = "
            f"{mb / best[name]:.1f} MB/s"
        )
    if args.baseline:
        same = frames["current"].equals(frames["baseline"])
        print(f"speed-up {best['baseline'] / best['current']:.2f}x; identical metric_candidates: {same}")
        if not same:
            a, b = frames["current"], frames["baseline"]
            # (the columns both versions have: a release may add one)
            on = [c for c in a.columns if c in b.columns]
            print(
                "  diff rows:",
                a.join(b, on=on, how="anti", nulls_equal=True).height,
                b.join(a, on=on, how="anti", nulls_equal=True).height,
            )
    if args.gate:
        from expectations.context import Context
        from expectations.gate import gate
        from warehouse.files import conform
        from warehouse.schemas import METRICS

        metrics = M.extract_metrics(docs, mentions, entities, sentences).with_columns(
            pl.lit(M.EXTRACTOR_VERSION).alias("extractor_version"), pl.lit("bench").alias("run_id")
        )
        metrics = pl.from_arrow(conform(metrics, METRICS))
        ctx = Context(documents=docs, entity_ids=entities.get_column("entity_id"))
        g, _ = cpu(gate, METRICS.name, metrics, ctx, "bench", 0)
        print(
            f"metrics gate on {metrics.height} rows: {g:.2f} s CPU ({g / best['current']:.2f}x the transform)"
        )
    if args.no_steps:
        return
    steps = {}
    steps["sentence_frame"], sents = cpu(M.sentence_frame, docs, sentences)
    steps["find_candidates"], hits = cpu(M.find_candidates, docs, sents)
    steps["screen_bare_numbers"], (_, rest) = cpu(M.screen_bare_numbers, hits)
    steps["mention_frame"], ments = cpu(M.mention_frame, docs, mentions, entities, sents)
    steps["parse_figures"], parsed = cpu(M.parse_figures, rest)
    yen = pl.col("cur").str.contains(r"^[¥￥]")
    wanted = parsed.filter((pl.col("_rest_unit") == "_generic") | yen).get_column("_d").unique()
    japan = parsed.filter(yen).get_column("_d").unique()
    steps["document_context"], context = cpu(M.document_context, docs, wanted, japan)
    steps["figure_units"], units = cpu(M.figure_units, parsed, context)
    steps["exclusion_reasons"], cands = cpu(M.exclusion_reasons, units, ments)
    kept = cands.filter(pl.col("reason").is_null())
    steps["figure_kinds"], kinds = cpu(M.figure_kinds, kept)
    steps["figure_directions"], kinds = cpu(M.figure_directions, kinds)
    steps["attach_subjects"], subjects = cpu(M.attach_subjects, kinds, ments)
    steps["link_conversions"], _ = cpu(M.link_conversions, subjects)
    print("  ".join(f"{k} {v:.2f}s" for k, v in steps.items()))


if __name__ == "__main__":
    main()
