# ltsim — everything a fresh machine needs starts here.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SCENARIO ?= scenarios/asker/planned.yaml

.PHONY: run plan test bench lint clean venv

venv: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/ltsim run $(SCENARIO)

# plan Asker's horizon again and rewrite the planned variant that make run reports on (a few minutes: 60 s a solve at most)
plan: $(STAMP)
	$(BIN)/ltsim plan scenarios/asker/base.yaml --time-limit 60 --variant scenarios/asker/planned.yaml

test: $(STAMP)
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py
	$(BIN)/python benchmarks/bench_optimize.py --time-limit 30
	$(BIN)/python benchmarks/bench_plan.py --time-limit 60
	$(BIN)/python benchmarks/bench_serve.py

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis
