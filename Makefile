# TraceLens: `make run` starts everything embedded; `make test` runs the checks and the tests.
# Both create (or reuse) the virtual environment in .venv.

VENV    ?= .venv
PYTHON  ?= $(shell command -v python3.11 || command -v python3)
PY      := $(VENV)/bin/python
STAMP   := $(VENV)/.installed-stamp
CORPUS  ?= .tracelens/bench-corpus

.PHONY: venv run run-scaleout test lint typecheck unit bench-parse bench-pipeline clean

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

venv: $(STAMP)

run: venv
	$(VENV)/bin/tracelens run

# API, outbox relay, two Kafka workers, Tansu (Kafka protocol) and the GCS emulator, on 127.0.0.1.
run-scaleout: venv
	$(PY) -m core.scaleout

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: venv
	$(VENV)/bin/mypy

unit: venv
	$(VENV)/bin/pytest

test: lint typecheck unit

bench-parse: venv
	@test -d $(CORPUS) || $(VENV)/bin/tracelens demo-corpus --reports 200 --seed 11 --out $(CORPUS)
	$(VENV)/bin/tracelens bench parse --corpus $(CORPUS)

bench-pipeline: venv
	$(VENV)/bin/tracelens bench pipeline --reports 200

clean:
	rm -rf .tracelens .pytest_cache .mypy_cache .ruff_cache
