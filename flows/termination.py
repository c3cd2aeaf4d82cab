"""SIGTERM during a flow run: acted on where the run can stop cleanly, not wherever it lands.

Prefect's flow engine installs, for the whole run (`prefect.utilities.engine.capture_sigterm`), a
SIGTERM handler that raises `TerminationSignal` in the main thread at whatever bytecode it stands on.
Two places turned that into a wrong outcome, both seen under CPU load in the SIGTERM tests of
`tests/flows/test_faults.py` (~2 runs in 8, and once in a fresh-clone CI run):

- inside a finalizer or a weakref callback, where Python prints "Exception ignored in ..." and drops
  the exception: the run went on to its commit and exited 0;
- inside Prefect's own task-run creation, whose task engine caught it as the task's crash: the run
  exited 1 with a traceback instead of 143.

Here Prefect's handler only records the signal. The flow asks `stop_if_signalled()` at its safe points
(each batch event of the batch loop, each 0.2 s of a lock wait, before the commit) and the signal is
raised there as the same `TerminationSignal`, which Prefect's engine handles as before: the run is
marked crashed (or cancelled, when its runner asked), and the handler that was there before the run
(the CLI's: "quarry: terminated (SIGTERM)", exit 143) is given the signal. A signal recorded after the
last safe point is given to that handler as soon as the flow call returns (`deliver_pending`), so a run
that committed still ends its process as asked.

The latency this adds is the time to the next safe point: one stage of one batch at most (about a
second per stage for the default batch size on this machine), well inside a scheduler's grace period
(Kubernetes: 30 s).
"""

from __future__ import annotations

import signal
import threading
from typing import Any

import prefect.utilities.engine as prefect_engine
from prefect.exceptions import TerminationSignal

_pending: list[int] = []  # signal numbers recorded by the main thread's handler, not yet acted on


def _record(signum: int, frame: Any) -> None:
    _pending.append(signum)


def defer_prefect_sigterm() -> None:
    """Make the handler Prefect installs for a flow run record SIGTERM instead of raising it.

    Prefect looks its handler up by this module-level name both when it installs it and when it checks
    that it is installed (`is_prefect_sigterm_handler_installed`), so the two stay consistent. Raises
    RuntimeError if a Prefect release no longer has that name (the lock file pins the version;
    tests/flows/test_termination.py checks the handler Prefect's `capture_sigterm` installs)."""
    if not hasattr(prefect_engine, "_prefect_sigterm_handler"):
        raise RuntimeError("prefect.utilities.engine._prefect_sigterm_handler is gone: see flows.termination")
    prefect_engine._prefect_sigterm_handler = _record  # type: ignore[assignment]


def stop_if_signalled() -> None:
    """Raise the recorded SIGTERM as Prefect's TerminationSignal, if one was recorded; else nothing.

    Call only from the flow's own code in the main thread, at a point where unwinding is safe."""
    if _pending and threading.current_thread() is threading.main_thread():
        signum = _pending[0]
        _pending.clear()
        raise TerminationSignal(signal=signum)


def deliver_pending() -> None:
    """Give a SIGTERM recorded too late for any safe point to the handler installed now (after the flow
    call, the one that was there before it: the CLI's raises its Terminated; Python's default ends the
    process). Nothing if none is pending, or off the main thread."""
    if not _pending or threading.current_thread() is not threading.main_thread():
        return
    if signal.getsignal(signal.SIGTERM) is _record:  # still inside a flow run: its safe points act on it
        return
    signum = _pending[0]
    _pending.clear()
    signal.raise_signal(signum)
