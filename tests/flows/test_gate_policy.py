"""Gate semantics end to end through `quarry run` (in-process, on the session's Prefect server): a few odd
rows are held back with a reason and the rest lands; a systemic failure stops its batch; strict mode."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from flows.cli import main

NAMES = (
    "Alder Birch Cedar Dogwood Elm Fir Ginkgo Hazel Ivy Juniper Kauri Larch Maple Nutmeg Olive Poplar "
    "Quince Rowan Spruce Tamarind"
).split()
ABSURD = "9,000,000%"  # a percent far past the plausibility bound (1e5): the extractor's output is odd


def article(i: int, growth: str = "12%", valuation: str | None = None) -> str:
    """Five figures in five sentences about one company (written for these tests)."""
    valuation = valuation or f"${40 + i} million"
    return (
        f"{NAMES[i]} Ltd. said on Monday that it raised ${5 + i} million from investors in a new round.\n\n"
        f"Its sales rose {growth} in the quarter, the company said in a statement.\n\n"
        f"The company employs {300 + i} people at its main site.\n\n"
        f"It trained a model on {2 + i} billion tokens.\n\n"
        f"Its valuation reached {valuation} after the deal.\n"
    )


def write(folder: Path, texts: list[str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for i, t in enumerate(texts):
        (folder / f"{i:02d}.txt").write_text(t, encoding="utf-8")
    return folder


def q(wh: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(wh), read_only=True) as con:
        return con.execute(sql).fetchall()


def run(source: Path, wh: Path, *extra: str) -> int:
    return main(["run", "--source", str(source), "--warehouse", str(wh), "--no-data-docs", *extra])


PLAUSIBLE = "ExpectColumnValuesToBeInSet(_value_plausible)"


def test_three_odd_rows_of_a_hundred_are_held_back_and_the_run_succeeds(prefect_server, tmp_path, capsys):
    texts = [article(i, growth=ABSURD if i in (3, 11) else "12%") for i in range(20)]
    # a third odd figure is one side of a conversion: its partner lands without the link
    texts[17] = article(17, valuation="20,000,000,000,000,000 yuan ($57 million)")
    src, wh = write(tmp_path / "docs", texts), tmp_path / "w.duckdb"
    assert run(src, wh) == 0
    assert "succeeded" in capsys.readouterr().out
    assert q(wh, "SELECT count(*) FROM documents") == [(20,)]
    assert q(wh, "SELECT count(*) FROM metrics") == [(98,)]  # 101 figures, 3 held back
    held = q(wh, "SELECT stage, source, reason, detail FROM quarantine ORDER BY source")
    assert [(s, Path(src_).name, r) for s, src_, r, _ in held] == [
        ("metrics", "03.txt", "gate_failed"),
        ("metrics", "11.txt", "gate_failed"),
        ("metrics", "17.txt", "gate_failed"),
    ]
    details = [d for *_, d in held]
    assert details[0].startswith(f"metrics row failed {PLAUSIBLE}: {{")
    assert '"surface":"9,000,000%"' in details[0] and '"value":9000000.0' in details[0]
    assert '"value":2e+16' in details[2] and '"unit":"CNY"' in details[2]
    assert q(wh, "SELECT unit, value, linked_metric_id FROM metrics WHERE surface = '$57 million'") == [
        ("USD", 57e6, None)
    ]
    assert q(wh, "SELECT status, message, docs_quarantined FROM runs") == [
        ("succeeded", f"held back metrics: {PLAUSIBLE} (3 rows)", 0)
    ]
    assert q(wh, "SELECT observed FROM quality_results WHERE NOT success AND severity = 'critical'") == [
        ("3 of 101 rows unexpected (2.97%); 3 rows held back",)
    ]


def test_a_systemic_failure_stops_its_batch_and_the_others_land(prefect_server, tmp_path, capsys):
    # batch 0 (files 00-09) is clean; batch 1 has an odd figure in each of its 10 documents: 20% of rows
    texts = [article(i, growth=ABSURD if i >= 10 else "12%") for i in range(20)]
    src, wh = write(tmp_path / "docs", texts), tmp_path / "w.duckdb"
    assert run(src, wh, "--batch-size", "10") == 1
    out = capsys.readouterr().out
    assert "systemic failure (more than 5% of rows)" in out
    assert f"{PLAUSIBLE} on 20.0% of rows in 10 documents" in out
    assert q(wh, "SELECT count(*), count(DISTINCT doc_id) FROM metrics") == [(50, 10)]
    assert q(wh, "SELECT count(*) FROM documents") == [(10,)]
    assert q(wh, "SELECT count(*) FROM quarantine") == [(0,)]
    status, message = q(wh, "SELECT status, message FROM runs")[0]
    assert status == "failed" and message.startswith("batch 1 metrics: gate metrics/metrics batch 1")


def test_the_systemic_share_is_a_run_parameter(prefect_server, tmp_path):
    texts = [article(i, growth=ABSURD if i >= 10 else "12%") for i in range(20)]
    src, wh = write(tmp_path / "docs", texts), tmp_path / "w.duckdb"
    assert run(src, wh, "--batch-size", "10", "--systemic-share", "0.25") == 0
    assert q(wh, "SELECT count(*) FROM metrics") == [(90,)]
    assert q(wh, "SELECT count(*) FROM quarantine WHERE reason = 'gate_failed'") == [(10,)]


def test_strict_mode_stops_on_one_row(prefect_server, tmp_path, capsys):
    texts = [article(i, growth=ABSURD if i == 5 else "12%") for i in range(20)]
    src, wh = write(tmp_path / "docs", texts), tmp_path / "w.duckdb"
    assert run(src, wh, "--on-failure", "fail") == 1
    assert "batch stopped: strict mode (on_failure=fail)" in capsys.readouterr().out
    assert q(wh, "SELECT count(*) FROM metrics") == [(0,)]
    assert q(wh, "SELECT status FROM runs") == [("failed",)]


@pytest.mark.parametrize("n_odd", [1, 4])
def test_odd_rows_all_in_one_document_are_never_systemic(prefect_server, tmp_path, n_odd):
    """One document with several odd figures, in a batch of its own: still an odd document."""
    growth = " and ".join([ABSURD] * n_odd)
    src = write(tmp_path / "docs", [article(0, growth=growth)])
    wh = tmp_path / "w.duckdb"
    assert run(src, wh) == 0
    assert q(wh, "SELECT count(*) FROM quarantine WHERE reason = 'gate_failed'") == [(n_odd,)]


def test_a_held_back_entity_takes_its_mentions(prefect_server, tmp_path, monkeypatch):
    """Discovery returns one entity of 20 with a type outside the vocabulary: it is held back (5% is not
    more than the systemic share) and its mention goes with it; the other 19 land."""
    import polars as pl

    import transforms.entities
    from flows.pipeline import RunParameters, quarry_pipeline

    real = transforms.entities.extract_mentions

    def extract(*args, **kwargs):
        mentions, discovered = real(*args, **kwargs)
        odd = pl.col("entity_id") == "org:alder"
        return mentions, discovered.with_columns(
            pl.when(odd).then(pl.lit("BOGUS")).otherwise("type").alias("type")
        )

    monkeypatch.setattr(transforms.entities, "extract_mentions", extract)
    src, wh = write(tmp_path / "docs", [article(i) for i in range(20)]), tmp_path / "w.duckdb"
    summary = quarry_pipeline(RunParameters(source=str(src), warehouse=str(wh), data_docs=False))
    assert summary["status"] == "succeeded"
    assert summary["rows_held_by_expectation"] == {"entities: ExpectColumnValuesToBeInSet(type)": 1}
    assert q(wh, "SELECT count(*) FROM entities WHERE entity_id = 'org:alder'") == [(0,)]
    assert q(wh, "SELECT count(*), count(DISTINCT entity_id) FROM mentions") == [(19, 19)]
    assert q(wh, "SELECT count(*) FROM mentions WHERE entity_id = 'org:alder'") == [(0,)]
    held = q(
        wh, "SELECT stage, Path, reason, detail FROM (SELECT *, source AS Path FROM quarantine) ORDER BY 4"
    )
    assert [(s, r) for s, _, r, _ in held] == [("entities", "gate_failed"), ("entities", "gate_failed")]
    assert held[0][3] == ('entities row failed ExpectColumnValuesToBeInSet(type): {"type":"BOGUS"}')
    assert held[1][3] == "mentions row held with its entity org:alder (held back by the entities gate)"
    assert Path(held[1][1]).name == "00.txt"
