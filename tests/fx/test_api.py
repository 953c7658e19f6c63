"""GET /api/v1/fx-rates/ and /api/v1/fx-rates/convert/: public reads in the one error format."""
from __future__ import annotations

import pytest
import time_machine

from fx.models import FxRate
from tests.core.helpers import assert_error

pytestmark = pytest.mark.django_db

LIST = "/api/v1/fx-rates/"
CONVERT = "/api/v1/fx-rates/convert/"


def test_list_is_public_and_paginated(api_client, django_assert_num_queries):
    with django_assert_num_queries(2):
        response = api_client.get(LIST)

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 40
    assert body["previous"] is None
    assert body["next"] == "http://testserver/api/v1/fx-rates/?page=2"
    assert len(body["results"]) == 20
    assert body["results"][0] == {"currency": "AED", "base": "EUR", "rate": "4.15710000", "date": "2025-04-22",
                                  "source": "manual"}
    assert body["results"][1] == {"currency": "AUD", "base": "EUR", "rate": "1.78230000", "date": "2025-04-24",
                                  "source": "ecb"}


def test_list_second_page(api_client):
    response = api_client.get(LIST, {"page": 2})

    results = response.json()["results"]
    assert len(results) == 20
    assert results[-1] == {"currency": "ZAR", "base": "EUR", "rate": "21.29680000", "date": "2025-04-24",
                           "source": "ecb"}


def test_list_against_another_base(api_client):
    response = api_client.get(LIST, {"base": "try", "page_size": 100})

    assert response.status_code == 200
    results = {row["currency"]: row for row in response.json()["results"]}
    assert len(results) == 40
    assert "TRY" not in results
    assert results["EUR"] == {"currency": "EUR", "base": "TRY", "rate": "0.02288686", "date": "2025-04-24",
                              "source": "ecb"}
    assert results["KES"] == {"currency": "KES", "base": "TRY", "rate": "3.35315335", "date": "2025-04-22",
                              "source": "manual"}


@pytest.mark.parametrize(("base", "message"), [
    ("XAF", "XAF is not a currency with exchange rates."),
    ("DOLLAR", "Enter a three-letter currency code such as EUR."),
    ("<b>", "Enter a three-letter currency code such as EUR."),
    ("X" * 40, "Enter a three-letter currency code such as EUR."),
])
def test_list_with_an_unknown_base_is_a_400_naming_it(api_client, base, message):
    response = api_client.get(LIST, {"base": base})

    assert_error(response, 400, "validation_error", message=message, fields={"base": [message]})


def test_an_empty_base_means_eur(api_client):
    response = api_client.get(LIST, {"base": ""})

    assert response.status_code == 200
    assert {row["base"] for row in response.json()["results"]} == {"EUR"}


def test_list_of_an_empty_table(api_client):
    FxRate.objects.all().delete()

    response = api_client.get(LIST)

    assert response.json() == {"count": 0, "next": None, "previous": None, "results": []}


@time_machine.travel("2025-04-28 12:00Z", tick=False)
def test_convert(api_client, django_assert_num_queries):
    # the currencies, the rates, the date of the newest rate
    with django_assert_num_queries(3):
        response = api_client.get(CONVERT, {"amount": "100", "from": "TRY", "to": "EUR"})

    assert response.status_code == 200
    assert response.json() == {"amount": "2.29", "from": "TRY", "to": "EUR", "rate": "0.02288686",
                               "as_of": "2025-04-24", "source": "ecb", "rates_as_of": "2025-04-24",
                               "rates_age_days": 4, "rates_stale": False, "rates_stale_after_days": 4}


@time_machine.travel("2025-04-29 12:00Z", tick=False)
def test_convert_to_a_manually_quoted_currency(api_client):
    response = api_client.get(CONVERT, {"amount": "250000", "from": "kes", "to": "cny"})

    # as_of is the date of the rates this conversion used; rates_as_of that of the newest stored rate
    assert response.json() == {"amount": "14150.40", "from": "KES", "to": "CNY", "rate": "0.05660160",
                               "as_of": "2025-04-22", "source": "manual", "rates_as_of": "2025-04-24",
                               "rates_age_days": 5, "rates_stale": True, "rates_stale_after_days": 4}


@time_machine.travel("2025-04-24 12:00Z", tick=False)
def test_convert_works_for_signed_in_users_too(as_user, member_a):
    response = as_user(member_a).get(CONVERT, {"amount": "0", "from": "EUR", "to": "USD"})

    assert response.json() == {"amount": "0.00", "from": "EUR", "to": "USD", "rate": "1.13760000",
                               "as_of": "2025-04-24", "source": "ecb", "rates_as_of": "2025-04-24",
                               "rates_age_days": 0, "rates_stale": False, "rates_stale_after_days": 4}


@pytest.mark.parametrize(("params", "field", "message"), [
    ({"amount": "abc", "from": "TRY", "to": "EUR"}, "amount", "A valid number is required."),
    ({"amount": "-1", "from": "TRY", "to": "EUR"}, "amount", "Ensure this value is greater than or equal to 0."),
    ({"amount": "NaN", "from": "TRY", "to": "EUR"}, "amount", "A valid number is required."),
    ({"amount": "1.23456", "from": "TRY", "to": "EUR"}, "amount",
     "Ensure that there are no more than 4 decimal places."),
    ({"from": "TRY", "to": "EUR"}, "amount", "This field is required."),
    ({"amount": "1" * 15, "from": "TRY", "to": "EUR"}, "amount",
     "Ensure that there are no more than 14 digits before the decimal point."),
    ({"amount": "100", "from": "XYZ", "to": "EUR"}, "from", "XYZ is not a currency with exchange rates."),
    ({"amount": "100", "from": "TRY", "to": "XAF"}, "to", "XAF is not a currency with exchange rates."),
    ({"amount": "100", "from": "TRY"}, "to", "This field is required."),
    ({"amount": "100", "from": "TR", "to": "EUR"}, "from", "Enter a three-letter currency code such as EUR."),
    ({"amount": "100", "from": "TRY", "to": "EUR", "rate": "2"}, "rate", "This field cannot be set."),
])
def test_convert_with_bad_parameters_is_a_400_naming_the_field(api_client, params, field, message):
    response = api_client.get(CONVERT, params)

    assert_error(response, 400, "validation_error", message=message, fields={field: [message]})


def test_convert_with_no_rates_at_all(api_client):
    FxRate.objects.all().delete()

    response = api_client.get(CONVERT, {"amount": "100", "from": "TRY", "to": "EUR"})

    message = "TRY is not a currency with exchange rates."
    assert_error(response, 400, "validation_error", message=message, fields={"from": [message]})


def test_the_endpoints_are_read_only(api_client):
    assert api_client.post(LIST, {}).status_code == 405
    assert api_client.post(CONVERT, {}).status_code == 405
