#!/usr/bin/env python
"""How long does seller performance take to compute from the order event log?

Builds --sellers bench sellers (default 1,000) with --orders orders (default 100,000) and their events
(bulk_create, random valid life cycles over the last year: accepted, refused by the seller or by the
clock, withdrawn, cancelled by each party, paid, shipped early or late, delivered, disputed and
resolved with or without a refund, completed), plus requests for quotation inviting them and their
quotes, in the database DATABASE_URL names (default: the local SQLite file). Then prints:

- the nightly full recompute (every record rebuilt from the whole log, every seller's figures), timed
  --runs times;
- the update after one event (fold the order's new events, recompute its seller), timed over
  --updates orders that receive a new event;
- the SQL queries of the listing page and of browse with and without the stored figures (the figures
  come in the seller's join, so the counts must be equal).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sme_perf .venv/bin/python bench/trust.py

The bench companies' registration numbers start with BENCHTRUST-; each run deletes the previous
run's bench rows first.
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
os.environ.setdefault("DJANGO_DEBUG", "0")

PREFIX = "BENCHTRUST-"
BATCH = 5000
ZERO = Decimal("0.00")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sellers", type=int, default=1000)
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--buyers", type=int, default=50)
    parser.add_argument("--rfqs", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--updates", type=int, default=200)
    parser.add_argument("--seed", type=int, default=12)
    args = parser.parse_args()
    if min(args.sellers, args.orders, args.buyers, args.runs, args.updates) < 1 or args.rfqs < 0:
        parser.error("counts must be at least 1")
    return args


def cleanup() -> None:
    from django.db import transaction

    from accounts.models import Company, Membership, User
    from marketplace.models import Listing
    from orders.models import Order, OrderEvent, OrderLine, PurchaseGroup, Quote, Rfq, RfqRecipient
    from trust.models import OrderRecord, SellerPerformance

    companies = Company.objects.filter(registration_number__startswith=PREFIX)
    with transaction.atomic():
        orders = Order.objects.filter(seller__in=companies)
        OrderRecord.objects.filter(seller__in=companies).delete()
        SellerPerformance.objects.filter(seller__in=companies).delete()
        Quote.objects.filter(seller__in=companies).delete()
        RfqRecipient.objects.filter(seller__in=companies).delete()
        Rfq.objects.filter(buyer__in=companies).delete()
        OrderEvent.objects.filter(order__in=orders).delete()
        OrderLine.objects.filter(order__in=orders).delete()
        for model in ("instalments", "payments"):
            getattr(Order, model).rel.related_model.objects.filter(order__in=orders).delete()
        orders.delete()
        PurchaseGroup.objects.filter(buyer__in=companies).delete()
        Listing.objects.filter(seller__in=companies).delete()
        users = list(Membership.objects.filter(company__in=companies).values_list("user_id", flat=True))
        Membership.objects.filter(company__in=companies).delete()
        companies.delete()
        User.objects.filter(pk__in=users).delete()


def life_cycle(rng: random.Random, placed, lead: int) -> list[tuple[str, str, str, object, dict]]:
    """(from, to, role, at, payload) of one random valid walk through ORDER_FLOW after placing."""
    steps = []
    at = placed

    def go(frm, to, role, hours, payload=None):
        nonlocal at
        at = at + timedelta(hours=hours)
        steps.append((frm, to, role, at, payload or {}))

    roll = rng.random()
    if roll < 0.08:
        go("placed", "refused", "seller", rng.uniform(1, 48))
        return steps
    if roll < 0.12:
        go("placed", "refused", "system", 72)
        return steps
    if roll < 0.16:
        go("placed", "cancelled", "buyer", rng.uniform(1, 24))
        return steps
    if roll < 0.20:
        return steps  # still waiting
    go("placed", "accepted", "seller", rng.lognormvariate(2.5, 0.8))
    roll = rng.random()
    if roll < 0.03:
        go("accepted", "cancelled", rng.choice(["buyer", "seller", "system"]), rng.uniform(24, 200))
        return steps
    if roll < 0.06:
        return steps  # accepted, not shipped yet
    state = "accepted"
    if rng.random() < 0.6:
        go("accepted", "paid", "seller", rng.uniform(2, 96))
        state = "paid"
    go(state, "shipped", "seller", rng.uniform(0.3, 1.3) * lead * 24)
    if rng.random() < 0.05:
        return steps
    go("shipped", "delivered", rng.choice(["buyer", "system"]), rng.uniform(48, 400))
    if rng.random() < 0.06:
        go("delivered", "disputed", "buyer", rng.uniform(2, 200))
        refund = rng.choice([None, "0.00", "10.00", "120.00"])
        go("disputed", "resolved", "moderator", rng.uniform(24, 200), {"refund_amount": refund})
        go("resolved", "completed", "buyer", rng.uniform(1, 100))
    else:
        go("delivered", "completed", rng.choice(["buyer", "system"]), rng.uniform(1, 400))
    return steps


def build(args: argparse.Namespace, rng: random.Random):
    from django.utils import timezone

    from accounts.models import Company, CompanyKind, Membership, MembershipRole, User, VerificationStatus
    from marketplace.models import Category
    from orders.models import Order, OrderEvent, PurchaseGroup, Quote, Rfq, RfqRecipient

    now = timezone.now()
    user = User.objects.create_user(email=f"{PREFIX.lower()}{now.timestamp():.0f}@example.com",
                                    password=None)
    sellers = Company.objects.bulk_create(
        Company(legal_name=f"Bench Seller {n}", name_skeleton=f"bench seller {n}", country="TR",
                registration_number=f"{PREFIX}S{n}", address="1 Bench Street", default_currency="TRY",
                kind=CompanyKind.SELLER, verification_status=VerificationStatus.VERIFIED)
        for n in range(args.sellers))
    buyers = Company.objects.bulk_create(
        Company(legal_name=f"Bench Buyer {n}", name_skeleton=f"bench buyer {n}", country="DE",
                registration_number=f"{PREFIX}B{n}", address="1 Bench Strasse", default_currency="EUR",
                kind=CompanyKind.BUYER, verification_status=VerificationStatus.VERIFIED)
        for n in range(args.buyers))
    Membership.objects.create(user=user, company=sellers[0], role=MembershipRole.OWNER)
    groups = PurchaseGroup.objects.bulk_create(
        PurchaseGroup(buyer=buyer, idempotency_key=f"bench-{buyer.pk}", request_fingerprint="bench", created_by=user)
        for buyer in buyers)

    started = time.perf_counter()
    events = 0
    for start in range(0, args.orders, BATCH):
        plans = []
        for _ in range(min(BATCH, args.orders - start)):
            seller = rng.choice(sellers)
            index = rng.randrange(len(buyers))
            placed = now - timedelta(days=rng.uniform(0, 365))
            lead = rng.choice([3, 5, 7, 14, 21, 30])
            steps = life_cycle(rng, placed, lead)
            plans.append((seller, buyers[index], groups[index], placed, lead, steps))
        orders = Order.objects.bulk_create(
            Order(buyer=buyer, seller=seller, purchase_group=group, placed_by=user,
                  status=steps[-1][1] if steps else "placed", currency="TRY", buyer_currency="EUR",
                  fx_rate=Decimal("0.025"), fx_rate_date=placed.date(), fx_source="ecb", incoterm="EXW",
                  destination_country="DE", destination_address="Berlin", goods_total=Decimal("100.00"),
                  shipping=ZERO, insurance=ZERO, duty=ZERO, vat=ZERO, total=Decimal("100.00"),
                  invoice_total=Decimal("100.00"), buyer_other_costs=ZERO,
                  invoice_total_in_buyer_currency=Decimal("2.50"), buyer_other_costs_in_buyer_currency=ZERO,
                  total_weight_kg=Decimal("1.000"), placed_at=placed)
            for seller, buyer, group, placed, lead, steps in plans)
        rows = []
        for order, (_seller, _buyer, _group, placed, lead, steps) in zip(orders, plans, strict=True):
            rows.append(OrderEvent(order=order, role="buyer", from_status="", to_status="placed",
                                   payload={"purchase_group": order.purchase_group_id, "lead_time_days": lead},
                                   created_at=placed))
            rows.extend(OrderEvent(order=order, role=role, from_status=frm, to_status=to, payload=payload,
                                   created_at=at) for frm, to, role, at, payload in steps)
        OrderEvent.objects.bulk_create(rows, batch_size=BATCH)
        events += len(rows)
    build_seconds = time.perf_counter() - started

    category = Category.objects.order_by("pk").first()
    rfqs = Rfq.objects.bulk_create(
        Rfq(buyer=rng.choice(buyers), created_by=user, title="Bench request", category=category, quantity=100,
            incoterm="EXW", deadline=now + timedelta(days=rng.uniform(-30, 10)), audience="invited")
        for _ in range(args.rfqs))
    recipients, quotes = [], []
    for rfq in rfqs:
        for seller in rng.sample(sellers, min(3, len(sellers))):
            recipients.append(RfqRecipient(rfq=rfq, seller=seller))
            if rng.random() < 0.6:
                quotes.append(Quote(rfq=rfq, seller=seller, submitted_by=user, unit_price=Decimal("1.00"),
                                    currency="TRY", moq=1, lead_time_days=7, incoterm="EXW",
                                    valid_until=(now + timedelta(days=30)).date(), hs_code="630260",
                                    origin_country="TR", unit_weight_kg=Decimal("1.000")))
    RfqRecipient.objects.bulk_create(recipients, batch_size=BATCH)
    Quote.objects.bulk_create(quotes, batch_size=BATCH)
    return sellers, user, events, build_seconds, len(quotes)


def timed_updates(args, rng: random.Random) -> list[float]:
    """Writes one new event on each of --updates waiting or accepted orders and times the update."""
    from django.utils import timezone

    from orders.models import Order, OrderEvent
    from trust.services import seller_performance_update

    candidates = list(Order.objects.filter(seller__registration_number__startswith=PREFIX,
                                           status__in=["placed", "accepted"]).values_list("pk", "status"))
    rng.shuffle(candidates)
    durations = []
    for order_id, status in candidates[:args.updates]:
        to, role = ("accepted", "seller") if status == "placed" else ("shipped", "seller")
        Order.objects.filter(pk=order_id).update(status=to)
        OrderEvent.objects.create(order_id=order_id, role=role, from_status=status, to_status=to,
                                  created_at=timezone.now())
        started = time.perf_counter()
        seller_performance_update(order_id=order_id)
        durations.append(time.perf_counter() - started)
    return durations


def page_queries(sellers, user) -> dict[str, tuple[int, int]]:
    """Queries of the listing page and of browse without and with the stored figures."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from marketplace import services
    from marketplace.models import Category, Listing, ListingStatus
    from trust.models import SellerPerformance

    category = Category.objects.filter(parent__isnull=False).order_by("pk").first()
    seller = sellers[0]
    listing = services.listing_create(seller=seller, actor=user, data={
        "title": "Bench towel", "description": "Bench", "category": category, "unit": "piece", "stock": 100,
        "moq": 1, "order_multiple": 1, "lead_time_days": 7, "origin_country": "TR", "hs_code": "630260",
        "weight_kg": Decimal("0.5"), "incoterms": ["EXW"], "price_tiers": [{"min_quantity": 1, "unit_price": "5.00"}],
        "ships_to_mode": "all_except", "ships_to_countries": []})
    Listing.objects.filter(pk=listing.pk).update(status=ListingStatus.PUBLISHED, published_at=listing.created_at)
    client = Client(HTTP_HOST="127.0.0.1")
    urls = {"listing page": f"/listings/{listing.pk}/", "browse": "/listings/?q=bench"}

    def count(url):
        client.get(url)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        return len(captured)

    stored = list(SellerPerformance.objects.filter(seller=seller).values_list("pk", "figures"))
    SellerPerformance.objects.filter(seller=seller).delete()
    without = {name: count(url) for name, url in urls.items()}
    from trust.services import seller_performance_refresh

    seller_performance_refresh(seller_id=seller.pk)
    with_figures = {name: count(url) for name, url in urls.items()}
    assert stored, "the bench seller had figures"
    return {name: (without[name], with_figures[name]) for name in urls}


def main() -> None:
    args = parse_args()
    import django

    django.setup()
    from django.db import connection

    from trust.models import OrderRecord
    from trust.services import seller_performance_recompute_all

    rng = random.Random(args.seed)
    cleanup()
    sellers, user, events, build_seconds, quotes = build(args, rng)
    print(f"database: {connection.vendor} ({connection.settings_dict['NAME']})")
    print(f"built {args.sellers} sellers, {args.orders} orders, {events} events in {build_seconds:.1f} s; "
          f"{args.rfqs} requests, {quotes} quotes")

    OrderRecord.objects.filter(seller__in=sellers).delete()
    for run in range(args.runs):
        started = time.perf_counter()
        result = seller_performance_recompute_all()
        print(f"full recompute, run {run + 1}: {time.perf_counter() - started:.2f} s "
              f"({result['orders']} orders, {result['sellers']} sellers)")

    durations = timed_updates(args, rng)
    ms = sorted(d * 1000 for d in durations)
    print(f"update after one event ({len(ms)} events): mean {statistics.mean(ms):.1f} ms, "
          f"p50 {ms[len(ms) // 2]:.1f} ms, p95 {ms[int(len(ms) * 0.95) - 1]:.1f} ms")

    for name, (without, with_figures) in page_queries(sellers, user).items():
        print(f"{name}: {without} queries without figures, {with_figures} with")
    cleanup()


if __name__ == "__main__":
    main()
