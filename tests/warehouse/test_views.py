from __future__ import annotations

import duckdb
import polars as pl

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
