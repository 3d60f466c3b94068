# Two commands do everything on a fresh machine:
#   make run   - set up, create the demo database if there is none, serve http://localhost:8501
#   make test  - set up with the test tools, lint (make lint: ruff check and ruff format --check), run the whole suite in parallel
# and two open the notebooks (README, "Notebooks"):
#   make notebooks                  - JupyterLab on http://127.0.0.1:8888, on the app's database
#   make report SESSION="..."       - the session comparison as reports/<notebook>-<session>/report.html
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8501
NOTEBOOK_PORT ?= 8888
NOTEBOOK ?= session_comparison
LAB_SETTINGS := $(VENV)/share/jupyter/lab/settings/overrides.json

.PHONY: run test lint install install-dev install-notebooks demo notebooks report clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# `pip install -e .` (pyproject.toml) makes dashboard and data_sources importable from anywhere (notebooks,
# benchmarks) and puts the `mission-control` command (the same as `python -m dashboard`) in $(BIN).
$(VENV)/.installed: requirements.txt pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-notebooks.txt requirements-dev.txt pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	$(BIN)/python -m pip install --quiet -e .
	touch $(VENV)/.installed $@

# JupyterLab with jupytext, a "Mission Control" kernel on this venv, and .py notebooks opening as notebooks.
$(VENV)/.installed-notebooks: requirements.txt requirements-notebooks.txt pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements-notebooks.txt
	$(BIN)/python -m pip install --quiet -e .
	$(BIN)/python -m ipykernel install --sys-prefix --name mission-control --display-name "Mission Control"
	$(BIN)/jupytext-config --settings-file $(LAB_SETTINGS) set-default-viewer python
	touch $(VENV)/.installed $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev
install-notebooks: $(VENV)/.installed-notebooks

demo: install
	$(BIN)/python -m dashboard demo --if-empty

# Only this computer can open it (127.0.0.1): docs/deploy.md says how to share it, with sign-in.
# serve.py is streamlit_app.py with its caches warmed from the server's start (dashboard/ui/warmup.py).
run: demo
	$(BIN)/python -m streamlit run serve.py --server.port $(PORT) --server.address 127.0.0.1

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# pytest-xdist, one worker per core: each test has its own temporary folder, database file or PostgreSQL
# schema, and every server (streamlit, OIDC, SMTP, fake Sheets) takes a free loopback port.
test: lint
	$(BIN)/python -m pytest -n auto

# Listens on 127.0.0.1 only: the notebooks see everything an organiser sees. JupyterLab refuses
# to start as root unless told to, and root is who you are in most containers.
notebooks: install-notebooks demo
	$(BIN)/jupyter lab --ServerApp.ip=127.0.0.1 --ServerApp.port=$(NOTEBOOK_PORT) --ServerApp.root_dir=$(CURDIR)/notebooks \
		$(if $(filter 0,$(shell id -u)),--allow-root)

report: install-notebooks demo
	$(BIN)/python -m dashboard report $(NOTEBOOK) $(if $(SESSION),--session "$(SESSION)")

clean:
	rm -rf $(VENV) .pytest_cache test-artifacts
