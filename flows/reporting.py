"""The run's quality report as a Prefect markdown artifact: gates per stage, quarantine, failures.

`quality_markdown` is pure (frames in, text out) so its exact counts are tested on literal frames;
`publish` is the one call that talks to Prefect.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import polars as pl

STAGE_ORDER = ("ingest", "clean", "entities", "metrics")
MAX_FAILED_ROWS = 50  # failed expectations listed in full; the rest are counted
MAX_CELL = 120
DOCS_HOST = "127.0.0.1"
DOCS_PORT = 4280  # `quarry docs` serves the Data Docs here; the artifact links this URL


def docs_url(port: int = DOCS_PORT) -> str:
    """The Data Docs index as `quarry docs --port PORT` serves it: a browser opens http:// links from
    the Prefect UI, never file:// ones."""
    return f"http://{DOCS_HOST}:{port}/index.html"


_QUALITY_COLUMNS = {
    "stage": pl.String,
    "batch": pl.Int32,
    "table_name": pl.String,
    "expectation": pl.String,
    "severity": pl.String,
    "success": pl.Boolean,
    "observed": pl.String,
    "unexpected_sample": pl.String,
}
_QUARANTINE_COLUMNS = {"stage": pl.String, "reason": pl.String}


def _frame(df: pl.DataFrame | None, columns: dict[str, pl.DataType]) -> pl.DataFrame:
    """`df` restricted to `columns`; an empty frame with them when the run produced none."""
    if df is None or not set(columns) <= set(df.columns):
        return pl.DataFrame(schema=columns)
    return df.select([pl.col(c).cast(t) for c, t in columns.items()])


def _cell(value: Any) -> str:
    text = "" if value is None else str(value)
    text = " ".join(text.split()).replace("|", "\\|")
    return text if len(text) <= MAX_CELL else text[: MAX_CELL - 3] + "..."


def _table(header: list[str], rows: list[list[Any]], numeric: int = 0) -> list[str]:
    """A markdown table; the last `numeric` columns right-aligned."""
    align = ["---"] * (len(header) - numeric) + ["---:"] * numeric
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(align) + "|"]
    lines += ["| " + " | ".join(_cell(v) for v in row) + " |" for row in rows]
    return lines


def _stage_key(stage: str) -> tuple[int, str]:
    return (STAGE_ORDER.index(stage) if stage in STAGE_ORDER else len(STAGE_ORDER), stage)


def quality_markdown(
    summary: dict[str, Any],
    quality: pl.DataFrame | None,
    quarantine: pl.DataFrame | None,
    docs_index: Path | None,
) -> str:
    """The run's quality report as markdown: per-stage gate counts, quarantine, failed expectations."""
    q = _frame(quality, _QUALITY_COLUMNS)
    held = _frame(quarantine, _QUARANTINE_COLUMNS)
    out = [f"# Quality: run {summary.get('run_id', '?')} {summary.get('status', '')}".rstrip(), ""]
    out.append(
        f"{summary.get('docs_in', 0)} documents in, {summary.get('docs_skipped', 0)} already loaded, "
        f"{summary.get('docs_cleaned', 0)} cleaned, {held.height} rows quarantined; "
        f"{summary.get('mentions', 0)} mentions, {summary.get('metrics', 0)} metrics."
    )
    passed = q.filter(pl.col("success")).height
    warned = q.filter(~pl.col("success") & (pl.col("severity") != "critical")).height
    # As the run summary counts them: a warning-level expectation that did not hold is a warning.
    out.append(f"Expectations: {passed} passed, {q.height - passed - warned} failed, {warned} warned.")
    if docs_index is not None:
        wh = summary.get("warehouse")
        serve = f"quarry docs --warehouse {wh}" if wh else "quarry docs"
        out.append(
            f"Data Docs: [{docs_url()}]({docs_url()}) "
            f"(while `{serve}` runs; files in {Path(docs_index).parent})"
        )
    out.append("")

    per_stage = q.group_by("stage").agg(
        pl.col("batch").n_unique().alias("batches"),
        pl.len().alias("expectations"),
        pl.col("success").sum().alias("passed"),
        ((~pl.col("success")) & (pl.col("severity") == "critical")).sum().alias("critical"),
        ((~pl.col("success")) & (pl.col("severity") != "critical")).sum().alias("warnings"),
    )
    held_per_stage = held.group_by("stage").agg(pl.len().alias("quarantined"))
    stages = sorted(
        set(per_stage.get_column("stage").to_list()) | set(held_per_stage.get_column("stage").to_list()),
        key=_stage_key,
    )
    counts = {r["stage"]: r for r in per_stage.to_dicts()}
    held_counts = {r["stage"]: r["quarantined"] for r in held_per_stage.to_dicts()}
    rows = []
    for s in stages:
        c = counts.get(s, {})
        rows.append(
            [
                s,
                c.get("batches", 0),
                c.get("expectations", 0),
                c.get("passed", 0),
                c.get("critical", 0),
                c.get("warnings", 0),
                held_counts.get(s, 0),
            ]
        )
    totals = [sum(r[i] for r in rows) for i in range(2, 7)]
    rows.append(["**total**", "", *totals])
    out += ["## Gates by stage", ""]
    out += _table(
        ["stage", "batches", "expectations", "passed", "failed (critical)", "warnings", "rows quarantined"],
        rows,
        numeric=6,
    )
    out.append("")

    if held.height:
        reasons = held.group_by("stage", "reason").agg(pl.len().alias("rows"))
        reason_rows = sorted(
            ([r["stage"], r["reason"], r["rows"]] for r in reasons.to_dicts()),
            key=lambda r: (_stage_key(r[0]), -r[2], r[1]),
        )
        out += ["## Quarantine", ""]
        out += _table(["stage", "reason", "rows"], reason_rows, numeric=1)
        out.append("")

    held_by = summary.get("rows_held_by_expectation") or {}
    if held_by:
        out += ["## Rows held back by expectation", ""]
        out.append(
            "Each row failed a critical row-level expectation on a small share of its batch: it is in "
            "`quarantine` (reason `gate_failed`, the expectation and the row's values in `detail`); the rest "
            "of its batch was promoted."
        )
        out.append("")
        out += _table(["table: expectation", "rows"], [[k, n] for k, n in held_by.items()], numeric=1)
        out.append("")

    failed = q.filter(~pl.col("success")).sort(
        pl.col("severity") != "critical", "stage", "batch", "table_name", "expectation"
    )
    if failed.height:
        out += ["## Failed expectations", ""]
        out += _table(
            ["severity", "stage", "batch", "table", "expectation", "observed", "sample"],
            [
                [
                    r["severity"],
                    r["stage"],
                    r["batch"],
                    r["table_name"],
                    r["expectation"],
                    r["observed"],
                    r["unexpected_sample"] if r["unexpected_sample"] not in (None, "[]") else "",
                ]
                for r in failed.head(MAX_FAILED_ROWS).to_dicts()
            ],
        )
        if failed.height > MAX_FAILED_ROWS:
            out.append("")
            out.append(
                f"... and {failed.height - MAX_FAILED_ROWS} more failed expectations in `quality_results`."
            )
        out.append("")
    if summary.get("message"):
        out += ["## Run message", "", "```", str(summary["message"]), "```", ""]
    return "\n".join(out)


def artifact_key(*parts: str) -> str:
    """A Prefect artifact key from `parts`: lowercase letters, digits and single dashes."""
    key = re.sub(r"[^a-z0-9]+", "-", "-".join(parts).lower()).strip("-")
    return key or "quarry"


def publish(markdown: str, key: str) -> None:
    """Create a Prefect markdown artifact under `key` (made a valid key: lowercase, digits, dashes)."""
    from prefect.artifacts import create_markdown_artifact

    create_markdown_artifact(markdown=markdown, key=artifact_key(key), description="quarry quality report")
