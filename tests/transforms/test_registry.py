"""The registry's pure parts: counting mentions, merging across loads, choosing what is recognised bare,
and recognition inside extract_mentions (on a small gazetteer; no lexicons)."""

from __future__ import annotations

import datetime as dt

import polars as pl

from transforms import registry as registry_t
from transforms.entities import extract_mentions, gazetteer_frame

UTC = dt.UTC
T1, T2 = dt.datetime(2026, 1, 1, 2, tzinfo=UTC), dt.datetime(2026, 1, 2, 2, tzinfo=UTC)


def _mentions(rows: list[tuple]) -> pl.LazyFrame:
    return pl.DataFrame(rows, schema=["entity_id", "doc_id", "method", "confidence"], orient="row").lazy()


def test_mention_stats_count_documents_once_and_leave_registry_readings_out_of_the_evidence():
    stats = registry_t.mention_stats(
        _mentions(
            [
                ("org:a", "d1", "pattern", 0.95),
                ("org:a", "d1", "pattern", 0.75),  # a second mention in the same document
                ("org:a", "d2", "registry", 0.99),  # not evidence: neither confidence nor a cue
                ("person:b", "d3", "registry", 0.9),
            ]
        )
    )
    assert stats.rows() == [("org:a", 0.95, 2, 1), ("person:b", None, 1, 0)]


def _entity(eid: str, method: str, **kw) -> dict:
    return {"entity_id": eid, "name": eid.split(":")[1].title(), "type": "ORG", "method": method, **kw}


def test_merge_keeps_the_first_sighting_takes_counts_from_the_mentions_and_drops_unmentioned_discoveries():
    old = pl.DataFrame(
        [
            _entity("org:a", "pattern", first_seen=T1, first_run_id="r1", doc_count=5, cue_doc_count=5),
            _entity("org:gone", "pattern", first_seen=T1, first_run_id="r1", doc_count=1, cue_doc_count=1),
            _entity("org:kept", "gazetteer", first_seen=T1, first_run_id="r1", doc_count=0, cue_doc_count=0),
        ]
    )
    new = pl.DataFrame(
        [
            _entity("org:a", "gazetteer", first_seen=T2, first_run_id="r2"),  # promoted since run 1
            _entity("org:b", "pattern", first_seen=T2, first_run_id="r2"),
        ]
    )
    stats = registry_t.mention_stats(
        _mentions([("org:a", "d1", "gazetteer", 0.98), ("org:b", "d2", "pattern", 0.6)])
    )
    merged = registry_t.merge_entities(old, new, stats)
    assert merged.select(
        "entity_id", "method", "confidence", "doc_count", "cue_doc_count", "first_seen", "first_run_id"
    ).rows() == [
        ("org:a", "gazetteer", 0.98, 1, 0, T1, "r1"),  # counts recomputed, not summed with the old 5
        ("org:b", "pattern", 0.6, 1, 1, T2, "r2"),
        ("org:kept", "gazetteer", None, 0, 0, T1, "r1"),  # a gazetteer entity stays unmentioned
    ]


def test_merge_reads_an_entities_table_written_before_the_registry_columns():
    old = pl.DataFrame([_entity("org:a", "pattern", gazetteer_version="v1")])  # the old five columns
    new = pl.DataFrame(
        [_entity("org:b", "pattern", gazetteer_version="v2", first_seen=T2, first_run_id="r2")]
    )
    stats = registry_t.mention_stats(
        _mentions([("org:a", "d1", "pattern", 0.95), ("org:b", "d2", "pattern", 0.95)])
    )
    merged = registry_t.merge_entities(old, new, stats)
    assert merged.select(
        "entity_id", "gazetteer_version", "doc_count", "first_seen", "first_run_id"
    ).rows() == [
        ("org:a", "v1", 1, None, None),  # first sighting unknown: it predates the registry
        ("org:b", "v2", 1, T2, "r2"),
    ]


def test_recognisable_needs_a_trusted_rule_or_a_second_cued_document():
    entities = pl.DataFrame(
        [
            _entity("org:trusted", "pattern", confidence=0.95, cue_doc_count=1),
            _entity("model:once", "pattern", confidence=0.6, cue_doc_count=1),  # one model-rule sighting
            _entity("model:twice", "pattern", confidence=0.6, cue_doc_count=2),
            _entity("org:bare", "pattern", confidence=None, cue_doc_count=0),  # only ever recognised bare
            _entity("org:known", "gazetteer", confidence=0.98, cue_doc_count=0),
        ]
    )
    assert registry_t.recognisable(entities).get_column("entity_id").to_list() == [
        "model:twice",
        "org:trusted",
    ]
    # a one-word name that is an ordinary word is never read bare; a longer name holding it still is
    assert registry_t.recognisable(
        pl.concat(
            [entities, pl.DataFrame([_entity("org:trusted-labs", "pattern", confidence=0.95)])],
            how="diagonal",
        ),
        ordinary_words=["trusted"],
    ).get_column("entity_id").to_list() == ["model:twice", "org:trusted-labs"]
    # a warehouse without the registry columns recognises nothing
    assert registry_t.recognisable(entities.select("entity_id", "name", "type", "method")).height == 0


GAZ = gazetteer_frame([{"name": "Northwind", "type": "ORG"}], "v1")
REGISTRY = pl.DataFrame(
    {"entity_id": ["org:zorblat", "org:northwind"], "name": ["Zorblat", "Northwind"], "type": ["ORG", "ORG"]}
)


def test_registry_names_are_found_bare_and_a_cue_or_the_gazetteer_keeps_its_reading():
    docs = pl.DataFrame(
        {
            "doc_id": ["d1", "d2"],
            "text": ["Buyers said Zorblat and Northwind cut prices.", "Zorblat Inc. opened a shop."],
        }
    )
    mentions, discovered = extract_mentions(docs, GAZ, "v1", registry=REGISTRY)
    assert mentions.select(
        "doc_id", "entity_id", "surface", "start", "end", "method", "confidence"
    ).rows() == [
        ("d1", "org:zorblat", "Zorblat", 12, 19, "registry", 0.9),
        ("d1", "org:northwind", "Northwind", 24, 33, "gazetteer", 0.98),  # the gazetteer's own entity
        ("d2", "org:zorblat", "Zorblat Inc.", 0, 12, "pattern", 0.95),  # the cue wins the same name
    ]
    assert discovered.select("entity_id", "method").rows() == [("org:zorblat", "pattern")]


def test_a_rejected_entity_is_neither_discovered_nor_recognised():
    docs = pl.DataFrame({"doc_id": ["d1"], "text": ["Zorblat Inc. said Zorblat would grow."]})
    mentions, discovered = extract_mentions(docs, GAZ, "v1", registry=REGISTRY, rejected=["org:zorblat"])
    assert (mentions.height, discovered.height) == (0, 0)


def test_added_mention_stats_take_the_higher_confidence_and_sum_the_documents() -> None:
    from transforms.registry import add_mention_stats

    cols = ["entity_id", "confidence", "doc_count", "cue_doc_count"]
    before = pl.DataFrame([("org:a", None, 2, 0), ("org:b", 0.8, 3, 1)], schema=cols, orient="row")
    added = pl.DataFrame([("org:a", 0.5, 1, 1), ("org:c", 0.9, 1, 1)], schema=cols, orient="row")
    assert add_mention_stats(before, added).rows() == [
        ("org:a", 0.5, 3, 1),
        ("org:b", 0.8, 3, 1),
        ("org:c", 0.9, 1, 1),
    ]
