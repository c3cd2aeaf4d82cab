"""The `quarry` command line: run the pipeline, query the warehouse, evaluate extraction."""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading
import time
from typing import Any

from flows.params import RunParameters

# Quiet, robust defaults for an embedded (ephemeral) Prefect; a user's own settings win.
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")

_RUN = RunParameters.model_fields
DEFAULT_WAREHOUSE = _RUN["warehouse"].default


class UserError(Exception):
    """A mistake the user can fix: printed as one line, exit status 2."""


class Terminated(KeyboardInterrupt):
    """SIGTERM (a scheduler's timeout, `systemctl stop`, Kubernetes): unwound as Ctrl-C is.

    Python's default for SIGTERM ends the process at once, so nothing below it cleans up: the run's
    temporary Prefect server (~220 MB, a uvicorn process) was left running with no parent after every
    killed nightly run. Raised as a KeyboardInterrupt, it takes the path Ctrl-C takes (the flow ends,
    the staging is left for the next run to remove, the temporary server is stopped); exit 143."""


def _terminate(signum: int, frame: object) -> None:
    raise Terminated


def _console() -> Any:
    from rich.console import Console

    return Console(stderr=False, highlight=False)


def _summary_table(summary: dict[str, Any]) -> Any:
    from rich.table import Table

    t = Table(title=f"quarry run {summary['run_id']}: {summary['status']}", title_justify="left")
    t.add_column("measure")
    t.add_column("value", justify="right")
    for key in (
        "docs_in",
        "docs_skipped",
        "docs_cleaned",
        "docs_quarantined",
        "docs_duplicates",
        "mentions",
        "metrics",
        "expectations_passed",
        "expectations_failed",
        "expectations_warned",
        "rows_held",
        "batches",
        "batches_failed",
    ):
        # docs_cleaned counts the documents stored (an exact copy cleaned in another batch is not)
        label = "docs cleaned (stored)" if key == "docs_cleaned" else key.replace("_", " ")
        t.add_row(label, f"{summary[key]:,}")
    for stage, secs in summary["stage_seconds"].items():
        t.add_row(f"{stage} seconds", f"{secs:.2f}")
    t.add_row("gating seconds (in stages)", f"{summary['gate_seconds']:.2f}")
    for check, n in summary.get("rows_held_by_expectation", {}).items():
        t.add_row(f"held back: {check}", f"{n:,}")
    t.add_row("near-duplicate documents", f"{summary.get('near_duplicates', 0):,}")
    for rule, n in summary.get("removed_by_rule", {}).items():
        t.add_row(f"removed: {rule}", f"{n:,}")
    # the command as a whole: with the temporary Prefect server start-up and the final commit, which
    # the `runs` table (started_at .. finished_at: the flow, up to its row) does not count
    t.add_row("wall seconds (with Prefect start-up)", f"{summary.get('wall_seconds', 0):.2f}")
    return t


class _RunProgress:
    """A live display of a run in a terminal: one line per stage with the batches, documents and
    megabytes it has finished, its rate and the time left (rich). Fed by the flow's progress events."""

    STAGES = ("ingest", "clean", "entities", "metrics")

    def __init__(self, console: Any):
        from rich.progress import (
            BarColumn,
            DownloadColumn,
            Progress,
            TextColumn,
        )

        self.progress = Progress(
            TextColumn("{task.description:<8}"),
            BarColumn(bar_width=24),
            TextColumn("batch {task.fields[batches]}/{task.fields[batches_total]}"),
            TextColumn("{task.fields[docs]:,}/{task.fields[docs_total]:,} docs"),
            DownloadColumn(binary_units=False),
            TextColumn("{task.fields[rate]} ETA {task.fields[eta]}"),
            console=console,
            transient=True,
        )
        self.tasks: dict[str, Any] = {}
        self.done: dict[str, list[int]] = {}  # stage -> [batches, documents, bytes] finished
        self.t0 = time.monotonic()
        self.total_bytes = 0
        self.lock = threading.Lock()  # events arrive from the threads that complete task futures

    def __call__(self, event: str, **data: Any) -> None:
        from rich import filesize

        if event == "plan":
            batches = data["batches"]
            totals = {
                "batches_total": len(batches),
                "docs_total": sum(f for f, _ in batches),
            }
            self.t0 = time.monotonic()
            self.total_bytes = sum(b for _, b in batches)
            for stage in self.STAGES:
                self.tasks[stage] = self.progress.add_task(
                    stage, total=self.total_bytes or 1, batches=0, docs=0, rate="-", eta="-", **totals
                )
        elif event == "stage" and data["stage"] in self.tasks:
            with self.lock:
                done = self.done.setdefault(data["stage"], [0, 0, 0])
                done[0] += 1
                done[1] += data["files"]
                done[2] += data["bytes"]
                # Rate over the run so far (batches finish seconds apart: a sliding window has
                # nothing to average); ETA = the stage's bytes left at that rate.
                elapsed = max(time.monotonic() - self.t0, 1e-6)
                rate = done[2] / elapsed
                left = (self.total_bytes - done[2]) / rate if rate else 0
                self.progress.update(
                    self.tasks[data["stage"]],
                    advance=data["bytes"],
                    batches=done[0],
                    docs=done[1],
                    rate=f"{filesize.decimal(int(rate))}/s {done[1] / elapsed:.1f} docs/s",
                    eta=f"{int(left) // 60}:{int(left) % 60:02d}",
                )


def _progress_display(console: Any) -> Any:
    """The run's live progress in a terminal; nothing when stdout is a pipe or a file."""
    import contextlib

    if not console.is_terminal or os.environ.get("QUARRY_NO_PROGRESS"):
        return contextlib.nullcontext()
    from flows.pipeline import observe_progress

    display = _RunProgress(console)
    stack = contextlib.ExitStack()
    stack.enter_context(display.progress)  # sys.stdout/sys.stderr now print above the live lines
    # Prefect's console log handler holds the stream it was made with: point it at the redirected
    # stderr while the display is live, so log lines scroll above the progress instead of through it.
    import logging

    for h in logging.getLogger().handlers + logging.getLogger("prefect").handlers:
        if type(h).__name__ == "PrefectConsoleHandler" and hasattr(h, "console"):
            stack.callback(setattr, h.console, "file", h.console.file)
            h.console.file = sys.stderr
    stack.enter_context(observe_progress(display))
    return stack


def _quiet_tracebacks() -> None:
    """Prefect's console log would print task tracebacks before our one-line error: drop them there.

    Set QUARRY_DEBUG=1 to keep them.
    """
    if os.environ.get("QUARRY_DEBUG"):
        return
    import logging

    from prefect.logging.configuration import setup_logging

    setup_logging()

    def _no_traceback(record: logging.LogRecord) -> bool:
        record.exc_info = record.exc_text = None
        return True

    for h in logging.getLogger().handlers:
        if type(h).__name__ == "PrefectConsoleHandler":
            h.addFilter(_no_traceback)


def _check_gazetteer(path: str) -> None:
    """A missing or malformed gazetteer is the user's file, not the warehouse: one line, before Prefect."""
    import yaml

    from warehouse import reference

    try:
        reference.load_gazetteer(path)
        reference.load_rejects(path)
    except FileNotFoundError:
        raise UserError(f"gazetteer {path!r} does not exist") from None
    except (ValueError, TypeError, KeyError, yaml.YAMLError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise UserError(f"gazetteer {path!r} cannot be read: {first}") from None


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} must be at least 1")
    return value


def cmd_run(args: argparse.Namespace) -> int:
    from pydantic import ValidationError

    from warehouse.catalog import Warehouse, WarehouseError, write_lock

    try:
        params = RunParameters(**{name: getattr(args, name) for name in _RUN if hasattr(args, name)})
    except ValidationError as exc:
        # a field's error names the field; a rule across fields (a model validator) has no location
        raise UserError(
            "; ".join(
                f"{'.'.join(map(str, e['loc']))}: {e['msg']}"
                if e["loc"]
                else e["msg"].removeprefix("Value error, ")
                for e in exc.errors()
            )
        ) from None
    from warehouse.sources import SourceError, check_source

    try:
        check_source(params.source)  # before Prefect starts
    except SourceError as exc:
        raise UserError(str(exc)) from None
    _check_gazetteer(params.gazetteer)
    # The lock is checked before Prefect is imported or its temporary server started: a second run on a
    # busy warehouse fails in about a second. The flow takes the lock itself (runs from the UI do too);
    # this check only answers early.
    try:
        with write_lock(Warehouse.at(params.warehouse), params.lock_wait_seconds):
            pass
    except WarehouseError as exc:
        raise UserError(str(exc)) from None
    url = _configured_api_url()
    if url:
        _check_server(url)  # a configured server that is down: one line, not Prefect's traceback
    from prefect.exceptions import FailedRun

    from flows.pipeline import PipelineFailed, join_prewarm, prewarm, quarry_pipeline

    loading = prewarm(params)
    try:
        console = _console()
        _quiet_tracebacks()
        t0 = time.perf_counter()
        try:
            with _progress_display(console):
                summary = quarry_pipeline(params)
        except PipelineFailed as exc:
            exc.summary["wall_seconds"] = round(time.perf_counter() - t0, 3)
            console.print(_summary_table(exc.summary))
            from rich.markup import escape

            # the message quotes expectation names in [brackets] and offending rows: never rich markup
            console.print(f"[red]run failed[/red]: {escape(str(exc))}", soft_wrap=True)
            return 1
        except (SourceError, WarehouseError, FailedRun) as exc:
            raise UserError(str(exc)) from None
        summary["wall_seconds"] = round(time.perf_counter() - t0, 3)
        console.print(_summary_table(summary))
        console.print(f"warehouse: {summary['warehouse']}")
        if summary.get("data_docs"):
            console.print(f"data docs: {summary['data_docs']}")
        return 0
    finally:
        join_prewarm(loading)


def _readonly(warehouse: str) -> Any:
    """The warehouse's catalog opened read-only (warehouse.catalog.connect_readonly); a missing or
    unreadable warehouse is the user's one-line error."""
    from warehouse.catalog import Warehouse, WarehouseError, connect_readonly

    try:
        return connect_readonly(Warehouse.at(warehouse))
    except WarehouseError as exc:
        raise UserError(str(exc)) from None


def cmd_sql(args: argparse.Namespace) -> int:
    import duckdb

    con = _readonly(args.warehouse)
    try:
        # Each statement's result in turn (con.sql alone would run them all and show only the last):
        # tables one after another, JSON one array per line, CSV blocks separated by a blank line.
        statements = duckdb.extract_statements(args.query)
        if not statements:
            raise UserError("no SQL statement given")
        for i, statement in enumerate(statements):
            rel = con.sql(statement.query)
            if rel is None:
                print("ok")
            elif args.format == "json":
                cols = rel.columns
                rows = [dict(zip(cols, r, strict=True)) for r in rel.fetchall()]
                print(json.dumps(rows, default=str, ensure_ascii=False))
            elif args.format == "csv":
                import csv

                if i:
                    print()
                w = csv.writer(sys.stdout)
                w.writerow(rel.columns)
                w.writerows(rel.fetchall())
            else:
                rel.show(max_width=int(os.environ.get("COLUMNS", "200")), max_rows=args.max_rows)
    except duckdb.Error as exc:
        raise UserError(f"SQL error: {str(exc).splitlines()[0]}") from None
    finally:
        con.close()
    return 0


def _record_dead_runs(warehouse: str) -> None:
    """Record the runs that died before their commit (warehouse.run_state) so that the listing shows
    them, when the warehouse's write lock is free at once: never waited for (a running run records
    them itself as it starts), and skipped when the warehouse cannot be written (a reader's listing)."""
    from warehouse import run_state
    from warehouse.catalog import Warehouse, WarehouseError, write_lock

    wh = Warehouse.at(warehouse)
    if not any(run_state.state_dir(wh).glob("*.json")):
        return
    try:
        with write_lock(wh, 0.0):
            run_state.record_stale(wh)
    except (WarehouseError, OSError):
        pass


def cmd_runs(args: argparse.Namespace) -> int:
    _record_dead_runs(args.warehouse)
    con = _readonly(args.warehouse)
    try:
        columns = {c for (c,) in con.execute("SELECT column_name FROM (DESCRIBE runs)").fetchall()}
    finally:
        con.close()
    # A catalog last committed before docs_duplicates was added has no such column in its view (the
    # views are recreated at each commit): NULL until its next run.
    duplicates = "docs_duplicates" if "docs_duplicates" in columns else "NULL::BIGINT"
    # The document counts without their docs_ prefix: with it the listing was wider than a 200-column
    # terminal and DuckDB elided a column.
    args.query = (
        "SELECT run_id, status, started_at, round(epoch(finished_at) - epoch(started_at), 1) AS seconds, "
        'docs_in AS "in", docs_skipped AS skipped, docs_cleaned AS cleaned, docs_quarantined AS quarantined, '
        f"{duplicates} AS duplicates, mentions, metrics, expectations_failed, "
        "(SELECT count(*) FROM quarantine q WHERE q.run_id = runs.run_id AND q.reason = 'gate_failed') "
        "AS rows_held, message "
        f"FROM runs ORDER BY started_at DESC LIMIT {int(args.limit)}"
    )
    args.format = "table"
    args.max_rows = args.limit
    return cmd_sql(args)


# The registry listing: discovered entities by document frequency, each with one sentence that mentions
# it (its most confident mention, then the first by document and offset: the same warehouse always
# shows the same sentence). Sentences hold character offsets into documents.text; substring is 1-based.
ENTITIES_QUERY = r"""
WITH listed AS (
    SELECT entity_id, name, type, method, confidence, first_seen, doc_count, cue_doc_count
    FROM entities WHERE method = 'pattern'
    ORDER BY doc_count DESC, entity_id LIMIT ?
), examples AS (
    SELECT m.entity_id,
        trim(regexp_replace(substring(d.text, s.start + 1, s."end" - s.start), '\s+', ' ', 'g')) AS example,
        row_number() OVER (PARTITION BY m.entity_id ORDER BY m.confidence DESC, m.doc_id, m.start) AS k
    FROM mentions AS m
    JOIN sentences AS s ON s.doc_id = m.doc_id AND m.start >= s.start AND m.start < s."end"
    JOIN documents AS d ON d.doc_id = m.doc_id
    WHERE m.entity_id IN (SELECT entity_id FROM listed)
)
SELECT l.*,
    -- a sentence splitter's miss (a list run together) must not fill the terminal
    CASE WHEN length(e.example) > 200 THEN left(e.example, 199) || '…' ELSE e.example END AS example
FROM listed AS l LEFT JOIN examples AS e ON e.entity_id = l.entity_id AND e.k = 1
ORDER BY l.doc_count DESC, l.entity_id
"""


def _registry_rows(warehouse: str, limit: int) -> list[dict[str, Any]]:

    con = _readonly(warehouse)
    try:
        have = {r[0] for r in con.execute("DESCRIBE entities").fetchall()}
        if "doc_count" not in have:
            raise UserError(
                "this warehouse has no registry yet: one `quarry run` with this version builds it"
            )
        rel = con.execute(ENTITIES_QUERY, [int(limit)])
        cols = [d[0] for d in rel.description]
        return [dict(zip(cols, r, strict=True)) for r in rel.fetchall()]
    finally:
        con.close()


def _registry_entity(warehouse: str, entity_id: str) -> dict[str, Any]:

    con = _readonly(warehouse)
    try:
        row = con.execute(
            "SELECT name, type, method FROM entities WHERE entity_id = ?", [entity_id]
        ).fetchone()
    finally:
        con.close()
    if row is None:
        raise UserError(f"no entity {entity_id!r} in the warehouse (see `quarry entities`)")
    return {"name": row[0], "type": row[1], "method": row[2]}


def cmd_entities(args: argparse.Namespace) -> int:
    rows = _registry_rows(args.warehouse, args.limit)
    if args.json:
        print(json.dumps(rows, default=str, ensure_ascii=False))
        return 0
    if not rows:
        print("no discovered entities in this warehouse (every entity found so far is in the gazetteer)")
        return 0
    header = ["entity_id", "name", "type", "method", "confidence", "first_seen", "doc_count", "cue_doc_count"]

    def cell(row: dict[str, Any], c: str) -> str:
        v = row[c]
        if v is None:
            return ""
        if c == "first_seen":
            return f"{v:%Y-%m-%d %H:%M:%S}"
        return f"{v:.2f}" if isinstance(v, float) else str(v)

    if sys.stdout.isatty():
        from rich.table import Table

        t = Table(title=f"discovered entities ({len(rows)}), by documents", title_justify="left")
        for c in [*header, "example"]:
            t.add_column(
                c.replace("_", " "),
                justify="right" if c in ("confidence", "doc_count", "cue_doc_count") else "left",
            )
        for row in rows:
            t.add_row(*(cell(row, c) for c in header), row["example"] or "")
        _console().print(t)
    else:  # piped: one tab-separated line per entity
        print("\t".join([*header, "example"]))
        for row in rows:
            print("\t".join([*(cell(row, c) for c in header), row["example"] or ""]))
    return 0


def cmd_entities_promote(args: argparse.Namespace) -> int:
    from warehouse import reference
    from warehouse.schemas import ENTITY_TYPES

    _check_gazetteer(args.gazetteer)
    found = _registry_entity(args.warehouse, args.entity_id)
    if found["method"] == "gazetteer":
        raise UserError(f"{args.entity_id} is already in the gazetteer")
    rejected, _ = reference.load_rejects(args.gazetteer)
    if any(r.get("entity_id") == args.entity_id for r in rejected):
        raise UserError(
            f"{args.entity_id} is on the reject list {reference.rejects_path(args.gazetteer)}: "
            "delete its entry there first (a promoted entity that stays rejected would never be found)"
        )
    name, type_ = args.name or found["name"], args.type or found["type"]
    if type_ not in ENTITY_TYPES:
        raise UserError(f"--type {type_!r}: one of {', '.join(ENTITY_TYPES)}")
    # Under a new canonical name, the discovered surface stays an alias: its mentions carry over.
    aliases = [found["name"]] if name.lower() != found["name"].lower() else []
    _, before = reference.load_gazetteer(args.gazetteer)
    try:
        after = reference.promote(args.gazetteer, args.entity_id, name, type_, aliases)
    except ValueError as exc:
        raise UserError(str(exc)) from None
    print(f"promoted {args.entity_id} into {args.gazetteer} as {name} ({type_}); version {before} -> {after}")
    print("the next `quarry run` reprocesses the documents that mention it or contain the name")
    return 0


def cmd_entities_reject(args: argparse.Namespace) -> int:
    from warehouse import reference

    _check_gazetteer(args.gazetteer)
    found = _registry_entity(args.warehouse, args.entity_id)
    if found["method"] == "gazetteer":
        raise UserError(
            f"{args.entity_id} ({found['name']}) is a gazetteer entity: reject is for discovered ones; "
            f"to drop it, remove its entry from {args.gazetteer} (and bump its version)"
        )
    try:
        version = reference.reject(args.gazetteer, args.entity_id, found["name"], found["type"])
    except ValueError as exc:
        raise UserError(str(exc)) from None
    where = reference.rejects_path(args.gazetteer)
    print(f"rejected {args.entity_id} ({found['name']}) in {where}; version {version}")
    print("the next `quarry run` reprocesses the documents that mention it")
    return 0


def _score_table(title: str, df: Any) -> Any:
    from rich.table import Table

    t = Table(title=title, title_justify="left")
    for c in df.columns:
        t.add_column(c, justify="left" if c in ("type", "unit", "kind") else "right")
    for row in df.iter_rows():
        t.add_row(*("" if v is None else f"{v:.3f}" if isinstance(v, float) else str(v) for v in row))
    return t


def cmd_eval(args: argparse.Namespace) -> int:
    import polars as pl

    from flows.evaluate import default_labels, evaluate
    from warehouse.reference import DEFAULT_GAZETTEER
    from warehouse.sources import SourceError

    labels = args.labels or default_labels(args.source)
    if not os.path.isdir(labels):
        raise UserError(f"labels directory {labels!r} does not exist")
    gazetteer = args.gazetteer or str(DEFAULT_GAZETTEER)
    _check_gazetteer(gazetteer)
    try:
        scores = evaluate(args.source, labels, gazetteer)
    except SourceError as exc:
        raise UserError(str(exc)) from None
    summary = scores["documents"].row(0, named=True)
    misses = {"entity_outcomes", "metric_outcomes"}
    if args.json:
        report: dict[str, Any] = {
            k: v.to_dicts()
            for k, v in scores.items()
            if k != "documents" and (args.misses or k not in misses)
        }
        if args.misses:
            for k in misses:
                report[k] = [r for r in report[k] if r["outcome"] in _ERRORS]
        print(json.dumps({**report, "summary": summary}, indent=2))
        return 0
    console = _console()
    n = summary["labelled_documents"]
    console.print(_score_table(f"entities ({n} labelled documents)", scores["entities"]))
    console.print(
        _score_table(f"metrics ({n} labelled documents): value within 1% + unit", scores["metrics"])
    )
    console.print(
        _score_table("cleaning: labelled chrome removed, labelled content kept", scores["cleaning"])
    )
    console.print(
        f"in-body noise extracted: {summary['entity_noise_errors']} entities, "
        f"{summary['metric_noise_errors']} metrics"
    )
    if summary["unmatched_labels"]:
        unmatched = summary["unmatched_labels"]
        console.print(
            f"[bold]{len(unmatched)} label file(s) with no document in {args.source}:[/bold] "
            + ", ".join(unmatched)
        )
    if args.misses:
        for k in sorted(misses):
            errors = scores[k].filter(pl.col("outcome").is_in(list(_ERRORS)))
            console.print(_score_table(f"{k}: misses (fn), false positives (fp), in-body noise", errors))
    return 0


# Outcomes `--misses` lists (transforms.evaluate): everything scored as wrong.
_ERRORS = ("fn", "fp", "noise")


def _api_url() -> str:
    """The configured Prefect API URL, checked to answer (UserError: none configured, or it is down)."""
    url = _configured_api_url()
    if not url:
        raise UserError(
            "no Prefect server configured: start one with `make server` and set "
            "PREFECT_API_URL=http://127.0.0.1:4200/api"
        )
    _check_server(url)
    return url


def _configured_api_url() -> str | None:
    """PREFECT_API_URL from the environment or the Prefect profile; None when no server is configured
    (a run then starts Prefect's temporary in-process server)."""
    url = os.environ.get("PREFECT_API_URL")
    if url:
        return url
    from prefect.settings import PREFECT_API_URL

    return PREFECT_API_URL.value() or None


def _check_server(url: str) -> None:
    """UserError unless the Prefect API at `url` answers its health check (GET /health, through
    Prefect's own client: it sends a Cloud key when one is set). Without it, a server that is not
    running surfaced as a 100-line httpx.ConnectError traceback after Prefect's retries (~50 s)."""
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        failure = client.api_healthcheck()
    if failure is not None:
        raise UserError(
            f"no Prefect server answers at {url} ({type(failure).__name__}: {failure}): start one with "
            "`make server`, or point PREFECT_API_URL at a running one"
        )


def cmd_deploy(args: argparse.Namespace) -> int:
    from flows import deploy

    url = _api_url()
    try:
        dep_id = deploy.register(args.cron, args.timezone)
    except Exception as exc:  # noqa: BLE001 - a server that is down or refuses is a user-fixable state
        raise UserError(f"could not register the deployment at {url}: {exc}") from None
    print(f"deployment quarry-pipeline/{deploy.DEPLOYMENT} ({dep_id}) registered at {url}")
    print(f"schedule: cron '{args.cron}' in {args.timezone}; runs execute while `make serve` is running")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from flows import deploy

    _api_url()
    deploy.serve(args.cron, args.timezone)
    return 0


def cmd_docs(args: argparse.Namespace) -> int:
    """Serve the warehouse's Data Docs folder on 127.0.0.1 until interrupted."""
    import functools
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    from expectations.docs import make_offline
    from flows.reporting import DOCS_HOST
    from warehouse.catalog import Warehouse

    site = Warehouse.at(args.warehouse).docs_dir
    if not (site / "index.html").is_file():
        raise UserError(f"no Data Docs at {site}: a `quarry run` on this warehouse builds them")
    make_offline(site)  # a site built before pages were made offline

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
            pass

    try:
        httpd = ThreadingHTTPServer((DOCS_HOST, args.port), functools.partial(Quiet, directory=str(site)))
    except (OSError, OverflowError) as exc:  # OverflowError: a port outside 0-65535
        raise UserError(
            f"cannot serve on {DOCS_HOST}:{args.port}: {getattr(exc, 'strerror', None) or exc}"
        ) from None
    with httpd:
        port = httpd.server_address[1]
        print(f"Data Docs of {site.parent}: http://{DOCS_HOST}:{port}/index.html (Ctrl-C stops)", flush=True)
        httpd.serve_forever()
    return 0


def cmd_compact(args: argparse.Namespace) -> int:
    import datetime as dt

    from warehouse.catalog import Warehouse, WarehouseError, manifest, write_lock
    from warehouse.load import compact, file_counts

    wh = Warehouse.at(args.warehouse)
    if not wh.exists():
        raise UserError(f"no warehouse at {wh.catalog}")
    try:
        with write_lock(wh, args.lock_wait):
            before = file_counts(wh)
            old = {e.path for e in manifest(wh)}
            done = compact(wh, f"{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%S}")
            superseded = old - {e.path for e in manifest(wh)}
    except WarehouseError as exc:
        raise UserError(str(exc)) from None
    for table, (n, m) in sorted(done.items()):
        print(f"{table}: {n} files -> {m}")
    if not done:
        print(f"nothing to compact ({sum(before.values())} files)")
    else:
        # Not deleted here: a DuckDB session opened before the compaction still reads them.
        mb = sum(os.path.getsize(p) for p in superseded if os.path.exists(p)) / 1e6
        print(
            f"{len(superseded)} superseded files ({mb:.1f} MB) stay for readers that opened the warehouse "
            "before; the next run removes them"
        )
    return 0


_WAREHOUSE_HELP = "DuckDB catalog file, or a directory for its quarry.duckdb (default: %(default)s)"


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="quarry", description="News documents in, validated facts out.")
    sub = p.add_subparsers(dest="command", required=True)

    r = sub.add_parser("run", help="run the pipeline over a source into the warehouse")

    def run_option(flag: str, field: str, **kw: Any) -> None:
        """An option whose default and help come from RunParameters (one place for both)."""
        info = _RUN[field]
        r.add_argument(
            flag, dest=field, default=info.default, help=f"{info.description} (default: %(default)s)", **kw
        )

    run_option("--source", "source")
    run_option("--warehouse", "warehouse")
    r.add_argument("--full-refresh", action="store_true", help=_RUN["full_refresh"].description)
    run_option("--on-failure", "on_failure", choices=["fail", "quarantine"])
    run_option("--systemic-share", "systemic_share", type=float)
    run_option("--batch-size", "batch_size", type=int)
    run_option("--batch-mb", "batch_mb", type=float)
    run_option("--min-words", "min_words", type=int)
    run_option("--task-runner", "task_runner", choices=["threads", "processes", "dask"])
    run_option("--dask-address", "dask_address")
    run_option("--workers", "workers", type=int)
    run_option("--gazetteer", "gazetteer")
    run_option("--lock-wait", "lock_wait_seconds", type=float)
    run_option("--max-doc-mb", "max_doc_mb", type=float)
    run_option("--data-docs", "data_docs", action=argparse.BooleanOptionalAction)
    run_option("--compact-after-files", "compact_after_files", type=int)
    r.set_defaults(func=cmd_run)

    q = sub.add_parser("sql", help="run SQL on the warehouse, read-only")
    q.add_argument("query", help="one or more SQL statements separated by ';' (each one's result in turn)")
    q.add_argument("--warehouse", default=DEFAULT_WAREHOUSE, help=_WAREHOUSE_HELP)
    q.add_argument(
        "--format",
        choices=["table", "csv", "json"],
        default="table",
        help="table; csv (one block per statement, a blank line between); json (one array of row objects "
        "per statement, one per line) (default: %(default)s)",
    )
    q.add_argument(
        "--max-rows",
        type=_positive_int,
        default=100,
        help="rows shown in table format (default: %(default)s)",
    )
    q.set_defaults(func=cmd_sql)

    ev = sub.add_parser("eval", help="score entity and metric extraction against hand labels")
    ev.add_argument("--source", default="seeds", help="labelled documents (default: seeds)")
    ev.add_argument("--labels", default=None, help="label directory (default: <source>/labels)")
    ev.add_argument("--gazetteer", default=None, help="entity gazetteer YAML (default: the bundled one)")
    ev.add_argument("--json", action="store_true", help="print the scores as JSON")
    ev.add_argument(
        "--misses", action="store_true", help="also list every miss, false positive and in-body noise item"
    )
    ev.set_defaults(func=cmd_eval)

    for name, func, text in (
        ("deploy", cmd_deploy, "register the quarry-pipeline/nightly deployment on the Prefect server"),
        ("serve", cmd_serve, "register the deployment and execute its scheduled and triggered runs"),
    ):
        d = sub.add_parser(name, help=text)
        d.add_argument("--cron", default="0 2 * * *", help="schedule (default: 02:00 every night)")
        d.add_argument(
            "--timezone",
            default=os.environ.get("QUARRY_TIMEZONE", "UTC"),
            help="IANA timezone of the schedule (default: $QUARRY_TIMEZONE or UTC)",
        )
        d.set_defaults(func=func)

    c = sub.add_parser("compact", help="merge each table's Parquet files into one (same query results)")
    c.add_argument("--warehouse", default=DEFAULT_WAREHOUSE, help=_WAREHOUSE_HELP)
    c.add_argument(
        "--lock-wait", type=float, default=0.0, help=f"{_RUN['lock_wait_seconds'].description} (default: 0)"
    )
    c.set_defaults(func=cmd_compact)

    from flows.reporting import DOCS_PORT

    dd = sub.add_parser("docs", help="serve the warehouse's GX Data Docs on 127.0.0.1 and print the URL")
    dd.add_argument("--warehouse", default=DEFAULT_WAREHOUSE, help=_WAREHOUSE_HELP)
    dd.add_argument(
        "--port", type=int, default=DOCS_PORT, help="TCP port; 0 picks a free one (default: %(default)s)"
    )
    dd.set_defaults(func=cmd_docs)

    en = sub.add_parser(
        "entities", help="list discovered entities by document frequency; promote or reject one"
    )
    en.add_argument("--warehouse", default=DEFAULT_WAREHOUSE, help=_WAREHOUSE_HELP)
    en.add_argument("--limit", type=_positive_int, default=50, help="rows to list (default: %(default)s)")
    en.add_argument("--json", action="store_true", help="print the entities as JSON")
    en.set_defaults(func=cmd_entities)
    en_sub = en.add_subparsers(dest="entities_command")
    for name, func, text in (
        ("promote", cmd_entities_promote, "add a discovered entity to the gazetteer (bumps its version)"),
        ("reject", cmd_entities_reject, "never discover or recognise this entity again (bumps the version)"),
    ):
        e = en_sub.add_parser(name, help=text)
        e.add_argument("entity_id")
        # SUPPRESS: `quarry entities --warehouse W promote X` keeps W (a subparser default would win)
        e.add_argument("--warehouse", default=argparse.SUPPRESS, help="as `quarry entities --warehouse`")
        e.add_argument(
            "--gazetteer", default=_RUN["gazetteer"].default, help="gazetteer YAML (default: %(default)s)"
        )
        if name == "promote":
            e.add_argument("--type", default=None, help="entity type (default: the discovered one)")
            e.add_argument("--name", default=None, help="canonical name (default: the discovered one)")
        e.set_defaults(func=func)

    rs = sub.add_parser("runs", help="list recent runs")
    rs.add_argument("--warehouse", default=DEFAULT_WAREHOUSE, help=_WAREHOUSE_HELP)
    rs.add_argument(
        "--limit", type=_positive_int, default=20, help="newest runs listed (default: %(default)s)"
    )
    rs.set_defaults(func=cmd_runs)

    from flows.bench import add_parsers as add_bench_parsers  # stdlib-only at import time

    add_bench_parsers(sub)
    from flows.bench_doc import add_parser as add_bench_doc_parser  # stdlib-only at import time

    add_bench_doc_parser(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    on_main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _terminate) if on_main_thread else None
    try:
        return int(args.func(args) or 0)
    except UserError as exc:
        print(f"quarry: error: {exc}", file=sys.stderr)
        return 2
    except Terminated:
        print("quarry: terminated (SIGTERM)", file=sys.stderr)
        return 143
    except KeyboardInterrupt:
        print("quarry: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # `quarry entities | head`: the reader left; stdout is pointed at devnull so the interpreter's
        # final flush does not raise again (Python's documented recipe, "Note on SIGPIPE").
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    finally:
        # (restored only while it is still ours: `serve` leaves SIGTERM ignored once it is stopping)
        if on_main_thread and signal.getsignal(signal.SIGTERM) is _terminate:
            signal.signal(signal.SIGTERM, previous)


if __name__ == "__main__":
    sys.exit(main())
