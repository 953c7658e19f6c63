"""The admin's address comes from ADMIN_URL_PATH."""
from __future__ import annotations

import importlib
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.test import override_settings
from django.urls import clear_url_caches

import config.urls


@pytest.fixture
def admin_at_backoffice():
    with override_settings(ADMIN_URL_PATH="backoffice-7f3a/"):
        clear_url_caches()
        importlib.reload(config.urls)
        yield
    clear_url_caches()
    importlib.reload(config.urls)


def test_the_admin_moves_to_the_configured_path(client, db, admin_at_backoffice):
    assert client.get("/backoffice-7f3a/login/").status_code == 200
    assert client.get("/admin/login/").status_code == 404


def test_the_default_is_admin(client, db):
    assert settings.ADMIN_URL_PATH == "admin/"
    assert client.get("/admin/login/").status_code == 200


@pytest.mark.parametrize("value", ["/admin/", "admin", "my admin/"])
def test_a_bad_path_stops_the_start(value):
    env = {**os.environ, "ADMIN_URL_PATH": value, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    result = subprocess.run([sys.executable, "-c", "import django; django.setup()"], env=env,
                            capture_output=True, text=True, cwd=settings.BASE_DIR)

    assert result.returncode != 0
    assert "ADMIN_URL_PATH must be a relative path ending in '/'" in result.stderr
