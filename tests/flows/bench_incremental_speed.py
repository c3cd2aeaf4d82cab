"""What does a +1% incremental run cost? Rerunnable measurement, not a test (no `test_` prefix).

    .venv/bin/quarry gen-corpus --docs 2020 --from ../shared/devset/docs,seeds --out /tmp/all
    # the first 2,000 files in /tmp/corpus, the last 20 (+1%) in /tmp/new
    .venv/bin/python tests/flows/bench_incremental_speed.py snapshot /tmp/corpus /tmp/wh-snap
    .venv/bin/python tests/flows/bench_incremental_speed.py incremental /tmp/corpus /tmp/new /tmp/wh-snap 5
    # a baseline tree (git archive ... | tar -x -C /tmp/base), alternating with this one:
    PYTHONPATH=/tmp/base .venv/bin/python tests/flows/bench_incremental_speed.py incremental ...

`snapshot` runs the flow once over the corpus (serial, as `quarry bench` does) into a warehouse directory
and prints its figures; `incremental` copies that warehouse afresh for each repetition, adds the new
files to a copy of the corpus and runs the flow again, printing per run the wall seconds, the process's
CPU seconds, the gate's seconds and the stages' seconds. Every run is in one process after Prefect's
start-up (`env -u PREFECT_API_URL`: the temporary server). CPU seconds, not wall, are the figure on a
shared machine. `--no-docs` runs without Data Docs.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import sys
import time
from pathlib import Path

sys.path.append(str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")

from prefect import flow  # noqa: E402

from flows.pipeline import RunParameters, prewarm, quarry_pipeline  # noqa: E402


def _cpu() -> float:
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def one_run(params: RunParameters) -> dict:
    c0, t0 = _cpu(), time.perf_counter()
    summary = quarry_pipeline(params, return_state=True).result(raise_on_failure=False)
    wall, cpu = time.perf_counter() - t0, _cpu() - c0
    if isinstance(summary, BaseException):
        summary = getattr(summary, "summary", {"status": "failed", "message": str(summary)})
    return {
        "wall": round(wall, 3),
        "cpu": round(cpu, 3),
        "status": summary.get("status"),
        "docs_cleaned": summary.get("docs_cleaned"),
        "gate": summary.get("gate_seconds"),
        "stages": summary.get("stage_seconds"),
        "data_docs": summary.get("data_docs_seconds"),
    }


@flow(name="quarry-bench-warmup")
def _warmup() -> None:
    return None


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    docs = "--no-docs" not in sys.argv
    prewarm(RunParameters())
    _warmup()
    if args[0] == "snapshot":
        corpus, snap = args[1], Path(args[2])
        shutil.rmtree(snap, ignore_errors=True)
        params = RunParameters(
            source=corpus, warehouse=str(snap / "quarry.duckdb"), workers=1, data_docs=docs
        )
        print(json.dumps({"run": "full", **one_run(params)}), flush=True)
        # The catalog names its files by absolute path: each repetition restores the warehouse where
        # it was made, from this copy.
        shutil.rmtree(f"{snap}.orig", ignore_errors=True)
        shutil.copytree(snap, f"{snap}.orig")
        return
    corpus, new, snap, reps = Path(args[1]), Path(args[2]), Path(args[3]), int(args[4])
    added = []
    try:
        for f in sorted(new.glob("*.txt")):
            os.link(f, corpus / f.name)
            added.append(corpus / f.name)
        for i in range(reps):
            shutil.rmtree(snap, ignore_errors=True)
            shutil.copytree(f"{snap}.orig", snap)
            params = RunParameters(
                source=str(corpus), warehouse=str(snap / "quarry.duckdb"), workers=1, data_docs=docs
            )
            print(json.dumps({"run": f"incremental{i}", **one_run(params)}), flush=True)
    finally:
        for f in added:
            f.unlink()


if __name__ == "__main__":
    main()
