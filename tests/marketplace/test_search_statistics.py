"""The planner keeps statistics of 10,000 words of the search documents (migration 0010), so that a word
no document has is reckoned rare and looked up in the document index, never by reading every document."""
from __future__ import annotations

import pytest
from django.db import connection

pytestmark = [pytest.mark.django_db,
              pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL planner statistics")]


def test_the_document_index_keeps_statistics_of_many_words():
    with connection.cursor() as cursor:
        cursor.execute("SELECT a.attstattarget FROM pg_attribute a WHERE a.attrelid = "
                       "'listing_search_document_gin'::regclass AND a.attnum = 1")
        assert cursor.fetchone()[0] == 1000

