# make run   — install, migrate SQLite, load the demo and serve on http://127.0.0.1:8000
# make test  — install and run the whole test suite
# make serve — the production stack locally: PostgreSQL from DATABASE_URL, gunicorn, whitenoise,
#              TASK_WORKERS background workers (default 2)
# make render — every demo form (every layout) as a workbook and its PDF (LibreOffice) in build/rendered/
# make load  — load test of that stack (benchmarks/load.py); make faults — fault tests
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
DEV_ENV := DJANGO_DEBUG=1

.PHONY: run test lint format install demo messages render serve load faults clean

$(BIN)/activate:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "Python 3.11 or newer is needed ($(PYTHON) is older)."; exit 1; }
	@$(PYTHON) -m venv $(VENV) || \
		{ echo "Could not create a virtual environment: on Debian, run 'sudo apt-get install python3-venv' first."; exit 1; }

$(VENV)/.installed: pyproject.toml | $(BIN)/activate
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed

demo: install
	$(DEV_ENV) $(PY) manage.py migrate --no-input
	$(DEV_ENV) $(PY) manage.py load_demo_data

# One background worker beside the development server; Ctrl-C stops both.
run: demo
	$(DEV_ENV) $(PY) -m config.processes --workers 1 -- $(PY) manage.py runserver 127.0.0.1:8000

test: install
	$(BIN)/pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# The demo in a throwaway SQLite database, every demo form written and printed to PDF by
# LibreOffice (apt-get install libreoffice-calc-nogui), to look at how the workbooks print.
RENDER_DIR ?= build/rendered
RENDER_ENV = $(DEV_ENV) DATABASE_URL=sqlite:///$(CURDIR)/build/render.sqlite3

render: install
	mkdir -p build && rm -rf build/render.sqlite3 $(RENDER_DIR)
	$(RENDER_ENV) $(PY) manage.py migrate --no-input --verbosity 0
	$(RENDER_ENV) $(PY) manage.py load_demo_data
	$(RENDER_ENV) $(PY) manage.py render_workbooks --demo --output $(RENDER_DIR)
	rm -f build/render.sqlite3

# The production stack on this machine: what the README's "Production" section sets up, with
# local defaults for whatever the environment does not say (a fresh secret key every start).
DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/jixiao
SERVE_PORT ?= 8000
SERVE_DEMO ?= 0
TASK_WORKERS ?= 2
SERVE_ENV = DJANGO_DEBUG= DATABASE_URL='$(DATABASE_URL)' \
	DJANGO_SECRET_KEY="$${DJANGO_SECRET_KEY:-$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))')}" \
	DJANGO_ALLOWED_HOSTS="$${DJANGO_ALLOWED_HOSTS:-localhost,127.0.0.1}" \
	GUNICORN_BIND="$${GUNICORN_BIND:-127.0.0.1:$(SERVE_PORT)}"

serve: install
	$(SERVE_ENV) $(PY) -m config.database_creation
	$(SERVE_ENV) $(PY) manage.py migrate --no-input
	$(SERVE_ENV) $(PY) manage.py collectstatic --no-input --verbosity 0
	@if [ "$(SERVE_DEMO)" = 1 ]; then $(SERVE_ENV) $(PY) manage.py load_demo_data --force; fi
	$(SERVE_ENV) $(PY) -m config.processes --workers $(TASK_WORKERS) -- $(BIN)/gunicorn -c config/gunicorn.py

# Locust-free: the load test is plain Python against the stack above, on its own database.
LOAD_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/jixiao_load
load: install
	DATABASE_URL='$(LOAD_DATABASE_URL)' $(PY) benchmarks/load.py $(LOAD_ARGS)

faults: install
	DATABASE_URL='$(LOAD_DATABASE_URL)' $(PY) benchmarks/faults.py $(FAULT_ARGS)

# Needs GNU gettext (apt-get install gettext); the compiled catalogues are committed.
messages: install
	$(DEV_ENV) $(PY) manage.py makemessages --locale zh_Hans --locale en --no-obsolete --ignore '.venv/*' --ignore 'staticfiles/*'
	$(DEV_ENV) $(PY) manage.py compilemessages --ignore '.venv/*'

clean:
	rm -rf $(VENV) staticfiles db.sqlite3
