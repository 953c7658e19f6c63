"""The demo catalogue of seed_demo: enough published listings across categories and seller countries,
moved through the services with recorded decisions, and nothing duplicated by a second run."""
from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command
from django.db.models import Count

from accounts.models import Company, User
from demo import marketplace as demo
from marketplace import selectors
from marketplace.models import Listing, ListingDecision, ListingStatus, PriceTier

pytestmark = pytest.mark.django_db


def counts() -> dict:
    return {
        "companies": Company.objects.count(),
        "listings": list(Listing.objects.order_by("pk").values_list("pk", "seller_id", "title", "status")),
        "decisions": ListingDecision.objects.count(),
        "tiers": PriceTier.objects.count(),
        "by_status": dict(Listing.objects.values_list("status").annotate(n=Count("pk")).order_by("status")),
    }


@pytest.fixture
def seeded(db):
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def test_second_run_creates_no_duplicates(seeded):
    first = counts()
    out = io.StringIO()

    call_command("seed_demo", stdout=out)

    assert counts() == first
    assert "(0 listings added now)" in out.getvalue()
    assert f"({len(first['listings'])} listings added now)" in seeded
    assert Listing.objects.values("seller", "title").annotate(n=Count("pk")).filter(n__gt=1).count() == 0


def test_catalogue_size_states_categories_and_countries(seeded):
    published = Listing.objects.filter(status=ListingStatus.PUBLISHED)

    assert Listing.objects.count() >= 240
    assert published.count() >= 200
    assert Listing.objects.filter(status=ListingStatus.PENDING_REVIEW).count() == demo.PENDING_REVIEW_COUNT
    assert Listing.objects.filter(status=ListingStatus.DRAFT).count() >= demo.DRAFT_COUNT
    assert published.values("category").distinct().count() >= 8
    assert {"TR", "CN", "DE", "KE", "BR"} <= set(published.values_list("seller__country", flat=True))
    assert all(published.filter(seller__country=c).count() >= 20 for c in ("TR", "CN", "DE", "KE", "BR"))


def test_published_listings_went_through_moderation(seeded):
    moderator = User.objects.get(email="moderator@sme-market.example")
    published = Listing.objects.filter(status=ListingStatus.PUBLISHED)

    decisions = ListingDecision.objects.filter(listing__in=published)
    assert decisions.filter(to_status=ListingStatus.PUBLISHED, actor=moderator).count() == published.count()
    assert decisions.filter(from_status=ListingStatus.DRAFT, to_status=ListingStatus.PENDING_REVIEW).exclude(
        actor=moderator).count() == published.count()
    assert not published.filter(published_at__isnull=True).exists()
    queue = selectors.listing_moderation_queue(actor=moderator, kind="submitted")
    assert queue.count() == demo.PENDING_REVIEW_COUNT


def test_listings_are_valid_and_priced_in_the_sellers_currency(seeded):
    listings = list(Listing.objects.select_related("seller").prefetch_related(
        "price_tiers", "incoterm_rows", "ships_to_countries", "certificates"))

    for listing in listings:
        tiers = [(t.min_quantity, t.unit_price) for t in listing.price_tiers.all()]
        assert listing.currency == listing.seller.default_currency, listing
        assert re.fullmatch(r"\d{6}", listing.hs_code), listing
        assert str(listing.origin_country) == str(listing.seller.country), listing
        assert tiers and tiers[0][0] <= listing.moq and listing.moq % listing.order_multiple == 0, listing
        assert [q for q, _p in tiers] == sorted({q for q, _p in tiers}), listing
        assert [p for _q, p in tiers] == sorted((p for _q, p in tiers), reverse=True), listing
        assert listing.price_from == tiers[-1][1], listing
        assert listing.incoterm_rows.all(), listing
        if listing.ships_to_mode == "only":
            assert listing.ships_to_countries.all(), listing
    assert sum(1 for x in listings if x.ships_to_mode == "only") >= 5
    assert sum(1 for x in listings if x.ships_to_mode == "all_except" and x.ships_to_countries.all()) >= 5
    names = {c.name for x in listings for c in x.certificates.all()}
    assert {"ISO 9001:2015", "OEKO-TEX Standard 100", "Fairtrade", "CE (EU declaration of conformity)"} <= names
    assert any(name.startswith("GOTS") for name in names)


def test_catalogue_is_deterministic():
    currencies = {key: "EUR" for key in demo.CATALOGUE}

    first = demo.demo_listings(currencies)
    second = demo.demo_listings(currencies)

    assert [(x.seller_key, x.data) for x in first] == [(x.seller_key, x.data) for x in second]
    assert len(first) >= 240
