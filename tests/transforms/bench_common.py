"""What the one-stage benchmarks (bench_*_speed.py; rerunnable measurements, not tests) share."""

from __future__ import annotations

import importlib
import sys
from types import ModuleType

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
