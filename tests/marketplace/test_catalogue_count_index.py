"""Counting a category's published listings from one country in a price range reads the covering
index listing_published_category_idx only (migration 0011)."""
from __future__ import annotations

import pytest
from django.db import connection

pytestmark = [pytest.mark.django_db,
              pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL index definitions")]


def test_the_category_index_covers_the_origin_and_the_price():
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_indexdef('listing_published_category_idx'::regclass)")
        definition = cursor.fetchone()[0]

    assert definition.endswith("USING btree (category_id) INCLUDE (id, ships_to_mode, seller_id, origin_country, "
                               "price_eur) WHERE ((status)::text = 'published'::text)")
