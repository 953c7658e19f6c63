"""Fixtures of the statement tests: the order world of tests/orders/helpers.py, and statement files
kept in a directory of the test's own."""
from __future__ import annotations

import pytest

from tests.orders.helpers import build_world


@pytest.fixture(autouse=True)
def statement_files(settings, tmp_path):
    settings.STATEMENT_FILES_ROOT = tmp_path / "statements"
    return settings.STATEMENT_FILES_ROOT


@pytest.fixture
def world(db):
    return build_world()
