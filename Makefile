# The whole set-up: `make demo` and `make test`. Each creates .venv if needed and installs what it needs.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin

# The op suites that tests/oracle.py can run on another device (CHAINRULE_TEST_DEVICE=fake|cuda).
DEVICE_SUITES := tests/engine/test_elementwise.py tests/engine/test_ops.py tests/engine/test_indexing.py \
	tests/engine/test_sorting.py tests/engine/test_conv_ops.py tests/nn/test_functional.py tests/nn/test_batchnorm.py \
	tests/nn/test_normalization_sparse.py tests/nn/test_penalties.py tests/nn/test_pooling.py

.PHONY: demo test test-gpu lint bench bench-gpu clean

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
	CHAINRULE_TEST_DEVICE=fake $(BIN)/python -m pytest -p no:cacheprovider $(DEVICE_SUITES) tests/gpu

# On a CUDA machine, with its own python3 (NumPy, CuPy, PyTorch, pytest) and no installs: the GPU tests and
# the op suites with chainrule's side on the GPU.
test-gpu:
	PYTHONPATH=src $(PY) -m pytest -p no:cacheprovider -rs tests/gpu
	CHAINRULE_TEST_DEVICE=cuda PYTHONPATH=src $(PY) -m pytest -p no:cacheprovider $(DEVICE_SUITES)

bench-gpu:
	PYTHONPATH=src $(PY) benchmarks/gpu.py

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
