"""Where does one step of the metric stage spend its time? Rerunnable measurement, not a test (no `test_`).

    POLARS_MAX_THREADS=1 .venv/bin/python tests/transforms/profile_metrics_step.py /tmp/corpus \
        --cache /tmp/corpus_stage --step attach_subjects

Runs `transforms.metrics.metric_candidates`'s steps up to `--step` on the corpus (its inputs cached as in
bench_metrics_speed.py), so the step reads frames laid out in chunks as in the stage itself (a frame read
back from Parquet is not: polars copies a frame whose columns are chunked apart on every operation).
Then prints, for the step's own statements (top level of its body), the CPU seconds of this process each
takes, best of `--repeat` calls (a lazy frame's cost lands on the statement that collects it), and the
regular expressions the step hands to polars: how many distinct ones, and what compiling them costs.
Polars keeps only the 32 patterns last compiled, per thread: a step using more compiles each of them
again on every call, and that cost is part of the step's time.
"""

from __future__ import annotations

import ast
import inspect
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import polars as pl  # noqa: E402
from polars.expr.string import ExprStringNameSpace  # noqa: E402

from tests.transforms.bench_common import arguments  # noqa: E402
from tests.transforms.bench_metrics_speed import stage_inputs  # noqa: E402
from transforms import metrics as M  # noqa: E402

_REGEX_METHODS = ("contains", "extract", "extract_groups", "replace", "replace_all", "count_matches", "find")


def step_inputs(t: dict[str, pl.DataFrame]) -> dict[str, tuple[Any, ...]]:
    """The arguments each profiled step takes, computed by the steps before it (as `metric_candidates`)."""
    docs, mentions, entities, sentences = (t[k] for k in ("docs", "mentions", "entities", "sentences"))
    sents = M.sentence_frame(docs, sentences)
    _, hits = M.screen_bare_numbers(M.find_candidates(docs, sents))
    ments = M.mention_frame(docs, mentions, entities, sents)
    parsed = M.parse_figures(hits)
    yen = pl.col("cur").str.contains(r"^[¥￥]")
    wanted = parsed.filter((pl.col("_rest_unit") == "_generic") | yen).get_column("_d")
    japan = parsed.filter(yen).get_column("_d")
    units = M.figure_units(parsed, M.document_context(docs, wanted.unique(), japan.unique()))
    cands = M.exclusion_reasons(units, ments)
    kept = cands.lazy().filter(pl.col("reason").is_null()).collect(engine=M._ENGINE)
    kinds = M.figure_kinds(kept)
    directed = M.figure_directions(kinds)
    return {
        "clause_context": (kept,),
        "figure_kinds": (kept,),
        "figure_directions": (kinds,),
        "attach_subjects": (directed, ments),
    }


def instrumented(fn: Callable[..., Any], times: Counter[int]) -> Callable[..., Any]:
    """`fn` recompiled with a CPU clock read before each statement of its body: `times[line]` sums
    the CPU seconds from that statement to the next."""
    tree = ast.parse(inspect.getsource(fn))
    body = tree.body[0].body  # type: ignore[attr-defined]
    last: list[Any] = [None, 0.0]

    def mark(line: int | None) -> None:
        now = time.process_time()
        if last[0] is not None:
            times[last[0]] += now - last[1]
        last[0], last[1] = line, time.process_time()

    marked: list[ast.stmt] = []
    for stmt in body:
        marked += [ast.parse(f"__mark({stmt.lineno})").body[0], stmt]
    end = ast.parse("__mark(None)").body[0]
    tree.body[0].body = [ast.Try(body=marked, handlers=[], orelse=[], finalbody=[end])]  # type: ignore[attr-defined]
    ast.fix_missing_locations(tree)
    space = dict(vars(M), __mark=mark)
    exec(compile(tree, inspect.getsourcefile(fn) or "<step>", "exec"), space)  # noqa: S102
    return space[fn.__name__]


def patterns_of(call: Callable[[], Any]) -> Counter[str]:
    """The regular expressions (not literals) `call` passes to polars' string methods, with their uses."""
    seen: Counter[str] = Counter()
    originals = {m: getattr(ExprStringNameSpace, m) for m in _REGEX_METHODS}

    def spy(method: str) -> Callable[..., Any]:
        def wrapped(self: Any, pattern: Any, *a: Any, **k: Any) -> Any:
            if isinstance(pattern, str) and not k.get("literal", False):
                seen[pattern] += 1
            return originals[method](self, pattern, *a, **k)

        return wrapped

    for m in _REGEX_METHODS:
        setattr(ExprStringNameSpace, m, spy(m))
    try:
        call()
    finally:
        for m, f in originals.items():
            setattr(ExprStringNameSpace, m, f)
    return seen


def compile_seconds(pattern: str) -> float:
    """CPU seconds polars takes to compile `pattern` when it is not in its cache (median of three)."""
    one = pl.Series([""])
    runs = []
    for _ in range(3):
        for i in range(40):  # (pushes `pattern` out of the 32-pattern cache)
            one.str.contains(f"flush{i}")
        t0 = time.process_time()
        one.str.contains(pattern)
        runs.append(time.process_time() - t0)
    return sorted(runs)[1]


def main() -> None:
    ap = arguments("the metric stage's inputs")
    ap.add_argument("--step", default="attach_subjects", help="a step named in step_inputs")
    args = ap.parse_args()
    inputs = step_inputs(stage_inputs(args.source, args.cache))[args.step]
    fn = getattr(M, args.step)
    times: Counter[int] = Counter()
    profiled = instrumented(fn, times)
    best, rounds = float("inf"), []
    for _ in range(args.repeat):
        before = Counter(times)
        t0 = time.process_time()
        profiled(*inputs)
        total = time.process_time() - t0
        rounds.append(Counter({k: v - before[k] for k, v in times.items()}))
        best = min(best, total)
    lines, first = inspect.getsourcelines(fn)
    print(f"{args.step}: {best:.3f} s CPU (best of {args.repeat}); per statement, best round:")
    for line, cpu in sorted({k: min(r[k] for r in rounds) for k in times}.items()):
        if cpu >= 0.002:
            print(f"  {cpu * 1000:7.1f} ms  line {line + first - 1:5d}  {lines[line - 1].strip()[:80]}")
    seen = patterns_of(lambda: fn(*inputs))
    costs = sorted(((compile_seconds(p), p) for p in seen), reverse=True)
    print(
        f"{len(seen)} distinct regular expressions ({sum(seen.values())} uses); compiling them all: "
        f"{sum(c for c, _ in costs) * 1000:.0f} ms, paid on every call once more than 32 are used"
    )
    for c, p in costs[:8]:
        print(f"  {c * 1000:6.2f} ms  {p[:90]}")


if __name__ == "__main__":
    main()
