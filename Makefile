# The two set-up commands: `make run` (the whole app on SQLite and a file-based broker) and
# `make test` (the whole suite). Both create .venv and install the pinned requirements.
VENV ?= .venv
PY := $(VENV)/bin/python
export DJANGO_SETTINGS_MODULE ?= config.settings.local

.PHONY: run test install migrate seed messages clean

$(VENV)/.installed: requirements/base.txt requirements/test.txt
	test -x $(PY) || $$(bash scripts/find_python.sh) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements/test.txt
	touch $@

install: $(VENV)/.installed

migrate: install
	$(PY) manage.py migrate --noinput

seed: migrate
	$(PY) manage.py seed_demo

run: seed
	$(PY) scripts/run_all.py

test: install
	bash scripts/ensure_chromium.sh
	bash scripts/ensure_axe.sh
	VENV=$(VENV) bash scripts/test.sh

messages: install
	$(PY) manage.py makemessages -l tr -l zh_Hans --ignore=.venv --ignore=tests
	$(PY) manage.py compilemessages --ignore=.venv

clean:
	rm -rf $(VENV) var staticfiles
