"""What keeps catalogue reads cheap with many listings: list rows without the wide columns, a
count without the joins and the order of the page, a detail page without a second visibility
query, persistent PostgreSQL connections without JIT, and the partial covering index of the
category filter."""
from __future__ import annotations

import re
import runpy
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.paginator import Paginator
from django.db import connection, transaction
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Company, VerificationStatus
from marketplace import search, selectors
from marketplace.models import Category, Listing, ListingStatus, ShipsToMode
from marketplace.selectors import SearchParams, listing_search
from tests.factories.accounts import CompanyFactory, MembershipFactory, ModeratorFactory
from tests.factories.marketplace import ListingFactory, PublishedListingFactory
from tests.marketplace.conftest import ship_to

pytestmark = pytest.mark.django_db

on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL plans and settings")

WIDE_COLUMNS = {"description", "description_html", "search_document", "pending_changes"}


def suspend(company: Company) -> None:
    Company.objects.filter(pk=company.pk).update(verification_status=VerificationStatus.SUSPENDED)


@pytest.fixture
def catalogue():
    verified = CompanyFactory(legal_name="Anatolia Textiles", verification_status=VerificationStatus.VERIFIED,
                              description="Family weaving mill since 1962. " * 50)
    pending = CompanyFactory(legal_name="Nairobi Coffee", verification_status=VerificationStatus.PENDING)
    gone = CompanyFactory(legal_name="Gone Towels", verification_status=VerificationStatus.VERIFIED)
    rows = {
        "towel": PublishedListingFactory(seller=verified, title="Cotton bath towel", description="Soft **terry**.",
                                         category="textiles/home-textiles", incoterms=["FOB"],
                                         ships_to_mode=ShipsToMode.ALL_EXCEPT, ships_to_countries=["RU"]),
        "shirt": PublishedListingFactory(seller=verified, title="Cotton T-shirt", description="Combed jersey.",
                                         category="textiles/garments", incoterms=["EXW", "FOB"],
                                         ships_to_mode=ShipsToMode.ONLY, ships_to_countries=["DE"]),
        "coffee": PublishedListingFactory(seller=pending, title="Arabica coffee beans", description="Washed.",
                                          category="food-agriculture/coffee-tea", incoterms=["FOB"]),
        "hidden": PublishedListingFactory(seller=gone, title="Cotton towel of a suspended seller",
                                          category="textiles/home-textiles", incoterms=["FOB"]),
        "draft": ListingFactory(seller=verified, title="Cotton towel draft", category="textiles/home-textiles"),
    }
    for company in (verified, pending, gone):
        ship_to(company, ["DE", "FR"])
    suspend(gone)
    return rows


# --- list rows ------------------------------------------------------------------------------------

@pytest.mark.parametrize("params", [SearchParams(), SearchParams(q="cotton"),
                                    SearchParams(category=None, incoterm="FOB", sort="price_asc")])
def test_list_rows_leave_the_wide_columns_in_the_table(catalogue, params):
    with CaptureQueriesContext(connection) as captured:
        rows = list(listing_search(params=params))
    assert rows
    # The page query (after the candidates' one, which a relevance search on PostgreSQL reads first).
    page_sql = next(q["sql"] for q in reversed(captured.captured_queries) if '"marketplace_listing"."title"' in q["sql"])
    # The text search may still filter on the document (and rank with subqueries of its own).
    selected = page_sql.split(' FROM "marketplace_listing"', 1)[0]
    for column in WIDE_COLUMNS:
        assert f'"marketplace_listing"."{column}"' not in selected
    assert '"accounts_company"."description"' not in selected
    assert '"accounts_company"."legal_name"' in selected
    for row in rows:
        assert WIDE_COLUMNS <= row.get_deferred_fields()
        assert row.seller.get_deferred_fields() == {"description"}
        assert row.title and row.seller.legal_name and row.category.name  # what a card shows is loaded


def test_a_deferred_column_is_still_read_when_asked_for(catalogue):
    row = next(row for row in listing_search(params=SearchParams(q="bath")) if row.pk == catalogue["towel"].pk)
    with CaptureQueriesContext(connection) as captured:
        assert row.description == "Soft **terry**."
    assert len(captured) == 1


def test_the_api_list_reads_no_deferred_column(api_client, catalogue):
    with CaptureQueriesContext(connection) as captured:
        body = api_client.get("/api/v1/listings/", {"q": "cotton"}).json()
    assert body["count"] == 2
    assert sorted(row["title"] for row in body["results"]) == ["Cotton T-shirt", "Cotton bath towel"]
    assert not any("description" in row for row in body["results"])
    assert not any('"marketplace_listing"."description"' in q["sql"] for q in captured.captured_queries)


# --- the count ------------------------------------------------------------------------------------

def test_the_count_has_no_order_no_card_joins_and_no_rank(catalogue):
    params = SearchParams(q="cotton", category=Category.objects.get(path="textiles"), incoterm="FOB",
                          ships_to="DE", price_max=Decimal("1000"), sort="relevance")
    paginator = Paginator(listing_search(params=params), 20)
    with CaptureQueriesContext(connection) as captured:
        assert paginator.count == 2  # towel (all except RU) and shirt (only DE); not hidden, not draft
    count_sql = captured.captured_queries[-1]["sql"]
    assert count_sql.startswith("SELECT COUNT(*)")
    assert "ORDER BY" not in count_sql
    if connection.vendor == "postgresql":
        # The newest candidates a relevance page ranks are read once, just before, and counted by pk.
        assert re.findall(r'ORDER BY "\w+"\."(\w+)"', captured.captured_queries[-2]["sql"]) == ["published_at"]
        assert "= ANY(" in count_sql and "search_vector" not in count_sql
    assert "JOIN \"accounts_company\"" not in count_sql  # the seller check is a NOT IN of suspended sellers
    assert "marketplace_pricetier" not in count_sql
    assert '"rank"' not in count_sql


def test_suspended_sellers_stay_out_of_the_public_catalogue(catalogue):
    assert set(selectors.listing_public_queryset().values_list("pk", flat=True)) == {
        catalogue["towel"].pk, catalogue["shirt"].pk, catalogue["coffee"].pk}
    assert Paginator(listing_search(params=SearchParams(q="towel")), 20).count == 1


@pytest.mark.parametrize("status", ListingStatus.values)
@pytest.mark.parametrize("verification", VerificationStatus.values)
def test_listing_is_public_agrees_with_the_public_queryset(db, status, verification):
    seller = CompanyFactory(verification_status=VerificationStatus.VERIFIED)
    listing = ListingFactory(seller=seller, status=status)
    Company.objects.filter(pk=seller.pk).update(verification_status=verification)
    loaded = Listing.objects.select_related("seller").get(pk=listing.pk)
    in_queryset = selectors.listing_public_queryset().filter(pk=listing.pk).exists()
    assert selectors.listing_is_public(loaded) is in_queryset
    assert in_queryset is (status == ListingStatus.PUBLISHED and verification != VerificationStatus.SUSPENDED)


# --- detail ---------------------------------------------------------------------------------------

def test_a_public_listing_is_read_in_one_query_and_five_prefetches(catalogue):
    with CaptureQueriesContext(connection) as captured:
        listing = selectors.listing_get_for_actor(actor=AnonymousUser(), pk=catalogue["towel"].pk)
    assert listing.pk == catalogue["towel"].pk
    assert listing.description == "Soft **terry**."
    assert len(captured) == 6
    assert sum('FROM "marketplace_listing"' in q["sql"] for q in captured.captured_queries) == 1


def test_the_api_detail_makes_seven_queries(api_client, catalogue):
    """The listing, its five prefetches and the seller's rated shipping countries (effective ships-to)."""
    with CaptureQueriesContext(connection) as captured:
        response = api_client.get(f"/api/v1/listings/{catalogue['towel'].pk}/")
    assert response.status_code == 200
    assert response.json()["description"] == "Soft **terry**."
    assert response.json()["effective_ships_to"] == ["DE", "FR"]
    assert len(captured) == 7


def test_a_suspended_sellers_listing_is_hidden_from_buyers_but_not_from_members_and_moderators(catalogue):
    hidden = catalogue["hidden"]
    for actor in (AnonymousUser(), MembershipFactory(company=CompanyFactory()).user):
        with pytest.raises(Http404):
            selectors.listing_get_for_actor(actor=actor, pk=hidden.pk)
    member = MembershipFactory(company=hidden.seller).user
    assert selectors.listing_get_for_actor(actor=member, pk=hidden.pk).pk == hidden.pk
    assert selectors.listing_get_for_actor(actor=ModeratorFactory(), pk=hidden.pk).pk == hidden.pk
    with pytest.raises(Http404):
        selectors.listing_get_for_actor(actor=AnonymousUser(), pk=catalogue["draft"].pk)


# --- database settings ----------------------------------------------------------------------------

def database_settings(monkeypatch, **env) -> dict:
    for name in ("DATABASE_URL", "DB_CONN_MAX_AGE", "DB_PARALLEL_WORKERS_PER_QUERY", "PGOPTIONS"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    base = Path(settings.BASE_DIR) / "config" / "settings" / "base.py"
    return runpy.run_path(str(base), run_name="settings_probe")["DATABASES"]["default"]


def test_postgresql_connections_persist_with_health_checks_and_without_jit(monkeypatch):
    db = database_settings(monkeypatch, DATABASE_URL="postgres://u:p@db.example:5432/market")
    assert (db["CONN_MAX_AGE"], db["CONN_HEALTH_CHECKS"]) == (60, True)
    assert db["OPTIONS"] == {"options": "-c jit=off -c max_parallel_workers_per_gather=0"}


def test_parallel_workers_per_query_can_be_raised(monkeypatch):
    db = database_settings(monkeypatch, DATABASE_URL="postgres://u:p@db.example:5432/market",
                           DB_PARALLEL_WORKERS_PER_QUERY="2")
    assert db["OPTIONS"] == {"options": "-c jit=off -c max_parallel_workers_per_gather=2"}


def test_postgresql_options_of_the_url_and_pgoptions_are_kept_after_jit_off(monkeypatch):
    db = database_settings(monkeypatch, DATABASE_URL="postgres://u:p@db/market?options=-c%20statement_timeout%3D5000"
                                                     "&sslmode=require",
                           PGOPTIONS="-c work_mem=8MB", DB_CONN_MAX_AGE="0")
    assert db["OPTIONS"] == {"sslmode": "require", "options": "-c jit=off -c max_parallel_workers_per_gather=0 "
                                                                "-c work_mem=8MB -c statement_timeout=5000"}
    assert db["CONN_MAX_AGE"] == 0


def test_sqlite_keeps_its_options_and_short_lived_connections(monkeypatch, tmp_path):
    db = database_settings(monkeypatch, DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}")
    assert db["CONN_MAX_AGE"] == 0
    assert db["CONN_HEALTH_CHECKS"] is False
    assert db["OPTIONS"] == {"transaction_mode": "IMMEDIATE", "timeout": 20,
                             "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"}


@on_postgresql
def test_the_test_connection_runs_without_jit_or_parallel_workers():
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
        cursor.execute("SHOW max_parallel_workers_per_gather")
        assert cursor.fetchone()[0] == "0"


# --- the covering index of the category filter ------------------------------------------------------

def index_only_plan(sql: str, *, without: tuple[str, ...] = ()) -> str:
    """The plan when reading the table is made as costly as it gets: a scan of the listings is an
    index-only scan only when an index holds every column the query needs. Indexes named in
    `without` are dropped for the rest of the test (its transaction is rolled back): on the few rows
    of a test, every index scan costs the same penalty and another partial index of the published
    listings may be picked for a query it does not cover."""
    with transaction.atomic(), connection.cursor() as cursor:
        for index in without:
            cursor.execute(f"DROP INDEX {index}")
        cursor.execute("ANALYZE marketplace_listing")
        for scan in ("seqscan", "indexscan", "bitmapscan"):
            cursor.execute(f"SET LOCAL enable_{scan} = off")
        cursor.execute(f"EXPLAIN {sql}")
        return "\n".join(row[0] for row in cursor.fetchall())


@on_postgresql
def test_the_category_count_reads_the_covering_index_only(catalogue):
    params = SearchParams(category=Category.objects.get(path="textiles"), incoterm="FOB", ships_to="DE")
    with CaptureQueriesContext(connection) as captured:
        assert Paginator(listing_search(params=params), 20).count == 2
    # Every other index of the listings is dropped (in the test's transaction): with the table made
    # costly, the plans left differ only in penalties, and the planner may pick any of them.
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'marketplace_listing' AND indexname <> "
                       "'listing_published_category_idx' AND indexname NOT IN (SELECT conname FROM pg_constraint)")
        others = tuple(row[0] for row in cursor.fetchall())
    explained = index_only_plan(captured.captured_queries[-1]["sql"], without=others)
    assert "Index Only Scan using listing_published_category_idx" in explained, explained



# --- misspelt words -------------------------------------------------------------------------------

@pytest.fixture
def towels(db):
    seller = CompanyFactory(legal_name="Ege Home", verification_status=VerificationStatus.VERIFIED)
    now = timezone.now()
    return {
        "towel": PublishedListingFactory(seller=seller, title="Cotton bath towel", description="Terry loops.",
                                         published_at=now - timedelta(days=3)),
        "robe": PublishedListingFactory(seller=seller, title="Bathrobe", description="Matches our cotton towels.",
                                        published_at=now - timedelta(days=1)),
        "cloth": PublishedListingFactory(seller=seller, title="Linen tablecloth", description="Hemmed.",
                                         published_at=now - timedelta(days=2)),
    }


@on_postgresql
def test_a_misspelt_word_stands_for_the_similar_words_of_the_titles(towels):
    results = list(listing_search(params=SearchParams(q="cottn")))
    # "cotton" is in the towel's title and in the bathrobe's description: title first.
    assert [(row.pk, row.rank) for row in results] == [(towels["towel"].pk, 1.0), (towels["robe"].pk, 0.0)]
    assert Paginator(listing_search(params=SearchParams(q="cottn")), 20).count == 2
    assert [row.pk for row in listing_search(params=SearchParams(q="cottn", sort="newest"))] == [
        towels["robe"].pk, towels["towel"].pk]
    # "towl" stands for "towel" (a title word), which the bathrobe's description holds as the English
    # stem of "towels": both, the title first.
    assert [(row.pk, row.rank) for row in listing_search(params=SearchParams(q="cottn towl"))] == [
        (towels["towel"].pk, 1.0), (towels["robe"].pk, 0.0)]
    # Every word must match: the tablecloth is hemmed but not cotton.
    assert list(listing_search(params=SearchParams(q="cottn hemmed"))) == []
    assert [row.pk for row in listing_search(params=SearchParams(q="lnen"))] == []  # too short to be forgiven
    assert [row.pk for row in listing_search(params=SearchParams(q="tablecloht"))] == [towels["cloth"].pk]


@on_postgresql
def test_a_misspelt_word_is_not_compared_with_every_matching_title(towels):
    with CaptureQueriesContext(connection) as captured:
        assert Paginator(listing_search(params=SearchParams(q="cottn")), 20).count == 2
    count_sql = captured.captured_queries[-1]["sql"]
    # The trigram index of the title words is asked once, before the search; the listings are then
    # matched with the document index, each row tested once against one tsquery.
    trigram_sql = [query["sql"] for query in captured.captured_queries if "%>" in query["sql"]]
    assert len(trigram_sql) == 1
    assert f"FROM {search.TITLE_WORDS_TABLE}" in trigram_sql[0] and "word %> 'cottn'" in trigram_sql[0]
    assert "%>" not in count_sql
    walks = [query["sql"] for query in captured.captured_queries if "search_vector" in query["sql"]]
    assert walks and all(sql.count("@@") == 1 for sql in walks)
