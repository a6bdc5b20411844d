# Every target bootstraps what it needs into .venv from pyproject.toml, so any of them
# works as the first command on a fresh clone. Python 3.12, Lambda's runtime for the skill
# (serverless.yml: SnapStart needs 3.12 or later): `python3` under pyenv reads .python-version.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 5000

.PHONY: install run simulator browser apl-validator serve test lint typecheck bench clean ci audio \
	deploy screenshots

PYTHON_VERSION := $(shell cat .python-version)
$(STAMP): pyproject.toml .python-version
	@# $(PYTHON) must be that version before anything is touched; a venv of another Python
	@# (3.11 before December 2026) is then made again, not upgraded
	@$(PYTHON) -c 'import sys; wanted = tuple(map(int, "$(PYTHON_VERSION)".split("."))); sys.exit(sys.version_info[:len(wanted)] != wanted)' \
		|| { echo "make: $(PYTHON) is not Python $(PYTHON_VERSION) (.python-version): install it" \
		"(pyenv install $(PYTHON_VERSION)) or run make PYTHON=/path/to/python$(PYTHON_VERSION)"; exit 1; }
	@if [ -x $(BIN)/python ] && [ "$$($(BIN)/python -V)" != "$$($(PYTHON) -V)" ]; then \
		echo "$(VENV) is $$($(BIN)/python -V), not $$($(PYTHON) -V): making it again"; \
		rm -rf $(VENV); fi
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[harness,dev]'
	touch $(STAMP)

install: $(STAMP)

# The skill's own app (verification on unless COACH_VERIFY_REQUESTS=0). The browser simulator
# is the test device's: `make simulator`.
run: $(STAMP)
	$(BIN)/flask --app 'skill.app:create_app()' run --host 127.0.0.1 --port $(PORT)

simulator: $(STAMP)
	@echo "The simulator: http://127.0.0.1:$(PORT)/simulator/"
	COACH_VERIFY_REQUESTS=0 $(BIN)/flask --app 'harness.simulator:create_app()' run \
		--host 127.0.0.1 --port $(PORT)

# Headless Chromium and its driver, from Debian's packages, for the simulator's browser tests
# (tests/simulator). Where they cannot be installed (no apt-get, not root) those tests skip and
# say why; nothing else needs them.
BROWSER_PACKAGES := chromium chromium-driver
browser:
	@if command -v chromium >/dev/null && command -v chromedriver >/dev/null; then :; \
	elif command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ]; then \
		echo "Installing $(BROWSER_PACKAGES) for the browser tests"; \
		apt-get install -y -q $(BROWSER_PACKAGES) >/dev/null \
		|| { apt-get update -q >/dev/null && \
		     apt-get install -y -q $(BROWSER_PACKAGES) >/dev/null; } \
		|| echo "make browser: could not install $(BROWSER_PACKAGES): browser tests will skip"; \
	else \
		echo "make browser: no chromium/chromedriver and no root apt-get: browser tests will skip"; \
	fi

# Amazon's APL validator (apl-suggester, pinned in harness/apl_validator/package-lock.json) for
# the screen tests, installed beside its lock file. Where npm cannot install it, those tests skip
# and say why.
APL_VALIDATOR := harness/apl_validator
$(APL_VALIDATOR)/node_modules/.package-lock.json: $(APL_VALIDATOR)/package.json \
		$(APL_VALIDATOR)/package-lock.json
	@command -v npm >/dev/null && npm ci --prefix $(APL_VALIDATOR) --no-audit --no-fund --silent \
	|| echo "make apl-validator: could not install apl-suggester: its tests will skip"

apl-validator: $(APL_VALIDATOR)/node_modules/.package-lock.json

# Production: waitress with the settings in skill/serve.py, on $BIND_ADDRESS:$PORT (default
# 127.0.0.1:8080), verification on. TLS goes in front: README, "Serving in production".
serve: $(STAMP)
	$(BIN)/python -m skill.serve

lint: $(STAMP)
	$(BIN)/ruff check skill tracks harness tests bench publishing
	$(BIN)/ruff format --check skill tracks harness tests bench publishing

typecheck: $(STAMP)
	$(BIN)/mypy

# The suite over one worker more than the cores (pytest-xdist), each taking tests from the
# others when it runs out: about a third of the suite waits on a browser, a local server or the
# clock rather than the CPU (on 2 cores: 68 to 70 s with 2 workers, 62 to 64 s with 3). Plain
# `pytest` runs it in one process. Bytecode is cached even where the environment says not to
# (PYTHONDONTWRITEBYTECODE): recompiling the project and rewriting every test module's asserts
# costs each worker seconds per run.
TEST_WORKERS ?= $(shell $(BIN)/python -c 'import os; cores = os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else range(os.cpu_count() or 1); print(len(cores) + 1)')
test: lint typecheck browser apl-validator
	PYTHONDONTWRITEBYTECODE= $(BIN)/pytest -q -n $(TEST_WORKERS) --dist worksteal

# The pictures in docs/screens, redrawn on purpose (the tests draw theirs in a temporary folder
# and never touch these): the skill's screens in headless Chromium, by the simulator's renderer.
# Commit them when the screen changes; a different Chromium or fonts redraws them slightly.
screenshots: $(STAMP) browser
	$(BIN)/python -m harness.simulator.screenshots --out docs/screens

# Figures for the README; nothing here is asserted by the tests.
bench: $(STAMP)
	$(BIN)/python -m bench.skill_turn
	$(BIN)/python -m bench.lambda_import
	$(BIN)/python -m bench.lambda_import --snapstart
	$(BIN)/python -m bench.render
	$(BIN)/python -m bench.audio
	$(BIN)/python -m bench.hands_free_rests
	$(BIN)/python -m bench.throughput
	$(BIN)/python -m bench.phrases

# The coach's audio tracks (skill/audio/catalog.py) as MP3s in build/audio (gitignored), for
# GET /audio/ and the Lambda bucket. Google's voice by default, as runners hear it (needs the
# internet); AUDIO_ENGINE=espeak builds offline. Unchanged tracks are not rendered again.
AUDIO_ENGINE ?= gtts
AUDIO_DIR ?= build/audio

audio: $(STAMP)
	$(BIN)/python -m tracks.build --engine $(AUDIO_ENGINE) --out $(AUDIO_DIR)

clean:
	rm -rf $(VENV) var renders skill-package build/audio .cache .pytest_cache .mypy_cache .ruff_cache \
		$(APL_VALIDATOR)/node_modules

# The Lambda artifact, .serverless/upper-body-coach.zip, with the pinned Serverless v3 from
# package-lock.json: offline apart from the npm and PyPI registries, with no login and no AWS
# credentials. The venv comes first on PATH so the plugin's python3.12 and pip are the venv's.
SKILL_ID_PLACEHOLDER := amzn1.ask.skill.00000000-0000-0000-0000-000000000000

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund

.PHONY: package test-slow
package: $(STAMP) node_modules/.package-lock.json
	PATH="$(CURDIR)/$(BIN):$$PATH" SLS_TELEMETRY_DISABLED=1 npx --no-install serverless package \
		--stage dev --param="skillId=$(SKILL_ID_PLACEHOLDER)"

# The slow tests, a worker a core: about 235 s in one process, 150 s in two on this machine.
# Those that time an answer (a hung store, slow clients, a crash's apology) keep their bounds
# with the other worker busy, as a loaded server's would.
SLOW_WORKERS ?= $(shell nproc 2>/dev/null || echo 1)
test-slow: $(STAMP)
	$(BIN)/pytest -q -m slow -n $(SLOW_WORKERS) --dist worksteal

# What CI runs: the test suite, then the slow tests (load, crash, and `make package` with a
# check of the Lambda zip it builds).
ci: test test-slow

# Deploy to AWS (docs/deploy.md): the stack, then the audio tracks into its bucket, which the
# stack names in its AudioBucketName output. Needs AWS credentials, the aws CLI and
# SKILL_ID=amzn1.ask.skill.... Only new or changed tracks are uploaded; old ones stay, so a
# track playing during a deploy keeps playing.
STAGE ?= dev
REGION ?= us-east-1

.PHONY: deploy-check
deploy-check:  # before the long audio build
	@test -n "$(SKILL_ID)" || { echo "make deploy needs SKILL_ID=<your skill ID>" >&2; exit 2; }

AUDIO_BUCKET = aws cloudformation describe-stacks --region $(REGION) \
		--stack-name upper-body-coach-$(STAGE) --output text \
		--query "Stacks[0].Outputs[?OutputKey=='AudioBucketName'].OutputValue"
AUDIO_SYNC = aws s3 sync $(AUDIO_DIR) "s3://$$bucket" --region $(REGION) --exclude '*' \
		--include '*.mp3' --content-type audio/mpeg --cache-control 'public, max-age=86400'

# New tracks go up before the code that names them (when the stack exists already), so no
# runner is sent a track that is not there yet; and again after, for a first deploy.
deploy: deploy-check audio node_modules/.package-lock.json
	-bucket=$$($(AUDIO_BUCKET) 2>/dev/null) && test -n "$$bucket" && $(AUDIO_SYNC)
	PATH="$(CURDIR)/$(BIN):$$PATH" SLS_TELEMETRY_DISABLED=1 npx --no-install serverless deploy \
		--stage $(STAGE) --param="skillId=$(SKILL_ID)" --param="region=$(REGION)"
	bucket=$$($(AUDIO_BUCKET)) && $(AUDIO_SYNC)

# The skill package that `ask deploy` uploads (ask-resources.json points at it): skill-package/,
# git-ignored, assembled from manifest/skill.json and interaction_model/*.json, which it copies
# unchanged. SKILL_ENDPOINT is https://your.host/alexa or the Lambda function's ARN + ':snapstart';
# SSL_CERTIFICATE_TYPE (Trusted, Wildcard or SelfSigned) applies to an https endpoint.
SKILL_ENDPOINT ?=
SSL_CERTIFICATE_TYPE ?= Trusted

.PHONY: skill-package model
skill-package: $(STAMP)
	$(BIN)/python -m publishing.skill_package --endpoint '$(SKILL_ENDPOINT)' \
		--ssl-certificate-type '$(SSL_CERTIFICATE_TYPE)'

# interaction_model/en-US.json, expanded from its templates in interaction_model/templates/.
model: $(STAMP)
	$(BIN)/python -m publishing.interaction_model
