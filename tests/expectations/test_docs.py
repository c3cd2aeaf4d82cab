"""Data Docs: GX results carried as JSON out of the gate and rendered into one static site."""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
import sys
from pathlib import Path

import polars as pl

from expectations.context import Context
from expectations.docs import RESULTS_DIR, build_data_docs
from expectations.gate import gate, validate
from tests.expectations.test_profile import passing
from tests.expectations.test_suites import CTX, valid

REPO = Path(__file__).resolve().parents[2]
T1 = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
T2 = dt.datetime(2026, 1, 2, tzinfo=dt.UTC)


def _text(path: Path) -> str:
    """Visible text of a GX page (its tables are rendered server-side; the index keeps data in JS)."""
    html = path.read_text(encoding="utf-8")
    html = re.sub(r"<(style|script)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def _results() -> list[dict]:
    broken = valid("mentions").with_columns(confidence=pl.lit(1.5))
    return [
        validate("mentions", broken, CTX, "entities", 3).gx_result,
        validate("entities", valid("entities"), CTX, "entities", 3).gx_result,
        validate("batch_profile", passing(), Context(), "metrics", 3).gx_result,
    ]


def test_gate_report_carries_a_json_gx_result_without_row_lists() -> None:
    bad = valid("mentions").head(1).with_columns(start=pl.lit(20, pl.Int64), end=pl.lit(26, pl.Int64))
    _, _, report = gate("mentions", pl.concat([valid("mentions"), bad]), CTX, "entities", 4, "quarantine")
    text = json.dumps(report.gx_result, allow_nan=False)
    assert report.gx_result["suite_name"] == "quarry.mentions"
    assert report.gx_result["meta"]["quarry"] == {
        "table": "mentions",
        "stage": "entities",
        "batch": 4,
        "rows": 3,
    }
    assert '"unexpected_index_list"' not in text and '"unexpected_list"' not in text
    assert report.quarantined_rows == 1


def test_gate_without_gx_result_keeps_every_outcome_and_sample() -> None:
    # Data Docs off: GX's result is not serialised, and nothing else a run records changes.
    bad = valid("mentions").head(1).with_columns(start=pl.lit(20, pl.Int64), end=pl.lit(26, pl.Int64))
    df = pl.concat([valid("mentions"), bad])
    kept, held, with_json = gate("mentions", df, CTX, "entities", 4, "quarantine")
    kept2, held2, without = gate("mentions", df, CTX, "entities", 4, "quarantine", gx_result=False)
    assert without.gx_result == {}
    assert with_json.gx_result["suite_name"] == "quarry.mentions"
    assert without.records("r", T1) == with_json.records("r", T1)
    assert without.held_by_check == with_json.held_by_check
    assert kept2.equals(kept) and held2.equals(held)
    assert without.quarantined_rows == 1


def test_data_docs_site_lists_suites_and_renders_a_failed_expectation(tmp_path: Path) -> None:
    index = build_data_docs(_results(), None, tmp_path / "docs", run_id="r1", run_time=T1)
    assert index == (tmp_path / "docs" / "index.html").resolve() and index.exists()
    html = index.read_text(encoding="utf-8")
    for suite in ("quarry.mentions", "quarry.entities", "quarry.batch_profile", "quarry.metrics"):
        assert suite in html
    pages = sorted((index.parent / "validations").rglob("*.html"))
    assert [p.relative_to(index.parent).as_posix() for p in pages] == [
        "validations/quarry/batch_profile/r1/20260101T000000.000000Z/metrics-b00003.html",
        "validations/quarry/entities/r1/20260101T000000.000000Z/entities-b00003.html",
        "validations/quarry/mentions/r1/20260101T000000.000000Z/entities-b00003.html",
    ]
    assert all(p.relative_to(index.parent).as_posix() in html for p in pages)  # the index links each page
    page = _text(pages[2])
    assert "Expectation Suite: quarry.mentions" in page and "Status: Failed" in page
    assert "Data asset: mentions (entities, batch 3)" in page and "Run Name r1" in page
    # the failed expectation, its rule and the offending value
    assert (
        "confidence" in page and "less than or equal to 1.0" in page and "2 unexpected values found" in page
    )
    assert "1.5" in page
    assert (index.parent / "expectations" / "quarry" / "metrics.html").exists()


def test_data_docs_keep_the_newest_runs(tmp_path: Path) -> None:
    out = tmp_path / "docs"
    results = _results()
    build_data_docs(results, None, out, run_id="r1", run_time=T1, keep_runs=1)
    index = build_data_docs(results[:1], None, out, run_id="r2", run_time=T2, keep_runs=1)
    pages = [p.relative_to(out).as_posix() for p in (out / "validations").rglob("*.html")]
    assert pages == ["validations/quarry/mentions/r2/20260102T000000.000000Z/entities-b00003.html"]
    assert len(list((out / RESULTS_DIR).rglob("*.json"))) == 1
    assert "/r1/" not in index.read_text(encoding="utf-8")
    assert (out / "expectations" / "quarry" / "entities.html").exists()  # suites stay


def test_no_module_imports_gx_at_import_time() -> None:
    code = (
        "import sys; import expectations.gate, expectations.docs, expectations.batch_profile; "
        "import flows.reporting; "
        "print('great_expectations' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_suite_pages_are_rendered_again_only_when_their_suite_changed(tmp_path: Path) -> None:
    from expectations.docs import SUITE_FINGERPRINTS
    from expectations.gate import SUITES

    out = tmp_path / "docs"
    suites = {table: module.suite() for table, module in SUITES.items()}
    build_data_docs(_results(), suites, out, run_id="r1", run_time=T1)
    pages = sorted((out / "expectations" / "quarry").glob("*.html"))
    assert [p.stem for p in pages] == sorted(suites)
    assert sorted(json.loads((out / SUITE_FINGERPRINTS).read_text())) == sorted(f"quarry.{t}" for t in suites)

    def written() -> dict[str, int]:
        return {p.stem: p.stat().st_mtime_ns for p in pages}

    before = written()
    build_data_docs(_results()[:1], suites, out, run_id="r2", run_time=T2)
    assert written() == before  # same suites: no suite page written
    # one suite loses its last check: only its page is rendered again, and shows the change
    changed = {**suites, "metrics": suites["metrics"][:-1]}
    html = (out / "expectations" / "quarry" / "metrics.html").read_text(encoding="utf-8")
    build_data_docs(_results()[:1], changed, out, run_id="r3", run_time=T2)
    after = written()
    assert sorted(k for k in after if after[k] != before[k]) == ["metrics"]
    assert (out / "expectations" / "quarry" / "metrics.html").read_text(encoding="utf-8") != html
    # a missing page is rendered again even though its suite did not change
    (out / "expectations" / "quarry" / "entities.html").unlink()
    build_data_docs(_results()[:1], changed, out, run_id="r4", run_time=T2)
    assert (out / "expectations" / "quarry" / "entities.html").exists()


def test_a_second_site_build_compiles_no_template(tmp_path: Path, monkeypatch) -> None:
    from jinja2 import Environment

    build_data_docs(_results()[:1], None, tmp_path / "a", run_id="r1", run_time=T1)
    compiled: list[str] = []
    compile_ = Environment.compile

    def counting(self, source, name=None, filename=None, raw=False, defer_init=False):  # noqa: ANN001
        compiled.append(name)
        return compile_(self, source, name, filename, raw, defer_init)

    monkeypatch.setattr(Environment, "compile", counting)
    # a new site (every page rendered), built with the templates the first build compiled
    index = build_data_docs(_results()[:1], None, tmp_path / "b", run_id="r1", run_time=T1)
    assert compiled == []
    assert "quarry.mentions" in index.read_text(encoding="utf-8")


def test_stored_results_are_what_the_gx_store_writes(tmp_path: Path) -> None:
    """Each stored result file is GX's own serialisation of the result it holds (`store.set` would
    write the same bytes), though the build writes the gate's JSON without loading it first."""
    from great_expectations.core.expectation_validation_result import (
        ExpectationSuiteValidationResultSchema,
    )

    build_data_docs(_results(), None, tmp_path / "docs", run_id="r1", run_time=T1)
    files = sorted((tmp_path / "docs" / RESULTS_DIR).rglob("*.json"))
    assert [f.name for f in files] == ["metrics-b00003.json", "entities-b00003.json", "entities-b00003.json"]
    schema = ExpectationSuiteValidationResultSchema()
    for f in files:
        text = f.read_text(encoding="utf-8")
        assert schema.dumps(schema.loads(text).to_json_dict(), indent=2, sort_keys=True) == text


def test_a_later_build_of_a_site_reuses_its_context_and_parses_only_the_new_results(
    tmp_path: Path, monkeypatch
) -> None:
    """A nightly run in a long-lived process (`quarry serve`, the benchmark) made a GX context and its
    nine suites again, and parsed every stored result again for the index: about half of the Data Docs
    CPU of a 129-document incremental run, on a thread competing with the load for the GIL."""
    from great_expectations.data_context.store.validation_results_store import ValidationResultsStore

    import expectations.docs as docs

    out = tmp_path / "docs"
    build_data_docs(_results(), None, out, run_id="r1", run_time=T1)
    contexts: list[int] = []
    parsed: list[str] = []
    new_context = docs.ephemeral_context
    deserialize = ValidationResultsStore.deserialize
    monkeypatch.setattr(docs, "ephemeral_context", lambda: contexts.append(1) or new_context())

    def counting(self, value):  # noqa: ANN001
        result = deserialize(self, value)
        parsed.append(result.meta["run_id"]["run_name"])
        return result

    monkeypatch.setattr(ValidationResultsStore, "deserialize", counting)
    index = build_data_docs(_results()[:1], None, out, run_id="r2", run_time=T2)
    assert contexts == []
    assert parsed == ["r2", "r2"]  # its page, and its line of the index
    html = index.read_text(encoding="utf-8")
    assert sorted(re.findall(r'href="(validations/[^"]+)"', html)) == [
        "validations/quarry/batch_profile/r1/20260101T000000.000000Z/metrics-b00003.html",
        "validations/quarry/entities/r1/20260101T000000.000000Z/entities-b00003.html",
        "validations/quarry/mentions/r1/20260101T000000.000000Z/entities-b00003.html",
        "validations/quarry/mentions/r2/20260102T000000.000000Z/entities-b00003.html",
    ]
    # another folder is another site: a context of its own
    build_data_docs(_results()[:1], None, tmp_path / "other", run_id="r1", run_time=T1)
    assert contexts == [1]


def test_a_run_id_dateutil_reads_as_a_time_with_an_impossible_offset_still_gets_its_pages(
    tmp_path: Path,
) -> None:
    """`-9472ad` after a timestamp parses as a UTC offset of -94:72 hours; GX's page title compared it."""
    run_id = "20261202T140019-9472ad"
    index = build_data_docs(_results()[:1], None, tmp_path / "docs", run_id=run_id, run_time=T1)
    pages = sorted(
        p.relative_to(index.parent).as_posix() for p in (index.parent / "validations").rglob("*.html")
    )
    assert pages == [f"validations/quarry/mentions/{run_id}/20260101T000000.000000Z/entities-b00003.html"]
    page = (index.parent / pages[0]).read_text(encoding="utf-8")
    assert f"Validations / quarry.mentions / mentions (entities, batch 3) / {run_id} /" in page


def test_stored_run_times_are_parsed_once_per_process(tmp_path: Path) -> None:
    from great_expectations.core.run_identifier import RunIdentifier

    build_data_docs(_results()[:1], None, tmp_path / "docs", run_id="r1", run_time=T1)
    first = RunIdentifier("r1", "20260101T000000.000000Z").run_time
    again = RunIdentifier("r1", "20260101T000000.000000Z").run_time
    assert first == T1
    assert again is first  # the listing's parse, remembered (dateutil returns a new datetime each call)
    assert RunIdentifier("r2", "20260102T000000.000000Z").run_time == T2
