"""Running it like production: incremental, idempotent, versioned, compacted, crash-safe (Dask: test_dask)."""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
import pytest
import yaml

from flows import cli
from flows.pipeline import RunParameters, quarry_pipeline
from flows.tasks import entities_version
from tests.conftest import served_over_http
from warehouse.catalog import Warehouse
from warehouse.load import file_counts
from warehouse.reference import DEFAULT_GAZETTEER

REPO = Path(__file__).resolve().parents[2]
SEEDS = sorted((REPO / "seeds").glob("*.txt"))
RUN_COLUMNS = ("run_id", "first_seen", "first_run_id")
CONTENT_TABLES = ("documents", "sentences", "removed_spans", "mentions", "metrics", "entities")


def make_corpus(root: Path, copies: int = 1, names: list[Path] | None = None) -> Path:
    """Seeds plus edited copies (a distinct closing paragraph, so distinct doc_ids)."""
    root.mkdir(parents=True, exist_ok=True)
    for seed in names or SEEDS:
        text = seed.read_text(encoding="utf-8")
        (root / seed.name).write_text(text, encoding="utf-8")
        for i in range(1, copies):
            extra = (
                f"\nThis analysis was revised for edition {i} of the weekly roundup on Xiaomi and its rivals."
            )
            (root / f"{seed.stem}-ed{i}.txt").write_text(text + extra, encoding="utf-8")
    return root


def snapshot(wh: Path) -> dict[str, list[tuple]]:
    """Every content table's rows, without the columns that name the run that wrote them (or, for the
    registry's first sighting of an entity, the run that first loaded it)."""
    out = {}
    with duckdb.connect(":memory:") as con:
        con.execute(f"ATTACH '{wh}' AS w (READ_ONLY)")
        for t in CONTENT_TABLES:
            cols = [r[0] for r in con.execute(f"DESCRIBE w.{t}").fetchall() if r[0] not in RUN_COLUMNS]
            quoted = ", ".join(f'"{c}"' for c in cols)
            out[t] = con.execute(f"SELECT {quoted} FROM w.{t} ORDER BY ALL").fetchall()
    return out


def run(source: Path | str, wh: Path, **kw) -> dict:
    """A run in this process. Data Docs off unless asked for (`data_docs=True`): they are ~30% of a small
    run's CPU and only the tests that assert something about them need them."""
    kw.setdefault("data_docs", False)
    return quarry_pipeline(RunParameters(source=str(source), warehouse=str(wh), **kw))


def test_incremental_run_processes_only_new_documents(prefect_server, tmp_path):
    corpus = make_corpus(tmp_path / "c", names=SEEDS[:3])
    wh = tmp_path / "inc.duckdb"
    first = run(corpus, wh)
    assert (first["docs_cleaned"], first["docs_skipped"]) == (3, 0)
    make_corpus(corpus, names=SEEDS[3:])
    second = run(corpus, wh)
    assert (second["docs_in"], second["docs_skipped"], second["docs_cleaned"]) == (5, 3, 2)
    assert second["files_unread"] == 3  # unchanged since the first run: not even opened
    with duckdb.connect(str(wh), read_only=True) as con:
        rows = con.sql("SELECT started_at, finished_at, stage_seconds FROM runs ORDER BY 1").fetchall()
    for started, finished, seconds in rows:  # stamped as the load wrote it: the load's time counted
        stages = json.loads(seconds)
        assert list(stages) == ["ingest", "clean", "entities", "metrics", "load", "gate"]
        assert (finished - started).total_seconds() >= stages["load"] > 0
    reference = tmp_path / "ref.duckdb"
    run(corpus, reference)
    assert snapshot(wh) == snapshot(reference)


def test_worker_processes_build_the_same_warehouse_as_threads(prefect_server, tmp_path):
    """`task_runner="processes"`: Prefect's process pool, its workers forked from quarry's forkserver."""
    corpus = make_corpus(tmp_path / "c")
    threads, processes = tmp_path / "t.duckdb", tmp_path / "p.duckdb"
    run(corpus, threads, batch_size=2)
    s = run(corpus, processes, batch_size=2, task_runner="processes", workers=2)
    assert (s["status"], s["batches"], s["docs_cleaned"]) == ("succeeded", 3, 5)
    assert snapshot(processes) == snapshot(threads)


def test_full_refresh_and_version_change_replace_rows(prefect_server, tmp_path):
    corpus = make_corpus(tmp_path / "c", names=SEEDS[2:4])
    wh = tmp_path / "v.duckdb"
    run(corpus, wh)
    before = snapshot(wh)
    refreshed = run(corpus, wh, full_refresh=True)
    assert refreshed["docs_cleaned"] == 2
    assert snapshot(wh) == before  # same rows, not twice
    with duckdb.connect(str(wh), read_only=True) as con:
        assert con.execute("SELECT count(DISTINCT run_id) FROM documents").fetchone() == (1,)
    # A new gazetteer version makes every document stale: it is reprocessed and its rows replaced.
    gaz = yaml.safe_load(DEFAULT_GAZETTEER.read_text(encoding="utf-8"))
    gaz["version"] = "test-v2"
    path = tmp_path / "gazetteer.yaml"
    path.write_text(yaml.safe_dump(gaz, allow_unicode=True), encoding="utf-8")
    s = run(corpus, wh, gazetteer=str(path))
    assert (s["docs_skipped"], s["docs_cleaned"], s["files_unread"]) == (0, 2, 0)
    # the version rows carry: the gazetteer's own, plus the lexicon packages' versions
    version = entities_version(str(path))
    assert version.startswith("test-v2+lexicons-")
    with duckdb.connect(str(wh), read_only=True) as con:
        assert con.execute("SELECT DISTINCT gazetteer_version FROM documents").fetchall() == [(version,)]
        assert con.execute("SELECT DISTINCT gazetteer_version FROM mentions").fetchall() == [(version,)]
        assert con.execute("SELECT count(*), count(DISTINCT doc_id) FROM documents").fetchone() == (2, 2)
    after = snapshot(wh)
    assert len(after["mentions"]) == len(before["mentions"]) and len(after["metrics"]) == len(
        before["metrics"]
    )


def test_compaction_keeps_query_results(prefect_server, tmp_path, capsys):
    corpus = tmp_path / "c"
    wh = tmp_path / "k.duckdb"
    for seed in SEEDS:  # five nightly runs, one new document each
        make_corpus(corpus, names=[seed])
        run(corpus, wh)
    w = Warehouse.at(wh)
    assert file_counts(w)["documents"] == 5 and file_counts(w)["runs"] == 5
    before = snapshot(wh)
    before_counts = file_counts(w)
    assert cli.main(["compact", "--warehouse", str(wh)]) == 0  # in this process: about the files
    out = capsys.readouterr().out
    assert "documents: 5 files -> 1" in out
    superseded = sum(n for n in before_counts.values() if n >= 2)  # every file of a compacted table
    assert len(list(w.table_dir("documents").glob("*.parquet"))) == 6  # kept for open readers
    assert re.search(r"^(\d+) superseded files \([\d.]+ MB\) stay for readers", out, re.M).group(1) == str(
        superseded
    )
    assert snapshot(wh) == before
    counts = file_counts(w)
    assert counts["documents"] == 1 and counts["runs"] == 1
    # superseded files are gone after the next run, and the next run still works
    make_corpus(corpus)
    s = run(corpus, wh)
    assert s["docs_skipped"] == 5
    assert len(list(w.table_dir("documents").glob("*.parquet"))) == 1


def test_unchanged_files_are_not_read_and_changed_ones_are(prefect_server, tmp_path):
    corpus = make_corpus(tmp_path / "c", names=SEEDS[:2])
    wh = tmp_path / "idx.duckdb"
    run(corpus, wh)
    path = corpus / SEEDS[0].name
    st = path.stat()
    text = path.read_text(encoding="utf-8")
    # Same size and mtime but other bytes: proof that the file index skips it without opening it.
    path.write_text(text.replace("Xiaomi", "XIAOMI"), encoding="utf-8")
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    s = run(corpus, wh)
    assert (s["files_unread"], s["docs_skipped"], s["docs_cleaned"]) == (2, 2, 0)
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))  # now it looks changed
    before = file_counts(Warehouse.at(wh))
    # The third run leaves `runs` with 3 files: past compact_after_files=2, every table with more
    # than one file is merged into one, automatically.
    s = run(corpus, wh, compact_after_files=2)
    assert (s["files_unread"], s["docs_skipped"], s["docs_cleaned"]) == (1, 1, 1)
    assert before == {t: 2 if t == "runs" else 1 for t in before}
    assert s["compacted"] == {t: (3, 1) if t == "runs" else (2, 1) for t in before if t != "entities"}
    assert file_counts(Warehouse.at(wh)) == {t: 1 for t in before}  # entities are rewritten whole
    with duckdb.connect(str(wh), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM documents WHERE text LIKE '%XIAOMI%'").fetchone() == (1,)
        # the edited file's earlier version is replaced, not kept beside it, with all its rows
        assert con.execute("SELECT count(*) FROM documents WHERE source = ?", [str(path)]).fetchone() == (1,)
        assert con.execute("SELECT count(*) FROM documents").fetchone() == (2,)
        for table in ("sentences", "mentions", "metrics", "doc_signatures", "removed_spans"):
            orphans = f"SELECT count(*) FROM {table} WHERE doc_id NOT IN (SELECT doc_id FROM documents)"
            assert con.execute(orphans).fetchone() == (0,), table
        # the index keeps every version of the file; the newest row decides
        assert con.execute(
            "SELECT count(*), count(DISTINCT doc_id) FROM source_files WHERE source = ?", [str(path)]
        ).fetchone() == (2, 2)


def test_a_duplicate_keeps_its_story_when_the_file_it_duplicated_changes(prefect_server, tmp_path):
    """b.txt holds the same story as a.txt, so it was quarantined as its duplicate; when a.txt then
    changes, the story is no longer a.txt's, and it stays in the warehouse as b.txt's (it was lost: the
    changed file's old document was retired and b.txt, unchanged, was never read again)."""
    corpus = tmp_path / "c"
    corpus.mkdir()
    story, other = SEEDS[2].read_text(encoding="utf-8"), SEEDS[3].read_text(encoding="utf-8")  # small ones
    for name, text in (("a.txt", story), ("b.txt", story), ("c.txt", other)):
        (corpus / name).write_text(text, encoding="utf-8")
    wh = tmp_path / "dup.duckdb"

    def texts() -> dict[str, str]:
        with duckdb.connect(str(wh), read_only=True) as con:
            rows = con.execute("SELECT source, text FROM documents").fetchall()
        return {Path(src).name: text for src, text in rows}

    first = run(corpus, wh)
    assert (first["docs_cleaned"], first["docs_duplicates"]) == (2, 1)
    cleaned = texts()
    assert sorted(cleaned) == ["a.txt", "c.txt"]
    (corpus / "a.txt").write_text(SEEDS[4].read_text(encoding="utf-8"), encoding="utf-8")
    second = run(corpus, wh)
    assert (second["files_unread"], second["docs_cleaned"]) == (1, 2)  # c.txt alone is not read
    now = texts()
    assert sorted(now) == ["a.txt", "b.txt", "c.txt"]
    assert (now["b.txt"], now["c.txt"]) == (cleaned["a.txt"], cleaned["c.txt"])
    assert now["a.txt"] != cleaned["a.txt"]
    third = run(corpus, wh)  # and nothing is read again after that
    assert (third["files_unread"], third["docs_cleaned"]) == (3, 0)
    reference = tmp_path / "ref.duckdb"
    run(corpus, reference)
    assert snapshot(wh) == snapshot(reference)


def test_an_unchanged_jsonl_file_is_not_read_and_its_bad_lines_are_quarantined_once(prefect_server, tmp_path):
    corpus = tmp_path / "c"
    corpus.mkdir()
    feed = corpus / "feed.jsonl"
    good = [json.dumps({"text": p.read_text(encoding="utf-8")}) + "\n" for p in SEEDS[:3]]
    feed.write_text(good[0] + "{not json\n" + good[1], encoding="utf-8")
    wh = tmp_path / "jl.duckdb"

    def quarantined() -> list[tuple]:
        with duckdb.connect(str(wh), read_only=True) as con:
            return con.execute("SELECT source, reason FROM quarantine ORDER BY ALL").fetchall()

    s = run(corpus, wh)
    assert (s["files_unread"], s["docs_skipped"], s["docs_cleaned"], s["docs_quarantined"]) == (0, 0, 2, 1)
    assert quarantined() == [(f"{feed}:2", "bad_record")]
    s = run(corpus, wh)  # unchanged: not even opened, so its bad line is not quarantined again
    assert (s["files_unread"], s["docs_skipped"], s["docs_cleaned"], s["docs_quarantined"]) == (1, 2, 0, 0)
    assert s["docs_in"] == 2
    assert quarantined() == [(f"{feed}:2", "bad_record")]
    with feed.open("a", encoding="utf-8") as fh:  # a new record: the file is read again whole
        fh.write(good[2])
    s = run(corpus, wh)
    assert (s["files_unread"], s["docs_skipped"], s["docs_cleaned"], s["docs_quarantined"]) == (0, 2, 1, 1)
    assert quarantined() == [(f"{feed}:2", "bad_record")] * 2
    with duckdb.connect(str(wh), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM documents").fetchone() == (3,)
        newest = "SELECT count(*) FROM source_files WHERE run_id = (SELECT max(run_id) FROM source_files)"
        assert con.execute(newest).fetchone() == (3,)  # one row per document of the file, keyed by its path
        assert con.execute("SELECT DISTINCT source FROM source_files").fetchall() == [(str(feed),)]
    s = run(corpus, wh)
    assert (s["files_unread"], s["docs_skipped"], s["docs_quarantined"]) == (1, 3, 0)


def test_a_jsonl_file_with_only_bad_lines_is_quarantined_once(prefect_server, tmp_path):
    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "a.txt").write_text(SEEDS[0].read_text(encoding="utf-8"), encoding="utf-8")
    feed = corpus / "broken.jsonl"
    feed.write_text('{"title": "no text"}\n[1, 2]\n', encoding="utf-8")
    wh = tmp_path / "bad.duckdb"
    s = run(corpus, wh)
    assert (s["files_unread"], s["docs_cleaned"], s["docs_quarantined"]) == (0, 1, 2)
    s = run(corpus, wh)
    assert (s["files_unread"], s["docs_skipped"], s["docs_cleaned"], s["docs_quarantined"]) == (2, 1, 0, 0)
    with duckdb.connect(str(wh), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM quarantine").fetchone() == (2,)
        assert con.execute("SELECT doc_id FROM source_files WHERE source = ?", [str(feed)]).fetchall() == [
            ("",)
        ]


def test_a_too_large_file_is_quarantined_once_and_read_again_when_the_limit_is_raised(
    prefect_server, tmp_path
):
    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "a.txt").write_text(SEEDS[2].read_text(encoding="utf-8"), encoding="utf-8")  # 2,768 bytes
    big = corpus / "big.txt"  # two articles, 31,841 bytes
    big.write_text("\n\n".join(p.read_text(encoding="utf-8") for p in SEEDS[:2]), encoding="utf-8")
    small_mb = 0.01
    wh = tmp_path / "big.duckdb"

    def quarantined() -> list[tuple]:
        with duckdb.connect(str(wh), read_only=True) as con:
            return con.execute("SELECT source, reason FROM quarantine ORDER BY ALL").fetchall()

    s = run(corpus, wh, max_doc_mb=small_mb)
    assert (s["files_unread"], s["docs_cleaned"], s["docs_quarantined"]) == (0, 1, 1)
    s = run(corpus, wh, max_doc_mb=small_mb)  # unchanged and still over the limit: not read again
    assert (s["files_unread"], s["docs_cleaned"], s["docs_quarantined"]) == (2, 0, 0)
    assert quarantined() == [(str(big), "too_large")]
    s = run(corpus, wh, max_doc_mb=small_mb * 4)  # the limit raised: read, and it lands
    assert (s["files_unread"], s["docs_cleaned"], s["docs_quarantined"]) == (1, 1, 0)
    assert quarantined() == [(str(big), "too_large")]


@pytest.mark.parametrize("batch_size", [100, 1])
def test_every_input_is_counted_once(prefect_server, tmp_path, batch_size):
    """docs_in = stored (docs_cleaned) + quarantined + duplicates, each named once: an oversized file
    (refused before it is read), an empty one, and an exact copy of another file, in one batch or (at
    batch size 1) a later batch, where the copy is cleaned before the load drops it."""
    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "a.txt").write_text(SEEDS[2].read_text(encoding="utf-8"), encoding="utf-8")  # 2,768 bytes
    (corpus / "b.txt").write_text(SEEDS[4].read_text(encoding="utf-8"), encoding="utf-8")  # 2,413 bytes
    (corpus / "c-copy.txt").write_bytes((corpus / "a.txt").read_bytes())
    (corpus / "d-empty.txt").write_bytes(b"")
    (corpus / "e-big.txt").write_text(SEEDS[0].read_text(encoding="utf-8"), encoding="utf-8")  # 17,198
    wh = tmp_path / "counts.duckdb"
    s = run(corpus, wh, max_doc_mb=0.01, batch_size=batch_size)
    counts = ("docs_in", "docs_skipped", "docs_cleaned", "docs_quarantined", "docs_duplicates")
    assert tuple(s[k] for k in counts) == (5, 0, 2, 2, 1)
    with duckdb.connect(str(wh), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM documents").fetchone() == (2,)
        assert con.execute(f"SELECT {', '.join(counts)} FROM runs").fetchall() == [(5, 0, 2, 2, 1)]
        assert con.execute("SELECT reason FROM quarantine ORDER BY source").fetchall() == [
            ("duplicate_document",),
            ("empty",),
            ("too_large",),
        ]


def test_a_path_refused_at_listing_is_quarantined_once_while_it_stays_so(prefect_server, tmp_path):
    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "a.txt").write_text(SEEDS[2].read_text(encoding="utf-8"), encoding="utf-8")
    (corpus / "folder.txt").mkdir()  # a directory named like a document
    wh = tmp_path / "list.duckdb"

    def quarantined() -> list[tuple]:
        with duckdb.connect(str(wh), read_only=True) as con:
            return con.execute("SELECT source, reason FROM quarantine ORDER BY ALL").fetchall()

    assert run(corpus, wh)["docs_quarantined"] == 1
    assert run(corpus, wh)["docs_quarantined"] == 0
    assert quarantined() == [(str(corpus / "folder.txt"), "not_a_file")]
    s = run(corpus, wh, full_refresh=True)  # a full refresh reports everything again, in place
    assert s["docs_quarantined"] == 1
    assert quarantined() == [(str(corpus / "folder.txt"), "not_a_file")]
    with duckdb.connect(str(wh), read_only=True) as con:
        runs = con.execute("SELECT count(*) FROM runs").fetchone()
        files = con.execute("SELECT count(*), count(DISTINCT run_id) FROM source_files").fetchone()
    assert (runs, files) == ((3,), (1, 1))  # the history of runs stays; a.txt listed once, by the refresh


def test_near_duplicates_are_recorded_within_and_across_runs(prefect_server, tmp_path):
    seed = REPO / "seeds" / "002_3c9ed8aaf0bf1444.txt"
    corpus = make_corpus(tmp_path / "c", names=[seed])
    wh = tmp_path / "nd.duckdb"
    run(corpus, wh)
    make_corpus(corpus, copies=3, names=[seed])  # two edited copies of the same story arrive later
    s = run(corpus, wh)
    assert (s["docs_cleaned"], s["near_duplicates"]) == (2, 2)
    with duckdb.connect(str(wh), read_only=True) as con:
        rows = con.execute(
            """SELECT regexp_extract(d.source, '[^/]+$'), regexp_extract(o.source, '[^/]+$')
               FROM documents d LEFT JOIN documents o ON o.doc_id = d.duplicate_of ORDER BY 1"""
        ).fetchall()
    assert rows == [
        ("002_3c9ed8aaf0bf1444-ed1.txt", "002_3c9ed8aaf0bf1444.txt"),
        ("002_3c9ed8aaf0bf1444-ed2.txt", "002_3c9ed8aaf0bf1444.txt"),
        ("002_3c9ed8aaf0bf1444.txt", None),
    ]


def test_an_incremental_run_searches_near_duplicates_before_its_load(prefect_server, tmp_path, monkeypatch):
    """Once every batch has passed clean, the stale documents and near-duplicates are searched on a
    thread while entities and metrics run, and the load takes that search: once, with the same rows as
    a search at the load (EARLY_SEARCH_MAX_DOCS 0: not started early)."""
    import threading

    from flows import pipeline

    seed = REPO / "seeds" / "002_3c9ed8aaf0bf1444.txt"
    search = pipeline._near_duplicates
    where: list[str] = []

    def recorded(*args, **kwargs):
        where.append(threading.current_thread().name.rsplit("_", 1)[0])
        return search(*args, **kwargs)

    monkeypatch.setattr(pipeline, "_near_duplicates", recorded)
    snapshots = []
    for early in (pipeline.EARLY_SEARCH_MAX_DOCS, 0):
        monkeypatch.setattr(pipeline, "EARLY_SEARCH_MAX_DOCS", early)
        home = tmp_path / f"early{early}"
        corpus = make_corpus(home / "c", names=[seed])
        wh = home / "nd.duckdb"
        run(corpus, wh)
        make_corpus(corpus, copies=3, names=[seed])
        where.clear()
        loads: list[bool] = []
        load = pipeline._load_and_report

        def loading(*a, loads=loads, load=load, **k):
            loads.append(a[-1] is not None)  # (the early search's future, when it is taken)
            return load(*a, **k)

        monkeypatch.setattr(pipeline, "_load_and_report", loading)
        s = run(corpus, wh)
        monkeypatch.setattr(pipeline, "_load_and_report", load)
        assert (s["docs_cleaned"], s["near_duplicates"]) == (2, 2)
        # one search: the early one (its thread), or the load's own (near-duplicates pool, then too)
        assert where == ["near-duplicates"] and loads == [bool(early)]
        snapshots.append(repr(snapshot(wh)).replace(str(home), "HOME"))
    assert snapshots[0] == snapshots[1]


def test_an_early_search_is_taken_only_for_the_batches_that_load(tmp_path):
    from concurrent.futures import Future

    from flows import pipeline

    search = pipeline._EarlySearch.__new__(pipeline._EarlySearch)
    search.batches, search.future = [0, 1], Future()
    assert search.found([1, 0]) is search.future
    assert search.found([0]) is None  # a later stage stopped batch 1: the load searches again
    search.batches, search.future = None, None
    assert search.found([0, 1]) is None


def test_readers_keep_their_snapshot_during_a_run(prefect_server, tmp_path):
    corpus = make_corpus(tmp_path / "c", names=SEEDS[:2])
    wh = tmp_path / "r.duckdb"
    run(corpus, wh)
    reader = duckdb.connect(str(wh), read_only=True)
    assert reader.execute("SELECT count(*) FROM documents").fetchone() == (2,)
    make_corpus(corpus, names=SEEDS[2:])
    run(corpus, wh)  # commits while the reader has the warehouse open
    assert reader.execute("SELECT count(*) FROM documents").fetchone() == (2,)
    assert reader.execute("SELECT count(*) FROM mentions m JOIN documents d USING (doc_id)").fetchone()[0] > 0
    reader.close()
    with duckdb.connect(":memory:") as con:
        con.execute(f"ATTACH '{wh}' AS w (READ_ONLY)")
        assert con.execute("SELECT count(*) FROM w.documents").fetchone() == (5,)


def _wait_for(pattern: str, root: Path, proc: subprocess.Popen, timeout: float = 300) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        if any(root.glob(pattern)):
            return True
        time.sleep(0.01)
    return False


def _cli_run(
    corpus: Path, wh: Path, env: dict[str, str], stdout: int, stderr: int = subprocess.PIPE, *extra: str
) -> subprocess.Popen:
    """`quarry run` over `corpus` into `wh` in a real child process, batches of 2 files, no Data Docs."""
    cmd = [sys.executable, "-m", "flows.cli", "run", "--source", str(corpus), "--warehouse", str(wh)]
    return subprocess.Popen(
        [*cmd, "--batch-size", "2", "--no-data-docs", *extra], cwd=REPO, env=env, stdout=stdout, stderr=stderr
    )


@pytest.fixture(scope="module")
def kill_9_corpora(prefect_server, tmp_path_factory) -> tuple[Path, Path, dict[str, list[tuple]]]:
    """The corpora both kill -9 tests read (they only read them), and what a clean run makes of them:
    the first corpus, then the second, into a fresh warehouse."""
    tmp = tmp_path_factory.mktemp("kill-9")
    base = make_corpus(tmp / "base", names=SEEDS[:1])
    corpus = make_corpus(tmp / "big", copies=3)
    reference = tmp / "ref.duckdb"
    run(base, reference)
    run(corpus, reference)
    return base, corpus, snapshot(reference)


@pytest.mark.parametrize("phase", ["staging/*/b00003/metrics.parquet", "tables/mentions/*.parquet"])
def test_kill_9_mid_run_then_rerun_equals_a_clean_run(prefect_server, tmp_path, phase, kill_9_corpora):
    from prefect.settings import PREFECT_API_URL

    base, corpus, reference = kill_9_corpora
    wh = tmp_path / "crash.duckdb"
    run(base, wh)
    before = snapshot(wh)
    env = {**os.environ, "PREFECT_API_URL": PREFECT_API_URL.value(), "PREFECT_LOGGING_LEVEL": "WARNING"}
    proc = _cli_run(corpus, wh, env, subprocess.DEVNULL, subprocess.DEVNULL, "--workers", "1")
    try:
        seen = _wait_for(phase, Warehouse.at(wh).root, proc)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(30)
    assert seen, f"the run ended before reaching {phase}"
    assert snapshot(wh) == before  # nothing half-written: the previous consistent state
    s = run(corpus, wh)
    assert s["status"] == "succeeded"
    assert snapshot(wh) == reference
    leftovers = [p for p in Warehouse.at(wh).root.rglob("*") if p.is_file() and ".tmp" in p.name]
    assert leftovers == []


def test_task_runs_are_named_by_stage_and_batch_and_chained(prefect_server, tmp_path):
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    corpus = make_corpus(tmp_path / "c", names=SEEDS[:3])
    params = RunParameters(
        source=str(corpus), warehouse=str(tmp_path / "g.duckdb"), batch_size=2, data_docs=False
    )
    state = quarry_pipeline(params, return_state=True)
    assert state.is_completed()
    flow_run_id = state.state_details.flow_run_id
    with get_client(sync_client=True) as client:
        tasks = client.read_task_runs(flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[flow_run_id])))
    by_id = {t.id: t.name for t in tasks}

    def upstream(t) -> list[str]:
        return sorted({by_id[i.id] for inputs in t.task_inputs.values() for i in inputs if i.id in by_id})

    graph = {t.name: upstream(t) for t in tasks}
    assert graph == {
        "plan": [],
        "ingest[b0]": ["plan"],
        "clean[b0]": ["ingest[b0]"],
        "entities[b0]": ["clean[b0]"],
        "metrics[b0]": ["entities[b0]"],
        "ingest[b1]": ["plan"],
        "clean[b1]": ["ingest[b1]"],
        "entities[b1]": ["clean[b1]"],
        "metrics[b1]": ["entities[b1]"],
        "load": [],
    }
    # A stage is submitted only when its upstream has finished, so with two workers the second batch
    # starts at once instead of after a worker sat blocked in clean[b0] waiting for ingest[b0].
    times = {t.name: (t.start_time, t.end_time) for t in tasks}
    assert times["ingest[b1]"][0] < times["clean[b0]"][1]


@pytest.mark.parametrize(("wrap", "expected"), [("dict", {"first", "second"}), ("StageResult", {"first"})])
def test_a_stage_result_links_only_to_the_task_that_returned_it(prefect_server, wrap, expected):
    """Prefect draws a task's inputs by looking each value of its parameters up by id() among the run's
    results and their first-level values. Two batches' stats share the interned "stage" string, so a
    dict result also points at whichever task returned that string last (the wrong arrow the chained
    test above met now and then); a StageResult points only at its own task."""
    from uuid import UUID

    from prefect import flow, task
    from prefect.client.orchestration import get_client

    from flows.tasks import StageResult

    def result(batch: int) -> dict | StageResult:
        stats = {"stage": "ingest", "batch": batch}
        return stats if wrap == "dict" else StageResult(stats)

    @task(task_run_name="first")
    def first() -> dict | StageResult:
        return result(0)

    @task(task_run_name="second")
    def second() -> dict | StageResult:
        return result(1)

    @task(task_run_name="next")
    def after(upstream: dict | StageResult) -> None:
        return None

    @flow
    def chain() -> str:
        a = first.submit().result()
        second.submit().wait()
        fut = after.submit(a)
        fut.wait()
        return str(fut.task_run_id)

    next_id = chain()
    with get_client(sync_client=True) as client:
        run = client.read_task_run(UUID(next_id))
        upstream = {client.read_task_run(i.id).name for i in run.task_inputs["upstream"]}
    assert upstream == expected
    # and the stage tasks hand on a StageResult (what their `_stats` returns), not the dict
    from flows.tasks import _stats

    handed_on = _stats("ingest", 0, time.perf_counter(), 0.0, [], documents=3)
    stats = handed_on.stats
    assert (type(handed_on), stats["stage"], stats["documents"]) == (StageResult, "ingest", 3)


def test_a_locked_warehouse_is_refused_before_prefect_starts(tmp_path):
    """No Prefect server (no fixture, no PREFECT_API_URL): a run that got past the lock check would
    start a temporary one, which logs "Starting temporary server" to stderr; this one answers with its
    one line and nothing else. (No wall-clock bound: on a loaded 2-core machine the imports alone took
    13 s once; the single stderr line is the proof that Prefect never started.)"""
    from warehouse.catalog import write_lock

    corpus = make_corpus(tmp_path / "c", names=SEEDS[:1])
    wh = tmp_path / "busy.duckdb"
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    with write_lock(Warehouse.at(wh)):  # a run in progress, as another process would hold it
        out = subprocess.run(
            [sys.executable, "-m", "flows.cli", "run", "--source", str(corpus), "--warehouse", str(wh)],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert (out.returncode, out.stdout) == (2, "")
    [line] = out.stderr.splitlines()
    assert line.startswith(
        f"quarry: error: warehouse {wh} is locked by a running run (pid {os.getpid()} since "
    )
    assert line.endswith(
        "); wait for it to finish or wait longer for the lock (--lock-wait, or lock_wait_seconds in the "
        "Prefect run form)"
    )
    assert not any(Warehouse.at(wh).root.glob("staging/*"))


def test_progress_shows_in_a_terminal_and_not_in_a_pipe(prefect_server, tmp_path, capsys, monkeypatch):
    import pty

    from prefect.settings import PREFECT_API_URL

    corpus = make_corpus(tmp_path / "c")
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.setenv("TERM", "xterm")
    monkeypatch.delenv("QUARRY_NO_PROGRESS", raising=False)
    env = {**os.environ, "PREFECT_API_URL": PREFECT_API_URL.value()}
    master, slave = pty.openpty()
    proc = _cli_run(corpus, tmp_path / "tty.duckdb", env, slave)
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:  # EIO: the terminal's other end closed
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    assert proc.wait(120) == 0, proc.stderr.read()[-3000:] if proc.stderr else ""
    screen = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", b"".join(chunks).decode("utf-8", "replace"))
    # 5 files in 3 batches (2 + 2 + 1): each stage's line reaches all of them before the summary.
    sizes = sum(p.stat().st_size for p in corpus.iterdir())
    for stage in ("ingest", "clean", "entities", "metrics"):
        line = re.search(rf"{stage}\s+\S+\s+batch 3/3 5/5 docs ([\d.]+)/([\d.]+) kB", screen)
        assert line, screen[-3000:]
        assert line.group(1) == line.group(2) == f"{sizes / 1000:.1f}"
    assert "quarry run" in screen and "ETA" in screen

    # A pipe: the same run through main(argv) in this process, its stdout the pipe's writing end (the
    # console decides by isatty; a second process would only add its start-up).
    args = ["run", "--source", str(corpus), "--no-data-docs"]
    read_end, write_end = os.pipe()
    piped: list[str] = []
    with open(read_end, encoding="utf-8") as reader:
        drain = threading.Thread(target=lambda: piped.append(reader.read()), daemon=True)
        drain.start()
        capsys.readouterr()
        with open(write_end, "w", encoding="utf-8") as pipe, contextlib.redirect_stdout(pipe):
            code = cli.main([*args, "--warehouse", str(tmp_path / "pipe.duckdb"), "--batch-size", "2"])
        drain.join(30)
    assert code == 0, capsys.readouterr().err[-3000:]
    [text] = piped
    assert "quarry run" in text and "docs in" in text
    assert "batch 3/3" not in text and "ETA" not in text and "\x1b[" not in text


def test_a_refused_file_is_quarantined_once_not_every_night(prefect_server, tmp_path):
    corpus = make_corpus(tmp_path / "c", names=SEEDS[:1])
    (corpus / "empty.txt").write_bytes(b"")
    (corpus / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    wh = tmp_path / "q.duckdb"
    run(corpus, wh)
    s = run(corpus, wh)
    assert (s["files_unread"], s["docs_quarantined"]) == (3, 0)
    with duckdb.connect(str(wh), read_only=True) as con:
        rows = con.execute("SELECT source, reason FROM quarantine ORDER BY source").fetchall()
    assert [(Path(src).name, reason) for src, reason in rows] == [
        ("empty.txt", "empty"),
        ("image.txt", "binary"),
    ]


def test_a_run_with_no_new_documents_validates_nothing_renders_nothing_and_is_recorded(
    prefect_server, tmp_path, monkeypatch
):
    from flows import tasks

    corpus = make_corpus(tmp_path / "c", names=SEEDS[:2])
    wh = tmp_path / "n.duckdb"
    run(corpus, wh, data_docs=True)
    index = Warehouse.at(wh).docs_dir / "index.html"
    rendered = index.stat().st_mtime_ns
    validated: list[str] = []
    gate = tasks.gate
    monkeypatch.setattr(tasks, "gate", lambda table, *a, **k: validated.append(table) or gate(table, *a, **k))
    s = run(corpus, wh, data_docs=True)
    assert (s["docs_cleaned"], s["files_unread"], s["expectations_passed"], s["expectations_failed"]) == (
        0,
        2,
        0,
        0,
    )
    assert validated == []  # no suite, the metric suite included, ran
    assert index.stat().st_mtime_ns == rendered  # Data Docs left as they were
    with duckdb.connect(str(wh), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM runs").fetchone() == (2,)
        q = "SELECT count(*) FROM quality_results WHERE run_id = ?"
        assert con.execute(q, [s["run_id"]]).fetchone() == (0,)


def test_a_missing_source_is_reported_even_while_another_run_holds_the_lock(prefect_server, tmp_path):
    from prefect.exceptions import FailedRun

    from warehouse.catalog import write_lock

    wh = tmp_path / "busy.duckdb"
    missing = tmp_path / "no-such-dir"
    with write_lock(Warehouse.at(wh)), pytest.raises(FailedRun) as failed:
        run(missing, wh)
    assert str(failed.value).endswith(f"source {str(missing)!r} does not exist"), str(failed.value)


def test_an_unchanged_remote_file_is_not_downloaded_again(prefect_server, tmp_path):
    import fsspec

    fs = fsspec.filesystem("memory")
    root = f"/remote-{tmp_path.name}"
    for seed in SEEDS[:2]:
        fs.pipe_file(f"{root}/{seed.name}", seed.read_bytes())
    wh = tmp_path / "remote.duckdb"
    try:
        first = run(f"memory://{root}", wh)
        again = run(f"memory://{root}", wh)
        fs.pipe_file(f"{root}/{SEEDS[0].name}", SEEDS[2].read_bytes())  # rewritten: read again
        third = run(f"memory://{root}", wh)
    finally:
        fs.rm(root, recursive=True)
    assert (first["files_unread"], first["docs_cleaned"]) == (0, 2)
    assert (again["files_unread"], again["docs_cleaned"]) == (2, 0)
    assert (third["files_unread"], third["docs_cleaned"]) == (1, 1)


def test_an_unchanged_file_served_over_http_is_not_downloaded_again(prefect_server, tmp_path):
    """A real HTTP server (the standard library's, on loopback): its directory page lists the files and
    each file's Last-Modified header stands in for a modification time."""
    served = tmp_path / "served"
    served.mkdir()
    for seed in SEEDS[:2]:
        (served / seed.name).write_bytes(seed.read_bytes())
    wh = tmp_path / "http.duckdb"
    with served_over_http(served) as url:
        first = run(url, wh)
        again = run(url, wh)
        rewritten = served / SEEDS[0].name
        rewritten.write_bytes(SEEDS[2].read_bytes())
        os.utime(rewritten, (2_000_000_000, 2_000_000_000))  # a later Last-Modified
        third = run(url, wh)
    assert (first["files_unread"], first["docs_cleaned"]) == (0, 2)
    assert (again["files_unread"], again["docs_cleaned"]) == (2, 0)
    assert (third["files_unread"], third["docs_cleaned"]) == (1, 1)
    with duckdb.connect(str(wh), read_only=True) as con:
        sources = con.sql("SELECT source FROM documents ORDER BY 1").fetchall()
    assert sources == [(url + SEEDS[0].name,), (url + SEEDS[1].name,)]  # one document per file, as served


class _Panic(BaseException):
    """As pyo3's PanicException (a panic inside a Rust library such as polars): not an Exception."""


def test_a_batch_that_crashes_fails_alone_and_the_other_batches_land(prefect_server, tmp_path, monkeypatch):
    from flows import tasks

    corpus = make_corpus(tmp_path / "c", names=SEEDS[:4])
    crash_on = sorted(corpus.glob("*.txt"))[2].name  # in the second batch of two files each
    real = tasks.clean_t.clean_documents

    def clean_documents(raw, **kw):
        if any(s.endswith(crash_on) for s in raw.get_column("source").to_list()):
            raise _Panic("assertion failed: i < self.len()")
        return real(raw, **kw)

    monkeypatch.setattr(tasks.clean_t, "clean_documents", clean_documents)
    wh = tmp_path / "crash.duckdb"
    params = RunParameters(source=str(corpus), warehouse=str(wh), batch_size=2, data_docs=False)
    state = quarry_pipeline(params, return_state=True)
    assert state.is_failed()
    with duckdb.connect(str(wh), read_only=True) as con:
        assert con.sql("SELECT count(*) FROM documents").fetchall() == [(2,)]
        assert con.sql("SELECT status, message FROM runs").fetchall() == [
            ("failed", "batch 1 clean: crashed: _Panic: assertion failed: i < self.len()")
        ]


def test_an_unreachable_remote_source_is_retried_then_named_not_the_warehouse(prefect_server, tmp_path):
    from prefect.exceptions import FailedRun

    with pytest.raises(FailedRun) as failed:
        run("http://127.0.0.1:9/", tmp_path / "w.duckdb")  # the discard port: nothing listens
    assert str(failed.value).startswith("cannot read source 'http://127.0.0.1:9/': Cannot connect to host")


def test_the_thread_runner_keeps_its_worker_threads_for_the_next_run(prefect_server):
    """polars caches compiled regexes per thread: a run in a long-lived process reuses the last run's
    threads, unless that run ended with work still running (then its pool is shut down)."""
    from prefect import task

    from flows.pipeline import KeptThreadPoolTaskRunner

    release = threading.Event()

    @task
    def ident(wait: bool = False) -> threading.Thread | None:
        if wait:
            release.wait(10)
        return threading.current_thread()

    def run_once(wait: bool = False) -> threading.Thread | None:
        with KeptThreadPoolTaskRunner(max_workers=1) as runner:
            fut = runner.submit(ident, parameters={"wait": wait})
            if wait:
                return None  # leaves with the task still running
            return fut.result()

    first = run_once()
    assert run_once() is first
    assert run_once(wait=True) is None
    release.set()
    after = run_once()
    assert after is not first and after is not None
    assert run_once() is after
