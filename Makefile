# The two commands of the README: `make demo` and `make test`. Everything else is plumbing.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml scripts/system-packages scripts/portable_llama.py 2>/dev/null | sha256sum | cut -c1-12)

PHONY_MCP := mcp-test-servers npm-tools
.PHONY: $(PHONY_MCP) demo test lint typecheck pytest install clean vsix install-extension extension-test extension-e2e e2e-setup protocol protocol-check e2e-phoenix

# llama-cpp-python is built for any x86-64 CPU (no native tuning) and checked before the rest is installed:
# scripts/portable_llama.py says why, and refuses a native build that pip's wheel cache hands back.
$(STAMP): pyproject.toml scripts/portable_llama.py
	scripts/install-system-packages
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/python scripts/portable_llama.py
	$(BIN)/pip install --quiet -e '.[dev,local]'
	$(BIN)/python scripts/portable_llama.py --check
	touch $(STAMP)

install: $(STAMP)

demo: install
	$(BIN)/python scripts/demo.py

lint: install
	$(BIN)/ruff check agent tools lsp prompts cli tests benchmarks scripts

typecheck: install
	$(BIN)/mypy

# One pytest run holds every test, the extension's end-to-end test in code-server included.
pytest: install e2e-setup mcp-test-servers npm-tools
	E2E_CACHE=$(E2E_CACHE) FLAMBEAU_E2E=1 $(BIN)/python -m pytest -q

test: lint typecheck extension-test pytest

# Real MCP servers the tests start (server-everything from npm, into .mcp-test-servers/).
mcp-test-servers: install
	$(BIN)/python -m tests.mcp_servers

# Node 24 and the official MCP conformance suite (npm, into ~/.cache/flambeau/npm-tools; once).
npm-tools: install
	$(BIN)/python -m tests.npm_tools

# Live export to a real collector: Arize Phoenix (heavy: outside `make test`), in its own virtualenv.
PHOENIX_VENV ?= .phoenix-venv
e2e-phoenix: install
	test -x $(PHOENIX_VENV)/bin/phoenix || ($(PYTHON) -m venv $(PHOENIX_VENV) && $(PHOENIX_VENV)/bin/pip install --quiet arize-phoenix)
	FLAMBEAU_PHOENIX=$(abspath $(PHOENIX_VENV))/bin/phoenix $(BIN)/python -m pytest -q tests/test_phoenix_e2e.py

# VS Code extension (extension/): npm ci once per package-lock, then build / check / package.
EXT_STAMP := extension/node_modules/.installed-$(shell sha256sum extension/package-lock.json 2>/dev/null | cut -c1-12)

$(EXT_STAMP): extension/package-lock.json
	cd extension && npm ci --no-audit --no-fund --loglevel=error
	touch $(EXT_STAMP)

vsix: $(EXT_STAMP)
	cd extension && npm run -s package

install-extension: install vsix
	@command -v code >/dev/null || { echo "no 'code' command on PATH: install extension/flambeau.vsix from VS Code (Extensions: Install from VSIX...)"; exit 1; }
	code --install-extension extension/flambeau.vsix
	@echo "Set the VS Code setting flambeau.pythonPath to $(CURDIR)/$(BIN)/python"

# The extension's protocol types are generated from the server's schema (lsp/protocol.py, agent/events.py).
PROTOCOL_SCHEMA := docs/protocol.schema.json
PROTOCOL_TS := extension/src/shared/protocol.generated.ts

protocol: install $(EXT_STAMP)
	$(BIN)/python -m lsp.schema > $(PROTOCOL_SCHEMA)
	cd extension && node scripts/gen-protocol.mjs ../$(PROTOCOL_SCHEMA) ../$(PROTOCOL_TS)

protocol-check: install $(EXT_STAMP)
	@tmp=$$(mktemp -d) && $(BIN)/python -m lsp.schema > $$tmp/schema.json \
	  && (cd extension && node scripts/gen-protocol.mjs $$tmp/schema.json $$tmp/protocol.ts) \
	  && diff -u $(PROTOCOL_SCHEMA) $$tmp/schema.json && diff -u $(PROTOCOL_TS) $$tmp/protocol.ts \
	  || { echo "the generated protocol is out of date with lsp/protocol.py or agent/events.py: run 'make protocol'"; exit 1; }

extension-test: $(EXT_STAMP) protocol-check
	cd extension && npm run -s lint && npm run -s typecheck && npm run -s test && npm run -s package

# The extension in a real VS Code (code-server, installed once into E2E_CACHE) via Chromium.
E2E_CACHE ?= $(CURDIR)/extension/.e2e-cache
e2e-setup: install vsix
	E2E_CACHE=$(E2E_CACHE) extension/e2e/setup.sh

extension-e2e: e2e-setup
	E2E_CACHE=$(E2E_CACHE) FLAMBEAU_E2E=1 $(BIN)/python -m pytest -q tests/test_extension_e2e.py

clean:
	rm -rf $(VENV)
