"""The `quarry-pipeline/nightly` deployment: a cron schedule and typed parameters the Prefect UI renders."""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from prefect.deployments.runner import EntrypointType, RunnerDeployment
from prefect.schedules import Cron

from flows.pipeline import RunParameters, quarry_pipeline

DEPLOYMENT = "nightly"
NIGHTLY_CRON = "0 2 * * *"


# A scheduled run that meets a manual one still running (or the other way round) waits for it, up to
# an hour, instead of failing at once as `quarry run` does by default (its user is at the terminal).
DEPLOYMENT_LOCK_WAIT_SECONDS = 3600.0


def nightly(
    cron: str = NIGHTLY_CRON, timezone: str = "UTC", params: RunParameters | None = None
) -> RunnerDeployment:
    """The nightly refresh: incremental by default (only new or re-versioned documents are processed)."""
    params = params or RunParameters(lock_wait_seconds=DEPLOYMENT_LOCK_WAIT_SECONDS)
    return quarry_pipeline.to_deployment(
        name=DEPLOYMENT,
        schedules=[Cron(cron, timezone=timezone)],
        parameters=params.model_dump(mode="json"),
        description="Nightly incremental refresh of the quarry warehouse. Trigger it from the UI with "
        "'Run' → 'Custom run' to change the source, warehouse, policy, batch size or task runner, or "
        "from the Prefect CLI: prefect deployment run 'quarry-pipeline/nightly' --param batch_size=500.",
        tags=["quarry", "nightly"],
        # by module, so the served process finds the flow wherever it starts
        entrypoint_type=EntrypointType.MODULE_PATH,
    )


def register(cron: str = NIGHTLY_CRON, timezone: str = "UTC", params: RunParameters | None = None) -> Any:
    """Create or update the deployment on the Prefect API in PREFECT_API_URL; return its id."""
    return nightly(cron, timezone, params).apply()


# How long `quarry serve` may take to stop after Ctrl-C or SIGTERM before it exits anyway.
STOP_GRACE_SECONDS = 10.0


def serve(cron: str = NIGHTLY_CRON, timezone: str = "UTC", params: RunParameters | None = None) -> None:
    """Register the deployment and execute its scheduled and UI-triggered runs until interrupted.

    Ctrl-C or SIGTERM stops it within STOP_GRACE_SECONDS: with the Prefect server gone, Prefect's
    shutdown (pausing the schedule, closing its event subscriptions) retried for minutes and a
    second Ctrl-C or SIGTERM did not help (seen by a user who stopped `make server` first).

    On SIGTERM the schedule is paused first, before in-flight runs are cancelled and the runner's
    loops torn down, and a further SIGTERM or SIGINT is ignored while it stops: `make serve` stopped by
    SIGTERM to its process group (systemd, a container stop, `kill -- -PGID`) gets the group's SIGTERM
    and GNU make forwards a second one to its child; Prefect's handler answered that second one with
    sys.exit(0) in the middle of the pause ("Pausing all deployments..." logged, never "All deployments
    have been paused!", the schedule left active)."""
    from prefect import serve as prefect_serve

    with _bounded_stop(STOP_GRACE_SECONDS):
        prefect_serve(nightly(cron, timezone, params))


async def _pause_then_stop(runner: Any) -> None:
    """Pause the runner's schedules, then stop it (Prefect's own order stops first and pauses on exit,
    after the runs are cancelled and the loops torn down). Paused once: not again on the way out."""
    try:
        await runner._pause_schedules()
        runner.pause_on_shutdown = False
    except Exception as exc:  # noqa: BLE001 - the server gone: stopping must go on (the exit retries it)
        runner._logger.warning("could not pause the schedule: %s", exc)
    finally:
        await runner.astop()


@contextmanager
def _bounded_stop(grace: float) -> Iterator[None]:
    """On the first SIGINT or SIGTERM, exit the process `grace` seconds later unless it has ended;
    the signal itself is then handled as before (KeyboardInterrupt, or the previous SIGTERM handler)."""
    previous = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    armed, stopped = threading.Event(), threading.Event()

    def exit_later(signum: int) -> None:
        if stopped.wait(grace):
            return
        sys.stderr.write(
            f"quarry serve: still stopping {grace:.0f} s after {signal.Signals(signum).name} "
            "(is the Prefect server gone? the nightly schedule may still be active there); exiting\n"
        )
        sys.stderr.flush()
        os._exit(128 + signum)

    def arm(signum: int) -> None:
        if not armed.is_set():
            armed.set()
            threading.Thread(target=exit_later, args=(signum,), name="quarry-stop", daemon=True).start()

    def already_stopping(signum: int) -> bool:
        if not armed.is_set():
            return False
        sys.stderr.write(f"quarry serve: {signal.Signals(signum).name} ignored: already stopping\n")
        sys.stderr.flush()
        return True

    def on_signal(signum: int, frame: Any) -> None:
        if already_stopping(signum):
            return
        arm(signum)
        handler = previous[signum]
        if callable(handler):
            handler(signum, frame)
        elif signum == signal.SIGINT:
            raise KeyboardInterrupt
        else:
            raise SystemExit(128 + signum)

    # Prefect's runner installs its own SIGTERM handler when it starts, over ours: its method arms the
    # exit too while this block runs (restored after).
    from prefect.runner import Runner

    prefect_sigterm = Runner.handle_sigterm

    def handle_sigterm(self: Any, *args: Any, **kwargs: Any) -> None:
        if already_stopping(signal.SIGTERM):
            return
        arm(signal.SIGTERM)
        if self.started and not self.stopping and self._loop is not None and self.pause_on_shutdown:
            self._logger.info("SIGTERM received: pausing the schedule, then stopping...")
            self.stopping = True  # the poller submits no new run from here on
            self.execute_in_background(_pause_then_stop, self)
        else:
            prefect_sigterm(self, *args, **kwargs)

    for sig in previous:
        signal.signal(sig, on_signal)
    Runner.handle_sigterm = handle_sigterm  # type: ignore[method-assign]
    try:
        yield
    finally:
        stopped.set()
        Runner.handle_sigterm = prefect_sigterm  # type: ignore[method-assign]
        for sig, handler in previous.items():
            # (once stopping, a further signal stays ignored to the process's end: make's forwarded
            # SIGTERM or a second Ctrl-C may arrive after the runner is done, and ended the finished
            # process by the signal, exit -2 / -15, instead of its own status)
            signal.signal(sig, signal.SIG_IGN if armed.is_set() else handler)
