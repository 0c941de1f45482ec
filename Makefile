# Two commands on a fresh machine with Python 3.11:
#   make run    install into .venv, index docs/, start the app (offline, no API key)
#   make test   install what the tests need, run the whole test suite
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8501
# The app answers this machine only; `make run HOST=0.0.0.0` serves the network too.
HOST ?= 127.0.0.1
export HF_HUB_OFFLINE := 1
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: run install install-test browser ingest test eval-gate clean bench-large

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# torch first, pinned to the CPU build, so nothing pulls a CUDA build.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e ".[test]"
	touch $@

install: $(VENV)/.installed

ingest: install
	$(BIN)/rag ingest

run: ingest
	$(BIN)/streamlit run app.py --server.address $(HOST) --server.port $(PORT) --server.headless true --browser.gatherUsageStats false

# A real browser for the end-to-end test: Debian's chromium (root installs it).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium >/dev/null; \
	  else echo "chromium is not installed: the browser test will be skipped"; fi; }

test: install browser
	$(BIN)/python -m pytest -q
	$(MAKE) --no-print-directory eval-gate

# The seed suite in extractive mode must stay above its floors (RAG_LLM=none: even
# with an API key set, the gate measures the offline answerer).
eval-gate: ingest
	RAG_LLM=none $(BIN)/rag eval evals/seed.jsonl --out $${TMPDIR:-/tmp}/rag-eval-ci \
	  --fail-under answer_match=0.90 refusal_accuracy=0.90 citation_validity=1.0 citation_coverage=1.0 \
	  --fail-over false_refusal_rate=0.05

# Scale figures on a corpus no one here wrote: Python's documentation from Debian's
# python3-doc (HTML, converted by our own ingest), about 11,000 chunks. Installs the
# package when root. Prints and keeps the figures as JSON under $(LARGE).
LARGE ?= /tmp/rag-large
LARGE_HTML := /usr/share/doc/python3-doc/html
bench-large: install
	@test -d $(LARGE_HTML)/library || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq python3-doc >/dev/null; \
	  else echo "install Debian's python3-doc first (apt-get install python3-doc)"; exit 1; fi; }
	rm -rf $(LARGE) && mkdir -p $(LARGE)/corpus
	for d in library reference tutorial howto faq; do cp -r $(LARGE_HTML)/$$d $(LARGE)/corpus/; done
	$(BIN)/rag bench ingest $(LARGE)/corpus --keep-index $(LARGE)/index --raw-sample 2000 --json | tee $(LARGE)/ingest.json
	RAG_INDEX_DIR=$(LARGE)/index RAG_DOCS_DIR=$(LARGE)/corpus \
	  $(BIN)/rag bench ask evals/python-docs-questions.txt --json | tee $(LARGE)/ask-embedded.json
	RAG_INDEX_DIR=$(LARGE)/index RAG_DOCS_DIR=$(LARGE)/corpus \
	  $(BIN)/rag bench ask evals/python-docs-questions.txt --chroma-server --cold-runs 0 --json | tee $(LARGE)/ask-server.json

clean:
	rm -rf $(VENV) .rag evals/runs
