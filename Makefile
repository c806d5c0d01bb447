# The two commands a new user needs: `make run` and `make test`.
#
# Everything installs from requirements.lock (exact versions with sha256 hashes), so a
# fresh clone gets what CI got, whatever PyPI released since. `make lock` refreshes the
# locks; see "Locked dependencies" in README.md.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
LOCK := requirements.lock
PIP_VERSION := 26.3
UV_VERSION := 0.13.9
TORCH_VERSION := 2.13.0
# Where the CPU build of torch comes from when the locks are compiled: this machine's
# wheel folder if it has one, else PyTorch's CPU index.
TORCH_WHEELS ?= $(if $(wildcard /opt/wheels/torch-*),/opt/wheels,https://download.pytorch.org/whl/cpu/torch/)

.PHONY: run test lint bench lock clean adapter

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q pip==$(PIP_VERSION)

# The lock holds every package but torch, each pinned with its hashes, and is installed
# with --no-deps so nothing outside it comes in. torch goes in after it, pinned and
# without dependencies (they are in the lock): a bare `torch` would pull several GB of
# CUDA packages, and the pin resolves to the CPU build.
$(STAMP): $(LOCK) pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q --require-hashes --no-deps -r $(LOCK)
	$(BIN)/pip install -q --no-deps torch==$(TORCH_VERSION)
	$(BIN)/pip install -q --no-deps -e .
	$(BIN)/pip check
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

# Rebuild the shipped default adapter for the packaged SmolLM2 from generated personas
# (fixed seeds; bench/synth_sft.py, training settings in training/default-adapter.toml).
# It took 32 min (1899 s, 600 chats) on 2 CPU cores shared with other work; the result
# replaces models/data/smollm2-135m-pocketmind.gguf (2.6 MB).
ADAPTER_DATA := build/adapter-data
ADAPTER_HOME := build/adapter-home
adapter: $(STAMP)
	$(BIN)/python bench/synth.py $(ADAPTER_DATA) --personas 36 --answers 10 --facts 2 --tools 168 --seed 0
	mkdir -p $(ADAPTER_HOME) && cp training/default-adapter.toml $(ADAPTER_HOME)/config.toml
	POCKETMIND_HOME=$(ADAPTER_HOME) $(BIN)/pocketmind refresh $(ADAPTER_DATA) --from-base \
	    --base $$($(BIN)/python -c "from pocketmind.models.local import packaged_model as p; print(p())") \
	    --out models/data/smollm2-135m-pocketmind.gguf

# Refresh the locks from pyproject.toml: the desktop/dev one (CPython 3.11 on x86-64
# Linux, as CI runs) and the phone's two (Termux's CPython 3.12 on aarch64 Android, with
# and without the in-process engine; numpy and cryptography (mcp needs it, through pyjwt)
# come from Termux's python-numpy and python-cryptography there, not a Rust build).
UV := $(VENV)/bin/uv
UV_COMPILE := $(UV) pip compile pyproject.toml --quiet --generate-hashes --custom-compile-command "make lock"
lock: | $(BIN)/python
	$(BIN)/pip install -q uv==$(UV_VERSION)
	$(UV_COMPILE) --extra dev --python-version 3.11 --python-platform x86_64-manylinux_2_28 \
	    --find-links $(TORCH_WHEELS) --constraint torch-constraint.txt \
	    --no-emit-package torch -o $(LOCK)
	$(UV_COMPILE) --extra termux --python-version 3.12 --python-platform aarch64-linux-android \
	    --no-emit-package numpy --no-emit-package cryptography -o requirements-termux.lock
	$(UV_COMPILE) --python-version 3.12 --python-platform aarch64-linux-android \
	    --no-emit-package numpy --no-emit-package cryptography -o requirements-termux-http.lock

clean:
	rm -rf $(VENV) build *.egg-info
