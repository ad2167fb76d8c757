# Two commands do all the set-up on a fresh clone: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
READY := $(VENV)/.ready

.PHONY: run test lint unit bench clean

$(READY): pyproject.toml
	$(PYTHON) -c 'import sys; sys.exit("Perezvon needs Python 3.11 or newer") if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

## run: the whole service; with no BOT_TOKEN, a sandbox against the bundled Telegram emulator
run: $(READY)
	$(BIN)/perezvon run

## test: lint (ruff, hadolint) and every test; starts its own Redis unless REDIS_URL is set
test: lint unit

lint: $(READY)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/hadolint Dockerfile

unit: $(READY)
	$(BIN)/pytest

## bench: the benchmarks whose figures the README quotes (minutes; not part of `make test`)
bench: $(READY)
	$(BIN)/python bench/run_all.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
