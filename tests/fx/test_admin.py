"""The admin lists the rates and lets administrators enter manual rates; ECB rows are read-only."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from fx.models import FxRate
from tests.fx.helpers import rate_rows

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/fx/fxrate/"


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def test_changelist_filters_by_source_and_currency(admin_client):
    response = admin_client.get(CHANGELIST, {"source__exact": "manual"})

    assert response.status_code == 200
    assert sorted(r.currency for r in response.context["cl"].result_list) == [
        "AED", "BDT", "EGP", "KES", "KZT", "NGN", "PKR", "SAR", "UAH", "VND"]

    response = admin_client.get(CHANGELIST, {"currency__exact": "USD"})

    assert [(r.date, r.rate) for r in response.context["cl"].result_list] == [
        (date(2025, 4, 24), Decimal("1.13760000")), (date(2025, 4, 23), Decimal("1.13520000")),
        (date(2025, 4, 22), Decimal("1.13190000")), (date(2025, 4, 17), Decimal("1.13360000")),
        (date(2025, 4, 16), Decimal("1.12690000")), (date(2025, 4, 15), Decimal("1.13310000"))]


def test_an_admin_enters_a_manual_rate(admin_client):
    response = admin_client.post(f"{CHANGELIST}add/", {"date": "2025-04-24", "currency": "KES", "rate": "147.02"})

    assert response.status_code == 302
    row = FxRate.objects.get(date=date(2025, 4, 24), currency="KES")
    assert (row.rate, row.source) == (Decimal("147.02000000"), "manual")


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"date": "2025-04-24", "currency": "USD", "rate": "1.20"}, "__all__",
     "This currency already has a rate for that date."),
    ({"date": "2025-04-24", "currency": "KES", "rate": "0"}, "rate",
     "A rate must be greater than zero."),
    ({"date": "2025-04-24", "currency": "EUR", "rate": "1"}, "currency",
     "Select a valid choice. EUR is not one of the available choices."),
])
def test_an_invalid_manual_rate_is_refused(admin_client, data, field, message):
    before = rate_rows()

    response = admin_client.post(f"{CHANGELIST}add/", data)

    assert response.status_code == 200
    assert response.context["adminform"].form.errors[field] == [message]
    assert rate_rows() == before


def test_an_ecb_rate_cannot_be_changed_or_deleted(admin_client):
    row = FxRate.objects.get(date=date(2025, 4, 24), currency="USD")
    before = rate_rows()

    assert admin_client.get(f"{CHANGELIST}{row.pk}/change/").status_code == 200
    assert admin_client.post(f"{CHANGELIST}{row.pk}/change/", {"rate": "1.5"}).status_code == 403
    assert admin_client.post(f"{CHANGELIST}{row.pk}/delete/", {"post": "yes"}).status_code == 403
    assert rate_rows() == before


def test_a_manual_rate_can_be_corrected_but_keeps_its_date_and_currency(admin_client):
    row = FxRate.objects.get(currency="KES")

    response = admin_client.post(f"{CHANGELIST}{row.pk}/change/",
                                 {"rate": "146.75", "date": "2025-04-24", "currency": "NGN"})

    assert response.status_code == 302
    row.refresh_from_db()
    assert (row.date, row.currency, row.rate, row.source) == (date(2025, 4, 22), "KES", Decimal("146.75000000"),
                                                              "manual")
