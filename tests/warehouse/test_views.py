from __future__ import annotations

from datetime import UTC

import duckdb
import polars as pl
import pytest

from warehouse.catalog import FileEntry, Warehouse, commit
from warehouse.files import write_table
from warehouse.schemas import DOCUMENTS, ENTITIES, METRICS

T1 = "MiMo has 7 billion parameters."
T2 = "MiMo, a 6.4 billion parameter model, and MiMo again with 7.2 billion parameters."


def _write(wh: Warehouse, table, rows: dict) -> FileEntry:
    df = pl.DataFrame(rows)
    path = write_table(df, table, wh.table_dir(table.name) / "r.parquet")
    return FileEntry(table.name, str(path), "r", df.height)


def _metric(doc: str, start: int, surface: str, value: float, sentence_end: int) -> dict:
    return {
        "metric_id": f"{doc}:{start}",
        "doc_id": doc,
        "value": value,
        "unit": "parameters",
        "kind": "parameter_count",
        "surface": surface,
        "start": start,
        "end": start + len(surface),
        "sentence_start": 0,
        "sentence_end": sentence_end,
        "subject_entity_id": "model:mimo-7b",
        "extractor_version": "m",
        "run_id": "r",
    }


def test_facts_and_conflicts(tmp_path):
    wh = Warehouse.at(tmp_path / "w.duckdb")
    docs = {
        "doc_id": ["d1", "d2"],
        "source": ["a.txt", "b.txt"],
        "title": ["A", "B"],
        "text": [T1, T2],
        "raw_chars": [len(T1), len(T2)],
        "clean_chars": [len(T1), len(T2)],
        "language": ["en", "en"],
        "clean_version": ["c"] * 2,
        "gazetteer_version": ["g"] * 2,
        "extractor_version": ["m"] * 2,
        "run_id": ["r"] * 2,
    }
    ents = {
        "entity_id": ["model:mimo-7b"],
        "name": ["MiMo-7B"],
        "type": ["MODEL"],
        "method": ["gazetteer"],
        "gazetteer_version": ["g"],
    }
    rows = [
        _metric("d1", 9, "7 billion parameters", 7e9, len(T1)),
        _metric("d2", 8, "6.4 billion parameter", 6.4e9, len(T2)),
        _metric("d2", 57, "7.2 billion parameters", 7.2e9, len(T2)),
    ]
    mets = {k: [r[k] for r in rows] for k in rows[0]}
    commit(wh, [_write(wh, DOCUMENTS, docs), _write(wh, ENTITIES, ents), _write(wh, METRICS, mets)])
    con = duckdb.connect(str(wh.catalog), read_only=True)
    facts = con.execute(
        "SELECT subject, subject_type, kind, value, unit, title, evidence FROM facts ORDER BY value"
    ).fetchall()
    assert facts[0] == ("MiMo-7B", "MODEL", "parameter_count", 6.4e9, "parameters", "B", T2)
    assert facts[1][-1] == T1 and facts[2][3] == 7.2e9
    # 7.0 vs 6.4 (8.6% apart) conflicts; 7.0 vs 7.2 (2.8%) does not; both figures of d2 are one document
    conflicts = con.execute(
        "SELECT subject, value_a, value_b, relative_difference, source_a, source_b FROM fact_conflicts"
    ).fetchall()
    assert conflicts == [("MiMo-7B", 7e9, 6.4e9, 0.0857, "a.txt", "b.txt")]


def _revenue_warehouse(
    tmp_path,
    figures: list[tuple[str, float, float | None, str | None]],
    dates: list,
    directions: list[str | None] | None = None,
    kind: str = "revenue",
    unit: str = "USD",
    duplicate_of: list[str | None] | None = None,
    outlooks: list[str | None] | None = None,
    segments: list[str | None] | None = None,
):
    """One document per figure: (surface, value, value_high, qualifier) of Acme's revenue (or `kind` in
    `unit`), with its `directions`, `outlooks`, `segments` and `duplicate_of` (all null by default)."""
    wh = Warehouse.at(tmp_path / "w.duckdb")
    text = "Acme reported revenue."
    ids = [f"d{i}" for i in range(len(figures))]
    docs = {
        "doc_id": ids,
        "source": [f"{i}.txt" for i in ids],
        "title": ids,
        "text": [text] * len(ids),
        "published_at": dates,
        "raw_chars": [len(text)] * len(ids),
        "clean_chars": [len(text)] * len(ids),
        "language": ["en"] * len(ids),
        "clean_version": ["c"] * len(ids),
        "gazetteer_version": ["g"] * len(ids),
        "extractor_version": ["m"] * len(ids),
        "run_id": ["r"] * len(ids),
        "duplicate_of": duplicate_of or [None] * len(ids),
    }
    ents = {
        "entity_id": ["org:acme"],
        "name": ["Acme"],
        "type": ["ORG"],
        "method": ["gazetteer"],
        "gazetteer_version": ["g"],
    }
    rows = []
    nothing = [None] * len(ids)
    for doc, (surface, value, high, qualifier), direction, outlook, segment in zip(
        ids, figures, directions or nothing, outlooks or nothing, segments or nothing, strict=True
    ):
        row = _metric(doc, 0, surface, value, len(text))
        row.update(
            unit=unit,
            kind=kind,
            subject_entity_id="org:acme",
            value_high=high,
            qualifier=qualifier,
            direction=direction,
            outlook=outlook,
            segment=segment,
        )
        rows.append(row)
    mets = {k: [r[k] for r in rows] for k in rows[0]}
    commit(wh, [_write(wh, DOCUMENTS, docs), _write(wh, ENTITIES, ents), _write(wh, METRICS, mets)])
    con = duckdb.connect(str(wh.catalog), read_only=True)
    return con.execute("SELECT source_a, source_b FROM fact_conflicts ORDER BY 1, 2").fetchall()


def test_period_figures_conflict_only_within_one_news_cycle(tmp_path):
    from datetime import datetime

    day = lambda d: datetime(2026, 3, d, tzinfo=UTC)  # noqa: E731
    figures = [
        ("$10B", 10e9, None, None),
        ("$8B", 8e9, None, None),
        ("$6B", 6e9, None, None),
        ("$4B", 4e9, None, None),
    ]
    # d0/d1 a week apart conflict; d2 is dated 30 days after d1 and 37 after d0; d3 is undated,
    # so its revenue (of which period?) is never compared
    got = _revenue_warehouse(tmp_path, figures, [day(1), day(8), datetime(2026, 4, 7, tzinfo=UTC), None])
    assert got == [("d0.txt", "d1.txt"), ("d1.txt", "d2.txt")]


def test_ranges_and_hedged_figures_are_intervals(tmp_path):
    from datetime import datetime

    day = datetime(2026, 3, 1, tzinfo=UTC)
    figures = [
        ("$8B to $10B", 8e9, 10e9, None),  # d0: a range
        ("$9.9B", 9.9e9, None, None),  # d1: inside d0's range
        ("over $9B", 9e9, None, "over"),  # d2: a lower bound, agrees with d0, d1 and d4
        ("up to $5B", 5e9, None, "up_to"),  # d3: an upper bound, below every other figure
        ("$12B", 12e9, None, None),  # d4: above d0's range and d1 by more than 5%
    ]
    got = _revenue_warehouse(tmp_path, figures, [day] * len(figures))
    assert got == [
        ("d0.txt", "d3.txt"),
        ("d0.txt", "d4.txt"),
        ("d1.txt", "d3.txt"),
        ("d1.txt", "d4.txt"),
        ("d2.txt", "d3.txt"),
        ("d3.txt", "d4.txt"),
    ]


def test_a_rise_and_a_fall_of_one_magnitude_conflict(tmp_path):
    from datetime import datetime

    day = datetime(2026, 3, 1, tzinfo=UTC)
    figures = [("7.5%", 7.5, None, None)] * 5
    # d0 rose, d1 fell, d2 rose, d3 fell, d4 does not say: every rise against every fall conflicts, a
    # figure with no direction is compared by magnitude alone (7.5 agrees with 7.5)
    got = _revenue_warehouse(
        tmp_path,
        figures,
        [day] * 5,
        ["up", "down", "up", "down", None],
        kind="revenue_change",
        unit="percent",
    )
    assert got == [("d0.txt", "d1.txt"), ("d0.txt", "d3.txt"), ("d1.txt", "d2.txt"), ("d2.txt", "d3.txt")]
    con = duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True)
    assert con.execute(
        "SELECT value_a, value_b, relative_difference, direction_a, direction_b FROM fact_conflicts "
        "WHERE source_a = 'd0.txt' AND source_b = 'd1.txt'"
    ).fetchall() == [(7.5, 7.5, 0.0, "up", "down")]
    assert con.execute("SELECT direction FROM facts ORDER BY doc_id").fetchall() == [
        ("up",),
        ("down",),
        ("up",),
        ("down",),
        (None,),
    ]


@pytest.mark.parametrize(
    ("kind", "unit", "compared"),
    [
        ("revenue", "USD", True),
        ("margin", "percent", True),
        ("margin_change", "percent", True),
        ("parameter_count", "parameters", True),
        ("stock_change", "percent", False),  # a day's move: two days' moves are two facts
        ("share_price", "USD_per_share", False),
        ("market_cap", "USD", False),
        ("change", "percent", False),  # of what, the kind does not say
        ("point_change", "percent", False),
        ("funding", "USD", False),  # an event: two rounds in a month are two facts
        ("headcount_change", "employees", False),
    ],
)
def test_only_figures_of_a_subject_and_period_conflict(tmp_path, kind, unit, compared):
    from datetime import datetime

    day = lambda d: datetime(2026, 3, d, tzinfo=UTC)  # noqa: E731
    figures = [("10", 10.0, None, None), ("4", 4.0, None, None)]
    got = _revenue_warehouse(tmp_path, figures, [day(2), day(3)], kind=kind, unit=unit)
    assert got == ([("d0.txt", "d1.txt")] if compared else [])


def test_only_figures_of_one_outlook_and_segment_conflict(tmp_path):
    """A segment's revenue is a part of its subject's total, guidance and analysts' consensus are no
    report of the figure: neither conflicts with the reported total. Figures of one outlook and one
    segment that disagree still do."""
    from datetime import datetime

    day = datetime(2026, 3, 1, tzinfo=UTC)
    figures = [
        ("$20B", 20e9, None, None),  # d0: the reported total
        ("$3B", 3e9, None, None),  # d1: the cloud segment's
        ("$23B", 23e9, None, None),  # d2: guidance
        ("$3.6B", 3.6e9, None, None),  # d3: the cloud segment's again, 17% above d1: a conflict
        ("$17B", 17e9, None, None),  # d4: a reported total 15% below d0: a conflict
        ("$21.5B", 21.5e9, None, None),  # d5: analysts' consensus, within 7% of d2: a conflict
    ]
    outlooks = [None, None, "forecast", None, None, "forecast"]
    segments = [None, "cloud", None, "cloud", None, None]
    got = _revenue_warehouse(tmp_path, figures, [day] * 6, outlooks=outlooks, segments=segments)
    assert got == [("d0.txt", "d4.txt"), ("d1.txt", "d3.txt"), ("d2.txt", "d5.txt")]
    con = duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True)
    assert con.execute(
        "SELECT source_a, source_b, outlook, segment FROM fact_conflicts ORDER BY 1"
    ).fetchall() == [
        ("d0.txt", "d4.txt", None, None),
        ("d1.txt", "d3.txt", None, "cloud"),
        ("d2.txt", "d5.txt", "forecast", None),
    ]
    assert con.execute("SELECT doc_id, outlook, segment FROM facts ORDER BY doc_id").fetchall() == [
        ("d0", None, None),
        ("d1", None, "cloud"),
        ("d2", "forecast", None),
        ("d3", None, "cloud"),
        ("d4", None, None),
        ("d5", "forecast", None),
    ]


def test_metrics_written_before_outlook_and_segment_read_them_as_null_in_the_views(tmp_path):
    """A warehouse written before `outlook` and `segment` were added still opens: its figures read as
    reported figures of the whole subject, compared as before."""
    from datetime import datetime

    from warehouse.catalog import scan

    day = datetime(2026, 3, 1, tzinfo=UTC)
    _revenue_warehouse(tmp_path, [("$10B", 10e9, None, None), ("$8B", 8e9, None, None)], [day, day])
    wh = Warehouse.at(tmp_path / "w.duckdb")
    old = wh.table_dir(METRICS.name) / "old.parquet"
    pl.read_parquet(wh.table_dir(METRICS.name) / "r.parquet").drop("outlook", "segment").write_parquet(old)
    commit(wh, [FileEntry(METRICS.name, str(old), "old", 2)], replace_tables=[METRICS.name])
    con = duckdb.connect(str(wh.catalog), read_only=True)
    assert con.execute("SELECT doc_id, outlook, segment FROM facts ORDER BY doc_id").fetchall() == [
        ("d0", None, None),
        ("d1", None, None),
    ]
    assert con.execute("SELECT source_a, source_b, outlook, segment FROM fact_conflicts").fetchall() == [
        ("d0.txt", "d1.txt", None, None)
    ]
    assert scan(wh, METRICS.name).select("outlook", "segment").collect().rows() == [(None, None)] * 2


def test_a_near_duplicate_contributes_no_facts(tmp_path):
    """d1 is a near-duplicate of d0 (the same story again): its figure stays in `metrics` but is no
    fact, so it is neither counted twice nor compared; d2, a document of its own, is both."""
    from datetime import datetime

    day = datetime(2026, 3, 1, tzinfo=UTC)
    figures = [("$10B", 10e9, None, None), ("$7B", 7e9, None, None), ("$5B", 5e9, None, None)]
    got = _revenue_warehouse(tmp_path, figures, [day] * 3, duplicate_of=[None, "d0", None])
    assert got == [("d0.txt", "d2.txt")]
    con = duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True)
    assert con.execute("SELECT doc_id, value FROM facts ORDER BY doc_id").fetchall() == [
        ("d0", 10e9),
        ("d2", 5e9),
    ]
    assert con.execute("SELECT doc_id FROM metrics ORDER BY doc_id").fetchall() == [("d0",), ("d1",), ("d2",)]


def test_metrics_written_before_direction_read_it_as_null_in_the_views(tmp_path):
    """A warehouse written before `direction` was added still opens: its figures have no direction, and
    fact_conflicts compares them by magnitude as before (the next run's version bump rewrites them)."""
    from datetime import datetime

    from warehouse.catalog import scan

    day = datetime(2026, 3, 1, tzinfo=UTC)
    _revenue_warehouse(tmp_path, [("$10B", 10e9, None, None), ("$8B", 8e9, None, None)], [day, day])
    wh = Warehouse.at(tmp_path / "w.duckdb")
    old = wh.table_dir(METRICS.name) / "old.parquet"
    pl.read_parquet(wh.table_dir(METRICS.name) / "r.parquet").drop("direction").write_parquet(old)
    commit(wh, [FileEntry(METRICS.name, str(old), "old", 2)], replace_tables=[METRICS.name])
    con = duckdb.connect(str(wh.catalog), read_only=True)
    assert con.execute("SELECT doc_id, direction FROM facts ORDER BY doc_id").fetchall() == [
        ("d0", None),
        ("d1", None),
    ]
    assert con.execute("SELECT source_a, source_b, direction_a FROM fact_conflicts").fetchall() == [
        ("d0.txt", "d1.txt", None)
    ]
    assert scan(wh, METRICS.name).select("direction").collect().to_series().to_list() == [None, None]
