"""Run markers (warehouse.run_state): which runs are dead, and recording them once."""

from __future__ import annotations

import datetime as dt
import json
import os
import socket
import subprocess
import sys
import time

import duckdb
import pytest

from warehouse import run_state
from warehouse.catalog import Warehouse

STARTED = dt.datetime(2026, 11, 30, 22, 15, tzinfo=dt.UTC)


def _marker(wh: Warehouse, run_id: str = "20261130T221500-abc123") -> run_state.RunMarker:
    return run_state.RunMarker.start(
        wh, run_id, STARTED, "/news", "flow-1", '{"source": "/news"}', '{"v": "1"}'
    )


def _rewrite(marker: run_state.RunMarker, **fields: object) -> None:
    marker.path.write_text(json.dumps({**marker.fields, **fields}))


def _dead_pid() -> tuple[int, int | None]:
    """A pid (and its start time) of a process that has ended and been reaped."""
    p = subprocess.Popen([sys.executable, "-c", "pass"])
    started = run_state._proc_stat(p.pid)
    p.wait()
    return p.pid, None if started is None else started[1]


def test_a_marker_of_a_live_process_is_not_stale_and_one_of_a_dead_one_is(tmp_path):
    wh = Warehouse.at(tmp_path / "w.duckdb")
    live = _marker(wh, "run-live")
    assert (live.fields["pid"], live.fields["stage"], live.fields["status"]) == (
        os.getpid(),
        "plan",
        "interrupted",
    )
    assert run_state.stale_markers(wh, holding_lock=False) == []
    # this very process, holding the write lock: a run of its own that ended (a Ctrl-C in a notebook)
    assert [m["run_id"] for m in run_state.stale_markers(wh, holding_lock=True)] == ["run-live"]
    dead = _marker(wh, "run-dead")
    pid, started = _dead_pid()
    _rewrite(dead, pid=pid, pid_started=started)
    assert [m["run_id"] for m in run_state.stale_markers(wh, holding_lock=False)] == ["run-dead"]


def test_a_reused_pid_or_a_zombie_is_not_the_run_and_another_host_is_left_alone(tmp_path):
    wh = Warehouse.at(tmp_path / "w.duckdb")
    m = _marker(wh)
    _rewrite(m, pid_started=m.fields["pid_started"] - 1)  # same pid, another process (started earlier)
    assert [x["run_id"] for x in run_state.stale_markers(wh, holding_lock=False)] == [m.fields["run_id"]]
    zombie = subprocess.Popen([sys.executable, "-c", "pass"])
    try:
        deadline = time.monotonic() + 30
        while run_state._proc_stat(zombie.pid)[0] != "Z" and time.monotonic() < deadline:
            time.sleep(0.01)  # until it has ended, not yet reaped
        _rewrite(m, pid=zombie.pid, pid_started=run_state._proc_stat(zombie.pid)[1])
        assert [x["run_id"] for x in run_state.stale_markers(wh, holding_lock=False)] == [m.fields["run_id"]]
    finally:
        zombie.wait()
    pid, started = _dead_pid()
    _rewrite(m, pid=pid, pid_started=started, host=socket.gethostname() + "-elsewhere")
    assert run_state.stale_markers(wh, holding_lock=False) == []


def test_a_stale_marker_is_recorded_once_with_its_stage_and_removed(tmp_path):
    wh = Warehouse.at(tmp_path / "w.duckdb")
    m = _marker(wh)
    m.update(stage="entities")
    pid, started = _dead_pid()
    _rewrite(m, pid=pid, pid_started=started)
    assert run_state.record_stale(wh) == [m.fields["run_id"]]
    assert list(run_state.state_dir(wh).iterdir()) == []
    with duckdb.connect(str(wh.catalog), read_only=True) as con:
        rows = con.execute(
            "SELECT run_id, flow_run_id, started_at, finished_at, status, message, parameters, versions, "
            "docs_in, docs_duplicates, stage_seconds FROM runs"
        ).fetchall()
    assert rows == [
        (
            m.fields["run_id"],
            "flow-1",
            STARTED,
            dt.datetime.fromisoformat(m.fields["updated_at"]),
            "interrupted",
            "interrupted during entities (killed, Ctrl-C or SIGTERM) before its commit: "
            "nothing of it was loaded",
            '{"source": "/news"}',
            '{"v": "1"}',
            0,
            0,
            "{}",
        )
    ]
    # a marker whose run has its row (killed between its commit and the marker's removal): only removed
    _rewrite(m, pid=pid, pid_started=started)
    assert run_state.record_stale(wh) == []
    assert list(run_state.state_dir(wh).iterdir()) == []
    with duckdb.connect(str(wh.catalog), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM runs").fetchone() == (1,)


def test_a_removed_marker_is_not_written_again(tmp_path):
    wh = Warehouse.at(tmp_path / "w.duckdb")
    m = _marker(wh)
    m.remove()
    m.update(status="failed", message="too late")
    assert list(run_state.state_dir(wh).iterdir()) == []


@pytest.mark.parametrize("text", ["{not json", '{"run_id": "x"}'])
def test_an_unreadable_marker_is_skipped(tmp_path, text):
    wh = Warehouse.at(tmp_path / "w.duckdb")
    run_state.state_dir(wh).mkdir(parents=True)
    (run_state.state_dir(wh) / "stray.json").write_text(text)
    assert run_state.stale_markers(wh, holding_lock=True) == []
