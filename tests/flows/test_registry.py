"""The registry across real runs: learn a name from its cue, recognise it bare later, list it, promote or
reject it (reference data edited in a temporary copy of the gazetteer), and reprocess."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pytest
import yaml

from tests.flows.test_cli import quarry_here
from warehouse.reference import DEFAULT_GAZETTEER, load_gazetteer

# Written for these tests. The first names a company with its legal form (a cue) and a person with a
# title; the second names the company bare, and the person again.
CUED = (
    "Zorblat Inc. said on Tuesday that it shipped forty thousand garden robots in the spring quarter. "
    "Its chief executive Marta Quist said the company expects to double its output next year as two new "
    "factories open near the coast."
)
UNRELATED = (
    "The town council approved a new budget for the library on Monday, adding reading rooms and longer "
    "opening hours after residents asked for more quiet space to study during the winter months."
)
BARE = (
    "Shoppers in the northern towns said Zorblat was the favourite brand of the season, because its robots "
    "were cheaper than last year and the repair network had grown. Marta Quist did not attend the fair."
)


def _rows(wh: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(wh), read_only=True) as con:
        return con.execute(sql).fetchall()


MENTIONS = (
    "SELECT split_part(d.source, '/', -1), m.entity_id, m.surface, m.start, m.\"end\", "
    "m.method, m.confidence "
    "FROM mentions m JOIN documents d USING (doc_id) "
    "WHERE m.entity_id IN ('org:zorblat', 'person:marta-quist') ORDER BY ALL"
)
ENTITIES = (
    "SELECT entity_id, name, type, method, confidence, doc_count, cue_doc_count, first_seen, first_run_id "
    "FROM entities WHERE entity_id IN ('org:zorblat', 'person:marta-quist') ORDER BY entity_id"
)


@pytest.fixture(scope="module")
def runs(prefect_server, tmp_path_factory) -> dict:
    """Run 1 over the cued document, run 2 after the bare one is added (same warehouse)."""
    root = tmp_path_factory.mktemp("registry")
    gazetteer = root / "ref" / "gazetteer.yaml"
    gazetteer.parent.mkdir()
    shutil.copy(DEFAULT_GAZETTEER, gazetteer)
    corpus, wh = root / "news", root / "w.duckdb"
    corpus.mkdir()
    (corpus / "a.txt").write_text(CUED, encoding="utf-8")
    (corpus / "c.txt").write_text(UNRELATED, encoding="utf-8")
    args = ["run", "--source", str(corpus), "--warehouse", str(wh), "--gazetteer", str(gazetteer)]
    code, _, err = quarry_here(*args, "--no-data-docs")
    assert code == 0, err[-3000:]
    first = {"mentions": _rows(wh, MENTIONS), "entities": _rows(wh, ENTITIES)}
    (corpus / "b.txt").write_text(BARE, encoding="utf-8")
    code, _, err = quarry_here(*args, "--no-data-docs")
    assert code == 0, err[-3000:]
    [(run1, started1), (run2, _)] = _rows(wh, "SELECT run_id, started_at FROM runs ORDER BY started_at")
    return {
        "wh": wh,
        "gazetteer": gazetteer,
        "args": args,
        "first": first,
        "run1": run1,
        "started1": started1,
    }


def test_a_later_run_recognises_a_learnt_name_without_its_cue(runs):
    assert runs["first"]["mentions"] == [
        ("a.txt", "org:zorblat", "Zorblat Inc.", 0, 12, "pattern", 0.95),
        ("a.txt", "person:marta-quist", "Marta Quist", 117, 128, "pattern", 0.95),
    ]
    assert _rows(runs["wh"], MENTIONS) == [
        ("a.txt", "org:zorblat", "Zorblat Inc.", 0, 12, "pattern", 0.95),
        ("a.txt", "person:marta-quist", "Marta Quist", 117, 128, "pattern", 0.95),
        ("b.txt", "org:zorblat", "Zorblat", 36, 43, "registry", 0.9),  # no cue in b.txt
        ("b.txt", "person:marta-quist", "Marta Quist", 164, 175, "pattern", 0.95),
    ]


def test_entities_keep_first_sighting_and_recount_documents(runs):
    seen = (runs["started1"], runs["run1"])
    assert runs["first"]["entities"] == [
        ("org:zorblat", "Zorblat", "ORG", "pattern", 0.95, 1, 1, *seen),
        ("person:marta-quist", "Marta Quist", "PERSON", "pattern", 0.95, 1, 1, *seen),
    ]
    # run 2: one more document each; the registry mention is counted in doc_count, not as a cue
    assert _rows(runs["wh"], ENTITIES) == [
        ("org:zorblat", "Zorblat", "ORG", "pattern", 0.95, 2, 1, *seen),
        ("person:marta-quist", "Marta Quist", "PERSON", "pattern", 0.95, 2, 2, *seen),
    ]


def test_quarry_entities_lists_the_registry(runs):
    wh = str(runs["wh"])
    code, out, err = quarry_here("entities", "--warehouse", wh)
    assert code == 0, err
    seen = f"{runs['started1']:%Y-%m-%d %H:%M:%S}"
    assert out.splitlines() == [
        "entity_id\tname\ttype\tmethod\tconfidence\tfirst_seen\tdoc_count\tcue_doc_count\texample",
        f"org:zorblat\tZorblat\tORG\tpattern\t0.95\t{seen}\t2\t1\tZorblat Inc. said on Tuesday that it "
        "shipped forty thousand garden robots in the spring quarter.",
        # equally confident mentions: the one in the document with the smaller doc_id (b.txt's)
        f"person:marta-quist\tMarta Quist\tPERSON\tpattern\t0.95\t{seen}\t2\t2\tMarta Quist did not attend "
        "the fair.",
    ]
    code, out, _ = quarry_here("entities", "--warehouse", wh, "--json", "--limit", "1")
    assert [(r["entity_id"], r["doc_count"], r["cue_doc_count"]) for r in json.loads(out)] == [
        ("org:zorblat", 2, 1)
    ]
    code, _, err = quarry_here("entities", "promote", "org:nobody", "--warehouse", wh)
    assert (code, err) == (
        2,
        "quarry: error: no entity 'org:nobody' in the warehouse (see `quarry entities`)\n",
    )


def test_registry_edits_refuse_what_they_cannot_do(runs, tmp_path):
    """On a copy of the gazetteer: the module's own copy is edited by the next test."""
    wh = str(runs["wh"])
    gaz = tmp_path / "gazetteer.yaml"
    shutil.copy(runs["gazetteer"], gaz)
    with pytest.raises(SystemExit) as stop:  # argparse's own usage error
        quarry_here("entities", "--warehouse", wh, "--limit", "0")
    assert stop.value.code == 2
    # a gazetteer entity is edited in the gazetteer, not rejected
    code, _, err = quarry_here("entities", "reject", "org:xiaomi", "--warehouse", wh, "--gazetteer", str(gaz))
    assert (code, err) == (
        2,
        "quarry: error: org:xiaomi (Xiaomi) is a gazetteer entity: reject is for discovered ones; "
        f"to drop it, remove its entry from {gaz} (and bump its version)\n",
    )
    assert not (tmp_path / "rejected.yaml").exists()
    # --warehouse given before the subcommand is kept; a new canonical name keeps the discovered one
    code, _, err = quarry_here(
        "entities",
        "--warehouse",
        wh,
        "promote",
        "org:zorblat",
        "--name",
        "Zorblat Robotics",
        "--gazetteer",
        str(gaz),
    )
    assert code == 0, err
    assert load_gazetteer(gaz)[0][-1] == {"name": "Zorblat Robotics", "type": "ORG", "aliases": ["Zorblat"]}
    # a rejected entity is not promoted behind the reject list's back
    (tmp_path / "rejected.yaml").write_text(
        'version: "1"\nrejected:\n'
        '  - {entity_id: "person:marta-quist", name: "Marta Quist", type: "PERSON"}\n',
        encoding="utf-8",
    )
    code, _, err = quarry_here(
        "entities", "promote", "person:marta-quist", "--warehouse", wh, "--gazetteer", str(gaz)
    )
    assert (code, err) == (
        2,
        f"quarry: error: person:marta-quist is on the reject list {tmp_path / 'rejected.yaml'}: delete its "
        "entry there first (a promoted entity that stays rejected would never be found)\n",
    )
    code, _, err = quarry_here(
        "entities", "promote", "org:zorblat", "--warehouse", wh, "--gazetteer", str(tmp_path / "no.yaml")
    )
    assert (code, err) == (2, f"quarry: error: gazetteer {str(tmp_path / 'no.yaml')!r} does not exist\n")


def test_promote_and_reject_edit_the_reference_data_and_reprocess(runs):
    wh, gaz = str(runs["wh"]), runs["gazetteer"]
    _, before = load_gazetteer(gaz)
    code, out, err = quarry_here(
        "entities", "promote", "org:zorblat", "--warehouse", wh, "--gazetteer", str(gaz)
    )
    assert code == 0, err
    entries, after = load_gazetteer(gaz)
    head, _, n = before.rpartition(".")
    assert after == f"{head}.{int(n) + 1}"
    assert entries[-1] == {"name": "Zorblat", "type": "ORG"}
    assert gaz.read_text(encoding="utf-8").count("Zorblat") == 1
    code, out, err = quarry_here(
        "entities", "reject", "person:marta-quist", "--warehouse", wh, "--gazetteer", str(gaz)
    )
    assert code == 0, err
    assert yaml.safe_load((gaz.parent / "rejected.yaml").read_text(encoding="utf-8")) == {
        "version": "1",
        "rejected": [{"entity_id": "person:marta-quist", "name": "Marta Quist", "type": "PERSON"}],
    }
    code, _, err = quarry_here(
        "entities", "reject", "person:marta-quist", "--warehouse", wh, "--gazetteer", str(gaz)
    )
    assert code == 2 and "already rejected" in err

    code, out, err = quarry_here(*runs["args"], "--no-data-docs")
    assert code == 0, err[-3000:]
    # only the documents the edits can change are reprocessed: a.txt and b.txt mention both entities;
    # c.txt mentions neither and does not contain the promoted name, so it is not even read
    [(cleaned, skipped)] = _rows(
        runs["wh"], "SELECT docs_cleaned, docs_skipped FROM runs ORDER BY started_at DESC LIMIT 1"
    )
    assert (cleaned, skipped) == (2, 1)
    edits = yaml.safe_load((gaz.parent / "registry_edits.yaml").read_text(encoding="utf-8"))["edits"]
    assert [(e["action"], e["entity_id"], e["name"]) for e in edits] == [
        ("promote", "org:zorblat", "Zorblat"),
        ("reject", "person:marta-quist", "Marta Quist"),
    ]
    assert edits[0]["to"] == edits[1]["from"]
    assert _rows(runs["wh"], MENTIONS) == [
        ("a.txt", "org:zorblat", "Zorblat Inc.", 0, 12, "pattern", 0.95),
        ("b.txt", "org:zorblat", "Zorblat", 36, 43, "gazetteer", 0.98),
    ]
    assert _rows(runs["wh"], ENTITIES) == [
        ("org:zorblat", "Zorblat", "ORG", "gazetteer", 0.98, 2, 1, runs["started1"], runs["run1"]),
    ]
    versions = _rows(
        runs["wh"], "SELECT split_part(source, '/', -1), gazetteer_version FROM documents ORDER BY 1"
    )
    assert [v for _, v in versions] == [edits[1]["to"], edits[1]["to"], edits[0]["from"]]  # c.txt kept
    assert edits[1]["to"].startswith(f"{after}+rejected-1+lexicons-")
