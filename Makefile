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

.PHONY: help setup run test lint clean server deploy serve bench

help:
	@echo "make run     set up .venv and run the pipeline over $(SOURCE) into $(WAREHOUSE)"
	@echo "make test    set up .venv and run the test suite"
	@echo "make lint    ruff"
	@echo "make server  local Prefect server + UI on http://127.0.0.1:4200"

.tools/bin/uv:
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet 'uv>=0.5'

$(STAMP): uv.lock pyproject.toml | $(UV)
	$(UV) sync --frozen --python $(PYTHON)
	@touch $(STAMP)

setup: $(STAMP)

run: $(STAMP)
	$(VENV)/bin/quarry run --source $(SOURCE) --warehouse $(WAREHOUSE)

test: $(STAMP)
	$(VENV)/bin/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .

clean:
	rm -rf data .pytest_cache
