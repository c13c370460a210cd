# The two commands: `make run` serves the platform, `make test` runs the suite.
# Both set up what is missing (virtual environment, translations, database) and reuse the rest.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
LMS    := $(BIN)/lms
HOST   ?= 127.0.0.1
PORT   ?= 5000
export LMS_ENV ?= development

PO := $(wildcard translations/*/LC_MESSAGES/messages.po)
MO := $(PO:.po=.mo)

.PHONY: run test setup translations extract bench clean

run: setup
	$(LMS) db upgrade
	$(LMS) content import
	$(LMS) demo load
	@# A worker runs the background jobs (e-mail, reminders, PDFs, exports) beside the server, and stops with it;
	@# the links in the e-mails it writes lead to this server.
	export LMS_BASE_URL="$${LMS_BASE_URL:-http://$(HOST):$(PORT)}"; \
	$(LMS) worker --threads 2 & trap 'kill $$! 2>/dev/null' EXIT; $(LMS) run --host $(HOST) --port $(PORT)

test: setup
	$(BIN)/pytest

setup: $(VENV)/.installed $(MO)

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "Python 3.11 or newer is needed")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

%.mo: %.po $(VENV)/.installed
	$(BIN)/pybabel --quiet compile --domain messages --input-file $< --output-file $@ --locale $(word 2,$(subst /, ,$<))

translations: $(MO)

# Collect every translatable string from the code and merge it into the eight catalogues.
extract: $(VENV)/.installed
	$(BIN)/pybabel extract --no-location --sort-output -F babel.cfg -k _l -k lazy_ngettext:1,2 -o translations/messages.pot .
	$(BIN)/pybabel update --no-fuzzy-matching --ignore-obsolete -i translations/messages.pot -d translations

# Measure throughput against a bare Flask page; writes bench/RESULTS.md (bounded, on 127.0.0.1 only).
bench: setup
	cd bench && ../$(BIN)/python run.py

clean:
	rm -rf $(VENV) instance
