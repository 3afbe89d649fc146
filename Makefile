# The whole set-up: `make demo` and `make test`. Each creates .venv if needed and installs what it needs.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test lint bench clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e ".[sklearn,plot]"
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e ".[dev]"
	touch $(VENV)/.installed $@

demo: $(VENV)/.installed
	$(BIN)/chainrule train

test: $(VENV)/.installed-dev
	$(BIN)/python -m pytest

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check src tests benchmarks examples

bench: $(VENV)/.installed-dev
	$(BIN)/python benchmarks/engine.py
	$(BIN)/python benchmarks/train.py
	$(BIN)/python benchmarks/serialization.py
	$(BIN)/python benchmarks/random_streams.py
	$(BIN)/python benchmarks/playground.py
	$(BIN)/python benchmarks/classroom.py

clean:
	rm -rf $(VENV) build *.egg-info src/*.egg-info
