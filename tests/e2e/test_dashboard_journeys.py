"""Each role signs in and lands on its dashboard, sees what needs doing and follows it; axe-core
finds no violation on any of the three."""
import pytest
from django.utils import translation

from accounts import services as account_services
from accounts.models import CompanyKind
from marketplace.models import ListingStatus
from tests.accounts.helpers import give_evidence
from tests.e2e.axe import assert_accessible
from tests.e2e.helpers import category_tree, log_in
from tests.factories.accounts import CompanyFactory, MembershipFactory
from tests.factories.marketplace import ListingFactory
from tests.orders.helpers import build_world, place_order

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def world(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    category_tree()
    world = build_world()
    world.order = place_order(world)
    return world


def test_seller_lands_on_the_dashboard_and_opens_the_order_to_accept(live_server, page, world):
    base = live_server.url
    log_in(page, base, world.seller_t_owner.email)
    assert page.url == f"{base}/dashboard/"
    row = page.locator(f"#to-accept-{world.order.pk}")
    assert "Gamma Handel GmbH" in row.inner_text()
    assert "min left" in row.inner_text()
    assert page.locator("#seller-to-accept .dashboard-count").inner_text() == "1"
    assert_accessible(page)
    with page.expect_navigation():
        row.get_by_role("link").click()
    assert page.url == f"{base}/orders/{world.order.pk}/"
    assert page.locator("#action-accept").is_visible()

    page.select_option("#language-select", "tr")
    with page.expect_navigation():
        page.click("#language-submit")
    page.goto(f"{base}/dashboard/")
    with translation.override("tr"):
        assert page.inner_text("h1") == translation.gettext("Dashboard")
    assert_accessible(page)


def test_buyer_lands_on_the_dashboard_and_sees_who_must_act_next(live_server, page, world):
    base = live_server.url
    log_in(page, base, world.buyer_owner.email)
    assert page.url == f"{base}/dashboard/"
    row = page.locator(f"#open-order-{world.order.pk}")
    assert "Tekstil A.S." in row.inner_text()
    assert row.locator(".next-who").inner_text() == "Seller"
    sentence = row.locator(".next-step").inner_text()
    assert "accept" in sentence
    assert_accessible(page)
    with page.expect_navigation():
        row.get_by_role("link").click()
    assert page.url == f"{base}/orders/{world.order.pk}/"
    assert page.inner_text("#order-next-step") == sentence  # the order page says the same


def test_moderator_lands_on_the_dashboard_with_the_queues_and_opens_one(live_server, page, world):
    base = live_server.url
    asking = CompanyFactory(legal_name="Anadolu Seramik Ltd", country="TR", kind=CompanyKind.SELLER)
    asking_owner = MembershipFactory(company=asking).user
    give_evidence(asking)
    account_services.company_verification_submit(company=asking, actor=asking_owner)
    ListingFactory(seller=world.seller_t, title="Peshtemal towel", status=ListingStatus.PENDING_REVIEW)

    log_in(page, base, world.moderator.email)
    assert page.url == f"{base}/dashboard/"
    counts = dict(zip(page.locator("#moderator-queues .queue-row th").all_inner_texts(),
                      page.locator("#moderator-queues .queue-row td.num").all_inner_texts(), strict=True))
    assert all(count.isdigit() for count in counts.values()) and "1" in counts.values()
    assert_accessible(page)
    first_queue = page.locator("#moderator-queues .queue-row th a").first
    with page.expect_navigation():
        first_queue.click()
    assert "/moderation/" in page.url
