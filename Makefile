# Kỹ năng số — `make run` builds and serves the site, `make test` runs every test.
VENV   ?= .venv
PY     := $(VENV)/bin/python
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
UV     := $(BIN)/uv
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
HOST   ?= 127.0.0.1
PORT   ?= 8000
# How requirements/ is resolved from pyproject.toml: for every platform, Python 3.11 and up,
# every file by hash. full.txt has every extra; core.txt the same versions, core only.
LOCK   := --universal --python-version 3.11 --generate-hashes --quiet --custom-compile-command "make lock"

.PHONY: build run test lint lock lock-check bench validate preview new status system-deps clean

# uv, at the version and hash full.txt pins, installed with the venv's own pip.
$(UV): requirements/full.txt
	test -x $(PY) || python3 -m venv $(VENV)
	awk '/^uv==/ {on = 1} on {print} on && !/\\$$/ {exit}' requirements/full.txt > $(VENV)/uv.txt
	$(PY) -m pip install -q --require-hashes -r $(VENV)/uv.txt
	touch $(UV)

# Exactly the locked versions (full.txt: the core and every extra), then the project itself.
$(STAMP): pyproject.toml requirements/full.txt $(UV)
	$(UV) pip sync -q --python $(PY) --require-hashes requirements/full.txt
	$(UV) pip install -q --python $(PY) --no-deps -e .
	touch $(STAMP)

# Resolve pyproject.toml again into requirements/, keeping every pin that still fits.
lock: $(UV)
	$(UV) pip compile pyproject.toml $(LOCK) --extra test -o requirements/full.txt
	$(UV) pip compile pyproject.toml $(LOCK) -c requirements/full.txt -o requirements/core.txt

# Fails when requirements/ no longer matches pyproject.toml: `make lock` would change a pin.
# Hashes are left out of the comparison (a release may gain a wheel later).
lock-check: $(UV)
	rm -rf build/lock-check && mkdir -p build/lock-check/requirements
	cp pyproject.toml build/lock-check/ && cp requirements/*.txt build/lock-check/requirements/
	cd build/lock-check && $(abspath $(UV)) pip compile pyproject.toml $(LOCK) --extra test \
	  -o requirements/full.txt && $(abspath $(UV)) pip compile pyproject.toml $(LOCK) \
	  -c requirements/full.txt -o requirements/core.txt
	@for lock in core full; do \
	  grep -v -- '--hash=' requirements/$$lock.txt | sed 's/ \\$$//' > build/lock-check/$$lock.want; \
	  grep -v -- '--hash=' build/lock-check/requirements/$$lock.txt | sed 's/ \\$$//' > build/lock-check/$$lock.got; \
	  diff -u build/lock-check/$$lock.want build/lock-check/$$lock.got \
	    || { echo "requirements/$$lock.txt is stale: run 'make lock' and commit requirements/"; exit 1; }; \
	done
	@echo "requirements/ matches pyproject.toml"

# ruff, mypy --strict and, once pyproject.toml has contracts, import-linter.
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy --strict generator
	if grep -q '^\[tool\.importlinter\]' pyproject.toml; then $(BIN)/lint-imports; fi

# Editors' commands, so nobody needs .venv/bin on PATH: `make validate STRICT=1` checks what CI
# checks, `make new ID=my-lesson TOPIC=vssid` writes a new lesson and its quiz.
validate: $(STAMP)
	$(BIN)/kynangso validate $(if $(STRICT),--strict)

preview: $(STAMP)
	$(BIN)/kynangso preview --port $(or $(PREVIEW_PORT),8001)

new: $(STAMP)
	@test -n "$(ID)" && test -n "$(TOPIC)" || { echo "usage: make new ID=my-lesson TOPIC=vssid"; exit 2; }
	$(BIN)/kynangso new lesson $(ID) --topic $(TOPIC)

status: $(STAMP)
	$(BIN)/kynangso status

build: $(STAMP)
	$(BIN)/kynangso build

run: build
	$(BIN)/kynangso serve --host $(HOST) --port $(PORT)

# Debian's Chromium (browser tests), Noto fonts (Vietnamese glyphs) and npm (axe-core).
system-deps:
	@need=""; \
	command -v chromium >/dev/null || need="$$need chromium"; \
	[ -d /usr/share/fonts/truetype/noto ] || need="$$need fonts-noto-core"; \
	command -v npm >/dev/null || need="$$need npm"; \
	command -v pdftotext >/dev/null || need="$$need poppler-utils"; \
	command -v initdb >/dev/null || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need="$$need postgresql"; \
	if [ -n "$$need" ]; then \
	  echo "installing Debian packages:$$need"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$need >/dev/null; \
	fi

node_modules/.installed: package.json
	npm install --no-audit --no-fund --silent
	touch $@

# Two workers, one test file each at a time: most tests wait on a server, a browser or
# PostgreSQL, so two at once use the 2 cores a CI machine has.
test: $(STAMP) system-deps node_modules/.installed
	$(PY) -m pytest -n 2 --dist loadfile

bench: $(STAMP) system-deps node_modules/.installed
	@command -v wrk >/dev/null || ($(SUDO) apt-get install -y -qq wrk >/dev/null)
	$(BIN)/kynangso build
	$(PY) benchmarks/build_scale.py
	$(PY) benchmarks/class_load.py
	$(PY) benchmarks/hub_load.py
	$(PY) benchmarks/page_weight.py
	$(PY) benchmarks/lighthouse.py

clean:
	rm -rf build site site.staging-* site.old-* .pytest_cache
