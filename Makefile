# Two commands do everything on a fresh machine (Python 3.11, pip, make):
#   make reproduce   # create .venv, install the pinned environment, rebuild every output
#   make test        # same set-up, then lint + the whole test suite (nbval included)
# Other targets: make archive | lab | verify | bench | surrogate | lock | clean-venv

PYTHON ?= python3
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
CORPUS ?= data/coded/surrogate
CORES ?= $(shell nproc 2>/dev/null || echo 2)
STAMP := $(VENV)/.installed-stamp
CONFIG ?=
CODEBOOK ?=
CODEBOOK_CONFIG := $(if $(CODEBOOK),codebook=$(CODEBOOK))
export PATH := $(BIN):$(PATH)
# A fixed date (2026-01-01, the report's year) stamps the PDF: the last commit's date would
# change every time the rebuilt outputs themselves are committed, so no build could match.
export SOURCE_DATE_EPOCH ?= 1767225600
export PYTHONHASHSEED := 0
export MPLBACKEND := Agg

.PHONY: setup browser reproduce status archive test lint pytest lab verify bench surrogate lock clean-venv

setup: $(STAMP) browser

# The PDF needs Chromium: as root where apt-get exists (a fresh Debian/Ubuntu machine or
# container) it is installed here, as .ci/run does; elsewhere the build makes every other output
# and says in one line how to get the PDF.
browser:
	@command -v chromium >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 \
	  && echo "installing chromium with apt-get (for the PDF)" && apt-get update -qq \
	  && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; } || true

$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24"
	$(BIN)/python -m pip install --quiet --no-deps -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $@

# `compendium build` (src/compendium/pipeline/run.py) holds the project's build lock, compares
# the outputs with the manifest, and starts Snakemake only for what is not current.
# CONFIG="name=value ..." builds a parameter variant into builds/<corpus>__<name>-<value>/.
reproduce: setup
	@$(BIN)/compendium build --corpus $(CORPUS) --cores $(CORES) $(CODEBOOK_CONFIG) $(CONFIG)

status: setup
	@$(BIN)/compendium status --corpus $(CORPUS) $(CODEBOOK_CONFIG) $(CONFIG)

# The deposit zip, dist/compendium-<version>.zip: sources and data as git tracks them, the
# committed build (brought up to date first), the lock file and the RO-Crate at its root.
archive: reproduce
	@$(BIN)/compendium archive

verify: setup
	$(BIN)/compendium verify

test: setup lint pytest

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

pytest: setup
	$(BIN)/pytest -n $(CORES) --dist loadfile --no-loadscope-reorder tests

lab: setup
	$(BIN)/jupyter lab notebooks/

bench: setup
	$(BIN)/python benchmarks/run.py

surrogate: setup
	$(BIN)/compendium surrogate

# Re-pin every dependency after changing the ranges in pyproject.toml. The lock is complete and
# installed with --no-deps. rfc3987-syntax (and lark, which it needs) are left out on purpose:
# jupyter-events asks for them only to check IRI formats in event schemas, and importing them
# compiles a grammar that costs 1.5 s in every process that imports jsonschema (three per step).
LOCK_EXCLUDE := ^(pip|rfc3987-syntax|lark)==
lock: setup
	$(BIN)/python -m pip install --quiet -e ".[test]"
	{ echo "# Exact pins, installed with pip install --no-deps -r requirements.lock (see Makefile: lock)."; \
	  $(BIN)/python -m pip freeze --exclude-editable | grep -Ev '$(LOCK_EXCLUDE)'; } > requirements.lock

clean-venv:
	rm -rf $(VENV)
