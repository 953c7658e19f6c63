"""The dashboards people land on after signing in: the seller's actions, sales and top listings, the
buyer's open orders, requests and spend, the moderators' queues and decisions; exact figures, no
other company's orders, the same number of queries whatever the number of orders, and the pages in
Turkish and Chinese."""
from __future__ import annotations

import re
from datetime import datetime, timedelta
from datetime import timezone as dt_timezone

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pytest_django.asserts import assertRedirects

from accounts import selectors as accounts_selectors
from accounts.models import CompanyKind, VerificationDecision, VerificationStatus
from marketplace import selectors as marketplace_selectors
from marketplace import services as listing_services
from marketplace.models import Listing, ListingDecision, ListingStatus
from orders.models import Order, OrderStatus
from reviews import selectors as review_selectors
from tests.factories.accounts import PASSWORD, CompanyFactory, UserFactory
from tests.factories.marketplace import ListingFactory
from tests.orders.helpers import order_in
from tests.orders.rfq_helpers import build_rfq_world, post_rfq, submit_quote

pytestmark = pytest.mark.django_db
S = OrderStatus
NOW = datetime(2026, 12, 9, 12, 0, tzinfo=dt_timezone.utc)  # a Wednesday
# The dashboards' own reads, beyond those of the page layout (session, user, the nav's counts):
# the membership; orders to accept, to ship, requests to quote and listings sent back (rows and count
# each; the requests also read the seller's categories); sales, top listings, performance.
SELLER_READS = 1 + 2 + 2 + 3 + 2 + 1 + 1 + 1
# the membership; open orders and open requests (rows and count each); spend.
BUYER_READS = 1 + 2 + 2 + 1
# the membership; companies, listings (two), review reports; decisions of companies, listings, reviews.
MODERATOR_READS = 1 + 1 + 2 + 1 + 3
HOME_READS = 1  # the home page's count of verified companies by country


def _layout_queries(client) -> int:
    """The queries of the layout every page shares for this user, measured on the home page."""
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/").status_code == 200
    return len(queries) - HOME_READS


@pytest.fixture
def world(db):
    return build_rfq_world()


def _section(html: str, element_id: str) -> str:
    match = re.search(rf'<(\w+)[^>]* id="{element_id}"[^>]*>.*?</\1>', html, re.S)
    return match.group(0) if match else ""


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def _get(client, *, at=NOW):
    with time_machine.travel(at, tick=False), CaptureQueriesContext(connection) as queries:
        response = client.get("/dashboard/")
    assert response.status_code == 200
    return response, len(queries)


def _at(order: Order, **stamps) -> Order:
    Order.objects.filter(pk=order.pk).update(**stamps)
    order.refresh_from_db()
    return order


# --- landing ------------------------------------------------------------------------------------------

def test_signing_in_lands_on_the_dashboard_and_a_safe_next_still_wins(client, world):
    response = client.post("/login/", {"email": world.seller_t_owner.email, "password": PASSWORD})
    assertRedirects(response, "/dashboard/", fetch_redirect_response=False)

    client.post("/logout/")
    response = client.post("/login/", {"email": world.seller_t_owner.email, "password": PASSWORD,
                                       "next": "/orders/"})
    assertRedirects(response, "/orders/", fetch_redirect_response=False)


def test_the_dashboard_is_for_signed_in_people_and_reads_only(client, client_as, world):
    assertRedirects(client.get("/dashboard/"), "/login/?next=/dashboard/", fetch_redirect_response=False)
    assert client_as(world.buyer_owner).post("/dashboard/").status_code == 405


def test_the_nav_leads_to_the_dashboard_and_visitors_keep_the_home_page(client, client_as, world):
    assert 'id="nav-dashboard"' not in client.get("/").content.decode()

    response = client_as(world.buyer_owner).get("/")

    assert response.status_code == 200
    assert '<a id="nav-dashboard" href="/dashboard/">Dashboard</a>' in response.content.decode()


def test_a_person_without_a_company_is_told_how_to_get_one(client_as):
    response, _queries = _get(client_as(UserFactory()))
    html = response.content.decode()

    assert "Your account does not belong to a company yet" in html
    assert 'id="dashboard-seller"' not in html and 'id="dashboard-buyer"' not in html
    assert 'id="dashboard-moderator"' not in html


# --- seller -------------------------------------------------------------------------------------------

def test_seller_dashboard_says_what_needs_action_now(client_as, world):
    to_accept = _at(order_in(world, S.PLACED), placed_at=NOW - timedelta(hours=60, minutes=30))
    paid = order_in(world, S.PAID)
    order_in(world, S.ACCEPTED)  # waits for the buyer's money: not to ship
    rfq = post_rfq(world, title="Hotel bath towels", deadline=NOW + timedelta(days=5))
    sent_back = ListingFactory(seller=world.seller_t, title="Bathrobe")
    Listing.objects.filter(pk=sent_back.pk).update(status=ListingStatus.CHANGES_REQUESTED,
                                                   status_reason="Add the fabric weight.")
    foreign = order_in(world, S.PLACED, world.cable)

    response, _queries = _get(client_as(world.seller_t_owner))
    html = response.content.decode()

    accept = _section(html, "seller-to-accept")
    assert _text(_section(accept, f"to-accept-{to_accept.pk}")).endswith("11 h 30 min left")
    assert 'class="dashboard-count">1<' in accept
    assert f'id="to-accept-{foreign.pk}"' not in html
    ship = _section(html, "seller-to-ship")
    assert re.findall(r'id="to-ship-(\d+)"', ship) == [str(paid.pk)]
    quote = _section(html, "seller-rfqs")
    assert re.findall(r'id="to-quote-(\d+)"', quote) == [str(rfq.pk)]
    back = _section(html, "seller-sent-back")
    assert re.findall(r'id="sent-back-(\d+)"', back) == [str(sent_back.pk)]
    assert "Add the fabric weight." in back


def test_seller_dashboard_draws_the_sales_chart_with_a_text_alternative(client_as, world):
    _at(order_in(world, S.PAID), accepted_at=NOW - timedelta(days=1))
    _at(order_in(world, S.SHIPPED), accepted_at=NOW - timedelta(days=2))
    _at(order_in(world, S.ACCEPTED), accepted_at=NOW - timedelta(days=10))

    response, _queries = _get(client_as(world.seller_t_owner))
    html = response.content.decode()

    figure = _section(html, "sales-TRY")
    assert '<svg role="img" aria-labelledby="sales-TRY-title"' in figure
    assert '<title id="sales-TRY-title">Sales by week, in TRY: 6000.00 TRY in all</title>' in figure
    assert figure.count('<rect class="chart-bar"') == 13
    # the week of 4000.00 fills the 180 points of the chart, the week of 2000.00 half of it
    heights = [int(h) for h in re.findall(r'<rect class="chart-bar" x="\d+" y="\d+" width="\d+" height="(\d+)"', figure)]
    assert heights == [0] * 10 + [90, 0, 180]
    rows = re.findall(r"<tr><td>([^<]+)</td><td class=\"num\">([^<]+)</td></tr>", figure)
    assert len(rows) == 13
    assert [amount for _week, amount in rows if amount != "0.00 TRY"] == ["2000.00 TRY", "4000.00 TRY"]
    assert "no sales to draw yet" not in figure


def test_a_seller_without_sales_reads_why_the_chart_is_empty(client_as, world):
    order_in(world, S.PLACED)  # placed, not accepted: no sale yet

    response, _queries = _get(client_as(world.seller_t_owner))
    figure = _section(response.content.decode(), "sales-TRY")

    assert "No order was accepted in these weeks, so there are no sales to draw yet." in figure
    assert '<title id="sales-TRY-title">Sales by week, in TRY: 0.00 TRY in all</title>' in figure


def test_seller_dashboard_ranks_listings_and_shows_the_performance(client_as, world):
    with time_machine.travel(NOW - timedelta(days=2), tick=False):
        order_in(world, S.PLACED)
        order_in(world, S.ACCEPTED)

    response, _queries = _get(client_as(world.seller_t_owner))
    html = response.content.decode()

    top = _section(html, "seller-top-listings")
    assert _text(_section(top, f"top-listing-{world.towel.pk}")) == "Bath towel 2 40"
    assert 'id="seller-performance"' in html


def test_seller_dashboard_queries_do_not_grow_with_the_orders(client_as, world):
    client = client_as(world.seller_t_owner)
    with time_machine.travel(NOW - timedelta(days=1), tick=False):
        order_in(world, S.PLACED)
        order_in(world, S.PAID)
    _response, few = _get(client)

    with time_machine.travel(NOW - timedelta(days=1), tick=False):
        for status in [S.PLACED, S.PAID, S.ACCEPTED, S.SHIPPED, S.COMPLETED] * 4:
            order_in(world, status)
    response, many = _get(client)

    assert 'class="dashboard-count">5<' in _section(response.content.decode(), "seller-to-accept")
    assert few == many == _layout_queries(client) + SELLER_READS


# --- buyer --------------------------------------------------------------------------------------------

def test_buyer_dashboard_shows_open_orders_with_the_next_step_and_who_acts(client_as, world):
    with time_machine.travel(NOW, tick=False):
        placed = order_in(world, S.PLACED)
        shipped = order_in(world, S.SHIPPED)
        done = order_in(world, S.COMPLETED)
        order_in(world, S.PLACED, world.cable)

    response, _queries = _get(client_as(world.buyer_owner), at=NOW + timedelta(hours=1))
    html = response.content.decode()

    orders = _section(html, "buyer-open-orders")
    assert f'id="open-order-{done.pk}"' not in orders
    placed_row = _section(orders, f"open-order-{placed.pk}")
    assert 'class="next-who">Seller<' in placed_row
    assert "Waiting for the seller to accept the order by" in placed_row
    shipped_row = _section(orders, f"open-order-{shipped.pk}")
    assert "You must confirm the delivery by" in shipped_row
    assert 'class="dashboard-count">3<' in orders  # the cable order is open too


def test_buyer_dashboard_counts_quotes_and_sums_spend_by_month(client_as, world):
    rfq = post_rfq(world, deadline=NOW + timedelta(days=5))
    submit_quote(world, rfq)
    with time_machine.travel(NOW - timedelta(days=40), tick=False):
        order_in(world, S.COMPLETED)
        order_in(world, S.PLACED, world.cable)
    with time_machine.travel(NOW, tick=False):
        order_in(world, S.PAID)

    response, _queries = _get(client_as(world.buyer_owner))
    html = response.content.decode()

    assert _text(_section(html, f"open-rfq-{rfq.pk}")).endswith(" 1")
    spend = _section(html, "buyer-spend")
    assert "Paid or owed to sellers" in spend
    assert _text(_section(spend, "spend-2026-10-EUR")) == "October 2026 518.75 EUR"
    assert _text(_section(spend, "spend-2026-12-EUR")) == "December 2026 50.00 EUR"


def test_buyer_dashboard_shows_no_other_buyers_orders(client_as, world):
    order_in(world, S.PLACED)

    response, _queries = _get(client_as(world.other_owner))
    html = response.content.decode()

    assert "No order under way." in _section(html, "buyer-open-orders")
    assert 'class="dashboard-count">0<' in _section(html, "buyer-open-orders")


def test_buyer_dashboard_queries_do_not_grow_with_the_orders(client_as, world):
    client = client_as(world.buyer_owner)
    with time_machine.travel(NOW - timedelta(days=1), tick=False):
        order_in(world, S.PLACED)
    _response, few = _get(client)

    with time_machine.travel(NOW - timedelta(days=1), tick=False):
        for status in [S.PLACED, S.ACCEPTED, S.PAID, S.SHIPPED, S.DELIVERED] * 4:
            order_in(world, status)
        order_in(world, S.PLACED, world.cable)
    response, many = _get(client)

    assert 'class="dashboard-count">22<' in _section(response.content.decode(), "buyer-open-orders")
    assert few == many == _layout_queries(client) + BUYER_READS


def test_a_company_that_buys_and_sells_sees_both_parts(client_as, world):
    world.seller_t.kind = CompanyKind.BOTH
    world.seller_t.save(update_fields=["kind"])

    response, _queries = _get(client_as(world.seller_t_owner))
    html = response.content.decode()

    assert 'id="dashboard-seller"' in html and 'id="dashboard-buyer"' in html
    assert 'id="dashboard-moderator"' not in html


# --- moderator ----------------------------------------------------------------------------------------

def test_moderator_dashboard_gives_queue_sizes_and_the_oldest_item(client_as, world):
    moderator = world.moderator
    CompanyFactory(verification_status=VerificationStatus.PENDING, verification_changed_at=NOW - timedelta(days=3))
    CompanyFactory(verification_status=VerificationStatus.PENDING, verification_changed_at=NOW - timedelta(hours=5))
    submitted = ListingFactory(seller=world.seller_t)
    Listing.objects.filter(pk=submitted.pk).update(status=ListingStatus.PENDING_REVIEW,
                                                   status_changed_at=NOW - timedelta(days=2))
    listing_services.listing_report(listing=world.towel, reporter=world.buyer_owner, reason="Wrong photo.")

    response, _queries = _get(client_as(moderator))
    html = response.content.decode()

    rows = [_text(row) for row in re.findall(r'<tr class="queue-row">.*?</tr>', html, re.S)]
    counts = [re.match(r"(.+?) (\d+) ", row + " ").groups() for row in rows]
    assert counts == [("Companies asking for verification", "2"), ("Renewals of verification", "0"),
                      ("Identity changes", "0"), ("Listings submitted for review", "1"),
                      ("Changes to published listings", "0"), ("Reports of listings", "1"),
                      ("Reports of reviews", "0")]
    companies = _section(html, "moderator-queues")
    assert '<time datetime="2026-12-06T12:00:00+00:00">' in companies  # three days ago
    assert '<time datetime="2026-12-07T12:00:00+00:00">' in companies  # the submitted listing


def test_moderator_dashboard_counts_decisions_per_day(client_as, world):
    moderator = world.moderator
    day = NOW - timedelta(days=1)
    company = CompanyFactory(verification_status=VerificationStatus.PENDING, verification_changed_at=day)
    VerificationDecision.objects.create(company=company, actor=moderator, from_status=VerificationStatus.PENDING,
                                        to_status=VerificationStatus.VERIFIED, created_at=day)
    # a member's request for verification is not a moderator's decision
    VerificationDecision.objects.create(company=company, actor=world.buyer_owner,
                                        from_status=VerificationStatus.UNVERIFIED,
                                        to_status=VerificationStatus.PENDING, created_at=day)
    ListingDecision.objects.create(listing=world.towel, actor=moderator, from_status=ListingStatus.PENDING_REVIEW,
                                   to_status=ListingStatus.PUBLISHED, created_at=day)
    ListingDecision.objects.create(listing=world.towel, actor=moderator, from_status=ListingStatus.PENDING_REVIEW,
                                   to_status=ListingStatus.REJECTED, created_at=day)
    ListingDecision.objects.create(listing=world.towel, actor=world.seller_t_owner, from_status=ListingStatus.DRAFT,
                                   to_status=ListingStatus.PENDING_REVIEW, created_at=day)
    ListingDecision.objects.create(listing=world.towel, actor=moderator, from_status=ListingStatus.PENDING_REVIEW,
                                   to_status=ListingStatus.PUBLISHED, created_at=NOW - timedelta(days=20))

    response, _queries = _get(client_as(moderator))
    html = response.content.decode()

    table = _section(html, "moderator-decisions")
    assert table.count("<tr id=\"decisions-") == 14
    assert _text(_section(table, "decisions-2026-12-08")).split()[1:] == ["1", "2", "0", "3"]
    assert _text(_section(table, "decisions-2026-12-09")).split()[1:] == ["0", "0", "0", "0"]


def test_moderator_dashboard_queries_are_a_fixed_number(client_as, world):
    client = client_as(world.moderator)
    _response, few = _get(client)
    for _n in range(5):
        CompanyFactory(verification_status=VerificationStatus.PENDING, verification_changed_at=NOW)
    response, many = _get(client)

    assert re.search(r"Companies asking for verification</a></th>\s*<td class=\"num\">5<", response.content.decode())
    assert few == many == _layout_queries(client) + MODERATOR_READS


def test_moderator_queues_are_not_shown_to_company_members(client_as, world):
    response, _queries = _get(client_as(world.seller_t_owner))

    assert 'id="dashboard-moderator"' not in response.content.decode()


# --- languages ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("language", ["tr", "zh-hans"])
def test_the_dashboards_render_in_turkish_and_chinese(client_as, world, settings, language):
    world.seller_t.kind = CompanyKind.BOTH
    world.seller_t.save(update_fields=["kind"])
    world.seller_t_owner.groups.add(*world.moderator.groups.all())
    world.seller_t_owner.is_staff = True
    world.seller_t_owner.save(update_fields=["is_staff"])
    with time_machine.travel(NOW - timedelta(days=1), tick=False):
        order_in(world, S.PAID)
    client = client_as(world.seller_t_owner)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language

    response, _queries = _get(client)
    html = response.content.decode()

    assert f'<html lang="{language}">' in html
    for part in ("dashboard-seller", "dashboard-buyer", "dashboard-moderator", "sales-TRY"):
        assert f'id="{part}"' in html


def test_the_moderators_figures_are_read_by_moderators_only(world):
    CompanyFactory(verification_status=VerificationStatus.PENDING, verification_changed_at=NOW)
    since = NOW - timedelta(days=14)
    for person in (world.seller_t_owner, world.buyer_owner):
        assert accounts_selectors.company_queue_sizes(actor=person) == {}
        assert accounts_selectors.verification_decisions_per_day(actor=person, since=since) == {}
        assert marketplace_selectors.listing_queue_sizes(actor=person) == {}
        assert marketplace_selectors.listing_decisions_per_day(actor=person, since=since) == {}
        assert review_selectors.review_report_queue_size(actor=person) == (0, None)
        assert review_selectors.review_decisions_per_day(actor=person, since=since) == {}
    assert accounts_selectors.company_queue_sizes(actor=world.moderator)["verification"] == (1, NOW)
