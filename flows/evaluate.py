"""`quarry eval`: run the extraction stages on labelled documents and score them against the labels."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from transforms import clean as clean_t
from transforms import entities as entities_t
from transforms import ingest as ingest_t
from transforms import metrics as metrics_t
from transforms.evaluate import NOISE, entity_outcomes, metric_outcomes, score_entities, score_metrics
from transforms.text import sentence_spans
from warehouse import reference, sources


def reference_data(gazetteer_path: str) -> tuple[pl.DataFrame, str, dict]:
    """The gazetteer frame (with the lexicons' places and companies), its version and the lexicons."""
    entries, version = reference.load_gazetteer(gazetteer_path)
    lexicons = reference.load_lexicons()
    version = f"{version}+{lexicons['version']}"
    return entities_t.gazetteer_frame(entries, version, lexicons["entries"]), version, lexicons


def extract(source: str, gazetteer_path: str, max_bytes: int = 20_000_000) -> dict[str, pl.DataFrame]:
    """Run ingest → clean → entities → metrics in-process (no Prefect, no warehouse) on `source`."""
    refs, _ = sources.list_sources(source)
    raw, _ = sources.read_batch(refs, max_bytes)
    decoded, _ = ingest_t.decode_documents(raw)
    docs = clean_t.clean_documents(decoded).documents
    gaz, version, lexicons = reference_data(gazetteer_path)
    mentions, discovered = entities_t.extract_mentions(docs.select("doc_id", "text"), gaz, version, lexicons)
    entities = pl.concat([entities_t.entity_rows(gaz, version), discovered], how="diagonal_relaxed").unique(
        "entity_id", keep="first"
    )
    sentences = sentence_spans(docs)
    metrics = metrics_t.extract_metrics(
        docs.select("doc_id", "text"), mentions, entities.select("entity_id", "name", "type"), sentences
    )
    return {"documents": docs, "mentions": mentions, "entities": entities, "metrics": metrics}


def evaluate(source: str, labels_dir: str, gazetteer_path: str) -> dict[str, pl.DataFrame]:
    """Scores of the documents in `source` that have labels: a dict of frames, each one section of the
    report (more sections may be added; readers pick the ones they know).

    entities / metrics: per type / unit and ALL (transforms.evaluate); entity_outcomes / metric_outcomes:
    one row per prediction and per missed label; documents: labelled documents scored, noise errors
    (in-body noise extracted) and `unmatched_labels`, the label files with no document in `source`
    (listed, not dropped silently).
    """
    labels = reference.load_labels(labels_dir)
    out = extract(source, gazetteer_path)
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
    }


def default_labels(source: str) -> str:
    """Labels live in `<source>/labels` by convention (seeds/labels)."""
    return str(Path(source) / "labels")
