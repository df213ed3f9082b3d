# Spiegel: `make run` to try it, `make test` to check it. Both set everything up first.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 5000
SMTP_PORT ?= 8025
MAILBOX := instance/mailbox
export FLASK_APP := wsgi
# Without SPIEGEL_ENV the app is production and refuses to start without a strong SECRET_KEY;
# these targets ask for development explicitly (tests choose the "test" profile themselves).
DEVELOPMENT := SPIEGEL_ENV=development

.PHONY: install translations extract-messages migrate demo run test lint bench clean

$(INSTALLED): requirements.txt requirements-test.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-test.txt
	touch $@

install: $(INSTALLED)

# Compiled catalogues are built here, never committed.
translations: install
	$(BIN)/pybabel compile -d survey/translations

# After changing user-facing strings: refresh the catalogue, then translate the new entries.
extract-messages: install
	$(BIN)/pybabel extract -F babel.cfg -k _l -o survey/translations/messages.pot .
	$(BIN)/pybabel update -N --ignore-obsolete -i survey/translations/messages.pot -d survey/translations

migrate: install
	mkdir -p instance
	$(DEVELOPMENT) $(BIN)/flask db upgrade

demo: migrate
	$(DEVELOPMENT) BASE_URL=http://$(HOST):$(PORT) $(BIN)/flask demo

# Email goes to a local SMTP server that keeps it in a Maildir for the Mailbox page; the traps stop
# that server with the app (a background job of a script ignores Ctrl-C, so it must be killed).
run: translations demo
	mkdir -p $(MAILBOX)/cur $(MAILBOX)/new $(MAILBOX)/tmp
	@echo "Spiegel runs at http://$(HOST):$(PORT)/  (stop with Ctrl-C)"
	@echo "Its email arrives in the Mailbox: http://$(HOST):$(PORT)/dev/mailbox"
	$(BIN)/python -m aiosmtpd -n -l 127.0.0.1:$(SMTP_PORT) -c aiosmtpd.handlers.Mailbox $(MAILBOX) & \
	smtp=$$!; trap 'kill $$smtp 2>/dev/null' EXIT; trap 'exit 130' INT TERM HUP; \
	$(DEVELOPMENT) SCHEDULER_ENABLED=1 BASE_URL=http://$(HOST):$(PORT) \
	MAIL_SERVER=127.0.0.1 MAIL_PORT=$(SMTP_PORT) DEV_MAILBOX_DIR=$(CURDIR)/$(MAILBOX) \
	FLASK_DEBUG=1 $(BIN)/flask run --host $(HOST) --port $(PORT)

test: translations
	$(BIN)/python -m pytest -rs

# Bulk demo data, then every page timed against a plain query in the same run (see
# bench/__init__.py; e.g. BENCH_SIZES=20000 BENCH_DATABASES=sqlite make bench for a quick run):
# dashboards, exports and event pages; the lists; the circle pages; the export job and the bulk
# generator's memory; the survey page under load against a bare app; the statistics' share.
bench: translations
	$(BIN)/python -m bench
	$(BIN)/python -m bench.lists
	$(BIN)/python -m bench.circles
	$(BIN)/python -m bench.exports
	$(BIN)/python -m bench.load
	$(BIN)/python -m bench.statistics

lint: install
	$(BIN)/ruff check survey tests bench config.py wsgi.py gunicorn.conf.py
	$(BIN)/ruff format --check survey tests bench config.py wsgi.py gunicorn.conf.py

clean:
	rm -rf $(VENV) instance/spiegel.db $(MAILBOX) .pytest_cache
	find survey/translations -name '*.mo' -delete
