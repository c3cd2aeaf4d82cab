"""Run parameters: one pydantic model behind the CLI options and the task context."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from flows.cli import build_parser
from flows.params import RunParameters
from flows.tasks import RunContext
from transforms.clean import MIN_CLEAN_WORDS


def test_too_short_floor_is_a_run_parameter() -> None:
    args = build_parser().parse_args(["run", "--min-words", "7"])
    assert args.min_words == 7
    assert RunParameters(min_words=args.min_words).min_words == 7
    assert RunParameters().min_words == MIN_CLEAN_WORDS == 20
    assert build_parser().parse_args(["run"]).min_words == 20
    assert RunContext.__dataclass_fields__["min_words"].default == 20
    with pytest.raises(ValidationError, match="greater than or equal to 0"):
        RunParameters(min_words=-1)


def test_every_run_parameter_is_a_quarry_run_option():
    # The Prefect form shows every field; the CLI must offer the same (compact_after_files was missing).
    import argparse

    sub = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    run = sub.choices["run"]
    dests = {a.dest for a in run._actions} - {"help"}
    assert sorted(set(RunParameters.model_fields) - dests) == []
    args = run.parse_args(["--compact-after-files", "5", "--no-data-docs"])
    assert (args.compact_after_files, args.data_docs) == (5, False)
