# Quickstart targets: both work on a fresh machine with only Python 3.11 and make.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test lint typecheck unit bench eval eval-tools clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.installed

demo: $(VENV)/.installed
	$(BIN)/python fixtures/generated.py incidents
	$(BIN)/log-analyzer sources fixtures/incidents/checkout/
	$(BIN)/log-analyzer investigate fixtures/incidents/checkout/

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(VENV)/.installed-dev
	$(BIN)/mypy

unit: $(VENV)/.installed-dev
	$(BIN)/pytest

test: lint typecheck unit

$(VENV)/.installed-bench: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	touch $@ $(VENV)/.installed-dev $(VENV)/.installed

bench: $(VENV)/.installed-bench
	$(BIN)/python benchmarks/bench_parse.py
	$(BIN)/python benchmarks/bench_mining.py --accuracy --speed

# Answer-quality evals against real models (costs money): evals/README.md
eval: $(VENV)/.installed-dev
	$(BIN)/python evals/run.py $(if $(MODELS),--models $(MODELS)) $(if $(PROVIDER),--provider $(PROVIDER)) $(if $(BASE_URL),--base-url $(BASE_URL))

# The same cases scored on the deterministic tools' answer alone: no model, no key, free
eval-tools: $(VENV)/.installed-dev
	$(BIN)/python evals/run.py --tools-only

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
