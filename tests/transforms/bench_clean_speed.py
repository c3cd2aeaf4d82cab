"""How fast is the clean stage on one core? Rerunnable measurement, not a test (no `test_` prefix).

    .venv/bin/quarry gen-corpus --docs 4000 --from ../shared/devset/docs,seeds --out /tmp/corpus  # ~31 MB
    mkdir /tmp/base && git archive main transforms warehouse | tar -x -C /tmp/base  # optional: to compare
    POLARS_MAX_THREADS=1 .venv/bin/python tests/transforms/bench_clean_speed.py /tmp/corpus \
        --cache /tmp/clean_stage --baseline /tmp/base

Reads the documents and decodes them as `flows.evaluate.extract` does (`warehouse.sources` then
`transforms.ingest.decode_documents`; with `--cache DIR` the decoded frame, the clean stage's input, is
saved there as Parquet and read back on later runs), then times `clean_documents` alone, best of
`--repeat` runs, in CPU seconds of this process (steadier than wall time on a shared machine; with
POLARS_MAX_THREADS=1 the two agree on an idle one). Prints MB/s of raw text and the time of each step
of `transforms.clean.clean_documents`. `--baseline DIR` times another version of transforms/ (clean.py
and the helpers it imports) in the same process, alternating runs (the machine's load hits both
alike), and prints the speed ratio and whether both return the same documents, removed spans and
rejects.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import polars as pl  # noqa: E402

from tests.transforms.bench_common import arguments, best_cpu, load_baseline, time_versions  # noqa: E402
from transforms import clean as C  # noqa: E402

_INPUT = "decoded.parquet"


def stage_input(source: str, cache: str | None) -> pl.DataFrame:
    """The clean stage's input (decoded documents), from `cache` when saved there."""
    if cache and (Path(cache) / _INPUT).exists():
        return pl.read_parquet(Path(cache) / _INPUT)
    from transforms import ingest
    from warehouse import sources

    refs, _ = sources.list_sources(source)
    raw, _ = sources.read_batch(refs, 10**10)
    decoded, _ = ingest.decode_documents(raw)
    if cache:
        Path(cache).mkdir(parents=True, exist_ok=True)
        decoded.write_parquet(Path(cache) / _INPUT)
    return decoded


def main() -> None:
    ap = arguments("the clean stage's input")
    args = ap.parse_args()
    docs = stage_input(args.source, args.cache)
    mb = docs["raw_text"].str.len_bytes().sum() / 1e6
    print(f"{docs.height} documents, {mb:.2f} MB raw text")

    versions = {"current": C}
    if args.baseline:
        versions["baseline"] = load_baseline(args.baseline, "transforms.clean")
    for mod in versions.values():
        mod.load_language_model()  # loaded once per run by the flow, not per batch
    best, results = time_versions(versions, lambda mod: mod.clean_documents(docs), args.repeat)
    for name in versions:
        r = results[name]
        print(
            f"{name}: {r.documents.height} documents, {r.removed_spans.height} removed spans, "
            f"{r.rejects.height} rejects: {best[name]:.2f} s CPU = {mb / best[name]:.1f} MB/s"
        )
    if args.baseline:
        a, b = results["current"], results["baseline"]
        same = {f: getattr(a, f).equals(getattr(b, f)) for f in a._fields}
        print(f"speed-up {best['baseline'] / best['current']:.2f}x; identical: {same}")
        for f, ok in same.items():
            if not ok:
                x, y = getattr(a, f), getattr(b, f)
                print(
                    f"  {f} rows only in current / only in baseline:",
                    x.join(y, on=x.columns, how="anti", nulls_equal=True).height,
                    y.join(x, on=y.columns, how="anti", nulls_equal=True).height,
                )
    if args.no_steps:
        return

    def cpu(fn, *a):  # noqa: ANN001, ANN202
        return best_cpu(args.repeat, fn, *a)

    steps = {}
    rows = docs.with_row_index("_row")
    steps["split_lines"], lines = cpu(lambda d: C._split_lines(d.lazy()).collect(), rows)
    steps["line_rules (with normalise)"], lines = cpu(C._line_rules, lines)
    steps["context_rules"], _ = cpu(C._context_rules, lines)
    total = best["current"]
    steps["rest (spans, text, metadata, language)"] = total - sum(steps.values())
    print("  ".join(f"{k} {v:.2f}s" for k, v in steps.items()))


if __name__ == "__main__":
    main()
