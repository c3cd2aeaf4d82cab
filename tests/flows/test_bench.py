"""`quarry gen-corpus` and `quarry bench` on a tiny corpus: files, and the figures bench.json promises."""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
from pathlib import Path

import pytest

from flows import bench


def _parse(*argv: str) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="quarry")
    bench.add_parsers(p.add_subparsers(dest="command", required=True))
    return p.parse_args(argv)


def test_gen_corpus_writes_n_documents_and_n_labels(tmp_path):
    out = tmp_path / "corpus"
    args = _parse("gen-corpus", "--docs", "12", "--seed", "3", "--out", str(out))
    assert args.func(args) == 0
    docs = sorted(out.glob("*.txt"))
    labels = sorted((out / "labels").glob("*.json"))
    assert len(docs) == 12 and [p.stem for p in labels] == [p.stem for p in docs]
    assert all(set(json.loads(p.read_text())) >= {"entities", "metrics"} for p in labels)


def test_gen_corpus_into_a_file_is_a_user_error(tmp_path):
    from flows.cli import UserError

    out = tmp_path / "corpus.txt"
    out.write_text("not a directory", encoding="utf-8")
    args = _parse("gen-corpus", "--docs", "2", "--out", str(out))
    with pytest.raises(UserError, match=rf"^--out '{out}' is a file, not a directory$"):
        args.func(args)
    assert out.read_text(encoding="utf-8") == "not a directory"


def test_gen_corpus_that_cannot_write_its_folder_is_a_user_error(tmp_path):
    from flows.cli import UserError

    (tmp_path / "notes.txt").write_text("a file", encoding="utf-8")
    out = tmp_path / "notes.txt" / "corpus"  # a folder inside a file: its mkdir fails, even for root
    args = _parse("gen-corpus", "--docs", "2", "--out", str(out))
    with pytest.raises(UserError, match=rf"^--out: \[Errno 20\] Not a directory: '{out}"):
        args.func(args)


def test_sizes_must_be_positive_megabytes():
    assert _parse("bench", "--sizes", "0.5,2").sizes == [0.5, 2.0]
    with pytest.raises(SystemExit):
        _parse("bench", "--sizes", "ten")


# The 0.1 MB synthetic corpus of seed 7 and what one run makes of it (extraction changes move these).
BENCH_DOCUMENTS = 20
BENCH_MEGABYTES = 0.111
BENCH_NEW_DOCUMENTS = 1
BENCH_MENTIONS = 1393
BENCH_METRICS = 437
BENCH_ENTITY_TP = 229
BENCH_METRIC_TP = 454
NO_MATPLOTLIB = "skipped: matplotlib not installed (pip install matplotlib for bench.png)"


def _installed(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


@pytest.mark.slow
def test_tiny_bench_writes_per_stage_figures(prefect_server, tmp_path: Path, capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "300")  # the printed report's lines unwrapped
    out = tmp_path / "bench"
    args = _parse("bench", "--sizes", "0.1", "--out", str(out), "--in-process", "--peers")
    assert args.func(args) == 0
    printed = capsys.readouterr().out
    report = json.loads((out / "bench.json").read_text())
    (row,) = report["sizes"]
    assert (row["status"], row["documents"], row["megabytes"]) == (
        "succeeded",
        BENCH_DOCUMENTS,
        BENCH_MEGABYTES,
    )
    assert row["summary"] == {
        "docs_in": BENCH_DOCUMENTS,
        "docs_cleaned": BENCH_DOCUMENTS,
        "docs_quarantined": 0,
        "mentions": BENCH_MENTIONS,
        "metrics": BENCH_METRICS,
        "batches": 1,
        "expectations_passed": row["summary"]["expectations_passed"],
        "expectations_failed": 0,
    }
    # Each derived figure is what its definition says, computed from the measured seconds.
    wall = row["total"]["seconds"]
    assert set(row["stages"]) == {"ingest", "clean", "entities", "metrics", "load"}
    for stage in row["stages"].values():  # (MB/s divides unrounded bytes: not recomputable here)
        assert stage["docs_per_s"] == round(BENCH_DOCUMENTS / stage["seconds"], 1)
    assert row["total"]["docs_per_s"] == round(BENCH_DOCUMENTS / wall, 1)
    assert row["gate_share"] == round(row["gate_seconds"] / wall, 3)
    in_stages = sum(s["seconds"] for s in row["stages"].values())
    assert row["orchestration_seconds"] == round(wall - in_stages, 3)
    inc = row["incremental"]
    assert (inc["new_documents"], inc["docs_skipped"], inc["docs_cleaned"]) == (
        BENCH_NEW_DOCUMENTS,
        BENCH_DOCUMENTS,
        BENCH_NEW_DOCUMENTS,
    )
    assert inc["vs_full"] == round(inc["seconds"] / wall, 3)
    assert row["floor"]["total_vs_floor"] == round(wall / row["floor"]["seconds"], 1)
    par = row["parallel"]  # the all-cores run over the same corpus (+ the incremental documents)
    assert (par["workers"], par["status"]) == (max(2, os.cpu_count() or 1), "succeeded")
    assert par["docs_per_s"] == round((BENCH_DOCUMENTS + BENCH_NEW_DOCUMENTS) / par["seconds"], 1)
    acc = row["accuracy"]
    assert acc["labelled_documents"] == BENCH_DOCUMENTS + BENCH_NEW_DOCUMENTS
    assert {k: acc["entities"][k] for k in ("tp", "fp", "fn")} == {"tp": BENCH_ENTITY_TP, "fp": 0, "fn": 0}
    assert {k: acc["metrics"][k] for k in ("tp", "fp", "fn")} == {"tp": BENCH_METRIC_TP, "fp": 0, "fn": 0}
    # peers: measured when installed, else skipped with exactly that reason
    for which in ("generated", "seeds"):
        peers = row["peers"][which]
        assert set(peers) == {
            "documents",
            "megabytes",
            "quarry_entities",
            "spacy_phrasematcher",
            "quarry_metrics",
            "quantulum3",
        }
        for peer, module in (("spacy_phrasematcher", "spacy"), ("quantulum3", "quantulum3")):
            if _installed(module):
                assert "f1" in peers[peer] and "skipped" not in peers[peer]
            else:
                assert peers[peer]["skipped"] == f"{module} not installed"
    assert row["peers"]["seeds"]["quarry_entities"]["documents"] == 5
    # the chart: a PNG when matplotlib is importable, else the stated message and no file
    png = out / "bench.png"
    if _installed("matplotlib"):
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert f"chart: {png}" in printed.splitlines()
    else:
        assert not png.exists()
        assert f"chart: {NO_MATPLOTLIB}" in printed.splitlines()
        assert bench.chart(report["sizes"], png) == NO_MATPLOTLIB
