# Every target bootstraps what it needs into .venv from pyproject.toml, so any of them
# works as the first command on a fresh clone.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 5000

.PHONY: install run test lint typecheck bench clean ci

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[harness,dev]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/flask --app 'skill.app:create_app()' run --host 127.0.0.1 --port $(PORT)

lint: $(STAMP)
	$(BIN)/ruff check skill harness tests bench publishing
	$(BIN)/ruff format --check skill harness tests bench publishing

typecheck: $(STAMP)
	$(BIN)/mypy

test: lint typecheck
	$(BIN)/pytest -q

# Figures for the README; nothing here is asserted by the tests.
bench: $(STAMP)
	$(BIN)/python -m bench.skill_turn
	$(BIN)/python -m bench.lambda_import
	$(BIN)/python -m bench.render
	$(BIN)/python -m bench.throughput

clean:
	rm -rf $(VENV) var renders skill-package .cache .pytest_cache .mypy_cache .ruff_cache

# The Lambda artifact, .serverless/upper-body-coach.zip, with the pinned Serverless v3 from
# package-lock.json: offline apart from the npm and PyPI registries, with no login and no AWS
# credentials. The venv comes first on PATH so the plugin's python3.11 and pip are the venv's.
SKILL_ID_PLACEHOLDER := amzn1.ask.skill.00000000-0000-0000-0000-000000000000

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund

.PHONY: package test-slow
package: $(STAMP) node_modules/.package-lock.json
	PATH="$(CURDIR)/$(BIN):$$PATH" SLS_TELEMETRY_DISABLED=1 npx --no-install serverless package \
		--stage dev --param="skillId=$(SKILL_ID_PLACEHOLDER)"

test-slow: $(STAMP)
	$(BIN)/pytest -q -m slow

# What CI runs: the test suite, then the slow tests (load, crash, and `make package` with a
# check of the Lambda zip it builds).
ci: test test-slow

# The skill package that `ask deploy` uploads (ask-resources.json points at it): skill-package/,
# git-ignored, assembled from manifest/skill.json and interaction_model/*.json, which it copies
# unchanged. SKILL_ENDPOINT is https://your.host/alexa or the Lambda function's ARN;
# SSL_CERTIFICATE_TYPE (Trusted, Wildcard or SelfSigned) applies to an https endpoint.
SKILL_ENDPOINT ?=
SSL_CERTIFICATE_TYPE ?= Trusted

.PHONY: skill-package
skill-package: $(STAMP)
	$(BIN)/python -m publishing.skill_package --endpoint '$(SKILL_ENDPOINT)' \
		--ssl-certificate-type '$(SSL_CERTIFICATE_TYPE)'
