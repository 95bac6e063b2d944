# TraceLens: `make run` starts everything embedded; `make test` runs the checks and the tests.
# Both create (or reuse) the virtual environment in .venv.

VENV    ?= .venv
PYTHON  ?= $(shell command -v python3.11 || command -v python3)
PY      := $(VENV)/bin/python
STAMP   := $(VENV)/.installed-stamp
# Policy scanners pin libraries the application also uses (checkov pins packaging, networkx,
# boto3), so they get an environment of their own; tests call its executables.
TOOLS   ?= .venv-tools
TOOLS_STAMP := $(TOOLS)/.installed-stamp
CORPUS  ?= .tracelens/bench-corpus

.PHONY: venv tools run run-scaleout test lint typecheck unit bench-parse bench-pipeline clean

# The last step installs unstructured's sentence splitter for offline use: spaCy's blank English
# pipeline under the name unstructured loads (it would download en_core_web_sm at first use).
$(STAMP): pyproject.toml packaging/en_core_web_sm/pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	$(PY) -m pip install --quiet --no-deps ./packaging/en_core_web_sm
	@touch $(STAMP)

venv: $(STAMP)

$(TOOLS_STAMP): requirements-tools.txt
	@test -x $(TOOLS)/bin/python || $(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/python -m pip install --quiet --upgrade pip
	$(TOOLS)/bin/python -m pip install --quiet -r requirements-tools.txt
	@touch $(TOOLS_STAMP)

tools: $(TOOLS_STAMP)

# `tracelens run` is a devtools command (it generates the sample corpus): the venv has the dev extra.
run: venv
	$(VENV)/bin/tracelens run

# API, outbox relay, two Kafka workers, Tansu (Kafka protocol) and the GCS emulator, on 127.0.0.1.
run-scaleout: venv
	$(PY) -m devtools.stack.scaleout

# lint-imports: the package layers and contracts in pyproject.toml ([tool.importlinter]).
lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

typecheck: venv
	$(VENV)/bin/mypy

unit: venv tools
	$(VENV)/bin/pytest

test: lint typecheck unit

bench-parse: venv
	@test -d $(CORPUS) || $(VENV)/bin/tracelens demo-corpus --reports 200 --seed 11 --out $(CORPUS)
	$(VENV)/bin/tracelens bench parse --corpus $(CORPUS)

bench-pipeline: venv
	$(VENV)/bin/tracelens bench pipeline --reports 200

clean:
	rm -rf .tracelens .pytest_cache .mypy_cache .ruff_cache
