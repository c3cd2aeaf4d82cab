"""The nightly deployment on a real (temporary) Prefect server: schedule, form, and an API-triggered run."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb

from flows import cli, deploy
from flows.pipeline import RunParameters

REPO = Path(__file__).resolve().parents[2]


def test_deployment_schedule_form_and_triggered_run(prefect_server, tmp_path):
    from prefect.client.orchestration import get_client
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
        # The UI renders this schema as the run form: typed fields with defaults and choices.
        props = dep.parameter_openapi_schema["definitions"]["RunParameters"]["properties"]
        assert props["on_failure"]["enum"] == ["fail", "quarantine"]
        assert props["task_runner"]["enum"] == ["threads", "dask"]
        assert (props["batch_size"]["type"], props["batch_size"]["default"]) == ("integer", 5000)
        assert props["full_refresh"]["type"] == "boolean"
        assert dep.parameters["params"]["warehouse"] == "data/quarry.duckdb"
        # What the UI's "Run → Custom run" does: a flow run from the deployment with other parameters.
        params = RunParameters(source=str(corpus), warehouse=str(wh), batch_size=1, on_failure="quarantine")
        run = client.create_flow_run_from_deployment(
            dep_id, parameters={"params": params.model_dump(mode="json")}
        )

    env = {
        **os.environ,
        "PREFECT_API_URL": PREFECT_API_URL.value(),
        "PREFECT_RUNNER_POLL_FREQUENCY": "1",
        "PREFECT_LOGGING_LEVEL": "WARNING",
    }
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
                if state is not None and state.is_final():
                    break
                time.sleep(1)
    finally:
        server.terminate()
        try:
            server.wait(20)
        except subprocess.TimeoutExpired:
            server.kill()
    assert state is not None and state.is_completed(), (
        state,
        server.stderr.read()[-3000:] if server.stderr else "",
    )
    with duckdb.connect(str(wh), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM documents").fetchone() == (2,)
        assert con.execute("SELECT flow_run_id FROM runs").fetchone() == (str(run.id),)
        params_json = con.execute(
            "SELECT parameters::JSON ->> 'on_failure', parameters::JSON ->> 'batch_size' FROM runs"
        ).fetchone()
        assert params_json == ("quarantine", "1")


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
