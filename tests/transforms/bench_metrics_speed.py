"""How fast is the metric stage on one core? Rerunnable measurement, not a test (no `test_` prefix).

    .venv/bin/quarry gen-corpus --docs 4000 --out /tmp/corpus          # ~21 MB of synthetic news
    POLARS_MAX_THREADS=1 .venv/bin/python tests/transforms/bench_metrics_speed.py /tmp/corpus

Runs ingest -> clean -> entities once (`flows.evaluate.extract`), then times `extract_metrics` alone,
best of `--repeat` runs, in CPU seconds of this process (steadier than wall time on a shared machine;
with POLARS_MAX_THREADS=1 the two agree on an idle one). Prints MB/s of cleaned text and the time of
each named step of `transforms.metrics.metric_candidates`.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import polars as pl  # noqa: E402

from flows.evaluate import extract  # noqa: E402
from transforms import metrics as M  # noqa: E402
from transforms.text import sentence_spans  # noqa: E402
from warehouse.reference import DEFAULT_GAZETTEER  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("source", help="a folder of documents, e.g. from `quarry gen-corpus`")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    out = extract(args.source, str(DEFAULT_GAZETTEER))
    docs = out["documents"].select("doc_id", "text")
    mentions, sentences = out["mentions"], sentence_spans(out["documents"])
    entities = out["entities"].select("entity_id", "name", "type")
    mb = docs["text"].str.len_bytes().sum() / 1e6

    def cpu(fn, *a):  # noqa: ANN001, ANN202
        best, result = float("inf"), None
        for _ in range(args.repeat):
            t0 = time.process_time()
            result = fn(*a)
            best = min(best, time.process_time() - t0)
        return best, result

    total, metrics = cpu(M.extract_metrics, docs, mentions, entities, sentences)
    print(f"{mb:.2f} MB cleaned text, {metrics.height} metrics: {total:.2f} s = {mb / total:.1f} MB/s")
    steps = {}
    steps["sentence_frame"], sents = cpu(M.sentence_frame, docs, sentences)
    steps["find_candidates"], hits = cpu(M.find_candidates, docs, sents)
    steps["screen_bare_numbers"], (_, rest) = cpu(M.screen_bare_numbers, hits)
    steps["mention_frame"], ments = cpu(M.mention_frame, docs, mentions, entities, sents)
    steps["parse_figures"], parsed = cpu(M.parse_figures, rest)
    context = M.document_context(docs, parsed["_d"].unique())
    steps["figure_units"], units = cpu(M.figure_units, parsed, context)
    steps["exclusion_reasons"], cands = cpu(M.exclusion_reasons, units, ments)
    kept = cands.filter(pl.col("reason").is_null())
    steps["figure_kinds"], kinds = cpu(M.figure_kinds, kept)
    steps["attach_subjects"], subjects = cpu(M.attach_subjects, kinds, ments)
    steps["link_conversions"], _ = cpu(M.link_conversions, subjects)
    print("  ".join(f"{k} {v:.2f}s" for k, v in steps.items()))


if __name__ == "__main__":
    main()
