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
