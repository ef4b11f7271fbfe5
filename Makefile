# Two commands do all set-up on a fresh machine: `make run` and `make test`.
# Set-up is idempotent: the venv is rebuilt only when pyproject.toml changes.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
HOST   ?= 127.0.0.1
PORT   ?= 7860

.PHONY: setup browser run test bench eval clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	# torch first: the CPU wheel on disk; otherwise a dependency would pull a multi-GB CUDA build.
	$(PY) -m pip install --quiet --disable-pip-version-check torch==2.13.0
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[test,scale]'
	touch $(STAMP)
	@echo "make: $(VENV) is ready; for reply-coach on PATH: source $(VENV)/bin/activate (or run $(VENV)/bin/reply-coach)"

setup: $(STAMP)

run: setup
	$(PY) app.py --host $(HOST) --port $(PORT)

# System tools the tests drive: Debian Chromium for the browser end-to-end test (Playwright drives
# /usr/bin/chromium) and strace for the egress test (no socket beyond loopback).
browser:
	@missing=""; command -v chromium >/dev/null 2>&1 || missing="chromium chromium-driver"; \
	command -v strace >/dev/null 2>&1 || missing="$$missing strace"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else echo "make: $$missing missing and not root; the tests that need them will be skipped outside CI" >&2; fi; fi

test: setup browser
	@$(PY) -m pytest -q; rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "make test: pytest collected no tests (exit 5)" >&2; fi; \
	exit $$rc

eval: setup
	$(VENV)/bin/reply-coach eval eval/dev.jsonl

bench: setup
	$(PY) bench/bench_check.py
	$(PY) bench/bench_score.py
	$(PY) bench/bench_pipeline.py --detectors rules,embedding

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info
