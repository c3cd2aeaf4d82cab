"""Promoting staged batch files: first copies win, near-duplicates are recorded, memory stays flat."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import duckdb
import numpy as np
import polars as pl
import pytest

from transforms.dedup import minhash_signatures, near_duplicate_rows, near_duplicates
from warehouse.catalog import Warehouse
from warehouse.files import write_table
from warehouse.load import compact, load_run, read_signatures
from warehouse.schemas import DOC_SIGNATURES, DOCUMENTS, SENTENCES

REPO = Path(__file__).resolve().parents[2]


def _documents(ids: list[str], sources: list[str], text: str = "text") -> pl.DataFrame:
    n = len(ids)
    return pl.DataFrame(
        {
            "doc_id": ids,
            "source": sources,
            "text": [text] * n,
            "raw_chars": [len(text)] * n,
            "clean_chars": [len(text)] * n,
            "language": ["en"] * n,
            "clean_version": ["c"] * n,
            "gazetteer_version": ["g"] * n,
            "extractor_version": ["x"] * n,
            "run_id": ["r1"] * n,
        }
    )


def _sentences(ids: list[str], per_doc: int) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "doc_id": [d for d in ids for _ in range(per_doc)],
            "sentence_id": [i for _ in ids for i in range(per_doc)],
            "paragraph_id": [0] * (len(ids) * per_doc),
            "start": [i * 5 for _ in ids for i in range(per_doc)],
            "end": [i * 5 + 4 for _ in ids for i in range(per_doc)],
            "run_id": ["r1"] * (len(ids) * per_doc),
        }
    )


def _batch(root: Path, b: int, docs: pl.DataFrame, sentences: pl.DataFrame) -> Path:
    d = root / f"b{b:05d}"
    write_table(docs, DOCUMENTS, d / f"{DOCUMENTS.name}.parquet")
    write_table(sentences, SENTENCES, d / f"{SENTENCES.name}.parquet")
    return d


ENTITY = pl.DataFrame(
    {
        "entity_id": ["org:xiaomi"],
        "name": ["Xiaomi"],
        "type": ["ORG"],
        "method": ["gazetteer"],
        "gazetteer_version": ["g"],
    }
)


def _rows(wh: Warehouse, sql: str) -> list[tuple]:
    con = duckdb.connect(str(wh.catalog), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_a_document_in_two_batches_keeps_the_first_batch_rows_and_near_duplicates_are_recorded(tmp_path):
    wh = Warehouse.at(tmp_path / "w" / "q.duckdb")
    b0 = _batch(
        tmp_path / "stage", 0, _documents(["a", "b"], ["x/a.txt", "x/b.txt"]), _sentences(["a", "b"], 2)
    )
    # "a" again under another name (same bytes), with one sentence more than its first copy
    b1 = _batch(
        tmp_path / "stage", 1, _documents(["c", "a"], ["x/c.txt", "x/a2.txt"]), _sentences(["c", "a"], 3)
    )
    dups = pl.DataFrame({"doc_id": ["c"], "duplicate_of": ["b"]})
    counts = load_run(wh, "r1", [b0, b1], {}, ENTITY, duplicates=dups)
    assert counts["documents"] == 3 and counts["sentences"] == 2 + 2 + 3
    assert _rows(wh, "SELECT doc_id, source, duplicate_of FROM documents ORDER BY doc_id") == [
        ("a", "x/a.txt", None),
        ("b", "x/b.txt", None),
        ("c", "x/c.txt", "b"),
    ]
    assert _rows(wh, "SELECT doc_id, count(*) FROM sentences GROUP BY 1 ORDER BY 1") == [
        ("a", 2),
        ("b", 2),
        ("c", 3),
    ]


def test_near_duplicates_given_as_a_callable_are_asked_for_once_just_before_documents(tmp_path, monkeypatch):
    """The pipeline searches near-duplicates (DuckDB over every stored signature) on a thread while the
    load writes the documents tables that do not need them (one at a time, `documents` last): the load
    asks once, only before writing `documents`."""
    from warehouse import load as load_mod

    wh = Warehouse.at(tmp_path / "w" / "q.duckdb")
    b0 = _batch(tmp_path / "stage", 0, _documents(["a", "b"], ["x/a.txt", "x/b.txt"]), _sentences(["a"], 1))
    events: list[str] = []
    sink = load_mod._sink
    monkeypatch.setattr(
        load_mod, "_sink", lambda chunks, table, path: events.append(table.name) or sink(chunks, table, path)
    )

    def duplicates() -> pl.DataFrame:
        events.append("near-duplicates asked")
        return pl.DataFrame({"doc_id": ["b"], "duplicate_of": ["a"]})

    load_run(wh, "r1", [b0], {}, ENTITY, duplicates=duplicates)
    assert events.count("near-duplicates asked") == 1
    assert events.index("near-duplicates asked") == events.index("documents") - 1
    assert sorted(events) == ["documents", "near-duplicates asked", "sentences"]
    assert _rows(wh, "SELECT doc_id, duplicate_of FROM documents ORDER BY doc_id") == [
        ("a", None),
        ("b", "a"),
    ]


def test_load_and_compaction_hold_one_row_group_in_memory_not_the_table(tmp_path):
    """12 batches of 25 MB of document text (300 MB) promoted in two runs, then compacted into one
    300 MB file per table: once the first run has warmed up the allocators, the second run and the
    compaction grow the process by far less than the data (reading whole tables grew it by 260 MB)."""
    code = """
import resource, sys
from pathlib import Path
import polars as pl
sys.path.insert(0, sys.argv[2])
from tests.warehouse.test_load import ENTITY, _batch, _documents, _sentences
from warehouse.catalog import Warehouse
from warehouse.load import compact, load_run
root = Path(sys.argv[1])
text = ("Xiaomi released MiMo-7B, a 7-billion-parameter model. " * 500)[:25_000]
dirs = []
for b in range(12):
    ids = [f"{b:02d}-{i:04d}" for i in range(1000)]
    dirs.append(_batch(root / "stage", b, _documents(ids, ids, text), _sentences(ids, 1)))
wh = Warehouse.at(root / "w" / "q.duckdb")
counts = load_run(wh, "r1", dirs[:6], {}, ENTITY)
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
counts2 = load_run(wh, "r2", dirs[6:], {}, ENTITY)
compacted = compact(wh, "r3")
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(counts["documents"] + counts2["documents"], compacted["documents"], (after - before) // 1024)
"""
    out = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path), str(REPO)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    docs, compacted, grown_mb = out.stdout.split(maxsplit=2)
    assert (int(docs), compacted) == (12_000, "(2,")
    # 40-62 MB measured (allocator noise under a loaded machine); reading a table whole grows 260 MB
    assert int(grown_mb.split()[-1]) < 100, out.stdout
    wh = Warehouse.at(tmp_path / "w" / "q.duckdb")
    assert _rows(wh, "SELECT count(*), sum(length(text)) FROM documents") == [(12_000, 300_000_000)]
    assert compact(wh, "again") == {}  # one file per table already


def _signatures(path: Path, rows: dict[str, list[int]]) -> str:
    df = pl.DataFrame(
        {"doc_id": list(rows), "signature": list(rows.values()), "run_id": ["r1"] * len(rows)},
        schema={"doc_id": pl.String, "signature": pl.List(pl.UInt64), "run_id": pl.String},
    )
    return str(write_table(df, DOC_SIGNATURES, path))


def test_signatures_are_read_into_one_matrix_prior_first_less_the_skipped(tmp_path):
    prior = [
        _signatures(tmp_path / "p1.parquet", {"a": [1, 2, 3], "b": [4, 5, 6]}),
        _signatures(tmp_path / "p2.parquet", {"c": [7, 8, 9]}),
    ]
    new = [_signatures(tmp_path / "n1.parquet", {"b": [40, 50, 60], "d": [10, 11, 12]})]
    ids, sig, sizes = read_signatures([(prior, pl.Series(["b"])), (new, None)])
    assert ids.to_list() == ["a", "c", "b", "d"] and sizes == [2, 2]
    assert sig.dtype == np.uint64 and sig.tolist() == [[1, 2, 3], [7, 8, 9], [40, 50, 60], [10, 11, 12]]
    ids, sig, sizes = read_signatures([([], None), (new, None)])
    assert (ids.to_list(), sizes) == (["b", "d"], [0, 2])


def test_a_ragged_signature_is_an_error_naming_the_document(tmp_path):
    bad = _signatures(tmp_path / "bad.parquet", {"a": [1, 2, 3], "short": [4, 5]})
    with pytest.raises(ValueError, match="'short'"):
        read_signatures([([bad], None)])


def test_matrix_path_finds_the_near_duplicates_the_frame_path_finds(tmp_path):
    a = "Xiaomi unveiled MiMo, its first open-source reasoning model, trained on 25 trillion tokens today"
    texts = {"a": a, "b": a + " in Beijing", "c": "An unrelated story about chips and export controls"}
    sigs = minhash_signatures(pl.DataFrame({"doc_id": list(texts), "text": list(texts.values())}))
    prior, new = sigs.head(1), sigs.tail(2)
    p = _signatures(
        tmp_path / "prior.parquet", dict(zip(prior["doc_id"], prior["signature"].to_list(), strict=True))
    )
    n = _signatures(
        tmp_path / "new.parquet", dict(zip(new["doc_id"], new["signature"].to_list(), strict=True))
    )
    ids, sig, (n_prior, _) = read_signatures([([p], None), ([n], None)])
    expected = near_duplicates(new, prior)
    assert expected.rows() == [("b", "a")]
    assert near_duplicate_rows(ids, sig, n_prior).rows() == expected.rows()


def test_only_documents_a_logged_edit_can_change_are_stale(tmp_path):
    from warehouse.load import unaffected_by_edits
    from warehouse.schemas import MENTIONS

    docs = pl.concat(
        [
            _documents(["d1"], ["a.txt"], "Buyers like Zorblat robots."),
            _documents(["d2"], ["b.txt"], "Jo Bloggs spoke."),
            _documents(["d3"], ["c.txt"], "The council met."),
            _documents(["d4"], ["d.txt"], "The council met again."),
        ]
    ).with_columns(gazetteer_version=pl.Series(["g1", "g1", "g1", "g0"]))
    mentions = pl.DataFrame(
        {
            "doc_id": ["d2"],
            "entity_id": ["person:jo-bloggs"],
            "surface": ["Jo Bloggs"],
            "start": [0],
            "end": [9],
            "method": ["pattern"],
            "confidence": [0.95],
            "gazetteer_version": ["g1"],
            "run_id": ["r1"],
        }
    )
    b = tmp_path / "staging" / "b00000"
    write_table(docs, DOCUMENTS, b / f"{DOCUMENTS.name}.parquet")
    write_table(mentions, MENTIONS, b / f"{MENTIONS.name}.parquet")
    wh = Warehouse.at(tmp_path / "w.duckdb")
    load_run(wh, "r1", [b], {}, ENTITY)
    edits = [
        {"action": "promote", "entity_id": "org:zorblat", "name": "zorblat", "from": "g1", "to": "g2"},
        {"action": "reject", "entity_id": "person:jo-bloggs", "name": "Jo Bloggs", "from": "g2", "to": "g3"},
    ]
    stale = docs.select("doc_id", "gazetteer_version")
    # d1 contains the promoted name (in another case), d2 mentions the rejected entity; d3 is untouched;
    # d4's version g0 is not on the chain of logged edits (a hand edit): it is reprocessed
    assert unaffected_by_edits(wh, stale, "g3", edits) == ["d3"]
    assert unaffected_by_edits(wh, stale, "g2", edits) == ["d2", "d3"]  # only the promotion since g1
    assert unaffected_by_edits(wh, stale, "g9", edits) == []  # the current version is no edit's result


_STORY = (
    "The regional water board approved a plan on Tuesday to rebuild three pumping stations along the "
    "northern canal, replacing motors installed decades ago, and said the work would start in spring "
    "and finish before the dry season of the following year, at a cost shared with two nearby towns"
)


def test_only_prior_signatures_sharing_a_band_with_a_new_one_are_read(tmp_path):
    from transforms.dedup import lsh_bands
    from warehouse.load import read_candidate_signatures

    texts = {
        "other1": "A chess club in the old library opened its doors to beginners every Thursday evening",
        "copy1": _STORY + " officials added",
        "other2": "Rainfall in the valley was lower than usual this autumn, farmers told the local paper",
        "copy2": _STORY,
        "new_copy": _STORY + " the board said",
        "new_other": "Ticket prices for the summer music festival will stay the same as last year",
    }
    sigs = minhash_signatures(pl.DataFrame({"doc_id": list(texts), "text": list(texts.values())}))

    def stage(name: str, ids: list[str]) -> str:
        part = sigs.filter(pl.col("doc_id").is_in(ids))
        return _signatures(
            tmp_path / name, dict(zip(part["doc_id"], part["signature"].to_list(), strict=True))
        )

    prior = [stage("p1.parquet", ["other1", "copy1"]), stage("p2.parquet", ["other2", "copy2"])]
    new = [stage("n1.parquet", ["new_copy", "new_other"])]
    ids, sig, sizes = read_candidate_signatures(prior, None, new, *lsh_bands())
    # the two unrelated stored documents are not read; the candidates keep the warehouse's order
    assert ids.to_list() == ["copy1", "copy2", "new_copy", "new_other"] and sizes == [2, 2]
    every = sigs.filter(pl.col("doc_id").is_in(["other1", "copy1", "other2", "copy2"]))
    expected = near_duplicates(sigs.filter(pl.col("doc_id").str.starts_with("new_")), every)
    assert expected.rows() == [("new_copy", "copy1")]
    assert near_duplicate_rows(ids, sig, sizes[0]).rows() == expected.rows()
    # a reprocessed stored document is left out; nothing new shares a band with the rest
    ids, _, sizes = read_candidate_signatures(prior, pl.Series(["copy1", "copy2"]), new, *lsh_bands())
    assert ids.to_list() == ["new_copy", "new_other"] and sizes == [0, 2]
    # a new document identical to a stored one's doc_id is read with it, whatever its bands
    ids, _, sizes = read_candidate_signatures(prior, None, [stage("n2.parquet", ["other1"])], *lsh_bands())
    assert ids.to_list() == ["other1", "other1"] and sizes == [1, 1]


def _mentions(rows: list[tuple[str, str, str, float]]) -> pl.DataFrame:
    """(doc_id, entity_id, method, confidence) rows as a mentions table."""
    return pl.DataFrame(
        {
            "doc_id": [r[0] for r in rows],
            "entity_id": [r[1] for r in rows],
            "surface": ["x"] * len(rows),
            "start": list(range(len(rows))),
            "end": [i + 1 for i in range(len(rows))],
            "method": [r[2] for r in rows],
            "confidence": [r[3] for r in rows],
            "gazetteer_version": ["g"] * len(rows),
            "run_id": ["r"] * len(rows),
        }
    )


def test_a_run_that_only_adds_documents_counts_its_own_mentions_onto_the_stored_counts(tmp_path, monkeypatch):
    import pyarrow.parquet as pq

    from warehouse import load as load_module
    from warehouse.schemas import MENTIONS

    wh = Warehouse.at(tmp_path / "w" / "q.duckdb")
    found = pl.DataFrame(
        {"entity_id": ["org:pumpco"], "name": ["Pumpco"], "type": ["ORG"], "method": ["pattern"]}
    ).with_columns(pl.lit("g").alias("gazetteer_version"))
    entities = pl.concat([ENTITY, found])

    def stage(run: str, ids: list[str], mentions: list[tuple[str, str, str, float]]) -> Path:
        d = _batch(tmp_path / run, 0, _documents(ids, [f"{i}.txt" for i in ids]), _sentences(ids, 1))
        write_table(_mentions(mentions), MENTIONS, d / f"{MENTIONS.name}.parquet")
        return d

    first = [("a", "org:xiaomi", "gazetteer", 1.0), ("a", "org:pumpco", "pattern", 0.6)]
    first += [("b", "org:pumpco", "registry", 0.9), ("b", "org:xiaomi", "gazetteer", 1.0)]
    load_run(wh, "r1", [stage("r1", ["a", "b"], first)], {}, entities)
    counted: list[int] = []
    stats = load_module.mention_stats_of_files

    def counting(wh: Warehouse, paths: list[str]) -> pl.DataFrame:
        counted.append(sum(pq.ParquetFile(p).metadata.num_rows for p in paths))
        return stats(wh, paths)

    monkeypatch.setattr(load_module, "mention_stats_of_files", counting)
    second = [("c", "org:pumpco", "pattern", 0.7), ("c", "org:pumpco", "pattern", 0.5)]
    load_run(wh, "r2", [stage("r2", ["c"], second)], {}, entities)
    assert counted == [2]  # the new run's mention rows only, not the four stored ones
    sql = "SELECT entity_id, confidence, doc_count, cue_doc_count FROM entities ORDER BY 1"
    assert _rows(wh, sql) == [("org:pumpco", 0.7, 3, 2), ("org:xiaomi", 1.0, 2, 0)]
    # reprocessing a stored document rewrites its mentions: everything after the commit is counted
    counted.clear()
    load_run(
        wh, "r3", [stage("r3", ["a"], [("a", "org:xiaomi", "gazetteer", 1.0)])], {}, entities, False, ["a"]
    )
    assert counted == [5]  # b's two rows, c's two and a's new one
    assert _rows(wh, sql) == [("org:pumpco", 0.7, 2, 1), ("org:xiaomi", 1.0, 2, 0)]


@pytest.mark.parametrize("in_memory_rows", [0, 200_000])  # DuckDB out of core; polars for few rows
def test_mention_stats_of_files_apply_the_registry_rule_across_files(tmp_path, monkeypatch, in_memory_rows):
    """DuckDB's out-of-core count (and polars' count of a few rows) is transforms.registry.mention_stats's
    rule: one document counted once even when its mentions sit in two files, registry readings neither
    evidence nor a cue."""
    from transforms import registry as registry_t
    from warehouse import load as load_module
    from warehouse.load import mention_stats_of_files
    from warehouse.schemas import MENTIONS

    monkeypatch.setattr(load_module, "_STATS_IN_MEMORY_ROWS", in_memory_rows)
    spills: list[str] = []
    connect = duckdb.connect

    def counted_connect(*args: object, **kwargs: object) -> duckdb.DuckDBPyConnection:
        spills.append("duckdb")
        return connect(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(duckdb, "connect", counted_connect)

    wh = Warehouse.at(tmp_path / "w" / "q.duckdb")
    parts = [
        [("d1", "org:a", "pattern", 0.6), ("d1", "org:a", "pattern", 0.8), ("d2", "org:a", "registry", 0.99)],
        [
            ("d1", "org:a", "gazetteer", 0.7),
            ("d3", "person:b", "registry", 0.9),
            ("d3", "org:a", "link", 0.75),
        ],
    ]
    paths = [
        str(write_table(_mentions(p), MENTIONS, tmp_path / f"m{i}.parquet")) for i, p in enumerate(parts)
    ]
    got = mention_stats_of_files(wh, paths)
    assert got.rows() == [("org:a", 0.8, 3, 1), ("person:b", None, 1, 0)]
    assert got.equals(registry_t.mention_stats(pl.concat(_mentions(p) for p in parts).lazy()))
    assert mention_stats_of_files(wh, []).schema == got.schema
    assert not list(wh.staging_dir.glob("duckdb-spill-*"))  # its spill directory is removed
    assert spills == ([] if in_memory_rows else ["duckdb"])


def test_a_quote_in_the_warehouse_path_stays_inside_every_sql_literal(tmp_path):
    from warehouse.catalog import connect_readonly, manifest
    from warehouse.load import mention_stats_of_files
    from warehouse.schemas import MENTIONS

    wh = Warehouse.at(tmp_path / "o'brien's news" / "q.duckdb")
    path = write_table(
        _mentions([("d1", "org:a", "pattern", 0.8)]), MENTIONS, wh.table_dir("mentions") / "m.parquet"
    )
    assert mention_stats_of_files(wh, [str(path)]).rows() == [("org:a", 0.8, 1, 1)]
    load_run(
        wh, "r1", [_batch(tmp_path / "s", 0, _documents(["a"], ["a.txt"]), _sentences(["a"], 1))], {}, ENTITY
    )
    assert [e.table_name for e in manifest(wh)].count("documents") == 1
    con = connect_readonly(wh)
    try:
        assert con.sql("SELECT count(*) FROM documents").fetchall() == [(1,)]
    finally:
        con.close()


def test_a_file_written_before_a_column_was_added_is_rewritten_with_it_null(tmp_path):
    """An older release wrote `metrics` without `direction`: a run reprocessing one of its documents
    rewrites the file (copy-on-write) with the column null in the rows it keeps, and adds its own rows."""
    from warehouse.catalog import FileEntry, commit
    from warehouse.schemas import METRICS

    def metric(doc: str, direction: str | None) -> dict:
        return {"metric_id": f"{doc}:0", "doc_id": doc, "value": 5.0, "unit": "percent", "kind": "change",
                "direction": direction, "surface": "5%", "start": 0, "end": 2, "sentence_start": 0,
                "sentence_end": 4, "extractor_version": "x", "run_id": "r1"}  # fmt: skip

    wh = Warehouse.at(tmp_path / "w.duckdb")
    old = wh.table_dir(METRICS.name) / "r1.parquet"
    old.parent.mkdir(parents=True)
    new = pl.from_arrow(METRICS.schema.empty_table())
    rows = pl.DataFrame([metric("a", None), metric("b", None), metric("c", None)], schema=new.schema)
    rows.head(2).drop("direction").write_parquet(old)
    rows.tail(1).drop("direction").write_parquet(old.with_name("r0.parquet"))
    commit(
        wh,
        [
            FileEntry(METRICS.name, str(old), "r1", 2),
            FileEntry(METRICS.name, str(old.with_name("r0.parquet")), "r0", 1),
        ],
    )
    compact(wh, "c1")  # (merges the two old files into one: the column null in both)
    assert _rows(wh, "SELECT doc_id, direction FROM metrics ORDER BY doc_id") == [
        ("a", None),
        ("b", None),
        ("c", None),
    ]
    b = tmp_path / "stage" / "b00000"
    write_table(_documents(["b"], ["x/b.txt"]), DOCUMENTS, b / f"{DOCUMENTS.name}.parquet")
    write_table(
        pl.DataFrame([metric("b", "down")], schema=new.schema), METRICS, b / f"{METRICS.name}.parquet"
    )
    load_run(wh, "r2", [b], {}, ENTITY, replaced_doc_ids=["b"])
    assert _rows(wh, "SELECT doc_id, direction FROM metrics ORDER BY doc_id") == [
        ("a", None),
        ("b", "down"),
        ("c", None),
    ]


def test_tier_groups_are_runs_of_consecutive_files_of_one_size_tier():
    from warehouse.catalog import FileEntry
    from warehouse.load import tier_groups

    rows = [1, 3, 2, 1, 5, 1, 2, 3, 0, 9, 12]  # tiers of 4: 0 0 0 0 1 0 0 0 0 1 1
    entries = [FileEntry("runs", f"/w/runs/r{i:02d}.parquet", f"r{i:02d}", n) for i, n in enumerate(rows)]
    entries.append(FileEntry("quarantine", "/w/quarantine/r00.parquet", "r00", 1))
    groups = tier_groups(entries, fanin=4)
    assert [[e.run_id for e in g] for g in groups] == [
        ["r00", "r01", "r02", "r03"],
        ["r05", "r06", "r07", "r08"],
    ]


def test_tiered_compaction_merges_a_run_of_small_files_in_its_place_and_keeps_every_row(tmp_path):
    from warehouse import catalog
    from warehouse.load import compact_tiers

    wh = Warehouse.at(tmp_path / "w" / "q.duckdb")
    first = [f"a{i:02d}" for i in range(20)]
    b0 = _batch(tmp_path / "s0", 0, _documents(first, first), _sentences(first, 1))
    load_run(wh, "r00", [b0], {}, ENTITY)
    for n in range(1, 10):  # nine nights of one new document each
        d = _batch(tmp_path / f"s{n}", 0, _documents([f"n{n}"], [f"n{n}"]), _sentences([f"n{n}"], 1))
        load_run(wh, f"r{n:02d}", [d], {}, ENTITY)
    order = first + [f"n{n}" for n in range(1, 10)]
    before = _rows(wh, "SELECT * FROM documents ORDER BY doc_id")

    assert compact_tiers(wh, "c1") == {"documents": (10, 2), "sentences": (10, 2)}
    files = [Path(f).name for f in catalog.table_files(wh, "documents")]
    assert files[0] == "r00.parquet" and re.fullmatch(r"r01-m[0-9a-f]{8}\.parquet", files[1])
    # the merged rows keep their place
    assert catalog.scan(wh, "documents").collect().get_column("doc_id").to_list() == order
    assert _rows(wh, "SELECT * FROM documents ORDER BY doc_id") == before
    assert _rows(wh, "SELECT count(*) FROM sentences") == [(29,)]
    assert compact_tiers(wh, "c2") == {}  # one file per tier left: nothing to merge
