"""The dependency direction is part of the design: checked on the source, with ast."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
FORBIDDEN = {
    # transforms are pure: no orchestration, no IO engines, no validation framework, no other layers
    "transforms": {
        "prefect",
        "prefect_dask",
        "duckdb",
        "great_expectations",
        "flows",
        "expectations",
        "fsspec",
    },
    # suites are data + the gate: no orchestration, no flows
    "expectations": {"prefect", "prefect_dask", "flows", "duckdb"},
    # the IO layer knows nothing of orchestration or validation
    "warehouse": {"prefect", "prefect_dask", "flows", "expectations", "great_expectations"},
}
# Within the warehouse package, transforms may use only the pure declarations.
ALLOWED_WAREHOUSE_IN_TRANSFORMS = {"warehouse.schemas"}


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
    return names


def _modules(package: str) -> list[Path]:
    return sorted((REPO / package).rglob("*.py"))


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_layers_import_only_downward(package: str) -> None:
    bad = []
    for path in _modules(package):
        for name in _imports(path):
            top = name.split(".")[0]
            if top in FORBIDDEN[package]:
                bad.append(f"{path.relative_to(REPO)} imports {name}")
            if package == "transforms" and top == "warehouse" and name not in ALLOWED_WAREHOUSE_IN_TRANSFORMS:
                bad.append(f"{path.relative_to(REPO)} imports {name} (only warehouse.schemas is pure)")
    assert bad == []


def test_transforms_do_no_io() -> None:
    """No open(), clock or environment in transforms."""
    bad = []
    for path in _modules("transforms"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                f = node.func
                name = f.id if isinstance(f, ast.Name) else (f.attr if isinstance(f, ast.Attribute) else "")
                if name in {
                    "open",
                    "now",
                    "utcnow",
                    "getenv",
                    "read_text",
                    "read_bytes",
                    "read_parquet",
                    "scan_parquet",
                }:
                    bad.append(f"{path.relative_to(REPO)}:{node.lineno} calls {name}")
            if isinstance(node, ast.Attribute) and node.attr == "environ":
                bad.append(f"{path.relative_to(REPO)}:{node.lineno} reads os.environ")
    assert bad == []


def test_detector_sees_a_violation(tmp_path: Path) -> None:
    """The check itself can fail: a transform importing prefect is caught."""
    bad = tmp_path / "x.py"
    bad.write_text("import prefect\nfrom duckdb import connect\n")
    assert _imports(bad) == ["prefect", "duckdb"]
