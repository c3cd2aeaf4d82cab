"""The nightly deployment on a real (temporary) Prefect server: schedule, form, and an API-triggered run."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb

from flows import deploy
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
