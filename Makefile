# CareStat's two commands:
#   make demo   install everything and start CareStat on SQLite with the demo council
#   make test   install what the tests need and run every test (browser and Spark included)
SHELL := /bin/bash
UV_VERSION := 0.13.9
UV := $(CURDIR)/.tools/bin/uv
export UV_PROJECT_ENVIRONMENT := $(CURDIR)/.venv
export PYSPARK_PYTHON := $(CURDIR)/.venv/bin/python
# ldconfig is in /sbin, which is not on everyone's PATH; apt-get can be swapped out by the tests
LDCONFIG := $(shell command -v ldconfig 2>/dev/null || echo /sbin/ldconfig)
APT_GET := apt-get
# The system libraries the PDF, Word and slide files are drawn with (WeasyPrint's Pango; CairoSVG's
# Cairo for the charts), as library:Debian package
PDF_LIBS := libpango-1.0.so.0:libpango-1.0-0 libpangoft2-1.0.so.0:libpangoft2-1.0-0 libcairo.so.2:libcairo2

.PHONY: demo test install install-test assets chromium pdf-libs check lint typecheck bench bench-quick

$(UV):
	@echo "Installing uv $(UV_VERSION) into .tools/ (a private copy; nothing system-wide)"
	python3 -m venv .tools
	.tools/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

node_modules/.package-lock.json: package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

carestat/static/build/carestat.css: node_modules/.package-lock.json frontend/build.mjs $(wildcard frontend/scss/*.scss frontend/js/*)
	npm run build --silent

assets: carestat/static/build/carestat.css

install: $(UV) assets pdf-libs
	$(UV) sync --frozen --no-dev

install-test: $(UV) assets chromium pdf-libs
	$(UV) sync --frozen --all-extras

chromium:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "Installing Debian's chromium package for the browser tests"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else \
	    echo "The browser tests need Chromium: sudo apt-get install chromium"; exit 1; \
	  fi; \
	fi

pdf-libs:
	@missing=""; \
	for pair in $(PDF_LIBS); do \
	  $(LDCONFIG) -p 2>/dev/null | grep -qF "$${pair%%:*} (" || missing="$$missing $${pair##*:}"; \
	done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "Installing$$missing for the PDF, Word and slide files"; \
	    $(APT_GET) update -qq && DEBIAN_FRONTEND=noninteractive $(APT_GET) install -y -qq$$missing >/dev/null; \
	  else \
	    echo "The PDF, Word and slide files need Pango and Cairo: sudo apt-get install$$missing"; exit 1; \
	  fi; \
	fi

demo: install
	$(UV) run --frozen --no-dev carestat demo

# Every test: the bulk on two processes (pytest-xdist; each has its own test database), then
# the browser and Spark tests one at a time, since each starts a browser or a Spark session.
test: install-test
	$(UV) run --frozen --all-extras pytest -o addopts="-ra --strict-markers" -p no:cacheprovider \
	    -n 2 -m "not browser and not spark"
	$(UV) run --frozen --all-extras pytest -o addopts="-ra --strict-markers" -p no:cacheprovider \
	    -m "browser or spark"

# The quick loop while developing: no browser or Spark tests.
check: $(UV) assets
	$(UV) run --frozen pytest -m 'not browser and not spark and not slow'

lint: $(UV)
	$(UV) run --frozen --all-extras ruff check carestat tests bench

typecheck: $(UV)
	$(UV) run --frozen --all-extras mypy

# Every benchmark at full size (10M, 30M and 100M case events included: about 15 GB of disk and
# an hour or more on 2 cores), ending with every ratio and its PASS/FAIL verdict.
bench: install-test
	$(UV) run --frozen --all-extras python bench/run_all.py

# The same benchmarks at small sizes, for development.
bench-quick: install-test
	$(UV) run --frozen --all-extras python bench/run_all.py --quick
