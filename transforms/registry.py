"""The registry of discovered entities: what the warehouse has learnt across runs, as pure functions.

An entity discovered by pattern (a cue: "Zorblat Inc.", "CEO Jane Roe") is kept in `entities` with its
confidence, first sighting and document counts (`merge_entities`, at every load). A later run receives
the registry's entities that passed `recognisable` and finds their names without the cue, as mentions of
method `registry` (transforms.entities.extract_mentions).

Why a threshold: a false discovery recognised bare would spread to every document that uses the word, so
only entities seen with a cue in MIN_CUE_DOCS documents, or found once by a rule whose measured precision
is at least MIN_CONFIDENCE, are recognised. On the devset (../shared/devset) the registry changes nothing
at any threshold: a01-a20 and b01-b20 share no discovered name, and with all 81 entities discovered in
the 40 documents registered, entity P/R/F1 stayed 0.983 / 0.843 / 0.908 with the same outcome for every
labelled item. The threshold therefore rests on the rules' measured precision
(transforms.entities.RULE_CONFIDENCE), not on a devset gain.
"""

from __future__ import annotations

import polars as pl

from transforms import entities as entities_t

# A rule family measured at >= 0.9 precision (transforms.entities.RULE_CONFIDENCE: organisation, person
# and product rules 0.94-0.95) is trusted from one document; the model rules (0.6) and links (0.75)
# need a cue in a second document.
MIN_CONFIDENCE = 0.9
MIN_CUE_DOCS = 2
# A one-word name that is also an ordinary English word at least this frequent (wordfreq Zipf of the
# lowercased word: 3 = once per million words) is never recognised bare: "Benchmark" (a venture firm,
# found after "led by") or "Eclipse" would be read into every sentence that opens with the word. The
# same reasoning as the lexicons' COMMON_WORD_ZIPF (warehouse.reference), with a lower bar because a
# registry name has been seen only a few times.
ORDINARY_WORD_ZIPF = 3.0
# ... unless the word is about as frequent in other languages as in English (its English lead,
# warehouse.reference.english_lead, is below this): a brand keeps its name in every language's text
# ("Volkswagen" -0.05, "Tesla" 0.24, "Amazon" 0.47), an English word is translated ("Eclipse" 0.76,
# "Summit" 1.06, "Benchmark" 3.6). Brands whose other-language use is thin stay out (Walmart 2.4,
# Oracle 0.52); words every language borrows get in (video 0.22, hotel 0.11, festival -0.14): in 27,827
# English words of Zipf >= 3 (wordfreq's top 30,000), 2,723 lead by less, most of them given names,
# places and loanwords.
NAME_MAX_ENGLISH_LEAD = 0.5

_REGISTRY_COLUMNS = ("confidence", "doc_count", "cue_doc_count", "first_seen", "first_run_id")


def mention_stats(mentions: pl.LazyFrame) -> pl.DataFrame:
    """Per entity over `mentions` (entity_id, doc_id, method, confidence; all of the warehouse's rows):
    entity_id, confidence (highest, registry mentions left out: a bare reading is not new evidence),
    doc_count (distinct documents) and cue_doc_count (distinct documents with a `pattern` mention)."""
    evidence = pl.col("method") != entities_t.METHOD_REGISTRY
    return (
        mentions.group_by("entity_id")
        .agg(
            pl.col("confidence").filter(evidence).max().alias("confidence"),
            pl.col("doc_id").n_unique().cast(pl.Int64).alias("doc_count"),
            pl.col("doc_id")
            .filter(pl.col("method") == entities_t.METHOD_PATTERN)
            .n_unique()
            .cast(pl.Int64)
            .alias("cue_doc_count"),
        )
        .sort("entity_id")
        .collect()
    )


def add_mention_stats(before: pl.DataFrame, added: pl.DataFrame) -> pl.DataFrame:
    """`mention_stats` of the mentions `before` counted plus the mentions of `added`, when `added`
    holds only documents `before` did not count (a run's new documents): the highest confidence of
    either, document counts summed (an entity's documents in each are disjoint). Both frames: entity_id,
    confidence, doc_count, cue_doc_count; the result as mention_stats returns it."""
    cols = {
        "entity_id": pl.String,
        "confidence": pl.Float64,
        "doc_count": pl.Int64,
        "cue_doc_count": pl.Int64,
    }
    parts = [f.select(pl.col(c).cast(t) for c, t in cols.items()) for f in (before, added)]
    return (
        pl.concat(parts)
        .group_by("entity_id")
        .agg(pl.col("confidence").max(), pl.col("doc_count").sum(), pl.col("cue_doc_count").sum())
        .sort("entity_id")
    )


def merge_entities(old: pl.DataFrame | None, new: pl.DataFrame, stats: pl.DataFrame) -> pl.DataFrame:
    """The entities table after a load: `old` (the warehouse's rows, possibly without the registry
    columns) merged with `new` (this run's rows: the gazetteer's and the discovered ones, with
    first_seen/first_run_id of this run) and `stats` (mention_stats of the warehouse after the load).

    Name, type, method and version: the newest definition wins (a promoted entity becomes `gazetteer`).
    first_seen/first_run_id: the earliest recorded. confidence and counts: `stats`, 0 documents when
    none. A discovered entity no document mentions any more (its documents were reprocessed after a
    reject, or edited) leaves the table; gazetteer entities stay."""
    frames = [x for x in (old, new) if x is not None and x.height]
    if not frames:
        return new.head(0)
    merged = pl.concat(frames, how="diagonal_relaxed")
    for c, dtype in (("first_seen", pl.Datetime("us", "UTC")), ("first_run_id", pl.String)):
        if c not in merged.columns:
            merged = merged.with_columns(pl.lit(None, dtype).alias(c))
    first = merged.group_by("entity_id").agg(
        pl.col("first_seen").min(),
        pl.col("first_run_id").sort_by("first_seen", nulls_last=True).first(),
    )
    latest = merged.unique("entity_id", keep="last", maintain_order=True).drop(
        [c for c in _REGISTRY_COLUMNS if c in merged.columns]
    )
    out = (
        latest.join(first, on="entity_id", how="left")
        .join(stats, on="entity_id", how="left")
        .with_columns(pl.col("doc_count", "cue_doc_count").fill_null(0))
    )
    gone = (pl.col("method") == entities_t.METHOD_PATTERN) & (pl.col("doc_count") == 0)
    return out.filter(~gone).sort("entity_id")


def recognisable(
    entities: pl.DataFrame,
    min_cue_docs: int = MIN_CUE_DOCS,
    min_confidence: float = MIN_CONFIDENCE,
    ordinary_words: list[str] | None = None,
) -> pl.DataFrame:
    """The registry entries a run recognises without a cue: discovered (`pattern`) entities seen with a
    cue in at least `min_cue_docs` documents or with confidence >= `min_confidence`, less one-word names
    in `ordinary_words` (lowercase; warehouse.reference.ordinary_words at ORDINARY_WORD_ZIPF and
    NAME_MAX_ENGLISH_LEAD).

    `entities`: the warehouse's entities table (rows without the registry columns never qualify).
    Returns entity_id, name, type (sorted by entity_id: the same registry gives the same frame)."""
    if "cue_doc_count" not in entities.columns:
        return pl.DataFrame(schema={"entity_id": pl.String, "name": pl.String, "type": pl.String})
    trusted = (pl.col("cue_doc_count") >= min_cue_docs) | (pl.col("confidence") >= min_confidence)
    ordinary = ~pl.col("name").str.contains(r"\s") & pl.col("name").str.to_lowercase().is_in(
        pl.Series(ordinary_words or [], dtype=pl.String).implode()
    )
    return (
        entities.filter(
            (pl.col("method") == entities_t.METHOD_PATTERN) & trusted.fill_null(False) & ~ordinary
        )
        .select("entity_id", "name", "type")
        .sort("entity_id")
    )
