# Entry points for developers and CI (`make help`).
#
# Every target runs with .tools/pulumi first on PATH, so `pulumi` is the
# pinned v3.274.0 bundle that scripts/bootstrap.sh installs there.

SHELL := /bin/bash
.DEFAULT_GOAL := help

PULUMI_BIN := $(CURDIR)/.tools/pulumi
export PATH := $(PULUMI_BIN):$(PATH)
export PULUMI_SKIP_UPDATE_CHECK := true
# Keep the CLI's plugins, logs and credentials inside the checkout unless the
# caller chose a PULUMI_HOME.
export PULUMI_HOME ?= $(CURDIR)/.tools/pulumi-home

# Local file backend of this project. Pulumi.yaml already says
# backend.url: file://./.pulumi-state, but the CLI resolves that relative to
# the *current directory* (not Pulumi.yaml's), so stack targets should pass
# this absolute form: PULUMI_BACKEND_URL=$(PULUMI_STATE_URL) pulumi ...
PULUMI_STATE_URL := file://$(CURDIR)/.pulumi-state

# Not called PYTHON: that one is bootstrap's (the interpreter a new .venv is made with).
VENV_PYTHON := $(CURDIR)/.venv/bin/python
PYTEST_ARGS ?=
# Parallel pytest-xdist workers for `make test` (each with its own emulator and engine state; tests/conftest.py
# groups what must share a process). PYTEST_WORKERS=0 runs everything in one process.
PYTEST_WORKERS ?= 2
# If set, `make test` also writes pytest's exit code to this file (.ci/run uses it).
PYTEST_RC_FILE ?=

.PHONY: help bootstrap venv test test-python lint up preview refresh destroy down recover docs test-live

help:
	@echo "make bootstrap  - .venv (PYTHON=... picks the interpreter, else the newest >= 3.11) + a Pulumi CLI in"
	@echo "                  .tools/pulumi (an installed one >= the SDK is reused; else cached or built: 6-12 min once)"
	@echo "make test       - bootstrap, then pytest -q tests on PYTEST_WORKERS=2 parallel workers (PYTEST_ARGS=...)"
	@echo "make test-python - unit, e2e lifecycle and packaging tests on Python $(ALT_PYTHON) in .venv-$(ALT_PYTHON) (ALT_PYTHON=3.12 for another)"
	@echo "make lint       - ruff check ."
	@echo "make docs       - regenerate docs/resources.md, then build the manual (docs/, mkdocs.yml) with --strict into site/"
	@echo "make test-live  - e2e + live suites against real Tencent Cloud (SMH_LIVE=1; see tests/live/README.md)"
	@echo "make up         - start the emulator if the stack uses it, pulumi up stack \$$STACK (default local)"
	@echo "make preview    - pulumi preview --diff (POLICY=1 adds the policy pack in policy/ with policy/config.json;"
	@echo "                  POLICY_CONFIG=file picks another config)"
	@echo "make refresh    - pulumi refresh"
	@echo "make destroy    - pulumi destroy"
	@echo "make down       - stop every emulator that make up/preview/... started (one pid file per port)"
	@echo "make recover    - after an interrupted up: unlock, refresh --clear-pending-creates, up (scripts/recover.sh)"
	@echo "make discover   - an account's libraries, spaces, albums -> discovered/import.json + stack config (REGIONS=...)"
	@echo "make soak       - long random walks over the stack program, random seeds (WALK_SEEDS=10 WALK_STEPS=100;"
	@echo "                  WALK_SEED=n fixes the first seed): figures in docs/reliability.md"
	@echo "make bench      - benchmarks (not part of make test): docs/benchmarks.md (BENCH_ARGS=... see bench/README.md)"

bootstrap:
	@scripts/bootstrap.sh

# Python only (no Pulumi build): enough for lint.
venv:
	@scripts/bootstrap.sh --venv-only

test: bootstrap
	@rc=0; $(VENV_PYTHON) -m pytest -q -n $(PYTEST_WORKERS) $(PYTEST_ARGS) tests || rc=$$?; \
	if [ -n "$(PYTEST_RC_FILE)" ]; then echo $$rc > "$(PYTEST_RC_FILE)"; fi; \
	if [ $$rc -eq 5 ]; then echo "make test: ERROR: pytest collected no tests (exit 5); that counts as a failure" >&2; fi; \
	exit $$rc

# Another Python (CI: 3.13): its own venv, the unit, e2e lifecycle and packaging tests; skipped, saying so, where
# no such interpreter exists.
ALT_PYTHON ?= 3.13
test-python:
	@scripts/test_python.sh $(ALT_PYTHON) $(PYTEST_ARGS)

lint: venv
	$(CURDIR)/.venv/bin/ruff check .

# The manual: the generated reference first, then the site. --strict turns every warning (a broken link or anchor,
# a page missing from the nav) into a failure; NO_MKDOCS_2_WARNING silences Material's banner about its successor.
docs: export NO_MKDOCS_2_WARNING := 1
docs: venv
	$(VENV_PYTHON) scripts/gen_resources_doc.py
	$(VENV_PYTHON) -m mkdocs build --strict --site-dir $(CURDIR)/site

test-live: bootstrap
	SMH_LIVE=1 $(VENV_PYTHON) -m pytest -rs $(PYTEST_ARGS) tests/live tests/e2e

# Stack operations (scripts/stack.sh): STACK=local by default; the emulator is started in the
# background when the stack points at it and nothing answers there (state in .emulator-state/).
STACK ?= local
export STACK

up preview refresh destroy recover: bootstrap
	@PULUMI_BACKEND_URL=$${PULUMI_BACKEND_URL:-$(PULUMI_STATE_URL)} scripts/stack.sh $@

down:
	@scripts/stack.sh down

# Benchmarks (bench/README.md): bootstrap, bench-only pins into .venv, then bench/run.py with its own emulator.
# Not part of `make test`. BENCH_ARGS for quick runs, e.g. BENCH_ARGS="--reps 1 --tenants 10 --latency-ms 20".
BENCH_ARGS ?=
.PHONY: bench
bench:
	@started=$$(date +%s); scripts/bootstrap.sh && \
	$(VENV_PYTHON) -m pip install -q --disable-pip-version-check -r bench/requirements.txt && \
	$(VENV_PYTHON) bench/run.py --started $$started $(BENCH_ARGS)

# Long random walks (tests/reliability/walk_soak.py; the short walk with fixed seeds is part of `make test`).
# Not part of `make test`. WALK_SEEDS (10), WALK_STEPS (100 a seed), WALK_SEED (first seed; random by default).
.PHONY: soak
soak: bootstrap
	$(VENV_PYTHON) -m tests.reliability.walk_soak

# An account's existing buckets, media libraries, spaces and albums -> discovered/import.json (`pulumi import
# --file`) and discovered/Pulumi.<stack>.discovered.yaml (docs/import.md). Credentials from TENCENTCLOUD_SECRET_ID /
# TENCENTCLOUD_SECRET_KEY (SMH_ENDPOINT for the emulator); REGIONS="ap-guangzhou ap-shanghai" limits the regions.
REGIONS ?=
DISCOVER_OUT ?= discovered
.PHONY: discover
discover: venv
	@bin/smh discover --out $(DISCOVER_OUT) --stack $(STACK) $(foreach r,$(REGIONS),--region $(r))
