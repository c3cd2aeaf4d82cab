from __future__ import annotations

import datetime as dt

import polars as pl
import pyarrow.parquet as pq

from warehouse.files import conform, read_table, write_table
from warehouse.schemas import METRICS, QUARANTINE


def test_round_trip_gives_back_declared_schema(tmp_path):
    df = pl.DataFrame(
        {
            "metric_id": ["d:0"],
            "doc_id": ["d"],
            "value": [6],
            "unit": ["parameters"],
            "surface": ["6"],
            "start": [0],
            "end": [1],
            "sentence_start": [0],
            "sentence_end": [1],
            "extractor_version": ["v"],
            "run_id": ["r"],
        }
    )  # value is an integer here; value_high and friends are missing
    path = write_table(df, METRICS, tmp_path / "m.parquet")
    assert pq.read_schema(path).remove_metadata() == METRICS.schema
    back = read_table(path, METRICS)
    assert back.columns == METRICS.columns
    assert back.get_column("value").dtype == pl.Float64
    assert back.row(0, named=True)["value"] == 6.0
    assert back.row(0, named=True)["value_high"] is None


def test_write_leaves_no_temporary_files(tmp_path):
    df = pl.DataFrame(
        {
            "run_id": ["r"],
            "stage": ["ingest"],
            "source": ["a.txt"],
            "doc_id": [None],
            "reason": ["empty"],
            "detail": ["0 bytes"],
            "quarantined_at": [dt.datetime(2026, 1, 1, tzinfo=dt.UTC)],
        }
    )
    write_table(df, QUARANTINE, tmp_path / "q.parquet")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["q.parquet"]


def test_conform_orders_columns_and_casts():
    t = conform(pl.DataFrame({"end": [3], "start": [1]}), METRICS)
    assert t.schema == METRICS.schema
    assert t.column("start").to_pylist() == [1]
