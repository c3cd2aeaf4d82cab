"""Shared fixtures: one temporary Prefect server per test session, real files in tmp_path.

Under pytest-xdist (`make test` runs `-n 2`) the controller starts that one server and every worker
uses it, instead of each worker starting its own (a server costs seconds of CPU on a 2-core machine).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "seeds"
LABELS = SEEDS / "labels"

# Set by the xdist controller for its workers: the shared server's API URL, its database, its log.
_SHARED_API = "QUARRY_TEST_PREFECT_API_URL"
_SHARED_DB = "QUARRY_TEST_PREFECT_DB_URL"
_SHARED_LOG = "QUARRY_TEST_PREFECT_LOG"
_STARTUP_SECONDS = 120


# `make test` hands whole files to its workers in the order collected (--dist loadfile
# --no-loadscope-reorder; xdist's own order, most tests first, left these files of few but slow tests
# to the end, where one worker ran them while the others had nothing left). Slowest first, so that the
# files left at the end are short and the workers finish together; the rest keep pytest's order.
# Seconds: each file's tests in all (`make test PYTEST_WORKERS=2 PYTEST_ARGS=--junitxml=...` at b7a8e2e,
# a quiet 2-core machine). Only an order: a file missing here or misplaced costs wall time, never a test.
SLOWEST_FILES_FIRST = (
    "tests/flows/test_operations.py",  # 254 s in 30 tests
    "tests/flows/test_faults.py",  # 247 s in 16
    "tests/flows/test_dask.py",  # 95 s in 3
    "tests/flows/test_deployment.py",  # 91 s in 10
    "tests/transforms/test_clean.py",  # 54 s in 234
    "tests/transforms/test_entities.py",  # 40 s in 332
    "tests/flows/test_cli.py",  # 37 s in 21
    "tests/transforms/test_metrics.py",  # 33 s in 579
    "tests/flows/test_gate_policy.py",  # 21 s in 7
    "tests/flows/test_hostile.py",  # 21 s in 2
    "tests/flows/test_bench.py",  # 19 s in 5
    "tests/flows/test_registry.py",  # 12 s in 5
    "tests/flows/test_gates.py",  # 9 s in 2
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    rank = {path: i for i, path in enumerate(SLOWEST_FILES_FIRST)}
    # (a stable sort: each file's tests stay together and in their order)
    items.sort(key=lambda item: rank.get(item.nodeid.split("::", 1)[0], len(rank)))


def _xdist_controller(config: pytest.Config) -> bool:
    return (
        config.pluginmanager.hasplugin("xdist")
        and bool(getattr(config.option, "numprocesses", None))
        and not hasattr(config, "workerinput")
    )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _die_with_parent() -> None:
    # Linux: the server gets SIGTERM when the controller dies, even by kill -9; no stray servers.
    import ctypes

    ctypes.CDLL(None).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def pytest_configure(config: pytest.Config) -> None:
    """On the xdist controller: start the shared Prefect server without waiting for it (the workers
    start meanwhile and wait for it in `prefect_server`). The command is the one Prefect's own
    temporary server runs (prefect.server.api.server.SubprocessASGIServer); found without importing
    prefect, so the controller stays light."""
    if not _xdist_controller(config):
        return
    import importlib.util

    home = Path(tempfile.mkdtemp(prefix="quarry-prefect-"))
    port = _free_port()
    prefect_dir = Path(importlib.util.find_spec("prefect").origin).parent
    db = f"sqlite+aiosqlite:///{home / 'prefect-test.db'}"
    env = {
        **os.environ,
        "PREFECT_UI_ENABLED": "0",
        "PREFECT__SERVER_EPHEMERAL": "1",
        "PREFECT__SERVER_FINAL": "1",
        "PREFECT_SERVER_DATABASE_CONNECTION_URL": db,
    }
    log = (home / "server.log").open("w")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "--app-dir",
            str(prefect_dir.parent),
            "--factory",
            "prefect.server.api.server:create_app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "error",
            "--lifespan",
            "on",
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        preexec_fn=_die_with_parent if sys.platform == "linux" else None,
    )
    log.close()
    config._quarry_prefect = (proc, home)  # type: ignore[attr-defined]
    os.environ[_SHARED_API] = f"http://127.0.0.1:{port}/api"
    os.environ[_SHARED_DB] = db
    os.environ[_SHARED_LOG] = str(home / "server.log")


def pytest_unconfigure(config: pytest.Config) -> None:
    started = getattr(config, "_quarry_prefect", None)
    if started is None:
        return
    proc, home = started
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    shutil.rmtree(home, ignore_errors=True)
    for name in (_SHARED_API, _SHARED_DB, _SHARED_LOG):
        os.environ.pop(name, None)


def _wait_until_healthy(api_url: str) -> None:
    import httpx

    deadline = time.monotonic() + _STARTUP_SECONDS
    with httpx.Client() as client:
        while time.monotonic() < deadline:
            try:
                if client.get(f"{api_url}/health").status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
    log = Path(os.environ[_SHARED_LOG])
    tail = log.read_text(errors="replace")[-3000:] if log.exists() else ""
    raise RuntimeError(f"the shared Prefect test server at {api_url} did not start: {tail}")


@pytest.fixture(scope="session")
def prefect_server():
    """A real, temporary Prefect server (started once) for tests that run flows."""
    api_url = os.environ.get(_SHARED_API) if os.environ.get("PYTEST_XDIST_WORKER") else None
    if not api_url:
        from prefect.testing.utilities import prefect_test_harness

        with prefect_test_harness(server_startup_timeout=120):
            yield
        return

    # What prefect_test_harness does, against the controller's server instead of one of our own.
    import prefect.context
    from prefect.events.worker import EventsWorker
    from prefect.logging.handlers import APILogWorker
    from prefect.settings import (
        PREFECT_API_URL,
        PREFECT_SERVER_DATABASE_CONNECTION_URL,
        temporary_settings,
    )
    from prefect.utilities.asyncutils import run_coro_as_sync

    _wait_until_healthy(api_url)
    updates = {PREFECT_API_URL: api_url, PREFECT_SERVER_DATABASE_CONNECTION_URL: os.environ[_SHARED_DB]}
    with temporary_settings(updates=updates):
        with prefect.context._temporary_global_settings_context(prefect.context.get_settings_context()):
            yield

            async def drain() -> None:
                # flush this worker's logs and events before its settings go (the harness does the same)
                try:
                    result = APILogWorker.instance().drain()
                    if hasattr(result, "__await__"):
                        await result
                except RuntimeError:  # never started
                    pass
                result = EventsWorker.drain_all()
                if hasattr(result, "__await__"):
                    await result

            run_coro_as_sync(drain())


@pytest.fixture
def seeds_dir() -> Path:
    return SEEDS


@contextmanager
def served_over_http(directory: Path) -> Iterator[str]:
    """The standard library's HTTP server on loopback serving `directory`; yields its base URL.

    It lists a directory as a page of links (sub-folders end in "/") and sends each file's
    Last-Modified (its mtime, to the second): what fsspec's HTTP filesystem lists and reads."""
    import functools
    import http.server
    import threading

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:  # no request lines in the test output
            pass

    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Quiet, directory=str(directory))
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
