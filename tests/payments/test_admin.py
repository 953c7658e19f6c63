"""The bank account admin is read-only: admins look accounts up, the owners change them on the site."""
from __future__ import annotations

import pytest
from django.test import Client

from tests.payments.helpers import make_account, snapshot

pytestmark = pytest.mark.django_db


def test_admin_lists_and_shows_accounts_but_does_not_add_change_or_delete(admin_user, company_a):
    account = make_account(company_a, label="Lira account")
    client = Client()
    client.force_login(admin_user)
    before = snapshot()

    listed = client.get("/admin/payments/bankaccount/?q=Lira")
    shown = client.get(f"/admin/payments/bankaccount/{account.pk}/change/")
    posted = client.post(f"/admin/payments/bankaccount/{account.pk}/change/", {"label": "Changed"})
    add = client.get("/admin/payments/bankaccount/add/")
    delete = client.get(f"/admin/payments/bankaccount/{account.pk}/delete/")

    assert (listed.status_code, shown.status_code, posted.status_code, add.status_code, delete.status_code) == (
        200, 200, 403, 403, 403)
    assert "Lira account" in listed.content.decode()
    assert "TR330006100519786457841326" in shown.content.decode()
    assert snapshot() == before
