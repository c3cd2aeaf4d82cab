"""Great Expectations Data Docs: one static HTML site per warehouse, built once at the end of a run.

Batches are validated on threads or Dask workers, each with its own ephemeral GX context, so no
single context holds a run's results. Each `GateReport` therefore carries its GX result as JSON
(`gx_result`); this module re-hydrates those results into one context whose validation-results
store is a folder under the site (`<out_dir>/.results/`), so the index keeps the last `keep_runs`
runs, and renders only the new pages plus the index. GX is imported on first call, never at import.
"""

from __future__ import annotations

import ast
import datetime as dt
import functools
import hashlib
import json
import os
import re
import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from html import escape as html_escape
from pathlib import Path
from typing import Any

from expectations.checks import Check
from expectations.gate import SUITES, ephemeral_context, gx_meta

SITE = "quarry"
RESULTS_DIR = ".results"  # GX's validation-results store: one JSON per suite x batch x run
SUITE_PREFIX = "quarry."  # GX suite names are `quarry.<table>`, as in gate.py
# The fingerprint of each suite page as rendered (suite name -> sha256 of GX's version and the suite's
# checks): a suite page is rendered again only when its suite (or GX) changed or the page is missing.
SUITE_FINGERPRINTS = ".suites.json"


def build_data_docs(
    results: list[dict[str, Any]],
    suites: Mapping[str, Sequence[Check]] | None,
    out_dir: Path,
    run_id: str = "run",
    run_time: dt.datetime | None = None,
    keep_runs: int = 20,
) -> Path:
    """Render `results` (GateReport.gx_result dicts) and `suites` (table -> checks; None: every suite
    of the gate) as Data Docs in `out_dir`; keep the newest `keep_runs` runs; return its index.html."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    import great_expectations as gx

    out_dir = Path(out_dir).resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    if suites is None:
        suites = {table: module.suite() for table, module in SUITES.items()}
    fingerprints = {
        f"{SUITE_PREFIX}{table}": _fingerprint(gx.__version__, checks) for table, checks in suites.items()
    }
    site = _site(out_dir, suites, fingerprints)
    with site.lock:
        return _build(site, results, out_dir, fingerprints, run_id, run_time, keep_runs)


@dataclass
class _Site:
    """A GX context for one Data Docs folder and one set of suites, kept for the next build in this
    process: its results store, site and suites are the same every run."""

    ctx: Any
    lock: threading.Lock = field(default_factory=threading.Lock)
    # Stored results as the index reads them, by store key: a result file is written once (a run's key
    # is its own) and only ever deleted (pruned).
    results: dict[tuple, Any] = field(default_factory=dict)


_SITES_KEPT = 4  # Data Docs folders x suite sets a process keeps a context for (one per warehouse)
_sites: OrderedDict[tuple[str, str], _Site] = OrderedDict()
_sites_lock = threading.Lock()


def _site(out_dir: Path, suites: Mapping[str, Sequence[Check]], fingerprints: dict[str, str]) -> _Site:
    """The context for `out_dir` with exactly `suites` (the index drops pages whose suite is not in the
    context), made on first use and then reused: a new context with its nine suites was a quarter of a
    small run's Data Docs time (GX compares each added expectation with every one already in its suite)."""
    key = (str(out_dir), json.dumps(fingerprints, sort_keys=True))
    with _sites_lock:
        site = _sites.get(key)
        if site is not None:
            _sites.move_to_end(key)
            return site
    site = _Site(_new_context(out_dir, suites))
    with _sites_lock:
        site = _sites.setdefault(key, site)
        while len(_sites) > _SITES_KEPT:
            _sites.popitem(last=False)
    return site


def _new_context(out_dir: Path, suites: Mapping[str, Sequence[Check]]) -> Any:
    import great_expectations as gx

    ctx = ephemeral_context()
    ctx.add_store(
        "quarry_results",
        {
            "class_name": "ValidationResultsStore",
            "store_backend": {
                "class_name": "TupleFilesystemStoreBackend",
                "base_directory": str(out_dir / RESULTS_DIR),
            },
        },
    )
    ctx.validation_results_store_name = "quarry_results"
    # Replace the ephemeral context's default site (a temporary folder) with ours.
    ctx.variables.data_docs_sites = {
        SITE: {
            "class_name": "SiteBuilder",
            "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(out_dir)},
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
        }
    }
    for table, checks in suites.items():
        suite = gx.ExpectationSuite(name=f"{SUITE_PREFIX}{table}")
        for i, c in enumerate(checks):
            cls = getattr(gx.expectations, c.expectation)
            suite.add_expectation(cls(**c.kwargs, severity=c.severity, meta=gx_meta(i, c)))
        ctx.suites.add(suite)
    return ctx


def _build(
    site: _Site,
    results: list[dict[str, Any]],
    out_dir: Path,
    fingerprints: dict[str, str],
    run_id: str,
    run_time: dt.datetime | None,
    keep_runs: int,
) -> Path:
    from great_expectations.core.expectation_validation_result import ExpectationSuiteValidationResultSchema
    from great_expectations.core.run_identifier import RunIdentifier
    from great_expectations.data_context.types.resource_identifiers import (
        ExpectationSuiteIdentifier,
        ValidationResultIdentifier,
    )

    ctx = site.ctx
    _share_compiled_templates()
    _remember_parsed_run_times()
    _run_names_parsed_as_times_only_when_valid()
    built: list[Any] = []
    rendered = _read_fingerprints(out_dir)
    # A suite's page is rendered only when the suite changed: its nine pages were half of a small run's
    # Data Docs time, rendering the same HTML each night.
    for name, fingerprint in fingerprints.items():
        page = out_dir / "expectations" / Path(*name.split(".")).with_suffix(".html")
        if rendered.get(name) != fingerprint or not page.exists():
            built.append(ExpectationSuiteIdentifier(name))

    run = RunIdentifier(run_name=run_id, run_time=run_time or dt.datetime.now(dt.UTC))
    schema = ExpectationSuiteValidationResultSchema()
    store = ctx.validation_results_store
    for i, raw in enumerate(results):
        meta = dict(raw.get("meta") or {})
        q = meta.get("quarry") or {}
        batch_id = f"{q.get('stage', 'stage')}-b{int(q.get('batch', i)):05d}"
        # What the pages show as the run and the data asset (GX leaves both empty outside checkpoints).
        meta["run_id"] = run.to_json_dict()
        meta["batch_spec"] = {
            **(meta.get("batch_spec") or {}),
            "data_asset_name": f"{q.get('table', '?')} ({q.get('stage', '?')}, batch {q.get('batch', i)})",
        }
        key = ValidationResultIdentifier(ExpectationSuiteIdentifier(raw["suite_name"]), run, batch_id)
        # The file `store.set(key, schema.load(raw))` writes (the store serialises a result as its
        # `to_json_dict()` dumped by this schema), without loading the result and serialising it back:
        # `raw` is already a result's `to_json_dict()`. Measured on a 40-document run's nine results:
        # the build took 0.32 s CPU that way, 0.26 s this way.
        text = schema.dumps(raw | {"meta": meta}, indent=2, sort_keys=True)
        store.store_backend.set(store.key_to_tuple(key), text)
        built.append(key)

    _prune(store, keep_runs)
    # Incremental: pages for this run's suites and results; the index is rebuilt over the whole store
    # and drops pages whose result was pruned. The index reads every stored result (up to keep_runs x
    # nine) for its status and asset name: those read by an earlier build are not parsed again.
    kept = {store.key_to_tuple(k) for k in store.list_keys()}
    for k in [k for k in site.results if k not in kept]:
        del site.results[k]
    get = ctx.get_validation_result

    def get_validation_result(
        expectation_suite_name: str,
        run_id: Any = None,
        batch_identifier: Any = None,
        validation_results_store_name: Any = None,
        failed_only: bool = False,
    ) -> Any:
        if run_id is None or batch_identifier is None or failed_only:
            return get(
                expectation_suite_name, run_id, batch_identifier, validation_results_store_name, failed_only
            )
        key = store.key_to_tuple(
            ValidationResultIdentifier(
                ExpectationSuiteIdentifier(expectation_suite_name), run_id, batch_identifier
            )
        )
        if key not in site.results or key not in kept:
            found = get(expectation_suite_name, run_id, batch_identifier, validation_results_store_name)
            if key not in kept:
                return found
            site.results[key] = found
        return site.results[key]

    ctx.get_validation_result = get_validation_result
    try:
        ctx.build_data_docs(site_names=[SITE], resource_identifiers=built or None)
    finally:
        del ctx.get_validation_result
    make_offline(out_dir)
    # After the pages: a crash before this line renders the suites again next time.
    tmp = out_dir / f"{SUITE_FINGERPRINTS}.tmp"
    tmp.write_text(json.dumps({**rendered, **fingerprints}, indent=1, sort_keys=True), encoding="utf-8")
    os.replace(tmp, out_dir / SUITE_FINGERPRINTS)
    return out_dir / "index.html"


def _fingerprint(gx_version: str, checks: Sequence[Check]) -> str:
    """sha256 of what a suite page shows: GX's version (its templates) and each check with its meta."""
    parts = [
        {"expectation": c.expectation, "kwargs": c.kwargs, "severity": c.severity, "meta": gx_meta(i, c)}
        for i, c in enumerate(checks)
    ]
    text = json.dumps([gx_version, OFFLINE_CSS, parts], sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _read_fingerprints(out_dir: Path) -> dict[str, str]:
    try:
        found = json.loads((out_dir / SUITE_FINGERPRINTS).read_text(encoding="utf-8"))
    except (OSError, ValueError):  # none yet, or unreadable: render every suite page
        return {}
    return found if isinstance(found, dict) else {}


_templates_lock = threading.Lock()


def _share_compiled_templates() -> None:
    """Let every GX page view of this process reuse compiled Jinja templates.

    GX's `DefaultJinjaView` builds a new Jinja `Environment` per view, and a site build makes one view
    per section and for the index, so every build parsed and compiled the same ~50 templates again
    (under cProfile, 0.95 s of a 4.2 s build). Jinja's bytecode cache is keyed by template name and
    checked against the template source's checksum, so a changed template is compiled afresh."""
    from great_expectations.render.view.view import DefaultJinjaView
    from jinja2 import BytecodeCache

    with _templates_lock:
        if getattr(DefaultJinjaView, "_quarry_shared_templates", False):
            return

        class _InMemory(BytecodeCache):
            def __init__(self) -> None:
                self.code: dict[str, bytes] = {}
                self.lock = threading.Lock()

            def load_bytecode(self, bucket: Any) -> None:
                with self.lock:
                    data = self.code.get(bucket.key)
                if data is not None:
                    bucket.bytecode_from_string(data)

            def dump_bytecode(self, bucket: Any) -> None:
                data = bucket.bytecode_to_string()
                with self.lock:
                    self.code[bucket.key] = data

        cache = _InMemory()
        init = DefaultJinjaView.__init__

        @functools.wraps(init)
        def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
            init(self, *args, **kwargs)
            self.env.bytecode_cache = cache

        DefaultJinjaView.__init__ = __init__  # type: ignore[method-assign]
        DefaultJinjaView._quarry_shared_templates = True  # type: ignore[attr-defined]


def _remember_parsed_run_times() -> None:
    """Let GX parse each stored run time once per process instead of once per key per listing.

    Every listing of a store (`Store.list_keys`: the build lists the results store and the site's
    page stores seven times) turns each file name back into a key, whose `RunIdentifier` parses its
    run-time string with dateutil: measured (cProfile, a site holding 20 runs x 9 results) 1,134 parses,
    15% of a warm build's CPU, the same ~180 strings each time. A parsed time is an immutable datetime,
    so one parse per distinct string stands for the rest; strings that do not parse raise as before."""
    from great_expectations.core import run_identifier

    with _templates_lock:
        if getattr(run_identifier.parse, "_quarry_memoised", False):
            return
        parse = functools.lru_cache(maxsize=4096)(run_identifier.parse)

        @functools.wraps(run_identifier.parse)
        def memoised(timestr: Any, *args: Any, **kwargs: Any) -> Any:
            if args or kwargs or not isinstance(timestr, str):
                return parse.__wrapped__(timestr, *args, **kwargs)
            return parse(timestr)

        memoised._quarry_memoised = True  # type: ignore[attr-defined]
        run_identifier.parse = memoised


def _run_names_parsed_as_times_only_when_valid() -> None:
    """Keep GX's page renderer from failing a run's every validation page on its run name.

    The renderer parses the run name with dateutil to decide whether the page title shows it, and
    compares the result with the run time. dateutil reads a run id such as `20261202T140019-9472ad` as
    a time with a UTC offset of -94:72 hours, which it accepts and Python refuses when the two are
    compared (ValueError outside the renderer's try): GX logged the error and rendered none of the
    run's pages. Measured on random run ids (`flows.pipeline`: time, '-', 6 hex digits): 53 in 100,000
    did so. Here a parse whose offset Python refuses raises the ValueError the renderer already catches,
    so the title shows the run name, as it does for every run id that is not a time."""
    from great_expectations.render.renderer import page_renderer

    with _templates_lock:
        if getattr(page_renderer.parse, "_quarry_checked", False):
            return
        parse = page_renderer.parse

        @functools.wraps(parse)
        def checked(timestr: Any, *args: Any, **kwargs: Any) -> Any:
            parsed = parse(timestr, *args, **kwargs)
            parsed.utcoffset()  # raises ValueError for an offset of 24 hours or more
            return parsed

        checked._quarry_checked = True  # type: ignore[attr-defined]
        page_renderer.parse = checked


def _prune(store: Any, keep_runs: int) -> None:
    """Remove stored results of all but the newest `keep_runs` runs."""
    keys = store.list_keys()
    runs = sorted({(k.run_id.run_time, k.run_id.run_name) for k in keys}, reverse=True)
    old = set(runs[keep_runs:])
    for k in keys:
        if (k.run_id.run_time, k.run_id.run_name) in old:
            store.remove_key(k)


# GX's pages load Bootstrap, jQuery, bootstrap-table, Font Awesome and Vega from CDNs: offline (a
# closed network, a laptop on a train) they render unstyled and the index's validation list, filled in
# by bootstrap-table, is empty. `make_offline` removes every remote asset, renders those tables as
# static HTML and inlines this stylesheet (GX's own static/styles are local and stay).
_CDN_TAG = re.compile(
    r'<link[^>]*href="https?://[^"]*"[^>]*>|<script[^>]*src="https?://[^"]*"[^>]*>\s*</script>', re.S
)
_SCRIPT = re.compile(r"<script>(.*?)</script>", re.S)
_REMOTE_SRC = re.compile(r'src="https?://[^"]*?/(?P<name>[\w.-]+?)(?:\?[^"]*)?"')
# a stylesheet's remote background (GX's navbar logo)
_REMOTE_CSS_URL = re.compile(r"""url\((?P<q>['"]?)https?://[^'")]*?/(?P<name>[\w.-]+?)(?P=q)\)""")
_TABLE_CALL = re.compile(
    r"\$\('#(?P<id>[\w-]+)'\)\.bootstrapTable\(\s*Object\.assign\(\s*\{\s*"
    r"columns: (?P<columns>\[.*?\]),\s*data: (?P<data>\[.*\]),\s*toolbar:",
    re.S,
)
OFFLINE_MARK = "<!-- quarry: offline -->"
OFFLINE_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0 auto;max-width:1400px;
 padding:0 1rem;color:#212529;line-height:1.45}
a{color:#0b5ed7}table{border-collapse:collapse;margin:.5rem 0;width:100%}
th,td{border:1px solid #dee2e6;padding:.25rem .5rem;vertical-align:top;text-align:left}
th{background:#f1f3f5}.text-success{color:#198754}.text-danger{color:#dc3545}.text-warning{color:#b58105}
.modal,.cooltip .top,.ge-cta-footer,#ge-cta-footer,nav .dropdown-menu{display:none}
.card{border:1px solid #dee2e6;border-radius:.3rem;margin:.75rem 0;padding:.5rem}
.row{display:flex;flex-wrap:wrap;gap:1rem}.col-md-2,.col-md-3{flex:0 0 220px}.col-md-10,.col-md-9{flex:1}
.fas.fa-check-circle::before{content:"\\2714"}.fas.fa-times::before,.fas.fa-times-circle::before{content:"\\2716"}
.fas.fa-exclamation-triangle::before{content:"\\26A0"}img{max-width:240px}
"""


def make_offline(site: Path) -> int:
    """Rewrite every page of the Data Docs site under `site` to need no network; return pages changed.

    Idempotent (a rewritten page carries OFFLINE_MARK). Tables GX fills from JavaScript become static
    tables whose rows link to their pages, newest first as GX sorts them."""
    changed = 0
    for page in Path(site).rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        if OFFLINE_MARK in html:
            continue
        html = _CDN_TAG.sub("", html)
        html = _SCRIPT.sub(_static_table, html)
        # a remote image (GX's logo) that the site ships under static/images: the local copy
        html = _REMOTE_SRC.sub(functools.partial(_local_image, Path(site), page), html)
        html = _REMOTE_CSS_URL.sub(functools.partial(_local_css_image, Path(site), page), html)
        html = html.replace("</head>", f"{OFFLINE_MARK}<style>{OFFLINE_CSS}</style></head>", 1)
        page.write_text(html, encoding="utf-8")
        changed += 1
    return changed


def _local_image(site: Path, page: Path, src: re.Match[str]) -> str:
    """A remote image's `src`: the copy under the site's static/images (relative to `page`), or none."""
    local = site / "static" / "images" / src["name"]
    return f'src="{os.path.relpath(local, page.parent)}"' if local.is_file() else 'src=""'


def _local_css_image(site: Path, page: Path, url: re.Match[str]) -> str:
    """A stylesheet's remote `url(...)`: the site's copy of that image, else its own logo, else none."""
    images = site / "static" / "images"
    for local in (images / url["name"], images / "logo-long.png"):
        if local.is_file():
            return f"url('{os.path.relpath(local, page.parent)}')"
    return "none"


def _static_table(script: re.Match[str]) -> str:
    """A `<script>` of GX's page: its bootstrap-table as static HTML, or nothing (every other script
    drives jQuery/Bootstrap widgets that are not loaded offline)."""
    call = _TABLE_CALL.search(script.group(1))
    if call is None:
        return ""
    columns = ast.literal_eval(call.group("columns"))  # Python literals: GX writes them with repr()
    rows = ast.literal_eval(call.group("data"))
    rows.sort(key=lambda r: r.get("_run_time_sort", 0), reverse=True)
    head = "".join(f"<th>{html_escape(c['title'])}</th>" for c in columns)
    body = []
    for r in rows:
        link = r.get("_table_row_link_path")
        cells = []
        for c in columns:
            value = r.get(c["field"], "")
            if c["field"] == "validation_success":  # an icon GX draws with Font Awesome: say it
                value = f"{value}{html_escape(r.get('_validation_success_text', ''))}"
            if link and c is columns[0]:
                value = f'<a href="{html_escape(link)}">{value}</a>'
            cells.append(f"<td>{value}</td>")
        body.append(f"<tr>{''.join(cells)}</tr>")
    return (
        f'<table class="quarry-static" data-for="{call.group("id")}"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table>"
    )
