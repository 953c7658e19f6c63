"""Fixtures of the order tests: the world of tests/orders/helpers.py."""
from __future__ import annotations

import pytest

from tests.orders.helpers import build_world


@pytest.fixture
def world(db):
    return build_world()
