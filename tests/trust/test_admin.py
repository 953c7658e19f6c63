"""Seller performance in the admin: pages load, nothing can be added, changed or deleted there."""
from __future__ import annotations

import pytest

from trust.models import OrderRecord, SellerPerformance
from trust.services import seller_performance_recompute_all

from .helpers import NOW, R, S, Shop, days, history, hours

pytestmark = pytest.mark.django_db


def test_admin_pages_load_and_are_look_only(client, admin_user):
    shop = Shop()
    order = history(shop.order(NOW - days(2)), [(S.ACCEPTED, R.SELLER, hours(3))])
    seller_performance_recompute_all(now=NOW)
    client.force_login(admin_user)
    before = (list(OrderRecord.objects.values()), list(SellerPerformance.objects.values()))
    for url in ("/admin/trust/sellerperformance/", f"/admin/trust/sellerperformance/{shop.seller.pk}/change/",
                "/admin/trust/orderrecord/", f"/admin/trust/orderrecord/{order.pk}/change/"):
        assert client.get(url).status_code == 200, url
    assert client.get("/admin/trust/sellerperformance/add/").status_code == 403
    assert client.post(f"/admin/trust/sellerperformance/{shop.seller.pk}/delete/", {"post": "yes"}).status_code == 403
    assert client.post(f"/admin/trust/orderrecord/{order.pk}/change/", {"answer": "refused"}).status_code == 403
    assert (list(OrderRecord.objects.values()), list(SellerPerformance.objects.values())) == before
