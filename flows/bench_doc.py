"""`quarry bench-doc`: time per MB of each stage (transform + its gates) on ONE document of growing size.

Cost must stay linear in a document's length: a step that scans a document from its start once per
mention, figure or span (polars `str.slice` with character offsets does) is quadratic, and a 20 MB
document (the default `max_doc_mb`) then takes minutes. The document is built from generated news
(transforms/synth.py, deterministic by seed) joined by blank lines; stages run in-process on the pure
transforms and the real GX gates, without Prefect or a warehouse, so the figures isolate the work that
scales with length. A flat `s/MB` column from the smallest to the largest size is the pass mark.
"""

from __future__ import annotations

import argparse
import time
from typing import Any

DEFAULT_DOC_SIZES_MB = (0.5, 1.0, 4.0, 20.0)


def _document(mb: float, seed: int) -> str:
    from flows.bench import _entries
    from transforms.synth import iter_documents

    target, parts, size = int(mb * 1e6), [], 0
    for doc, _ in iter_documents(10**9, seed, _entries(None)):
        parts.append(doc["text"])
        size += len(doc["text"].encode("utf-8")) + 2
        if size >= target:
            break
    return "\n\n".join(parts)


def measure(mb: float, seed: int = 7) -> dict[str, Any]:
    """Seconds per stage (transform + gates) on one document of about `mb` MB of UTF-8."""
    import polars as pl

    from expectations.context import Context
    from expectations.gate import gate
    from flows.tasks import gazetteer
    from transforms import clean as clean_t
    from transforms import dedup as dedup_t
    from transforms import entities as entities_t
    from transforms import metrics as metrics_t
    from transforms.text import sentence_spans
    from warehouse.files import conform
    from warehouse.reference import DEFAULT_GAZETTEER
    from warehouse.schemas import DOCUMENTS, MENTIONS, METRICS, SENTENCES

    def gated(table: Any, df: pl.DataFrame, ctx: Context) -> pl.DataFrame:
        df = pl.from_arrow(conform(df.with_columns(pl.lit("bench").alias("run_id")), table))
        return gate(table.name, df, ctx, "bench", 0)[0]  # type: ignore[arg-type]

    text = _document(mb, seed)
    raw = pl.DataFrame({"doc_id": ["d" * 64], "source": ["bench.txt"], "raw_text": [text]})
    gaz, known, version, lexicons = gazetteer(str(DEFAULT_GAZETTEER))
    t: dict[str, float] = {}
    t0 = time.perf_counter()
    docs = clean_t.clean_documents(raw).documents.with_columns(
        pl.lit(version).alias("gazetteer_version"),
        pl.lit(metrics_t.EXTRACTOR_VERSION).alias("extractor_version"),
    )
    docs = gated(DOCUMENTS, docs, Context())
    sentences = gated(SENTENCES, sentence_spans(docs), Context(documents=docs))
    dedup_t.minhash_signatures(docs.select("doc_id", "text"))
    t["clean"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    mentions, discovered = entities_t.extract_mentions(docs.select("doc_id", "text"), gaz, version, lexicons)
    entities = pl.concat([known, discovered], how="diagonal_relaxed").unique("entity_id", keep="first")
    ctx = Context(documents=docs.select("doc_id", "text"), entity_ids=entities.get_column("entity_id"))
    mentions = gated(MENTIONS, mentions, ctx)
    t["entities"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    metrics = metrics_t.extract_metrics(
        docs.select("doc_id", "text"), mentions, entities.select("entity_id", "name", "type"), sentences
    ).with_columns(pl.lit(metrics_t.EXTRACTOR_VERSION).alias("extractor_version"))
    metrics = gated(METRICS, metrics, ctx)
    t["metrics"] = time.perf_counter() - t0
    size = len(text.encode("utf-8")) / 1e6
    return {
        "mb": round(size, 2),
        "mentions": mentions.height,
        "metrics": metrics.height,
        **{f"{k}_s": round(v, 2) for k, v in t.items()},
        **{f"{k}_s_per_mb": round(v / size, 3) for k, v in t.items()},
    }


def cmd_bench_doc(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.table import Table

    table = Table(title="one document per size: seconds per MB (transform + gates)", title_justify="left")
    for col in ("MB", "mentions", "metrics", "clean s/MB", "entities s/MB", "metrics s/MB", "total s"):
        table.add_column(col, justify="right")
    measure(0.05, args.seed)  # warm-up: GX context, regex compilation, gazetteer; not reported
    for mb in args.sizes:
        r = measure(mb, args.seed)
        total = r["clean_s"] + r["entities_s"] + r["metrics_s"]
        table.add_row(
            f"{r['mb']:.2f}",
            f"{r['mentions']:,}",
            f"{r['metrics']:,}",
            f"{r['clean_s_per_mb']:.3f}",
            f"{r['entities_s_per_mb']:.3f}",
            f"{r['metrics_s_per_mb']:.3f}",
            f"{total:.1f}",
        )
    Console(highlight=False).print(table)
    return 0


def add_parser(subparsers: Any) -> None:
    from flows.bench import _sizes

    d = subparsers.add_parser("bench-doc", help="time each stage per MB on single documents of growing size")
    d.add_argument(
        "--sizes",
        type=_sizes,
        default=list(DEFAULT_DOC_SIZES_MB),
        help="document sizes in MB (default: 0.5,1,4,20)",
    )
    d.add_argument("--seed", type=int, default=7)
    d.set_defaults(func=cmd_bench_doc)
