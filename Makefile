# Two commands do everything on a fresh machine:
#   make run   - set up, create the demo database if there is none, serve http://localhost:8501
#   make test  - set up with the test tools, run the whole suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8501

.PHONY: run test install install-dev demo clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $(VENV)/.installed $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

demo: install
	$(BIN)/python -m dashboard demo --if-empty

# Only this computer can open it (127.0.0.1): docs/deploy.md says how to share it, with sign-in.
run: demo
	$(BIN)/python -m streamlit run streamlit_app.py --server.port $(PORT) --server.address 127.0.0.1

test: install-dev
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) .pytest_cache test-artifacts
