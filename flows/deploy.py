"""The `quarry-pipeline/nightly` deployment: a cron schedule and typed parameters the Prefect UI renders."""

from __future__ import annotations

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


def serve(cron: str = NIGHTLY_CRON, timezone: str = "UTC", params: RunParameters | None = None) -> None:
    """Register the deployment and execute its scheduled and UI-triggered runs until interrupted."""
    from prefect import serve as prefect_serve

    prefect_serve(nightly(cron, timezone, params))
