"""Run markers: a trace of every run that has started and not committed, kept outside the catalog.

A run writes `<root>/run-state/<run_id>.json` (atomically) as it starts, rewrites it as it reaches each
stage, and removes it right after its commit. A run killed before that (SIGKILL, the OOM killer, a power
cut, Ctrl-C, SIGTERM) leaves its marker; the next run (or `quarry runs`) finds it, commits a `runs` row
with status `interrupted` (its start, the last stage it reached, counts 0), and removes it. Nothing is
done on the way out of a signal: recording an interrupted run while a SIGTERM unwound made the exit
overrun its 30 s bound under load.

The marker is removed after the commit, not inside it: a run killed between the two leaves a marker
whose run already has its `runs` row, and such a marker is only removed (`record_stale` checks the
`runs` table, which a compaction does not change), so no run is ever recorded twice.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import socket
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl
import pyarrow as pa

from warehouse.catalog import Warehouse, scan
from warehouse.files import write_text_atomic
from warehouse.load import load_logs
from warehouse.schemas import RUNS

# `runs.status` of a run found dead before its commit (besides "succeeded" and "failed").
INTERRUPTED = "interrupted"


def state_dir(wh: Warehouse) -> Path:
    """Where the markers of running (or dead) runs are: beside the tables, never in the catalog."""
    return wh.root / "run-state"


def _proc_stat(pid: int) -> tuple[str, int] | None:
    """(state, start time in clock ticks since boot) of a process, from /proc/<pid>/stat (fields 3
    and 22); None when there is no such process. The start time makes a pid name one process, as a
    pid alone does not once it is reused."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # after the command name in parentheses (which may hold spaces and parentheses)
    rest = stat[stat.rindex(")") + 2 :].split()
    return rest[0], int(rest[19])


_HAS_PROC = Path("/proc/self/stat").exists()


def _alive(pid: int, started: int | None, host: str) -> bool:
    """Whether the process that wrote a marker may still be running. A marker from another host is
    assumed alive (its pid means nothing here); a zombie (killed, not yet reaped) is dead; without
    /proc (not Linux) a signal 0 says whether the pid exists."""
    if host != socket.gethostname():
        return True
    if _HAS_PROC:
        stat = _proc_stat(pid)
        return stat is not None and stat[0] not in ("Z", "X") and (started is None or stat[1] == started)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@dataclass
class RunMarker:
    """The marker of the run in this process: `update` as it reaches a stage, `remove` after its commit.

    Fields: run_id, flow_run_id, started_at and updated_at (ISO 8601, UTC), source, pid, pid_started,
    host, stage, status (`interrupted`, or `failed` once the run raised an error), message, parameters
    and versions (JSON, as `runs` stores them)."""

    path: Path
    fields: dict[str, Any]
    removed: bool = field(default=False)

    @classmethod
    def start(
        cls,
        wh: Warehouse,
        run_id: str,
        started: dt.datetime,
        source: str,
        flow_run_id: str | None,
        parameters: str,
        versions: str,
    ) -> RunMarker:
        """Write the marker of a run that starts now (fsynced: it must outlive a power cut)."""
        pid = os.getpid()
        marker = cls(
            state_dir(wh) / f"{run_id}.json",
            {
                "run_id": run_id,
                "flow_run_id": flow_run_id,
                "started_at": started.isoformat(),
                "updated_at": started.isoformat(),
                "source": source,
                "pid": pid,
                "pid_started": (_proc_stat(pid) or ("", None))[1],
                "host": socket.gethostname(),
                "stage": "plan",
                "status": INTERRUPTED,
                "message": None,
                "parameters": parameters,
                "versions": versions,
            },
        )
        write_text_atomic(json.dumps(marker.fields), marker.path)
        return marker

    def update(self, **changes: Any) -> None:
        """Rewrite the marker with `changes` (atomic, not fsynced: a stage reached is a hint). Nothing
        once it is removed; an OSError is dropped (the marker is a trace, never the run's failure)."""
        if self.removed:
            return
        self.fields.update(changes, updated_at=dt.datetime.now(dt.UTC).isoformat())
        try:
            write_text_atomic(json.dumps(self.fields), self.path, durable=False)
        except OSError:
            pass

    def remove(self) -> None:
        """Called right after the run's commit (its `runs` row is in the catalog)."""
        self.removed = True
        self.path.unlink(missing_ok=True)


def stale_markers(wh: Warehouse, holding_lock: bool) -> list[dict[str, Any]]:
    """The markers of runs that are not running: their process is gone (or is another process now).
    `holding_lock`: the caller holds the warehouse's write lock, so a marker of this very process is of
    a run that has ended too (a Ctrl-C in a notebook). Unreadable markers (half a file cannot be: they
    are written atomically; a user's stray file) are skipped. Oldest first."""
    found = []
    for path in sorted(state_dir(wh).glob("*.json")):
        try:
            m = json.loads(path.read_text(encoding="utf-8"))
            pid, started, host = int(m["pid"]), m.get("pid_started"), str(m.get("host", ""))
        except (OSError, ValueError, KeyError, TypeError):
            continue
        mine = holding_lock and pid == os.getpid() and host == socket.gethostname()
        if mine or not _alive(pid, started, host):
            found.append({**m, "path": str(path)})
    return sorted(found, key=lambda m: m["started_at"])


def _runs_row(m: dict[str, Any]) -> pl.DataFrame:
    """The `runs` row of a dead run's marker: counts 0 (nothing of it was loaded), finished_at the last
    time it was known alive (its marker's last rewrite), the stage it reached in the message."""
    stage = m.get("stage") or "plan"
    if m.get("message"):  # an error the run raised (`failed`)
        message = f"failed during {stage}: {m['message']}"
    else:
        message = (
            f"interrupted during {stage} (killed, Ctrl-C or SIGTERM) before its commit: "
            "nothing of it was loaded"
        )
    counts = {f.name: 0 for f in RUNS.schema if pa.types.is_integer(f.type)}
    return pl.DataFrame(
        [
            {
                "run_id": m["run_id"],
                "flow_run_id": m.get("flow_run_id"),
                "started_at": dt.datetime.fromisoformat(m["started_at"]),
                "finished_at": dt.datetime.fromisoformat(m.get("updated_at") or m["started_at"]),
                "status": m.get("status") or INTERRUPTED,
                "message": message,
                "parameters": m.get("parameters") or "{}",
                "versions": m.get("versions") or "{}",
                **counts,
                "stage_seconds": "{}",  # (the stage it reached is in the message)
            }
        ]
    )


def record_stale(wh: Warehouse, holding_lock: bool = True) -> list[str]:
    """Commit a `runs` row for each stale marker (`stale_markers`) whose run has none, then remove the
    marker. Call it holding the warehouse's write lock (it commits). Returns the run ids recorded."""
    markers = stale_markers(wh, holding_lock)
    if not markers:
        return []
    ids = [m["run_id"] for m in markers]
    have = set(
        scan(wh, RUNS.name)
        .select("run_id")
        .filter(pl.col("run_id").is_in(ids))
        .collect()
        .get_column("run_id")
        if wh.exists()
        else []
    )
    recorded = []
    for m in markers:
        if m["run_id"] not in have:
            load_logs(wh, m["run_id"], {RUNS.name: _runs_row(m)})
            recorded.append(m["run_id"])
        Path(m["path"]).unlink(missing_ok=True)
    return recorded
