# Vigil: `make run` serves the demo force; `make test` runs the whole suite.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
SEED ?= 1

.PHONY: run setup venv test test-fast lint bench clean

run: setup
	@$(BIN)/vigil demo_users
	@echo "Vigil is serving on http://$(HOST):$(PORT)/ with its background worker (Ctrl+C stops both)"
	@$(BIN)/vigil worker & worker=$$!; \
	trap 'kill -TERM $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT; \
	trap 'exit 130' INT TERM; \
	$(BIN)/gunicorn vigil.wsgi --bind $(HOST):$(PORT) --workers 2 --access-logfile - \
		--access-logformat '%(t)s "%(m)s %(U)s" %(s)s %(L)ss'

setup: venv
	@$(BIN)/vigil migrate --noinput
	@$(BIN)/vigil demo --profile leicestershire-2013 --seed $(SEED) --if-empty

venv: $(VENV)/.installed

$(VENV)/.installed: requirements.lock pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Vigil needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	@touch $@

test: venv
	$(BIN)/pytest

test-fast: venv
	$(BIN)/pytest -m "not slow and not browser"

lint: venv
	$(BIN)/ruff check src tests bench

bench: venv
	$(BIN)/python bench/bench_demo.py
	$(BIN)/python bench/bench_history.py

clean:
	rm -rf $(VENV) var
