"""Faults while writing: an unwritable warehouse, a full disk, a second run at once.

Each one ends the run with one clear line and a non-zero exit, and the warehouse keeps exactly its
last committed state: same catalog bytes, same rows, every file still readable. Tests run as root, so
`chmod` cannot make a directory unwritable; the faults here are ones the kernel enforces for root too
(a file where a directory must be, RLIMIT_FSIZE, an flock held by a live process).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import re
import resource
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
import pytest

from flows import cli
from flows.bench import generate_corpus
from flows.pipeline import RunParameters, quarry_pipeline
from warehouse.catalog import Warehouse

REPO = Path(__file__).resolve().parents[2]
SEEDS = sorted((REPO / "seeds").glob("*.txt"))
NO_DOCS = ("--no-data-docs",)
TABLES = ("documents", "sentences", "mentions", "metrics", "entities", "quarantine", "runs")


def _corpus(root: Path, seeds: list[Path]) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for s in seeds:
        shutil.copy(s, root / s.name)
    return root


def state(wh: Path) -> dict:
    """The catalog's bytes and every table's rows: what a reader of the warehouse can see."""
    out: dict = {"catalog": hashlib.sha256(wh.read_bytes()).hexdigest()}
    with duckdb.connect(":memory:") as con:
        con.execute(f"ATTACH '{wh}' AS w (READ_ONLY)")
        for t in TABLES:
            out[t] = con.execute(f"SELECT * FROM w.{t} ORDER BY ALL").fetchall()
    return out


def quarry_run(source: Path, wh: Path, *extra: str, preexec=None) -> subprocess.CompletedProcess:  # noqa: ANN001
    """`quarry run` in a child process on the session's Prefect server. No Data Docs (NO_DOCS) in this
    file: none of its faults is about them, and they are ~30% of a small run's CPU."""
    from prefect.settings import PREFECT_API_URL

    env = {**os.environ, "PREFECT_API_URL": PREFECT_API_URL.value(), "PREFECT_LOGGING_LEVEL": "WARNING"}
    return subprocess.run(
        [sys.executable, "-m", "flows.cli", "run", "--source", str(source), "--warehouse", str(wh)]
        + [*NO_DOCS, *extra],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        preexec_fn=preexec,
    )


def quarry_main(source: Path, wh: Path, capsys: pytest.CaptureFixture[str]) -> subprocess.CompletedProcess:
    """`quarry run` through the CLI's main(argv) in this process, on the session's Prefect server, for
    faults that are about the warehouse, not the process (no Python, Prefect and GX start-up to pay):
    its exit code and what it printed."""
    args = ["run", "--source", str(source), "--warehouse", str(wh), *NO_DOCS]
    capsys.readouterr()
    code = cli.main(args)
    out = capsys.readouterr()
    return subprocess.CompletedProcess(args, code, out.out, out.err)


def assert_one_clear_line(out: subprocess.CompletedProcess, *phrases: str) -> None:
    """Exit 2 and a last stderr line `quarry: error: ...` naming the cause (after Prefect's log)."""
    assert out.returncode == 2, (out.returncode, out.stderr[-3000:])
    last = out.stderr.strip().splitlines()[-1]
    assert last.startswith("quarry: error: "), out.stderr[-3000:]
    for p in phrases:
        assert p in last, last


@pytest.fixture
def loaded(prefect_server, tmp_path) -> tuple[Path, Path, dict]:
    """A warehouse holding the three short seeds, the corpus of the next run (all seeds), its state."""
    wh = tmp_path / "w.duckdb"
    first = _corpus(tmp_path / "first", SEEDS[2:])
    quarry_pipeline(RunParameters(source=str(first), warehouse=str(wh), data_docs=False))
    return wh, _corpus(tmp_path / "all", SEEDS), state(wh)


def _files(wh: Path) -> set[str]:
    return {str(p) for p in Warehouse.at(wh).tables_dir.rglob("*") if p.is_file()}


def _recovers(wh: Path, corpus: Path, files_before: set[str]) -> None:
    """The next ordinary run succeeds and removes whatever the failed one left behind."""
    # in this process, on the session's server: recovery is about the warehouse, not the process
    s = quarry_pipeline(RunParameters(source=str(corpus), warehouse=str(wh), data_docs=False))
    assert (s["status"], s["docs_cleaned"]) == ("succeeded", len(SEEDS) - len(SEEDS[2:]))
    w = Warehouse.at(wh)
    with duckdb.connect(str(wh), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM documents").fetchone() == (len(SEEDS),)
        referenced = {r[0] for r in con.execute("SELECT path FROM _manifest").fetchall()}
    # Unreferenced files may only be ones this run superseded (they go at the start of the next run).
    assert _files(wh) - referenced <= files_before
    assert not list(wh.parent.glob(f".{wh.name}.*tmp*"))
    assert not [p for p in w.root.rglob("*") if ".tmp" in p.name]


@pytest.mark.parametrize("blocker", ["staging_is_a_file", "lock_is_a_directory"])
def test_unwritable_warehouse_fails_with_one_line_and_keeps_its_state(loaded, blocker, capsys):
    wh, corpus, before = loaded
    w = Warehouse.at(wh)
    files_before = _files(wh)
    # root ignores permission bits, but not a file where a directory must be (or the reverse).
    if blocker == "staging_is_a_file":
        shutil.rmtree(w.staging_dir, ignore_errors=True)
        w.staging_dir.write_text("not a directory")
    else:
        (w.root / ".lock").unlink(missing_ok=True)
        (w.root / ".lock").mkdir()
    out = quarry_main(corpus, wh, capsys)
    assert_one_clear_line(out, "cannot write to warehouse", str(wh))
    assert state(wh) == before
    if blocker == "staging_is_a_file":
        w.staging_dir.unlink()
    else:
        (w.root / ".lock").rmdir()
    _recovers(wh, corpus, files_before)


@pytest.fixture(scope="module")
def under_a_file(prefect_server, tmp_path_factory) -> subprocess.CompletedProcess:
    """`quarry run` into a warehouse whose parent is a file: one process, read by the next two tests."""
    tmp = tmp_path_factory.mktemp("under-a-file")
    (tmp / "plain").write_text("a file, not a directory")
    return quarry_run(_corpus(tmp / "c", SEEDS[:1]), tmp / "plain" / "w.duckdb")


def test_warehouse_under_a_file_fails_with_one_line(under_a_file):
    assert_one_clear_line(under_a_file, "cannot write to warehouse", "Not a directory")


def test_failed_run_prints_no_traceback(under_a_file):
    out = under_a_file
    assert out.returncode == 2
    assert "Traceback" not in out.stderr, out.stderr[-3000:]


def _file_size_limit(limit: int):  # noqa: ANN202 - a preexec_fn
    def apply() -> None:
        # Past the limit write() fails with EFBIG instead of the process being killed by SIGXFSZ.
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


def test_disk_full_during_commit_keeps_the_previous_catalog(loaded):
    wh, corpus, before = loaded
    files_before = _files(wh)
    # The Parquet files of this corpus are < 64 KB, a DuckDB catalog > 256 KB: the commit's new catalog
    # cannot be written, as on a disk that fills up at the last step.
    out = quarry_run(corpus, wh, preexec=_file_size_limit(256 * 1024))
    assert_one_clear_line(out, "cannot write to warehouse", "File too large", "last committed state")
    assert state(wh) == before
    _recovers(wh, corpus, files_before)


def test_disk_full_while_staging_fails_the_run_cleanly(loaded):
    wh, corpus, before = loaded
    # 12 KB: a batch's staged files (its GX results first) cannot be written.
    out = quarry_run(corpus, wh, "--batch-size", "1", preexec=_file_size_limit(12 * 1024))
    # The batches fail while staging; the run's bookkeeping (runs, quality results) cannot be
    # committed either (a catalog is > 12 KB), so the run ends as a warehouse write failure: exit 2.
    assert re.search(
        r"Task run '(ingest|clean|entities|metrics)\[b\d+\]' - Finished in state Failed\(.*File too large",
        out.stderr,
    ), out.stderr[-3000:]
    assert_one_clear_line(out, "cannot write to warehouse", "File too large", "last committed state")
    assert state(wh) == before  # not even the failed run's `runs` row: nothing was committed


def test_second_concurrent_run_is_refused_with_the_lock_message(loaded):
    from prefect.settings import PREFECT_API_URL

    wh, corpus, before = loaded
    w = Warehouse.at(wh)
    env = {**os.environ, "PREFECT_API_URL": PREFECT_API_URL.value(), "PREFECT_LOGGING_LEVEL": "WARNING"}
    first = subprocess.Popen(
        [sys.executable, "-m", "flows.cli", "run", "--source", str(corpus), "--warehouse", str(wh)]
        + [*NO_DOCS],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 300
        while not any(w.staging_dir.glob("*")) and first.poll() is None and time.monotonic() < deadline:
            time.sleep(0.01)
        assert first.poll() is None, "the first run ended before it was seen holding the lock"
        os.kill(first.pid, signal.SIGSTOP)  # hold it mid-run, lock taken, so the overlap is certain
        try:
            second = quarry_run(corpus, wh)
        finally:
            os.kill(first.pid, signal.SIGCONT)
        out, err = first.communicate(timeout=600)
    finally:
        if first.poll() is None:
            first.kill()
            first.wait(30)
    assert_one_clear_line(second, "is locked by a running run", f"pid {first.pid}")
    assert first.returncode == 0, err[-3000:]
    with duckdb.connect(str(wh), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM documents").fetchone() == (len(SEEDS),)
        assert con.execute("SELECT count(*) FROM runs").fetchone() == (len(before["runs"]) + 1,)


class _OnRetry(logging.Handler):
    """Calls `fix` when Prefect announces the first retry of a task that failed with `cause`."""

    def __init__(self, cause: str, fix) -> None:  # noqa: ANN001 - a callable
        super().__init__(logging.INFO)
        self.cause, self.fix, self.seen = cause, fix, []

    def emit(self, record: logging.LogRecord) -> None:
        msg = record.getMessage()
        if "Retry 1/" in msg and self.cause in msg:
            self.seen.append(msg)
            self.fix()


def test_io_task_retries_a_transient_fault(prefect_server, tmp_path):
    """A network filesystem that drops the connection on the first listing (an OSError, as a flaky
    share does): `plan` is retried and the run succeeds instead of failing. User mistakes (a source that
    does not exist) are not retried: tests/flows/test_deployment.py."""
    import fsspec
    from fsspec.implementations.memory import MemoryFileSystem

    class FlakyFileSystem(MemoryFileSystem):
        protocol = "flaky"
        failures = 1

        @classmethod
        def _strip_protocol(cls, path):  # noqa: ANN001, ANN206 - fsspec's signature
            return super()._strip_protocol(path.removeprefix("flaky://"))

        def isdir(self, path):  # noqa: ANN001, ANN201 - fsspec's signature
            if FlakyFileSystem.failures:
                FlakyFileSystem.failures -= 1
                raise ConnectionResetError(104, "Connection reset by peer")
            return super().isdir(path)

    fsspec.register_implementation("flaky", FlakyFileSystem, clobber=True)
    fs = fsspec.filesystem("flaky")
    fs.pipe_file("/retry-corpus/story.txt", SEEDS[3].read_bytes())
    wh = tmp_path / "w.duckdb"
    on_retry = _OnRetry("Connection reset by peer", lambda: None)
    logger = logging.getLogger("prefect.task_runs")  # Prefect's task-run logger announces retries
    level = logger.level
    logger.setLevel(logging.INFO)
    logger.addHandler(on_retry)
    try:
        s = quarry_pipeline(RunParameters(source="flaky://retry-corpus", warehouse=str(wh), data_docs=False))
    finally:
        logger.removeHandler(on_retry)
        logger.setLevel(level)
        fs.rm("/retry-corpus", recursive=True)
    [msg] = on_retry.seen
    assert msg.startswith(
        "Task run failed with exception: SourceUnavailable(\"cannot read source 'flaky://retry-corpus': "
        '[Errno 104] Connection reset by peer") - Retry 1/2'
    )
    assert (s["status"], s["docs_in"], s["docs_cleaned"]) == ("succeeded", 1, 1)
    with duckdb.connect(str(wh), read_only=True) as con:
        assert con.execute("SELECT source FROM documents").fetchall() == [
            ("flaky:///retry-corpus/story.txt",)
        ]


@pytest.fixture(scope="module")
def news(tmp_path_factory) -> Path:
    """400 synthetic documents (`quarry gen-corpus --docs 400`, written in this process): a run long
    enough to be signalled mid-way. Read, never written, by both SIGTERM tests."""
    corpus = tmp_path_factory.mktemp("sigterm") / "news"
    generate_corpus(corpus, 400, 7, None)
    return corpus


@pytest.mark.parametrize("to_group", [False, True], ids=["process", "group"])
def test_sigterm_ends_the_run_as_ctrl_c_does_and_stops_the_temporary_server(tmp_path, to_group, news):
    """SIGTERM (a cron/systemd/Kubernetes timeout) ended the process at once: its temporary Prefect
    server (uvicorn, ~220 MB) lived on with no parent after every killed nightly run. Now the run
    unwinds as for Ctrl-C: one line, exit 143, the server stopped, the warehouse as before the run.

    `to_group`: the signal goes to the run's whole process group, as GNU `timeout` sends it. The server
    was in that group, died first, and the unwinding run retried its API calls against it for ~145 s
    (httpx.ConnectError tracebacks, "Error logging to API"); it now has a session of its own."""
    import psutil

    corpus = news
    wh = tmp_path / "wh.duckdb"
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}  # its own temporary server
    run = subprocess.Popen(
        [
            str(REPO / ".venv/bin/quarry"),
            "run",
            "--source",
            str(corpus),
            "--warehouse",
            str(wh),
            "--no-data-docs",
        ],
        env={**env, "PREFECT_LOGGING_LEVEL": "INFO"},
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=to_group,  # a group of its own, for this test to signal as a whole
    )
    # A thread reads stderr: a server left behind keeps the pipe open, and a read to its end would hang.
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(run.stderr), daemon=True)
    reader.start()
    children: set[int] = set()
    deadline = time.monotonic() + 300
    # the group case waits for the batch tasks: a signal there took the ~145 s (at the flow's start, not)
    begun = "Task run 'ingest" if to_group else "Beginning flow run"
    while time.monotonic() < deadline and not any(begun in x for x in lines):
        children |= {c.pid for c in psutil.Process(run.pid).children(recursive=True)}
        time.sleep(0.1)
    children |= {c.pid for c in psutil.Process(run.pid).children(recursive=True)}
    assert children, "".join(lines)  # the flow has begun: the temporary server is up and answering
    if to_group:
        os.killpg(run.pid, signal.SIGTERM)
    else:
        run.send_signal(signal.SIGTERM)
    # within seconds: the run unwinds against a live server
    try:
        status = run.wait(30)
    except subprocess.TimeoutExpired:
        run.kill()
        reader.join(30)
        raise AssertionError("still running 30 s after SIGTERM:\n" + "".join(lines)[-5000:]) from None
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and any(psutil.pid_exists(p) for p in children):
        time.sleep(0.2)
    alive = [
        p for p in children if psutil.pid_exists(p) and psutil.Process(p).status() != psutil.STATUS_ZOMBIE
    ]
    for p in alive:  # don't leave it running for the rest of the suite
        psutil.Process(p).kill()
    assert alive == []
    reader.join(30)
    assert status == 143, "".join(lines)[-5000:]
    assert "quarry: terminated (SIGTERM)\n" in lines
    assert not any("Traceback" in x or "Error logging to API" in x for x in lines)
    assert not wh.exists() or Warehouse.at(wh).exists()


_SIGTERM_AT = """
import atexit, os, signal, sys, threading, time
from warehouse import reference, run_state
where = os.environ["SIGTERM_AT"]

# The prewarm's loading made slow (its last step, on its own thread): a SIGTERM at the first batch
# comes while it still runs. A daemon thread still loading when the interpreter exits was seen to
# abort the process (C++ "terminate called without an active exception", -6): the CLI must wait.
words = reference.load_word_frequencies
def slow_words():
    if threading.current_thread().name == "quarry-prewarm":
        time.sleep(3)
    return words()
reference.load_word_frequencies = slow_words

def loading_left():
    for t in threading.enumerate():
        if t.name in ("quarry-prewarm", "gx-warm-up") and t.is_alive():
            print(f"still loading at exit: {t.name}", file=sys.stderr)
atexit.register(loading_left)

def sigterm():
    os.kill(os.getpid(), signal.SIGTERM)
    for _ in range(1000):  # bytecodes still in this frame: Python runs the handler here, not later
        pass

class Finalized:
    def __del__(self):
        sigterm()

update = run_state.RunMarker.update
def signalled(self, **changes):
    update(self, **changes)
    if changes.get("stage") == "clean":  # the main thread, handing batch 0 on from ingest to clean
        if where == "handover":
            sigterm()
        elif where == "finalizer":
            Finalized()  # dropped at once: its __del__ runs here
run_state.RunMarker.update = signalled

remove = run_state.RunMarker.remove
def committed(self):
    remove(self)
    if where == "committed":  # right after the commit: no safe point of the flow is left
        sigterm()
run_state.RunMarker.remove = committed

from flows import cli
sys.exit(cli.main(sys.argv[1:]))
"""


@pytest.mark.parametrize("where", ["handover", "finalizer", "committed"])
def test_sigterm_wherever_it_lands_in_the_flow_ends_the_run_with_143(prefect_server, tmp_path, where):
    """Prefect's SIGTERM handler raised TerminationSignal in the main thread wherever it stood:
    - `handover`: in the batch loop handing a batch to its next stage, it was taken for that batch's
      failure: the run loaded the other batches and exited 1 (a fresh-clone CI run caught it);
    - `finalizer`: in a `__del__` (or a weakref callback), Python printed "Exception ignored" and
      dropped it: the run committed and exited 0 (seen under CPU load; a weakref callback of
      Prefect's at the flow's start).
    The signal is now recorded and acted on at the flow's next safe point (flows.termination), or, as
    `committed` checks, when the flow call returns if it came after the last one: the run has landed,
    and the process still ends as asked. It is sent here from those exact points, a real SIGTERM to
    the real CLI, reporting to the suite's Prefect server (the temporary server's own SIGTERM handling
    is the test above)."""
    from prefect.settings import PREFECT_API_URL

    src = tmp_path / "src"
    src.mkdir()
    for i in range(4):
        (src / f"d{i}.txt").write_text(f"Story {i}. Acme Corp said revenue rose 5% to $2 billion. " * 4)
    wh = tmp_path / "wh.duckdb"
    env = {**os.environ, "PREFECT_API_URL": PREFECT_API_URL.value()}
    done = subprocess.run(
        [sys.executable, "-c", _SIGTERM_AT, "run", "--source", str(src), "--warehouse", str(wh)]
        + ["--no-data-docs", "--batch-size", "2"],
        env={**env, "SIGTERM_AT": where},
        capture_output=True,
        text=True,
        timeout=300,
        cwd=REPO,
    )
    assert (done.returncode, done.stderr.splitlines()[-1]) == (143, "quarry: terminated (SIGTERM)"), (
        done.stderr
    )
    assert "Exception ignored" not in done.stderr
    if where == "committed":  # the warehouse as after the run
        with duckdb.connect(str(wh), read_only=True) as con:
            assert con.execute("SELECT count(*) FROM documents").fetchone() == (4,)
    else:  # as before the run: none (a first run), so no catalog was committed
        assert (wh.exists(), Warehouse.at(wh).exists()) == (False, False)


def _markers(wh: Path) -> list[dict]:
    from warehouse import run_state

    return [json.loads(p.read_text()) for p in sorted(run_state.state_dir(Warehouse.at(wh)).glob("*.json"))]


def _runs(wh: Path) -> list[tuple]:
    with duckdb.connect(str(wh), read_only=True) as con:
        return con.execute(
            "SELECT run_id, status, message, docs_in, docs_cleaned, mentions, docs_duplicates, stage_seconds "
            "FROM runs ORDER BY started_at"
        ).fetchall()


def test_a_killed_run_is_recorded_as_interrupted_by_the_next_run(loaded):
    """SIGKILL (or the OOM killer) mid-run left no trace in `runs`. The run's marker outlives it: the next
    run commits its `runs` row (status `interrupted`, the stage it reached, counts 0) before its own,
    and the killed run's tables are as before it."""
    from prefect.settings import PREFECT_API_URL

    wh, corpus, before = loaded
    env = {**os.environ, "PREFECT_API_URL": PREFECT_API_URL.value(), "PREFECT_LOGGING_LEVEL": "WARNING"}
    cmd = [sys.executable, "-m", "flows.cli", "run", "--source", str(corpus), "--warehouse", str(wh)]
    proc = subprocess.Popen(
        [*cmd, "--batch-size", "1", "--workers", "1"],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and proc.poll() is None:
            seen = [m for m in _markers(wh) if m["stage"] in ("clean", "entities", "metrics")]
            if seen:
                break
            time.sleep(0.005)
        assert proc.poll() is None, "the run ended before it was seen past its ingest"
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(30)
    assert proc.returncode == -signal.SIGKILL
    [m] = _markers(wh)  # read after the kill: the stage it had reached
    assert (m["pid"], m["status"], m["source"]) == (proc.pid, "interrupted", str(corpus))
    assert m["stage"] in ("clean", "entities", "metrics")
    assert state(wh) == before  # nothing of the killed run, not even a row

    s = quarry_pipeline(RunParameters(source=str(corpus), warehouse=str(wh)))
    assert (s["status"], s["docs_cleaned"]) == ("succeeded", 2)
    first, killed, last = _runs(wh)
    assert first[1:] == ("succeeded", None, 3, 3, *first[5:7], first[7])
    assert killed == (
        m["run_id"],
        "interrupted",
        f"interrupted during {m['stage']} (killed, Ctrl-C or SIGTERM) before its commit: "
        "nothing of it was loaded",
        0,
        0,
        0,
        0,
        "{}",
    )
    assert (last[0], last[1:5]) == (s["run_id"], ("succeeded", None, 5, 2))
    with duckdb.connect(str(wh), read_only=True) as con:
        assert con.execute("SELECT started_at FROM runs WHERE run_id = ?", [m["run_id"]]).fetchone() == (
            dt.datetime.fromisoformat(m["started_at"]),
        )
        assert con.execute("SELECT count(*) FROM documents").fetchone() == (len(SEEDS),)
    assert _markers(wh) == []


@pytest.mark.parametrize("fault", ["ctrl_c", "error", "after_commit"])
def test_a_run_stopped_in_the_flow_is_recorded_once_by_the_next_run_or_listing(
    loaded, monkeypatch, capsys, fault
):
    """Ctrl-C at the load (a KeyboardInterrupt, as in a notebook: the same process, still alive) and an
    error that is not the user's: their marker stays, and `quarry runs` records them (`interrupted`,
    or `failed` with the error). A run killed between its commit and its marker's removal has its row:
    it is not recorded a second time."""
    from flows import pipeline
    from warehouse import run_state

    wh, corpus, before = loaded

    def stop(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt if fault == "ctrl_c" else RuntimeError("the index is on fire")

    if fault == "after_commit":
        monkeypatch.setattr(run_state.RunMarker, "remove", lambda self: None)
        quarry_pipeline(RunParameters(source=str(corpus), warehouse=str(wh)))
    else:
        monkeypatch.setattr(pipeline, "load_run", stop)
        with pytest.raises(KeyboardInterrupt if fault == "ctrl_c" else RuntimeError):
            quarry_pipeline(RunParameters(source=str(corpus), warehouse=str(wh)))
        assert state(wh) == before
    monkeypatch.undo()
    [m] = _markers(wh)
    assert m["stage"] == "load"
    capsys.readouterr()
    assert cli.main(["runs", "--warehouse", str(wh), "--limit", "5"]) == 0
    assert m["run_id"] in capsys.readouterr().out
    assert _markers(wh) == []
    rows = _runs(wh)
    if fault == "after_commit":
        assert [(r[0], r[1]) for r in rows[1:]] == [(m["run_id"], "succeeded")]
        return
    message = (
        "interrupted during load (killed, Ctrl-C or SIGTERM) before its commit: nothing of it was loaded"
        if fault == "ctrl_c"
        else "failed during load: RuntimeError: the index is on fire"
    )
    status = "interrupted" if fault == "ctrl_c" else "failed"
    assert rows[1:] == [(m["run_id"], status, message, 0, 0, 0, 0, "{}")]
    _recovers(wh, corpus, _files(wh))
    assert [r[1] for r in _runs(wh)] == ["succeeded", status, "succeeded"]


def _servers(pid: int) -> set[int]:
    """The uvicorn processes under `pid` (other children come and go: one may be a zombie already)."""
    import psutil

    found = set()
    try:
        children = psutil.Process(pid).children(recursive=True)
    except psutil.Error:
        return found
    for c in children:
        try:
            if "uvicorn" in c.cmdline():
                found.add(c.pid)
        except psutil.Error:
            pass
    return found


def test_sigkill_of_a_run_stops_its_temporary_server(tmp_path, news):
    """SIGKILL (or the OOM killer) gives a run no chance to stop its temporary Prefect server (Prefect
    stops it in an atexit hook): it lived on, ~220 MB with no parent, after every killed run. It now
    dies with the run (PR_SET_PDEATHSIG)."""
    import psutil

    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}  # its own temporary server
    run = subprocess.Popen(
        [str(REPO / ".venv/bin/quarry"), "run", "--source", str(news), "--warehouse", str(tmp_path / "w")],
        env={**env, "PREFECT_LOGGING_LEVEL": "INFO"},
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(run.stderr), daemon=True)
    reader.start()
    servers: set[int] = set()
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and not any("Beginning flow run" in x for x in lines):
        servers |= _servers(run.pid)
        time.sleep(0.1)
    assert run.poll() is None and len(servers) == 1, "".join(lines)  # up, and answering the flow
    run.kill()
    assert run.wait(30) == -signal.SIGKILL
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and any(psutil.pid_exists(p) for p in servers):
        time.sleep(0.2)
    alive = [
        p for p in servers if psutil.pid_exists(p) and psutil.Process(p).status() != psutil.STATUS_ZOMBIE
    ]
    for p in alive:  # don't leave it running for the rest of the suite
        psutil.Process(p).kill()
    assert alive == []
