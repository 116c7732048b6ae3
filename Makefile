# relaydash: two commands on a fresh machine.
#   make run   serve the dashboard on http://127.0.0.1:8000 (embedded relay sandbox + demo SSO)
#   make test  install what the suite needs (Python packages, Debian's chromium, PostgreSQL and
#              Redis) and run it all: on SQLite, then once more on a real PostgreSQL + Redis

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py
HOST ?= 127.0.0.1
PORT ?= 8000
OIDC_PORT ?= 9400

# The embedded default: relaydash talks to its own sandbox and signs people in through
# the demo OpenID Connect provider. Production never defaults to any of this.
RUN_ENV := DEBUG=true \
	RELAY_SANDBOX=true \
	RELAY_SANDBOX_API_KEY=dev-sandbox-key \
	RELAY_API_KEY=dev-sandbox-key \
	RELAY_API_URL=http://$(HOST):$(PORT)/sandbox/api/v1 \
	OIDC_ISSUER=http://localhost:$(OIDC_PORT) \
	OIDC_CLIENT_ID=relaydash-demo \
	OIDC_CLIENT_SECRET=demo-secret \
	OIDC_DEMO_PROVIDER=true \
	OIDC_PROVIDER_NAME=Demo-SSO \
	RELAYDASH_DEFAULT_ROLE=backoffice

.PHONY: run test lint typecheck pytest pytest-sqlite pytest-services install install-test python-check gettext-deps browser-deps services-deps messages catalogs clean

python-check:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null || { \
	  echo "relaydash needs Python 3.12 or newer, but '$(PYTHON)' is $$($(PYTHON) --version 2>&1)."; \
	  echo "Install Python 3.12 (with pyenv the .python-version file selects it) or run: make PYTHON=python3.12 ..."; \
	  exit 1; }

$(PY): | python-check
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

# `make run` needs the demo extras (demo SSO provider, Faker for the sandbox's demo data);
# production installs requirements.txt only (README, "Deploying").
$(VENV)/.installed: requirements.txt requirements-demo.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements-demo.txt
	@touch $@

$(VENV)/.installed-dev: requirements.txt requirements-demo.txt requirements-dev.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements-dev.txt
	@touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-test: $(VENV)/.installed-dev

# gettext (msgfmt) compiles the translation catalogs; chromium runs the browser journeys.
# Both come from Debian's packages, installed here so a fresh machine needs nothing by hand.
define apt_install
	@if ! command -v $(1) >/dev/null 2>&1; then \
	  echo "Installing Debian package $(2) ..."; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $(2) >/dev/null; \
	fi
endef

gettext-deps:
	$(call apt_install,msgfmt,gettext)

browser-deps:
	$(call apt_install,chromium,chromium)

# What production runs on, for the suite's second pass (scripts/with_services.sh starts
# throw-away servers of both on loopback).
services-deps:
	$(call apt_install,redis-server,redis-server)
	$(call apt_install,pg_ctlcluster,postgresql)

messages: gettext-deps $(VENV)/.installed
	@$(RUN_ENV) $(MANAGE) compilemessages --ignore=.venv --verbosity=0

# Re-extract every translatable string into the German catalogs (then translate them).
catalogs: gettext-deps $(VENV)/.installed
	$(PY) scripts/catalogs.py

run: $(VENV)/.installed messages
	@$(RUN_ENV) $(MANAGE) migrate --verbosity=0
	@$(RUN_ENV) $(MANAGE) seed_sandbox --if-empty --plan-demo
	@$(RUN_ENV) $(MANAGE) run_with_demo_sso $(HOST):$(PORT)

lint: install-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: install-test
	$(VENV)/bin/mypy relaydash

# First everything on SQLite and a per-process cache (the browser journeys included), then
# everything but the browser journeys on a real PostgreSQL and Redis. The tests marked
# `services` (several app servers on one database) only run in the second pass.
pytest-sqlite: install-test browser-deps services-deps messages
	$(VENV)/bin/pytest -m "not services"

pytest-services: install-test services-deps messages
	scripts/with_services.sh $(VENV)/bin/pytest -m "not browser"

pytest: pytest-sqlite pytest-services

test: lint typecheck pytest

clean:
	rm -rf $(VENV) staticfiles .mypy_cache .ruff_cache
