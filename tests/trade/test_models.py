"""What the database itself refuses in the trade tables."""
from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.db import IntegrityError, transaction

from tests.trade.helpers import make_zone
from trade.models import DutyRate, RestrictedDestination, ShippingRate, ShippingZoneCountry, VatRate

pytestmark = pytest.mark.django_db


def refused(create) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        create()


def test_zone_rows(company_a, company_b, tables):
    europe = make_zone(company_a, "Europe", ["DE"], [("10", "5.00")])
    other = make_zone(company_a, "Other", ["FR"], [("10", "5.00")])
    refused(lambda: ShippingZoneCountry.objects.create(zone=other, seller=company_a, country="DE"))
    refused(lambda: make_zone(company_a, "Europe", ["NL"], [("1", "1")]))
    refused(lambda: ShippingRate.objects.create(zone=europe, max_weight_kg=D("10"), price=D("7")))
    refused(lambda: ShippingRate.objects.create(zone=europe, max_weight_kg=D("20"), price=D("-0.01")))
    refused(lambda: ShippingRate.objects.create(zone=europe, max_weight_kg=D("0"), price=D("1")))
    ShippingRate.objects.create(zone=europe, max_weight_kg=D("20"), price=D("0"))
    make_zone(company_b, "Europe", ["DE"], [("10", "5.00")])
    assert ShippingZoneCountry.objects.filter(country="DE").count() == 2


def test_rate_tables(tables):
    refused(lambda: DutyRate.objects.create(destination_country="DE", hs_chapter="61", rate_percent=D("1")))
    refused(lambda: DutyRate.objects.create(destination_country="DE", hs_chapter="", rate_percent=D("1")))
    refused(lambda: DutyRate.objects.create(destination_country="FR", hs_chapter="6x", rate_percent=D("1")))
    refused(lambda: DutyRate.objects.create(destination_country="FR", hs_chapter="6", rate_percent=D("1")))
    refused(lambda: DutyRate.objects.create(destination_country="FR", hs_chapter="", rate_percent=D("-1")))
    refused(lambda: VatRate.objects.create(country="DE", rate_percent=D("7")))
    refused(lambda: VatRate.objects.create(country="NL", rate_percent=D("-21")))
    refused(lambda: RestrictedDestination.objects.create(country="KP", hs_prefix="", reason="Again"))
    refused(lambda: RestrictedDestination.objects.create(country="CU", hs_prefix="9", reason="Too short"))
    refused(lambda: RestrictedDestination.objects.create(country="CU", hs_prefix="93a", reason="Not digits"))
    RestrictedDestination.objects.create(country="KP", hs_prefix="93", reason="Also listed by chapter")
    DutyRate.objects.create(destination_country="FR", hs_chapter="61", rate_percent=D("12"))
    assert DutyRate.objects.filter(destination_country="FR").count() == 1
