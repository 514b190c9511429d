# Two commands do all set-up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint check bench bench-seal graph docs clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml constraints.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[test]'
	touch $(STAMP)

run: $(STAMP)  ## month-end run of the shipped sample into data/journalize.duckdb
	$(BIN)/journalize run

check: $(STAMP)  ## configuration check of the shipped sample
	$(BIN)/journalize check

TEST_WORKERS ?= 2
test: lint  ## the linter, then the whole test suite (TEST_WORKERS processes, a test file each)
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile

lint: $(STAMP)  ## ruff (pyproject.toml [tool.ruff.lint]) and sqlfluff (.sqlfluff): zero findings
	$(BIN)/ruff check flows transforms schemas tests benchmarks data
	$(BIN)/sqlfluff lint transforms/sql

graph: $(STAMP)  ## the run's model graph as Mermaid (README's data-flow picture)
	$(BIN)/journalize graph

docs: $(STAMP)  ## docs/input-tables.md, the input contract, from the pandera schemas (a test fails when it is stale)
	$(BIN)/python -m schemas.docs docs/input-tables.md

bench: $(STAMP)  ## full pipeline at 100k, 1M and 10M lines (+ pandas reference at 1M); prints figures
	$(BIN)/python benchmarks/bench.py

bench-seal: $(STAMP)  ## what sealing costs a 10M-line run: a warm-up, then 3 blocks of unsealed, sealed, sealed, unsealed runs (about 45 min)
	$(BIN)/python benchmarks/bench.py --sizes 10000000 --no-pandas --no-reruns --no-exports --seal-cost 3

clean:
	rm -rf $(VENV) data/journalize.duckdb data/journalize.duckdb.log.jsonl *.egg-info .pytest_cache .hypothesis
