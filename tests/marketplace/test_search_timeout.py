"""A catalogue search read may not hold a database core for seconds: on PostgreSQL it runs with a
statement timeout (settings.SEARCH_STATEMENT_TIMEOUT_MS, bounded) and a cancelled search answers a
clear message, a 400 in the API, instead of a 500."""
from __future__ import annotations

import pytest
from django.db import connection
from django.db.models.expressions import RawSQL

from marketplace import search, selectors
from tests.factories.accounts import CompanyFactory
from tests.factories.marketplace import PublishedListingFactory
from tests.marketplace.conftest import LISTINGS

pytestmark = pytest.mark.django_db
on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL statement timeout")
# The limit is set in a transaction of its own, as a request runs (autocommit): not inside a test's.
committing = pytest.mark.django_db(transaction=True)
MESSAGE = "The search took too long; add a word or a filter."


@pytest.mark.parametrize(("setting", "used"), [(1, 50), (800, 800), (10**9, 30000)])
def test_the_timeout_is_kept_within_bounds(settings, setting, used):
    settings.SEARCH_STATEMENT_TIMEOUT_MS = setting
    assert search.statement_timeout_ms() == used


def test_the_default_timeout(settings):
    del settings.SEARCH_STATEMENT_TIMEOUT_MS
    assert search.statement_timeout_ms() == search.DEFAULT_STATEMENT_TIMEOUT_MS == 3000


@on_postgresql
@committing
def test_a_slow_search_read_is_cancelled_and_the_connection_goes_on(settings):
    settings.SEARCH_STATEMENT_TIMEOUT_MS = 50
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        before = cursor.fetchone()[0]
    with pytest.raises(search.SearchTooSlow) as raised:
        with search.search_time_limit("cotton"), connection.cursor() as cursor:
            cursor.execute("SELECT pg_sleep(2)")
    assert raised.value.message == MESSAGE
    assert raised.value.fields == {"q": [MESSAGE]}
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] == before
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)


@on_postgresql
@committing
def test_a_quick_search_read_is_not_limited(settings):
    settings.SEARCH_STATEMENT_TIMEOUT_MS = 2000
    with search.search_time_limit("cotton"), connection.cursor() as cursor:
        cursor.execute("SELECT pg_sleep(0.1)")
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] == "2s"


@on_postgresql
@committing
def test_a_list_without_text_is_not_limited(settings):
    settings.SEARCH_STATEMENT_TIMEOUT_MS = 2000
    with search.search_time_limit("  "), connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] == "0"


@on_postgresql
def test_a_read_inside_an_open_transaction_is_not_limited(settings):
    settings.SEARCH_STATEMENT_TIMEOUT_MS = 2000
    with search.search_time_limit("cotton"), connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] == "0"


@pytest.fixture
def slow_search(settings, monkeypatch):
    """Every catalogue search sleeps half a second in the database, past a 50 ms limit."""
    settings.SEARCH_STATEMENT_TIMEOUT_MS = 50
    PublishedListingFactory(seller=CompanyFactory(), title="Cotton bath towel")
    original = selectors.listing_search
    monkeypatch.setattr(selectors, "listing_search", lambda *, params: original(params=params).annotate(
        slow=RawSQL("(SELECT 1 FROM pg_sleep(0.5))", [])))


@on_postgresql
@committing
def test_the_api_answers_a_slow_search_with_a_400(client, slow_search):
    response = client.get(LISTINGS, {"q": "cotton"})
    assert response.status_code == 400
    assert response.json() == {"error": {"code": "search_too_slow", "message": MESSAGE, "fields": {"q": [MESSAGE]}}}


@on_postgresql
def test_the_api_answers_a_quick_search(client, settings):
    settings.SEARCH_STATEMENT_TIMEOUT_MS = 2000
    listing = PublishedListingFactory(seller=CompanyFactory(), title="Cotton bath towel")
    response = client.get(LISTINGS, {"q": "cotton"})
    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [listing.pk]


@on_postgresql
@committing
def test_the_search_page_answers_a_slow_search_with_a_message(client, slow_search):
    response = client.get("/listings/", {"q": "cotton"})
    assert response.status_code == 200
    assert MESSAGE in response.content.decode()
    assert "Cotton bath towel" not in response.content.decode()


@on_postgresql
def test_the_search_page_shows_a_quick_search(client, settings):
    settings.SEARCH_STATEMENT_TIMEOUT_MS = 2000
    PublishedListingFactory(seller=CompanyFactory(), title="Cotton bath towel")
    response = client.get("/listings/", {"q": "cotton"})
    assert response.status_code == 200
    assert MESSAGE not in response.content.decode()
    assert "Cotton bath towel" in response.content.decode()
