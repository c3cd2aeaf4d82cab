# quarry: every target bootstraps its own environment from the lock file (uv.lock) into .venv/.
SHELL := /bin/bash
PYTHON ?= python3
UV := $(shell command -v uv 2>/dev/null || echo .tools/bin/uv)
VENV := .venv
STAMP := $(VENV)/.synced
export PREFECT_SERVER_ANALYTICS_ENABLED ?= false
export GX_ANALYTICS_ENABLED ?= false
export UV_PYTHON_DOWNLOADS ?= never

SOURCE ?= seeds
WAREHOUSE ?= data/quarry.duckdb

.PHONY: help setup run test lint clean server deploy serve bench compact

help:
	@echo "make run     set up .venv and run the pipeline over $(SOURCE) into $(WAREHOUSE)"
	@echo "make test    set up .venv and run the test suite"
	@echo "make lint    ruff"
	@echo "make server  local Prefect server + UI on http://127.0.0.1:4200"
	@echo "make deploy  register quarry-pipeline/nightly; make serve: execute its runs"
	@echo "make bench   time the pipeline on 10 and 100 MB synthetic and real-text corpora (BENCH_SIZE=large adds 1000)"

.tools/bin/uv:
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet 'uv>=0.5'

# --compile-bytecode: write every .pyc at install. Where PYTHONDONTWRITEBYTECODE is set (as on our CI
# machines) Python would otherwise compile GX, Prefect and scipy from source in every process: measured
# `python -c "import great_expectations, prefect, polars, duckdb"` 8.4 s -> 4.0 s.
# Then the numba kernels of transforms/ are compiled once, on seeds/ (flows.evaluate.compile_kernels, ~20 s):
# a fresh clone's first run compiled them inside its stages (5 seeds: 28.6 s wall -> 10.4 s with this
# step), and make test's two workers each compiled their own copy at the same time.
$(STAMP): uv.lock pyproject.toml Makefile | $(UV)
	$(UV) sync --frozen --compile-bytecode --python $(PYTHON)
	$(VENV)/bin/python -c "from flows.evaluate import compile_kernels; from warehouse.reference import DEFAULT_GAZETTEER; compile_kernels('seeds', str(DEFAULT_GAZETTEER))"
	@touch $(STAMP)

setup: $(STAMP)

# quarry's own modules as .pyc, brought up to date by make run, test and bench (only changed files are
# compiled): where PYTHONDONTWRITEBYTECODE is set, every process compiled them from source, ~0.8 s of each
# start-up (importing flows.pipeline and the transforms: 3.8 s -> 3.0 s measured, this 2-core machine).
BYTECODE = $(VENV)/bin/python -m compileall -q -j 0 flows transforms expectations warehouse

run: $(STAMP)
	@$(BYTECODE)
	$(VENV)/bin/quarry run --source $(SOURCE) --warehouse $(WAREHOUSE)

# Two workers (pytest-xdist), one test file per worker at a time: a file's module fixtures (one
# pipeline run read by many tests) are built once; tests/conftest.py gives both workers one Prefect server
# and hands out the slowest files first (--no-loadscope-reorder keeps its order). Not three, though the
# suite waits on subprocesses, signals and the API ~15% of its wall: on a fresh clone (2026-12-02, one
# 2-core machine) 3 workers took 10 min 13 s against 9 min 28 s for 2, and the shared Prefect server
# (SQLite) answered a request with 503 under the extra load.
PYTEST_WORKERS ?= 2
test: $(STAMP)
	@$(BYTECODE)
	$(VENV)/bin/python -m pytest -n $(PYTEST_WORKERS) --dist loadfile --no-loadscope-reorder $(PYTEST_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .

clean:
	rm -rf data .pytest_cache
PREFECT_PORT ?= 4200
export QUARRY_API := http://127.0.0.1:$(PREFECT_PORT)/api

server: $(STAMP)  ## local Prefect server + UI on http://127.0.0.1:4200 (loopback only)
	$(VENV)/bin/prefect server start --host 127.0.0.1 --port $(PREFECT_PORT)

deploy: $(STAMP)  ## register quarry-pipeline/nightly (cron 02:00, TZ from QUARRY_TIMEZONE) on that server
	PREFECT_API_URL=$(QUARRY_API) $(VENV)/bin/quarry deploy

serve: $(STAMP)  ## execute scheduled and UI-triggered runs of the deployment
	PREFECT_API_URL=$(QUARRY_API) $(VENV)/bin/quarry serve

BENCH_SIZES ?= 10,100
BENCH_OUT ?= bench-out
comma := ,
# Real text for the second corpus: the devset's articles when ../shared is beside the clone, and seeds/.
BENCH_FROM ?= $(if $(wildcard ../shared/devset/docs),../shared/devset/docs$(comma))seeds

bench: $(STAMP)  ## time the pipeline on 10 and 100 MB synthetic and real-text corpora (BENCH_SIZE=large adds 1000)
	$(UV) sync --frozen --inexact --compile-bytecode --extra bench --python $(PYTHON)  # peers (spaCy, quantulum3) + chart
	@$(BYTECODE)
	BENCH_SIZE=$(BENCH_SIZE) $(VENV)/bin/quarry bench --sizes $(BENCH_SIZES) --out $(BENCH_OUT) --from $(BENCH_FROM) --peers $(BENCH_ARGS)

compact: $(STAMP)
	$(VENV)/bin/quarry compact --warehouse $(WAREHOUSE)
