"""Versioned reference data on disk: the entity gazetteer and the hand labels used by `quarry eval`."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

DEFAULT_GAZETTEER = Path(__file__).parent / "reference" / "gazetteer.yaml"
DEFAULT_LABELS = Path(__file__).resolve().parent.parent / "seeds" / "labels"


def load_gazetteer(path: str | Path = DEFAULT_GAZETTEER) -> tuple[list[dict], str]:
    """Read the gazetteer YAML: its entity entries and its version string."""
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    if not isinstance(data, dict) or "version" not in data or "entities" not in data:
        raise ValueError(f"{path}: gazetteer needs top-level `version` and `entities`")
    return list(data["entities"]), str(data["version"])


def load_labels(directory: str | Path = DEFAULT_LABELS) -> dict[str, dict]:
    """Read every `<stem>.json` hand-label file in `directory`, keyed by file stem."""
    return {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in sorted(Path(directory).glob("*.json"))}
