"""Prefect tasks: one per stage per batch. Each reads Parquet, calls a pure transform, gates, writes.

Tasks exchange paths (a batch directory under the run's staging dir, local or shared storage), never
big frames, so the same tasks run on threads or on Dask workers on other machines.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import datetime as dt
import functools
import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl
import pyarrow as pa
from prefect import task
from prefect.cache_policies import NO_CACHE
from prefect.logging import get_run_logger

from expectations import batch_profile
from expectations.context import Context
from expectations.gate import GateFailure, GateReport, gate
from expectations.profile_schema import BATCH_PROFILE
from transforms import clean as clean_t
from transforms import dedup as dedup_t
from transforms import entities as entities_t
from transforms import ingest as ingest_t
from transforms import metrics as metrics_t
from transforms.text import sentence_spans
from warehouse import reference, sources
from warehouse.files import conform, read_table, stage_table, stage_text
from warehouse.schemas import (
    DOC_SIGNATURES,
    DOCUMENTS,
    ENTITIES,
    MENTIONS,
    METRICS,
    QUALITY_RESULTS,
    QUARANTINE,
    RAW_DOCUMENTS,
    REMOVED_SPANS,
    SENTENCES,
    SOURCE_FILES,
    Table,
)

DUPLICATE_DOCUMENT = "duplicate_document"
# Tables whose rows are whole documents: a row held back there is a document quarantined.
_DOCUMENT_TABLES = (RAW_DOCUMENTS.name, DOCUMENTS.name)
GATE_FAILED = "gate_failed"


def retry_on_io(task: Any, task_run: Any, state: Any) -> bool:
    """Prefect retry condition: retry a task only after an OSError (a flaky disk or network share).

    A mistake the user must fix (a missing source raises SourceError, a locked warehouse
    WarehouseError) or a bug fails the same way again: it is not retried."""
    try:
        state.result()
    except OSError:
        return True
    except Exception:  # noqa: BLE001 - anything else is not worth a retry
        return False


def io_task(name: str, task_run_name: str, retries: int = 2) -> Any:
    """The Prefect task decorator of the tasks that do IO (plan, ingest, load): retried `retries` times,
    one second apart, after an OSError only (`retry_on_io`); transforms are never retried."""
    return task(
        name=name,
        task_run_name=task_run_name,
        retries=retries,
        retry_delay_seconds=1,
        retry_condition_fn=retry_on_io,
        cache_policy=NO_CACHE,
    )
    return False


@dataclass(frozen=True)
class RunContext:
    """What every task of one run needs to know; small and serialisable."""

    run_id: str
    staging: str
    policy: str
    systemic_share: float
    max_doc_bytes: int
    gazetteer: str
    known: str  # Parquet file: doc_id + versions already in the warehouse
    started_at: dt.datetime
    min_words: int = clean_t.MIN_CLEAN_WORDS  # the too_short floor (RunParameters.min_words)
    registry: str = ""  # Parquet file: the registry's entities recognised without a cue (plan writes it)
    data_docs: bool = True  # keep each gate's GX result for Data Docs (RunParameters.data_docs)

    def batch_dir(self, batch: int) -> Path:
        return Path(self.staging) / f"b{batch:05d}"


def _quarantine_frame(ctx: RunContext, stage: str, rows: list[dict] | pl.DataFrame) -> pl.DataFrame:
    df = rows if isinstance(rows, pl.DataFrame) else pl.DataFrame(rows, schema=ingest_t.REJECT_COLUMNS)
    return df.select("source", "doc_id", "reason", "detail").with_columns(
        pl.lit(ctx.run_id).alias("run_id"),
        pl.lit(stage).alias("stage"),
        pl.lit(ctx.started_at).cast(pl.Datetime("us", "UTC")).alias("quarantined_at"),
    )


def _append_log(path: Path, df: pl.DataFrame, table: Table) -> None:
    if df.height == 0:
        return
    if path.exists():
        df = pl.concat([read_table(path, table), pl.from_arrow(conform(df, table))], how="vertical")  # type: ignore[list-item]
    stage_table(df, table, path)


def _record(ctx: RunContext, bdir: Path, report: GateReport) -> None:
    recs = pl.DataFrame(
        report.records(ctx.run_id, ctx.started_at), schema_overrides={"checked_at": pl.Datetime("us", "UTC")}
    )
    _append_log(bdir / f"quality.{report.stage}.{report.table}.parquet", recs, QUALITY_RESULTS)
    if ctx.data_docs:
        # The GX result as JSON: the flow renders every batch's results into one Data Docs site.
        stage_text(
            json.dumps(report.gx_result, ensure_ascii=False), bdir / f"gx.{report.stage}.{report.table}.json"
        )


def _gate(
    ctx: RunContext,
    batch: int,
    stage: str,
    table: Table,
    df: pl.DataFrame,
    gctx: Context,
    sources_of: pl.DataFrame,
) -> tuple[pl.DataFrame, GateReport]:
    """Conform to the schema, gate, record results; quarantine held rows or raise GateFailure.

    An empty frame promotes nothing and `conform` has already fixed its columns and types, so it is
    not sent to GX: a nightly run whose batches hold no new documents pays no per-suite GX overhead.
    """
    df = pl.from_arrow(conform(df, table))  # type: ignore[assignment]
    if df.height == 0:
        return df, GateReport(table.name, stage, batch, 0, [])
    bdir = ctx.batch_dir(batch)
    try:
        kept, held, report = gate(
            table.name,
            df,
            gctx,
            stage,
            batch,
            ctx.policy,  # type: ignore[arg-type]
            ctx.systemic_share,
            gx_result=ctx.data_docs,
        )
    except GateFailure as exc:
        _record(ctx, bdir, exc.report)
        raise
    _record(ctx, bdir, report)
    if held.height:
        detail = pl.format("{} row failed {}", pl.lit(table.name), "_failed")
        _hold(ctx, batch, stage, table, held, sources_of, detail)
    return kept, report


def _hold(
    ctx: RunContext,
    batch: int,
    stage: str,
    table: Table,
    held: pl.DataFrame,
    sources_of: pl.DataFrame,
    detail: pl.Expr,
) -> None:
    """Record rows held back at `stage` in the batch's quarantine log (reason gate_failed).

    A row of a table without `doc_id` (a discovered entity) is named by its table and key as `source`."""
    if "doc_id" not in held.columns:
        held = held.with_columns(
            pl.lit(None, dtype=pl.String).alias("doc_id"),
            pl.format(f"{table.name}:{{}}", pl.concat_str(list(table.key), separator="/")).alias("source"),
        )
        sources_of = sources_of.head(0).drop("source")
    rows = held.join(sources_of, on="doc_id", how="left").select(
        pl.col("source").fill_null(pl.col("doc_id")),
        "doc_id",
        pl.lit(GATE_FAILED).alias("reason"),
        detail.alias("detail"),
    )
    bdir = ctx.batch_dir(batch)
    _append_log(bdir / f"quarantine.{stage}.parquet", _quarantine_frame(ctx, stage, rows), QUARANTINE)


class StageResult:
    """What a batch's stage task hands on: `stats` (stage, batch, seconds, gate counts, row counts) for
    the run's summary. An object of its own class, not the dict itself: Prefect links a task's result,
    and each of its first-level values, to the task by id() to draw the dependency graph; a dict or a
    str cannot be weakly referenced, so the same interned value in two batches' results ("stage":
    "ingest") drew a wrong arrow now and then (clean[b1] <- ingest[b0]). This object is linked alone,
    through a weak reference Prefect checks, and nothing inside it is."""

    __slots__ = ("stats", "__weakref__")

    def __init__(self, stats: dict[str, Any]) -> None:
        self.stats = stats

    def __getstate__(self) -> dict[str, Any]:  # process-pool and Dask runners pickle it
        return self.stats

    def __setstate__(self, stats: dict[str, Any]) -> None:
        self.stats = stats


def quarantine_counts(quarantine: pl.DataFrame | None) -> tuple[int, int]:
    """(documents quarantined, exact duplicates) among quarantine rows [reason, ...]: the run summary's
    categories, counted here once for the summary and the ingest log line alike. A DUPLICATE_DOCUMENT
    row is a copy whose first is stored, not a refusal; a GATE_FAILED row is a failed batch's document,
    neither."""
    if quarantine is None:
        return 0, 0
    reason = pl.col("reason")
    counts = quarantine.select(
        (~reason.is_in([GATE_FAILED, DUPLICATE_DOCUMENT])).sum().alias("quarantined"),
        (reason == DUPLICATE_DOCUMENT).sum().alias("duplicates"),
    ).row(0)
    return int(counts[0]), int(counts[1])


def _stats(
    stage: str, batch: int, t0: float, gate_s: float, reports: list[GateReport], **counts: Any
) -> StageResult:
    return StageResult(
        {
            "stage": stage,
            "batch": batch,
            "seconds": time.perf_counter() - t0,
            "gate_seconds": gate_s,
            "passed": sum(r.passed for r in reports),
            "failed": sum(r.failed for r in reports),
            "held_rows": sum(r.quarantined_rows for r in reports),
            "held_by_expectation": {
                f"{r.table}: {k}": n for r in reports for k, n in r.held_by_check.items()
            },
            "held_documents": sum(r.quarantined_rows for r in reports if r.table in _DOCUMENT_TABLES),
            **counts,
        }
    )


@functools.lru_cache(maxsize=1)
def _libc() -> Any:
    """glibc, for malloc_trim (None elsewhere: musl, macOS and Windows have no such call)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return libc if hasattr(libc, "malloc_trim") else None
    except OSError:
        return None


def _hand_back_freed_memory() -> None:
    pa.default_memory_pool().release_unused()
    libc = _libc()
    if libc is not None:
        libc.malloc_trim(0)


def release_freed_memory(fn: Any) -> Any:
    """Decorate a stage task: once it returns (its frames gone), hand the memory its allocators keep
    for reuse back to the OS: Arrow's pool (`read_table`, `conform`, Parquet writes) and glibc's heap
    (numpy, the pandas frames the gates validate). Each keeps freed pages for its own next allocation,
    which polars' allocator cannot use: with 2 workers the pages the ingest, clean and entities stages
    had freed stayed in the RSS under both batches' metrics stage, where a run peaks (on 31 MB of news
    text, 2 workers, the two metrics stages at once: peak RSS ~80 MB lower; a few ms a stage). The
    wrapper refers to module functions only: process-pool and Dask runners pickle the task's function
    by value, and a ctypes library cannot be pickled."""

    @functools.wraps(fn)
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        finally:
            _hand_back_freed_memory()

    return run


@io_task("ingest", "ingest[b{batch}]")
@release_freed_memory
def ingest_batch(ctx: RunContext, batch: int, refs: list[sources.SourceRef]) -> StageResult:
    """Read a batch of source files, decode them, drop documents already loaded, gate, stage."""
    t0 = time.perf_counter()
    bdir = ctx.batch_dir(batch)
    bdir.mkdir(parents=True, exist_ok=True)
    raw, read_rejects = sources.read_batch(refs, ctx.max_doc_bytes)
    docs, rejects = ingest_t.decode_documents(raw)
    known = pl.read_parquet(ctx.known).select("doc_id")
    docs_all = docs
    skipped = docs.join(known, on="doc_id", how="semi").height
    docs = docs.join(known, on="doc_id", how="anti")
    # Exact duplicates inside the batch: same bytes under another name. Keep the first, record the rest.
    first = docs.unique("doc_id", keep="first", maintain_order=True)
    dupes = docs.join(first.select("doc_id", pl.col("source").alias("first_source")), on="doc_id").filter(
        pl.col("source") != pl.col("first_source")
    )
    held = [
        pl.DataFrame(
            read_rejects,
            schema=ingest_t.REJECT_COLUMNS,
        ),
        rejects.select("source", "doc_id", "reason", "detail"),
        dupes.select(
            "source",
            "doc_id",
            pl.lit(DUPLICATE_DOCUMENT).alias("reason"),
            pl.format("same content as {}", pl.col("first_source")).alias("detail"),
        ),
    ]
    quarantined = pl.concat(held, how="vertical_relaxed")
    _index_files(
        ctx,
        bdir,
        refs,
        pl.concat([docs_all.select("source", "doc_id"), rejects.select("source", "doc_id")]),
        held[0],
    )
    _append_log(bdir / "quarantine.ingest.parquet", _quarantine_frame(ctx, "ingest", quarantined), QUARANTINE)
    g0 = time.perf_counter()
    kept, report = _gate(
        ctx, batch, "ingest", RAW_DOCUMENTS, first, Context(), first.select("doc_id", "source")
    )
    gate_s = time.perf_counter() - g0
    stage_table(kept, RAW_DOCUMENTS, bdir / f"{RAW_DOCUMENTS.name}.parquet")
    refused, duplicates = quarantine_counts(quarantined)
    get_run_logger().info(
        "batch %d ingest: %d files, %d new documents, %d already loaded, %d quarantined, %d duplicates",
        batch,
        len(refs),
        kept.height,
        skipped,
        refused + report.quarantined_rows,  # documents the gate held back are quarantined, as in the summary
        duplicates,
    )
    return _stats(
        "ingest",
        batch,
        t0,
        gate_s,
        [report],
        docs=kept.height,
        skipped=skipped,
        quarantined=quarantined.height,
    )


def _index_files(
    ctx: RunContext, bdir: Path, refs: list[sources.SourceRef], read: pl.DataFrame, refused: pl.DataFrame
) -> None:
    """Stage `source_files` rows (path, size, mtime, doc_id) for the local files this batch read and
    identified (one per document of a jsonl/parquet file); loaded with the batch, they let the next run
    skip those files unread. `refused`: read_batch's quarantine rows (source, reason, ...)."""
    rows = sources.file_index(refs, read, refused, ctx.max_doc_bytes).with_columns(
        pl.lit(ctx.run_id).alias("run_id")
    )
    stage_table(rows, SOURCE_FILES, bdir / f"{SOURCE_FILES.name}.parquet")


def _with_reference_time(ctx: RunContext, bdir: Path, raw: pl.DataFrame) -> pl.DataFrame:
    """`raw` with `reference_at`, the time each document is known to have existed by, from which a
    yearless dateline takes its year (clean_documents): its source file's modification time (from the
    batch's staged `source_files` rows), else the run's start. The file's time, not the run's: it does
    not move when the document is reprocessed a year later (a new CLEAN_VERSION), so neither does the
    year; and it is the tighter bound for a file saved as it was fetched."""
    files = bdir / f"{SOURCE_FILES.name}.parquet"
    started = pl.lit(ctx.started_at).cast(pl.Datetime("us", "UTC"))
    if not files.exists():
        return raw.with_columns(started.alias("reference_at"))
    mtimes = (
        pl.read_parquet(files, columns=["doc_id", "mtime_ns"])
        .group_by("doc_id")
        .agg((pl.col("mtime_ns").min() // 1000).cast(pl.Datetime("us")).dt.replace_time_zone("UTC"))
    )
    return (
        raw.join(mtimes, on="doc_id", how="left", maintain_order="left")
        .with_columns(pl.coalesce("mtime_ns", started).alias("reference_at"))
        .drop("mtime_ns")
    )


@task(name="clean", task_run_name="clean[b{batch}]", cache_policy=NO_CACHE)
@release_freed_memory
def clean_batch(ctx: RunContext, batch: int, upstream: StageResult) -> StageResult:
    """Clean the batch's decoded documents; stage documents, sentences and removed spans."""
    t0 = time.perf_counter()
    bdir = ctx.batch_dir(batch)
    raw = read_table(bdir / f"{RAW_DOCUMENTS.name}.parquet", RAW_DOCUMENTS)
    result = clean_t.clean_documents(_with_reference_time(ctx, bdir, raw), min_words=ctx.min_words)
    _append_log(
        bdir / "quarantine.clean.parquet", _quarantine_frame(ctx, "clean", result.rejects), QUARANTINE
    )
    docs = result.documents.with_columns(
        pl.lit(ctx.run_id).alias("run_id"),
        pl.lit(entities_version(ctx.gazetteer)).alias("gazetteer_version"),
        pl.lit(metrics_t.EXTRACTOR_VERSION).alias("extractor_version"),
    )
    g0 = time.perf_counter()
    src = docs.select("doc_id", "source")
    docs, r1 = _gate(ctx, batch, "clean", DOCUMENTS, docs, Context(), src)
    gate_s = time.perf_counter() - g0
    sentences = sentence_spans(docs).with_columns(pl.lit(ctx.run_id).alias("run_id"))
    spans = result.removed_spans.join(docs.select("doc_id"), on="doc_id", how="semi").with_columns(
        pl.lit(ctx.run_id).alias("run_id")
    )
    signatures = dedup_t.minhash_signatures(docs.select("doc_id", "text")).with_columns(
        pl.lit(ctx.run_id).alias("run_id")
    )
    g0 = time.perf_counter()
    sentences, r2 = _gate(ctx, batch, "clean", SENTENCES, sentences, Context(documents=docs), src)
    spans, r3 = _gate(ctx, batch, "clean", REMOVED_SPANS, spans, Context(), src)
    signatures, r4 = _gate(ctx, batch, "clean", DOC_SIGNATURES, signatures, Context(), src)
    gate_s += time.perf_counter() - g0
    stage_table(signatures, DOC_SIGNATURES, bdir / f"{DOC_SIGNATURES.name}.parquet")
    stage_table(docs, DOCUMENTS, bdir / f"{DOCUMENTS.name}.parquet")
    stage_table(sentences, SENTENCES, bdir / f"{SENTENCES.name}.parquet")
    stage_table(spans, REMOVED_SPANS, bdir / f"{REMOVED_SPANS.name}.parquet")
    get_run_logger().info(
        "batch %d clean: %d documents, %d removed spans, %d quarantined",
        batch,
        docs.height,
        spans.height,
        result.rejects.height,
    )
    by_rule = dict(spans.group_by("rule").len().iter_rows())
    return _stats(
        "clean",
        batch,
        t0,
        gate_s,
        [r1, r2, r3, r4],
        docs=docs.height,
        quarantined=result.rejects.height,
        removed_spans=spans.height,
        removed_by_rule=by_rule,
    )


@functools.lru_cache(maxsize=4)
def _gazetteer(path: str, mtimes: tuple[float, float]) -> tuple[pl.DataFrame, pl.DataFrame, str, dict]:
    from flows.evaluate import reference_data

    gaz, version, lexicons = reference_data(path)
    return gaz, entities_t.entity_rows(gaz, version), version, lexicons


def _mtimes(path: str) -> tuple[float, float]:
    rejects = reference.rejects_path(path)
    return Path(path).stat().st_mtime, rejects.stat().st_mtime if rejects.exists() else 0.0


def gazetteer(path: str) -> tuple[pl.DataFrame, pl.DataFrame, str, dict]:
    """The gazetteer frame (with the lexicons' entries), its entity rows, version (gazetteer + reject
    list + lexicons) and the lexicons (cached per version of the gazetteer and reject list files)."""
    return _gazetteer(path, _mtimes(path))


@functools.lru_cache(maxsize=4)
def _rejected(path: str, mtimes: tuple[float, float]) -> list[str]:
    from flows.evaluate import rejected_ids

    return rejected_ids(path)


def registry_path(staging: str) -> Path:
    return Path(staging) / "registry.parquet"


def registry_for(ctx: RunContext) -> pl.DataFrame | None:
    """The registry entries this run recognises without a cue (written by plan), if any."""
    return pl.read_parquet(ctx.registry) if ctx.registry and Path(ctx.registry).exists() else None


def entities_version(path: str) -> str:
    return gazetteer(path)[2]


@task(name="entities", task_run_name="entities[b{batch}]", cache_policy=NO_CACHE)
@release_freed_memory
def entities_batch(ctx: RunContext, batch: int, upstream: StageResult) -> StageResult:
    """Find entity mentions in the batch's cleaned documents; stage mentions and discovered entities."""
    t0 = time.perf_counter()
    bdir = ctx.batch_dir(batch)
    docs = read_table(bdir / f"{DOCUMENTS.name}.parquet", DOCUMENTS)
    gaz, known_entities, version, lexicons = gazetteer(ctx.gazetteer)
    mentions, discovered = entities_t.extract_mentions(
        docs.select("doc_id", "text"),
        gaz,
        version,
        lexicons,
        registry=registry_for(ctx),
        rejected=_rejected(ctx.gazetteer, _mtimes(ctx.gazetteer)),
    )
    mentions = mentions.with_columns(pl.lit(ctx.run_id).alias("run_id"))
    all_entities = pl.concat([known_entities, discovered], how="diagonal_relaxed").unique(
        "entity_id", keep="first"
    )
    g0 = time.perf_counter()
    src = docs.select("doc_id", "source")
    found, r1 = _gate(ctx, batch, "entities", ENTITIES, discovered, Context(), src.head(0))
    held_ids = discovered.join(found, on="entity_id", how="anti").get_column("entity_id")
    if held_ids.len():
        # A held-back entity takes its mentions with it: they would reference a row that is not loaded.
        orphans = mentions.filter(pl.col("entity_id").is_in(held_ids.implode()))
        mentions = mentions.filter(~pl.col("entity_id").is_in(held_ids.implode()))
        all_entities = all_entities.filter(~pl.col("entity_id").is_in(held_ids.implode()))
        _hold(
            ctx,
            batch,
            "entities",
            MENTIONS,
            orphans,
            src,
            pl.format("mentions row held with its entity {} (held back by the entities gate)", "entity_id"),
        )
    discovered = found
    mentions, r2 = _gate(
        ctx,
        batch,
        "entities",
        MENTIONS,
        mentions,
        Context(documents=docs.select("doc_id", "text"), entity_ids=all_entities.get_column("entity_id")),
        src,
    )
    gate_s = time.perf_counter() - g0
    stage_table(mentions, MENTIONS, bdir / f"{MENTIONS.name}.parquet")
    stage_table(discovered, ENTITIES, bdir / f"{ENTITIES.name}.parquet")
    get_run_logger().info(
        "batch %d entities: %d mentions, %d discovered entities", batch, mentions.height, discovered.height
    )
    return _stats(
        "entities", batch, t0, gate_s, [r1, r2], mentions=mentions.height, discovered=discovered.height
    )


@task(name="metrics", task_run_name="metrics[b{batch}]", cache_policy=NO_CACHE)
@release_freed_memory
def metrics_batch(ctx: RunContext, batch: int, upstream: StageResult) -> StageResult:
    """Extract figures from the batch's documents and attribute them to entities; stage metrics."""
    t0 = time.perf_counter()
    bdir = ctx.batch_dir(batch)
    # Only the columns the figures and the batch profile read: mentions also carry their evidence and
    # versions (half the table's memory), and two batches' inputs are held at once at a run's peak.
    docs = read_table(
        bdir / f"{DOCUMENTS.name}.parquet", DOCUMENTS, ["doc_id", "source", "text", "clean_chars"]
    )
    mentions = read_table(
        bdir / f"{MENTIONS.name}.parquet", MENTIONS, ["doc_id", "entity_id", "start", "end"]
    )
    sentences = read_table(
        bdir / f"{SENTENCES.name}.parquet",
        SENTENCES,
        ["doc_id", "sentence_id", "paragraph_id", "start", "end"],
    )
    discovered = read_table(bdir / f"{ENTITIES.name}.parquet", ENTITIES)
    _, known_entities, _, _ = gazetteer(ctx.gazetteer)
    entities = pl.concat([known_entities, discovered], how="diagonal_relaxed").unique(
        "entity_id", keep="first"
    )
    metrics = metrics_t.extract_metrics(
        docs.select("doc_id", "text"), mentions, entities.select("entity_id", "name", "type"), sentences
    ).with_columns(
        pl.lit(metrics_t.EXTRACTOR_VERSION).alias("extractor_version"), pl.lit(ctx.run_id).alias("run_id")
    )
    g0 = time.perf_counter()
    metrics, r1 = _gate(
        ctx,
        batch,
        "metrics",
        METRICS,
        metrics,
        Context(documents=docs.select("doc_id", "text"), entity_ids=entities.get_column("entity_id")),
        docs.select("doc_id", "source"),
    )
    # A held-back metric's conversion partner keeps its figure but loses the link to the missing row.
    metrics = metrics.with_columns(
        pl.when(pl.col("linked_metric_id").is_in(metrics.get_column("metric_id").implode()))
        .then(pl.col("linked_metric_id"))
        .alias("linked_metric_id")
    )
    reports = [r1]
    if docs.height:  # an empty batch has no distribution: GX would warn on a missing mean
        profile = batch_profile.profile(docs, mentions, metrics)
        src = docs.select("doc_id", "source")
        _, r2 = _gate(ctx, batch, "metrics", BATCH_PROFILE, profile, Context(), src)
        reports.append(r2)
    gate_s = time.perf_counter() - g0
    stage_table(metrics, METRICS, bdir / f"{METRICS.name}.parquet")
    get_run_logger().info("batch %d metrics: %d metrics", batch, metrics.height)
    return _stats("metrics", batch, t0, gate_s, reports, metrics=metrics.height)
