"""Parameters of a pipeline run: one pydantic model for the Prefect UI form, the CLI and the benchmark.

Kept apart from the flow so `quarry --help` and the CLI's option defaults do not import Prefect.
"""

from __future__ import annotations

import inspect
from typing import Annotated, Literal

from pydantic import BaseModel, Field, model_validator

from transforms.clean import MIN_CLEAN_WORDS
from warehouse.reference import DEFAULT_GAZETTEER


class RunParameters(BaseModel):
    """Parameters of a run, as the Prefect UI form and the CLI present them."""

    source: str = Field("seeds", description="Directory, glob, file or fsspec URL of the documents")
    warehouse: str = Field(
        "data/quarry.duckdb",
        description="DuckDB catalog file (Parquet files live beside it), or a directory for quarry.duckdb",
    )
    full_refresh: bool = Field(False, description="Reprocess every document and replace all rows")
    on_failure: Literal["fail", "quarantine"] = Field(
        "quarantine",
        description="Critical row-level gate failure: quarantine the offending rows and promote the rest "
        "(the batch stops only on a table-level or systemic failure), or fail (strict: stop the batch)",
    )
    systemic_share: float = Field(
        0.05,
        ge=0,
        le=1,
        description="A row-level expectation failing on more than this share of a batch's rows (in more "
        "than one document) stops the batch: a broken extractor, not an odd document",
    )
    batch_size: int = Field(5000, ge=1, le=100_000, description="Documents (files) per batch task")
    batch_mb: float = Field(16.0, gt=0, description="Approximate raw megabytes per batch task")
    max_doc_mb: float = Field(20.0, gt=0, description="Larger documents are quarantined as too_large")
    min_words: int = Field(
        MIN_CLEAN_WORDS,
        ge=0,
        description="Documents with fewer words after cleaning are quarantined as too_short "
        "(a Han or kana character counts as one word)",
    )
    task_runner: Literal["threads", "processes", "dask"] = Field(
        "threads", description="Where batch tasks run: threads, a local process pool, or Dask"
    )
    dask_address: str | None = Field(None, description="tcp://scheduler:8786; a LocalCluster when empty")
    workers: int = Field(
        2, ge=1, le=64, description="Parallel batch tasks (threads, worker processes or local Dask workers)"
    )
    gazetteer: str = Field(str(DEFAULT_GAZETTEER), description="Entity gazetteer YAML")
    lock_wait_seconds: float = Field(0.0, ge=0, description="Seconds to wait for another run's lock")
    data_docs: bool = Field(True, description="Render GX Data Docs under the warehouse's data_docs/")
    compact_after_files: int = Field(
        32, ge=2, description="Merge a table's files into one when a run leaves it with more than this"
    )

    @model_validator(mode="after")
    def _dask_address_needs_dask(self) -> RunParameters:
        # A scheduler address with threads or processes would be ignored without a word.
        if self.dask_address and self.task_runner != "dask":
            raise ValueError(
                f"dask_address is set but task_runner is {self.task_runner!r}: choose task_runner 'dask' "
                "(--task-runner dask) to run on that cluster, or leave dask_address empty"
            )
        return self


def flow_signature() -> inspect.Signature:
    """RunParameters' fields as keyword parameters (same types, constraints and defaults).

    The flow takes this signature so the Prefect UI form shows each field directly and
    `prefect deployment run ... --param batch_size=1` names a field, not a nested `params` object.
    """
    return inspect.Signature(
        [
            inspect.Parameter(
                name,
                inspect.Parameter.KEYWORD_ONLY,
                default=info.default,
                annotation=Annotated[(info.annotation, *info.metadata)] if info.metadata else info.annotation,
            )
            for name, info in RunParameters.model_fields.items()
        ]
    )


def flow_docstring(summary: str) -> str:
    """`summary` plus a Google-style Args section of RunParameters' descriptions (Prefect reads each
    parameter's form description from it)."""
    args = "\n".join(f"    {name}: {info.description}" for name, info in RunParameters.model_fields.items())
    return f"{summary}\n\nArgs:\n{args}\n"
