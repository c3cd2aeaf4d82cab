"""How fast is the entity stage on one core? Rerunnable measurement, not a test (no `test_` prefix).

    .venv/bin/quarry gen-corpus --docs 4000 --from ../shared/devset/docs,seeds --out /tmp/corpus  # ~31 MB
    mkdir /tmp/base && git archive main transforms warehouse | tar -x -C /tmp/base  # optional: to compare
    POLARS_MAX_THREADS=1 .venv/bin/python tests/transforms/bench_entities_speed.py /tmp/corpus \
        --cache /tmp/corpus_stage --baseline /tmp/base

Runs ingest -> clean once (with `--cache DIR` the cleaned documents are saved there as docs.parquet and
read back on later runs; a folder already holding docs.parquet with doc_id, text works as the cache),
loads the gazetteer and lexicons as the pipeline does (`flows.evaluate.reference_data`), then times
`extract_mentions` alone, best of `--repeat` runs, in CPU seconds of this process (steadier than wall
time on a shared machine; with POLARS_MAX_THREADS=1 the two agree on an idle one). Prints MB/s of
cleaned text and the CPU time of each named step of `transforms.entities._candidates` (inclusive: a
step's time holds the steps it calls). `--baseline DIR` times another version of transforms/ (entities.py
and the helpers it imports) in the same process, alternating runs (the machine's load hits both alike),
and prints the speed ratio and whether both return the same mentions and entities frames (each sorted
by all its columns first). Last, the CPU time of a call on one document: the fixed cost of a call.
"""

from __future__ import annotations

import functools
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import polars as pl  # noqa: E402

from flows.evaluate import reference_data  # noqa: E402
from tests.transforms.bench_common import arguments, load_baseline, time_versions  # noqa: E402
from transforms import entities as E  # noqa: E402
from warehouse.reference import DEFAULT_GAZETTEER  # noqa: E402

# Functions of transforms.entities whose CPU time is reported (called by `_candidates`).
_STEPS = (
    "_repeated_lines",
    "_pattern_forms",
    "_list_items",
    "_valid_forms",
    "_link_forms",
    "_search",
    "_gazetteer_hits",
    "_pattern_hits",
    "_link_hits",
    "_resolve_overlaps",
    "_candidates",
)


def cleaned_docs(source: str, cache: str | None) -> pl.DataFrame:
    """doc_id, text of the cleaned documents of `source`, from `cache`/docs.parquet when saved there."""
    if cache and (Path(cache) / "docs.parquet").exists():
        return pl.read_parquet(Path(cache) / "docs.parquet").select("doc_id", "text")
    from transforms import clean as clean_t
    from transforms import ingest as ingest_t
    from warehouse import sources

    refs, _ = sources.list_sources(source)
    raw, _ = sources.read_batch(refs, 10**10)
    decoded, _ = ingest_t.decode_documents(raw)
    docs = clean_t.clean_documents(decoded).documents.select("doc_id", "text")
    if cache:
        Path(cache).mkdir(parents=True, exist_ok=True)
        docs.write_parquet(Path(cache) / "docs.parquet")
    return docs


def _sorted(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.sort(frame.columns, nulls_last=True)


def step_times(docs: pl.DataFrame, gaz: pl.DataFrame, version: str, lexicons: dict) -> dict[str, float]:
    """CPU seconds spent in each of `_STEPS` during one `extract_mentions` run (summed over calls)."""
    spent = dict.fromkeys(_STEPS, 0.0)
    originals = {name: getattr(E, name) for name in _STEPS if hasattr(E, name)}

    def timed(name, fn):  # noqa: ANN001, ANN202
        @functools.wraps(fn)
        def run(*a, **k):  # noqa: ANN002, ANN003, ANN202
            t0 = time.process_time()
            try:
                return fn(*a, **k)
            finally:
                spent[name] += time.process_time() - t0

        return run

    try:
        for name, fn in originals.items():
            setattr(E, name, timed(name, fn))
        t0 = time.process_time()
        E.extract_mentions(docs, gaz, version, lexicons)
        spent["extract_mentions"] = time.process_time() - t0
    finally:
        for name, fn in originals.items():
            setattr(E, name, fn)
    return {k: v for k, v in spent.items() if k in originals or k == "extract_mentions"}


def main() -> None:
    ap = arguments("the cleaned documents")
    args = ap.parse_args()
    docs = cleaned_docs(args.source, args.cache)
    mb = docs["text"].str.len_bytes().sum() / 1e6
    gaz, version, lexicons = reference_data(str(DEFAULT_GAZETTEER))
    print(f"{docs.height} documents, {mb:.2f} MB cleaned text, {gaz.height} gazetteer forms")

    versions = {"current": E}
    if args.baseline:
        versions["baseline"] = load_baseline(args.baseline, "transforms.entities")
    for mod in versions.values():
        mod.extract_mentions(docs.head(2), gaz, version, lexicons)  # warm-up (regex compilation)
    best, frames = time_versions(
        versions, lambda mod: mod.extract_mentions(docs, gaz, version, lexicons), args.repeat
    )
    for name in versions:
        mentions, entities = frames[name]
        print(
            f"{name}: {mentions.height} mentions, {entities.height} discovered entities: "
            f"{best[name]:.2f} s CPU = {mb / best[name]:.1f} MB/s"
        )
    if args.baseline:
        same = [
            _sorted(a).equals(_sorted(b)) for a, b in zip(frames["current"], frames["baseline"], strict=True)
        ]
        print(
            f"speed-up {best['baseline'] / best['current']:.2f}x; identical mentions: {same[0]}; "
            f"identical entities: {same[1]}"
        )
        for label, ok, a, b in zip(
            ("mentions", "entities"), same, frames["current"], frames["baseline"], strict=True
        ):
            if not ok:
                print(
                    f"  {label} rows only in current / only in baseline:",
                    a.join(b, on=a.columns, how="anti", nulls_equal=True).height,
                    b.join(a, on=b.columns, how="anti", nulls_equal=True).height,
                )
    # The pipeline calls the stage once per batch (a few MB): a fixed cost per call (regex compilation,
    # the automaton, lexicon sets) weighs there as it does not on one large call.
    one = docs.head(1)
    fixed = {}
    for name, mod in versions.items():
        fixed[name] = float("inf")
        for _ in range(args.repeat):
            t0 = time.process_time()
            mod.extract_mentions(one, gaz, version, lexicons)
            fixed[name] = min(fixed[name], time.process_time() - t0)
    print("one document per call: " + ", ".join(f"{k} {v:.3f} s CPU" for k, v in fixed.items()))
    if args.no_steps:
        return
    steps = step_times(docs, gaz, version, lexicons)
    print("  ".join(f"{k} {v:.2f}s" for k, v in steps.items()))


if __name__ == "__main__":
    main()
