# Two commands on a fresh machine: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt | cksum | cut -d' ' -f1)
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint format migrate messages clean benchmark mutate replica-check

$(STAMP): requirements.txt requirements-dev.txt
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

migrate: $(STAMP)
	$(PY) manage.py migrate --noinput
	$(PY) manage.py createcachetable

# `make run` serves the app as a server does, DEBUG off: its own error pages (an unknown unit is
# the app's 404, not Django's technical page listing every URL), static files hashed and served
# by WhiteNoise. Only what HTTPS would need is turned down, since it answers plain HTTP on this
# machine; the secret key is made once and kept in .local-secret-key (ignored by git).
# `DJANGO_DEBUG=1 make run` gives Django's debug pages and CSS edits seen without a restart.
DJANGO_DEBUG ?= 0
LOCAL_SERVER_ENV = DJANGO_DEBUG=$(DJANGO_DEBUG) DJANGO_SECRET_KEY="$$(cat .local-secret-key)" \
	DJANGO_ALLOWED_HOSTS=$(HOST),127.0.0.1,localhost DJANGO_SECURE_SSL_REDIRECT=0 \
	DJANGO_SECURE_COOKIES=0 DJANGO_HSTS_SECONDS=0 DJANGO_HSTS_INCLUDE_SUBDOMAINS=0 \
	DJANGO_HSTS_PRELOAD=0

.local-secret-key:
	umask 077 && $(PY) -c "import secrets; print(secrets.token_urlsafe(50))" > $@

# The web server and the task worker for background exports, in one command (Procfile.dev).
run: migrate .local-secret-key
	$(PY) manage.py load_report
	$(PY) manage.py load_law
	$(PY) manage.py ensure_local_admin --site http://$(HOST):$(PORT)
	$(LOCAL_SERVER_ENV) $(PY) manage.py collectstatic --noinput --verbosity 0
	$(LOCAL_SERVER_ENV) HOST=$(HOST) PYTHONUNBUFFERED=1 \
		$(VENV)/bin/honcho start --procfile Procfile.dev --port $(PORT)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# The suite runs in parallel (pytest-xdist), a worker a core: two on CI's machine. Tests that
# share an expensive module fixture carry an xdist_group mark and run on one worker, which makes
# the fixture once (`--dist loadgroup`). `make test PYTEST_ARGS="-n 0"` runs it in one process.
test: lint
	$(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/pytest -n auto --dist loadgroup $(PYTEST_ARGS)

# Speed and memory against stock references, on a throwaway database (README: "The benchmark").
benchmark: $(STAMP)
	$(PY) manage.py benchmark --settings benchmarks.settings $(ARGS)

# Reads on a real streaming replica of the local PostgreSQL, started, tested and removed (README:
# "Reads on a streaming replica"); as root, since it runs the second cluster as postgres.
replica-check: $(STAMP)
	benchmarks/replica_check.sh

# Mutation testing of the modules that guard data, not part of `make test` (README: "Tests").
mutate: $(STAMP)
	$(VENV)/bin/mutmut run --max-children 2 $(ARGS)
	$(VENV)/bin/mutmut results

# Re-extract translatable strings and compile them (needs GNU gettext: apt-get install gettext).
messages: $(STAMP)
	$(PY) manage.py makemessages --locale vi --no-obsolete --ignore '.venv/*' --ignore 'staticfiles/*'
	$(PY) manage.py compilemessages --locale vi --ignore '.venv/*'

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles .local-secret-key .pytest_cache .ruff_cache mutants
