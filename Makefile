# SaferSchools: `make run` to try it, `make test` to check it. Both install what they need.

PYTHON ?= python3
PORT ?= 8000
VENV := .venv
PY := $(VENV)/bin/python
# Two test processes: the suite's browser and database tests wait on I/O as much as on CPU.
PYTEST_ARGS ?= -n 2
SUDO := $(shell [ "$$(id -u)" = "0" ] || echo sudo)
export PORT

.PHONY: run test lint check-migrations install static browser serve demo clean

run: install static
	$(PY) manage.py migrate --no-input
	$(PY) manage.py demo
	$(PY) manage.py collectstatic --no-input -v0
	$(PY) manage.py serve

test: install static browser lint
	$(PY) -m pytest $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy saferschools
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) manage.py spectacular --validate --fail-on-warn --file /dev/null

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml constraints.txt
	[ -x $(PY) ] || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

static: node_modules/.installed
	npm run --silent build

# The browser tests drive Debian's Chromium; install it when it is missing.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium >/dev/null; }

clean:
	rm -rf $(VENV) node_modules saferschools/static_build var
