"""Fixtures of the review tests: the order world of tests/orders/helpers.py with a completed order."""
from __future__ import annotations

import pytest

from orders.models import OrderStatus
from tests.orders.helpers import build_world, order_in


@pytest.fixture
def world(db):
    return build_world()


@pytest.fixture
def completed(world):
    """An order of Gamma Handel GmbH from Tekstil A.S., completed."""
    return order_in(world, OrderStatus.COMPLETED)


@pytest.fixture
def client_as(client):
    """Returns a function that signs the test client in as the given user."""

    def _as(user):
        client.force_login(user)
        return client

    return _as
