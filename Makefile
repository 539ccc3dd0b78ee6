# orderclaims — make install | demo | serve | test | services-up | services-down
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
DEMO_DB := demo/orderclaims.db
# The demo's keys stay with the demo (make clean removes both); a real store keeps them in the key
# directory, away from the database (ORDERCLAIMS_KEY_DIR, docs/threat-model.md).
demo serve: export ORDERCLAIMS_KEY_DIR ?= $(CURDIR)/demo/keys
DEMO_ORDERS ?= 20000
SERVE_PORT ?= 8765
# The time the demo reads: `make demo` prints its tables as of it and `make serve` shows its pages as of it.
DEMO_AS_OF := 2026-11-21T09:00:00+09:00

.PHONY: install demo serve test security chaos bench bench-startup services-up services-down clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	touch $@

demo: install
	@mkdir -p demo && rm -rf $(DEMO_DB) $(DEMO_DB)-wal $(DEMO_DB)-shm demo/keys.txt demo/keys
	@echo "== simulating $(DEMO_ORDERS) orders"
	$(VENV)/bin/orderclaims simulate --orders $(DEMO_ORDERS) --seed 42 > demo/upstream.jsonl
	@echo "== ingesting into $(DEMO_DB)"
	ORDERCLAIMS_DATABASE_URL=sqlite:///$(DEMO_DB) $(VENV)/bin/orderclaims ingest demo/upstream.jsonl
	@echo "== what seller S001 looks at: claims, settlement, last month's service points, the to-do list"
	@export ORDERCLAIMS_DATABASE_URL=sqlite:///$(DEMO_DB) AS_OF=$(DEMO_AS_OF); \
	  $(VENV)/bin/orderclaims dashboard --seller S001 --as-of $$AS_OF && echo && \
	  $(VENV)/bin/orderclaims settlement --seller S001 --as-of $$AS_OF && echo && \
	  $(VENV)/bin/orderclaims points --seller S001 --month 2026-10 && echo && \
	  $(VENV)/bin/orderclaims todo --seller S001 --as-of $$AS_OF
	@umask 077 && export ORDERCLAIMS_DATABASE_URL=sqlite:///$(DEMO_DB); \
	  echo "seller S001: $$($(VENV)/bin/orderclaims keys create --seller S001 2>/dev/null)" > demo/keys.txt && \
	  echo "analyst:     $$($(VENV)/bin/orderclaims keys create --role analyst 2>/dev/null)" >> demo/keys.txt
	@echo
	@echo "== the web dashboard on this database: run   make serve"
	@echo "   then open http://127.0.0.1:$(SERVE_PORT)/ and log in with a key of demo/keys.txt:"
	@sed 's/^/     /' demo/keys.txt

# The web dashboard and HTTP API on the demo's database (make demo first); keys in demo/keys.txt. Its pages
# read the demo's time, as make demo printed (each page says so and links to now).
serve: install
	@test -f $(DEMO_DB) || { echo "no $(DEMO_DB): run make demo first"; exit 1; }
	@echo "the dashboard: http://127.0.0.1:$(SERVE_PORT)/  (OpenAPI: /docs) — keys in demo/keys.txt; Ctrl-C stops it"
	ORDERCLAIMS_DATABASE_URL=sqlite:///$(DEMO_DB) ORDERCLAIMS_AS_OF=$(DEMO_AS_OF) \
	  $(VENV)/bin/orderclaims serve --port $(SERVE_PORT)

# The integration tests start their own Kafka broker and PostgreSQL server (or use the ones
# ORDERCLAIMS_KAFKA_BOOTSTRAP and a postgresql ORDERCLAIMS_DATABASE_URL name).
test: install
	$(PY) -m pytest

# The hostile suite (docs/threat-model.md): what an attacker tries — cross-site forms, stolen or
# replayed cookies, another seller's ids, a database writer without the keys — each refused or found.
security: install
	$(PY) -m pytest -m security

# The chaos run: at least 100 faults (kill -9, database crash, broker restart under load, cut connections,
# ingest workers joining and leaving, a rebuild killed mid-way, a full disk) while a
# stream with bad lines and poison of every class flows through the distributed pipeline; prints what was
# lost and doubled (0) and what each fault kind saw.
# CHAOS_ARGS=--help lists the knobs. A short one (20 faults) is part of `make test`.
chaos: install
	$(PY) -m tests.chaos.run $(CHAOS_ARGS)

# Throughput, latency, rebuild speed and peak RSS against baselines measured in the same run
# (bench/results/latest.json and latest.md). BENCH_ARGS=--help lists the knobs.
bench: $(VENV)/.bench-installed
	$(PY) -m bench.run $(BENCH_ARGS)

# The command line's start on the demo's store (make demo first): `orderclaims --help` and a dashboard query
# beside their targets and the figures of the last `make bench` (bench/startup.py).
bench-startup: install
	@test -f $(DEMO_DB) || { echo "no $(DEMO_DB): run make demo first"; exit 1; }
	ORDERCLAIMS_KEY_DIR=$(CURDIR)/demo/keys $(PY) -m bench.startup sqlite:///$(DEMO_DB)

$(VENV)/.bench-installed: $(VENV)/.installed
	$(PY) -m pip install -q -e '.[test,bench]'
	touch $@

# A real Kafka broker and PostgreSQL server on free 127.0.0.1 ports; prints `export ...` lines:
#   eval "$$(make -s services-up)"
services-up:
	@$(MAKE) -s install >&2
	@$(PY) -m tools.services up

services-down:
	@$(PY) -m tools.services down

clean:
	rm -rf demo $(VENV) .pytest_cache
