"""A buyer orders from two sellers with the landed cost in view and writes to a seller; a seller
accepts, records the payment and ships; a session that expires during "add to cart" comes back to
the listing after signing in. Real browser; axe-core checks checkout and the order page."""
import re

import pytest
from django.contrib.sessions.models import Session

from accounts.models import Company, VerificationStatus
from orders.models import CartLine, Order, OrderStatus
from orders.services import cart_line_add
from tests.e2e.axe import assert_accessible
from tests.e2e.helpers import category_tree, log_in, messages
from tests.factories.accounts import PASSWORD
from tests.orders.helpers import build_world, place_order

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def world(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    category_tree()
    return build_world()


def _add_to_cart(page, base: str, listing, quantity: int) -> None:
    page.goto(f"{base}/listings/{listing.pk}/")
    page.fill("#add-to-cart-quantity", str(quantity))
    with page.expect_navigation():
        page.get_by_role("button", name="Add to cart").click()


def test_buyer_orders_from_two_sellers_with_the_landed_cost_and_writes_to_a_seller(live_server, page, world):
    base = live_server.url
    log_in(page, base, world.buyer_owner.email)
    _add_to_cart(page, base, world.towel, 20)
    _add_to_cart(page, base, world.cable, 100)
    assert page.inner_text("#nav-cart .nav-count") == "2"

    page.goto(f"{base}/checkout/")
    for seller in (world.seller_t, world.seller_c):
        landed = page.inner_text(f"#landed-cost-{seller.pk}")
        assert "Invoice total, payable to the seller" in landed and "Estimated landed cost" in landed
    assert re.search(r"You pay the sellers in total: [\d.]+ EUR", page.inner_text("#preview-total"))
    assert page.locator("#place-button").is_enabled()
    assert_accessible(page)
    with page.expect_navigation():
        page.click("#place-button")
    assert re.search(r"/checkout/done/\d+/$", page.url)

    orders = {order.seller_id: order for order in Order.objects.all()}
    assert set(orders) == {world.seller_t.pk, world.seller_c.pk}
    assert {order.status for order in orders.values()} == {OrderStatus.PLACED}
    towel_order = orders[world.seller_t.pk]

    page.goto(f"{base}/orders/{towel_order.pk}/")
    assert "Tekstil A.S." in page.inner_text("#order-summary")
    assert page.locator("#order-stepper [aria-current=step]").count() == 1
    assert "seller" in page.inner_text("#order-next-step").lower()
    assert page.locator("#order-stepper .stepper-deadline time").count() == 1
    page.fill("#order-message-form textarea", "Could you pack the towels in tens?")
    with page.expect_navigation():
        page.click("#order-message-form [type=submit]")
    assert "Could you pack the towels in tens?" in page.inner_text("#order-messages")
    assert_accessible(page)


def test_seller_accepts_records_the_payment_and_ships(live_server, page, world):
    base = live_server.url
    order = place_order(world)
    log_in(page, base, world.seller_t_owner.email)
    page.goto(f"{base}/orders/{order.pk}/")
    assert_accessible(page)
    with page.expect_navigation():
        page.click("#action-accept [type=submit]")
    assert page.locator("#order-status").inner_text().strip() == "Accepted"

    # The proforma invoice is there as a page and as a PDF.
    proforma_pdf = page.locator("#order-documents a[type='application/pdf']").first
    response = page.request.get(base + proforma_pdf.get_attribute("href"))
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF-")

    order.refresh_from_db()
    page.fill("#action-pay [name=reference]", order.payment_reference)
    page.fill("#action-pay [name=amount]", str(order.invoice_total))
    with page.expect_navigation():
        page.click("#action-pay [type=submit]")
    assert page.locator("#order-status").inner_text().strip() == "Paid"

    page.fill("#action-ship [name=carrier]", "Maersk")
    page.fill("#action-ship [name=tracking_number]", "MSKU1234567")
    with page.expect_navigation():
        page.click("#action-ship [type=submit]")
    assert page.locator("#order-status").inner_text().strip() == "Shipped"
    assert page.inner_text("#order-tracking") == "MSKU1234567"
    assert "Commercial invoice" in page.inner_text("#order-documents")
    assert_accessible(page)
    order.refresh_from_db()
    assert (order.status, order.carrier, order.tracking_number) == (OrderStatus.SHIPPED, "Maersk", "MSKU1234567")


def test_session_expiry_during_add_to_cart_returns_to_the_listing(live_server, page, world):
    base = live_server.url
    log_in(page, base, world.buyer_owner.email)
    page.goto(f"{base}/listings/{world.towel.pk}/")
    page.fill("#add-to-cart-quantity", "20")
    Session.objects.all().delete()  # the session expires while the page is open
    with page.expect_navigation():
        page.get_by_role("button", name="Add to cart").click()
    assert "/login/" in page.url
    assert "Your session had expired" in messages(page)
    page.fill("[name=email]", world.buyer_owner.email)
    page.fill("[name=password]", PASSWORD)
    with page.expect_navigation():
        page.click("form#login-form [type=submit]")
    assert page.url == f"{base}/listings/{world.towel.pk}/"
    assert "You are signed in again: repeat it here." in messages(page)
    assert page.locator("#add-to-cart").is_visible()
    assert CartLine.objects.count() == 0


def test_an_unverified_buyer_sees_a_place_button_that_looks_disabled(live_server, page, world):
    base = live_server.url
    Company.objects.filter(pk=world.buyer.pk).update(verification_status=VerificationStatus.PENDING)
    cart_line_add(actor=world.buyer_owner, buyer=world.buyer, listing_id=world.towel.pk, quantity=20)
    log_in(page, base, world.buyer_owner.email)
    page.goto(f"{base}/checkout/")
    assert "Your company must be verified before it can place orders." in page.inner_text("#not-verified")
    button = page.locator("#place-button")
    assert button.is_disabled()
    looks = button.evaluate("(b) => { const s = getComputedStyle(b); return [s.cursor, s.backgroundColor]; }")
    assert looks == ["not-allowed", "rgb(227, 231, 236)"]
    assert_accessible(page)


def test_a_form_without_its_security_check_gets_the_sites_page_and_a_way_back(live_server, page, world):
    base = live_server.url
    log_in(page, base, world.buyer_owner.email)
    page.goto(f"{base}/listings/{world.towel.pk}/")
    page.context.clear_cookies()  # the browser dropped this site's cookies while the page was open
    with page.expect_navigation():
        page.get_by_role("button", name="Add to cart").click()
    assert page.inner_text("#csrf-failure h1") == "The form could not be sent"
    assert "Nothing was changed." in page.inner_text("#csrf-failure")
    assert CartLine.objects.count() == 0
    assert_accessible(page)
    with page.expect_navigation():
        page.click("#csrf-back")
    assert page.url == f"{base}/listings/{world.towel.pk}/"
