# The two commands a new user needs: `make run` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint bench clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

# torch first, pinned: the pin resolves to a local CPU wheel here; a bare `torch`
# dependency would pull several GB of CUDA packages.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

# Start the daemon (if it is not running yet) on the packaged default models, then open
# the chat TUI. The daemon keeps running after the TUI closes: `pocketmind stop`.
run: $(STAMP)
	$(BIN)/pocketmind start
	$(BIN)/pocketmind chat

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy .
	$(BIN)/pytest

bench: $(STAMP)
	$(BIN)/python bench/memory.py

clean:
	rm -rf $(VENV) build *.egg-info
