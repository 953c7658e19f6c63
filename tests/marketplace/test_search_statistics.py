"""The planner keeps statistics of 10,000 words of the stored search vectors (migrations 0010 and
0012), so that a word no document has is reckoned rare and looked up in the document index, never by
reading every document."""
from __future__ import annotations

import pytest
from django.db import connection

pytestmark = [pytest.mark.django_db,
              pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL planner statistics")]


def test_the_stored_vectors_keep_statistics_of_many_words():
    with connection.cursor() as cursor:
        cursor.execute("SELECT a.attstattarget FROM pg_attribute a WHERE a.attrelid = "
                       "'marketplace_listing'::regclass AND a.attname = 'search_vector'")
        assert cursor.fetchone()[0] == 1000


def test_the_document_index_is_on_the_stored_vectors():
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname IN "
                       "('listing_search_vector_gin', 'listing_search_document_gin')")
        assert [row[0] for row in cursor.fetchall()] == [
            "CREATE INDEX listing_search_vector_gin ON public.marketplace_listing USING gin (search_vector)"]
