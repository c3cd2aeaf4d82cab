"""Analyst views over the tables, created in every catalog commit.

SQL reads as named steps; a view is recreated on each commit, so it always sees the committed files.
"""

from __future__ import annotations

from warehouse.schemas import RATE_KINDS

# Two figures disagree when they are further apart than this share of the larger one.
CONFLICT_TOLERANCE = 0.05

# Most business figures belong to a period (a quarter's revenue, this year's capex, a funding round)
# that the extractor does not record, so two documents' figures are only the same fact when they come
# from one news cycle: both dated and at most this many days apart.
CONFLICT_WINDOW_DAYS = 31

# Kinds that are a fixed property of their subject (a released model's parameter count or context
# window): documents disagreeing about them conflict whenever they were published.
TIMELESS_KINDS = ("parameter_count", "context_length")

# Kinds whose value is one figure per (subject, period): a quarter's revenue, a year's margin, a month's
# inflation, and their change against an earlier period ('revenue rose 10%'). Only these are compared
# across documents. Left out: a share price, market value or stock move belongs to a day, not a
# period the window can stand for; deals, funding rounds, buybacks and job cuts are events (two in one
# month are two facts); `change` and `point_change` do not say what changed; counts and scores of a
# model depend on a setting the figure does not record (a benchmark, a throughput's hardware).
PERIOD_LEVEL_KINDS = ("revenue", "profit", "loss", "backlog", "eps", "dividend", "headcount", "user_count")
PERIOD_KINDS = (
    *PERIOD_LEVEL_KINDS,
    *RATE_KINDS,
    *(f"{k}_change" for k in (*PERIOD_LEVEL_KINDS, *RATE_KINDS) if k != "headcount"),
)

# A hedged figure is a bound, not a point: "over 10" agrees with 12, "up to 10" with 8.
LOWER_BOUND_QUALIFIERS = ("over", "more_than", "at_least")
UPPER_BOUND_QUALIFIERS = ("under", "up_to", "nearly")


def _sql_list(values: tuple[str, ...]) -> str:
    return ", ".join(f"'{v}'" for v in values)


FACTS = """
SELECT
    m.metric_id,
    e.name AS subject,
    e.type AS subject_type,
    m.kind,
    m.value,
    m.value_high,
    m.unit,
    m.qualifier,
    m.direction,
    m.outlook,
    m.segment,
    m.surface,
    d.title,
    d.published_at,
    d.source,
    m.doc_id,
    -- the sentence holding the figure is the evidence an analyst reads
    substring(d.text, m.sentence_start + 1, m.sentence_end - m.sentence_start) AS evidence
FROM metrics AS m
JOIN documents AS d USING (doc_id)
LEFT JOIN entities AS e ON e.entity_id = m.subject_entity_id
-- a near-duplicate (the same story again, MinHash) repeats its canonical document's figures: counted
-- once, from the canonical document; its own rows stay in `metrics`
WHERE d.duplicate_of IS NULL
"""

FACT_CONFLICTS = f"""
WITH attributed AS (
    SELECT
        *,
        -- each figure as the interval it claims: a range, or a bound when the text hedges it
        CASE WHEN qualifier IN ({_sql_list(UPPER_BOUND_QUALIFIERS)}) THEN 0 ELSE value END AS low,
        CASE WHEN qualifier IN ({_sql_list(LOWER_BOUND_QUALIFIERS)}) THEN 'inf'::DOUBLE
             ELSE coalesce(value_high, value) END AS high
    FROM facts
    WHERE subject IS NOT NULL AND kind IN ({_sql_list((*TIMELESS_KINDS, *PERIOD_KINDS))})
)
SELECT
    a.subject,
    a.subject_type,
    a.kind,
    a.unit,
    a.value AS value_a,
    b.value AS value_b,
    round(abs(a.value - b.value) / greatest(a.value, b.value), 4) AS relative_difference,
    a.direction AS direction_a,
    b.direction AS direction_b,
    a.outlook,
    a.segment,
    a.surface AS surface_a,
    b.surface AS surface_b,
    a.source AS source_a,
    b.source AS source_b,
    a.evidence AS evidence_a,
    b.evidence AS evidence_b
FROM attributed AS a
JOIN attributed AS b
    ON a.subject = b.subject AND a.kind = b.kind AND a.unit = b.unit
    -- across documents only, each pair once
    AND a.doc_id < b.doc_id
    -- one fact: a segment's figure is a part of its subject's total, guidance or analysts' consensus
    -- is no report of the figure (`metrics.segment`, `metrics.outlook`; null = null: the whole, reported)
    AND a.outlook IS NOT DISTINCT FROM b.outlook AND a.segment IS NOT DISTINCT FROM b.segment
WHERE
    (
        -- the intervals are further apart than the tolerance, as a share of the larger figure
        a.high < b.low * (1 - {CONFLICT_TOLERANCE}) OR b.high < a.low * (1 - {CONFLICT_TOLERANCE})
        -- or one says the figure rose and the other that it fell ("shares rose 7.5%" against "fell
        -- 7.5%"); a figure whose text states no direction is compared by magnitude alone
        OR a.direction <> b.direction
    )
    AND (
        a.kind IN ({_sql_list(TIMELESS_KINDS)})
        OR abs(date_diff('day', a.published_at, b.published_at)) <= {CONFLICT_WINDOW_DAYS}
    )
"""

VIEWS: dict[str, str] = {"facts": FACTS, "fact_conflicts": FACT_CONFLICTS}
