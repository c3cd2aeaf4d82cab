"""`quarry gen-corpus` and `quarry bench`: a synthetic labelled corpus, and how fast and how well the real
pipeline turns it into tables.

`quarry bench` per corpus size (MB): generate the corpus (transforms/synth.py), run the real
`quarry-pipeline` flow into a fresh warehouse in a child process (so each size has its own peak RSS and
pays Prefect's server start-up once, reported on its own line), run again after adding 1% new documents
(incremental), time a raw polars scan of the same files (the floor), and score the warehouse's mentions
and metrics against the generated labels. `--peers` adds spaCy (PhraseMatcher over the same gazetteer)
and quantulum3 when they are importable. Everything lands in `<out>/bench.json` (+ `bench.png` when
matplotlib is importable).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

DEFAULT_SIZES_MB = (10.0, 100.0)
LARGE_SIZE_MB = 1000.0  # added by BENCH_SIZE=large
INCREMENTAL_SHARE = 0.01
ACCURACY_DOCS = 3000  # labelled documents scored per size (the first ones by name)
PARALLEL_WORKERS = max(2, os.cpu_count() or 1)  # the all-cores run
# Documents the peers run on. Entities: enough text (about 5 MB) that the comparison measures matching,
# not start-up (on 60 documents our fixed ~15 ms per call was half of our time). Metrics: few, because
# quantulum3 manages about 9 KB/s.
PEER_ENTITY_DOCS = 1000
PEER_METRIC_DOCS = 60
SAMPLE_SECONDS = 0.1  # RSS sampling interval
STAGES = ("ingest", "clean", "entities", "metrics", "load")


# ------------------------------------------------------------------------------ corpus files
def write_corpus(out: Path, docs: Any, max_bytes: float | None = None) -> tuple[int, int]:
    """Write (document, labels) pairs as `out/<name>.txt` + `out/labels/<name>.json`; stop once the text
    files hold `max_bytes`. Returns (documents written, bytes written)."""
    (out / "labels").mkdir(parents=True, exist_ok=True)
    n, size = 0, 0
    for doc, labels in docs:
        if max_bytes is not None and size >= max_bytes:
            break
        data = doc["text"].encode("utf-8")
        (out / f"{doc['name']}.txt").write_bytes(data)
        if labels is not None:  # resampled real text has none
            (out / "labels" / f"{doc['name']}.json").write_text(
                json.dumps(labels, ensure_ascii=False, indent=1), encoding="utf-8"
            )
        n += 1
        size += len(data)
    return n, size


def _entries(gazetteer: str | None) -> list[dict]:
    from warehouse.reference import DEFAULT_GAZETTEER, load_gazetteer

    return load_gazetteer(gazetteer or DEFAULT_GAZETTEER)[0]


def generate_corpus(out: Path, n_docs: int, seed: int, gazetteer: str | None = None) -> tuple[int, int]:
    """`n_docs` synthetic documents and their labels under `out`."""
    from transforms.synth import iter_documents

    return write_corpus(out, iter_documents(n_docs, seed, _entries(gazetteer)))


def read_texts(dirs: list[str]) -> list[str]:
    """The `.txt`/`.md` files directly in each of `dirs` (sorted by name), as text: a real-text source."""
    texts = []
    for d in dirs:
        files = sorted(p for p in Path(d).iterdir() if p.suffix in (".txt", ".md") and p.is_file())
        texts += [p.read_text(encoding="utf-8", errors="replace") for p in files]
    return texts


def real_documents(dirs: list[str], seed: int) -> Any:
    """Endless (document, None) pairs resampled from the real articles in `dirs` (transforms/resample.py)."""
    from transforms.resample import iter_resampled

    return ((doc, None) for doc in iter_resampled(read_texts(dirs), seed))


def generate_mb(out: Path, mb: float, seed: int, gazetteer: str | None = None) -> tuple[int, int]:
    """Synthetic documents under `out` until they hold `mb` megabytes (10^6 bytes)."""
    from transforms.synth import iter_documents

    return write_corpus(out, iter_documents(10**9, seed, _entries(gazetteer)), max_bytes=mb * 1e6)


# ------------------------------------------------------------------------------ measuring a run
class RssSampler:
    """Samples the RSS of this process + its children (Prefect's server, Dask workers) in a thread."""

    def __init__(self, interval: float = SAMPLE_SECONDS) -> None:
        import psutil

        self._proc = psutil.Process()
        self._interval = interval
        self._stop = threading.Event()
        self.samples: list[tuple[float, int, int]] = []  # (unix time, bytes with children, bytes alone)
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _rss(self) -> tuple[int, int]:
        import psutil

        own = total = self._proc.memory_info().rss
        for child in self._proc.children(recursive=True):
            try:
                total += child.memory_info().rss
            except psutil.Error:
                pass
        return total, own

    def _run(self) -> None:
        while not self._stop.is_set():
            self.samples.append((time.time(), *self._rss()))
            self._stop.wait(self._interval)

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def peak_mb(self, start: float, end: float, children: bool = True) -> float | None:
        """Peak RSS (MB) sampled between two unix times, with or without the child processes."""
        vals = [(total if children else own) for t, total, own in self.samples if start <= t <= end]
        return round(max(vals) / 1e6, 1) if vals else None


def _task_intervals(flow_run_id: Any) -> dict[str, list[tuple[float, float]]]:
    """(start, end) unix times of every task run of a flow run, by task name (plan, ingest, ...)."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    out: dict[str, list[tuple[float, float]]] = {}
    with get_client(sync_client=True) as client:
        offset = 0
        while True:
            runs = client.read_task_runs(
                flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[flow_run_id])),
                limit=200,
                offset=offset,
            )
            for r in runs:
                if r.start_time and r.end_time:
                    name = r.name.rsplit("-", 1)[0]
                    out.setdefault(name, []).append((r.start_time.timestamp(), r.end_time.timestamp()))
            if len(runs) < 200:
                return out
            offset += 200


def _one_run(params: Any, sampler: RssSampler) -> dict[str, Any]:
    """Run the flow once; its summary plus wall time, peak RSS overall and per stage."""
    from flows.pipeline import quarry_pipeline

    t_wall, t0 = time.time(), time.perf_counter()
    state = quarry_pipeline(params, return_state=True)
    wall = time.perf_counter() - t0
    summary = state.result(raise_on_failure=False)
    if isinstance(summary, BaseException):
        summary = getattr(summary, "summary", {"status": "failed", "message": str(summary)})
    out = {
        "summary": summary,
        "wall_seconds": round(wall, 3),
        "peak_rss_mb": sampler.peak_mb(t_wall, t_wall + wall + SAMPLE_SECONDS),
        "peak_rss_own_mb": sampler.peak_mb(t_wall, t_wall + wall + SAMPLE_SECONDS, children=False),
    }
    try:
        intervals = _task_intervals(state.state_details.flow_run_id)
    except Exception as exc:  # noqa: BLE001 - per-stage RSS is a nice-to-have; say why it is missing
        out["stage_peak_rss_error"] = str(exc)
        intervals = {}
    out["stage_peak_rss_mb"] = {
        name: max((p for a, b in spans if (p := sampler.peak_mb(a, b + SAMPLE_SECONDS))), default=None)
        for name, spans in intervals.items()
    }
    return out


def measure(corpus: str, incoming: str, warehouse: str, workers: int, batch_mb: float) -> dict[str, Any]:
    """Prefect start-up, a full run over `corpus`, then an incremental run after moving `incoming`'s files
    into it. Runs in the benchmark's child process (or in-process for tests)."""
    from prefect import flow

    from flows.pipeline import RunParameters

    @flow(name="quarry-bench-warmup")
    def warmup() -> None:
        return None

    from flows.pipeline import prewarm

    params = RunParameters(source=corpus, warehouse=warehouse, workers=workers, batch_mb=batch_mb)
    with RssSampler() as sampler:
        t0 = time.perf_counter()
        # As `quarry run` does: GX, the gazetteer and the language model load while the server starts.
        prewarm(params)
        warmup()
        startup = round(time.perf_counter() - t0, 3)
        full = _one_run(params, sampler)
        moved = 0
        for f in sorted(Path(incoming).glob("*.txt")):
            f.rename(Path(corpus) / f.name)
            moved += 1
        incremental = _one_run(params, sampler)
        # The same corpus again, from scratch, with one batch task per core: the throughput a user gets.
        # (Stage shares come from the serial run above: with parallel tasks, stage times overlap.)
        parallel = None
        if PARALLEL_WORKERS > workers:
            par_wh = Path(warehouse).parent.with_name(Path(warehouse).parent.name + "-parallel")
            shutil.rmtree(par_wh, ignore_errors=True)
            par_params = params.model_copy(
                update={"workers": PARALLEL_WORKERS, "warehouse": str(par_wh / "quarry.duckdb")}
            )
            parallel = _one_run(par_params, sampler)
            parallel["workers"] = PARALLEL_WORKERS
            shutil.rmtree(par_wh, ignore_errors=True)
    return {
        "prefect_startup_seconds": startup,
        "full": full,
        "incremental": incremental,
        "parallel": parallel,
        "new_docs": moved,
    }


def _measure_in_child(
    corpus: Path, incoming: Path, wh: Path, workers: int, batch_mb: float, log: Path
) -> dict:
    result = wh.parent / "measure.json"
    code = (
        "import json, sys; from flows.bench import measure; "
        "json.dump(measure(*sys.argv[1:4], int(sys.argv[4]), float(sys.argv[5])), open(sys.argv[6], 'w'), "
        "default=str)"
    )
    env = {
        **os.environ,
        "PREFECT_LOGGING_LEVEL": os.environ.get("PREFECT_LOGGING_LEVEL", "WARNING"),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120",
        "GX_ANALYTICS_ENABLED": "false",
        "DO_NOT_TRACK": "1",
    }
    argv = [sys.executable, "-c", code, str(corpus), str(incoming), str(wh), str(workers), str(batch_mb)]
    with log.open("w") as fh:
        proc = subprocess.run([*argv, str(result)], stdout=fh, stderr=subprocess.STDOUT, env=env, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"benchmark run failed (exit {proc.returncode}); see {log}")
    return json.loads(result.read_text())


def raw_scan_floor(corpus: Path, needle: str = "billion", repeats: int = 2) -> dict[str, Any]:
    """The floor: polars reads the same text files (as lines) and runs one `str.contains`; the best of
    `repeats` scans (the first pays polars' thread-pool start and a cold page cache)."""
    best, hits = float("inf"), 0
    for _ in range(repeats):
        t0 = time.perf_counter()
        hits = _scan(corpus, needle)
        best = min(best, time.perf_counter() - t0)
    return {"seconds": round(best, 3), "matching_lines": hits}


def _scan(corpus: Path, needle: str) -> int:
    import polars as pl

    hits = (
        pl.scan_csv(
            str(corpus / "*.txt"),
            has_header=False,
            separator="\x1f",
            quote_char=None,
            schema={"line": pl.String},
            encoding="utf8-lossy",
            truncate_ragged_lines=True,
        )
        .select(pl.col("line").str.contains(needle, literal=True).sum())
        .collect()
        .item()
    )
    return int(hits or 0)


# ------------------------------------------------------------------------------ accuracy
def _doc_expr() -> Any:
    import polars as pl

    return pl.col("source").str.split("/").list.last().str.replace(r"\.[^.]+$", "").alias("doc")


def warehouse_predictions(warehouse: Path) -> tuple[Any, Any]:
    """(entities, metrics) predictions from a warehouse, in the shape transforms.evaluate scores."""
    from warehouse.catalog import Warehouse, connect_readonly

    con = connect_readonly(Warehouse.at(warehouse))
    try:
        docs = con.sql("select doc_id, source from documents").pl().select("doc_id", _doc_expr())
        names = con.sql("select entity_id, name as entity_name, type from entities").pl()
        mentions = con.sql("select doc_id, entity_id, surface from mentions").pl()
        metrics = con.sql(
            "select doc_id, value, value_high, unit, subject_entity_id, surface from metrics"
        ).pl()
    finally:
        con.close()
    return _predictions(docs, names, mentions, metrics)


def _predictions(docs: Any, names: Any, mentions: Any, metrics: Any) -> tuple[Any, Any]:
    pred_entities = (
        mentions.join(docs, on="doc_id")
        .join(names, on="entity_id")
        .select("doc", "entity_name", "type", "surface")
    )
    pred_metrics = (
        metrics.join(docs, on="doc_id")
        .join(
            names.select("entity_id", subject_name="entity_name"),
            left_on="subject_entity_id",
            right_on="entity_id",
            how="left",
        )
        .select("doc", "value", "value_high", "unit", "subject_name", "surface")
    )
    return pred_entities, pred_metrics


def _all_row(scores: Any) -> dict[str, Any]:
    from transforms.evaluate import ALL

    key = scores.columns[0]
    row = scores.filter(scores[key] == ALL).to_dicts()
    return {
        k: (round(v, 4) if isinstance(v, float) else v)
        for k, v in (row[0] if row else {}).items()
        if k != key
    }


def accuracy(warehouse: Path, labels_dir: Path, max_docs: int = ACCURACY_DOCS) -> dict[str, Any]:
    """Entity and metric P/R/F1 (ALL and per group) of the warehouse against the first `max_docs` labels."""
    from transforms.evaluate import score_entities, score_metrics

    files = sorted(labels_dir.glob("*.json"))[:max_docs]
    labels = {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in files}
    ents, mets = warehouse_predictions(warehouse)
    e, m = score_entities(ents, labels), score_metrics(mets, labels)
    return {
        "labelled_documents": len(labels),
        "entities": _all_row(e),
        "metrics": _all_row(m),
        "entities_by_type": e.to_dicts(),
        "metrics_by_unit": m.to_dicts(),
    }


# ------------------------------------------------------------------------------ peers
def peers(
    corpus: Path,
    labels_dir: Path,
    gazetteer: str | None,
    entity_docs: int = PEER_ENTITY_DOCS,
    metric_docs: int = PEER_METRIC_DOCS,
) -> dict[str, Any]:
    """spaCy and quantulum3 against our entity and metric stages (in-process, pure transforms only) on
    the first `entity_docs` / `metric_docs` generated documents and on seeds/; skipped peers say why."""
    from warehouse.reference import DEFAULT_LABELS

    out: dict[str, Any] = {}
    sets = {"generated": (corpus, labels_dir), "seeds": (DEFAULT_LABELS.parent, DEFAULT_LABELS)}
    for label, (src, lab_dir) in sets.items():
        files = sorted(src.glob("*.txt"))[: max(entity_docs, metric_docs)]
        labels = {
            f.stem: json.loads((lab_dir / f"{f.stem}.json").read_text(encoding="utf-8"))
            for f in files
            if (lab_dir / f"{f.stem}.json").exists()
        }
        out[label] = _compare(files, labels, gazetteer, entity_docs, metric_docs)
    return out


def _compare(
    files: list[Path], labels: dict[str, dict], gazetteer: str | None, entity_docs: int, metric_docs: int
) -> dict[str, Any]:
    """Each side timed on the same texts after one warm-up call on a single document (so neither pays
    its first-call set-up inside the figure); each scored against the labels of the documents it saw."""
    import tempfile

    import polars as pl

    from flows.evaluate import extract, reference_data
    from transforms import entities as entities_t
    from transforms import metrics as metrics_t
    from transforms.evaluate import score_entities, score_metrics
    from transforms.text import sentence_spans
    from warehouse.reference import DEFAULT_GAZETTEER

    gaz_path = gazetteer or str(DEFAULT_GAZETTEER)
    with tempfile.TemporaryDirectory(prefix="quarry-peers-") as stage:
        for f in files:  # a subset of the corpus: staged as its own source directory
            shutil.copy(f, Path(stage) / f.name)
        got = extract(stage, gaz_path)
    docs = got["documents"].with_columns(_doc_expr()).sort("doc")
    gaz, version, lexicons = reference_data(gaz_path)
    ent_docs, met_docs = docs.head(entity_docs), docs.head(metric_docs)
    entities_t.extract_mentions(ent_docs.select("doc_id", "text").head(1), gaz, version, lexicons)  # warm-up
    t0 = time.perf_counter()
    mentions, discovered = entities_t.extract_mentions(
        ent_docs.select("doc_id", "text"), gaz, version, lexicons
    )
    t_ent = time.perf_counter() - t0
    entities = pl.concat([entities_t.entity_rows(gaz, version), discovered], how="diagonal_relaxed").unique(
        "entity_id", keep="first"
    )
    sentences = sentence_spans(met_docs)
    met_mentions = mentions.filter(pl.col("doc_id").is_in(met_docs["doc_id"].implode()))
    metrics_t.extract_metrics(  # warm-up
        met_docs.select("doc_id", "text").head(1),
        met_mentions,
        entities.select("entity_id", "name", "type"),
        sentences,
    )
    t0 = time.perf_counter()
    metrics = metrics_t.extract_metrics(
        met_docs.select("doc_id", "text"),
        met_mentions,
        entities.select("entity_id", "name", "type"),
        sentences,
    )
    t_met = time.perf_counter() - t0
    names = entities.select("entity_id", entity_name="name", type="type")
    pe, pm = _predictions(docs.select("doc_id", "doc"), names, mentions, metrics)

    def seen(frame: Any) -> tuple[dict[str, Any], dict[str, dict], list[tuple[str, str]]]:
        size = {"documents": frame.height, "megabytes": round(frame["text"].str.len_bytes().sum() / 1e6, 3)}
        subset = {d: labels[d] for d in frame["doc"].to_list() if d in labels}
        return size, subset, list(zip(frame["doc"].to_list(), frame["text"].to_list(), strict=True))

    (e_size, e_labels, e_texts), (m_size, m_labels, m_texts) = seen(ent_docs), seen(met_docs)
    return {
        "documents": docs.height,
        "megabytes": round(docs["text"].str.len_bytes().sum() / 1e6, 3),
        "quarry_entities": {**e_size, "seconds": round(t_ent, 3), **_all_row(score_entities(pe, e_labels))},
        "spacy_phrasematcher": {**e_size, **_spacy_peer(e_texts, gaz, e_labels)},
        "quarry_metrics": {**m_size, "seconds": round(t_met, 3), **_all_row(score_metrics(pm, m_labels))},
        "quantulum3": {**m_size, **_quantulum_peer(m_texts, m_labels)},
    }


def _spacy_peer(texts: list[tuple[str, str]], gaz: Any, labels: dict[str, dict]) -> dict[str, Any]:
    try:
        import spacy
        from spacy.matcher import PhraseMatcher
        from spacy.util import filter_spans
    except ImportError:
        return {"skipped": "spacy not installed"}
    import polars as pl

    from transforms.evaluate import score_entities

    nlp = spacy.blank("en")
    exact, lower = PhraseMatcher(nlp.vocab, attr="ORTH"), PhraseMatcher(nlp.vocab, attr="LOWER")
    key_of: dict[str, tuple[str, str]] = {}
    for i, row in enumerate(gaz.select("alias", "name", "type", "case_sensitive").iter_rows()):
        alias, name, type_, cs = row
        key = f"g{i}"
        key_of[key] = (name, type_)
        (exact if cs else lower).add(key, [nlp.make_doc(alias)])
    for sd in nlp.pipe(t for _, t in texts[:1]):  # warm-up, as for our side
        exact(sd), lower(sd)
    t0 = time.perf_counter()
    rows = []
    for (doc, _), sd in zip(texts, nlp.pipe(t for _, t in texts), strict=True):
        spans = [sd[s:e] for m in (exact, lower) for _k, s, e in m(sd)]
        keys = {(s.start, s.end): k for m in (exact, lower) for k, s, e in m(sd) for s in [sd[s:e]]}
        for span in filter_spans(spans):
            name, type_ = key_of[nlp.vocab.strings[keys[(span.start, span.end)]]]
            rows.append({"doc": doc, "entity_name": name, "type": type_, "surface": span.text})
    seconds = time.perf_counter() - t0
    pred = pl.DataFrame(
        rows, schema={"doc": pl.String, "entity_name": pl.String, "type": pl.String, "surface": pl.String}
    )
    return {
        "seconds": round(seconds, 3),
        "version": spacy.__version__,
        **_all_row(score_entities(pred, labels)),
    }


# quantulum3 names units its own way; these map its results onto ours (anything else counts as a miss).
_QUANT_WORDS = [
    (r"^\s*(?:monthly |weekly |daily )?(?:active )?users", "users"),
    (r"^\s*(?:GPUs|graphics processing units|AI chips|Nvidia \w+ chips)", "GPU"),
    (r"^\s*(?:employees|engineers|AI researchers|AI specialists)", "employees"),
    (r"^[\s-]*(?:billion[\s-])?param", "parameters"),
    (r"^\s*tokens per second", "tokens_per_second"),
    (r"^[\s-]*token", "tokens"),
    (r"^\s*GPU hours", "GPU_hours"),
]


def _quantulum_peer(texts: list[tuple[str, str]], labels: dict[str, dict]) -> dict[str, Any]:
    try:
        import quantulum3
        from quantulum3 import parser
    except ImportError:
        return {"skipped": "quantulum3 not installed"}
    import re

    import polars as pl

    from transforms.evaluate import METRIC_PREDICTION_COLUMNS, score_metrics

    rows = []
    t0 = time.perf_counter()
    for doc, text in texts:
        for q in parser.parse(text):
            unit = _quant_unit(q, text, re)
            if unit:
                rows.append(
                    {
                        "doc": doc,
                        "value": float(q.value),
                        "value_high": None,
                        "unit": unit,
                        "subject_name": None,
                        "surface": q.surface,
                    }
                )
    seconds = time.perf_counter() - t0
    pred = pl.DataFrame(rows, schema=METRIC_PREDICTION_COLUMNS)
    version = getattr(quantulum3, "__version__", "?")
    return {"seconds": round(seconds, 3), "version": version, **_all_row(score_metrics(pred, labels))}


def _quant_unit(q: Any, text: str, re: Any) -> str | None:
    unit = q.unit
    code = getattr(unit, "currency_code", None)
    if code:
        return str(code)
    if unit.name in ("percentage", "percent"):
        return "percent"
    if unit.entity.name in ("dimensionless", "unknown"):
        after = text[q.span[1] : q.span[1] + 40]
        words = q.surface[len(q.surface.rstrip("0123456789.,")) :] + after
        for pat, ours in _QUANT_WORDS:
            if re.match(pat, words):
                return ours
    return None


# ------------------------------------------------------------------------------ the benchmark
def bench(
    sizes: list[float],
    out: Path,
    seed: int = 7,
    workers: int = 1,
    batch_mb: float = 16.0,
    in_process: bool = False,
    with_peers: bool = False,
    gazetteer: str | None = None,
    accuracy_docs: int = ACCURACY_DOCS,
    real_from: list[str] | None = None,
) -> dict[str, Any]:
    """Run every size on the synthetic corpus and, with `real_from`, on real paragraphs resampled from
    the articles in those directories; return (and write to `out/bench.json`) the figures."""
    out.mkdir(parents=True, exist_ok=True)
    results = []
    corpora = ["synthetic"] + (["real"] if real_from else [])
    for mb in sizes:
        for kind in corpora:
            results.append(
                _bench_size(kind, mb, out, seed, workers, batch_mb, in_process, gazetteer, real_from or [])
            )
            if with_peers and kind == "synthetic":
                results[-1]["peers"] = peers(
                    out / f"corpus-{mb:g}MB", out / f"corpus-{mb:g}MB" / "labels", gazetteer
                )
            if kind == "synthetic":
                results[-1]["accuracy"] = accuracy(
                    out / f"warehouse-{mb:g}MB" / "quarry.duckdb",
                    out / f"corpus-{mb:g}MB" / "labels",
                    accuracy_docs,
                )
    report = {
        "seed": seed,
        "workers": workers,
        "batch_mb": batch_mb,
        "cpu_count": os.cpu_count(),
        "python": sys.version.split()[0],
        "real_from": real_from,
        "sizes": results,
    }
    (out / "bench.json").write_text(json.dumps(report, indent=2, default=str), encoding="utf-8")
    report["chart"] = chart([r for r in results if r["corpus"] == "synthetic"], out / "bench.png")
    return report


def _bench_size(
    kind: str,
    mb: float,
    out: Path,
    seed: int,
    workers: int,
    batch_mb: float,
    in_process: bool,
    gazetteer: str | None,
    real_from: list[str],
) -> dict[str, Any]:
    """One corpus of `mb` MB (+1% incremental documents), run and measured."""
    from transforms.synth import iter_documents

    tag = f"{mb:g}MB" if kind == "synthetic" else f"{mb:g}MB-real"
    corpus, incoming, wh_dir = out / f"corpus-{tag}", out / f"incoming-{tag}", out / f"warehouse-{tag}"
    for d in (corpus, incoming, wh_dir):
        shutil.rmtree(d, ignore_errors=True)
    t0 = time.perf_counter()
    if kind == "synthetic":
        entries = _entries(gazetteer)
        n_docs, n_bytes = write_corpus(corpus, iter_documents(10**9, seed, entries), max_bytes=mb * 1e6)
        n_new = max(1, round(n_docs * INCREMENTAL_SHARE))
        incoming.mkdir(parents=True)
        new_docs, new_bytes = write_corpus(
            incoming, iter_documents(n_docs + n_new, seed, entries, start=n_docs)
        )
    else:
        docs = real_documents(real_from, seed)
        n_docs, n_bytes = write_corpus(corpus, docs, max_bytes=mb * 1e6)
        n_new = max(1, round(n_docs * INCREMENTAL_SHARE))
        incoming.mkdir(parents=True)
        new_docs, new_bytes = write_corpus(incoming, (next(docs) for _ in range(n_new)))
    for f in (incoming / "labels").glob("*.json"):
        f.rename(corpus / "labels" / f.name)
    gen_seconds = round(time.perf_counter() - t0, 3)
    wh_dir.mkdir(parents=True)
    wh = wh_dir / "quarry.duckdb"
    floor = raw_scan_floor(corpus)
    if in_process:
        runs = measure(str(corpus), str(incoming), str(wh), workers, batch_mb)
    else:
        runs = _measure_in_child(corpus, incoming, wh, workers, batch_mb, wh_dir / "run.log")
    return {"corpus": kind, **_size_row(mb, n_docs, n_bytes, new_docs, new_bytes, gen_seconds, floor, runs)}


def _size_row(
    mb: float, n_docs: int, n_bytes: int, new_docs: int, new_bytes: int, gen_s: float, floor: dict, runs: dict
) -> dict[str, Any]:
    full, inc = runs["full"], runs["incremental"]
    s = full["summary"]
    stage_s = {k: float(v) for k, v in s.get("stage_seconds", {}).items()}
    wall = full["wall_seconds"]
    in_stages = sum(stage_s.values())
    mbytes = n_bytes / 1e6
    stages = {
        st: {
            "seconds": stage_s.get(st),
            "mb_per_s": round(mbytes / stage_s[st], 2) if stage_s.get(st) else None,
            "docs_per_s": round(n_docs / stage_s[st], 1) if stage_s.get(st) else None,
            "peak_rss_mb": full["stage_peak_rss_mb"].get(st),
        }
        for st in STAGES
    }
    return {
        "size_mb": mb,
        "megabytes": round(mbytes, 3),
        "documents": n_docs,
        "generate_seconds": gen_s,
        "prefect_startup_seconds": runs["prefect_startup_seconds"],
        "status": s.get("status"),
        "summary": {
            k: s.get(k)
            for k in (
                "docs_in",
                "docs_cleaned",
                "docs_quarantined",
                "mentions",
                "metrics",
                "batches",
                "expectations_passed",
                "expectations_failed",
            )
        },
        "stages": stages,
        "total": {
            "seconds": wall,
            "mb_per_s": round(mbytes / wall, 2),
            "docs_per_s": round(n_docs / wall, 1),
            "peak_rss_mb": full["peak_rss_mb"],
            "peak_rss_own_mb": full["peak_rss_own_mb"],  # without the Prefect server process
        },
        "gate_seconds": s.get("gate_seconds"),
        "gate_share": round(s.get("gate_seconds", 0) / wall, 3),
        # Task seconds are summed over batches; with workers > 1 they overlap, so this can go negative.
        "orchestration_seconds": round(wall - in_stages, 3),
        "orchestration_share": round((wall - in_stages) / wall, 3),
        "incremental": {
            "new_documents": new_docs,
            "new_megabytes": round(new_bytes / 1e6, 3),
            "seconds": inc["wall_seconds"],
            "vs_full": round(inc["wall_seconds"] / wall, 3),
            "docs_skipped": inc["summary"].get("docs_skipped"),
            "docs_cleaned": inc["summary"].get("docs_cleaned"),
            "stage_seconds": inc["summary"].get("stage_seconds"),
            "peak_rss_mb": inc["peak_rss_mb"],
        },
        "floor": {**floor, "total_vs_floor": round(wall / floor["seconds"], 1) if floor["seconds"] else None},
        "parallel": _parallel_row(runs.get("parallel"), mbytes + new_bytes / 1e6, n_docs + new_docs),
    }


def _parallel_row(par: dict[str, Any] | None, mbytes: float, n_docs: int) -> dict[str, Any] | None:
    """The all-cores full run (over the corpus plus the incremental documents)."""
    if not par:
        return None
    wall = par["wall_seconds"]
    return {
        "workers": par["workers"],
        "status": par["summary"].get("status"),
        "seconds": wall,
        "megabytes": round(mbytes, 3),
        "mb_per_s": round(mbytes / wall, 2),
        "docs_per_s": round(n_docs / wall, 1),
        "peak_rss_mb": par["peak_rss_mb"],
        "peak_rss_own_mb": par["peak_rss_own_mb"],
        "gate_seconds": par["summary"].get("gate_seconds"),
    }


def chart(results: list[dict], path: Path) -> str:
    """Time and peak memory against corpus size as a PNG; a message when matplotlib is missing."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return "skipped: matplotlib not installed (pip install matplotlib for bench.png)"
    xs = [r["megabytes"] for r in results]
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(10, 4))
    for st in STAGES:
        a1.plot(xs, [r["stages"][st]["seconds"] or 0 for r in results], marker="o", label=st)
    a1.plot(xs, [r["total"]["seconds"] for r in results], marker="o", color="black", label="total")
    a1.plot(xs, [r["floor"]["seconds"] for r in results], linestyle="--", color="grey", label="raw scan")
    a1.set(xlabel="corpus MB", ylabel="seconds", xscale="log", yscale="log", title="time")
    a1.legend(fontsize=8)
    a2.plot(xs, [r["total"]["peak_rss_mb"] or 0 for r in results], marker="o")
    a2.set(xlabel="corpus MB", ylabel="peak RSS MB (process + children)", xscale="log", title="memory")
    a2.set_ylim(bottom=0)  # flat or not is read against zero
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return str(path)


# ------------------------------------------------------------------------------ printing
def _fmt(v: Any, spec: str = ".2f") -> str:
    return "" if v is None else format(v, spec) if isinstance(v, int | float) else str(v)


def _prf(scores: dict[str, Any]) -> str:
    return "/".join(_fmt(scores.get(k), ".3f") for k in ("precision", "recall", "f1"))


def print_report(report: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(highlight=False)
    for r in report["sizes"]:
        t = Table(
            title=f"quarry bench {r['megabytes']:.1f} MB {r.get('corpus', 'synthetic')} text, "
            f"{r['documents']:,} documents ({r['status']}, "
            f"workers={report['workers']})",
            title_justify="left",
        )
        for c in ("stage", "seconds", "MB/s", "docs/s", "peak RSS MB", "share of wall"):
            t.add_column(c, justify="left" if c == "stage" else "right")
        wall = r["total"]["seconds"]
        for st, v in r["stages"].items():
            share = v["seconds"] / wall if v["seconds"] is not None else None
            t.add_row(
                st,
                _fmt(v["seconds"]),
                _fmt(v["mb_per_s"]),
                _fmt(v["docs_per_s"], ".0f"),
                _fmt(v["peak_rss_mb"], ".0f"),
                _fmt(share, ".1%"),
            )
        t.add_row("gating (inside stages)", _fmt(r["gate_seconds"]), "", "", "", _fmt(r["gate_share"], ".1%"))
        t.add_row(
            "orchestration + planning",
            _fmt(r["orchestration_seconds"]),
            "",
            "",
            "",
            _fmt(r["orchestration_share"], ".1%"),
        )
        tot = r["total"]
        t.add_row(
            "[bold]total (flow wall)[/bold]",
            _fmt(wall),
            _fmt(tot["mb_per_s"]),
            _fmt(tot["docs_per_s"], ".0f"),
            _fmt(tot["peak_rss_mb"], ".0f"),
            "100%",
        )
        t.add_row(
            "  quarry process alone (no server)", "", "", "", _fmt(tot.get("peak_rss_own_mb"), ".0f"), ""
        )
        par = r.get("parallel")
        if par:
            t.add_row(
                f"[bold]total, {par['workers']} workers[/bold] (+1% docs)",
                _fmt(par["seconds"]),
                _fmt(par["mb_per_s"]),
                _fmt(par["docs_per_s"], ".0f"),
                _fmt(par["peak_rss_mb"], ".0f"),
                f"{par['seconds'] / wall:.0%} of serial",
            )
        t.add_row("prefect server start-up (once)", _fmt(r["prefect_startup_seconds"]), "", "", "", "")
        inc = r["incremental"]
        t.add_row(
            f"incremental +{inc['new_documents']} docs",
            _fmt(inc["seconds"]),
            "",
            "",
            _fmt(inc["peak_rss_mb"], ".0f"),
            f"{inc['vs_full']:.1%} of full",
        )
        fl = r["floor"]
        t.add_row(
            "raw scan floor (polars)",
            _fmt(fl["seconds"]),
            _fmt(r["megabytes"] / fl["seconds"] if fl["seconds"] else None),
            "",
            "",
            f"total = {fl['total_vs_floor']}x floor",
        )
        console.print(t)
        acc = r.get("accuracy")
        if acc is None:  # resampled real text has no labels: see `quarry eval` on the devset
            continue
        console.print(
            f"accuracy on {acc['labelled_documents']} generated documents: "
            f"entities P/R/F1 {_prf(acc['entities'])}; metrics P/R/F1 {_prf(acc['metrics'])} "
            f"(subject accuracy {_fmt(acc['metrics'].get('subject_accuracy'), '.3f')})"
        )
        for which, res in (r.get("peers") or {}).items():
            _print_peers(console, which, res)
    if report.get("chart"):
        console.print(f"chart: {report['chart']}")


def _print_peers(console: Any, which: str, res: dict[str, Any]) -> None:
    from rich.table import Table

    t = Table(
        title=f"peers on {which} ({res['documents']} documents, {res['megabytes']} MB)", title_justify="left"
    )
    for c in ("extractor", "documents", "MB", "seconds", "precision", "recall", "f1"):
        t.add_column(c, justify="left" if c == "extractor" else "right")
    for name in ("quarry_entities", "spacy_phrasematcher", "quarry_metrics", "quantulum3"):
        v = res[name]
        if "skipped" in v:
            console.print(f"{name}: skipped: {v['skipped'].removeprefix('skipped: ')}")
            continue
        t.add_row(
            name,
            str(v.get("documents", "")),
            _fmt(v.get("megabytes"), ".2f"),
            _fmt(v.get("seconds"), ".3f"),
            _fmt(v.get("precision"), ".3f"),
            _fmt(v.get("recall"), ".3f"),
            _fmt(v.get("f1"), ".3f"),
        )
    console.print(t)


# ------------------------------------------------------------------------------ the CLI
def _sizes(text: str) -> list[float]:
    try:
        sizes = [float(s) for s in text.split(",") if s.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"--sizes wants megabytes like 10,100, not {text!r}") from None
    if not sizes or any(s <= 0 for s in sizes):
        raise argparse.ArgumentTypeError("--sizes wants positive megabytes like 10,100")
    return sizes


def cmd_gen_corpus(args: argparse.Namespace) -> int:
    from flows.cli import UserError

    if args.docs < 1:
        raise UserError("--docs must be at least 1")
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise UserError(f"--out {str(out)!r} is a file, not a directory")
    t0 = time.perf_counter()
    try:
        if args.real_from:
            docs = real_documents(args.real_from.split(","), args.seed)
            n, size = write_corpus(out, (next(docs) for _ in range(args.docs)))
        else:
            n, size = generate_corpus(out, args.docs, args.seed, args.gazetteer)
    except (OSError, ValueError) as exc:
        # One line, whichever side failed: reading --from, or writing --out (no permission, disk full).
        written = isinstance(exc, OSError) and str(exc.filename or "").startswith(str(out))
        raise UserError(f"{'--out' if written else '--from'}: {exc}") from None
    secs = time.perf_counter() - t0
    what = "" if args.real_from else " and their labels"
    print(f"wrote {n:,} documents ({size / 1e6:.2f} MB){what} to {out} in {secs:.1f}s")
    return 0


def cmd_bench(args: argparse.Namespace) -> int:
    from flows.cli import UserError

    sizes = list(args.sizes)
    if os.environ.get("BENCH_SIZE", "").lower() == "large" and LARGE_SIZE_MB not in sizes:
        sizes.append(LARGE_SIZE_MB)
    try:
        report = _bench_from_args(args, sizes)
    except RuntimeError as exc:  # a failed child run: its log has the details
        raise UserError(str(exc)) from None
    print_report(report)
    print(f"figures: {Path(args.out) / 'bench.json'}")
    return 0 if all(r["status"] == "succeeded" for r in report["sizes"]) else 1


def _bench_from_args(args: argparse.Namespace, sizes: list[float]) -> dict[str, Any]:
    return bench(
        sizes,
        Path(args.out),
        seed=args.seed,
        workers=args.workers,
        batch_mb=args.batch_mb,
        in_process=args.in_process,
        with_peers=args.peers,
        gazetteer=args.gazetteer,
        accuracy_docs=args.accuracy_docs,
        real_from=args.real_from.split(",") if args.real_from else None,
    )


def add_parsers(subparsers: Any) -> None:
    """Register `gen-corpus` and `bench` on the `quarry` CLI's subparsers."""
    g = subparsers.add_parser(
        "gen-corpus",
        help="write a benchmark corpus: synthetic and labelled, or resampled from real articles (--from)",
    )
    g.add_argument("--docs", type=int, required=True, help="number of documents")
    g.add_argument("--seed", type=int, default=7, help="same seed, same bytes (default: 7)")
    g.add_argument("--out", required=True, help="directory: <name>.txt and labels/<name>.json")
    g.add_argument("--gazetteer", default=None, help="entity gazetteer YAML (default: the bundled one)")
    g.add_argument(
        "--from",
        dest="real_from",
        default=None,
        metavar="DIR[,DIR]",
        help="resample real articles (.txt/.md in these folders): paragraphs shuffled across articles, "
        "figures perturbed, chrome lines kept; no labels are written",
    )
    g.set_defaults(func=cmd_gen_corpus)

    b = subparsers.add_parser(
        "bench", help="time the pipeline on corpora of growing size: synthetic, and real text with --from"
    )
    b.add_argument(
        "--sizes",
        type=_sizes,
        default=list(DEFAULT_SIZES_MB),
        help="corpus sizes in MB (default: 10,100; 10,100,1000 with environment variable BENCH_SIZE=large)",
    )
    b.add_argument("--out", default="bench-out", help="corpora, warehouses, bench.json (default: bench-out)")
    b.add_argument("--seed", type=int, default=7, help="same seed, same corpora (default: 7)")
    b.add_argument(
        "--workers", type=int, default=1, help="parallel batch tasks (default 1: exact stage shares)"
    )
    b.add_argument("--batch-mb", type=float, default=16.0, help="raw MB per batch task (default: 16)")
    b.add_argument("--peers", action="store_true", help="also time spaCy and quantulum3 when installed")
    b.add_argument("--accuracy-docs", type=int, default=ACCURACY_DOCS, help="labelled documents to score")
    b.add_argument("--gazetteer", default=None, help="entity gazetteer YAML (default: the bundled one)")
    b.add_argument(
        "--from",
        dest="real_from",
        default=None,
        metavar="DIR[,DIR]",
        help="also run each size on real paragraphs resampled from the articles in these folders",
    )
    b.add_argument("--in-process", action="store_true", help=argparse.SUPPRESS)  # tests: reuse their server
    b.set_defaults(func=cmd_bench)
