"""Fixtures of the trade tests: rate tables the tests control, a seller with two shipping zones and a
published listing."""
from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

import pytest

from marketplace.models import Category, Listing, ListingStatus
from marketplace.services import listing_create
from tests.trade.helpers import RESTRICTION_IR, RESTRICTION_KP, RESTRICTION_RU, make_zone
from trade.models import DutyRate, RestrictedDestination, VatRate


@pytest.fixture
def tables(db):
    """Replaces the example rates of the data migration with a small set the tests compute with:

    duty: DE default 4 %, DE chapter 61 12 %; US default 3 %, US chapter 09 0 %; FR and JP none.
    VAT: DE 19 %, FR 20 %; US and JP no row.
    restricted: KP as a whole, RU for HS 8471, IR for HS 93."""
    DutyRate.objects.all().delete()
    VatRate.objects.all().delete()
    RestrictedDestination.objects.all().delete()
    DutyRate.objects.bulk_create([
        DutyRate(destination_country="DE", hs_chapter="", rate_percent=Decimal("4")),
        DutyRate(destination_country="DE", hs_chapter="61", rate_percent=Decimal("12")),
        DutyRate(destination_country="US", hs_chapter="", rate_percent=Decimal("3")),
        DutyRate(destination_country="US", hs_chapter="09", rate_percent=Decimal("0")),
    ])
    VatRate.objects.bulk_create([VatRate(country="DE", rate_percent=Decimal("19")),
                                 VatRate(country="FR", rate_percent=Decimal("20"))])
    RestrictedDestination.objects.bulk_create([
        RestrictedDestination(country="KP", hs_prefix="", reason=RESTRICTION_KP),
        RestrictedDestination(country="RU", hs_prefix="8471", reason=RESTRICTION_RU),
        RestrictedDestination(country="IR", hs_prefix="93", reason=RESTRICTION_IR),
    ])


@pytest.fixture
def zones(company_a, tables):
    """Company A (TRY) ships to DE and FR at 50.00 up to 10 kg, 200.00 up to 100 kg, 600.00 up to 500 kg,
    and to the US at 900.00 up to 1000 kg. It has no zone for JP, KP, RU or IR."""
    europe = make_zone(company_a, "Europe", ["DE", "FR"], [("10", "50.00"), ("100", "200.00"), ("500", "600.00")])
    americas = make_zone(company_a, "Americas", ["US"], [("1000", "900.00")])
    return SimpleNamespace(europe=europe, americas=americas)


@pytest.fixture
def tshirt(company_a, member_a, zones) -> Listing:
    """A published listing of A: T-shirts (HS 610910), 0.2 kg each, MOQ 100, tiers 100: 4.20, 500: 3.90,
    2000: 3.55, offered FOB, CIF and DDP, shipped everywhere except FR."""
    listing = listing_create(seller=company_a, actor=member_a, data={
        "title": "Cotton T-shirt, 180 g/m²", "category": Category.objects.get(path="textiles/garments").pk,
        "origin_country": "TR", "hs_code": "610910", "weight_kg": "0.2", "moq": 100,
        "incoterms": ["FOB", "CIF", "DDP"], "ships_to_mode": "all_except", "ships_to_countries": ["FR"],
        "price_tiers": [{"min_quantity": 100, "unit_price": "4.20"}, {"min_quantity": 500, "unit_price": "3.90"},
                        {"min_quantity": 2000, "unit_price": "3.55"}]})
    Listing.objects.filter(pk=listing.pk).update(status=ListingStatus.PUBLISHED)
    listing.refresh_from_db()
    return listing
