from __future__ import annotations

import pytest

from tests.orders.rfq_helpers import build_rfq_world


@pytest.fixture
def world(db):
    return build_rfq_world()
