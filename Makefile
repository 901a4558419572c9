# Paris Méd' assistant — the two commands a newcomer needs: `make run` and `make test`.
SHELL := /bin/bash
.SHELLFLAGS := -o pipefail -c
# This machine's pip configuration lists local indexes that lack most packages; their warnings are noise.
PIP_QUIET := 2>&1 | { grep -v 'is ignored: it is neither a file nor a directory' || true; }
.DEFAULT_GOAL := help

APP_VENV  := .venv-app
RASA_VENV := .venv-rasa
APP_PY    := $(APP_VENV)/bin/python
RASA      := $(RASA_VENV)/bin/rasa
VAR       := var
PIP_CACHE ?= $(HOME)/.cache/pip

# Keeps Rasa/TensorFlow quiet and self-contained (real errors still show).
export TF_CPP_MIN_LOG_LEVEL := 2
export SQLALCHEMY_SILENCE_UBER_WARNING := 1
export RASA_TELEMETRY_ENABLED := false
export LOG_LEVEL_LIBRARIES := ERROR
export MPLCONFIGDIR := $(CURDIR)/$(VAR)/mpl
export KERAS_HOME := $(CURDIR)/$(VAR)/keras
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export PIP_DISABLE_PIP_VERSION_CHECK := 1
export PYTHONDONTWRITEBYTECODE := 1
export PYTHONWARNINGS := ignore::DeprecationWarning,ignore::FutureWarning,ignore::UserWarning

RASA_DATA := $(shell find assistant/data -name '*.yml' 2>/dev/null) $(wildcard assistant/components/*.py) domain.yml config.yml

.PHONY: help run test check eval bench venvs index train validate system-deps clean
.PHONY: run-cluster test-cluster

help:
	@echo "make run    — installe ce qui manque, entraîne si besoin, démarre l'assistant (http://127.0.0.1:8000)"
	@echo "make test   — tous les tests (unitaires, bout en bout avec Rasa, navigateur)"
	@echo "make eval   — qualité (recherche, NLU, dialogues, règles) → reports/eval.json"
	@echo "make bench  — vitesse et mémoire → reports/bench.json"
	@echo "make run-cluster — pile répartie : PostgreSQL, Redis, 2 Rasa, 2 applications derrière nginx (http://127.0.0.1:8080)"
	@echo "make check  — style (ruff), types (mypy), sens des imports (import-linter) ; lancé par make test"

# --- environments (idempotent: a stamp records the lock file that was installed) -------------
venvs: $(APP_VENV)/.stamp $(RASA_VENV)/.stamp

$(APP_VENV)/.stamp: requirements/app.lock pyproject.toml
	@py=$$(scripts/find-python.sh 3.11) && { [ -x $(APP_PY) ] || $$py -m venv $(APP_VENV); }
	$(APP_VENV)/bin/pip install -q --cache-dir $(PIP_CACHE) -r requirements/app.lock $(PIP_QUIET)
	$(APP_VENV)/bin/pip install -q --no-deps --no-build-isolation --config-settings editable_mode=compat -e . $(PIP_QUIET)
	@touch $@

$(RASA_VENV)/.stamp: requirements/rasa.lock
	@py=$$(scripts/find-python.sh 3.10) && { [ -x $(RASA_VENV)/bin/python ] || $$py -m venv $(RASA_VENV); }
	$(RASA_VENV)/bin/pip install -q --cache-dir $(PIP_CACHE) -r requirements/rasa.lock $(PIP_QUIET)
	@touch $@

system-deps:
	@scripts/system-deps.sh

# --- data builds (each only when its inputs changed) -----------------------------------------
index: $(APP_VENV)/.stamp
	$(APP_VENV)/bin/parismed kb build

# Rasa 3.6 writes a new model on every `rasa train`, even with its cache: the stamp makes training happen
# only when the Rasa data, the domain, the config or the Rasa environment changed.
train: models/.trained

models/.trained: $(RASA_VENV)/.stamp $(RASA_DATA)
	@mkdir -p $(VAR)/mpl $(VAR)/keras $(VAR)/logs
	@echo "Modèle Rasa : entraînement seulement si les données ont changé (journal : $(VAR)/logs/train.log)…"
	@rm -rf $(VAR)/train-out && mkdir -p models  # trained apart, then moved: models/ always holds a working model
	@$(RASA) train --data assistant/data --out $(VAR)/train-out --quiet > $(VAR)/logs/train.log 2>&1 \
	  || { tail -n 40 $(VAR)/logs/train.log; echo "Échec de l'entraînement Rasa : voir $(VAR)/logs/train.log" >&2; exit 1; }
	@grep -h -o "Your Rasa model is trained.*\|Nothing changed.*" $(VAR)/logs/train.log | sed 's/\x1b\[[0-9;]*m//g' || true
	@mv $(VAR)/train-out/*.tar.gz models/ && rm -rf $(VAR)/train-out
	@ls -t models/*.tar.gz | tail -n +2 | xargs -r rm --  # Rasa serves the newest model; older ones only take space
	@touch $@

validate: $(RASA_VENV)/.stamp
	$(RASA) data validate --data assistant/data --fail-on-warnings

# --- static checks (part of make test): style, types, and the direction of imports ---------------
check: $(APP_VENV)/.stamp
	$(APP_VENV)/bin/ruff check .
	$(APP_VENV)/bin/ruff format --check .
	$(APP_VENV)/bin/lint-imports
	MYPY_CACHE_DIR=$(VAR)/mypy $(APP_VENV)/bin/mypy frenchtext knowledge_base rules_bridge request_store channels parismed

# --- the two commands ------------------------------------------------------------------------
run: venvs index train
	$(APP_VENV)/bin/parismed run

test: venvs system-deps check index train
	@mkdir -p reports test-artifacts
	@start=$$(date +%s); $(APP_PY) -m pytest -q -p no:cacheprovider tests --ignore=tests/cluster; rc=$$?; \
	  if [ $$rc -eq 5 ]; then echo "Aucun test collecté." >&2; fi; \
	  echo "{\"secondes\": $$(( $$(date +%s) - start )), \"code\": $$rc}" > reports/make-test-duration.json; \
	  exit $$rc
	@$(MAKE) --no-print-directory test-cluster

# --- the scaled stack (PostgreSQL, Redis, nginx from Debian; installed by scripts/cluster/install.sh) ----------
run-cluster: venvs index train
	@scripts/cluster/install.sh
	$(APP_VENV)/bin/parismed cluster run --skip-install

test-cluster: venvs index train
	@scripts/cluster/install.sh
	$(APP_PY) -m pytest -q -p no:cacheprovider tests/cluster

eval: venvs index train
	$(APP_PY) -m benchmarks.eval

bench: venvs index train
	$(APP_PY) -m benchmarks.bench

clean:
	rm -rf $(VAR) models reports test-artifacts results
