"""The nightly deployment on a real (temporary) Prefect server: schedule, flat form, a CLI-triggered run."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb
import pytest

from flows import cli, deploy
from flows.pipeline import RunParameters
from warehouse.catalog import Warehouse

REPO = Path(__file__).resolve().parents[2]


def test_deployment_schedule_form_and_triggered_run(prefect_server, tmp_path):
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId
    from prefect.deployments import run_deployment
    from prefect.settings import PREFECT_API_URL

    dep_id = deploy.register(cron="0 2 * * *", timezone="Europe/Berlin")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name in ("002_3c9ed8aaf0bf1444.txt", "004_dff8e1591547957f.txt"):
        shutil.copy(REPO / "seeds" / name, corpus / name)
    wh = tmp_path / "nightly.duckdb"
    with get_client(sync_client=True) as client:
        dep = client.read_deployment(dep_id)
        assert (dep.name, dep.entrypoint) == ("nightly", "flows.pipeline.quarry_pipeline")
        [sched] = dep.schedules
        assert (sched.schedule.cron, sched.schedule.timezone, sched.active) == (
            "0 2 * * *",
            "Europe/Berlin",
            True,
        )
        # The UI renders this schema as the run form: one typed field per RunParameters field, with the
        # model's default, bounds, choices and description.
        schema = dep.parameter_openapi_schema
        assert list(schema["properties"]) == list(RunParameters.model_fields)
        assert "definitions" not in schema or "RunParameters" not in schema["definitions"]
        props = schema["properties"]
        assert props["on_failure"]["enum"] == ["fail", "quarantine"]
        assert props["task_runner"]["enum"] == ["threads", "processes", "dask"]
        assert (props["batch_size"]["type"], props["batch_size"]["default"]) == ("integer", 5000)
        assert (props["batch_size"]["minimum"], props["batch_size"]["maximum"]) == (1, 100_000)
        assert props["batch_size"]["description"] == "Documents (files) per batch task"
        assert (props["full_refresh"]["type"], props["full_refresh"]["default"]) == ("boolean", False)
        assert dep.parameters["warehouse"] == "data/quarry.duckdb"
        assert dep.parameters["lock_wait_seconds"] == 3600.0  # a scheduled run waits for a manual one

    env = {
        **os.environ,
        "PREFECT_API_URL": PREFECT_API_URL.value(),
        "PREFECT_RUNNER_POLL_FREQUENCY": "1",
        "PREFECT_LOGGING_LEVEL": "WARNING",
    }
    # What a user types: the Prefect CLI, one --param per field, values parsed as JSON (no Data Docs:
    # nothing here is about them, and they are ~30% of a small run's CPU).
    run = _trigger(
        env, f"source={corpus}", f"warehouse={wh}", "batch_size=1", "on_failure=fail", "data_docs=false"
    )
    assert (run.parameters["batch_size"], run.parameters["on_failure"], run.parameters["data_docs"]) == (
        1,
        "fail",
        False,
    )
    # A user's mistake through the deployment: a source that does not exist (triggered from this
    # process: what is tested is the run's failure, the CLI's parsing is above).
    missing = tmp_path / "no-such-dir"
    bad = run_deployment(
        "quarry-pipeline/nightly",
        parameters={"source": str(missing), "warehouse": str(tmp_path / "bad.duckdb")},
        timeout=0,
    )

    server = subprocess.Popen(
        [sys.executable, "-m", "flows.cli", "serve"],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 240
        with get_client(sync_client=True) as client:
            while time.monotonic() < deadline:
                state = client.read_flow_run(run.id).state
                bad_state = client.read_flow_run(bad.id).state
                if all(x is not None and x.is_final() for x in (state, bad_state)):
                    break
                time.sleep(1)
            bad_tasks = client.read_task_runs(
                flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[bad.id]))
            )
    finally:
        server.terminate()
        try:
            server.wait(20)
        except subprocess.TimeoutExpired:
            server.kill()
    log = server.stderr.read() if server.stderr else ""
    assert state is not None and state.is_completed(), (state, log[-3000:])
    assert "Traceback" not in log, log[-3000:]
    assert [line.split(" - ", 1)[1] for line in log.splitlines() if "no-such-dir" in line] == [
        f"source {str(missing)!r} does not exist"
    ], log[-3000:]
    # The mistake fails once, with the one-line reason as the run's message, before the warehouse's
    # lock is taken (a run holding it would otherwise hide the real reason) and before any task runs.
    assert (bad_state.type.value, bad_state.message) == ("FAILED", f"source {str(missing)!r} does not exist")
    assert bad_tasks == []
    with duckdb.connect(str(wh), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM documents").fetchone() == (2,)
        assert con.execute("SELECT flow_run_id FROM runs").fetchone() == (str(run.id),)
        params_json = con.execute(
            "SELECT parameters::JSON ->> 'on_failure', parameters::JSON ->> 'batch_size', "
            "parameters::JSON ->> 'data_docs' FROM runs"
        ).fetchone()
        assert params_json == ("fail", "1", "false")
    assert not Warehouse.at(wh).docs_dir.exists()  # the run was given data_docs=false


def _trigger(env: dict[str, str], *params: str):
    """`prefect deployment run 'quarry-pipeline/nightly' --param k=v ...`; the flow run it created."""
    from prefect.client.orchestration import get_client

    args = [str(Path(sys.executable).parent / "prefect"), "deployment", "run", "quarry-pipeline/nightly"]
    for p in params:
        args += ["--param", p]
    out = subprocess.run(args, cwd=REPO, env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stdout + out.stderr
    found = re.search(r"UUID: ([0-9a-f-]{36})", out.stdout)
    assert found, out.stdout
    with get_client(sync_client=True) as client:
        return client.read_flow_run(uuid.UUID(found.group(1)))


def _schedule(dep_id: str) -> tuple[str, str]:
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        [sched] = client.read_deployment(dep_id).schedules
    return sched.schedule.cron, sched.schedule.timezone


def _registered_id(stdout: str) -> str:
    match = re.fullmatch(
        r"deployment quarry-pipeline/nightly \(([0-9a-f-]{36})\) registered at (\S+)\n"
        r"schedule: cron '([^']+)' in (\S+); runs execute while `make serve` is running\n",
        stdout,
    )
    assert match, stdout
    return match.group(1)


def test_quarry_deploy_registers_the_schedule_it_is_given(prefect_server, capsys, monkeypatch):
    from prefect.settings import PREFECT_API_URL

    monkeypatch.delenv("QUARRY_TIMEZONE", raising=False)
    url = PREFECT_API_URL.value()
    assert cli.main(["deploy", "--cron", "30 4 * * 1", "--timezone", "America/New_York"]) == 0
    out = capsys.readouterr().out
    dep_id = _registered_id(out)
    assert f"registered at {url}\nschedule: cron '30 4 * * 1' in America/New_York;" in out
    assert _schedule(dep_id) == ("30 4 * * 1", "America/New_York")
    # QUARRY_TIMEZONE is the default timezone; the default cron is 02:00 every night
    monkeypatch.setenv("QUARRY_TIMEZONE", "Asia/Shanghai")
    assert cli.main(["deploy"]) == 0
    again = _registered_id(capsys.readouterr().out)
    assert again == dep_id  # the same deployment, updated
    assert _schedule(dep_id) == ("0 2 * * *", "Asia/Shanghai")
    monkeypatch.delenv("QUARRY_TIMEZONE")
    assert cli.main(["deploy"]) == 0
    assert _schedule(_registered_id(capsys.readouterr().out)) == ("0 2 * * *", "UTC")


def test_quarry_deploy_without_a_server_says_how_to_start_one(prefect_server, capsys, monkeypatch):
    from prefect.settings import PREFECT_API_URL, temporary_settings

    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    with temporary_settings(restore_defaults={PREFECT_API_URL}):
        assert cli.main(["deploy"]) == 2
    captured = capsys.readouterr()
    assert (captured.out, captured.err) == (
        "",
        "quarry: error: no Prefect server configured: start one with `make server` and set "
        "PREFECT_API_URL=http://127.0.0.1:4200/api\n",
    )


@pytest.mark.parametrize("command", [["serve"], ["deploy"], ["run", "--source", "seeds"]])
def test_a_configured_server_that_is_down_is_one_line(command, tmp_path, capsys, monkeypatch):
    """Every command that talks to the configured Prefect server says in one line that nothing answers
    there and what to start (`serve` printed a 100-line httpx.ConnectError traceback)."""
    import socket

    from prefect.settings import PREFECT_API_URL, temporary_settings

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed once the block ends: nothing listens there
    url = f"http://127.0.0.1:{port}/api"
    monkeypatch.setenv("PREFECT_API_URL", url)
    monkeypatch.chdir(REPO)
    if command[0] == "run":
        command = [*command, "--warehouse", str(tmp_path / "wh" / "quarry.duckdb")]
    with temporary_settings(updates={PREFECT_API_URL: url}):
        assert cli.main(command) == 2
    captured = capsys.readouterr()
    assert (captured.out, captured.err) == (
        "",
        f"quarry: error: no Prefect server answers at {url} (ConnectError: [Errno 111] Connection "
        "refused): start one with `make server`, or point PREFECT_API_URL at a running one\n",
    )


def test_flow_heartbeats_only_when_a_prefect_server_is_configured() -> None:
    """Without PREFECT_API_URL a run reports to Prefect's temporary in-process server: no heartbeat
    thread (whose one-second sleeps delayed the end of every run); with a server, the setting stays."""
    from prefect.settings import PREFECT_API_URL, get_current_settings, temporary_settings

    from flows.pipeline import heartbeats_only_to_a_server

    seen = {}
    for url in (None, "http://127.0.0.1:4200/api"):
        with temporary_settings(updates={PREFECT_API_URL: url}):
            default = get_current_settings().flows.heartbeat_frequency
            with heartbeats_only_to_a_server():
                seen[url] = get_current_settings().flows.heartbeat_frequency
            assert get_current_settings().flows.heartbeat_frequency == default == 180
    assert seen == {None: None, "http://127.0.0.1:4200/api": 180}


class _Relay:
    """A TCP relay on loopback in front of a Prefect server, for a client to lose that server as a user
    stopping `make server` loses it, while the server itself (the session's) goes on for other tests.

    `close()` does what the end of the server's process does to its sockets: the port refuses new
    connections and every open connection (HTTP keep-alive, the events websockets) is shut down."""

    def __init__(self, port: int) -> None:
        self._target = port
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._open: list[socket.socket] = []
        self._lock = threading.Lock()
        self._closed = False
        threading.Thread(target=self._accept, name="relay-accept", daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:  # closed
                return
            try:
                upstream = socket.create_connection(("127.0.0.1", self._target))
            except OSError:
                client.close()
                continue
            with self._lock:
                if self._closed:  # accepted as close() ran: ended like the rest
                    client.close()
                    upstream.close()
                    return
                self._open += [client, upstream]
            for src, dst in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(src, dst), name="relay", daemon=True).start()

    @staticmethod
    def _pump(src: Any, dst: Any) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
            dst.shutdown(socket.SHUT_WR)
        except OSError:  # the relay was closed, or the other side went
            pass

    def close(self) -> None:
        # (shutdown first: it also wakes the threads blocked in accept() and recv() on Linux)
        with self._lock:
            self._closed = True
            for s in [self._listener, *self._open]:
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                s.close()


def _nightly() -> Any:
    """The served deployment on the session's server, or None. Read with Prefect's client, not a bare
    request: it retries the 503 a busy shared server (SQLite locked by the other workers' runs) answers
    now and then (seen once in a fresh-clone `make test`)."""
    from prefect.client.orchestration import get_client
    from prefect.exceptions import ObjectNotFound

    with get_client(sync_client=True) as client:
        try:
            return client.read_deployment_by_name("quarry-pipeline/nightly")
        except ObjectNotFound:
            return None


@contextmanager
def _serving(url: str, tmp_path: Path, **popen: Any) -> Iterator[tuple[subprocess.Popen, Path]]:
    """`quarry serve` against the Prefect server at `url`, once its deployment is served: (serve
    process, its log). On the way out serve is killed and the deployment deleted from the session's
    server (by its own URL), so that each test starts with none."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env |= {"PREFECT_HOME": str(tmp_path / "home"), "PREFECT_LOGGING_LEVEL": "INFO"}
    log = tmp_path / "serve.log"
    serve = subprocess.Popen(
        [sys.executable, "-m", "flows.cli", "serve"],
        cwd=REPO,
        env=env | {"PREFECT_API_URL": url},
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        **popen,
    )
    try:
        deadline = time.monotonic() + 120
        while "quarry-pipeline/nightly" not in log.read_text() and time.monotonic() < deadline:
            assert serve.poll() is None, log.read_text()
            time.sleep(0.5)
        yield serve, log
    finally:
        if serve.poll() is None:
            serve.kill()
            serve.wait(30)
        from prefect.client.orchestration import get_client

        if (dep := _nightly()) is not None:
            with get_client(sync_client=True) as client:
                client.delete_deployment(dep.id)


def test_quarry_serve_stops_within_its_grace_when_the_server_is_gone(prefect_server, tmp_path):
    """The server goes first, as when a user closes `make server` (its port refuses connections, its
    open connections end): SIGTERM to `quarry serve` then ends it in STOP_GRACE_SECONDS with a line
    saying why, instead of hanging."""
    from urllib.parse import urlsplit

    from prefect.settings import PREFECT_API_URL

    relay = _Relay(urlsplit(PREFECT_API_URL.value()).port)
    try:
        with _serving(f"http://127.0.0.1:{relay.port}/api", tmp_path) as (serve, log):
            time.sleep(5)  # serving: polling for scheduled runs, subscribed to the server's events
            relay.close()
            time.sleep(2)  # the subscriptions have seen the server go
            t0 = time.monotonic()
            serve.terminate()
            code = serve.wait(deploy.STOP_GRACE_SECONDS + 30)
            assert deploy.STOP_GRACE_SECONDS <= time.monotonic() - t0 < deploy.STOP_GRACE_SECONDS + 30
            assert code == 128 + 15
            assert (
                log.read_text()
                .rstrip()
                .endswith(
                    "quarry serve: still stopping 10 s after SIGTERM (is the Prefect server gone? the "
                    "nightly schedule may still be active there); exiting"
                )
            )
    finally:
        relay.close()


@pytest.mark.parametrize("second", [signal.SIGTERM, signal.SIGINT])
def test_quarry_serve_pauses_its_schedule_when_signalled_twice(prefect_server, tmp_path, second):
    """`make serve` stopped by SIGTERM to its process group (systemd, a container stop, `kill -- -PGID`):
    quarry gets the group's SIGTERM and make forwards another one to it at once (or a user presses
    Ctrl-C while it stops). The schedule is still paused on the server before the process exits."""
    from prefect.settings import PREFECT_API_URL

    url = PREFECT_API_URL.value()
    # (its own process group, as make's recipe has under systemd)
    with _serving(url, tmp_path, start_new_session=True) as (serve, log):
        time.sleep(3)  # serving: polling for scheduled runs
        assert _nightly().paused is False
        os.killpg(serve.pid, signal.SIGTERM)
        time.sleep(0.05)
        os.kill(serve.pid, second)
        code = serve.wait(deploy.STOP_GRACE_SECONDS + 30)
        text = log.read_text()
        assert "All deployments have been paused!" in text, text[-3000:]
        assert _nightly().paused is True
        # (a second signal arriving after the runner is done stays ignored too: the process ends with
        # its own status, never by the signal, -2 / -15)
        assert code in (0, 128 + signal.SIGTERM), text[-3000:]
