"""The `quarry-pipeline` flow: ingest → clean → entities → metrics per batch, then one atomic load."""

from __future__ import annotations

import datetime as dt
import functools
import json
import logging
import multiprocessing
import os
import queue
import shutil
import subprocess
import sys
import threading
import time
import types
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
from prefect import Flow, get_run_logger
from prefect.client.schemas.objects import TaskRunResult
from prefect.exceptions import ExternalSignal, FailedRun
from prefect.futures import PrefectFuture
from prefect.states import Failed
from prefect.task_runners import ProcessPoolTaskRunner, ThreadPoolTaskRunner

from expectations.docs import build_data_docs
from expectations.gate import wait_for_warm_up, warm_up
from flows.params import RunParameters, flow_docstring, flow_signature
from flows.reporting import publish, quality_markdown
from flows.tasks import (
    DUPLICATE_DOCUMENT,
    GATE_FAILED,
    RunContext,
    clean_batch,
    entities_batch,
    gazetteer,
    ingest_batch,
    io_task,
    metrics_batch,
    quarantine_counts,
    registry_path,
)
from flows.termination import defer_prefect_sigterm, deliver_pending, stop_if_signalled
from transforms import clean as clean_t
from transforms import dedup as dedup_t
from transforms import ingest as ingest_t
from transforms import metrics as metrics_t
from transforms import registry as registry_t
from warehouse import catalog, reference, run_state, sources
from warehouse.catalog import Warehouse, WarehouseError
from warehouse.files import empty, read_table
from warehouse.load import (
    VERSION_COLUMNS,
    Logs,
    compact,
    compact_tiers,
    file_counts,
    known_documents,
    later_copy_rows,
    load_logs,
    load_run,
    read_candidate_signatures,
    shared_with_unchanged,
    unaffected_by_edits,
    unchanged_sources,
)
from warehouse.schemas import (
    DOC_SIGNATURES,
    DOCUMENTS,
    ENTITIES,
    MENTIONS,
    METRICS,
    NO_DOCUMENT,
    QUALITY_RESULTS,
    QUARANTINE,
    RUNS,
    SOURCE_FILES,
)

STAGES = ("ingest", "clean", "entities", "metrics")
STAGE_TASKS = (ingest_batch, clean_batch, entities_batch, metrics_batch)
# The least raw bytes worth a batch of its own when a run is split across workers.
MIN_SPLIT_BYTES = 2_000_000


# Progress observers: called as observer(event, **data) from the flow's thread and from the threads
# that complete task futures. Events: "plan" (batches=[(files, bytes), ...]) once the work is cut,
# "stage" (stage, batch, files, bytes) when a batch's stage has finished (whatever its state).
ProgressObserver = Callable[..., None]
_observers: list[ProgressObserver] = []


@contextmanager
def observe_progress(observer: ProgressObserver) -> Iterator[None]:
    """Call `observer` with the progress events of runs in this process while the block runs."""
    _observers.append(observer)
    try:
        yield
    finally:
        _observers.remove(observer)


def _emit(event: str, **data: Any) -> None:
    for observer in list(_observers):
        try:
            observer(event, **data)
        except Exception:  # noqa: BLE001 - a display must never break a run
            pass


class PipelineFailed(RuntimeError):
    """At least one batch failed a critical gate or a stage; the message names why."""

    def __init__(self, message: str, summary: dict[str, Any]):
        self.summary = summary
        super().__init__(message)


@io_task("plan", "plan")
def plan(
    params: RunParameters, wh_path: str, run_id: str, staging: str, known_path: str, workers: int = 1
) -> tuple[list[list[sources.SourceRef]], list[dict], int, int, int]:
    """List the source, record what the warehouse already holds, and cut the work into batches.

    On Dask with `workers` > 1 the batches are cut at most 1/workers of the files and bytes each, so
    every worker gets a batch (16 MB or 5,000 files per batch would otherwise leave all but one idle).
    With local workers (threads, processes) there are at least `workers` batches of even size (a 10 MB
    run on 2 threads was one batch on one thread), unless they would fall under MIN_SPLIT_BYTES."""
    wh = Warehouse.at(wh_path)
    try:
        refs, rejects = sources.list_sources(params.source)
    except sources.SourceError as exc:
        if isinstance(exc, OSError):  # SourceUnavailable: a network fault, retried by io_task
            raise
        # the user's mistake: a failed state with the one-line reason, not a retried traceback
        return Failed(message=str(exc), data=exc)  # type: ignore[return-value]
    if rejects and not params.full_refresh:
        # A path refused at listing (a symlink out of the source, a directory named like a document) is
        # refused the same way every night while it stays so: quarantined once, not once per run.
        named = pl.Series([r["source"] for r in rejects], dtype=pl.String).implode()
        seen = set(
            catalog.scan(wh, QUARANTINE.name)
            .filter((pl.col("stage") == "ingest") & pl.col("source").is_in(named))
            .select("source", "reason")
            .unique()
            .collect()
            .rows()
        )
        rejects = [r for r in rejects if (r["source"], r["reason"]) not in seen]
    known = (
        known_documents(wh)
        if not params.full_refresh
        else pl.DataFrame(schema={"doc_id": pl.String, **{c: pl.String for c in VERSION_COLUMNS}})
    )
    current = {
        "clean_version": clean_t.CLEAN_VERSION,
        "gazetteer_version": gazetteer(params.gazetteer)[2],
        "extractor_version": metrics_t.EXTRACTOR_VERSION,
    }
    # Documents processed with other versions are not "known": they are reprocessed and replaced; after
    # a `quarry entities promote/reject`, only the documents the edit can change.
    same = pl.all_horizontal([pl.col(c).is_null() | (pl.col(c) == v) for c, v in current.items()])
    others = [pl.col(c) == v for c, v in current.items() if c != "gazetteer_version"]
    edited = known.filter(~same & pl.all_horizontal(others))
    if edited.height:
        untouched = unaffected_by_edits(
            wh, edited, current["gazetteer_version"], reference.load_edits(params.gazetteer)
        )
        same = same | pl.col("doc_id").is_in(pl.Series(untouched, dtype=pl.String).implode())
    stale = known.filter(~same).height
    Path(staging).mkdir(parents=True, exist_ok=True)
    known = known.filter(same)
    # The registry as this run starts: names learnt by earlier runs, recognised without their cue. The
    # documents' entity version does not name it (a growing registry must not reprocess everything).
    learnt = catalog.scan(wh, ENTITIES.name).collect() if not params.full_refresh else empty(ENTITIES)
    registry = registry_t.recognisable(learnt)
    ordinary = reference.ordinary_words(
        registry.get_column("name").to_list(), registry_t.ORDINARY_WORD_ZIPF, registry_t.NAME_MAX_ENGLISH_LEAD
    )
    registry_t.recognisable(learnt, ordinary_words=ordinary).write_parquet(registry_path(staging))
    unread = unread_docs = 0
    if not params.full_refresh and refs:
        # A nightly refresh does not even open a file it has ingested before and that has not changed.
        listed = sources.file_stats(refs)
        unchanged = unchanged_sources(wh, listed, known, int(params.max_doc_mb * 1e6))
        # An unchanged exact copy of a changed file's old document (quarantined as its duplicate) is
        # read again: the document leaves with the changed file's old version and stays as the copy's.
        shared = shared_with_unchanged(wh, listed, unchanged)
        if shared:
            known = known.filter(~pl.col("doc_id").is_in(pl.Series(shared, dtype=pl.String).implode()))
            unchanged = unchanged_sources(wh, listed, known, int(params.max_doc_mb * 1e6))
        skip = set(unchanged.get_column("source").to_list())
        unread, unread_docs = len(skip), int(unchanged.get_column("documents").sum())
        refs = [r for r in refs if r.path not in skip]
    known.write_parquet(known_path)
    batch_size, batch_bytes = params.batch_size, int(params.batch_mb * 1e6)
    parts = 1
    if params.task_runner == "dask" and workers > 1 and refs:
        # A cluster's workers may be other machines: every one gets a batch, however small the run.
        batch_size = min(batch_size, -(-len(refs) // workers))
        batch_bytes = min(batch_bytes, max(1, -(-sum(r.size for r in refs) // workers)))
    elif refs:
        # Local workers: one batch each at least, but not below MIN_SPLIT_BYTES a batch (a small
        # incremental run gains nothing from a split and would pay every batch's fixed gate cost twice).
        parts = min(workers, -(-sum(r.size for r in refs) // MIN_SPLIT_BYTES))
    batches = sources.plan_batches(refs, batch_size, batch_bytes, parts)
    return batches, rejects, stale, unread, unread_docs


class RunnerError(RuntimeError):
    """The Dask scheduler named by `dask_address` cannot be reached or has no workers."""


def _dask_workers(address: str) -> int:
    """How many workers the Dask scheduler at `address` has (RunnerError when none or unreachable)."""
    from distributed import Client

    try:
        with Client(address, timeout=10) as client:
            n = len(client.scheduler_info()["workers"])
    except (OSError, TimeoutError) as exc:
        raise RunnerError(f"cannot reach the Dask scheduler at {address}: {exc}") from None
    if n == 0:
        raise RunnerError(f"the Dask scheduler at {address} has no workers: start `dask worker {address}`")
    return n


def _api_url_for_workers(params: RunParameters) -> str:
    """The Prefect API URL Dask workers report to: this flow's (a real server's or the temporary one's).

    RunnerError when a scheduler on another machine would be handed a loopback URL it cannot reach."""
    from urllib.parse import urlsplit

    from prefect.client.orchestration import get_client
    from prefect.settings import PREFECT_API_URL

    url = PREFECT_API_URL.value() or str(get_client(sync_client=True).api_url).rstrip("/")
    loopback = ("127.0.0.1", "localhost", "::1")
    remote = params.dask_address and urlsplit(params.dask_address).hostname not in loopback
    if remote and urlsplit(url).hostname in loopback:
        raise RunnerError(
            f"Dask workers at {params.dask_address} cannot report to the Prefect API at {url} on this "
            "machine's loopback: run a Prefect server they can reach and set PREFECT_API_URL to its address"
        )
    return url


def _parallelism(params: RunParameters) -> int:
    """Workers the batch tasks run on: Dask workers of the cluster, or local workers."""
    if params.task_runner == "dask" and params.dask_address:
        _api_url_for_workers(params)  # fail before any work when workers could not report
        return _dask_workers(params.dask_address)
    return params.workers


# Mistakes a user fixes (a missing source, a locked or unwritable warehouse, an unreachable Dask
# scheduler): never retried, reported in one line.
USER_ERRORS = (sources.SourceError, WarehouseError, RunnerError)


def _task_runner(params: RunParameters) -> Any:
    if params.task_runner == "dask":
        from prefect_dask import DaskTaskRunner

        if params.dask_address:
            return DaskTaskRunner(address=params.dask_address)
        return DaskTaskRunner(
            cluster_kwargs={"n_workers": params.workers, "threads_per_worker": 1, "processes": True}
        )
    if params.task_runner == "processes":
        # Each worker process loads GX, the gazetteer and the language model once, on a thread, while
        # its first batch is read.
        return ProcessPoolTaskRunner(
            max_workers=params.workers, initializer=_prewarm_worker, initargs=(params.gazetteer,)
        )
    return KeptThreadPoolTaskRunner(max_workers=params.workers)


class KeptThreadPoolTaskRunner(ThreadPoolTaskRunner):
    """Prefect's thread pool runner whose worker threads outlive the run: the next run in this process
    with as many workers gets the same threads.

    polars keeps its compiled regexes per thread (a cache of the last 32), and a batch's stages compile
    hundreds: on a new thread, the entity stage of a 20-document batch took 0.33 s CPU, on a thread that
    had run it before 0.15 s (one core, /tmp probe; the rest is the discovery regexes compiled again).
    Prefect's runner starts new threads for every run, so each run in a long-lived process (`quarry
    bench`, an application calling the flow nightly) paid the compilation again. A run that ends with
    work still queued or running (cancelled, interrupted) shuts its pool down as Prefect's does; the
    next run starts a new one."""

    _kept: dict[int, ThreadPoolExecutor] = {}
    _kept_lock = threading.Lock()

    def __enter__(self) -> KeptThreadPoolTaskRunner:
        super().__enter__()
        own = self._executor
        with self._kept_lock:
            pool = self._kept.get(self._max_workers)
            if pool is None:
                pool = self._kept[self._max_workers] = ThreadPoolExecutor(
                    max_workers=self._max_workers, thread_name_prefix="quarry-task"
                )
            self._in_use = pool
        if own is not None:
            own.shutdown(wait=False)  # started no thread: threads start on submit
        self._executor = pool
        return self

    def __exit__(self, exc_type: Any, exc_value: Any, traceback: Any) -> None:
        pool, self._executor = self._executor, None
        with self._submission_lock:
            busy = self._active_submission_count > 0
        if busy and pool is not None:
            with self._kept_lock:
                if self._kept.get(self._max_workers) is pool:
                    del self._kept[self._max_workers]
            # wait=True, as Prefect's own runner: a task left running past an interrupted run logged to
            # the API while the interpreter shut down ("can't register atexit after shutdown" tracebacks)
            pool.shutdown(wait=True, cancel_futures=True)
        super().__exit__(exc_type, exc_value, traceback)


def _prewarm_worker(gazetteer_path: str) -> None:
    _exit_without_finalizing()
    prewarm(RunParameters(gazetteer=gazetteer_path))


# What the forkserver imports once for every worker process it forks (`_WorkerProcesses`): quarry's
# modules, and GX, which they import on first use (none of these imports starts a thread).
WORKER_PRELOAD = [
    "flows.pipeline",
    "great_expectations",
    "great_expectations.data_context",
    "great_expectations.expectations",
]


def _worker_context() -> Any:
    """The multiprocessing context the process pool starts its workers with: a forkserver that has
    imported quarry's modules (Prefect, polars, pandas, numba, the transforms) once, where the platform
    has one (Linux, macOS), else spawn. Spawned, each worker imported them itself: a worker took 11.1
    CPU seconds to start and warm up (`prewarm`), forked from the forkserver 2.7 s (busy 2-core machine,
    /tmp probe; the forkserver's own imports are paid once). Only imports run in the forkserver: loading
    the gazetteer runs polars on its thread pool, which a forked child would inherit without its
    threads, so the warm-up runs in each worker, after the fork."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(WORKER_PRELOAD)  # takes effect when the forkserver starts
    return ctx


class _WorkerProcesses(types.ModuleType):
    """`multiprocessing` as Prefect's task runners see it: the same, except that the process pool's
    spawn context is `_worker_context()` (Prefect's ProcessPoolTaskRunner asks for "spawn" by name)."""

    def __init__(self) -> None:
        super().__init__("multiprocessing")

    def __getattr__(self, name: str) -> Any:
        return getattr(multiprocessing, name)

    @staticmethod
    def get_context(method: str | None = None) -> Any:
        return _worker_context() if method == "spawn" else multiprocessing.get_context(method)


def _process_pool_workers_from_a_forkserver() -> None:
    from prefect import task_runners

    task_runners.multiprocessing = _WorkerProcesses()  # type: ignore[attr-defined]


_process_pool_workers_from_a_forkserver()


def start_worker_server(params: RunParameters) -> None:
    """For a run on worker processes: start the forkserver now (it imports quarry's modules, ~5 CPU
    seconds, in a process of its own), so that it is ready when the run's first batch needs a worker."""
    if params.task_runner == "processes" and "forkserver" in multiprocessing.get_all_start_methods():
        from multiprocessing import forkserver

        _worker_context()
        forkserver.ensure_running()


class _ExitWithoutFinalizing(types.ModuleType):
    """`sys` as `multiprocessing.spawn` sees it in a worker process: the same, except that `exit(code)`
    flushes stdout and stderr and ends the process at once, with that code (`os._exit`).

    A spawned worker ends with `sys.exit(exitcode)` once the pool shuts down; the interpreter then
    finalises: it tears down every module (GX, pandas, polars, Prefect, the gazetteer's frames) and
    collects their cycles. Measured on this 2-core machine, busy: ~2 CPU seconds and 5 s of wall per
    worker, all of it after the run's last batch, while the flow waits in the pool's shutdown for the
    workers to exit before it can load. Nothing a worker holds needs it: by then `multiprocessing` has
    flushed the queue that carries its logs and events to the flow (`util._exit_function`, in
    `Process._bootstrap`), and each task's Prefect events are flushed when the task ends."""

    def __init__(self) -> None:
        super().__init__("sys")

    def __getattr__(self, name: str) -> Any:
        return getattr(sys, name)

    @staticmethod
    def exit(code: object = None) -> None:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (AttributeError, OSError, ValueError):  # closed or replaced by a non-file
                pass
        os._exit(code if isinstance(code, int) else 0 if code is None else 1)


def _exit_without_finalizing() -> None:
    """In a process-pool worker: end it without finalising the interpreter (`_ExitWithoutFinalizing`)."""
    import multiprocessing.spawn

    multiprocessing.spawn.sys = _ExitWithoutFinalizing()  # type: ignore[attr-defined]


@contextmanager
def _workers_report_here(params: RunParameters) -> Iterator[None]:
    """Point Dask and process-pool workers at this flow's Prefect API.

    Each task carries the flow's Prefect settings to its worker. A flow on Prefect's temporary
    (embedded) server has no API URL in its settings, so every worker process would start a temporary
    server of its own (tens of seconds, a server process per worker, task runs invisible to this flow):
    the flow's server URL is set for the submissions instead. The server must be reachable from the
    workers: on other machines, run a real server (`prefect server start --host 0.0.0.0`) and set
    PREFECT_API_URL to an address they can reach."""
    if params.task_runner == "threads":
        yield
        return
    from prefect.settings import PREFECT_API_URL, temporary_settings

    url = _api_url_for_workers(params)
    with temporary_settings(updates={PREFECT_API_URL: url}):
        yield


def prewarm(params: RunParameters) -> threading.Thread:
    """Load what every batch needs, on a daemon thread: the GX context (import ~4 s), the gazetteer
    and lexicons, py3langid's model, the compiled MinHash kernels, wordfreq's English list and the
    six small ones `english_lead` reads. `quarry run` calls this before the flow starts Prefect's
    temporary server (a separate process, several seconds during which this process only waits), so
    the loading runs on the other core instead of delaying plan and the first gate. A run with nothing
    to do wastes that background work; every later call finds it done (each loader is cached). A run on
    worker processes also starts their forkserver here (`start_worker_server`)."""

    def load() -> None:
        try:
            warm_up()  # GX on a thread of its own, first: the longest
            gazetteer(params.gazetteer)
            clean_t.load_language_model()
            dedup_t.load_kernels()  # numba's set-up and cached MinHash code: ~0.4 s of a cold clean stage
            reference.load_word_frequencies()  # plan's ordinary words: ~0.7 s of a cold incremental run
            wait_for_warm_up()  # so that this thread's end means all of it is loaded (`join_prewarm`)
        except Exception:  # noqa: BLE001 - the run itself loads these again and reports any error
            pass

    # GX on that thread and Prefect on this one both import sqlalchemy.orm; two threads importing it
    # at once can meet it half-initialised ("ImportError: cannot import name '_entity_corresponds_to'
    # from partially initialized module 'sqlalchemy.orm.util'", seen once by a user): import it first.
    import sqlalchemy.orm  # noqa: F401

    try:
        start_worker_server(params)
    except Exception:  # noqa: BLE001 - the pool starts it when it needs it
        pass
    thread = threading.Thread(target=load, name="quarry-prewarm", daemon=True)
    thread.start()
    return thread


# Seconds `join_prewarm` waits: the loading takes ~10 s on a busy 2-core machine (GX's import the longest).
PREWARM_JOIN_SECONDS = 60.0


def join_prewarm(thread: threading.Thread, timeout: float = PREWARM_JOIN_SECONDS) -> None:
    """Wait for `prewarm`'s loading to end before the process does.

    Its threads are daemons, and the interpreter exits without waiting for them: a run ended early (a
    SIGTERM at the first batch, a failed gate) could exit while one was inside a native library's
    loading (numba's LLVM, GX's imports), and the C++ runtime aborted the process at exit ("terminate
    called without an active exception", exit -6 instead of 143; seen once in a `make test` run)."""
    thread.join(timeout)


def _staged(batch_dirs: list[Path], pattern: str) -> list[Path]:
    """The batches' staged files matching `pattern`, in batch order."""
    return [f for d in batch_dirs for f in sorted(d.glob(pattern))]


def _collect(batch_dirs: list[Path], pattern: str) -> pl.DataFrame | None:
    files = _staged(batch_dirs, pattern)
    return pl.concat([pl.read_parquet(f) for f in files], how="vertical_relaxed") if files else None


def quarry_pipeline(**fields: Any) -> dict[str, Any]:
    params = RunParameters(**fields)
    try:
        return run_pipeline(params)
    except USER_ERRORS as exc:
        # A user's mistake (missing source, locked warehouse): one line in the log and as the run's state
        # message, no traceback; a Python caller gets prefect.exceptions.FailedRun with that message.
        if not isinstance(exc, sources.SourceError):  # plan's failed state already said it
            get_run_logger().error("%s", exc)
        return Failed(message=str(exc))  # type: ignore[return-value]


quarry_pipeline.__signature__ = flow_signature()  # type: ignore[attr-defined]
quarry_pipeline.__doc__ = flow_docstring(
    "Turn the documents at `source` into validated tables in the DuckDB warehouse."
)


class _NoUserErrorTraceback(logging.Filter):
    """Drop the runner's "Engine execution exited with unexpected exception" traceback for a run that
    ended on a user's mistake: only that path ends in FailedRun (a returned Failed state), and its
    one-line reason is already in the log and in the run's state message."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.exc_info and isinstance(record.exc_info[1], FailedRun))


logging.getLogger("prefect.flow_runs").addFilter(_NoUserErrorTraceback())


class _OwnSessionSubprocess(types.ModuleType):
    """`subprocess` as Prefect's server module sees it: the same, except that Popen starts the child in
    a session (and process group) of its own.

    Prefect's temporary server (uvicorn, started by `SubprocessASGIServer`) was a child in the run's
    process group, so a signal to the group (GNU `timeout`, a shell's job control, systemd's
    KillMode=control-group... not the last: it kills by cgroup) ended the server at once while the run
    was still unwinding: every API call then failed and was retried (two httpx.ConnectError tracebacks,
    "Error logging to API", ~145 s measured before the exit). In its own session only this process
    stops it: Prefect's atexit hook `SubprocessASGIServer.stop`, after the flow has unwound.

    That hook never runs when the run is killed (SIGKILL, the OOM killer): the server lived on, a
    ~220 MB orphan, after every killed run. So on Linux the server also dies with the run: it starts
    through `_DIE_WITH_PARENT`, which asks the kernel for a SIGTERM when its parent dies
    (PR_SET_PDEATHSIG, kept across exec) and then execs the server's own command. Only from the main
    thread: the kernel sends the signal when the *thread* that started the child ends."""

    def __init__(self) -> None:
        super().__init__("subprocess")

    def __getattr__(self, name: str) -> Any:
        return getattr(subprocess, name)

    @staticmethod
    def Popen(*args: Any, **kwargs: Any) -> subprocess.Popen:  # noqa: N802 - subprocess's own name
        command = kwargs.pop("args") if "args" in kwargs else args[0]
        if sys.platform == "linux" and threading.current_thread() is threading.main_thread():
            if isinstance(command, (list, tuple)) and not kwargs.get("shell"):
                command = [sys.executable, "-S", "-c", _DIE_WITH_PARENT, str(os.getpid()), *command]
        return subprocess.Popen(command, *args[1:], **{"start_new_session": True, **kwargs})


# Run as `python -S -c _DIE_WITH_PARENT <parent pid> <command...>`: a fresh process (no threads, unlike a
# preexec_fn in the forked run) sets PR_SET_PDEATHSIG (1) to SIGTERM, leaves at once if its parent died
# before that (the signal would never come), and execs the command, which keeps the setting.
_DIE_WITH_PARENT = (
    "import ctypes, os, signal, sys\n"
    "ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM, 0, 0, 0)\n"
    "if os.getppid() != int(sys.argv[1]):\n"
    "    sys.exit(0)\n"
    "os.execvp(sys.argv[2], sys.argv[2:])\n"
)


def _temporary_server_in_own_session() -> None:
    """Make Prefect start its temporary server through `_OwnSessionSubprocess`. Called before a run that
    will start one (no PREFECT_API_URL), not at import: importing Prefect's server package took ~3 s of
    every process's start-up, where a server is configured too (`python -c "import flows.pipeline"`:
    6.4-7.0 s with it, 2.9-3.4 s without, this 2-core machine; tests/flows/test_prewarm.py keeps it out)."""
    from prefect.server.api import server as prefect_server

    if not isinstance(prefect_server.subprocess, _OwnSessionSubprocess):
        prefect_server.subprocess = _OwnSessionSubprocess()  # type: ignore[attr-defined]


defer_prefect_sigterm()  # SIGTERM acted on at the flow's safe points: see flows.termination


class _PipelineFlow(Flow[..., dict[str, Any]]):
    """The flow, also callable from Python with a whole `RunParameters` (its fields become the flow's
    parameters; keyword arguments such as `return_state=True` pass through)."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if args and isinstance(args[0], RunParameters):
            kwargs = {**args[0].model_dump(), **kwargs}
            args = args[1:]
        from prefect.settings import PREFECT_API_URL

        if not PREFECT_API_URL.value():
            _temporary_server_in_own_session()  # the run will start one
        try:
            with heartbeats_only_to_a_server():
                return super().__call__(*args, **kwargs)
        finally:
            deliver_pending()  # a SIGTERM that came after the run's last safe point


@contextmanager
def heartbeats_only_to_a_server() -> Iterator[None]:
    """No flow-run heartbeats when no Prefect server is configured (PREFECT_API_URL unset).

    Prefect's flow engine sends a heartbeat every `flows.heartbeat_frequency` seconds from a thread
    that sleeps in one-second steps, and joins that thread when the flow ends: every run then waited
    for the rest of a second (0.54 to 0.97 s measured after the body of a 40-document incremental run)
    doing nothing. Heartbeats let a server mark a run whose process died as crashed; with no server
    configured the flow reports to Prefect's temporary server, which lives in this process and dies
    with it, so nothing can read them. A configured server (a deployment, `quarry serve`) keeps them."""
    from prefect.settings import PREFECT_API_URL, PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

    if PREFECT_API_URL.value():
        yield
        return
    with temporary_settings(updates={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
        yield


# The flow's parameters are RunParameters' fields, flat: `--param batch_size=1` from the Prefect CLI, one
# form field per parameter in the UI; validated against the model's types and bounds.
quarry_pipeline = _PipelineFlow(quarry_pipeline, name="quarry-pipeline", validate_parameters=True)  # type: ignore[assignment]


def run_pipeline(params: RunParameters) -> dict[str, Any]:
    """The flow body: lock the warehouse, clear what a crashed run left, process, load."""
    stop_if_signalled()
    wh = Warehouse.at(params.warehouse)
    # A missing source is the run's own mistake: said before waiting for (or failing on) the lock.
    try:
        sources.check_source(params.source)
    except sources.SourceError as exc:
        get_run_logger().error("%s", exc)  # (quarry_pipeline leaves SourceErrors to plan's log)
        raise
    with catalog.write_lock(wh, params.lock_wait_seconds, on_wait=stop_if_signalled):
        catalog.remove_orphans(wh)
        # Runs killed before their commit left a marker and no `runs` row: recorded now, by this run
        # (nothing was done on their way out: see warehouse.run_state).
        run_state.record_stale(wh)
        return _run_locked(params, wh)


@dataclass
class _Run:
    """One run's identity, plan and task context, shared by the steps of the flow body."""

    run_id: str
    started: dt.datetime
    t_start: float
    staging: Path
    ctx: RunContext
    batches: list[list[sources.SourceRef]]
    list_rejects: list[dict]
    stale: int
    unread: int
    unread_docs: int  # the documents of those files (a jsonl/parquet file holds many)
    plan_id: Any  # plan's task run id: each batch's ingest depends on it
    workers: int  # batch chains run at once (local workers, or the Dask cluster's)
    marker: run_state.RunMarker  # removed right after the commit; left by a run that dies before it


@dataclass
class _Processed:
    """What the batch tasks did: their stats, which batches passed every gate, why others stopped."""

    stats: list[dict[str, Any]]
    ok_batches: list[int]
    failures: list[str]


def _run_locked(params: RunParameters, wh: Warehouse) -> dict[str, Any]:
    run = _start(params, wh)
    try:
        return _run_started(params, wh, run)
    except Exception as exc:
        # An error, not a signal: the marker says so, and the next run records the run as failed with
        # this message. One small file write (KeyboardInterrupt and SIGTERM are not Exceptions: a
        # signalled run does nothing more on its way out, its marker already says `interrupted`).
        if not isinstance(exc, PipelineFailed):  # (raised after the commit: the run has its row)
            run.marker.update(status="failed", message=f"{type(exc).__name__}: {exc}"[:2000])
        raise


def _run_started(params: RunParameters, wh: Warehouse, run: _Run) -> dict[str, Any]:
    with ThreadPoolExecutor(1, thread_name_prefix="near-duplicates") as early_pool:
        early = _EarlySearch(params, wh, run, early_pool)
        done = _process_batches(params, run, early.cleaned)
        batch_dirs = [run.ctx.batch_dir(b) for b in range(len(run.batches)) if run.ctx.batch_dir(b).exists()]
        ok_dirs = [run.ctx.batch_dir(b) for b in done.ok_batches]
        cross_duplicates = _cross_batch_duplicates(ok_dirs)
        quarantine = _quarantine(run, batch_dirs, cross_duplicates)
        quality = _collect(batch_dirs, "quality.*.parquet")
        summary = _summarise(
            params,
            wh,
            run,
            done,
            quarantine,
            quality,
            cross_duplicates.height,
            later_copy_rows({t.name: _staged(ok_dirs, f"{t.name}.parquet") for t in (MENTIONS, METRICS)}),
        )
        docs_index = _load_and_report(
            params, wh, run, ok_dirs, batch_dirs, summary, quality, quarantine, early.found(done.ok_batches)
        )
    summary["wall_seconds"] = round(time.perf_counter() - run.t_start, 3)
    _cleanup(run.staging)
    get_run_logger().info(
        "run %s %s: %s",
        run.run_id,
        summary["status"],
        json.dumps({k: summary[k] for k in ("docs_in", "docs_cleaned", "mentions", "metrics", "rows_held")}),
    )
    if docs_index is not None:
        summary["data_docs"] = str(docs_index)
    if done.failures:
        raise PipelineFailed(summary["message"] or "run failed", summary)
    return summary


def _start(params: RunParameters, wh: Warehouse) -> _Run:
    """Name the run, plan its batches and build the context every task receives."""
    started = dt.datetime.now(dt.UTC)
    t_start = time.perf_counter()
    run_id = f"{started:%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:6]}"
    from prefect.runtime import flow_run

    marker = run_state.RunMarker.start(
        wh,
        run_id,
        started,
        params.source,
        flow_run.id,
        params.model_dump_json(),
        json.dumps(_versions(params)),
    )
    staging = wh.staging_dir / run_id
    # The flow names the known-documents file: a value of plan's result in the context every task gets
    # would make Prefect draw an arrow from plan to every task.
    known_path = str(staging / "known.parquet")
    workers = _parallelism(params)
    planned = plan(params, str(wh.catalog), run_id, str(staging), known_path, workers, return_state=True)
    batches, list_rejects, stale, unread, unread_docs = planned.result()
    ctx = RunContext(
        run_id=run_id,
        staging=str(staging),
        policy=params.on_failure,
        systemic_share=params.systemic_share,
        max_doc_bytes=int(params.max_doc_mb * 1e6),
        min_words=params.min_words,
        gazetteer=params.gazetteer,
        known=known_path,
        registry=str(registry_path(str(staging))),
        started_at=started,
        data_docs=params.data_docs,
    )
    get_run_logger().info(
        "run %s: %d batches from %s (%d unchanged files not read, %d stale documents to reprocess)",
        run_id,
        len(batches),
        params.source,
        unread,
        stale,
    )
    plan_id = planned.state_details.task_run_id
    _emit("plan", batches=[(len(refs), sum(r.size for r in refs)) for refs in batches])
    return _Run(
        run_id,
        started,
        t_start,
        staging,
        ctx,
        batches,
        list_rejects,
        stale,
        unread,
        unread_docs,
        plan_id,
        workers,
        marker,
    )


# The most new signatures (documents) whose near-duplicate search may start while the last batches
# still run: 128 × u64 each, held through the entities and metrics stages, where a big run peaks.
EARLY_SEARCH_MAX_DOCS = 20_000


class _EarlySearch:
    """The stale documents and the near-duplicate search of an incremental run, started as soon as every
    batch has passed its clean stage (which stages the documents and signatures they read) or stopped,
    on a thread, while the last entities and metrics stages run: the search reads every stored
    signature sharing an LSH band with a new one (DuckDB, native code), and the load waited for it.

    It is a guess that the batches cleaned are the ones that will load: `found` hands it to the load
    only when they are; otherwise (a later stage stopped a batch) the load searches again, as before.
    Not started for a new warehouse or a full refresh (no stored signatures to read), nor when the new
    documents exceed EARLY_SEARCH_MAX_DOCS (their signatures would be held at the run's peak)."""

    def __init__(self, params: RunParameters, wh: Warehouse, run: _Run, pool: ThreadPoolExecutor) -> None:
        self.params, self.wh, self.run, self.pool = params, wh, run, pool
        self.batches: list[int] | None = None
        self.future: Any = None

    def cleaned(self, batches: list[int]) -> None:
        """Called once, from the flow's thread, with the batches that passed clean, when no batch is
        still before or in its clean stage."""
        if self.params.full_refresh or not self.wh.exists() or not batches:
            return
        dirs = [self.run.ctx.batch_dir(b) for b in sorted(batches)]
        new = _staged(dirs, f"{DOC_SIGNATURES.name}.parquet")
        if sum(pq.ParquetFile(f).metadata.num_rows for f in new) > EARLY_SEARCH_MAX_DOCS:
            return
        self.batches = sorted(batches)
        self.future = self.pool.submit(_stale_and_near_duplicates, self.wh, self.run.ctx.known, dirs, False)

    def found(self, ok_batches: list[int]) -> Any:
        """The started search's future if it searched exactly `ok_batches`, else None."""
        return self.future if self.future is not None and self.batches == sorted(ok_batches) else None


def _stale_and_near_duplicates(
    wh: Warehouse, known_path: str, ok_dirs: list[Path], full_refresh: bool
) -> tuple[list[str], pl.DataFrame]:
    stale_ids = _stale_ids(wh, known_path, ok_dirs)
    return stale_ids, _near_duplicates(wh, ok_dirs, stale_ids, full_refresh)


def _process_batches(
    params: RunParameters, run: _Run, on_cleaned: Callable[[list[int]], None] | None = None
) -> _Processed:
    """Run each batch's ingest → clean → entities → metrics chain, `run.workers` chains at a time.

    A stage is submitted only once the one before it has finished, so no worker ever sits blocked on an
    upstream future: submitting whole chains up front (`wait_for`) let a thread runner's workers take a
    batch's later stages and wait in them — two threads gave 1.07× one (29 MB of real text: 13.1 s vs
    14.1 s; py-spy: 6.7 of 23.2 thread-seconds waiting on upstream futures). A batch whose stage fails
    (a gate stopped it, or an error) is not promoted; the others are. `on_cleaned` is called once with
    the batches that passed clean when every batch has passed it or stopped (see `_EarlySearch`).
    """
    if run.batches:
        warm_up()
    ctx = run.ctx
    results: dict[int, list[dict[str, Any]]] = {}
    failures: dict[int, str] = {}
    finished: queue.SimpleQueue[tuple[int, int, PrefectFuture]] = queue.SimpleQueue()
    waiting = list(enumerate(run.batches))[::-1]
    reached = -1

    def submit(b: int, stage: int, upstream: PrefectFuture | None) -> None:
        nonlocal reached
        if stage > reached:  # the furthest stage any batch has begun, for the run's marker
            reached = stage
            run.marker.update(stage=STAGES[stage])
        if upstream is None:
            fut = runner.submit(
                ingest_batch,
                parameters={"ctx": ctx, "batch": b, "refs": run.batches[b]},
                dependencies={"refs": {TaskRunResult(id=run.plan_id)}},
            )
        else:
            # The upstream result is passed as a value; `dependencies` keeps the graph's arrow
            # plan → ingest → clean → entities → metrics for each batch.
            fut = runner.submit(
                STAGE_TASKS[stage],
                parameters={"ctx": ctx, "batch": b, "upstream": upstream.result()},
                dependencies={"upstream": {TaskRunResult(id=upstream.task_run_id)}},
            )
        size = sum(r.size for r in run.batches[b])
        fut.add_done_callback(
            functools.partial(_stage_done, stage=STAGES[stage], batch=b, files=len(run.batches[b]), size=size)
        )
        fut.add_done_callback(lambda f: finished.put((b, stage, f)))

    cleaned: list[int] = []

    def past_clean(b: int, stage: int) -> None:
        nonlocal on_cleaned
        if stage == STAGES.index("clean") and b not in failures:
            cleaned.append(b)
        if on_cleaned is not None and len(cleaned) + sum(1 for f in failures if f not in cleaned) == len(
            run.batches
        ):
            call, on_cleaned = on_cleaned, None
            try:
                call([c for c in cleaned if c not in failures])
            except Exception:  # noqa: BLE001 - a head start only: the load searches again without it
                pass

    with _workers_report_here(params), _task_runner(params) as runner:
        running = 0
        while waiting and running < run.workers:
            submit(waiting.pop()[0], 0, None)
            running += 1
        while running:
            b, stage, fut = finished.get()
            stop_if_signalled()  # before the event is read: a stage the signal broke is not a failure
            try:
                fut.wait()
                state = fut.state
                if state.is_completed():
                    results.setdefault(b, []).append(fut.result().stats)
                    if stage + 1 < len(STAGES):
                        submit(b, stage + 1, fut)
                        past_clean(b, stage)
                        continue
                else:
                    if state.is_failed() or state.is_crashed():
                        fut.result(raise_on_failure=True)  # raises the task's error, reported below
                    failures[b] = f"batch {b} {STAGES[stage]}: ended {state.type.value.lower()}"
            except (KeyboardInterrupt, SystemExit, ExternalSignal):
                # Prefect's SIGTERM handler raises TerminationSignal in this (the main) thread wherever it
                # stands: caught below as one batch's failure, a run told to stop went on and exited 1.
                raise
            except BaseException as exc:  # noqa: BLE001 - reported below with the batch
                # Not only Exceptions: a panic inside a Rust library (pyo3's PanicException) is a
                # BaseException that a thread runner hands back as it is; it crashed the whole run.
                # It is one batch's failure: the others still land.
                failures[b] = f"batch {b} {STAGES[stage]}: " + (
                    str(exc) if isinstance(exc, Exception) else f"crashed: {type(exc).__name__}: {exc}"
                )
            past_clean(b, stage)
            running -= 1
            if waiting:
                submit(waiting.pop()[0], 0, None)
                running += 1
    order = sorted(results)
    return _Processed(
        [s for b in order for s in results[b]],
        [b for b in order if b not in failures and len(results[b]) == len(STAGES)],
        [failures[b] for b in sorted(failures)],
    )


def _stage_done(fut: PrefectFuture, *, stage: str, batch: int, files: int, size: int) -> None:
    _emit("stage", stage=stage, batch=batch, files=files, bytes=size)


def _quarantine(run: _Run, batch_dirs: list[Path], cross_duplicates: pl.DataFrame) -> pl.DataFrame | None:
    """Every quarantine row of the run: files refused at listing, cross-batch duplicates
    (`_cross_batch_duplicates`), the batches'."""
    quarantine = _collect(batch_dirs, "quarantine.*.parquet")
    listed = pl.DataFrame(run.list_rejects, schema=ingest_t.REJECT_COLUMNS)
    # The same bytes under two names in different batches: the first copy is kept at load, the
    # others are accounted for here (within a batch, ingest already quarantines them).
    listed = pl.concat([listed, cross_duplicates], how="vertical_relaxed")
    if not listed.height:
        return quarantine
    listed = listed.with_columns(
        pl.lit(run.run_id).alias("run_id"),
        pl.lit("ingest").alias("stage"),
        pl.lit(run.started).cast(pl.Datetime("us", "UTC")).alias("quarantined_at"),
    )
    return listed if quarantine is None else pl.concat([listed, quarantine], how="diagonal_relaxed")


def _summarise(
    params: RunParameters,
    wh: Warehouse,
    run: _Run,
    done: _Processed,
    quarantine: pl.DataFrame | None,
    quality: pl.DataFrame | None,
    cross_duplicates: int = 0,
    later_copy_rows: dict[str, int] | None = None,
) -> dict[str, Any]:
    """The run's summary: counts per stage (promoted batches only), gate results, status and message.

    Every document in is counted once: docs_in = docs_skipped (already loaded) + docs_cleaned (stored)
    + docs_quarantined (refused or held back) + docs_duplicates (exact copies of another input), for a
    run whose batches all passed (a failed batch's documents are none of these). `cross_duplicates`:
    documents cleaned in one batch whose bytes an earlier batch holds (dropped at load);
    `later_copy_rows`: their rows per table (`warehouse.load.later_copy_rows`), dropped at load too,
    so not counted."""
    stats, ok = done.stats, done.ok_batches
    dropped = later_copy_rows or {}

    def total(stage: str, key: str, promoted: bool = True) -> int:
        return sum(x.get(key, 0) for x in stats if x["stage"] == stage and (x["batch"] in ok or not promoted))

    stage_seconds = {s: round(sum(x["seconds"] for x in stats if x["stage"] == s), 3) for s in STAGES}
    passed = int(quality.filter(pl.col("success")).height) if quality is not None else 0
    # A failed expectation of severity "warning" is reported, never acted on: counted apart.
    warning = pl.col("severity") != "critical"
    failed = int(quality.filter(~pl.col("success") & ~warning).height) if quality is not None else 0
    warned = int(quality.filter(~pl.col("success") & warning).height) if quality is not None else 0
    held = _sum_rules(x.get("held_by_expectation", {}) for x in stats)
    refused, duplicates = quarantine_counts(quarantine)
    message = "\n".join(done.failures) if done.failures else None
    if held:
        note = "held back " + "; ".join(f"{k} ({n} rows)" for k, n in held.items())
        message = note if message is None else f"{message}\n{note}"
    return {
        "run_id": run.run_id,
        "status": "failed" if done.failures else "succeeded",
        "batches": len(run.batches),
        "batches_failed": len(run.batches) - len(ok),
        "docs_in": total("ingest", "docs", False)
        + total("ingest", "skipped", False)
        + total("ingest", "quarantined", False)
        # documents the ingest gate held back are neither `docs` nor ingest's refusals
        + total("ingest", "held_documents", False)
        + len(run.list_rejects)
        + run.unread_docs,
        "docs_skipped": run.unread_docs + total("ingest", "skipped", False),
        "files_unread": run.unread,
        "docs_cleaned": total("clean", "docs") - cross_duplicates,
        "removed_by_rule": _sum_rules(x.get("removed_by_rule", {}) for x in stats if x["stage"] == "clean"),
        # Documents refused or held back whole; rows of other tables held back are `rows_held`.
        "docs_quarantined": refused + sum(x.get("held_documents", 0) for x in stats),
        "docs_duplicates": duplicates,
        "mentions": total("entities", "mentions") - dropped.get(MENTIONS.name, 0),
        "metrics": total("metrics", "metrics") - dropped.get(METRICS.name, 0),
        "expectations_passed": passed,
        "expectations_failed": failed,
        "expectations_warned": warned,
        "rows_held": sum(held.values()),
        "rows_held_by_expectation": held,
        "stage_seconds": stage_seconds,
        "gate_seconds": round(sum(x["gate_seconds"] for x in stats), 3),
        "warehouse": str(wh.catalog),
        "message": message,
        "versions": _versions(params),
    }


def _versions(params: RunParameters) -> dict[str, str]:
    return {
        "clean_version": clean_t.CLEAN_VERSION,
        "gazetteer_version": gazetteer(params.gazetteer)[2],
        "extractor_version": metrics_t.EXTRACTOR_VERSION,
    }


def _runs_row(params: RunParameters, run: _Run, summary: dict[str, Any]) -> pl.DataFrame:
    from prefect.runtime import flow_run

    return pl.DataFrame(
        [
            {
                "run_id": run.run_id,
                "flow_run_id": flow_run.id,
                "started_at": run.started,
                "finished_at": dt.datetime.now(dt.UTC),
                "status": summary["status"],
                "message": summary["message"],
                "parameters": params.model_dump_json(),
                "versions": json.dumps(summary["versions"]),
                # the run's counts: every integer column of `runs`, as the summary has them
                **{f.name: summary[f.name] for f in RUNS.schema if pa.types.is_integer(f.type)},
                "stage_seconds": json.dumps({**summary["stage_seconds"], "gate": summary["gate_seconds"]}),
            }
        ]
    )


def _landed_files(run: _Run, ok_dirs: list[Path], quarantine: pl.DataFrame | None) -> pl.DataFrame | None:
    """`source_files` rows of documents that land, were already loaded, or were refused as bad input
    (empty, binary, too short, a duplicate: the same bytes are refused again, so they need not be read
    again). A file with a document a gate held back (for jsonl/parquet: any of its documents) is left
    out whole: the next run reads it again."""
    files = _collect(ok_dirs, f"{SOURCE_FILES.name}.parquet")
    if files is None:
        return None
    settled = [
        pl.read_parquet(d / f"{DOCUMENTS.name}.parquet", columns=["doc_id"])
        for d in ok_dirs
        if (d / f"{DOCUMENTS.name}.parquet").exists()
    ]
    settled.append(pl.read_parquet(run.ctx.known, columns=["doc_id"]))
    if quarantine is not None and quarantine.height:
        refused = quarantine.filter((pl.col("reason") != GATE_FAILED) & pl.col("doc_id").is_not_null())
        settled.append(refused.select("doc_id"))
    unsettled = files.filter(pl.col("doc_id") != NO_DOCUMENT).join(
        pl.concat(settled).unique(), on="doc_id", how="anti"
    )
    return files.join(unsettled.select("source"), on="source", how="anti")


def _load_and_report(
    params: RunParameters,
    wh: Warehouse,
    run: _Run,
    ok_dirs: list[Path],
    batch_dirs: list[Path],
    summary: dict[str, Any],
    quality: pl.DataFrame | None,
    quarantine: pl.DataFrame | None,
    searched: Any = None,
) -> Path | None:
    """Commit the promoted batches with the run's bookkeeping, render Data Docs alongside, publish the
    quality artifact. Returns the Data Docs index, if built. `searched`: the future of an early
    `_stale_and_near_duplicates` over exactly `ok_dirs` (see `_EarlySearch`), if one ran."""
    t_load = time.perf_counter()

    def runs_row() -> pl.DataFrame:
        # Made as the load writes it, after the tables: finished_at and the load's seconds then
        # (all of it but the commit), not as the load began.
        summary["stage_seconds"]["load"] = round(time.perf_counter() - t_load, 3)
        return _runs_row(params, run, summary)

    logs = {
        SOURCE_FILES.name: _landed_files(run, ok_dirs, quarantine),
        RUNS.name: runs_row,
        QUALITY_RESULTS.name: quality if quality is not None else pl.DataFrame(),
        QUARANTINE.name: quarantine if quarantine is not None else pl.DataFrame(),
    }
    discovered = _collect(ok_dirs, f"{ENTITIES.name}.parquet")
    known_entities = gazetteer(params.gazetteer)[1]
    new_entities = pl.concat(
        [x for x in (known_entities, discovered) if x is not None], how="diagonal_relaxed"
    ).with_columns(  # first sighting, for the registry (the earliest one is kept by the merge)
        pl.lit(run.started).cast(pl.Datetime("us", "UTC")).alias("first_seen"),
        pl.lit(run.run_id).alias("first_run_id"),
    )
    gx_results = (
        [json.loads(f.read_text(encoding="utf-8")) for f in _staged(batch_dirs, "gx.*.json")]
        if params.data_docs
        else []
    )
    # Data Docs render (GX, Python) on a thread while the load writes Parquet and commits (native code).
    docs_pool = ThreadPoolExecutor(1, thread_name_prefix="data-docs")
    near_pool = ThreadPoolExecutor(1, thread_name_prefix="near-duplicates")
    docs_future = (
        docs_pool.submit(_data_docs, gx_results, wh, run.run_id, run.started)
        if params.data_docs and gx_results  # a run that validated nothing leaves the site as it was
        else None
    )
    try:
        early = None
        if searched is not None:
            try:
                early = searched.result()
            except Exception:  # noqa: BLE001 - searched again below, where an error is the load's
                early = None
        if early is not None:
            stale_ids, found = early
            near: Callable[[], pl.DataFrame] = lambda: found  # noqa: E731
        else:
            stale_ids = _stale_ids(wh, run.ctx.known, ok_dirs)
            # The near-duplicate search (DuckDB over every stored signature file: native code, no GIL)
            # runs on a thread while the load writes the other documents tables; the load waits for it
            # only before `documents`, the table it marks.
            near = near_pool.submit(_near_duplicates, wh, ok_dirs, stale_ids, params.full_refresh).result
        stop_if_signalled()  # the last point before the commit
        run.marker.update(stage="load")
        load(wh, run.run_id, ok_dirs, logs, new_entities, params.full_refresh, stale_ids, near)
        # Right after the commit, not in it: a run killed between the two has its `runs` row, and the
        # next run only removes its marker (run_state.record_stale looks for the row first).
        run.marker.remove()
        summary["near_duplicates"] = near().height
        if max(file_counts(wh).values(), default=0) > params.compact_after_files:
            summary["compacted"] = compact(wh, f"{run.run_id}-auto")
        elif merged := compact_tiers(wh, f"{run.run_id}-tier"):
            # eight nights' files of a table become one: the catalog stays small at a cost per night
            # that does not grow with the warehouse (compact() above is the bound, rarely reached)
            summary["compacted"] = merged
        summary["stage_seconds"]["load"] = round(time.perf_counter() - t_load, 3)
    finally:
        near_pool.shutdown(wait=True)
        docs_pool.shutdown(wait=True)
    docs_index = None
    if docs_future is not None:
        try:
            docs_index, summary["data_docs_seconds"] = docs_future.result()
        except Exception as exc:  # noqa: BLE001 - the report must not undo a committed load
            get_run_logger().warning("data docs not built: %s", exc)
    publish(quality_markdown(summary, quality, quarantine, docs_index), "quarry-quality")
    return docs_index


def _data_docs(results: list[dict], wh: Warehouse, run_id: str, started: dt.datetime) -> tuple[Path, float]:
    t0 = time.perf_counter()
    index = build_data_docs(results, None, wh.docs_dir, run_id=run_id, run_time=started)
    return index, round(time.perf_counter() - t0, 3)


def _cross_batch_duplicates(ok_dirs: list[Path]) -> pl.DataFrame:
    """Quarantine rows for documents whose content an earlier batch of this run already holds."""
    frames = [
        pl.read_parquet(d / f"{DOCUMENTS.name}.parquet", columns=["doc_id", "source"])
        for d in ok_dirs
        if (d / f"{DOCUMENTS.name}.parquet").exists()
    ]
    empty = pl.DataFrame(schema=ingest_t.REJECT_COLUMNS)
    if not frames:
        return empty
    docs = pl.concat(frames).with_row_index("_order")
    first = docs.group_by("doc_id").agg(pl.col("source").sort_by("_order").first().alias("first_source"))
    dupes = docs.join(first, on="doc_id").filter(pl.col("source") != pl.col("first_source")).sort("_order")
    return dupes.select(
        "source",
        "doc_id",
        pl.lit(DUPLICATE_DOCUMENT).alias("reason"),
        pl.format("same content as {}", pl.col("first_source")).alias("detail"),
    )


def _sum_rules(counts: Any) -> dict[str, int]:
    total: dict[str, int] = {}
    for c in counts:
        for rule, n in c.items():
            total[rule] = total.get(rule, 0) + n
    return dict(sorted(total.items()))


def _stale_ids(wh: Warehouse, known_path: str, ok_dirs: list[Path]) -> list[str]:
    """Documents the warehouse holds that this run's documents replace: the same document reprocessed
    (under newer versions), and the earlier version of a source whose content changed (an edited file
    has a new doc_id under the same source: its old rows go, or both versions would stay as facts)."""
    new = [
        read_table(d / f"{DOCUMENTS.name}.parquet", DOCUMENTS).select("doc_id", "source")
        for d in ok_dirs
        if (d / f"{DOCUMENTS.name}.parquet").exists()
    ]
    if not new or not wh.exists():
        return []
    docs = pl.concat(new)
    held = catalog.scan(wh, DOCUMENTS.name).select("doc_id", "source").collect()
    reprocessed = held.join(docs.select("doc_id"), on="doc_id", how="semi")
    superseded = held.join(docs.select("source"), on="source", how="semi").join(
        docs.select("doc_id"), on="doc_id", how="anti"
    )
    return sorted(set(reprocessed.get_column("doc_id").to_list() + superseded.get_column("doc_id").to_list()))


def _near_duplicates(
    wh: Warehouse, ok_dirs: list[Path], stale_ids: list[str], full_refresh: bool
) -> pl.DataFrame:
    """Near-duplicates of this run's documents among earlier documents (this run's or loaded ones).

    Signatures (128 × u64 per document) are read straight into one matrix: of the warehouse's (less the
    documents this run reprocessed) only those sharing an LSH band with one of this run's, found by a
    join in DuckDB (an incremental run reads its candidates, not every stored signature), then this
    run's.
    """
    new = [str(f) for f in _staged(ok_dirs, f"{DOC_SIGNATURES.name}.parquet")]
    if not new:
        return pl.DataFrame(schema=dedup_t.DUPLICATE_COLUMNS)
    prior = catalog.table_files(wh, DOC_SIGNATURES.name) if not full_refresh and wh.exists() else []
    stale = pl.Series("doc_id", stale_ids, dtype=pl.String)
    ids, sig, (n_prior, n_new) = read_candidate_signatures(prior, stale, new, *dedup_t.lsh_bands())
    if n_new == 0:
        return pl.DataFrame(schema=dedup_t.DUPLICATE_COLUMNS)
    return dedup_t.near_duplicate_rows(ids, sig, n_prior)


@io_task("load", "load", retries=1)
def load(
    wh: Warehouse,
    run_id: str,
    ok_dirs: list[Path],
    logs: Logs,
    new_entities: pl.DataFrame,
    full_refresh: bool,
    stale_ids: list[str],
    duplicates: pl.DataFrame | Callable[[], pl.DataFrame],
) -> dict[str, int]:
    """Promote the batches that passed every gate, with the run's bookkeeping, in one commit
    (`duplicates`, or a callable giving them: see `load_run`)."""
    if ok_dirs or full_refresh:
        return load_run(wh, run_id, ok_dirs, logs, new_entities, full_refresh, stale_ids, duplicates)
    load_logs(wh, run_id, logs)
    return {}


def _cleanup(staging: Path) -> None:
    shutil.rmtree(staging, ignore_errors=True)
