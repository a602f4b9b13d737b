# Monitr's everyday commands. Everything runs from the project's own virtualenv in .venv.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
PYTEST_ARGS ?=
BENCH_ARGS ?=
MESSAGES_IGNORE := --ignore ".venv/*" --ignore "tests/*" --ignore "bench/*" --ignore "var/*" --ignore "docs/*"

.PHONY: install demo test test-full lint format bench messages clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	@touch $(STAMP)

install: $(STAMP) ## Create .venv and install Monitr with its test dependencies.

demo: $(STAMP) ## Run Monitr locally: demo organisation, e-Boekhouden sandbox, worker.
	$(BIN)/python manage.py demo $(DEMO_ARGS)

test: $(STAMP) ## Run the test suite (PostgreSQL when DATABASE_URL is set, else SQLite).
	$(BIN)/python -m pytest $(PYTEST_ARGS)

test-full: $(STAMP) ## The test suite including the long versions of the reliability suites.
	$(BIN)/python -m pytest --run-slow $(PYTEST_ARGS)

bench: $(STAMP) ## Benchmarks on PostgreSQL (DATABASE_URL): a table, and bench/results/latest.json.
	$(BIN)/python bench/run.py $(BENCH_ARGS)

lint: $(STAMP) ## Check the code: ruff, the import contracts between the apps (lint-imports) and the types (mypy).
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

messages: $(STAMP) ## After changing marked strings: update locale/nl's catalogues, then (after translating) compile them.
	$(BIN)/python manage.py makemessages -l nl --no-obsolete $(MESSAGES_IGNORE)
	$(BIN)/python manage.py compilemessages -l nl --ignore ".venv"

clean:
	rm -rf var/ .pytest_cache .ruff_cache .mypy_cache .import_linter_cache
