"""SIGTERM inside a flow run: recorded, raised at a safe point, or handed on after the run."""

from __future__ import annotations

import os
import signal

import prefect.utilities.engine as prefect_engine
import pytest
from prefect.exceptions import TerminationSignal

import flows.pipeline  # noqa: F401  (importing the flow defers Prefect's handler)
from flows import termination


@pytest.fixture
def previous_handler():
    """A handler standing where the CLI's stands before a run; it lists the signals it was given."""
    given: list[int] = []
    old = signal.signal(signal.SIGTERM, lambda signum, frame: given.append(signum))
    termination._pending.clear()
    yield given
    signal.signal(signal.SIGTERM, old)
    termination._pending.clear()


def test_importing_the_pipeline_makes_prefects_flow_handler_record_the_signal():
    assert prefect_engine._prefect_sigterm_handler is termination._record


def test_a_sigterm_inside_a_run_does_not_interrupt_the_code_it_lands_on_and_is_raised_at_the_next_safe_point(
    previous_handler,
):
    steps: list[str] = []
    with pytest.raises(TerminationSignal) as info:
        with prefect_engine.capture_sigterm():
            assert prefect_engine.is_prefect_sigterm_handler_installed()
            os.kill(os.getpid(), signal.SIGTERM)
            steps.append("after the signal")  # Prefect's own handler raised before this line
            termination.stop_if_signalled()
            steps.append("after the safe point")
    assert info.value.signal == signal.SIGTERM
    assert steps == ["after the signal"]
    # Prefect's engine hands the signal on to the handler that was there before the run.
    assert previous_handler == [signal.SIGTERM]
    assert termination._pending == []


def test_a_sigterm_after_the_last_safe_point_is_handed_on_when_the_run_returns(previous_handler):
    with prefect_engine.capture_sigterm():
        os.kill(os.getpid(), signal.SIGTERM)
    assert previous_handler == []  # the run's body went on to its end
    termination.deliver_pending()
    assert previous_handler == [signal.SIGTERM]
    termination.deliver_pending()  # given once
    assert previous_handler == [signal.SIGTERM]


def test_a_safe_point_with_no_signal_recorded_does_nothing(previous_handler):
    with prefect_engine.capture_sigterm():
        termination.stop_if_signalled()
    termination.deliver_pending()
    assert previous_handler == []


def test_a_prefect_release_without_the_handler_name_is_refused(monkeypatch):
    monkeypatch.delattr(prefect_engine, "_prefect_sigterm_handler")
    with pytest.raises(RuntimeError, match="_prefect_sigterm_handler is gone"):
        termination.defer_prefect_sigterm()
