# Two commands on a fresh machine: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt | cksum | cut -d' ' -f1)
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint format migrate messages clean benchmark mutate

$(STAMP): requirements.txt requirements-dev.txt
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

migrate: $(STAMP)
	$(PY) manage.py migrate --noinput
	$(PY) manage.py createcachetable

# The web server and the task worker for background exports, in one command (Procfile.dev).
run: migrate
	$(PY) manage.py load_report
	$(PY) manage.py load_law
	$(PY) manage.py ensure_local_admin --site http://$(HOST):$(PORT)
	HOST=$(HOST) PYTHONUNBUFFERED=1 $(VENV)/bin/honcho start --procfile Procfile.dev --port $(PORT)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

test: lint
	$(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/pytest $(PYTEST_ARGS)

# Speed and memory against stock references, on a throwaway database (README: "The benchmark").
benchmark: $(STAMP)
	$(PY) manage.py benchmark --settings benchmarks.settings $(ARGS)

# Mutation testing of the modules that guard data, not part of `make test` (README: "Tests").
mutate: $(STAMP)
	$(VENV)/bin/mutmut run --max-children 2 $(ARGS)
	$(VENV)/bin/mutmut results

# Re-extract translatable strings and compile them (needs GNU gettext: apt-get install gettext).
messages: $(STAMP)
	$(PY) manage.py makemessages --locale vi --no-obsolete --ignore '.venv/*' --ignore 'staticfiles/*'
	$(PY) manage.py compilemessages --locale vi --ignore '.venv/*'

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles .pytest_cache .ruff_cache mutants
