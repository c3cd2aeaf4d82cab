"""The stage tasks' handling of process memory: what each stage reads and what it gives back."""

from __future__ import annotations

import inspect
import os
import pickle
import platform
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pytest

from flows import tasks


class _Recorder:
    def __init__(self, calls: list[str]) -> None:
        self.calls = calls

    def malloc_trim(self, pad: int) -> int:
        self.calls.append(f"malloc_trim({pad})")
        return 1


def _recording(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    calls: list[str] = []
    monkeypatch.setattr(tasks, "_libc", lambda: _Recorder(calls))
    pool = pa.default_memory_pool()

    class Pool:
        def release_unused(self) -> None:
            calls.append("release_unused")

        def __getattr__(self, name: str) -> object:
            return getattr(pool, name)

    monkeypatch.setattr(tasks.pa, "default_memory_pool", lambda: Pool())
    return calls


def test_a_stage_hands_freed_memory_back_after_it_returns(monkeypatch):
    calls = _recording(monkeypatch)

    @tasks.release_freed_memory
    def stage(ctx: str, batch: int) -> str:
        calls.append("stage")
        return f"{ctx}[b{batch}]"

    assert stage("clean", batch=3) == "clean[b3]"
    assert calls == ["stage", "release_unused", "malloc_trim(0)"]
    # Prefect names a task run from the function's parameters (task_run_name="clean[b{batch}]").
    assert list(inspect.signature(stage).parameters) == ["ctx", "batch"]


def test_a_failing_stage_hands_freed_memory_back_too(monkeypatch):
    calls = _recording(monkeypatch)

    @tasks.release_freed_memory
    def stage() -> None:
        raise OSError("disk gone")

    with pytest.raises(OSError, match="disk gone"):
        stage()
    assert calls == ["release_unused", "malloc_trim(0)"]


@pytest.mark.parametrize(
    "task", [tasks.ingest_batch, tasks.clean_batch, tasks.entities_batch, tasks.metrics_batch]
)
def test_every_stage_task_hands_freed_memory_back(task):
    assert task.fn.__wrapped__.__name__ == task.fn.__name__
    assert task.fn.__code__ is tasks.release_freed_memory(lambda: None).__code__


def test_importing_quarry_makes_polars_allocator_release_pages_without_muzzy_stage():
    env = {k: v for k, v in os.environ.items() if k != "_RJEM_MALLOC_CONF"}
    code = "import flows, polars, os; print(os.environ['_RJEM_MALLOC_CONF'])"
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=root, capture_output=True, text=True)
    # polars prepends its own settings; the last value of a setting is the one jemalloc keeps.
    assert out.stdout.strip().split(",")[-1] == "muzzy_decay_ms:0"


def test_a_malloc_conf_the_user_set_is_kept():
    env = {**os.environ, "_RJEM_MALLOC_CONF": "muzzy_decay_ms:5000"}
    code = "import flows, polars, os; print(os.environ['_RJEM_MALLOC_CONF'])"
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=root, capture_output=True, text=True)
    assert out.stdout.strip().split(",")[-1] == "muzzy_decay_ms:5000"


@pytest.mark.parametrize(
    "task", [tasks.ingest_batch, tasks.clean_batch, tasks.entities_batch, tasks.metrics_batch]
)
def test_stage_tasks_pickle_for_process_and_dask_workers(task):
    import cloudpickle

    back = pickle.loads(cloudpickle.dumps(task))
    assert (back.name, back.fn.__name__) == (task.name, task.fn.__name__)


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="malloc_trim is glibc's (not musl's, macOS's)")
def test_glibc_is_found_and_its_trim_runs_for_real():
    """The recorder tests above stand in for glibc: here the real lookup must find it on Linux (a wrong
    library name would silently turn the hand-back into Arrow's pool alone)."""
    tasks._libc.cache_clear()
    libc = tasks._libc()
    assert libc is not None
    assert libc.malloc_trim(0) in (0, 1)
    tasks._hand_back_freed_memory()


@pytest.mark.parametrize("data_docs", [True, False])
def test_a_gate_stages_its_gx_result_only_for_data_docs(tmp_path, data_docs):
    import datetime as dt

    import polars as pl

    from expectations.context import Context
    from tests.expectations.test_suites import valid
    from warehouse.schemas import RAW_DOCUMENTS

    ctx = tasks.RunContext(
        run_id="r1",
        staging=str(tmp_path),
        policy="quarantine",
        systemic_share=0.05,
        max_doc_bytes=1000,
        gazetteer="",
        known="",
        started_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
        data_docs=data_docs,
    )
    df = valid("raw_documents")
    ctx.batch_dir(0).mkdir()
    kept, report = tasks._gate(ctx, 0, "ingest", RAW_DOCUMENTS, df, Context(), df.select("doc_id", "source"))
    staged = sorted(p.name for p in ctx.batch_dir(0).iterdir())
    gx_file = ["gx.ingest.raw_documents.json"] if data_docs else []
    assert staged == sorted(["quality.ingest.raw_documents.parquet", *gx_file])
    assert kept.height == 1 and report.failed == 0
    quality = pl.read_parquet(ctx.batch_dir(0) / "quality.ingest.raw_documents.parquet")
    assert quality.height == len(report.outcomes)


def test_quarantine_counts_splits_refusals_from_duplicates_and_failed_batches():
    import polars as pl

    rows = pl.DataFrame({"reason": ["empty", "binary", tasks.DUPLICATE_DOCUMENT, tasks.GATE_FAILED, "empty"]})
    assert tasks.quarantine_counts(rows) == (3, 1)
    assert tasks.quarantine_counts(None) == (0, 0)


def test_ingest_log_line_counts_duplicates_apart_as_the_run_summary_does(tmp_path, monkeypatch):
    # Two copies of one text and an empty file: the run summary says 1 quarantined, 1 duplicate; the
    # log line once said "2 quarantined" (every quarantine row).
    import datetime as dt

    import polars as pl

    from warehouse import sources

    src = tmp_path / "src"
    src.mkdir()
    body = "The harbour board approved a new ferry timetable on Monday after a long public meeting."
    (src / "a.txt").write_text(body)
    (src / "b.txt").write_text(body)
    (src / "c.txt").write_text("")
    known = tmp_path / "known.parquet"
    pl.DataFrame({"doc_id": []}, schema={"doc_id": pl.String}).write_parquet(known)
    ctx = tasks.RunContext(
        run_id="r1",
        staging=str(tmp_path / "staging"),
        policy="quarantine",
        systemic_share=0.05,
        max_doc_bytes=10_000,
        gazetteer="",
        known=str(known),
        started_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
        data_docs=False,
    )
    lines: list[str] = []

    class Logger:
        def info(self, msg: str, *args: object) -> None:
            lines.append(msg % args)

    monkeypatch.setattr(tasks, "get_run_logger", lambda: Logger())
    refs, _ = sources.list_sources(str(src))
    stats = tasks.ingest_batch.fn(ctx, 0, refs).stats
    assert lines == [
        "batch 0 ingest: 3 files, 1 new documents, 0 already loaded, 1 quarantined, 1 duplicates"
    ]
    held = pl.read_parquet(ctx.batch_dir(0) / "quarantine.ingest.parquet")
    assert tasks.quarantine_counts(held) == (1, 1)
    assert (stats["docs"], stats["quarantined"]) == (1, 2)


_STORY = (
    "{opening}A regional rail operator said it would order forty new trains for its coastal lines, "
    "replacing carriages that have run for more than thirty years. The operator expects the first "
    "trains to enter service within two years and said fares would not rise because of the order.\n\n"
    "Local officials welcomed the plan, saying the old carriages broke down often in winter. Passenger "
    "groups asked the operator to add more space for bicycles and to publish a timetable for the work."
)


def test_a_yearless_dateline_takes_its_year_from_its_file_modification_time(prefect_server, tmp_path):
    """The clean task passes each document's reference time: its file's modification time (a Dec 30
    dateline in a file saved on Jan 2 is of the year before), else the run's start (a file with none)."""
    import datetime as dt

    import duckdb

    from flows.pipeline import RunParameters, quarry_pipeline

    src = tmp_path / "news"
    src.mkdir()
    (src / "a.txt").write_text(_STORY.format(opening="LIMA, Peru, Dec. 30 (Reuters) - "), encoding="utf-8")
    (src / "b.txt").write_text(_STORY.format(opening="OSLO, March 3 (AP) — ").replace("forty", "fifty"))
    saved = dt.datetime(2027, 1, 2, 8, tzinfo=dt.UTC).timestamp()
    os.utime(src / "a.txt", (saved, saved))
    saved = dt.datetime(2026, 2, 27, tzinfo=dt.UTC).timestamp()
    os.utime(src / "b.txt", (saved, saved))
    wh = tmp_path / "w.duckdb"
    s = quarry_pipeline(RunParameters(source=str(src), warehouse=str(wh), data_docs=False))
    assert (s["status"], s["docs_cleaned"]) == ("succeeded", 2)
    with duckdb.connect(str(wh), read_only=True) as con:
        rows = con.execute("SELECT source, published_at FROM documents ORDER BY source").fetchall()
    assert [(Path(p).name, t.astimezone(dt.UTC)) for p, t in rows] == [
        ("a.txt", dt.datetime(2026, 12, 30, tzinfo=dt.UTC)),
        ("b.txt", dt.datetime(2025, 3, 3, tzinfo=dt.UTC)),
    ]


def test_the_reference_time_is_the_run_start_for_a_document_without_a_file_time(tmp_path):
    import datetime as dt

    import polars as pl

    from warehouse.files import stage_table
    from warehouse.schemas import SOURCE_FILES

    started = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
    ctx = tasks.RunContext("r1", str(tmp_path), "quarantine", 0.05, 1000, "", "", started)
    bdir = ctx.batch_dir(0)
    bdir.mkdir()
    raw = pl.DataFrame({"doc_id": ["d1", "d2"], "source": ["x/a.txt", "http://example.org/b"]})
    assert tasks._with_reference_time(ctx, bdir, raw)["reference_at"].to_list() == [started, started]
    mtime = dt.datetime(2026, 5, 4, 3, 2, 1, tzinfo=dt.UTC)
    rows = {
        "source": ["x/a.txt"],
        "size": [10],
        "mtime_ns": [int(mtime.timestamp()) * 10**9],
        "doc_id": ["d1"],
    }
    stage_table(pl.DataFrame({**rows, "run_id": ["r1"]}), SOURCE_FILES, bdir / "source_files.parquet")
    out = tasks._with_reference_time(ctx, bdir, raw)
    assert out.columns == ["doc_id", "source", "reference_at"]
    assert out["reference_at"].to_list() == [mtime, started]
