"""The admin shows orders, purchase groups and carts read-only: orders only move through the services."""
from __future__ import annotations

import pytest

from orders import services
from orders.models import Cart, OrderStatus
from tests.orders.helpers import order_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def test_order_pages(admin_client, world):
    order = order_in(world, OrderStatus.SHIPPED)

    listing = admin_client.get("/admin/orders/order/")
    detail = admin_client.get(f"/admin/orders/order/{order.pk}/change/")

    assert (listing.status_code, detail.status_code) == (200, 200)
    html = detail.content.decode()
    assert "MSK1" in html
    assert "Bath towel" in html
    assert 'name="_save"' not in html


def test_nothing_is_added_changed_or_deleted_there(admin_client, world):
    order = order_in(world, OrderStatus.PLACED)

    assert admin_client.get("/admin/orders/order/add/").status_code == 403
    assert admin_client.post(f"/admin/orders/order/{order.pk}/delete/").status_code == 403
    assert admin_client.post(f"/admin/orders/order/{order.pk}/change/", {"status": "completed"}).status_code == 403
    order.refresh_from_db()
    assert order.status == OrderStatus.PLACED


def test_purchase_group_and_cart_pages(admin_client, world):
    order = order_in(world, OrderStatus.PLACED)
    services.cart_line_add(actor=world.buyer_owner, buyer=world.buyer, listing_id=world.towel.pk, quantity=10)
    cart = Cart.objects.get(buyer=world.buyer)

    assert admin_client.get("/admin/orders/purchasegroup/").status_code == 200
    assert admin_client.get(f"/admin/orders/purchasegroup/{order.purchase_group_id}/change/").status_code == 200
    assert admin_client.get("/admin/orders/cart/").status_code == 200
    assert admin_client.get(f"/admin/orders/cart/{cart.pk}/change/").status_code == 200
