"""Restricted destinations: a whole country, or the HS codes under a prefix."""
from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.exceptions import ApplicationError
from tests.trade.helpers import RESTRICTION_IR, RESTRICTION_KP, RESTRICTION_RU, make_zone
from trade.models import RestrictedDestination
from trade.selectors import LineInput, destination_check, landed_cost_estimate

pytestmark = pytest.mark.django_db

KP_MESSAGE = f"North Korea is a restricted destination: {RESTRICTION_KP}"


def refused(country: str, hs_codes: list[str]) -> ApplicationError:
    with pytest.raises(ApplicationError) as exc:
        destination_check(country=country, hs_codes=hs_codes)
    assert (exc.value.code, exc.value.status_code) == ("restricted_destination", 400)
    return exc.value


def test_a_whole_country_is_refused_for_any_code(tables):
    error = refused("KP", ["610910"])
    assert error.message == KP_MESSAGE
    assert error.fields == {"destination_country": [KP_MESSAGE]}
    assert refused("kp", ["090111", "851762"]).fields == {"destination_country": [KP_MESSAGE]}
    assert refused("KP", []).message == KP_MESSAGE


def test_an_hs_prefix_refuses_only_the_codes_under_it(tables):
    message = (f"Goods with HS code 847130 cannot be shipped to Russia (restricted HS 8471): {RESTRICTION_RU}")
    error = refused("RU", ["847130"])
    assert (error.message, error.fields) == (message, {"destination_country": [message]})
    # 8473 (parts), 8517 (phones) and 610910 do not start with 8471.
    assert destination_check(country="RU", hs_codes=["847330", "851762", "610910"]) is None
    chapter = refused("IR", ["930190"])
    assert chapter.message == (f"Goods with HS code 930190 cannot be shipped to Iran (restricted HS 93): "
                               f"{RESTRICTION_IR}")
    assert destination_check(country="IR", hs_codes=["940360", "390110"]) is None


def test_every_refused_code_is_named(tables):
    error = refused("RU", ["610910", "847150", "847130", "847150"])
    assert error.fields == {"destination_country": [
        f"Goods with HS code 847150 cannot be shipped to Russia (restricted HS 8471): {RESTRICTION_RU}",
        f"Goods with HS code 847130 cannot be shipped to Russia (restricted HS 8471): {RESTRICTION_RU}",
    ]}


def test_the_longest_matching_prefix_gives_the_reason(tables):
    RestrictedDestination.objects.create(country="RU", hs_prefix="847130", reason="Laptops: separate listing.")
    error = refused("RU", ["847130"])
    assert error.message == ("Goods with HS code 847130 cannot be shipped to Russia (restricted HS 847130): "
                             "Laptops: separate listing.")


def test_other_countries_pass(tables):
    assert destination_check(country="DE", hs_codes=["847130", "930190"]) is None


def test_one_query_whatever_the_number_of_codes(tables):
    with CaptureQueriesContext(connection) as one:
        destination_check(country="RU", hs_codes=["610910"])
    with CaptureQueriesContext(connection) as many:
        destination_check(country="RU", hs_codes=[f"{n:06d}" for n in range(100000, 100050)])
    assert len(one) == len(many) == 1


def test_an_unknown_country_is_a_field_error(tables):
    with pytest.raises(ApplicationError) as exc:
        destination_check(country="XX", hs_codes=["610910"])
    assert (exc.value.code, exc.value.fields) == ("validation_error",
                                                  {"destination_country": ["XX is not an ISO 3166 country code."]})


def test_the_estimate_refuses_a_restricted_destination_before_looking_at_shipping(company_a, tables):
    # A ships to RU, but not computers; it has no zone for KP at all: still "restricted", not "no shipping".
    make_zone(company_a, "CIS", ["RU"], [("100", "10.00")])
    for country, hs in (("KP", "610910"), ("RU", "847130")):
        with pytest.raises(ApplicationError) as exc:
            landed_cost_estimate(seller=company_a, destination_country=country, incoterm="XYZ",
                                 lines=[LineInput(hs_code=hs, goods_value=D("10"), weight_kg=D("1"))])
        assert exc.value.code == "restricted_destination"
    result = landed_cost_estimate(seller=company_a, destination_country="RU", incoterm="FOB",
                                  lines=[LineInput(hs_code="610910", goods_value=D("10"), weight_kg=D("1"))])
    assert result.total == D("20.00")  # no duty or VAT rows for RU in the test tables
