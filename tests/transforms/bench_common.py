"""What the one-stage benchmarks (bench_*_speed.py; rerunnable measurements, not tests) share."""

from __future__ import annotations

import argparse
import importlib
import sys
import time
from collections.abc import Callable
from types import ModuleType
from typing import Any

_PACKAGES = ("transforms", "warehouse")


def load_baseline(root: str, module: str) -> ModuleType:
    """`module` (e.g. "transforms.metrics") of another tree holding its own transforms/ and warehouse/
    packages (`git archive <commit> transforms warehouse | tar -x -C root`), imported beside ours:
    both can then be timed in one process, where the machine's load hits them alike."""
    ours = {k: v for k, v in sys.modules.items() if k.split(".")[0] in _PACKAGES}
    for k in ours:
        del sys.modules[k]
    sys.path.insert(0, root)
    try:
        return importlib.import_module(module)
    finally:
        sys.path.remove(root)
        for k in [k for k in sys.modules if k.split(".")[0] in _PACKAGES]:
            del sys.modules[k]
        sys.modules.update(ours)


def arguments(cached: str) -> argparse.ArgumentParser:
    """The options every one-stage benchmark takes; `cached` says what `--cache` holds."""
    ap = argparse.ArgumentParser()
    ap.add_argument("source", help="a folder of documents, e.g. from `quarry gen-corpus`")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--cache", help=f"folder to save / read {cached} (Parquet)")
    ap.add_argument("--baseline", help="another tree (holding transforms/, warehouse/) to time alongside")
    ap.add_argument("--no-steps", action="store_true", help="skip the per-step times")
    return ap


def best_cpu(repeat: int, fn: Callable[..., Any], *args: Any) -> tuple[float, Any]:
    """(best CPU seconds of this process over `repeat` calls of fn(*args), the last result)."""
    best, result = float("inf"), None
    for _ in range(repeat):
        t0 = time.process_time()
        result = fn(*args)
        best = min(best, time.process_time() - t0)
    return best, result


def time_versions(
    versions: dict[str, ModuleType], call: Callable[[ModuleType], Any], repeat: int
) -> tuple[dict[str, float], dict[str, Any]]:
    """Best CPU seconds and last result of `call(module)` per version, the versions alternating in
    each round (the machine's load then hits them alike)."""
    best = dict.fromkeys(versions, float("inf"))
    results: dict[str, Any] = {}
    for _ in range(repeat):
        for name, mod in versions.items():
            t0 = time.process_time()
            results[name] = call(mod)
            best[name] = min(best[name], time.process_time() - t0)
    return best, results
