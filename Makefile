# Two commands on a fresh machine: `make demo` and `make test`. Both set everything up first.
# `make check` runs ruff, mypy, the import layers contract and the docstring checks.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export HF_HUB_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false

.PHONY: install chromium demo test test-fast check clean

PLUGIN := tests/plugins/curate-example-plugin

PLUGIN_STAMP := $(VENV)/.plugin-installed

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip setuptools wheel
	# torch is pinned inside the 'embed' extra, in the same install as sentence-transformers,
	# so pip takes the CPU build instead of several GB of CUDA packages.
	$(BIN)/python -m pip install --quiet -e '.[embed,korean,image,review,dev,ray]'
	touch $(STAMP)

# The example plugin the tests find through its entry points (tests/test_plugins.py), installed for
# the tests only, so that `make demo` on a fresh machine runs curate's own detectors. --no-deps: its
# one dependency, curate, is this checkout, never one from the index.
$(PLUGIN_STAMP): $(STAMP) $(PLUGIN)/pyproject.toml
	$(BIN)/python -m pip install --quiet --no-deps -e $(PLUGIN)
	touch $(PLUGIN_STAMP)

# Browser tests drive Debian's Chromium through Playwright; 'playwright install' is never used
# (it downloads its own browser). Installs the package as root when it is missing (CI runs as root).
# fonts-nanum: without a Korean font Chromium draws Hangul as empty boxes, and a browser test checks it does not.
chromium:
	@{ command -v chromium >/dev/null && fc-list :lang=ko | grep -q .; } || { test "$$(id -u)" = 0 || { echo "chromium or a Korean font is missing: run 'sudo apt-get install -y chromium fonts-nanum'" >&2; exit 1; }; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-nanum >/dev/null; }

install: $(STAMP)

demo: install
	$(BIN)/python -m curate.cli.demo

test: install $(PLUGIN_STAMP) chromium
	$(BIN)/python -m pytest

test-fast: install $(PLUGIN_STAMP)
	$(BIN)/python -m pytest -m "not slow"

check: install
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/numpydoc lint $$(find src -name '*.py' | sort)

clean:
	rm -rf $(VENV) demo-workspace .pytest_cache .mypy_cache .ruff_cache
