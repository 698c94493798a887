# bargainsim: two commands for a fresh clone — `make demo` and `make test`.
# python3 resolves to 3.12 in this directory through pyenv's .python-version.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: demo test test-fast lint bench install clean viz-setup

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else "bargainsim needs Python >= 3.12; found " + sys.version.split()[0] + " (set PYTHON=python3.12)")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/bargainsim demo

test: $(STAMP) viz-setup
	$(BIN)/python -m pytest -n 2 -q

# the app's front-end files (the package's own module, from the npm registry), then chromium
# (apt-get) and playwright (pip) for the browser tests; idempotent, asks nothing. A failure
# is reported and the tests still run (the browser tests then say what is missing).
viz-setup: $(STAMP)
	-$(BIN)/python -m bargainsim.viz.frontend
	$(BIN)/python tools/setup_browser.py

test-fast: $(STAMP)
	$(BIN)/python -m pytest -n 2 -q -m "not slow"

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks examples tools

bench: $(STAMP)
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) build dist src/*.egg-info
