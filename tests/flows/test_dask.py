"""Running on Dask: the same warehouse as on threads, on a cluster the run starts or is given.

Split from test_operations.py so that `make test`'s two workers (one file each at a time) share the
slowest tests between them.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from tests.flows.test_operations import REPO, make_corpus, run, snapshot

SEEDS = sorted((REPO / "seeds").glob("*.txt"))
# The three smallest seeds (9 kB): enough for three batches, one or more on each of two workers.
SMALL = SEEDS[2:]


@pytest.fixture(scope="module")
def on_threads(prefect_server, tmp_path_factory) -> tuple[Path, dict[str, list[tuple]]]:
    """Three seeds, and what a run on threads (default batching) makes of them: what every run on Dask
    below must make too. Read, never written, by the tests."""
    tmp = tmp_path_factory.mktemp("on-threads")
    corpus = make_corpus(tmp / "c", names=SMALL)
    run(corpus, tmp / "t.duckdb")
    return corpus, snapshot(tmp / "t.duckdb")


def test_dask_runner_builds_the_same_warehouse(prefect_server, tmp_path, on_threads):
    corpus, threads = on_threads
    dask = tmp_path / "d.duckdb"
    # One worker process: the cluster the run starts and tears down is what is under test, not its size.
    s = run(corpus, dask, batch_size=2, task_runner="dask", workers=1)
    assert (s["status"], s["batches"], s["docs_cleaned"]) == ("succeeded", 2, 3)
    assert snapshot(dask) == threads


def _start(args: list[str], log: Path, env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(args, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=log.open("w"))


def test_cli_run_on_a_dask_cluster_spreads_batches_and_reports_to_the_flows_api(
    prefect_server, tmp_path, on_threads
):
    """A real scheduler and two workers on loopback; the run uses Prefect's temporary server (no
    PREFECT_API_URL), whose URL the workers must be handed instead of starting servers of their own."""
    corpus, threads = on_threads
    bin_dir = Path(sys.executable).parent
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_API")}
    env |= {"PREFECT_LOGGING_LEVEL": "INFO", "PYTHONPATH": str(REPO)}
    scheduler_file = tmp_path / "scheduler.json"
    procs = [
        _start(
            [
                str(bin_dir / "dask"),
                "scheduler",
                "--host",
                "127.0.0.1",
                "--port",
                "0",
                "--no-dashboard",
                "--scheduler-file",
                str(scheduler_file),
            ],
            tmp_path / "scheduler.log",
            env,
        )
    ]
    try:
        deadline = time.monotonic() + 60
        while not scheduler_file.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        address = json.loads(scheduler_file.read_text())["address"]
        for name in ("w1", "w2"):
            procs.append(
                _start(
                    [
                        str(bin_dir / "dask"),
                        "worker",
                        address,
                        "--name",
                        name,
                        "--nthreads",
                        "1",
                        "--host",
                        "127.0.0.1",
                        "--no-dashboard",
                    ],
                    tmp_path / f"{name}.log",
                    env,
                )
            )
        from distributed import Client

        with Client(address, timeout=30) as client:
            client.wait_for_workers(2, timeout=60)
        wh = tmp_path / "dask.duckdb"
        out = subprocess.run(
            [
                sys.executable,
                "-m",
                "flows.cli",
                "run",
                "--source",
                str(corpus),
                "--warehouse",
                str(wh),
                "--task-runner",
                "dask",
                "--dask-address",
                address,
                "--no-data-docs",
            ],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
    finally:
        for p in reversed(procs):
            p.terminate()
        for p in procs:
            p.wait(30)
    assert out.returncode == 0, out.stderr[-3000:]
    # Default batching (16 MB / 5,000 files) would make one batch of these 3 files; cut at half the
    # files and half the bytes each, they make 3 (each at most half the bytes: at least one per worker).
    assert re.search(r"│ batches\s+│\s+3 │", out.stdout), out.stdout
    logs = {name: (tmp_path / f"{name}.log").read_text() for name in ("w1", "w2")}
    for log in logs.values():
        assert "temporary server" not in log, log[-3000:]
    ran = {name: sorted(set(re.findall(r"Task run '(\w+\[b\d\])'", log))) for name, log in logs.items()}
    assert all(ran.values()), ran  # both workers ran tasks
    assert sorted(t for names in ran.values() for t in names) == sorted(
        f"{stage}[b{b}]" for stage in ("ingest", "clean", "entities", "metrics") for b in (0, 1, 2)
    )
    assert snapshot(wh) == threads


def test_dask_address_runs_the_batches_on_that_cluster(prefect_server, tmp_path, on_threads):
    """`--dask-address`: an existing scheduler (a real LocalCluster on 127.0.0.1, one worker on a
    thread of this process) receives every batch task."""
    from distributed import LocalCluster

    corpus, threads = on_threads
    wh = tmp_path / "da.duckdb"
    with LocalCluster(
        n_workers=1,
        threads_per_worker=1,
        processes=False,
        protocol="tcp://",
        host="127.0.0.1",
        dashboard_address=None,
    ) as cluster:
        address = cluster.scheduler_address
        assert address.startswith("tcp://127.0.0.1:")
        s = run(corpus, wh, batch_size=1, task_runner="dask", dask_address=address)
        ran = set(cluster.scheduler.task_prefixes)  # every task this scheduler was given, by name
    assert ran == {"ingest_batch", "clean_batch", "entities_batch", "metrics_batch"}
    assert (s["status"], s["batches"], s["docs_cleaned"]) == ("succeeded", 3, 3)
    assert snapshot(wh) == threads
    with duckdb.connect(str(wh), read_only=True) as con:
        assert con.execute("SELECT parameters::JSON ->> 'dask_address' FROM runs").fetchall() == [(address,)]
