"""Analyst views over the tables, created in every catalog commit.

SQL reads as named steps; a view is recreated on each commit, so it always sees the committed files.
"""

from __future__ import annotations

# Two figures disagree when they differ by more than this share of the larger one.
CONFLICT_TOLERANCE = 0.05

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
"""

FACT_CONFLICTS = f"""
WITH attributed AS (
    SELECT * FROM facts WHERE subject IS NOT NULL AND kind IS NOT NULL
)
SELECT
    a.subject,
    a.subject_type,
    a.kind,
    a.unit,
    a.value AS value_a,
    b.value AS value_b,
    round(abs(a.value - b.value) / greatest(a.value, b.value), 4) AS relative_difference,
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
WHERE abs(a.value - b.value) > {CONFLICT_TOLERANCE} * greatest(a.value, b.value)
"""

VIEWS: dict[str, str] = {"facts": FACTS, "fact_conflicts": FACT_CONFLICTS}
