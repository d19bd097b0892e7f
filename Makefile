# Human Pipeline: `make run` serves the app, `make test` lints and tests it.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PY     := $(BIN)/python
# `make run` is for local use: debug on, a throwaway key, sign-up open.
RUN_ENV := DJANGO_DEBUG=1 DJANGO_SIGNUP=open
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: run test install install-dev lint serve migrate bench screenshots clean messages makemessages

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/activate pyproject.toml
	$(PY) -m pip install --quiet -e .
	touch $@

# Translations: the committed .po files compile to .mo (not committed) whenever they change.
MO_FILES := $(patsubst %.po,%.mo,$(wildcard locale/*/LC_MESSAGES/django.po))

locale/%/LC_MESSAGES/django.mo: locale/%/LC_MESSAGES/django.po $(VENV)/.installed
	@# Compiling reads no secret and serves nothing, so the development settings do.
	DJANGO_DEBUG=1 $(PY) manage.py compilemessages --locale $* --ignore .venv --verbosity 0

messages: $(MO_FILES)

$(VENV)/.installed-dev: $(VENV)/.installed pyproject.toml
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed $(MO_FILES)
install-dev: $(VENV)/.installed-dev $(MO_FILES)

migrate: install
	$(RUN_ENV) $(PY) manage.py migrate --no-input
	$(RUN_ENV) $(PY) manage.py load_taxonomy

run: migrate
	$(RUN_ENV) $(PY) manage.py ensure_local_admin
	$(RUN_ENV) $(PY) manage.py seed_demo --if-missing
	@echo
	@echo "Human Pipeline is at http://$(HOST):$(PORT)/  (admin: http://$(HOST):$(PORT)/admin/)"
	@# A worker beside the web server sends the e-mails (to the console unless EMAIL_URL is set);
	@# it stops when runserver does.
	$(RUN_ENV) DJANGO_SITE_URL=http://$(HOST):$(PORT) $(PY) manage.py db_worker --no-reload & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(RUN_ENV) DJANGO_SITE_URL=http://$(HOST):$(PORT) $(PY) manage.py runserver $(HOST):$(PORT)

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

test: install-dev lint
	DJANGO_DEBUG=1 $(BIN)/pytest $(PYTEST_ARGS)

screenshots: install-dev
	HP_UPDATE_SCREENSHOTS=1 DJANGO_DEBUG=1 $(BIN)/pytest tests/browser

bench: install-dev
	DJANGO_DEBUG=1 $(PY) bench/form_bench.py
	DJANGO_DEBUG=1 $(PY) bench/report_bench.py

# After changing or adding a translatable text: refresh the .po files, then translate what is new.
makemessages: install
	DJANGO_DEBUG=1 $(PY) manage.py makemessages --all --ignore .venv --ignore staticfiles --ignore test-artifacts --no-obsolete --add-location file

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
