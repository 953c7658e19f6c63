"""Checkout under contention on PostgreSQL: no oversell, no deadlock, all or nothing per checkout,
one purchase group per idempotency key, and the sellers told once through a real Celery worker.

Each thread has its own database connection; the threads of a pool start together behind a barrier."""
from __future__ import annotations

import random
from collections import Counter
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from accounts.models import User
from core.exceptions import ApplicationError
from marketplace.models import Listing
from orders import services
from orders.models import CartLine, Order, OrderEvent, OrderLine, PurchaseGroup
from tests.factories.accounts import MembershipFactory
from tests.integration.conftest import read_mail
from tests.integration.threads import run_pool
from tests.orders.helpers import buyer_company, make_zone, reference_tables, seller_company, towel

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def outcome(result) -> str:
    if isinstance(result, ApplicationError):
        return f"{result.status_code} {result.code}"
    return "placed"


@pytest.fixture
def seller():
    reference_tables()
    company = seller_company("Tekstil A.S.", "TR", "TRY")
    MembershipFactory(company=company)
    make_zone(company, "Europe", ["DE"], [("500", "300.00"), ("5000", "900.00")])
    return company


def buyers(count: int, prefix: str) -> list[tuple]:
    result = []
    for index in range(count):
        company = buyer_company(f"{prefix} {index:03d} GmbH")
        result.append((company, MembershipFactory(company=company).user))
    return result


def test_200_checkouts_for_the_last_10_units_place_exactly_10_orders(seller):
    listing = towel(seller, title="Last towels", moq=1, order_multiple=1, stock=10,
                    price_tiers=[{"min_quantity": 1, "unit_price": "100.00"}])
    shoppers = buyers(200, "Buyer")
    for company, user in shoppers:
        services.cart_line_add(actor=user, buyer=company, listing_id=listing.pk, quantity=1)

    results = run_pool([
        (lambda company=company, user=user, i=i: services.checkout_place(
            actor=user, buyer=company, idempotency_key=f"last-units-{i}"))
        for i, (company, user) in enumerate(shoppers)])

    assert Counter(outcome(r) for r in results) == Counter({"placed": 10, "409 insufficient_stock": 190})
    refusals = {r.message for r in results if isinstance(r, ApplicationError)}
    assert refusals == {f"Only 0 of Last towels (listing {listing.pk}) are left; your cart has 1."}
    assert Listing.objects.get(pk=listing.pk).stock == 0
    assert Order.objects.count() == PurchaseGroup.objects.count() == OrderEvent.objects.count() == 10
    assert sum(OrderLine.objects.values_list("quantity", flat=True)) == 10
    placed_buyers = {r.group.buyer_id for r in results if not isinstance(r, ApplicationError)}
    assert set(Order.objects.values_list("buyer_id", flat=True)) == placed_buyers
    # The refused carts are intact, the placed ones empty.
    assert CartLine.objects.count() == 190
    assert not CartLine.objects.filter(cart__buyer_id__in=placed_buyers).exists()


def test_50_multi_seller_checkouts_are_all_or_nothing_without_deadlock():
    reference_tables()
    rng = random.Random(20260105)
    sellers = []
    for index in range(5):
        company = seller_company(f"Seller {index} A.S.", "TR", "TRY")
        MembershipFactory(company=company)
        make_zone(company, "Europe", ["DE"], [("500", "300.00"), ("5000", "900.00")])
        sellers.append(company)
    listings = [towel(company, title=f"Towel {s}-{n}", moq=1, order_multiple=1, stock=40,
                      price_tiers=[{"min_quantity": 1, "unit_price": "10.00"}])
                for s, company in enumerate(sellers) for n in range(2)]
    initial = {listing.pk: 40 for listing in listings}
    shoppers = buyers(50, "Multi")
    carts = {}
    for company, user in shoppers:
        chosen = rng.sample(listings, rng.randint(3, 6))  # a random order of listing ids, several sellers
        carts[company.pk] = {listing.pk: rng.randint(1, 8) for listing in chosen}
        for listing in chosen:
            services.cart_line_add(actor=user, buyer=company, listing_id=listing.pk,
                                   quantity=carts[company.pk][listing.pk])
    sellers_of = dict(Listing.objects.values_list("pk", "seller_id"))

    results = run_pool([
        (lambda company=company, user=user, i=i: services.checkout_place(
            actor=user, buyer=company, idempotency_key=f"multi-{i}"))
        for i, (company, user) in enumerate(shoppers)])

    counts = Counter(outcome(r) for r in results)
    assert set(counts) <= {"placed", "409 insufficient_stock"}
    assert counts["placed"] > 0 and counts["409 insufficient_stock"] > 0
    taken: Counter = Counter()
    for (company, _user), result in zip(shoppers, results, strict=True):
        cart = carts[company.pk]
        orders = Order.objects.filter(buyer=company)
        lines = dict(OrderLine.objects.filter(order__buyer=company).values_list("listing_id", "quantity"))
        remaining = dict(CartLine.objects.filter(cart__buyer=company).values_list("listing_id", "quantity"))
        if isinstance(result, ApplicationError):
            assert (orders.count(), lines, remaining) == (0, {}, cart)
        else:
            assert orders.count() == len({sellers_of[pk] for pk in cart})
            assert (lines, remaining) == (cart, {})
            taken.update(cart)
    for listing_id, stock in Listing.objects.filter(pk__in=initial).values_list("pk", "stock"):
        assert stock >= 0
        assert initial[listing_id] == stock + taken[listing_id]


def test_one_key_sent_20_times_at_once_places_one_purchase_group(seller):
    listing = towel(seller, title="Towels", moq=1, order_multiple=1, stock=100,
                    price_tiers=[{"min_quantity": 1, "unit_price": "100.00"}])
    [(company, user)] = buyers(1, "Retrying")
    services.cart_line_add(actor=user, buyer=company, listing_id=listing.pk, quantity=7)
    user_id = user.pk

    def send():
        client = APIClient()
        client.force_authenticate(user=User.objects.get(pk=user_id))
        response = client.post("/api/v1/checkout/", {"destination": {"country": "DE"}}, format="json",
                               HTTP_IDEMPOTENCY_KEY="same-key-20-times")
        return response.status_code, response.json()

    results = run_pool([send] * 20, workers=20)

    assert Counter(code for code, _body in results) == Counter({201: 1, 200: 19})
    bodies = [body for _code, body in results]
    assert all(body == bodies[0] for body in bodies)
    group = PurchaseGroup.objects.get()
    assert (bodies[0]["id"], bodies[0]["idempotency_key"]) == (group.pk, "same-key-20-times")
    assert Order.objects.count() == 1
    assert Listing.objects.get(pk=listing.pk).stock == 93


def test_each_seller_is_told_of_a_placed_checkout_once_by_the_worker(celery_worker_process):
    from notifications.models import Channel, Delivery, DeliveryStatus
    from notifications.tasks import delivery_send

    worker = celery_worker_process
    reference_tables()
    first = seller_company("Tekstil A.S.", "TR", "TRY")
    second = seller_company("Dokuma Ltd", "TR", "TRY")
    emails = set()
    for company in (first, second):
        emails.add(MembershipFactory(company=company).user.email)
        make_zone(company, "Europe", ["DE"], [("500", "300.00")])
    [(buyer, user)] = buyers(1, "Notified")
    for company in (first, second):
        listing = towel(company, title=f"Towel of {company.legal_name}")
        services.cart_line_add(actor=user, buyer=buyer, listing_id=listing.pk, quantity=10)

    group = services.checkout_place(actor=user, buyer=buyer, idempotency_key="notify-once").group

    worker.wait_for_mail_files(2)
    worker.wait_for_runs("notifications.tasks.delivery_send", 2)
    email = Delivery.objects.filter(channel=Channel.EMAIL, event__name="order.placed").order_by("pk").first()
    duplicate = delivery_send.delay(email.pk)
    outcome_, rest = worker.wait_for_task("notifications.tasks.delivery_send", duplicate.id)
    worker.wait_until_drained()

    assert (outcome_, rest.rsplit(": ", 1)[-1]) == ("succeeded", "'already_sent'")
    messages = [m for _path, ms in read_mail(worker.mail_dir) for m in ms]
    assert len(messages) == 2
    assert {m["To"].addresses[0].addr_spec for m in messages} == emails
    assert {m["Subject"] for m in messages} == {f"New order {order.pk} from Notified 000 GmbH"
                                                for order in group.orders.all()}
    assert set(Delivery.objects.filter(channel=Channel.EMAIL).values_list("status", flat=True)) == {
        DeliveryStatus.SENT}
    assert not OrderEvent.objects.filter(order__purchase_group=group, sent_at__isnull=True).exists()
    assert Decimal(group.orders.first().invoice_total) > 0
