# credstack — one entry point. `make run` and `make test` do all set-up on a fresh machine.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000
export CREDSTACK_HOME ?= $(CURDIR)/var
# `make run PORT=8123` also makes the public origin (used in every URL and credential id) match.
run: export CREDSTACK_BASE_URL ?= http://$(HOST):$(PORT)

.PHONY: run test bench lint fmt worker venv native migrate demo clean help

help:
	@echo "make run    - set up, migrate, load the demo program (empty database) and serve on http://$(HOST):$(PORT)"
	@echo "make test   - set up, then the whole test suite (SQLite; PostgreSQL, Redis and a browser when present)"
	@echo "make bench  - benchmarks"
	@echo "make lint   - ruff + mypy"
	@echo "make fmt    - format with ruff"
	@echo "make native - compile the credential core's hot path with mypyc (done by the others when needed)"
	@echo "make worker - a Celery worker (needs REDIS_URL)"

$(BIN)/.installed: requirements.lock requirements-dev.lock pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "credstack needs Python 3.11 or newer")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock -r requirements-dev.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	@touch $@

# The credential core's hot path compiled with mypyc (plain Python when there is no C compiler); rebuilt when
# its source changes. See scripts/build_native.py.
NATIVE_SOURCES := src/credstack/vc/fastld.py src/credstack/vc/hotpath.py scripts/build_native.py
$(BIN)/.native: $(BIN)/.installed $(NATIVE_SOURCES)
	$(BIN)/python scripts/build_native.py
	@touch $@

venv: $(BIN)/.installed $(BIN)/.native

native: $(BIN)/.installed
	$(BIN)/python scripts/build_native.py
	@touch $(BIN)/.native

migrate: venv
	$(BIN)/credstack migrate --no-input -v 0

demo: migrate
	$(BIN)/credstack demo

run: migrate
	@$(BIN)/credstack demo --if-empty
	@echo ""
	@echo "credstack is starting on http://$(HOST):$(PORT)/  (Ctrl-C stops it)"
	$(BIN)/credstack serve --host $(HOST) --port $(PORT)

worker: migrate
	$(BIN)/credstack worker

test: venv
	@bash scripts/test.sh

bench: venv
	$(BIN)/python -m benchmarks

lint: venv
	$(BIN)/ruff check src tests benchmarks scripts
	$(BIN)/ruff format --check src tests benchmarks scripts
	$(BIN)/mypy

fmt: venv
	$(BIN)/ruff format src tests benchmarks scripts
	$(BIN)/ruff check --fix src tests benchmarks scripts

clean:
	rm -rf $(VENV) build dist *.egg-info
	python3 scripts/build_native.py --clean
