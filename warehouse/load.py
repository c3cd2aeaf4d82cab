"""Promoting a run's staged batch files into the warehouse, in one atomic commit."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable, Iterable
from pathlib import Path

import duckdb
import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from transforms import entities as entities_t
from transforms import registry as registry_t
from warehouse.catalog import FileEntry, Warehouse, commit, manifest, scan, sql_list, sql_string
from warehouse.files import conform, empty, fsync_dir, write_atomic
from warehouse.schemas import (
    DOCUMENTS,
    ENTITIES,
    MENTIONS,
    NO_DOCUMENT,
    QUALITY_RESULTS,
    QUARANTINE,
    RUNS,
    SOURCE_FILES,
    TABLES,
    Table,
)

# Tables whose rows belong to a document: replaced together when a document is reprocessed.
DOC_TABLES = [t for t in TABLES.values() if t.kind == "doc"]
LOG_TABLES = [RUNS, QUALITY_RESULTS, QUARANTINE, SOURCE_FILES]
VERSION_COLUMNS = ("clean_version", "gazetteer_version", "extractor_version")


def known_documents(wh: Warehouse) -> pl.DataFrame:
    """Documents already in the warehouse with the versions that processed them, plus quarantined ones.

    Columns: doc_id, clean_version, gazetteer_version, extractor_version (versions null for documents
    that were quarantined: those are known, and skipped, whatever the versions).
    """
    entries = manifest(wh)
    docs = scan(wh, DOCUMENTS.name, entries).select("doc_id", *VERSION_COLUMNS)
    held = (
        scan(wh, QUARANTINE.name, entries)
        .filter(pl.col("doc_id").is_not_null() & (pl.col("stage") != "gate"))
        .select("doc_id")
        .unique()
        .with_columns(*(pl.lit(None, pl.String).alias(c) for c in VERSION_COLUMNS))
    )
    known = pl.concat([docs, held]).unique("doc_id", keep="first").collect()
    return known


def unaffected_by_edits(wh: Warehouse, stale: pl.DataFrame, current: str, edits: list[dict]) -> list[str]:
    """The documents of `stale` (doc_id, gazetteer_version) that need no reprocessing although their
    entity version is not `current`: the registry edits (warehouse.reference.load_edits) lead from their
    version to `current`, and none of those edits can change them — the document mentions none of the
    edited entities and contains none of the promoted names (ASCII case-insensitive, as the gazetteer
    matches them). Any other version change (a hand edit of the gazetteer, new lexicons) reprocesses all.

    One pass per distinct old version (a handful), each a filter over that version's documents."""
    steps = {str(e["from"]): e for e in edits}
    entries = manifest(wh)
    keep: list[pl.Series] = []
    for version in stale.get_column("gazetteer_version").drop_nulls().unique().sort().to_list():
        chain, at = [], version
        while at != current and at in steps and len(chain) <= len(edits):
            chain.append(steps[at])
            at = str(steps[at]["to"])
        if at != current or not chain:
            continue
        ids = pl.Series([str(e["entity_id"]) for e in chain], dtype=pl.String).implode()
        names = [str(e["name"]) for e in chain if e["action"] == "promote"]
        docs = stale.filter(pl.col("gazetteer_version") == version).select("doc_id")
        hit = [
            scan(wh, MENTIONS.name, entries)
            .join(docs.lazy(), on="doc_id", how="semi")
            .filter(pl.col("entity_id").is_in(ids))
            .select("doc_id")
        ]
        if names:
            hit.append(
                scan(wh, DOCUMENTS.name, entries)
                .join(docs.lazy(), on="doc_id", how="semi")
                .filter(pl.col("text").str.contains_any(names, ascii_case_insensitive=True))
                .select("doc_id")
            )
        affected = pl.concat(hit).unique().collect()
        keep.append(docs.join(affected, on="doc_id", how="anti").get_column("doc_id"))
    return sorted(pl.concat(keep).to_list()) if keep else []


def _newest_index(wh: Warehouse) -> pl.LazyFrame:
    """`source_files` rows of the newest run that indexed each path: what the file held when last read."""
    return scan(wh, SOURCE_FILES.name).filter(pl.col("run_id") == pl.col("run_id").max().over("source"))


def unchanged_sources(
    wh: Warehouse, listed: pl.DataFrame, known: pl.DataFrame, max_doc_bytes: int
) -> pl.DataFrame:
    """The rows of `listed` (source, size, mtime_ns) that need not be read, with `documents` (int): how
    many documents the file holds. A file need not be read when the newest run that indexed its path
    recorded the same size and mtime, every document it recorded for the file (one for a
    single-document file, one per record for jsonl/parquet) is in `known` (current) or NO_DOCUMENT,
    and, if a part of it was refused as too large, the limit (`max_doc_bytes`, bytes) has not been
    raised since."""
    newest = _newest_index(wh)
    current = known.lazy().select("doc_id").unique().with_columns(pl.lit(True).alias("current"))
    still_too_large = pl.col("max_doc_bytes").is_null() | (pl.col("max_doc_bytes") >= max_doc_bytes)
    settled = (
        listed.lazy()
        .join(
            newest.select("source", "size", "mtime_ns", "doc_id", "max_doc_bytes"),
            on=["source", "size", "mtime_ns"],
        )
        .join(current, on="doc_id", how="left")
        .group_by("source")
        .agg(
            ((pl.col("current").fill_null(False) | (pl.col("doc_id") == NO_DOCUMENT)) & still_too_large)
            .all()
            .alias("ok"),
            (pl.col("doc_id") != NO_DOCUMENT).sum().cast(pl.Int64).alias("documents"),
        )
        .filter("ok")
    )
    return listed.lazy().join(settled.select("source", "documents"), on="source").collect()


def shared_with_unchanged(wh: Warehouse, listed: pl.DataFrame, unchanged: pl.DataFrame) -> list[str]:
    """doc_ids that a file about to be read again (in `listed`, not in `unchanged`: both frames of
    `unchanged_sources`) held when last indexed and that a file not read again holds too: an exact copy
    (quarantined as a duplicate, the warehouse keeping the document under the first file). When the
    first file changes its old document is retired, so the copy must be read again to keep the
    document, under its own name; the caller drops these ids from the known documents for that."""
    if listed.height == unchanged.height:
        return []
    newest = _newest_index(wh).filter(pl.col("doc_id") != NO_DOCUMENT).select("source", "doc_id")
    kept = unchanged.get_column("source").implode()
    read = listed.filter(~pl.col("source").is_in(kept)).get_column("source").implode()
    again = newest.filter(pl.col("source").is_in(read)).select("doc_id")
    return (
        newest.filter(pl.col("source").is_in(kept))
        .join(again, on="doc_id", how="semi")
        .select("doc_id")
        .unique()
        .collect()
        .get_column("doc_id")
        .sort()
        .to_list()
    )


_GROUP_ROWS = 100_000  # a row group is flushed at this many rows...
_GROUP_BYTES = 16 << 20  # ...or at this many bytes, whichever comes first


def _sink(chunks: Iterable[pl.DataFrame], table: Table, path: Path) -> int:
    """Write `chunks` into `path` atomically in the declared schema; return the row count.

    Memory holds one row group read and one written (<= _GROUP_ROWS rows and about _GROUP_BYTES) at a
    time, whatever the size of the table. (polars' streaming `collect_batches` and `sink_parquet` both
    held a whole 900 MB input in memory here: 1.1 and 2.1 GB peak RSS vs 0.18 GB file by file.)
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
    rows = 0
    try:
        with pq.ParquetWriter(tmp, table.schema, compression="zstd") as writer:
            group: list[pl.DataFrame] = []
            group_rows = group_bytes = 0
            for chunk in chunks:
                if chunk.height == 0:
                    continue
                group.append(chunk)
                group_rows += chunk.height
                group_bytes += chunk.estimated_size()
                rows += chunk.height
                if group_rows >= _GROUP_ROWS or group_bytes >= _GROUP_BYTES:
                    writer.write_table(conform(pl.concat(group), table))
                    group, group_rows, group_bytes = [], 0, 0
            if group:
                writer.write_table(conform(pl.concat(group), table))
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    fsync_dir(path.parent)
    return rows


def _row_groups(path: str | Path, columns: list[str]) -> Iterable[pa.Table]:
    """A Parquet file's `columns`, one row group at a time (never the whole file: a compacted file holds
    a whole table). Every file read here was written by this package: a batch's staged table (one
    batch, <= batch_mb of text) or a `_sink` output (groups <= 16 MB)."""
    pf = pq.ParquetFile(path)
    for i in range(pf.num_row_groups):
        yield pf.read_row_group(i, columns=columns)


def _chunks(path: str | Path, table: Table) -> Iterable[pl.DataFrame]:
    """A Parquet file's rows in `table`'s columns and dtypes, one row group at a time. A column added to
    the schema after the file was written reads as null (as `catalog._table_select` reads it), so a run
    can rewrite a warehouse an older release wrote."""
    target = empty(table).schema
    present = set(pq.read_schema(path).names)
    for part in _row_groups(path, [c for c in table.columns if c in present]):
        frame = pl.from_arrow(part)
        assert isinstance(frame, pl.DataFrame)
        yield frame.select(
            [pl.col(n).cast(t) if n in present else pl.lit(None, dtype=t).alias(n) for n, t in target.items()]
        )


def _first_copies(files: list[str], table: Table, duplicates: pl.DataFrame | None) -> Iterable[pl.DataFrame]:
    """The rows of a run's batch files, one file at a time, in batch order. The same content under two
    sources in one run: the document's rows come from the first batch that holds it. (Keys are unique
    within a batch file: its gate checked them.) `duplicates` (doc_id, duplicate_of) is recorded on
    the documents' `duplicate_of`."""
    seen = pl.Series("doc_id", [], dtype=pl.String)
    for f in files:
        earlier = seen.implode()
        in_file: list[pl.Series] = []
        for chunk in _chunks(f, table):
            in_file.append(chunk.get_column("doc_id").unique())
            chunk = chunk.filter(~pl.col("doc_id").is_in(earlier))
            if duplicates is not None and duplicates.height:
                chunk = (
                    chunk.join(duplicates.rename({"duplicate_of": "_dup"}), on="doc_id", how="left")
                    .with_columns(pl.coalesce("duplicate_of", "_dup").alias("duplicate_of"))
                    .drop("_dup")
                )
            yield chunk
        if in_file:
            ids = pl.concat(in_file).unique()
            seen = pl.concat([seen, ids.filter(~ids.is_in(earlier))])


def later_copy_rows(files: dict[str, list[Path]]) -> dict[str, int]:
    """Per table name, the rows of its batch `files` (in batch order) that `_first_copies` drops at load:
    a document's rows in a file after the first one holding it. For a run's summary, counted before
    the load writes them."""
    out = {}
    for name, paths in files.items():
        frames = [
            pl.scan_parquet(f).select("doc_id").with_columns(pl.lit(i).alias("_batch"))
            for i, f in enumerate(paths)
        ]
        rows = (
            pl.concat(frames).filter(pl.col("_batch") > pl.col("_batch").min().over("doc_id"))
            if frames
            else None
        )
        out[name] = 0 if rows is None else int(rows.select(pl.len()).collect().item())
    return out


def read_signatures(
    groups: list[tuple[list[str], pl.Series | None]],
) -> tuple[pl.Series, np.ndarray, list[int]]:
    """The `doc_signatures` of each group of files (with the group's doc_ids to leave out) as doc_ids and
    one (rows, width) uint64 matrix, groups in order, plus the rows per group.

    Read row group by row group into a matrix sized from the files' metadata: a signature is 1 KB per
    document, and going through a polars list column held it twice (at 1 GB, the near-duplicate step
    was the run's peak: +600 MB).
    """
    files = [(f, skip) for paths, skip in groups for f in paths]
    total = sum(pq.ParquetFile(f).metadata.num_rows for f, _ in files)
    ids: list[pl.Series] = []
    out: np.ndarray | None = None
    at, sizes = 0, []
    for paths, skip in groups:
        start = at
        for f in paths:
            for part in _row_groups(f, ["doc_id", "signature"]):
                doc_ids = pl.Series("doc_id", part.column("doc_id").combine_chunks(), dtype=pl.String)
                lists = part.column("signature").combine_chunks()
                if not len(lists):
                    continue
                lengths = np.diff(np.asarray(lists.offsets))
                width = int(lengths[0]) if out is None else out.shape[1]
                bad = np.flatnonzero((lengths != width) | np.asarray(lists.is_null()))
                if len(bad) or lists.flatten().null_count:
                    who = doc_ids[int(bad[0])] if len(bad) else "?"
                    raise ValueError(f"{f}: signature of {who!r} is null, has nulls or is not {width} long")
                if out is None:
                    out = np.empty((total, width), dtype=np.uint64)
                keep = np.ones(len(doc_ids), bool)
                if skip is not None:
                    keep = ~doc_ids.is_in(skip.implode()).to_numpy()
                n = int(keep.sum())
                out[at : at + n] = np.asarray(lists.flatten()).reshape(-1, width)[keep]
                ids.append(doc_ids.filter(pl.Series(keep)))
                at += n
        sizes.append(at - start)
    matrix = np.empty((0, 0), dtype=np.uint64) if out is None else out[:at]
    return (pl.concat(ids) if ids else pl.Series("doc_id", [], dtype=pl.String)), matrix, sizes


def read_candidate_signatures(
    prior: list[str], skip: pl.Series | None, new: list[str], n_bands: int, n_rows: int
) -> tuple[pl.Series, np.ndarray, list[int]]:
    """As `read_signatures([(prior, skip), (new, None)])`, but of the prior files only the rows that can
    be a near-duplicate candidate of a new row: the rows of every prior doc_id that has a row sharing an
    LSH band (`n_bands` bands of `n_rows` slots, transforms.dedup.lsh_bands) with a new row, or that is
    itself a new doc_id. Prior rows keep their order, so `near_duplicate_rows` on the result gives what
    it gives on all prior rows (a document sharing no band with any new one is never a candidate).

    The band join runs in DuckDB over the Parquet files: the prior signatures stream through a hash of
    each band (a collision only adds a candidate, verified later); the rows kept, and memory, grow with
    the candidates, not with the warehouse. Returns (doc_ids, (rows, width) uint64 matrix, [prior rows
    read, new rows]). ValueError names a document whose signature is null, holds nulls or is ragged.
    """
    new_ids, new_sig, (_, n_new) = read_signatures([([], None), (new, None)])
    if not prior or n_new == 0:
        return new_ids, new_sig, [0, n_new]
    width = n_bands * n_rows
    # One row per (document, band): the band's hash over its slots taken one by one (hashing
    # list_slice()s instead, or crossing with range(bands), took 5-10x as long on 125,000 signatures).
    hashes = ", ".join(
        "hash(" + ", ".join(f"signature[{b * n_rows + j + 1}]" for j in range(n_rows)) + ")"
        for b in range(n_bands)
    )
    bands = f"""
        SELECT doc_id, unnest(range({n_bands})) AS b, unnest([{hashes}]) AS k
        FROM {{source}}
        WHERE len(signature) >= {width}
    """
    with duckdb.connect(":memory:") as con:
        # One thread: a row group (<= _GROUP_ROWS rows) decoded at a time. Measured on 250,000 random
        # signatures in 10 files: peak RSS +207 MB and 0.57 s, against +518 MB and 1.39 s reading them all.
        con.execute("SET threads = 1")
        con.register(
            "_skip", pa.table({"doc_id": pa.array([] if skip is None else skip.to_list(), pa.string())})
        )
        rows = con.sql(
            f"""
            WITH new_bands AS ({bands.format(source=f"read_parquet({sql_list(new)})")}),
            prior_bands AS ({bands.format(source=f"read_parquet({sql_list(prior)})")}),
            candidates AS (
                SELECT doc_id FROM prior_bands SEMI JOIN new_bands USING (b, k)
                UNION
                SELECT doc_id FROM read_parquet({sql_list(new)})
            )
            SELECT filename, file_row_number, doc_id, signature
            FROM read_parquet({sql_list(prior)}, filename = true, file_row_number = true)
            SEMI JOIN candidates USING (doc_id)
            ANTI JOIN _skip USING (doc_id)
            """
        ).to_arrow_table()
    order = {f: i for i, f in enumerate(prior)}
    found = pl.from_arrow(rows.select(["filename", "file_row_number"]))
    assert isinstance(found, pl.DataFrame)
    at = found.with_row_index("_i").sort(
        pl.col("filename").replace_strict(order, return_dtype=pl.Int64), "file_row_number"
    )
    rows = rows.take(pa.array(at.get_column("_i").to_numpy()))
    ids, sig = _signature_rows(rows, "prior doc_signatures", new_sig.shape[1])
    return (
        pl.concat([ids, new_ids]),
        np.concatenate([sig, new_sig]) if len(sig) else new_sig,
        [len(ids), n_new],
    )


def _signature_rows(part: pa.Table, where: str, width: int) -> tuple[pl.Series, np.ndarray]:
    """`part`'s doc_id and signature columns as a Series and a (rows, width) uint64 matrix."""
    doc_ids = pl.Series("doc_id", part.column("doc_id").combine_chunks(), dtype=pl.String)
    lists = part.column("signature").combine_chunks()
    if not len(lists):
        return doc_ids, np.empty((0, width), dtype=np.uint64)
    lengths = np.diff(np.asarray(lists.offsets))
    bad = np.flatnonzero((lengths != width) | np.asarray(lists.is_null()))
    if len(bad) or lists.flatten().null_count:
        who = doc_ids[int(bad[0])] if len(bad) else "?"
        raise ValueError(f"{where}: signature of {who!r} is null, has nulls or is not {width} long")
    return doc_ids, np.asarray(lists.flatten()).reshape(-1, width)


def load_run(
    wh: Warehouse,
    run_id: str,
    batch_dirs: Iterable[Path],
    logs: Logs,
    new_entities: pl.DataFrame,
    full_refresh: bool = False,
    replaced_doc_ids: Iterable[str] = (),
    duplicates: pl.DataFrame | Callable[[], pl.DataFrame] | None = None,
) -> dict[str, int]:
    """Write one file per table for this run, rewrite files holding reprocessed documents, commit.

    `duplicates` (doc_id, duplicate_of) may be a callable: it is called once, just before `documents`
    (the one table it changes) is written, after every other documents table has started, so a
    near-duplicate search running elsewhere (a thread, in native code) overlaps the writing. Returns the
    number of rows added per table.
    """
    entries = manifest(wh)
    dirs = [Path(d) for d in batch_dirs]
    replaced = pl.Series("doc_id", sorted(set(replaced_doc_ids)), dtype=pl.String)

    def write(table: Table) -> tuple[int, list[FileEntry], list[str]]:
        """This run's file of `table`, and the rewrites of stored files holding replaced documents."""
        add: list[FileEntry] = []
        drop: list[str] = []
        dups = None
        if table is DOCUMENTS:
            dups = duplicates() if callable(duplicates) else duplicates
        files = [str(d / f"{table.name}.parquet") for d in dirs if (d / f"{table.name}.parquet").exists()]
        rows = 0
        if files:
            path = wh.table_dir(table.name) / f"{run_id}.parquet"
            rows = _sink(_first_copies(files, table, dups), table, path)
            if rows:
                add.append(FileEntry(table.name, str(path), run_id, rows))
            else:  # an incremental run with nothing new adds no empty files
                path.unlink()
        if full_refresh or replaced.is_empty():
            return rows, add, drop
        # Copy-on-write: files that hold rows of reprocessed documents are rewritten without them.
        gone = replaced.implode()
        for e in entries:
            if e.table_name != table.name:
                continue
            hit = pl.scan_parquet(e.path).filter(pl.col("doc_id").is_in(gone)).select(pl.len()).collect()
            if hit.item() == 0:
                continue
            path = wh.table_dir(table.name) / f"{run_id}-rw-{uuid.uuid4().hex[:8]}.parquet"
            kept = (c.filter(~pl.col("doc_id").is_in(gone)) for c in _chunks(e.path, table))
            add.append(FileEntry(table.name, str(path), e.run_id, _sink(kept, table, path)))
            drop.append(e.path)
        return rows, add, drop

    # One table at a time, each holding one row group read and one written (see `_sink`). Writing two at
    # once on threads (Arrow encodes without the GIL) took 3.71 -> 3.32 s off the load of 100 MB, but at
    # 1 GB made the load the run's peak: 2,055 MB with the Prefect server, against 1,962 MB one at a time
    # (the metric stages' peak; the target is 2 GB), same corpus, `flows.bench._one_run`, 2 workers.
    # Documents last: it waits for `duplicates` (the near-duplicate search on another thread).
    tables = sorted(DOC_TABLES, key=lambda t: t is DOCUMENTS)
    done = [write(t) for t in tables]
    add: list[FileEntry] = []
    drop: list[str] = []
    counts: dict[str, int] = {}
    for table, (rows, added, dropped) in zip(tables, done, strict=True):
        counts[table.name] = rows
        add += added
        drop += dropped

    # Entities are a dimension: merge what is known with this run's, newest definition wins; the
    # registry's counts are those of the mentions as they will be after this commit (files kept,
    # rewritten and added), so a reprocessed document is never counted twice.
    old = scan(wh, ENTITIES.name, entries).collect() if not full_refresh else None
    merged = registry_t.merge_entities(old, new_entities, _entity_stats(wh, entries, add, drop, old))
    if merged.height:
        path = wh.table_dir(ENTITIES.name) / f"{run_id}.parquet"
        write_atomic(conform(merged, ENTITIES), path)
        add.append(FileEntry(ENTITIES.name, str(path), run_id, merged.height))
    counts[ENTITIES.name] = merged.height

    logged = _write_logs(wh, run_id, logs)
    add += logged
    counts |= {e.table_name: e.rows for e in logged}

    # A full refresh replaces every row that describes the documents: what was held back and which
    # files were read are this run's too (the earlier runs' copies would count each twice). `runs` and
    # `quality_results` stay: they are the history of runs, one set of rows per run.
    replaced_by_refresh = (*DOC_TABLES, ENTITIES, QUARANTINE, SOURCE_FILES)
    replace_tables = [t.name for t in replaced_by_refresh] if full_refresh else [ENTITIES.name]
    commit(wh, add, replace_tables=replace_tables, drop_files=drop)
    return counts


_STATS_COLUMNS = ("confidence", "doc_count", "cue_doc_count")


def _entity_stats(
    wh: Warehouse, entries: list[FileEntry], add: list[FileEntry], drop: list[str], old: pl.DataFrame | None
) -> pl.DataFrame:
    """registry mention_stats of the mentions after a commit that adds `add` and drops `drop`.

    A run that only adds documents (no mentions file rewritten, every stored entity counted) adds
    the counts of its own mentions to the stored ones: the stored mentions are not read again (they
    grow with the warehouse: 77,517 rows at 10 MB of resampled news). Otherwise (a full refresh, reprocessed
    documents, entities stored before the counts existed) every mention after the commit is counted."""
    added = [e for e in add if e.table_name == MENTIONS.name]
    rewritten = any(e.table_name == MENTIONS.name and e.path in drop for e in entries)
    counted = (
        old is not None
        and all(c in old.columns for c in _STATS_COLUMNS)
        and old.get_column("doc_count").null_count() + old.get_column("cue_doc_count").null_count() == 0
    )
    if old is not None and counted and not rewritten:
        new = mention_stats_of_files(wh, [e.path for e in added])
        return registry_t.add_mention_stats(old.select("entity_id", *_STATS_COLUMNS), new)
    after = ([] if old is None else [e for e in entries if e.path not in drop]) + add
    return mention_stats_of_files(wh, [e.path for e in after if e.table_name == MENTIONS.name])


# DuckDB's limit for the count below; past it, it spills to disk under the warehouse's staging dir.
_STATS_MEMORY = "256MB"
# Up to this many mention rows the count runs in polars, in memory (tens of MB at most): DuckDB's
# set-up (a connection, its spill directory) is a fixed cost that a nightly run's few new mentions pay
# whole: 300 rows took 29 ms CPU and 100 ms wall in DuckDB against 2 ms and 16 ms in polars.
_STATS_IN_MEMORY_ROWS = 200_000


def mention_stats_of_files(wh: Warehouse, paths: list[str]) -> pl.DataFrame:
    """`transforms.registry.mention_stats` of the mentions in the Parquet files `paths` (the same rule;
    tests/warehouse/test_load.py checks both agree), aggregated out of core by DuckDB under a 256 MB
    memory limit: polars' group_by held every doc_id string of the warehouse at once (+1.1 GB peak RSS
    for the 7.8M mentions of a 1 GB corpus; DuckDB +0.2 GB, and 1.5 s against 2.7 s). Files holding
    at most _STATS_IN_MEMORY_ROWS rows in all (a run's new mentions) are counted by polars."""
    if not paths:
        return registry_t.mention_stats(empty(MENTIONS).lazy())
    columns = ["entity_id", "doc_id", "method", "confidence"]
    files = [pq.ParquetFile(p) for p in paths]
    if sum(f.metadata.num_rows for f in files) <= _STATS_IN_MEMORY_ROWS and all(
        set(columns) <= set(f.schema_arrow.names)
        for f in files  # (DuckDB reads a missing one as null)
    ):
        read = [pl.read_parquet(p, columns=columns) for p in paths]
        return registry_t.mention_stats(pl.concat(read).lazy())
    registry, pattern = entities_t.METHOD_REGISTRY, entities_t.METHOD_PATTERN
    spill = wh.staging_dir / f"duckdb-spill-{uuid.uuid4().hex}"
    spill.mkdir(parents=True, exist_ok=True)
    try:
        with duckdb.connect(":memory:") as con:
            con.execute(f"SET memory_limit = '{_STATS_MEMORY}'")
            con.execute(f"SET temp_directory = {sql_string(spill)}")
            stats = con.sql(
                f"""
                WITH pairs AS (
                    SELECT entity_id, doc_id,
                           max(confidence) FILTER (WHERE method <> '{registry}') AS confidence,
                           bool_or(method = '{pattern}') AS cue
                    FROM read_parquet({sql_list(paths)}, union_by_name = true)
                    GROUP BY entity_id, doc_id
                )
                SELECT entity_id, max(confidence) AS confidence, count(*) AS doc_count,
                       count(*) FILTER (WHERE cue) AS cue_doc_count
                FROM pairs GROUP BY entity_id ORDER BY entity_id
                """
            ).pl()
    finally:
        shutil.rmtree(spill, ignore_errors=True)
    schema = registry_t.mention_stats(empty(MENTIONS).lazy()).schema
    return stats.select(pl.col(c).cast(t) for c, t in schema.items())


Logs = dict[str, "pl.DataFrame | Callable[[], pl.DataFrame] | None"]


def _write_logs(wh: Warehouse, run_id: str, logs: Logs) -> list[FileEntry]:
    """Write the run's bookkeeping tables (LOG_TABLES) from `logs`; a callable is called now, so a runs
    row can be stamped as it is written, after the run's other tables."""
    add = []
    for table in LOG_TABLES:
        df = logs.get(table.name)
        if callable(df):
            df = df()
        if df is None or df.height == 0:
            continue
        path = wh.table_dir(table.name) / f"{run_id}.parquet"
        write_atomic(conform(df, table), path)
        add.append(FileEntry(table.name, str(path), run_id, df.height))
    return add


def load_logs(wh: Warehouse, run_id: str, logs: Logs) -> None:
    """Commit only bookkeeping (a run that promoted nothing still records why)."""
    commit(wh, _write_logs(wh, run_id, logs))


def compact(wh: Warehouse, run_id: str, min_files: int = 2) -> dict[str, tuple[int, int]]:
    """Merge each table's files into one (when it has at least `min_files`), in one atomic commit.

    Query results are unchanged: the same rows, in the declared schema. Returns {table: (before, after)}.
    """
    entries = manifest(wh)
    add: list[FileEntry] = []
    drop: list[str] = []
    out: dict[str, tuple[int, int]] = {}
    for name, table in TABLES.items():
        files = [e for e in entries if e.table_name == name]
        if len(files) < min_files:
            continue
        path = wh.table_dir(name) / f"{run_id}-compact.parquet"
        rows = _sink((c for e in files for c in _chunks(e.path, table)), table, path)
        if rows != sum(e.rows for e in files):  # never commit a compaction that lost or invented rows
            path.unlink(missing_ok=True)
            raise RuntimeError(
                f"compaction of {name} wrote {rows} rows, expected {sum(e.rows for e in files)}"
            )
        add.append(FileEntry(name, str(path), run_id, rows))
        drop += [e.path for e in files]
        out[name] = (len(files), 1)
    if add:
        commit(wh, add, drop_files=drop)
    return out


# Files an automatic compaction merges at a time: a run of this many consecutive files of one size tier.
TIER_FANIN = 8


def _tier(rows: int, fanin: int) -> int:
    """The power of `fanin` a file's row count falls in: 0 for [0, fanin), 1 for [fanin, fanin²), ..."""
    tier = 0
    while rows >= fanin:
        rows //= fanin
        tier += 1
    return tier


def tier_groups(entries: list[FileEntry], fanin: int = TIER_FANIN) -> list[list[FileEntry]]:
    """The groups of committed files `compact_tiers` merges: every run of at least `fanin` consecutive
    files of one table (in the catalog's order: the order their rows were loaded) whose row counts fall
    in the same power of `fanin`. Only consecutive files, so a merged file keeps its rows' place."""
    groups: list[list[FileEntry]] = []
    by_table: dict[str, list[FileEntry]] = {}
    for e in entries:
        by_table.setdefault(e.table_name, []).append(e)
    for files in by_table.values():
        run: list[FileEntry] = []
        for e in files:
            if run and _tier(e.rows, fanin) != _tier(run[-1].rows, fanin):
                if len(run) >= fanin:
                    groups.append(run)
                run = []
            run.append(e)
        if len(run) >= fanin:
            groups.append(run)
    return groups


def compact_tiers(wh: Warehouse, run_id: str, fanin: int = TIER_FANIN) -> dict[str, tuple[int, int]]:
    """Size-tiered compaction, in one atomic commit: merge each group of `tier_groups` into one file,
    named to take the place of the group's first file in the catalog's order.

    A nightly run adds one small file per table; merging the whole table into one file whenever it has
    too many (`compact`) rewrote the whole warehouse every `compact_after_files` nights, a night whose
    cost grew with the warehouse. Here eight nights' files become one, eight of those one, and so on: a
    row is rewritten about log8(nights) times in all, a night rewrites at most its tier's files, and a
    table keeps fewer than `fanin` files per tier (measured: tests/flows/bench_incremental_growth.py).
    Query results are unchanged. Returns {table: (files before, files after)} for the tables merged."""
    entries = manifest(wh)
    counts: dict[str, int] = {}
    for e in entries:
        counts[e.table_name] = counts.get(e.table_name, 0) + 1
    add: list[FileEntry] = []
    drop: list[str] = []
    out: dict[str, tuple[int, int]] = {}
    for group in tier_groups(entries, fanin):
        name = group[0].table_name
        table = TABLES[name]
        first = Path(group[0].path)
        # "<first file's run>-m<id>" sorts just before the first file it replaces: the rows keep their place.
        base = first.stem.split("-m", 1)[0]
        path = first.with_name(f"{base}-m{uuid.uuid4().hex[:8]}.parquet")
        rows = _sink((c for e in group for c in _chunks(e.path, table)), table, path)
        if rows != sum(e.rows for e in group):  # never commit a compaction that lost or invented rows
            path.unlink(missing_ok=True)
            expected = sum(e.rows for e in group)
            raise RuntimeError(f"compaction of {name} wrote {rows} rows, expected {expected}")
        add.append(FileEntry(name, str(path), run_id, rows))
        drop += [e.path for e in group]
        before, after = out.get(name, (counts[name], counts[name]))
        out[name] = (before, after - len(group) + 1)
    if add:
        commit(wh, add, drop_files=drop)
    return out


def file_counts(wh: Warehouse) -> dict[str, int]:
    """Committed files per table."""
    counts: dict[str, int] = {}
    for e in manifest(wh):
        counts[e.table_name] = counts.get(e.table_name, 0) + 1
    return counts
