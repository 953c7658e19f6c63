"""The notifications outbox with PostgreSQL, Redis, a Celery worker and Celery beat.

A change that rolls back notifies no one; one that commits notifies each recipient once per
channel. With the broker stopped, orders are still placed at once and their notifications wait in
the outbox; they all arrive, once each, after the broker is back."""
from __future__ import annotations

import time
from collections import Counter
from types import SimpleNamespace

from django.db import transaction

from accounts import services
from accounts.models import MembershipRole, VerificationStatus
from marketplace.models import Listing
from notifications.models import Channel, Delivery, DeliveryStatus, WebhookEndpoint
from notifications.webhooks import secret_generate, signature_verify
from orders import services as orders
from orders.events.orders import ORDER_PLACED
from orders.models import Order, OrderStatus
from tests.factories.accounts import CompanyFactory, MembershipFactory, ModeratorFactory
from tests.integration.conftest import read_mail, wait_until
from tests.integration.notifications_support import (  # noqa: F401 - fixtures
    private_broker_stack,
    private_redis,
    shared_broker_stack,
    sleep_until,
)
from tests.integration.test_checkout_concurrency import buyers
from tests.integration.threads import run_pool
from tests.notifications.helpers import Receiver
from tests.orders.helpers import make_zone, reference_tables, seller_company, towel

# The scenario: the broker is down for 30 s while 100 orders are placed.
OUTAGE_SECONDS = 30
ORDERS_DURING_OUTAGE = 100
CHECKOUT_THREADS = 8
# "Without a hang": a bound on a checkout stuck on the broker, not a speed target.
CHECKOUT_BOUND_SECONDS = 5
STOCK = 1000
QUANTITY = 5


def _pending_company(name: str, members: int = 1):
    company = CompanyFactory(legal_name=name, verification_status=VerificationStatus.PENDING)
    users = [MembershipFactory(company=company, role=MembershipRole.OWNER if i == 0 else MembershipRole.STAFF).user
             for i in range(members)]
    return company, users


def _statuses(company) -> list[tuple[str, str]]:
    return sorted(Delivery.objects.filter(event__company=company).values_list("channel", "status"))


def test_rolled_back_change_sends_nothing_committed_one_sends_once_per_recipient_and_channel(shared_broker_stack):
    stack = shared_broker_stack
    receiver = Receiver().start()
    try:
        moderator = ModeratorFactory()
        rolled_back, _ = _pending_company("Rolled Back Trading Ltd", members=2)
        committed, members = _pending_company("Committed Trading Ltd", members=2)
        endpoints = {}
        for company in (rolled_back, committed):
            endpoints[company.pk] = WebhookEndpoint.objects.create(
                company=company, url=receiver.url, secret=secret_generate(), events=["company.verification_decided"])

        with transaction.atomic():
            services.company_verify(company=rolled_back, actor=moderator)
            transaction.set_rollback(True)
        services.company_verify(company=committed, actor=moderator)

        wait_until(lambda: Delivery.objects.filter(status=DeliveryStatus.SENT).count() == 5, timeout=30,
                   message="the committed decision's five deliveries were not all sent within 30s")
        # Beat keeps the relay running: a few more runs find nothing left to send.
        stack.wait_for_relay_runs(3)

        assert _statuses(rolled_back) == []
        assert _statuses(committed) == [("email", "sent"), ("email", "sent"), ("in_app", "sent"),
                                        ("in_app", "sent"), ("webhook", "sent")]
        message_ids = stack.message_ids()
        assert sorted(message_ids.values()) == [1, 1]
        assert set(message_ids) == {d.message_id for d in Delivery.objects.filter(channel=Channel.EMAIL)}
        [request] = receiver.requests
        assert request.status == 200
        assert request.json["data"]["company_name"] == "Committed Trading Ltd"
        assert signature_verify(secret=endpoints[committed.pk].secret, header=request.headers["X-SME-Signature"],
                                body=request.body)
        assert sorted(Delivery.objects.filter(channel=Channel.IN_APP).values_list("recipient_id", flat=True)) == sorted(
            u.pk for u in members)
    finally:
        receiver.stop()


def _outage_world(buyer_count: int) -> SimpleNamespace:
    """A verified seller with two members and a towel in stock; verified buyers, each with the
    towel in its cart."""
    reference_tables()
    seller = seller_company("Tekstil A.S.", "TR", "TRY")
    seller_members = [MembershipFactory(company=seller).user,
                      MembershipFactory(company=seller, role=MembershipRole.STAFF).user]
    make_zone(seller, "Europe", ["DE"], [("500", "300.00")])
    listing = towel(seller, title="Outage towels", moq=1, order_multiple=1, stock=STOCK,
                    price_tiers=[{"min_quantity": 1, "unit_price": "100.00"}])
    shoppers = buyers(buyer_count, "Outage Buyer")
    for company, user in shoppers:
        orders.cart_line_add(actor=user, buyer=company, listing_id=listing.pk, quantity=QUANTITY)
    return SimpleNamespace(seller=seller, seller_members=seller_members, listing=listing, shoppers=shoppers)


def _timed_checkout(company, user, key: str):
    started = time.monotonic()
    result = orders.checkout_place(actor=user, buyer=company, idempotency_key=key)
    return result, time.monotonic() - started


def _placed_deliveries(order_ids: list[int]):
    return Delivery.objects.filter(event__name=ORDER_PLACED, event__context__order_id__in=order_ids)


def test_broker_outage_loses_nothing_and_doubles_nothing(private_broker_stack, private_redis):
    stack = private_broker_stack
    world = _outage_world(ORDERS_DURING_OUTAGE + 1)
    (first_buyer, first_user), *shoppers = world.shoppers
    first = orders.checkout_place(actor=first_user, buyer=first_buyer, idempotency_key="before-outage").group
    wait_until(lambda: len(stack.message_ids()) == 2, timeout=30, message="the first order's e-mails were not sent")

    private_redis.stop()
    outage_ends = time.monotonic() + OUTAGE_SECONDS
    results = run_pool([
        (lambda company=company, user=user, i=i: _timed_checkout(company, user, f"outage-{i}"))
        for i, (company, user) in enumerate(shoppers)], workers=CHECKOUT_THREADS)

    # Every checkout committed at once while the broker was down (the nudge after the commit fails
    # fast), each order with its e-mails waiting in the outbox and its in-app notifications there.
    assert [type(result) for result in results] == [tuple] * ORDERS_DURING_OUTAGE
    slow = [(i, round(seconds, 2)) for i, (_result, seconds) in enumerate(results) if seconds >= CHECKOUT_BOUND_SECONDS]
    assert slow == []
    assert [(result.replayed, result.group.buyer_id) for result, _seconds in results] == [
        (False, company.pk) for company, _user in shoppers]
    placed = Order.objects.filter(buyer__in=[company for company, _user in shoppers])
    assert placed.count() == ORDERS_DURING_OUTAGE
    assert sorted(placed.values_list("purchase_group_id", flat=True)) == sorted(
        result.group.pk for result, _seconds in results)
    assert set(placed.values_list("status", "seller_id")) == {(OrderStatus.PLACED, world.seller.pk)}
    assert Listing.objects.get(pk=world.listing.pk).stock == STOCK - QUANTITY * (ORDERS_DURING_OUTAGE + 1)
    order_ids = list(placed.values_list("pk", flat=True))
    done = _placed_deliveries(order_ids)
    members = sorted(user.pk for user in world.seller_members)
    assert sorted(done.filter(channel=Channel.EMAIL, status=DeliveryStatus.PENDING).values_list(
        "recipient_id", flat=True)) == sorted(members * ORDERS_DURING_OUTAGE)
    assert sorted(done.filter(channel=Channel.IN_APP, status=DeliveryStatus.SENT).values_list(
        "recipient_id", flat=True)) == sorted(members * ORDERS_DURING_OUTAGE)
    assert done.count() == 4 * ORDERS_DURING_OUTAGE
    sleep_until(outage_ends)
    assert len(stack.message_ids()) == 2
    assert set(done.values_list("channel", "status")) == {(Channel.EMAIL, DeliveryStatus.PENDING),
                                                          (Channel.IN_APP, DeliveryStatus.SENT)}
    private_redis.start()

    emails = done.filter(channel=Channel.EMAIL)
    wait_until(lambda: emails.filter(status=DeliveryStatus.SENT).count() == 2 * ORDERS_DURING_OUTAGE, timeout=60,
               interval=0.5, message="the e-mails of the orders placed during the outage were not all sent "
                                     "within 60s after it")
    stack.wait_for_relay_runs(3)

    message_ids = stack.message_ids()
    assert len(message_ids) == 2 * (ORDERS_DURING_OUTAGE + 1)
    assert set(message_ids.values()) == {1}
    assert set(message_ids) == {d.message_id for d in _placed_deliveries([*order_ids, first.orders.get().pk])
                                .filter(channel=Channel.EMAIL)}
    assert set(done.values_list("status", flat=True)) == {DeliveryStatus.SENT}
    sent = Counter((m["Subject"], m["To"].addresses[0].addr_spec)
                   for _path, messages in read_mail(stack.mail_dir) for m in messages)
    expected = Counter({(f"New order {order.pk} from {order.buyer.legal_name}", user.email): 1
                        for order in Order.objects.select_related("buyer") for user in world.seller_members})
    assert sent == expected
