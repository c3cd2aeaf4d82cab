"""How fast is the clean task (flows.tasks.clean_batch) on one core, step by step? Rerunnable measurement,
not a test (no `test_` prefix).

    .venv/bin/quarry gen-corpus --docs 4000 --from ../shared/devset/docs,seeds --out /tmp/corpus  # ~31 MB
    mkdir /tmp/base && git archive main transforms warehouse | tar -x -C /tmp/base  # optional: to compare
    POLARS_MAX_THREADS=1 .venv/bin/python tests/flows/bench_clean_stage_speed.py /tmp/corpus \\
        --cache /tmp/clean_stage --baseline /tmp/base --docs 2000

Runs the body of `clean_batch` on one batch (the first `--docs` decoded documents; the pipeline's
default batch is about 16 MB of raw text): read the staged raw documents, `clean_documents`, gate,
`sentence_spans`, `minhash_signatures`, the three other gates, the four Parquet writes; the same calls
in the same order, outside Prefect. Prints the best CPU seconds of each step over `--repeat` runs and
MB/s of raw text. `--baseline DIR` runs the same body with another tree's transforms (clean, text,
dedup), alternating with ours in one process (the machine's load hits both alike), and says whether
the staged documents, sentences, removed spans and signatures are identical. Gates and writes are
this tree's in both.
"""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import polars as pl  # noqa: E402

from expectations.context import Context  # noqa: E402
from flows import tasks as T  # noqa: E402
from flows.params import RunParameters  # noqa: E402
from tests.transforms.bench_clean_speed import stage_input  # noqa: E402
from tests.transforms.bench_common import arguments, load_baseline  # noqa: E402
from transforms import clean, dedup, text  # noqa: E402
from transforms import metrics as metrics_t  # noqa: E402
from warehouse.files import read_table, stage_table  # noqa: E402
from warehouse.schemas import DOC_SIGNATURES, DOCUMENTS, QUARANTINE, RAW_DOCUMENTS, REMOVED_SPANS, SENTENCES  # noqa: E402


def clean_task(ctx: T.RunContext, batch: int, clean_t, text_t, dedup_t) -> tuple[dict[str, float], tuple]:  # noqa: ANN001
    """flows.tasks.clean_batch's body with the given transforms modules: (CPU seconds per step, outputs)."""
    times: dict[str, float] = defaultdict(float)
    t = time.process_time()

    def lap(step: str) -> None:
        nonlocal t
        now = time.process_time()
        times[step] += now - t
        t = now

    bdir = ctx.batch_dir(batch)
    raw = read_table(bdir / f"{RAW_DOCUMENTS.name}.parquet", RAW_DOCUMENTS)
    lap("read")
    result = clean_t.clean_documents(raw, min_words=ctx.min_words)
    lap("clean_documents")
    quarantine = T._quarantine_frame(ctx, "clean", result.rejects)
    T._append_log(bdir / "quarantine.clean.parquet", quarantine, QUARANTINE)
    docs = result.documents.with_columns(
        pl.lit(ctx.run_id).alias("run_id"),
        pl.lit(T.entities_version(ctx.gazetteer)).alias("gazetteer_version"),
        pl.lit(metrics_t.EXTRACTOR_VERSION).alias("extractor_version"),
    )
    src = docs.select("doc_id", "source")
    lap("other")
    docs, _ = T._gate(ctx, batch, "clean", DOCUMENTS, docs, Context(), src)
    lap("gates")
    sentences = text_t.sentence_spans(docs).with_columns(pl.lit(ctx.run_id).alias("run_id"))
    lap("sentence_spans")
    spans = result.removed_spans.join(docs.select("doc_id"), on="doc_id", how="semi")
    spans = spans.with_columns(pl.lit(ctx.run_id).alias("run_id"))
    lap("other")
    signatures = dedup_t.minhash_signatures(docs.select("doc_id", "text"))
    signatures = signatures.with_columns(pl.lit(ctx.run_id).alias("run_id"))
    lap("minhash_signatures")
    sentences, _ = T._gate(ctx, batch, "clean", SENTENCES, sentences, Context(documents=docs), src)
    spans, _ = T._gate(ctx, batch, "clean", REMOVED_SPANS, spans, Context(), src)
    signatures, _ = T._gate(ctx, batch, "clean", DOC_SIGNATURES, signatures, Context(), src)
    lap("gates")
    for df, table in (
        (signatures, DOC_SIGNATURES),
        (docs, DOCUMENTS),
        (sentences, SENTENCES),
        (spans, REMOVED_SPANS),
    ):
        stage_table(df, table, bdir / f"{table.name}.parquet")
    lap("writes")
    times["total"] = sum(times.values())
    return times, (docs, sentences, spans, signatures)


def main() -> None:
    ap = arguments("the clean stage's input")
    ap.add_argument("--docs", type=int, default=2000, help="documents in the batch (default 2000, ~16 MB)")
    args = ap.parse_args()
    raw = stage_input(args.source, args.cache).head(args.docs)
    mb = raw["raw_text"].str.len_bytes().sum() / 1e6
    versions = {"current": (clean, text, dedup)}
    if args.baseline:
        versions["baseline"] = tuple(
            load_baseline(args.baseline, f"transforms.{m}") for m in ("clean", "text", "dedup")
        )
    params = RunParameters()
    with tempfile.TemporaryDirectory() as staging:
        ctx = T.RunContext(
            run_id="bench",
            staging=staging,
            policy=params.on_failure,
            systemic_share=params.systemic_share,
            max_doc_bytes=10**10,
            gazetteer=params.gazetteer,
            known="",
            started_at=dt.datetime.now(dt.UTC),
        )
        for clean_t, _, _ in versions.values():
            clean_t.load_language_model()  # loaded once per run by the flow, not per batch
        T.entities_version(ctx.gazetteer)
        best = {name: defaultdict(lambda: float("inf")) for name in versions}
        outputs = {}
        batch = 0
        for _ in range(args.repeat + 1):  # the first round sets up GX and is not counted
            for name, modules in versions.items():
                batch += 1
                ctx.batch_dir(batch).mkdir(parents=True)
                stage_table(raw, RAW_DOCUMENTS, ctx.batch_dir(batch) / f"{RAW_DOCUMENTS.name}.parquet")
                times, outputs[name] = clean_task(ctx, batch, *modules)
                if batch > len(versions):
                    for step, s in times.items():
                        best[name][step] = min(best[name][step], s)
    print(f"{raw.height} documents, {mb:.2f} MB raw text; best CPU seconds of {args.repeat} runs")
    print(f"{'step':20s}" + "".join(f"{name:>10s}" for name in versions))
    for step in best["current"]:
        print(f"{step:20s}" + "".join(f"{best[name][step]:10.3f}" for name in versions))
    print(f"{'MB/s':20s}" + "".join(f"{mb / best[name]['total']:10.1f}" for name in versions))
    if args.baseline:
        same = [a.equals(b) for a, b in zip(outputs["current"], outputs["baseline"], strict=True)]
        print(
            f"speed-up {best['baseline']['total'] / best['current']['total']:.2f}x; identical "
            f"documents, sentences, removed spans, signatures: {same}"
        )


if __name__ == "__main__":
    main()
