# Kỹ năng số — `make run` builds and serves the site, `make test` runs every test.
VENV   ?= .venv
PY     := $(VENV)/bin/python
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: build run test bench validate system-deps clean

$(STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	touch $(STAMP)

validate: $(STAMP)
	$(BIN)/kynangso validate

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
	if [ -n "$$need" ]; then \
	  echo "installing Debian packages:$$need"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$need >/dev/null; \
	fi

node_modules/.installed: package.json
	npm install --no-audit --no-fund --silent
	touch $@

test: $(STAMP) system-deps node_modules/.installed
	$(PY) -m pytest

bench: $(STAMP) system-deps node_modules/.installed
	@command -v wrk >/dev/null || ($(SUDO) apt-get install -y -qq wrk >/dev/null)
	$(BIN)/kynangso build
	$(PY) benchmarks/build_scale.py
	$(PY) benchmarks/class_load.py
	$(PY) benchmarks/page_weight.py
	$(PY) benchmarks/lighthouse.py

clean:
	rm -rf build site site.staging-* site.old-* .pytest_cache
