# Newsroom: `make run` serves the demo site, `make test` runs the whole suite.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

NGINX_LISTEN ?= 80
SERVER_NAME ?= localhost
NGINX_CONF ?= deploy/nginx/newsroom.rendered.conf
VARNISH_VCL ?= deploy/varnish/newsroom.rendered.vcl
# What nginx proxies to: gunicorn, or Varnish when it stands in between.
UPSTREAM ?= $(HOST):$(PORT)

.PHONY: dev-env nginx-config varnish-config install install-prod messages catalogs run serve migrate test lint check-migrations bench bench-search bench-load bench-growth bench-ratio bench-cost bench-soak e2e-deps stack-deps clean

$(PY):
	$(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)

install: $(PY) dev-env
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	$(MAKE) --no-print-directory messages

# Production: the application and its server, no test tools, no development .env.
# (Reinstalled only when pyproject.toml changes, so a restart needs no network.)
install-prod: $(VENV)/.installed-prod messages

$(VENV)/.installed-prod: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e .
	@touch $@

# A development SECRET_KEY of this checkout's own, so `manage.py` works without flags.
# It also names this checkout's SQLite file and local host names: production settings
# insist on being told both, and a development checkout tells them here, not silently.
# (A production host uses `make install-prod`, which writes no .env.) The environment
# wins over the file; lines already there are kept.
.env:
	@$(PYTHON) -c "import secrets; print('SECRET_KEY=' + secrets.token_urlsafe(50))" > .env 2>/dev/null \
		|| python3 -c "import secrets; print('SECRET_KEY=' + secrets.token_urlsafe(50))" > .env
	@chmod 600 .env

dev-env: .env
	@grep -q '^DATABASE_URL=' .env || echo 'DATABASE_URL=sqlite:///$(CURDIR)/db.sqlite3' >> .env
	@grep -q '^ALLOWED_HOSTS=' .env || echo 'ALLOWED_HOSTS=127.0.0.1,localhost' >> .env

# Compile the gettext catalogs with polib, so no gettext tools are needed.
messages: $(PY)
	@$(PY) -c "import pathlib, polib; [polib.pofile(str(p)).save_as_mofile(str(p.with_suffix('.mo'))) for g in ('locale', '*/locale') for p in pathlib.Path('.').glob(g + '/*/LC_MESSAGES/*.po')]"

# Gather new msgids into locale/ (newsroom/locale holds our completion of Django's
# own Kyrgyz catalogs and is written by hand, so makemessages must not touch it).
catalogs: $(PY)
	DEBUG=1 $(PY) manage.py makemessages -l ky -l ru --no-location \
		--ignore=.venv --ignore=tests --ignore='newsroom/locale/*'

run: install
	DEBUG=1 $(PY) manage.py migrate --noinput
	DEBUG=1 $(PY) manage.py load_demo
	DEBUG=1 $(PY) manage.py runserver $(HOST):$(PORT)

# The production server (docs/deployment.md): checks, collectstatic, gunicorn.
serve: install-prod
	HOST=$(HOST) PORT=$(PORT) deploy/serve.sh

# deploy/nginx/newsroom.conf with this host's values filled in (docs/deployment.md).
nginx-config:
	@sed -e 's|@LISTEN@|$(NGINX_LISTEN)|g' -e 's|@SERVER_NAME@|$(SERVER_NAME)|g' \
		-e 's|@UPSTREAM@|$(UPSTREAM)|g' \
		-e 's|@CACHE_DIR@|$(or $(NGINX_CACHE_DIR),$(dir $(abspath $(NGINX_CONF)))nginx-cache)|g' \
		-e 's|@STATIC_ROOT@|$(or $(STATIC_ROOT),$(CURDIR)/staticfiles)|g' \
		-e 's|@MEDIA_ROOT@|$(or $(MEDIA_ROOT),$(CURDIR)/media)|g' \
		-e 's|@ACCESS_LOG@|$(or $(NGINX_ACCESS_LOG),/var/log/nginx/newsroom.access.log)|g' \
		deploy/nginx/newsroom.conf > $(NGINX_CONF)
	@echo "wrote $(NGINX_CONF)"

# deploy/varnish/newsroom.vcl pointing at this host's gunicorn (docs/deployment.md).
varnish-config:
	@sed -e 's|@BACKEND_HOST@|$(HOST)|g' -e 's|@BACKEND_PORT@|$(PORT)|g' \
		deploy/varnish/newsroom.vcl > $(VARNISH_VCL)
	@echo "wrote $(VARNISH_VCL)"

migrate: $(PY)
	$(PY) manage.py migrate --noinput

test: install
	$(PY) -m pytest $(PYTEST_ARGS)

lint: $(PY)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

bench: $(PY)
	$(PY) tests/benchmarks/bench_pages.py

bench-search: $(PY)
	$(PY) tests/benchmarks/bench_search.py

check-migrations: $(PY)
	DEBUG=1 $(PY) manage.py makemigrations --check --dry-run

# The browser tests (tests/e2e) drive Debian's Chromium and run the Nu HTML Checker on Java.
# As root (CI), install whichever is missing; otherwise say how (the tests skip without them).
e2e-deps:
	@missing=""; \
	command -v chromium >/dev/null 2>&1 || missing="chromium"; \
	command -v java >/dev/null 2>&1 || missing="$$missing default-jre-headless"; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ]; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	else \
		echo "Browser tests need: sudo apt-get install -y $$missing"; \
	fi

# The real-stack test (tests/deploy) runs gunicorn behind Debian's Varnish and nginx, and
# the failover test (tests/newsroom/test_sentinel.py) Debian's Redis Sentinel; as
# root (CI) install what is missing, otherwise say how (the test skips without them).
stack-deps:
	@missing=""; \
	[ -x /usr/sbin/nginx ] || missing="nginx-light"; \
	[ -x /usr/sbin/varnishd ] || missing="$$missing varnish"; \
	ls /usr/lib/*/varnish/vmods/libvmod_xkey.so >/dev/null 2>&1 || missing="$$missing varnish-modules"; \
	command -v wrk >/dev/null 2>&1 || missing="$$missing wrk"; \
	command -v redis-sentinel >/dev/null 2>&1 || missing="$$missing redis-sentinel"; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ]; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	else \
		echo "The real-stack test needs: sudo apt-get install -y $$missing"; \
	fi

clean:
	rm -rf $(VENV) db.sqlite3 media staticfiles artifacts

# Load benchmark of the production stack on a 10,000-story archive, and the Wagtail
# anchor beside it (docs/performance.md). Knobs: STORIES DURATION CONNECTIONS WORKERS PAGES.
bench-load: install
	$(PY) tests/benchmarks/bench_load.py

# Cold render of each page on 1,000 and 100,000 stories, and search at 100,000 (issue 12).
bench-growth: install
	$(PY) tests/benchmarks/bench_growth.py

# Issue 12's ratios to the Wagtail anchor, both sites running side by side (see the script).
bench-ratio: install
	$(PY) tests/benchmarks/bench_ratio.py

# CPU (ours and PostgreSQL's) and Python instructions (valgrind) of one cold render.
bench-cost: install
	$(PY) tests/benchmarks/bench_cost.py

# Ten minutes of mixed traffic through nginx; fails on any error or non-2xx (issue 11).
bench-soak: install
	$(PY) tests/benchmarks/bench_soak.py
