# Gongzhi — the two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000
WORKERS ?= 3

.PHONY: run test bench lint assets install install-run migrate demo serve messages clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall only when the dependency list changes. Running needs the package alone; the
# tests and the linters add the dev extras (browser driver, linters, API fuzzing …).
$(VENV)/.installed-run: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@ $(VENV)/.installed-run

install-run: $(VENV)/.installed-run

install: $(VENV)/.installed

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund

src/gongzhi/static/vendor/.built: node_modules/.package-lock.json scripts/build_assets.mjs
	npm run --silent build
	touch $@

assets: src/gongzhi/static/vendor/.built

migrate: install-run
	$(BIN)/gongzhi migrate --no-input -v 0

demo: migrate
	$(BIN)/gongzhi demo load

run: install-run assets demo
	$(BIN)/gongzhi collectstatic --no-input -v 0
	$(BIN)/gongzhi mediation fonts  # the agreements' font, cut once (not at the first print)
	@echo "Gongzhi is serving on http://$(HOST):$(PORT)/  (Ctrl-C to stop)"
	@echo "WARNING: DEMO ONLY. Its logins, the superuser demo_admin among them, share a published"
	@echo "password. Never expose this to a network; for production see README (gongzhi createsuperuser)."
	WORKERS=$(WORKERS) $(BIN)/gongzhi serve --demo $(HOST):$(PORT)

test: install assets
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: install
	$(BIN)/python bench/run_all.py

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/lint-imports

messages: install
	cd src/gongzhi && ../../$(BIN)/gongzhi makemessages -l zh_Hans -l en --no-obsolete --ignore 'static/*'
	cd src/gongzhi && ../../$(BIN)/gongzhi compilemessages

clean:
	rm -rf $(VENV) node_modules src/gongzhi/static/vendor var/staticfiles
