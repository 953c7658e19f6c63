"""A seller offers a deposit in a real browser; a buyer picks it at checkout and finds the payment
schedule, the payment reference and who is paid what on the order page."""
import importlib
import re

import pytest
from django.apps import apps

from orders.models import Order
from tests.factories.accounts import PASSWORD
from tests.orders.helpers import build_world

pytestmark = pytest.mark.django_db(transaction=True)


def _log_in(page, base: str, email: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("[name=email]", email)
    page.fill("[name=password]", PASSWORD)
    page.click("form#login-form [type=submit]")
    page.wait_for_load_state("networkidle")


def test_a_deposit_offered_by_the_seller_is_chosen_at_checkout(live_server, page):
    # The category tree the migrations load, whatever earlier live-server tests left (idempotent).
    importlib.import_module("marketplace.migrations.0002_category_tree").load_tree(apps, None)
    world = build_world()
    base = live_server.url

    _log_in(page, base, world.seller_t_owner.email)
    page.goto(f"{base}/seller/payment-terms/")
    page.select_option("#term-kind", "deposit")
    page.fill("#term-deposit_percent", "30")
    page.click("form#term-form [type=submit]")
    page.wait_for_selector("#payment-terms li")
    assert "30% deposit with the order, balance before shipment" in page.inner_text("#payment-terms")
    page.click("form#logout-form [type=submit]")
    page.wait_for_url(f"{base}/")

    _log_in(page, base, world.buyer_owner.email)
    page.goto(f"{base}/listings/{world.towel.pk}/")
    page.fill("#add-to-cart-quantity", "20")
    page.get_by_role("button", name="Add to cart").click()
    page.wait_for_load_state("networkidle")
    page.goto(f"{base}/checkout/")
    terms = page.locator(f"[name=terms_{world.seller_t.pk}]")
    assert terms.locator("option").all_inner_texts() == ["30% deposit with the order, balance before shipment"]
    schedule = page.inner_text(f"#schedule-{world.seller_t.pk}")
    assert "600.00 TRY" in schedule and "1400.00 TRY" in schedule
    assert "Invoice total, payable to the seller" in page.inner_text(f"#landed-cost-{world.seller_t.pk}")
    page.click("#place-button")
    page.wait_for_url(re.compile(r".*/checkout/done/\d+/"))

    order = Order.objects.get()
    page.goto(f"{base}/orders/{order.pk}/")
    assert page.inner_text("#order-terms") == "30% deposit with the order, balance before shipment"
    assert order.payment_reference.replace(" ", "") in page.inner_text("#order-reference").replace(" ", "")
    rows = page.locator("#order-instalments tbody tr")
    assert rows.count() == 2
    assert "600.00 TRY" in rows.nth(0).inner_text() and "1400.00 TRY" in rows.nth(1).inner_text()
    assert "customs at the destination" in page.inner_text("#order-amounts")
