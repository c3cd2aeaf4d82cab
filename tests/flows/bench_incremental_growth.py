"""Does a nightly refresh stay flat as the warehouse ages? Rerunnable measurement, not a test.

    .venv/bin/quarry gen-corpus --docs 450 --from ../shared/devset/docs,seeds --out /tmp/soak-all
    # the first 300 files in /tmp/soak-base, the other 150 in /tmp/soak-new
    .venv/bin/python tests/flows/bench_incremental_growth.py /tmp/soak-base /tmp/soak-new /tmp/soak-wh 30 5

Copies the base corpus into `<warehouse>.src`, runs the flow once over it (serial, with Data Docs) into
a new warehouse, then `runs` incremental runs in a row on that one warehouse, each adding the next
`per_run` files of the new directory to the source. Every run is in one process (Prefect's temporary
server started once). Prints one JSON line per run: wall and CPU seconds, Data Docs seconds, and the
warehouse's size: bytes in all, catalog bytes, committed Parquet files per table, Data Docs HTML
pages and stored GX validation results. What grows with the run count here grows every night.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import time
from pathlib import Path

sys.path.append(str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")

from bench_incremental_speed import _cpu, _warmup  # noqa: E402

from flows.pipeline import RunParameters, prewarm, quarry_pipeline  # noqa: E402
from warehouse.catalog import Warehouse  # noqa: E402
from warehouse.load import file_counts  # noqa: E402


def size(wh: Warehouse) -> dict:
    """The warehouse's size on disk: what a year of nights would pile up."""
    files = [p for p in wh.root.rglob("*") if p.is_file()]
    docs = wh.docs_dir
    return {
        "bytes": sum(p.stat().st_size for p in files) + wh.catalog.stat().st_size,
        "files": len(files),
        "catalog_bytes": wh.catalog.stat().st_size,
        "parquet_files": dict(sorted(file_counts(wh).items())),
        "parquet_on_disk": sum(1 for p in wh.tables_dir.rglob("*.parquet")),
        "docs_pages": sum(1 for _ in docs.rglob("*.html")) if docs.exists() else 0,
        "docs_bytes": sum(p.stat().st_size for p in docs.rglob("*") if p.is_file()) if docs.exists() else 0,
        "gx_results": sum(1 for _ in (docs / ".results").rglob("*.json")) if docs.exists() else 0,
    }


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
        "data_docs": summary.get("data_docs_seconds"),
        "load": (summary.get("stage_seconds") or {}).get("load"),
        "compacted": bool(summary.get("compacted")),
    }


def main() -> None:
    base, new, wh_dir, runs, per_run = sys.argv[1:6]
    src, wh_path = Path(f"{wh_dir}.src"), Path(wh_dir)
    shutil.rmtree(src, ignore_errors=True)
    shutil.rmtree(wh_path, ignore_errors=True)
    shutil.copytree(base, src)
    wh = Warehouse.at(wh_path / "quarry.duckdb")
    params = RunParameters(source=str(src), warehouse=str(wh.catalog), workers=1, data_docs=True)
    prewarm(params)
    _warmup()
    print(json.dumps({"run": "full", **one_run(params), **size(wh)}), flush=True)
    pool = sorted(Path(new).glob("*.txt"))
    for i in range(int(runs)):
        for f in pool[i * int(per_run) : (i + 1) * int(per_run)]:
            shutil.copy(f, src / f.name)
        print(json.dumps({"run": i + 1, **one_run(params), **size(wh)}), flush=True)


if __name__ == "__main__":
    main()
