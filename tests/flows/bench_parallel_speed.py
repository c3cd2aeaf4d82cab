"""Where do a run's seconds go with 1 and 2 workers? Rerunnable measurement, not a test (no `test_` prefix).

    .venv/bin/quarry gen-corpus --docs 3000 --from ../shared/devset/docs,seeds --out /tmp/corpus  # ~22 MB
    .venv/bin/python tests/flows/bench_parallel_speed.py /tmp/corpus 1,2,1,2
    # a baseline tree (git archive ... | tar -x -C /tmp/base), alternating with this one:
    PYTHONPATH=/tmp/base .venv/bin/python tests/flows/bench_parallel_speed.py /tmp/corpus 1,2,1,2

Runs the flow (no Data Docs) once per item of the plan, in one process after Prefect's start-up: `1` =
serial, `2` = two thread workers, `2p` = two worker processes, `2d` = a local Dask cluster of two. For
each run it prints the flow's wall seconds, the process's CPU seconds (children too: worker processes;
`descendants_cpu`: every descendant but Prefect's server, sampled, as forked workers are not children),
CPU seconds per thread group (the batch workers, polars' pool, the flow's main thread, which runs the
load, and the load's writers), the seconds each batch's stage finished at, and the batch phase's tail
(with 2+ workers: how long one worker ran alone at the end). On a machine shared with other jobs wall
seconds are noise and CPU seconds are not: a serial run whose threads other than the batch worker burn
a share of the CPU already uses the second core, and two workers cannot beat CPU seconds / 2.
"""

from __future__ import annotations

import collections
import json
import os
import resource
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

# Appended, not inserted: a baseline tree named by PYTHONPATH must come first.
sys.path.append(str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")

from prefect import flow  # noqa: E402

from flows.pipeline import RunParameters, observe_progress, prewarm, quarry_pipeline  # noqa: E402

RUNNERS = {"": "threads", "p": "processes", "d": "dask"}


def _thread_cpu() -> dict[str, float]:
    """CPU seconds of each live thread of this process, by native id."""
    tick = os.sysconf("SC_CLK_TCK")
    out = {}
    for tid in os.listdir("/proc/self/task"):
        try:
            stat = Path(f"/proc/self/task/{tid}/stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        out[tid] = (int(fields[11]) + int(fields[12])) / tick
    return out


class ThreadSampler:
    """CPU seconds per thread group over a block (threads that end inside it are sampled every 0.2 s)."""

    def __init__(self) -> None:
        self.cpu: dict[str, float] = {}
        self.names: dict[str, str] = {}
        self._stop = threading.Event()

    def _sample(self) -> None:
        names = {str(t.native_id): t.name for t in threading.enumerate()}
        for tid, cpu in _thread_cpu().items():
            self.cpu[tid] = cpu
            if tid in names:
                self.names[tid] = names[tid]
            elif tid not in self.names:
                try:
                    self.names[tid] = Path(f"/proc/self/task/{tid}/comm").read_text().strip()
                except OSError:
                    self.names[tid] = "?"

    def _run(self) -> None:
        while not self._stop.wait(0.2):
            self._sample()

    def __enter__(self) -> ThreadSampler:
        self.base = _thread_cpu()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._sample()
        self._stop.set()
        self._thread.join()

    def by_group(self) -> dict[str, float]:
        groups: collections.Counter[str] = collections.Counter()
        for tid, cpu in self.cpu.items():
            groups[self.names.get(tid, "?").rstrip("0123456789-_ ")] += cpu - self.base.get(tid, 0.0)
        return {k: round(v, 2) for k, v in groups.most_common() if v >= 0.05}


class DescendantSampler:
    """CPU seconds of this process's descendants but Prefect's server (worker processes, the forkserver
    and what it forks), sampled every 0.2 s: forked workers are reaped by the forkserver, not by this
    process, so RUSAGE_CHILDREN misses them; a worker's last 0.2 s before it exits are missed here."""

    def __init__(self) -> None:
        import psutil

        self._me = psutil.Process()
        self.cpu: dict[int, float] = {}
        self.base: dict[int, float] = {}
        self._stop = threading.Event()

    def _sample(self, into: dict[int, float]) -> None:
        import psutil

        for child in self._me.children(recursive=True):
            try:
                if any("uvicorn" in part for part in child.cmdline()):
                    continue
                t = child.cpu_times()
                into[child.pid] = t.user + t.system
            except psutil.Error:
                pass

    def _run(self) -> None:
        while not self._stop.wait(0.2):
            self._sample(self.cpu)

    def __enter__(self) -> DescendantSampler:
        self._sample(self.base)
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._sample(self.cpu)
        self._stop.set()
        self._thread.join()

    def seconds(self) -> float:
        return round(sum(v - self.base.get(pid, 0.0) for pid, v in self.cpu.items()), 2)


def one_run(corpus: str, spec: str, warehouse: Path) -> dict:
    workers, runner = int(spec[0]), RUNNERS[spec[1:]]
    shutil.rmtree(warehouse, ignore_errors=True)
    params = RunParameters(
        source=corpus, warehouse=str(warehouse), workers=workers, task_runner=runner, data_docs=False
    )
    finished: list[tuple[float, str, int]] = []
    t0 = time.perf_counter()

    def observer(event: str, **data: object) -> None:
        if event == "stage":
            finished.append((round(time.perf_counter() - t0, 2), str(data["stage"]), int(data["batch"])))  # type: ignore[call-overload]

    own0, kids0 = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    with ThreadSampler() as threads, DescendantSampler() as descendants, observe_progress(observer):
        summary = quarry_pipeline(params, return_state=True).result(raise_on_failure=False)
    wall = time.perf_counter() - t0
    own1, kids1 = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    shutil.rmtree(warehouse, ignore_errors=True)
    last = sorted(t for t, stage, _ in finished if stage == "metrics")
    return {
        "run": spec,
        "wall": round(wall, 2),
        "cpu": round(own1.ru_utime + own1.ru_stime - own0.ru_utime - own0.ru_stime, 2),
        "children_cpu": round(kids1.ru_utime + kids1.ru_stime - kids0.ru_utime - kids0.ru_stime, 2),
        "descendants_cpu": descendants.seconds(),
        "threads_cpu": threads.by_group(),
        "after_batches": round(wall - max((t for t, _, _ in finished), default=0.0), 2),
        "tail": round(last[-1] - last[-2], 2) if len(last) > 1 else None,
        "stage_seconds": getattr(summary, "get", lambda *_: None)("stage_seconds"),
        "finished": finished,
    }


@flow(name="quarry-bench-warmup")
def _warmup() -> None:
    return None


def main() -> None:
    corpus, plan = sys.argv[1], sys.argv[2].split(",")
    prewarm(RunParameters())
    _warmup()
    with tempfile.TemporaryDirectory(prefix="bench-parallel-") as tmp:
        for i, spec in enumerate(plan):
            print(json.dumps(one_run(corpus, spec, Path(tmp) / f"wh{i}")), flush=True)


if __name__ == "__main__":  # process-pool and Dask workers import this module again
    main()
