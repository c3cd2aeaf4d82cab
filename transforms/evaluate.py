"""Scoring extracted entities and metrics against hand labels (seeds/labels/README.md): pure functions."""

from __future__ import annotations

import polars as pl

ALL = "ALL"
METRIC_TOLERANCE = 0.01  # relative: a predicted value within 1% of the label value matches

_SCORE_SCHEMA = {
    "group": pl.String,
    "tp": pl.Int64,
    "fp": pl.Int64,
    "fn": pl.Int64,
    "precision": pl.Float64,
    "recall": pl.Float64,
    "f1": pl.Float64,
}


def _label_entities(labels: dict[str, dict]) -> pl.DataFrame:
    """One row per (doc, label entity, surface form); `noise` rows are in-body noise (must not be found)."""
    rows = []
    for doc, label in labels.items():
        items = [(e, False) for e in label.get("entities", [])]
        items += [(e, True) for e in label.get("noise_entities", []) if e.get("in_body")]
        for idx, (e, noise) in enumerate(items):
            forms = {e["text"], e["canonical"], *e.get("aliases", [])}
            for form in forms:
                rows.append(
                    {
                        "doc": doc,
                        "label_idx": idx,
                        "canonical": e["canonical"],
                        "label_type": e["type"],
                        "optional": bool(e.get("optional", False)),
                        "noise": noise,
                        "form": form,
                    }
                )
    schema = {
        "doc": pl.String,
        "label_idx": pl.Int64,
        "canonical": pl.String,
        "label_type": pl.String,
        "optional": pl.Boolean,
        "noise": pl.Boolean,
        "form": pl.String,
    }
    return pl.DataFrame(rows, schema=schema)


def _prf(df: pl.DataFrame) -> pl.DataFrame:
    tp, fp, fn = pl.col("tp"), pl.col("fp"), pl.col("fn")
    precision = pl.when(tp + fp > 0).then(tp / (tp + fp)).otherwise(None)
    recall = pl.when(tp + fn > 0).then(tp / (tp + fn)).otherwise(None)
    return df.with_columns(precision.alias("precision"), recall.alias("recall")).with_columns(
        pl.when(pl.col("precision") + pl.col("recall") > 0)
        .then(2 * pl.col("precision") * pl.col("recall") / (pl.col("precision") + pl.col("recall")))
        .otherwise(pl.when((tp + fp + fn) == 0).then(None).otherwise(0.0))
        .alias("f1")
    )


def _tally(outcomes: pl.DataFrame) -> pl.DataFrame:
    """outcomes[group, tp, fp, fn] (0/1 per row) -> per-group rows plus ALL, with precision/recall/f1."""
    per = (
        outcomes.group_by("group")
        .agg(pl.col("tp").sum(), pl.col("fp").sum(), pl.col("fn").sum())
        .filter((pl.col("tp") + pl.col("fp") + pl.col("fn")) > 0)  # groups seen only as optional items
    )
    total = outcomes.select(
        pl.lit(ALL).alias("group"), pl.col("tp").sum(), pl.col("fp").sum(), pl.col("fn").sum()
    )
    out = pl.concat([per.sort("group"), total]).cast({"tp": pl.Int64, "fp": pl.Int64, "fn": pl.Int64})
    return _prf(out)


def score_entities(pred: pl.DataFrame, labels: dict[str, dict]) -> pl.DataFrame:
    """Entity P/R/F1 per type and ALL from pred[doc, entity_name, type, surface] (one row per mention).

    A predicted (doc, entity) hits a label entity when its canonical name equals the label's canonical
    (case-insensitive) or one of its surfaces equals the label's text/aliases. Optional labels are
    neither hits nor misses; a second prediction for an already-hit label counts as a false positive.
    Returns group (type or ALL), tp, fp, fn, precision, recall, f1.
    """
    lab = _label_entities(labels)
    docs = list(labels)
    p = (
        pred.select(pl.col(c).cast(pl.String) for c in ("doc", "entity_name", "type", "surface"))
        .filter(pl.col("doc").is_in(docs))
        .group_by("doc", "entity_name")
        .agg(pl.col("type").first(), pl.col("surface").unique())
        .sort("doc", "entity_name")
        .with_row_index("pred_idx")
    )
    by_name = p.join(
        lab.select("doc", "label_idx", pl.col("canonical").str.to_lowercase().alias("k")).unique(),
        left_on=["doc", pl.col("entity_name").str.to_lowercase()],
        right_on=["doc", "k"],
    ).select("pred_idx", "doc", "label_idx")
    by_surface = (
        p.explode("surface")
        .join(lab.select("doc", "label_idx", "form"), left_on=["doc", "surface"], right_on=["doc", "form"])
        .select("pred_idx", "doc", "label_idx")
    )
    info = lab.select("doc", "label_idx", "label_type", "optional", "noise").unique(["doc", "label_idx"])
    pairs = (
        pl.concat([by_name, by_surface])
        .unique()
        .join(info, on=["doc", "label_idx"])
        # A prediction matching several labels is assigned to one: real entities before in-body noise.
        .sort("pred_idx", "noise", "label_idx")
        .unique("pred_idx", keep="first", maintain_order=True)
        .with_columns(pl.col("pred_idx").rank("ordinal").over("doc", "label_idx").alias("nth"))
    )
    matched = p.join(pairs, on=["pred_idx", "doc"], how="left")
    pred_out = matched.select(
        pl.when(pl.col("label_idx").is_not_null() & ~pl.col("noise"))
        .then(pl.col("label_type"))
        .otherwise(pl.col("type"))
        .alias("group"),
        (pl.col("label_idx").is_not_null() & ~pl.col("noise") & ~pl.col("optional") & (pl.col("nth") == 1))
        .cast(pl.Int64)
        .fill_null(0)
        .alias("tp"),
        (
            pl.col("label_idx").is_null()
            | pl.col("noise")
            | ((pl.col("nth") > 1) & ~pl.col("optional").fill_null(False))
        )
        .cast(pl.Int64)
        .fill_null(0)
        .alias("fp"),
        pl.lit(0, dtype=pl.Int64).alias("fn"),
    )
    hit = pairs.select("doc", "label_idx").unique()
    missed = (
        info.filter(~pl.col("optional") & ~pl.col("noise"))
        .join(hit, on=["doc", "label_idx"], how="anti")
        .select(
            pl.col("label_type").alias("group"),
            pl.lit(0, dtype=pl.Int64).alias("tp"),
            pl.lit(0, dtype=pl.Int64).alias("fp"),
            pl.lit(1, dtype=pl.Int64).alias("fn"),
        )
    )
    return _tally(pl.concat([pred_out, missed])).cast(_SCORE_SCHEMA).rename({"group": "type"})


def _label_metrics(labels: dict[str, dict]) -> pl.DataFrame:
    rows = []
    for doc, label in labels.items():
        items = [(m, False) for m in label.get("metrics", [])]
        items += [(m, True) for m in label.get("noise_metrics", [])]
        for idx, (m, noise) in enumerate(items):
            rows.append(
                {
                    "doc": doc,
                    "label_idx": idx,
                    "l_value": float(m["value"]),
                    "l_unit": str(m["unit"]),
                    "l_subject": m.get("subject"),
                    "optional": bool(m.get("optional", False)),
                    "noise": noise,
                }
            )
    schema = {
        "doc": pl.String,
        "label_idx": pl.Int64,
        "l_value": pl.Float64,
        "l_unit": pl.String,
        "l_subject": pl.String,
        "optional": pl.Boolean,
        "noise": pl.Boolean,
    }
    return pl.DataFrame(rows, schema=schema)


# What a metric extractor hands `score_metrics` (ours, or a peer's in the benchmark).
METRIC_PREDICTION_COLUMNS = {
    "doc": pl.String,
    "value": pl.Float64,
    "value_high": pl.Float64,
    "unit": pl.String,
    "subject_name": pl.String,
    "surface": pl.String,
}


def score_metrics(pred: pl.DataFrame, labels: dict[str, dict]) -> pl.DataFrame:
    """Metric P/R/F1 and subject accuracy per unit and ALL from pred[doc, value, value_high, unit,
    subject_name, surface].

    A prediction hits a label metric of the same doc when the unit is equal and the value is within 1%;
    each label is hit at most once (the closest prediction); a further prediction of a hit label is the
    same fact found again, neither hit nor false positive; optional labels are neither hit nor miss;
    noise metrics that are extracted are false positives. subject_accuracy is over matched pairs
    (canonical subject equal case-insensitively, or both null).
    Returns group (unit or ALL), tp, fp, fn, precision, recall, f1, subject_accuracy.
    """
    lab = _label_metrics(labels)
    p = (
        pred.select(pl.col(c).cast(t) for c, t in METRIC_PREDICTION_COLUMNS.items())
        .filter(pl.col("doc").is_in(list(labels)))
        .with_row_index("pred_idx")
    )
    cand = (
        p.select("pred_idx", "doc", pl.col("value").cast(pl.Float64), pl.col("unit"), "subject_name")
        .join(lab, left_on=["doc", "unit"], right_on=["doc", "l_unit"])
        .filter((pl.col("value") - pl.col("l_value")).abs() <= METRIC_TOLERANCE * pl.col("l_value").abs())
        .with_columns(((pl.col("value") - pl.col("l_value")).abs()).alias("err"))
        # Each prediction takes its closest real label; each label keeps its closest prediction.
        .sort("pred_idx", "noise", "err")
        .unique("pred_idx", keep="first", maintain_order=True)
        .sort("err", "pred_idx")
        .with_columns(pl.col("pred_idx").rank("ordinal").over("doc", "label_idx").alias("nth"))
    )
    matched = p.join(
        cand.select("pred_idx", "label_idx", "l_subject", "optional", "noise", "nth"),
        on="pred_idx",
        how="left",
    )
    good = pl.col("label_idx").is_not_null() & ~pl.col("noise") & (pl.col("nth") == 1)
    subject_ok = (
        pl.col("subject_name").str.to_lowercase() == pl.col("l_subject").str.to_lowercase()
    ).fill_null(pl.col("subject_name").is_null() & pl.col("l_subject").is_null())
    pred_out = matched.select(
        pl.col("unit").alias("group"),
        (good & ~pl.col("optional")).cast(pl.Int64).fill_null(0).alias("tp"),
        # Only a prediction that matches no real label, or matches noise, is false: the same fact found
        # twice (a headline and its body) is one hit (devset README, "Scores to read").
        (pl.col("label_idx").is_null() | pl.col("noise").fill_null(False))
        .cast(pl.Int64)
        .fill_null(0)
        .alias("fp"),
        pl.lit(0, dtype=pl.Int64).alias("fn"),
        pl.when(good & ~pl.col("optional")).then(subject_ok.cast(pl.Int64)).alias("subject_ok"),
    )
    hit = cand.filter(pl.col("nth") == 1).select("doc", "label_idx")
    missed = (
        lab.filter(~pl.col("optional") & ~pl.col("noise"))
        .join(hit, on=["doc", "label_idx"], how="anti")
        .select(
            pl.col("l_unit").alias("group"),
            pl.lit(0, dtype=pl.Int64).alias("tp"),
            pl.lit(0, dtype=pl.Int64).alias("fp"),
            pl.lit(1, dtype=pl.Int64).alias("fn"),
            pl.lit(None, dtype=pl.Int64).alias("subject_ok"),
        )
    )
    outcomes = pl.concat([pred_out, missed])
    scores = _tally(outcomes.drop("subject_ok"))
    acc = pl.concat(
        [
            outcomes.group_by("group").agg(pl.col("subject_ok").mean().alias("subject_accuracy")),
            outcomes.select(
                pl.lit(ALL).alias("group"), pl.col("subject_ok").mean().alias("subject_accuracy")
            ),
        ]
    )
    return (
        scores.join(acc, on="group", how="left", maintain_order="left")
        .cast({**_SCORE_SCHEMA, "subject_accuracy": pl.Float64})
        .rename({"group": "unit"})
    )


CHROME_REMOVED = "chrome_removed"
CONTENT_KEPT = "content_kept"


def cleaning_items(labels: dict[str, dict]) -> pl.DataFrame:
    """The labelled spans cleaning is judged on: doc, kind (CHROME_REMOVED or CONTENT_KEPT), text.

    Chrome is every `noise_metrics` / `noise_entities` item without `in_body` (boilerplate that cleaning
    must cut); content is every non-optional `entities` / `metrics` item (article text it must keep).
    Optional items (bylines, photo credits) and in-body noise are judged on neither.
    """
    rows = []
    for doc, label in labels.items():
        for key in ("noise_metrics", "noise_entities"):
            rows += [(doc, CHROME_REMOVED, i["text"]) for i in label.get(key, []) if not i.get("in_body")]
        for key in ("entities", "metrics"):
            rows += [(doc, CONTENT_KEPT, i["text"]) for i in label.get(key, []) if not i.get("optional")]
    return pl.DataFrame(rows, schema={"doc": pl.String, "kind": pl.String, "text": pl.String}, orient="row")


def score_cleaning(cleaned: pl.DataFrame, labels: dict[str, dict]) -> pl.DataFrame:
    """Share of labelled chrome removed and of labelled content kept, from cleaned[doc, text].

    A chrome item counts as removed when its text no longer occurs in its document's cleaned text; a
    content item counts as kept when its text still occurs there. A labelled document missing from
    `cleaned` (rejected by cleaning) has empty text: its chrome is removed and its content lost.
    Returns one row per kind (CHROME_REMOVED, CONTENT_KEPT): kind, items, hits, share (null when no items).
    """
    items = cleaning_items(labels)
    texts = cleaned.select(pl.col("doc").cast(pl.String), pl.col("text").cast(pl.String).alias("cleaned"))
    present = (
        items.join(texts.unique("doc"), on="doc", how="left")
        .with_columns(pl.col("cleaned").fill_null(""))
        .with_columns(pl.col("cleaned").str.contains(pl.col("text"), literal=True).alias("present"))
    )
    hit = pl.when(pl.col("kind") == CHROME_REMOVED).then(~pl.col("present")).otherwise(pl.col("present"))
    per = present.group_by("kind").agg(
        pl.len().cast(pl.Int64).alias("items"), hit.sum().cast(pl.Int64).alias("hits")
    )
    return (
        pl.DataFrame({"kind": [CHROME_REMOVED, CONTENT_KEPT]})
        .join(per, on="kind", how="left")
        .with_columns(pl.col("items").fill_null(0), pl.col("hits").fill_null(0))
        .with_columns(
            pl.when(pl.col("items") > 0)
            .then(pl.col("hits") / pl.col("items"))
            .alias("share")
            .cast(pl.Float64)
        )
    )
