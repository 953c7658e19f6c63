"""A seller finds the buyer's message through the unread count and the inbox, and opens the
notification bell in place, in a real browser."""
import pytest

from orders.services.messages import message_post_order
from tests.e2e.axe import assert_accessible
from tests.e2e.helpers import category_tree, log_in
from tests.orders.helpers import build_world, place_order

pytestmark = pytest.mark.django_db(transaction=True)


def test_seller_reads_a_buyers_message_from_the_inbox_and_opens_the_bell_in_place(live_server, page):
    category_tree()
    world = build_world()
    order = place_order(world)
    message_post_order(actor=world.buyer_owner, order_id=order.pk, body="Could you pack the towels in tens?")
    base = live_server.url

    log_in(page, base, world.seller_t_owner.email)
    page.click("#notification-bell")
    page.wait_for_selector("#bell-panel-list")
    assert page.url == f"{base}/dashboard/"  # the list opens in place
    assert "New message from Gamma Handel GmbH" in page.inner_text("#bell-panel-list")
    link_colour = page.locator("#bell-panel-list a").first.evaluate("(a) => getComputedStyle(a).color")
    assert link_colour == "rgb(31, 111, 139)"  # readable on the panel's white, not the header's light grey
    assert_accessible(page)
    page.goto(f"{base}/dashboard/")

    assert page.locator("#nav-inbox .nav-count").inner_text() == "1"
    with page.expect_navigation():
        page.click("#nav-inbox")
    thread = page.locator(f"#thread-order-{order.pk}")
    assert "Could you pack the towels in tens?" in thread.inner_text()
    assert "With Gamma Handel GmbH" in thread.inner_text()
    assert thread.locator(".inbox-unread").inner_text() == "1 unread"
    assert_accessible(page)

    with page.expect_navigation():
        thread.locator(".inbox-subject").click()
    assert "Could you pack the towels in tens?" in page.inner_text("#order-messages")
    page.goto(f"{base}/inbox/")
    assert page.locator(f"#thread-order-{order.pk} .inbox-unread").count() == 0
    assert page.locator("#nav-inbox .nav-count").count() == 0
