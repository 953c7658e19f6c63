"""The browse and search page, category pages, the home page search box and the catalogue nav links."""
from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from pytest_django.asserts import assertContains

from accounts.models import CompanyKind, VerificationStatus
from marketplace.models import Category, ListingStatus, ShipsToMode
from marketplace.selectors import SearchParams
from tests.factories.accounts import CompanyFactory, MembershipFactory
from fx.models import FxRate, FxSource
from tests.factories.marketplace import ListingFactory, PublishedListingFactory
from tests.marketplace.conftest import ship_to

pytestmark = pytest.mark.django_db


def titles(response) -> list[str]:
    return [listing.title for listing in response.context["page"].object_list]


def _nav(response) -> str:
    return re.search(r"<nav class=\"site-nav\".*?</nav>", response.content.decode(), re.S).group(0)


@pytest.fixture
def catalogue():
    """Four visible listings that differ in every filter, and three that buyers never see. Rates of
    today make the prices in EUR round: towel 0.105, denim 0.1625, PCB 0.10, coffee 0.12."""
    now = timezone.now()
    FxRate.objects.bulk_create([FxRate(date=timezone.localdate(), currency=currency, rate=Decimal(rate),
                                       source=FxSource.MANUAL)
                                for currency, rate in (("TRY", "40"), ("CNY", "8"), ("KES", "100"))])
    anatolia = CompanyFactory(legal_name="Anatolia Textiles", country="TR",
                              verification_status=VerificationStatus.VERIFIED)
    shenzhen = CompanyFactory(legal_name="Shenzhen Circuits", country="CN", default_currency="CNY",
                              verification_status=VerificationStatus.VERIFIED)
    nairobi = CompanyFactory(legal_name="Nairobi Coffee", country="KE", default_currency="KES",
                             verification_status=VerificationStatus.PENDING)
    gone = CompanyFactory(legal_name="Gone Towels", country="TR", verification_status=VerificationStatus.VERIFIED)
    for company in (anatolia, shenzhen, nairobi, gone):
        ship_to(company, ["DE", "FR", "RU", "KE"])
    listings = {
        "towel": PublishedListingFactory(
            seller=anatolia, title="Cotton bath towel", category="textiles/home-textiles", origin_country="TR",
            hs_code="630260", moq=100, unit_price="4.20", incoterms=["FOB", "EXW"],
            ships_to_mode=ShipsToMode.ALL_EXCEPT, ships_to_countries=["RU"], published_at=now - timedelta(days=4)),
        "denim": PublishedListingFactory(
            seller=anatolia, title="Indigo denim fabric", category="textiles/fabrics", origin_country="TR",
            hs_code="520942", moq=500, unit_price="6.50", incoterms=["EXW"], unit="m",
            ships_to_mode=ShipsToMode.ONLY, ships_to_countries=["DE", "FR"], published_at=now - timedelta(days=3)),
        "pcb": PublishedListingFactory(
            seller=shenzhen, title="Double-sided PCB", category="electronics/pcb", origin_country="CN",
            hs_code="853400", moq=1000, unit_price="0.80", incoterms=["FOB", "CIF"],
            published_at=now - timedelta(days=2)),
        "coffee": PublishedListingFactory(
            seller=nairobi, title="Arabica coffee beans", category="food-agriculture/coffee-tea",
            origin_country="KE", hs_code="090111", moq=60, unit_price="12.00", incoterms=["DAP"], unit="kg",
            ships_to_mode=ShipsToMode.ONLY, ships_to_countries=["KE", "UG"], published_at=now - timedelta(days=1)),
        "draft": ListingFactory(seller=anatolia, title="Cotton towel draft"),
        "archived": ListingFactory(seller=anatolia, title="Cotton towel archived", status=ListingStatus.ARCHIVED),
        "hidden": PublishedListingFactory(seller=gone, title="Cotton towel of a suspended seller"),
    }
    gone.verification_status = VerificationStatus.SUSPENDED
    gone.save()
    return listings


def test_browse_shows_published_listings_newest_first_as_cards(client, catalogue):
    response = client.get("/listings/")

    assert response.status_code == 200
    assert titles(response) == ["Arabica coffee beans", "Double-sided PCB", "Indigo denim fabric",
                                "Cotton bath towel"]
    assertContains(response, '<p class="result-count" id="result-count">4 listings</p>', html=True)
    towel = catalogue["towel"]
    card = re.search(rf'<article class="card listing-card" id="listing-{towel.pk}">.*?</article>',
                     response.content.decode(), re.S).group(0)
    assert f'<a href="/listings/{towel.pk}/">Cotton bath towel</a>' in card
    assert '<span class="seller-name">Anatolia Textiles</span>' in card
    assert '<span class="muted">Türkiye</span>' in card
    assert '<span class="badge badge-verified">Verified seller</span>' in card
    assert "from <strong>4.20 TRY</strong> per piece" in card
    assert "<dt>Minimum order</dt><dd>100 piece</dd>" in card
    assert "<dt>Origin</dt><dd>Türkiye</dd>" in card
    assert "<dt>HS code</dt><dd>630260</dd>" in card
    assert "<dt>Incoterms</dt><dd>EXW, FOB</dd>" in card


def test_seller_that_is_not_verified_has_no_badge(client, catalogue):
    response = client.get("/listings/")

    card = re.search(rf'id="listing-{catalogue["coffee"].pk}">.*?</article>', response.content.decode(),
                     re.S).group(0)
    assert "Nairobi Coffee" in card
    assert "Verified seller" not in card


@pytest.mark.parametrize(("query", "expected"), [
    ("q=cotton", ["Cotton bath towel"]),
    ("q=630260", ["Cotton bath towel"]),
    ("category=textiles", ["Indigo denim fabric", "Cotton bath towel"]),
    ("category=textiles/fabrics", ["Indigo denim fabric"]),
    ("origin_country=CN", ["Double-sided PCB"]),
    ("seller_country=TR", ["Indigo denim fabric", "Cotton bath towel"]),
    # In TRY: PCB 4.00, towel 4.20, coffee 4.80, denim 6.50.
    ("currency=TRY&price_min=4.20&price_max=6.50", ["Arabica coffee beans", "Indigo denim fabric",
                                                    "Cotton bath towel"]),
    ("price_min=0.11&price_max=0.12", ["Arabica coffee beans", "Cotton bath towel"]),
    ("moq_max=100", ["Arabica coffee beans", "Cotton bath towel"]),
    ("incoterm=FOB", ["Double-sided PCB", "Cotton bath towel"]),
    ("ships_to=DE", ["Double-sided PCB", "Indigo denim fabric", "Cotton bath towel"]),
    ("ships_to=RU", ["Double-sided PCB"]),
    ("verified=on", ["Double-sided PCB", "Indigo denim fabric", "Cotton bath towel"]),
    ("sort=price_asc", ["Double-sided PCB", "Cotton bath towel", "Arabica coffee beans", "Indigo denim fabric"]),
    ("sort=price_desc", ["Indigo denim fabric", "Arabica coffee beans", "Cotton bath towel", "Double-sided PCB"]),
    ("sort=newest&category=textiles", ["Indigo denim fabric", "Cotton bath towel"]),
    ("q=towel&seller_country=CN", []),
])
def test_every_filter_and_sort(client, catalogue, query, expected):
    response = client.get(f"/listings/?{query}")

    assert response.status_code == 200
    assert response.context["form"].errors == {}
    assert titles(response) == expected


def test_form_values_become_search_params(client, catalogue):
    response = client.get("/listings/?q=+towel+&category=textiles&origin_country=TR&seller_country=TR"
                          "&price_min=0.10&price_max=9.50&moq_max=500&incoterm=EXW&ships_to=DE&verified=on"
                          "&sort=price_desc")

    assert response.context["form"].params() == SearchParams(
        q="towel", category=Category.objects.get(path="textiles"), origin_country="TR", seller_country="TR",
        price_min=Decimal("0.10"), price_max=Decimal("9.50"), moq_max=500, incoterm="EXW", ships_to="DE",
        verified_only=True, sort="price_desc")
    assert titles(response) == ["Cotton bath towel"]


def test_bad_values_are_shown_as_errors_and_left_out_of_the_search(client, catalogue):
    response = client.get("/listings/?price_min=abc&moq_max=0&category=nowhere&incoterm=XYZ&sort=cheapest"
                          "&origin_country=TR")

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "price_min": ["Enter a number."],
        "moq_max": ["Ensure this value is greater than or equal to 1."],
        "category": ["Select a valid choice. That choice is not one of the available choices."],
        "incoterm": ["Select a valid choice. XYZ is not one of the available choices."],
        "sort": ["Select a valid choice. cheapest is not one of the available choices."],
    }
    assert titles(response) == ["Indigo denim fabric", "Cotton bath towel"]
    assertContains(response, '<div class="field field-invalid"><label for="id_price_min">')


@pytest.mark.parametrize(("query", "field"), [
    ("price_min=NaN", "price_min"),
    ("price_max=Infinity", "price_max"),
    ("price_min=1e999", "price_min"),
    ("price_max=-1", "price_max"),
    ("moq_max=99999999999999999999999", "moq_max"),
    ("q=" + "x" * 201, "q"),
    ("ships_to=ZZ", "ships_to"),
    ("seller_country=%00", "seller_country"),
])
def test_hostile_values_are_form_errors_never_server_errors(client, catalogue, query, field):
    response = client.get(f"/listings/?{query}")

    assert response.status_code == 200
    assert list(response.context["form"].errors) == [field]
    assert len(titles(response)) == 4


def test_lowest_price_above_highest_price_is_an_error(client, catalogue):
    response = client.get("/listings/?price_min=0.12&price_max=0.05")

    assert response.status_code == 200
    assert response.context["form"].errors == {"price_max": ["The highest price is below the lowest price."]}
    assert titles(response) == ["Arabica coffee beans", "Indigo denim fabric"]


def test_an_empty_search_says_so(client):
    response = client.get("/listings/?q=anything")

    assert titles(response) == []
    assertContains(response, '<p class="result-count" id="result-count">0 listings</p>', html=True)
    assertContains(response, 'id="no-results"')


def test_one_result_is_counted_in_the_singular(client, catalogue):
    response = client.get("/listings/?origin_country=KE")

    assertContains(response, '<p class="result-count" id="result-count">1 listing</p>', html=True)


def test_pages_of_24_with_links_that_keep_the_query(client):
    seller = CompanyFactory(verification_status=VerificationStatus.VERIFIED)
    start = timezone.now() - timedelta(days=60)
    for number in range(30):
        PublishedListingFactory(seller=seller, title=f"Towel {number:02d}",
                                published_at=start + timedelta(hours=number))

    first = client.get("/listings/?q=towel&sort=newest")
    second = client.get("/listings/?q=towel&sort=newest&page=2")

    assert titles(first) == [f"Towel {n:02d}" for n in range(29, 5, -1)]
    assert titles(second) == [f"Towel {n:02d}" for n in range(5, -1, -1)]
    assertContains(first, '<p class="result-count" id="result-count">30 listings</p>', html=True)
    assertContains(first, '<a rel="next" href="?q=towel&amp;sort=newest&amp;page=2">Next</a>', html=True)
    assertContains(second, '<a rel="prev" href="?q=towel&amp;sort=newest&amp;page=1">Previous</a>', html=True)
    assertContains(first, "Page 1 of 2")
    assert titles(client.get("/listings/?q=towel&sort=newest&page=99")) == titles(second)
    assert titles(client.get("/listings/?q=towel&sort=newest&page=x")) == titles(first)


def test_category_page_includes_the_children(client, catalogue):
    response = client.get("/categories/textiles/")

    assert response.status_code == 200
    assert response.context["category"] == Category.objects.get(path="textiles")
    assert titles(response) == ["Indigo denim fabric", "Cotton bath towel"]
    assertContains(response, "<h1>Textiles and apparel</h1>", html=True)
    assertContains(response, '<option value="textiles" selected>Textiles and apparel</option>', html=True)


def test_category_page_of_a_child_links_its_parent_and_keeps_other_filters(client, catalogue):
    response = client.get("/categories/textiles/home-textiles/?q=towel")

    assert titles(response) == ["Cotton bath towel"]
    assertContains(response, '<a href="/categories/textiles/">Textiles and apparel</a>', html=True)
    assert titles(client.get("/categories/textiles/home-textiles/?q=denim")) == []


def test_unknown_category_page_is_404(client):
    assert client.get("/categories/no-such-thing/").status_code == 404
    assert client.get("/categories/textiles/no-such-child/").status_code == 404


def test_browse_is_get_only(client):
    assert client.post("/listings/").status_code == 405


def _page_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize(("url", "expected"), [
    # exchange rates (display currencies), the category tree (the filter's choices, the chosen
    # category or the page's category, and each card's category from it), count, page (with each
    # card's first picture and Incoterms; a card shows no price tiers)
    ("/listings/", 4),
    # ... and whether all words match (before forgiving typos) and whether the catalogue holds
    # "towel" (before offering "Did you mean")
    ("/listings/?q=towel&category=textiles&sort=price_asc", 6),
    ("/categories/textiles/?incoterm=FOB&ships_to=DE", 4),
])
def test_query_count_does_not_grow_with_the_results(client, url, expected):
    seller = CompanyFactory(verification_status=VerificationStatus.VERIFIED)
    ship_to(seller, ["DE"])
    PublishedListingFactory(seller=seller, title="Towel 0", incoterms=["FOB", "EXW"])
    with_one = _page_queries(client, url)
    assert len(client.get(url).context["page"].object_list) == 1

    for number in range(1, 50):
        PublishedListingFactory(seller=seller, title=f"Towel {number}", incoterms=["FOB", "EXW"],
                                price_tiers=[{"min_quantity": 10, "unit_price": "5.00"},
                                             {"min_quantity": 100, "unit_price": "4.00"}])
    with_fifty = _page_queries(client, url)

    assert client.get(url).context["page"].paginator.count == 50
    assert with_fifty == with_one == expected


def test_query_count_for_a_signed_in_buyer_is_fixed(client_as):
    buyer = MembershipFactory(company=CompanyFactory(kind=CompanyKind.BUYER)).user
    seller = CompanyFactory(verification_status=VerificationStatus.VERIFIED)
    PublishedListingFactory(seller=seller)
    client = client_as(buyer)
    with_one = _page_queries(client, "/listings/?q=product")
    for _ in range(30):
        PublishedListingFactory(seller=seller)

    assert _page_queries(client, "/listings/?q=product") == with_one


def test_home_page_has_a_search_box_for_the_catalogue(client):
    response = client.get("/")

    assertContains(response, '<form class="home-search" id="home-search" method="get" action="/listings/" '
                             'role="search">')
    assertContains(response, '<input type="search" id="home-search-q" name="q" maxlength="200" '
                             'placeholder="Product, material or HS code">', html=True)


def test_nav_links_by_role(client, client_as, member_a, moderator):
    buyer = MembershipFactory(company=CompanyFactory(kind=CompanyKind.BUYER)).user

    anonymous = _nav(client.get("/"))
    assert 'href="/listings/">Browse</a>' in anonymous
    assert "/seller/listings/" not in anonymous and "/moderation/listings/" not in anonymous

    seller_nav = _nav(client_as(member_a).get("/"))
    assert 'href="/listings/">Browse</a>' in seller_nav
    assert '<a href="/seller/listings/">My listings</a>' in seller_nav
    assert "/moderation/listings/" not in seller_nav

    buyer_nav = _nav(client_as(buyer).get("/"))
    assert "/seller/listings/" not in buyer_nav

    moderator_nav = _nav(client_as(moderator).get("/"))
    assert '<a href="/moderation/listings/">Listing moderation</a>' in moderator_nav
    assert "/seller/listings/" not in moderator_nav
