"""Scoring extracted entities and metrics against hand labels (seeds/labels/README.md): pure functions."""

from __future__ import annotations

import polars as pl

ALL = "ALL"
# Outcomes of a predicted or labelled item (see `entity_outcomes`, `metric_outcomes`).
TP, FP, FN, NOISE, DUPLICATE, OPTIONAL = "tp", "fp", "fn", "noise", "duplicate", "optional"
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
    """outcomes[group, outcome] (one row per prediction or missed label) -> per-group rows plus ALL,
    with tp, fp, fn, precision, recall, f1. `noise` outcomes count as false positives, `duplicate` and
    `optional` ones as nothing."""
    counts = outcomes.select(
        "group",
        (pl.col("outcome") == TP).cast(pl.Int64).alias("tp"),
        pl.col("outcome").is_in([FP, NOISE]).cast(pl.Int64).alias("fp"),
        (pl.col("outcome") == FN).cast(pl.Int64).alias("fn"),
    )
    per = (
        counts.group_by("group")
        .agg(pl.col("tp").sum(), pl.col("fp").sum(), pl.col("fn").sum())
        .filter((pl.col("tp") + pl.col("fp") + pl.col("fn")) > 0)  # groups seen only as optional items
    )
    total = counts.select(
        pl.lit(ALL).alias("group"), pl.col("tp").sum(), pl.col("fp").sum(), pl.col("fn").sum()
    )
    out = pl.concat([per.sort("group"), total]).cast({"tp": pl.Int64, "fp": pl.Int64, "fn": pl.Int64})
    return _prf(out)


def entity_outcomes(pred: pl.DataFrame, labels: dict[str, dict]) -> pl.DataFrame:
    """One row per predicted (doc, entity) and per missed label entity: doc, group (type), outcome, name.

    A predicted (doc, entity) hits a label entity when its canonical name equals the label's canonical
    (case-insensitive) or one of its surfaces equals the label's text/aliases. Outcomes (the labels' rules,
    seeds/labels/README.md): `tp` the first prediction of a label; `duplicate` a further prediction of an
    already-hit label (the same fact twice: neither hit nor false positive); `optional` a prediction of an
    optional label (neutral); `noise` a prediction of an `in_body` noise entity (a false positive);
    `fp` a prediction matching no label; `fn` a non-optional label no prediction hit.
    Predictions for documents without labels are ignored.
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
    info = lab.select("doc", "label_idx", "canonical", "label_type", "optional", "noise").unique(
        ["doc", "label_idx"]
    )
    pairs = (
        pl.concat([by_name, by_surface])
        .unique()
        .join(info, on=["doc", "label_idx"])
        # A prediction matching several labels is assigned to one: real entities before in-body noise.
        .sort("pred_idx", "noise", "label_idx")
        .unique("pred_idx", keep="first", maintain_order=True)
        .with_columns(pl.col("pred_idx").rank("ordinal").over("doc", "label_idx").alias("nth"))
    )
    matched = p.join(pairs.drop("doc"), on="pred_idx", how="left")
    labelled = pl.col("label_idx").is_not_null()
    pred_out = matched.select(
        "doc",
        pl.when(labelled & ~pl.col("noise"))
        .then(pl.col("label_type"))
        .otherwise(pl.col("type"))
        .alias("group"),
        pl.when(~labelled)
        .then(pl.lit(FP))
        .when(pl.col("noise"))
        .then(pl.lit(NOISE))
        .when(pl.col("optional"))
        .then(pl.lit(OPTIONAL))
        .when(pl.col("nth") > 1)
        .then(pl.lit(DUPLICATE))
        .otherwise(pl.lit(TP))
        .alias("outcome"),
        pl.col("entity_name").alias("name"),
    )
    hit = pairs.select("doc", "label_idx").unique()
    missed = (
        info.filter(~pl.col("optional") & ~pl.col("noise"))
        .join(hit, on=["doc", "label_idx"], how="anti")
        .sort("doc", "label_idx")
        .select(
            "doc",
            pl.col("label_type").alias("group"),
            pl.lit(FN).alias("outcome"),
            pl.col("canonical").alias("name"),
        )
    )
    return pl.concat([pred_out, missed]).sort("doc", "outcome", "name")


def score_entities(pred: pl.DataFrame, labels: dict[str, dict]) -> pl.DataFrame:
    """Entity P/R/F1 per type and ALL from pred[doc, entity_name, type, surface] (one row per mention),
    by the rules of `entity_outcomes`. Returns type (or ALL), tp, fp, fn, precision, recall, f1."""
    return _tally(entity_outcomes(pred, labels)).cast(_SCORE_SCHEMA).rename({"group": "type"})


def _label_metrics(labels: dict[str, dict]) -> pl.DataFrame:
    rows = []
    for doc, label in labels.items():
        items = [(m, False) for m in label.get("metrics", [])]
        items += [(m, True) for m in label.get("noise_metrics", [])]
        for idx, (m, noise) in enumerate(items):
            high = m.get("value_high")
            rows.append(
                {
                    "doc": doc,
                    "label_idx": idx,
                    "l_text": str(m.get("text", "")),
                    "l_value": float(m["value"]),
                    "l_value_high": None if high is None else float(high),
                    "l_unit": str(m["unit"]),
                    "l_subject": m.get("subject"),
                    "optional": bool(m.get("optional", False)),
                    "noise": noise,
                    "in_body": noise and bool(m.get("in_body", False)),
                }
            )
    schema = {
        "doc": pl.String,
        "label_idx": pl.Int64,
        "l_text": pl.String,
        "l_value": pl.Float64,
        "l_value_high": pl.Float64,
        "l_unit": pl.String,
        "l_subject": pl.String,
        "optional": pl.Boolean,
        "noise": pl.Boolean,
        "in_body": pl.Boolean,
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


def _relative_error(pred: pl.Expr, label: pl.Expr) -> pl.Expr:
    # (a label of 0, "raised $0": only 0 is within any share of it; 0 / 0 would be NaN, never a hit)
    return (
        pl.when(label == 0)
        .then(pl.when(pred == 0).then(0.0).otherwise(float("inf")))
        .otherwise((pred - label).abs() / label.abs())
    )


def _same_subject() -> pl.Expr:
    """A prediction's `subject_name` and a label's `l_subject` agree: equal ignoring case, the name of
    a form of the labelled subject in its document (`_l_forms`, as `entity_outcomes` matches names), or
    both null."""
    named = pl.col("subject_name").str.to_lowercase()
    return (
        (named == pl.col("l_subject").str.to_lowercase())
        | pl.col("_l_forms").list.contains(named).fill_null(False)
    ).fill_null(pl.col("subject_name").is_null() & pl.col("l_subject").is_null())


def _subject_forms(labels: dict[str, dict]) -> pl.DataFrame:
    """doc, l_subject, _l_forms: every form (text, canonical, aliases; lowercased) of each labelled
    entity of a document, by its canonical name: the names a subject may go by there ("Arm Holdings" for
    the label's Arm, whose text it is)."""
    return (
        _label_entities(labels)
        .group_by("doc", pl.col("canonical").alias("l_subject"))
        .agg(pl.col("form").str.to_lowercase().unique().alias("_l_forms"))
    )


def _one_to_one(pairs: pl.DataFrame) -> pl.DataFrame:
    """`pairs` (pred_idx, label_idx, noise, err, ...: every prediction–label pair within tolerance of one
    doc) -> one row per prediction, with `nth` = 1 for the prediction a label is matched to, 2 for a
    further prediction of an already-matched label (a duplicate).

    Greedy by closeness (real labels before noise ones, then smaller error, then a label of the same
    subject before another — two equal values are the same fact when their owners agree —, then
    order): a pair is
    taken when neither side is, so two equal figures in a text and two equal labels pair up one to one
    whatever the row order (each prediction simply taking its closest label let two predictions of
    "1 million" share one label and leave the other missed, depending on the order of ties). A
    prediction whose every label is taken is a duplicate of its closest one. (A loop over the pairs:
    scoring a labelled set, a few hundred pairs, not a pipeline stage.)"""
    ranked = pairs.sort("noise", "err", "other_subject", "pred_idx", "label_idx")
    taken_pred: set[int] = set()
    taken_label: set[tuple[str, int]] = set()
    chosen: list[int] = []
    keys = ranked.select("pred_idx", "doc", "label_idx").rows()
    for i, (pred, doc, label) in enumerate(keys):
        if pred not in taken_pred and (doc, label) not in taken_label:
            taken_pred.add(pred)
            taken_label.add((doc, label))
            chosen.append(i)
    ranked = ranked.with_row_index("_row")
    first = ranked.filter(pl.col("_row").is_in(chosen)).with_columns(pl.lit(1, pl.UInt32).alias("nth"))
    rest = (
        ranked.filter(~pl.col("pred_idx").is_in(first.get_column("pred_idx").implode()))
        .unique("pred_idx", keep="first", maintain_order=True)
        .with_columns(pl.lit(2, pl.UInt32).alias("nth"))
    )
    return pl.concat([first, rest]).drop("_row").sort("pred_idx")


def metric_outcomes(pred: pl.DataFrame, labels: dict[str, dict]) -> pl.DataFrame:
    """One row per predicted figure and per missed label figure: doc, group (unit), outcome, name (the
    figure's text), subject_ok (for `tp` rows: the subject is right).

    A prediction hits a label figure of the same doc when the unit is equal and the prediction's `value`
    or `value_high` is within 1% (METRIC_TOLERANCE, relative) of the label's `value` or `value_high`; each
    prediction takes its closest label. Outcomes as in `entity_outcomes`: a further prediction of an
    already-hit label is a `duplicate` (the same fact twice, neither hit nor false positive); a prediction
    of an `in_body` noise figure is `noise`; of a boilerplate noise figure (one cleaning should have
    removed) or of no label, `fp`. Subjects agree when equal case-insensitively, or both null.
    """
    lab = _label_metrics(labels)
    p = (
        pred.select(pl.col(c).cast(t) for c, t in METRIC_PREDICTION_COLUMNS.items())
        .filter(pl.col("doc").is_in(list(labels)))
        .with_row_index("pred_idx")
    )
    err = pl.min_horizontal(
        _relative_error(pl.col(a), pl.col(b))
        for a in ("value", "value_high")
        for b in ("l_value", "l_value_high")
    )
    forms = _subject_forms(labels)
    cand = (
        p.select("pred_idx", "doc", "value", "value_high", "unit", "subject_name")
        .join(lab, left_on=["doc", "unit"], right_on=["doc", "l_unit"])
        .join(forms, on=["doc", "l_subject"], how="left")
        .with_columns(err.alias("err"), (~_same_subject()).alias("other_subject"))
        .filter(pl.col("err") <= METRIC_TOLERANCE)
    )
    cand = _one_to_one(cand)
    matched = p.join(
        cand.select("pred_idx", "label_idx", "l_subject", "_l_forms", "optional", "noise", "in_body", "nth"),
        on="pred_idx",
        how="left",
    )
    labelled = pl.col("label_idx").is_not_null()
    outcome = (
        pl.when(~labelled)
        .then(pl.lit(FP))
        .when(pl.col("in_body"))
        .then(pl.lit(NOISE))
        .when(pl.col("noise"))
        .then(pl.lit(FP))
        .when(pl.col("optional"))
        .then(pl.lit(OPTIONAL))
        .when(pl.col("nth") > 1)
        .then(pl.lit(DUPLICATE))
        .otherwise(pl.lit(TP))
    )
    subject_ok = _same_subject()
    pred_out = matched.with_columns(outcome.alias("outcome")).select(
        "doc",
        pl.col("unit").alias("group"),
        "outcome",
        pl.col("surface").alias("name"),
        pl.when(pl.col("outcome") == TP).then(subject_ok).alias("subject_ok"),
    )
    hit = cand.select("doc", "label_idx").unique()
    missed = (
        lab.filter(~pl.col("optional") & ~pl.col("noise"))
        .join(hit, on=["doc", "label_idx"], how="anti")
        .sort("doc", "label_idx")
        .select(
            "doc",
            pl.col("l_unit").alias("group"),
            pl.lit(FN).alias("outcome"),
            pl.col("l_text").alias("name"),
            pl.lit(None, dtype=pl.Boolean).alias("subject_ok"),
        )
    )
    return pl.concat([pred_out, missed]).sort("doc", "outcome", "name")


def score_metrics(pred: pl.DataFrame, labels: dict[str, dict]) -> pl.DataFrame:
    """Metric P/R/F1 and subject accuracy per unit and ALL from pred[doc, value, value_high, unit,
    subject_name, surface], by the rules of `metric_outcomes`; subject_accuracy is over hits.
    Returns unit (or ALL), tp, fp, fn, precision, recall, f1, subject_accuracy."""
    outcomes = metric_outcomes(pred, labels)
    scores = _tally(outcomes)
    ok = pl.col("subject_ok").cast(pl.Int64).mean().alias("subject_accuracy")
    acc = pl.concat([outcomes.group_by("group").agg(ok), outcomes.select(pl.lit(ALL).alias("group"), ok)])
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
