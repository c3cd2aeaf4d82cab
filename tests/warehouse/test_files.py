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


def test_read_table_columns_gives_only_those_in_declared_types(tmp_path):
    row = {"metric_id": "d:4", "doc_id": "d", "value": 3, "unit": "%", "surface": "3%", "start": 4, "end": 6}
    row |= {"sentence_start": 0, "sentence_end": 9, "extractor_version": "v", "run_id": "r"}
    path = write_table(pl.DataFrame([row]), METRICS, tmp_path / "m.parquet")
    back = read_table(path, METRICS, ["start", "doc_id", "value"])
    assert back.schema == pl.Schema({"start": pl.Int64, "doc_id": pl.String, "value": pl.Float64})
    assert back.rows() == [(4, "d", 3.0)]


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


def test_a_staging_file_is_renamed_into_place_without_fsync_and_a_table_file_with_two(tmp_path, monkeypatch):
    import os

    from warehouse.files import stage_table, stage_text

    synced: list[int] = []
    fsync = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: synced.append(fd) or fsync(fd))
    df = pl.DataFrame(
        {
            "run_id": ["r"],
            "stage": ["ingest"],
            "source": ["a.txt"],
            "reason": ["empty"],
            "detail": ["0 bytes"],
        }
    )
    df = df.with_columns(pl.lit(dt.datetime(2026, 1, 1, tzinfo=dt.UTC)).alias("quarantined_at"))
    stage_table(df, QUARANTINE, tmp_path / "staged.parquet")
    stage_text("{}", tmp_path / "gx.json")
    assert len(synced) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["gx.json", "staged.parquet"]
    assert read_table(tmp_path / "staged.parquet", QUARANTINE).get_column("source").to_list() == ["a.txt"]
    write_table(df, QUARANTINE, tmp_path / "committed.parquet")
    assert len(synced) == 2  # the file, then its directory (the rename)
