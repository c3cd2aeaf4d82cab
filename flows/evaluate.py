"""`quarry eval`: run the extraction stages on labelled documents and score them against the labels."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from transforms import clean as clean_t
from transforms import dedup as dedup_t
from transforms import entities as entities_t
from transforms import ingest as ingest_t
from transforms import metrics as metrics_t
from transforms.evaluate import (
    NOISE,
    entity_outcomes,
    metric_outcomes,
    score_cleaning,
    score_entities,
    score_metrics,
)
from transforms.text import sentence_spans
from warehouse import reference, sources


def reference_data(gazetteer_path: str) -> tuple[pl.DataFrame, str, dict]:
    """The gazetteer frame (with the lexicons' places and companies), its version and the lexicons.

    The version names the gazetteer, its reject list (when it has one) and the lexicons: documents
    matched under another version are reprocessed."""
    entries, _ = reference.load_gazetteer(gazetteer_path)
    lexicons = reference.load_lexicons()
    version = reference.entity_version(gazetteer_path)
    return entities_t.gazetteer_frame(entries, version, lexicons["entries"]), version, lexicons


def rejected_ids(gazetteer_path: str) -> list[str]:
    """The entity ids on the gazetteer's reject list (warehouse.reference.load_rejects)."""
    return [str(r["entity_id"]) for r in reference.load_rejects(gazetteer_path)[0]]


def extract(
    source: str,
    gazetteer_path: str,
    max_bytes: int = 20_000_000,
    confidence: dict[str, float] | None = None,
    registry: pl.DataFrame | None = None,
) -> dict[str, pl.DataFrame]:
    """Run ingest → clean → entities → metrics in-process (no Prefect, no warehouse) on `source`.
    `registry`: entities learnt earlier, recognised without their cue (transforms.registry)."""
    refs, _ = sources.list_sources(source)
    raw, _ = sources.read_batch(refs, max_bytes)
    decoded, _ = ingest_t.decode_documents(raw)
    docs = clean_t.clean_documents(decoded).documents
    gaz, version, lexicons = reference_data(gazetteer_path)
    mentions, discovered = entities_t.extract_mentions(
        docs.select("doc_id", "text"),
        gaz,
        version,
        lexicons,
        confidence,
        registry,
        rejected_ids(gazetteer_path),
    )
    entities = pl.concat([entities_t.entity_rows(gaz, version), discovered], how="diagonal_relaxed").unique(
        "entity_id", keep="first"
    )
    sentences = sentence_spans(docs)
    metrics = metrics_t.extract_metrics(
        docs.select("doc_id", "text"), mentions, entities.select("entity_id", "name", "type"), sentences
    )
    return {"documents": docs, "mentions": mentions, "entities": entities, "metrics": metrics}


def compile_kernels(source: str, gazetteer_path: str) -> None:
    """Run the stages' transforms once over `source` (`make setup` passes seeds/) and MinHash its
    documents, so that numba compiles every kernel of transforms/ for the types a run passes it.

    The kernels are `@njit(cache=True)`: their machine code is kept in the checkout's __pycache__, keyed
    by each source file, and later processes load it (~0.4 s). Without this step a fresh clone's first
    run compiled them inside its stages (5 seeds: clean 13.9 s and entities 4.2 s, against 0.5 and 0.6 s
    once cached; 2026-12-02), and `make test`'s workers compiled them at the same time, each its own."""
    out = extract(source, gazetteer_path)
    dedup_t.minhash_signatures(out["documents"].select("doc_id", "text"))


def evaluate(
    source: str, labels_dir: str, gazetteer_path: str, registry: pl.DataFrame | None = None
) -> dict[str, pl.DataFrame]:
    """Scores of the documents in `source` that have labels: a dict of frames, each one section of the
    report (more sections may be added; readers pick the ones they know).
    cleaning: the share of labelled chrome that cleaning removed and of labelled content it kept.

    entities / metrics: per type / unit and ALL (transforms.evaluate); entity_outcomes / metric_outcomes:
    one row per prediction and per missed label; documents: labelled documents scored, noise errors
    (in-body noise extracted) and `unmatched_labels`, the label files with no document in `source`
    (listed, not dropped silently).
    """
    labels = reference.load_labels(labels_dir)
    out = extract(source, gazetteer_path, registry=registry)
    doc = pl.col("source").str.split("/").list.last().str.replace(r"\.[^.]+$", "").alias("doc")
    docs = out["documents"].select("doc_id", doc).filter(pl.col("doc").is_in(list(labels)))
    names = out["entities"].select("entity_id", pl.col("name").alias("entity_name"), "type")
    pred_entities = (
        out["mentions"]
        .join(docs, on="doc_id")
        .join(names, on="entity_id")
        .select("doc", "entity_name", "type", "surface")
    )
    pred_metrics = (
        out["metrics"]
        .join(docs, on="doc_id")
        .join(
            names.select("entity_id", pl.col("entity_name").alias("subject_name")),
            left_on="subject_entity_id",
            right_on="entity_id",
            how="left",
        )
        .select("doc", "value", "value_high", "unit", "subject_name", "surface")
    )
    found = set(docs.get_column("doc").to_list())
    labelled = {k: v for k, v in labels.items() if k in found}
    entity_out = entity_outcomes(pred_entities, labelled)
    metric_out = metric_outcomes(pred_metrics, labelled)
    return {
        "entities": score_entities(pred_entities, labelled),
        "metrics": score_metrics(pred_metrics, labelled),
        "entity_outcomes": entity_out,
        "metric_outcomes": metric_out,
        "documents": pl.DataFrame(
            {
                "labelled_documents": [len(labelled)],
                "entity_noise_errors": [entity_out.filter(pl.col("outcome") == NOISE).height],
                "metric_noise_errors": [metric_out.filter(pl.col("outcome") == NOISE).height],
                "unmatched_labels": [sorted(set(labels) - found)],
            }
        ),
        # Over every label file: a labelled document that cleaning rejected lost its content.
        "cleaning": score_cleaning(out["documents"].select(doc, "text"), labels),
    }


def rule_precision(source: str, labels_dir: str, gazetteer_path: str) -> pl.DataFrame:
    """Right and wrong (document, entity) predictions per entity rule on labelled documents, the source of
    transforms.entities.RULE_CONFIDENCE: rule, right, predictions, smoothed precision
    (right + 1) / (predictions + 2). Each rule is given a marker confidence so that a mention's confidence
    names its rule; a (document, entity) counts under the rule of its first mention. Run:
    `python -c "from flows.evaluate import *; print(rule_precision('../shared/devset/docs',
    '../shared/devset/labels', 'warehouse/reference/gazetteer.yaml'))"`"""
    rules = sorted(entities_t.RULE_CONFIDENCE)
    marker = {rule: (i + 1) / 1000 for i, rule in enumerate(rules)}
    labels = reference.load_labels(labels_dir)
    out = extract(source, gazetteer_path, confidence=marker)
    doc = pl.col("source").str.split("/").list.last().str.replace(r"\.[^.]+$", "").alias("doc")
    docs = out["documents"].select("doc_id", doc).filter(pl.col("doc").is_in(list(labels)))
    names = out["entities"].select("entity_id", pl.col("name").alias("entity_name"), "type")
    pred = out["mentions"].join(docs, on="doc_id").join(names, on="entity_id")
    labelled = {k: v for k, v in labels.items() if k in set(docs.get_column("doc").to_list())}
    outcomes = entity_outcomes(pred.select("doc", "entity_name", "type", "surface"), labelled)
    first = pred.sort("start").group_by("doc", "entity_name").agg(pl.col("confidence").first())
    by_marker = {v: k for k, v in marker.items()}
    return (
        outcomes.filter(pl.col("outcome").is_in(["tp", "fp", "noise"]))
        .join(first, left_on=["doc", "name"], right_on=["doc", "entity_name"])
        .with_columns(pl.col("confidence").replace_strict(by_marker, return_dtype=pl.String).alias("rule"))
        .group_by("rule")
        .agg((pl.col("outcome") == "tp").sum().alias("right"), pl.len().alias("predictions"))
        .with_columns(((pl.col("right") + 1) / (pl.col("predictions") + 2)).alias("precision"))
        .sort("rule")
    )


def default_labels(source: str) -> str:
    """Labels live in `<source>/labels` by convention (seeds/labels)."""
    return str(Path(source) / "labels")
