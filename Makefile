# Every target bootstraps what it needs into .venv from pyproject.toml, so any of them
# works as the first command on a fresh clone.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 5000

.PHONY: install run test lint typecheck bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[harness,dev]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/flask --app 'skill.app:create_app()' run --host 127.0.0.1 --port $(PORT)

lint: $(STAMP)
	$(BIN)/ruff check skill tests bench
	$(BIN)/ruff format --check skill tests bench

typecheck: $(STAMP)
	$(BIN)/mypy

test: lint typecheck
	$(BIN)/pytest -q

bench: $(STAMP)
	$(BIN)/python -m bench.skill_turn

clean:
	rm -rf $(VENV) var renders .cache .pytest_cache .mypy_cache .ruff_cache
