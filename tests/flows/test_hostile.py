"""A hostile corpus through the real flow: every bad file quarantined with its reason, the run goes on,
and the good documents come out exactly as they do on their own."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import duckdb

from flows.pipeline import RunParameters, quarry_pipeline
from tests.hostile.make_corpus import DECODED, make_hostile

REPO = Path(__file__).resolve().parents[2]
SEEDS = sorted((REPO / "seeds").glob("*.txt"))
# Columns that name the run or the source directory (the two runs read the seeds from different dirs).
VARYING = {"run_id", "source"}


def _seed_rows(wh: Path, seed_ids: list[str]) -> dict[str, list[tuple]]:
    """documents, mentions and metrics rows of the seed documents, without run-specific columns."""
    out = {}
    with duckdb.connect(":memory:") as con:
        con.execute(f"ATTACH '{wh}' AS w (READ_ONLY)")
        for t in ("documents", "sentences", "mentions", "metrics"):
            cols = [r[0] for r in con.execute(f"DESCRIBE w.{t}").fetchall() if r[0] not in VARYING]
            quoted = ", ".join(f'"{c}"' for c in cols)
            out[t] = con.execute(
                f"SELECT {quoted} FROM w.{t} WHERE doc_id IN (SELECT unnest(?)) ORDER BY ALL", [seed_ids]
            ).fetchall()
    return out


def test_hostile_corpus_is_quarantined_with_reasons_and_seeds_come_out_unchanged(prefect_server, tmp_path):
    alone, mixed = tmp_path / "alone", tmp_path / "mixed"
    alone.mkdir()
    for seed in SEEDS:
        shutil.copy(seed, alone / seed.name)
    expected = make_hostile(mixed, tmp_path / "outside")
    for seed in SEEDS:
        shutil.copy(seed, mixed / seed.name)
    # The same bytes under another name, in the seeds' batch.
    shutil.copy(SEEDS[0], mixed / "copy_of_first_seed.txt")
    expected["copy_of_first_seed.txt"] = "duplicate_document"

    # max_doc_mb=1: the 200 MB files must be refused from their size, the ~120 KB long line kept.
    # No Data Docs in this file: nothing here is about them.
    ref = quarry_pipeline(
        RunParameters(source=str(alone), warehouse=str(tmp_path / "a.duckdb"), max_doc_mb=1, data_docs=False)
    )
    s = quarry_pipeline(
        RunParameters(source=str(mixed), warehouse=str(tmp_path / "m.duckdb"), max_doc_mb=1, data_docs=False)
    )

    assert s["status"] == "succeeded" and s["batches_failed"] == 0
    with duckdb.connect(str(tmp_path / "m.duckdb"), read_only=True) as con:
        held = con.execute("SELECT source, reason FROM quarantine").fetchall()
        docs = dict(con.execute("SELECT source, text FROM documents").fetchall())
        seed_ids = [
            r[0]
            for r in con.execute(
                "SELECT doc_id FROM documents WHERE source IN (SELECT unnest(?))",
                [[str(mixed / p.name) for p in SEEDS]],
            ).fetchall()
        ]
    # (c) exactly one quarantine row per bad file, with exactly the expected reason
    assert sorted(os.path.basename(src) for src, _ in held) == sorted(expected)
    assert {os.path.basename(src): reason for src, reason in held} == expected
    # odd but legitimate files became documents, decoded rather than quarantined
    by_name = {os.path.basename(k): v for k, v in docs.items()}
    assert set(by_name) == {p.name for p in SEEDS} | set(DECODED)
    assert "Xiaomi’s MiMo model – the “reasoning” release – cost €5 million" in by_name["cp1252.txt"]
    assert "小米公司发布了新的人工智能大模型" in by_name["gbk.txt"]
    assert "trained on 25 trillion tokens" in by_name["article.html"]
    # (b) the seeds' rows are what a run over the seeds alone produces
    assert len(seed_ids) == len(SEEDS)
    assert _seed_rows(tmp_path / "m.duckdb", seed_ids) == _seed_rows(tmp_path / "a.duckdb", seed_ids)
    assert ref["docs_cleaned"] == len(SEEDS)


def test_duplicate_in_another_batch_is_quarantined_not_silently_dropped(prefect_server, tmp_path):
    corpus = tmp_path / "c"
    corpus.mkdir()
    shutil.copy(SEEDS[0], corpus / "a.txt")
    shutil.copy(SEEDS[0], corpus / "b.txt")
    wh = tmp_path / "d.duckdb"
    s = quarry_pipeline(RunParameters(source=str(corpus), warehouse=str(wh), batch_size=1, data_docs=False))
    assert s["status"] == "succeeded"
    with duckdb.connect(str(wh), read_only=True) as con:
        kept = [os.path.basename(r[0]) for r in con.execute("SELECT source FROM documents").fetchall()]
        held = con.execute("SELECT source, reason FROM quarantine").fetchall()
        loaded = con.execute(
            "SELECT (SELECT count(*) FROM mentions), (SELECT count(*) FROM metrics)"
        ).fetchone()
        logged = con.execute("SELECT mentions, metrics FROM runs").fetchone()
    # Every input is accounted for: one document, and the other file named in quarantine.
    assert kept == ["a.txt"]
    # The copy's rows are never loaded, so neither the summary nor `runs` counts them (the seed has
    # both mentions and metrics: counting both copies gave twice the loaded rows).
    assert (s["mentions"], s["metrics"]) == logged == loaded
    assert [(os.path.basename(src), reason) for src, reason in held] == [("b.txt", "duplicate_document")]
