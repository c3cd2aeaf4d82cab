"""`quarry gen-corpus` and `quarry bench` on a tiny corpus: files, and the figures bench.json promises."""

from __future__ import annotations

import argparse
import json
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


def test_sizes_must_be_positive_megabytes():
    assert _parse("bench", "--sizes", "0.5,2").sizes == [0.5, 2.0]
    with pytest.raises(SystemExit):
        _parse("bench", "--sizes", "ten")


@pytest.mark.slow
def test_tiny_bench_writes_per_stage_figures(prefect_server, tmp_path: Path):
    out = tmp_path / "bench"
    args = _parse("bench", "--sizes", "0.1", "--out", str(out), "--in-process", "--peers")
    assert args.func(args) == 0
    report = json.loads((out / "bench.json").read_text())
    (row,) = report["sizes"]
    assert row["status"] == "succeeded" and row["documents"] > 10
    assert set(row["stages"]) == {"ingest", "clean", "entities", "metrics", "load"}
    for stage in row["stages"].values():
        assert {"seconds", "mb_per_s", "docs_per_s", "peak_rss_mb"} <= set(stage)
    assert row["total"]["seconds"] > 0 and row["total"]["peak_rss_mb"] > 0
    assert 0 <= row["gate_share"] <= 1 and "orchestration_share" in row
    inc = row["incremental"]
    assert inc["new_documents"] >= 1 and inc["docs_skipped"] == row["documents"]
    assert row["floor"]["seconds"] > 0 and row["floor"]["total_vs_floor"] > 1
    par = row["parallel"]  # the all-cores run over the same corpus (+ the incremental documents)
    assert par["workers"] >= 2 and par["status"] == "succeeded" and par["mb_per_s"] > 0
    acc = row["accuracy"]
    assert acc["labelled_documents"] == row["documents"] + inc["new_documents"]
    assert acc["entities"]["f1"] > 0.8 and acc["metrics"]["f1"] > 0.8
    # peers are optional: either measured or skipped with a reason
    for which in ("generated", "seeds"):
        assert "f1" in row["peers"][which]["quarry_entities"]
        assert "seconds" in row["peers"][which]["spacy_phrasematcher"] or row["peers"][which][
            "spacy_phrasematcher"
        ]["skipped"].endswith("not installed")
