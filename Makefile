# KinBridge: every target bootstraps .venv on a fresh clone (only python3 >= 3.11 and make needed).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
SOURCES := bot.py handlers flows scheduler db sandbox
LOCALES := locales
PORT ?= 8080
PIP_LOG := $(VENV)/pip-install.log

.PHONY: help venv demo run test lint i18n i18n-compile bench clean browser reliability cjk-font

help:
	@echo "make demo   - the local sandbox + bot + seeded demo village (no Telegram needed; PORT=8091 to move it)"
	@echo "make test   - lint, compile catalogs, run the whole test suite"
	@echo "make run    - run against real Telegram (needs TELEGRAM_BOT_TOKEN)"
	@echo "make lint   - ruff"
	@echo "make i18n   - extract messages, update and compile the catalogs"
	@echo "make bench  - the quick benchmarks"
	@echo "make reliability - only the fault, crash, hostile-input, access and privacy tests"

# One line of progress; pip's whole output goes to $(PIP_LOG) (shown only if it fails).
$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "KinBridge needs Python 3.11 or newer")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@printf 'Installing KinBridge and its dependencies into $(VENV) (full log: $(PIP_LOG)) ... '
	@( $(BIN)/python -m pip install --upgrade pip && $(BIN)/python -m pip install -e '.[test]' ) \
		> $(PIP_LOG) 2>&1 || { echo "failed:"; tail -n 25 $(PIP_LOG); exit 1; }
	@rm -f $(VENV)/.installed-*
	@touch $@
	@echo done

venv: $(STAMP)

i18n-compile: $(STAMP)
	$(BIN)/pybabel compile -d $(LOCALES) -D messages --statistics

i18n: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k N_ --no-location --sort-output \
		--project=KinBridge --copyright-holder=KinBridge -o $(LOCALES)/messages.pot $(SOURCES)
	$(BIN)/pybabel update -i $(LOCALES)/messages.pot -d $(LOCALES) -D messages --no-fuzzy-matching --ignore-obsolete
	$(MAKE) i18n-compile

lint: $(STAMP)
	$(BIN)/ruff check .

# The browser tests drive Debian's Chromium (and need a CJK font for readable screenshots).
CHROMIUM := /usr/bin/chromium
BROWSER_PACKAGES := chromium fonts-wqy-microhei fonts-noto-color-emoji
browser:
	@if [ -x $(CHROMIUM) ] && fc-list 2>/dev/null | grep -qi wqy; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "installing $(BROWSER_PACKAGES) for the browser tests (apt-get)"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(BROWSER_PACKAGES) >/dev/null; \
	elif [ -x $(CHROMIUM) ]; then \
		echo "note: no CJK font found; screenshots will show boxes (apt-get install fonts-wqy-microhei)"; \
	else \
		echo "make test needs Debian's Chromium for the browser tests: run 'sudo apt-get install $(BROWSER_PACKAGES)' and try again."; \
		exit 1; \
	fi

# The digest chart writes Chinese with the system's CJK font (flows/staff/chart_font.py finds it
# through fontconfig); tests/test_desk_views.py checks its glyphs, so the suite needs the font.
CJK_FONT_PACKAGES := fonts-wqy-microhei fontconfig
cjk-font:
	@if fc-list :lang=zh-cn 2>/dev/null | grep -q .; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "installing $(CJK_FONT_PACKAGES) for the digest chart (apt-get)"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(CJK_FONT_PACKAGES) >/dev/null; \
	else \
		echo "make test needs a Chinese font for the digest chart: run 'sudo apt-get install $(CJK_FONT_PACKAGES)' and try again."; \
		exit 1; \
	fi

test: $(STAMP) i18n-compile cjk-font browser
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q

# part of 'make test' too (about two minutes of the suite)
reliability: $(STAMP) i18n-compile
	$(BIN)/python -m pytest -q -m reliability

# make demo PORT=8091 moves the web chat and the sandbox Bot API to another port (default 8080)
demo: $(STAMP)
	@$(BIN)/pybabel -q compile -d $(LOCALES) -D messages
	@$(BIN)/python bot.py sandbox --port $(PORT)

run: $(STAMP) i18n-compile
	$(BIN)/python bot.py run

bench: $(STAMP) i18n-compile
	$(BIN)/python bench/broadcast.py --quick
	$(BIN)/python bench/scale.py --quick
	$(BIN)/python bench/updates.py --quick
	$(BIN)/python bench/risk_quality.py --quick
	$(BIN)/python bench/backlog.py --quick
	$(BIN)/python bench/channel.py --quick

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache demo.db demo.db-wal demo.db-shm demo.db.lock test-artifacts
