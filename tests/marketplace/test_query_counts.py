"""The number of queries of a listing list does not depend on how many rows it shows: the
selectors join the seller and category and prefetch price tiers and Incoterms once per page."""
from __future__ import annotations

import pytest
from django.core.paginator import Paginator
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import VerificationStatus
from marketplace import search_sqlite, selectors
from marketplace.models import Category, ListingStatus
from tests.factories.accounts import CompanyFactory, MembershipFactory, ModeratorFactory
from tests.factories.marketplace import ListingFactory, PublishedListingFactory
from tests.marketplace.conftest import ship_to

pytestmark = pytest.mark.django_db

LISTINGS = "/api/v1/listings/"
TIERS = [{"min_quantity": 10, "unit_price": "8.00"}, {"min_quantity": 100, "unit_price": "7.50"}]


@pytest.fixture
def sellers():
    companies = [CompanyFactory(legal_name=f"Seller {n}", verification_status=VerificationStatus.VERIFIED)
                 for n in range(3)]
    for company in companies:
        ship_to(company, ["DE"])
    return companies


def add_listings(sellers, count: int, *, status: str = ListingStatus.PUBLISHED) -> None:
    paths = ["textiles/home-textiles", "electronics/pcb", "automotive"]
    for n in range(count):
        ListingFactory(seller=sellers[n % len(sellers)], category=paths[n % len(paths)], status=status,
                       title=f"Cotton item {n}", moq=10, price_tiers=TIERS, incoterms=["FOB", "CIF"])


def queries(callable_) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as captured:
        result = callable_()
    return len(captured), result


def page_rows(qs, per_page: int = 50) -> list[tuple]:
    page = Paginator(qs, per_page).page(1)
    return [(listing.seller.legal_name, listing.category.name, len(listing.price_tiers.all()),
             len(listing.incoterm_rows.all())) for listing in page.object_list]


# --- selectors ----------------------------------------------------------------------------------

def test_seller_list(sellers):
    owner = MembershipFactory(company=sellers[0]).user
    add_listings(sellers[:1], 1, status=ListingStatus.DRAFT)
    one, rows = queries(lambda: page_rows(selectors.listing_list_for_seller(actor=owner)))
    assert (one, len(rows)) == (4, 1)
    add_listings(sellers[:1], 29, status=ListingStatus.DRAFT)
    many, rows = queries(lambda: page_rows(selectors.listing_list_for_seller(actor=owner)))
    assert (many, len(rows)) == (4, 30)


def test_moderation_queue(sellers):
    moderator = ModeratorFactory()
    assert moderator.is_moderator  # cached, so the group check is not counted below
    add_listings(sellers, 1, status=ListingStatus.PENDING_REVIEW)
    one, rows = queries(lambda: page_rows(selectors.listing_moderation_queue(actor=moderator)))
    assert (one, len(rows)) == (4, 1)
    add_listings(sellers, 29, status=ListingStatus.PENDING_REVIEW)
    many, rows = queries(lambda: page_rows(selectors.listing_moderation_queue(actor=moderator)))
    assert (many, len(rows)) == (4, 30)


# --- API ------------------------------------------------------------------------------------------

# A text search first checks with EXISTS whether the exact words find anything, and "Did you mean"
# checks whether the catalogue holds each word of four letters or more.
TEXT_CHECK = 2


def read_new_titles() -> None:
    """On SQLite the typo vocabulary reads new titles at the next misspelt word (a few queries once)."""
    if connection.vendor == "sqlite":
        search_sqlite.refresh_vocabulary()


@pytest.mark.parametrize(("query", "expected"), [
    pytest.param("", 4, id="browse"),
    # PostgreSQL: the candidates of a search sorted by relevance are read in place of the check, and
    # the count is their number (no count query); they hold "cotton" as written, so "Did you mean"
    # asks nothing.
    pytest.param("?q=cotton", 4 + TEXT_CHECK - (2 if connection.vendor == "postgresql" else 0), id="text"),
    pytest.param("?q=cotton&incoterm=FOB&ships_to=DE&verified_only=true&sort=price_asc", 4 + TEXT_CHECK,
                 id="text-and-filters"),
    # + the closest words of "cottn". SQLite: for the search, whether the index holds "cottn", whether new
    # titles wait for the vocabulary and the closest words; the same two for "Did you mean" and its check
    # that a published listing holds "cotton". PostgreSQL: the strict candidates (none), the words "cottn"
    # stands for with its closest word (one query, read before the search so that its query holds them
    # as constants), the forgiving candidates, and no count query; "Did you mean" reads nothing more (a
    # search of one word over the whole catalogue found no listing holding it, and its closest word is
    # known).
    pytest.param("?q=cottn", 4 + TEXT_CHECK + (6 if connection.vendor == "sqlite" else 0), id="typo"),
    pytest.param("?category={category}&moq_max=100", 5, id="category"),  # + the category of the query
    # + the rate of the display currency (none is looked up for EUR, the default)
    pytest.param("?currency=TRY&price_min=0.01&sort=price_desc", 5, id="display-currency"),
])
def test_public_list(api_client, sellers, query, expected):
    url = LISTINGS + query.format(category=Category.objects.get(path="textiles").pk)
    add_listings(sellers, 1)
    read_new_titles()
    one, response = queries(lambda: api_client.get(url))
    assert response.status_code == 200, response.content
    assert (one, response.json()["count"]) == (expected, 1)

    # 60 listings: 21 in textiles, every one with two tiers and two Incoterms.
    add_listings(sellers, 59)
    read_new_titles()
    many, response = queries(lambda: api_client.get(url + ("&" if "?" in url else "?") + "page_size=100"))
    body = response.json()
    assert response.status_code == 200, response.content
    total = 21 if "category" in query else 60
    assert (many, body["count"], len(body["results"])) == (expected, total, total)
    assert {len(row["price_tiers"]) for row in body["results"]} == {2}
    assert {tuple(row["incoterms"]) for row in body["results"]} == {("CIF", "FOB")}


def test_own_listings(api_client, sellers):
    owner = MembershipFactory(company=sellers[0]).user
    api_client.force_authenticate(owner)
    add_listings(sellers[:1], 1, status=ListingStatus.DRAFT)
    one, response = queries(lambda: api_client.get(f"{LISTINGS}mine/"))
    assert (response.status_code, response.json()["count"]) == (200, 1)
    add_listings(sellers[:1], 29, status=ListingStatus.DRAFT)
    many, response = queries(lambda: api_client.get(f"{LISTINGS}mine/?page_size=50"))
    assert (response.status_code, response.json()["count"], len(response.json()["results"])) == (200, 30, 30)
    assert many == one


def test_detail_does_not_depend_on_the_number_of_rows_it_shows(api_client, sellers):
    small = PublishedListingFactory(seller=sellers[0], price_tiers=[TIERS[0]], incoterms=["FOB"],
                                    ships_to_mode="only", ships_to_countries=["DE"])
    large = PublishedListingFactory(
        seller=sellers[0], moq=10, incoterms=["FOB", "CIF", "EXW", "DAP", "DDP"],
        price_tiers=[{"min_quantity": 10 * 2 ** n, "unit_price": f"{9 - n}.00"} for n in range(6)],
        ships_to_mode="only", ships_to_countries=["DE", "FR", "NL", "BE", "AT", "PL"],
        certificates=[{"name": f"Certificate {n}", "issuer": "Bureau"} for n in range(4)])
    small_count, response = queries(lambda: api_client.get(f"{LISTINGS}{small.pk}/"))
    assert response.status_code == 200
    large_count, response = queries(lambda: api_client.get(f"{LISTINGS}{large.pk}/"))
    assert response.status_code == 200
    assert (len(response.json()["price_tiers"]), len(response.json()["incoterms"])) == (6, 5)
    assert large_count == small_count
