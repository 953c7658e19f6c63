#!/usr/bin/env python
"""How many orders per second does checkout place with 20 buyers at once, and how fast are the
order list and order detail endpoints?

Checkout: in-process threads, one per buyer company, each with its own PostgreSQL connection, call
orders.services.checkout_place (the same locks, stock updates, landed-cost estimates and FX look-ups
as the API). In each round every buyer first fills its cart with a few listings of several sellers
(not timed), then all buyers check out together behind a barrier; the listings are shared, so
checkouts queue on the same rows. Throughput is orders placed divided by the time the checkout phases
took; the latency of single checkouts is printed as well.

Order list and detail: HTTP against gunicorn (sync workers) on loopback, one client with a token,
after the checkout rounds have given the measured buyer its orders.

    createdb -h 127.0.0.1 -U postgres smemarket_bench
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/smemarket_bench
    export REDIS_URL=redis://127.0.0.1:6379/1
    .venv/bin/python manage.py migrate --noinput
    .venv/bin/python bench/checkout.py [--buyers 20] [--rounds 15] [--requests 300] [--workers 2]

The notifications the orders queue go to a Redis database of the script's own (--broker-db), which
it empties before and after; no worker runs, so no e-mail is sent. Every run makes new companies
(tagged), so runs never share stock.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
os.environ.setdefault("DJANGO_DEBUG", "0")


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def http_get(port: int, path: str, token: str) -> tuple[int, float, bytes]:
    started = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request("GET", path, headers={"Accept": "application/json", "Authorization": f"Token {token}"})
        response = connection.getresponse()
        body = response.read()
        return response.status, time.perf_counter() - started, body
    finally:
        connection.close()


def start_gunicorn(port: int, workers: int, log_path: str, token: str, conn_max_age: int) -> subprocess.Popen:
    env = {**os.environ, "DJANGO_DEBUG": "0", "LOG_LEVEL": "WARNING", "DB_CONN_MAX_AGE": str(conn_max_age)}
    command = [str(Path(sys.executable).parent / "gunicorn"), "config.wsgi", "-w", str(workers),
               "-b", f"127.0.0.1:{port}", "--error-logfile", log_path, "--log-level", "warning"]
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"gunicorn exited with {server.returncode}; see {log_path}")
        try:
            status, _elapsed, _body = http_get(port, "/api/v1/orders/?page_size=1", token)
            if status == 200:
                return server
        except OSError:
            pass
        time.sleep(0.3)
    server.terminate()
    sys.exit(f"gunicorn did not answer within 60 s; see {log_path}")


def queries_per_request(token: str, order_id: int) -> dict[str, int]:
    """SQL queries of one list and one detail request, through the Django test client."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1", HTTP_AUTHORIZATION=f"Token {token}")
    counts = {}
    for name, path in (("list", "/api/v1/orders/"), ("detail", f"/api/v1/orders/{order_id}/")):
        client.get(path)  # the first request of a process loads what later ones reuse
        with CaptureQueriesContext(connection) as captured:
            response = client.get(path)
        assert response.status_code == 200, response.content
        counts[name] = len(captured)
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--buyers", type=int, default=20, help="buyer companies checking out at once")
    parser.add_argument("--sellers", type=int, default=4)
    parser.add_argument("--listings-per-seller", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=15, help="checkouts per buyer")
    parser.add_argument("--requests", type=int, default=300, help="HTTP requests per endpoint")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--conn-max-age", type=int, default=60,
                        help="DB_CONN_MAX_AGE of the server (persistent database connections, default 60)")
    parser.add_argument("--broker-db", type=int, default=13, help="Redis database the notifications are queued in")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    redis_url = os.environ.get("REDIS_URL", "")
    if not os.environ.get("DATABASE_URL", "").startswith("postgres") or not redis_url.startswith("redis"):
        sys.exit("Set DATABASE_URL to PostgreSQL and REDIS_URL to Redis (see bench/README.md).")
    broker_url = urlunsplit(urlsplit(redis_url)._replace(path=f"/{args.broker_db}"))
    os.environ["CELERY_BROKER_URL"] = broker_url

    import django

    django.setup()
    import redis
    from django.db import connection
    from django.utils import timezone

    from accounts import tokens
    from accounts.models import Company, CompanyKind, Membership, MembershipRole, User, VerificationStatus
    from core.exceptions import ApplicationError
    from fx.models import FxRate
    from marketplace.models import Category, Listing, ListingStatus
    from marketplace.services import listing_create
    from orders import services
    from orders.models import Order
    from trade.models import ShippingRate, ShippingZone, ShippingZoneCountry

    redis.Redis.from_url(broker_url).flushdb()
    load_before = os.getloadavg()[0]
    rng = random.Random(args.seed)
    tag = uuid.uuid4().hex[:8]
    if not FxRate.objects.filter(currency="TRY").exists():
        sys.exit("No TRY exchange rate stored; run the migrations (they load the shipped rates).")

    def company(name: str, kind: str, country: str, currency: str) -> tuple[Company, User]:
        made = Company.objects.create(legal_name=f"{name} {tag}", country=country, kind=kind,
                                      registration_number=f"BENCH-CHK-{tag}-{name}", address="1 Bench street",
                                      default_currency=currency, verification_status=VerificationStatus.VERIFIED)
        user = User.objects.create_user(email=f"bench-{tag}-{name.replace(' ', '-').lower()}@example.com",
                                        password=None, full_name=name, email_verified_at=timezone.now())
        Membership.objects.create(user=user, company=made, role=MembershipRole.OWNER)
        return made, user

    category = Category.objects.get(path="textiles/home-textiles")
    listings: list[Listing] = []
    for s in range(args.sellers):
        seller, seller_user = company(f"Seller {s}", CompanyKind.SELLER, "TR", "TRY")
        zone = ShippingZone.objects.create(seller=seller, name="Europe")
        ShippingZoneCountry.objects.create(zone=zone, seller=seller, country="DE")
        ShippingRate.objects.bulk_create([ShippingRate(zone=zone, max_weight_kg=Decimal("100"), price=Decimal("300")),
                                          ShippingRate(zone=zone, max_weight_kg=Decimal("10000"),
                                                       price=Decimal("900"))])
        for n in range(args.listings_per_seller):
            listing = listing_create(seller=seller, actor=seller_user, data={
                "title": f"Bench towel {s}-{n}", "category": category.pk, "origin_country": "TR", "hs_code": "630260",
                "weight_kg": "0.5", "moq": 10, "order_multiple": 5, "stock": 10_000_000, "incoterms": ["FOB", "DAP"],
                "price_tiers": [{"min_quantity": 10, "unit_price": "100.00"}, {"min_quantity": 100,
                                                                               "unit_price": "90.00"}]})
            Listing.objects.filter(pk=listing.pk).update(status=ListingStatus.PUBLISHED)
            listings.append(listing)
    buyers = [company(f"Buyer {b}", CompanyKind.BUYER, "DE", "EUR") for b in range(args.buyers)]

    def fill(buyer: Company, user: User) -> None:
        for listing in rng.sample(listings, 3):
            services.cart_line_add(actor=user, buyer=buyer, listing_id=listing.pk,
                                   quantity=10 + 5 * rng.randint(0, 10))

    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()

    def one_round(round_index: int) -> float:
        for buyer, user in buyers:
            fill(buyer, user)
        barrier = threading.Barrier(len(buyers) + 1)

        def checkout(buyer: Company, user: User) -> None:
            try:
                connection.ensure_connection()
                barrier.wait(timeout=60)
                started = time.perf_counter()
                try:
                    services.checkout_place(actor=user, buyer=buyer, idempotency_key=f"bench-{round_index}")
                except ApplicationError as exc:
                    with lock:
                        errors.append(exc.code)
                with lock:
                    latencies.append(time.perf_counter() - started)
            finally:
                connection.close()

        threads = [threading.Thread(target=checkout, args=pair) for pair in buyers]
        for thread in threads:
            thread.start()
        barrier.wait(timeout=60)
        started = time.perf_counter()
        for thread in threads:
            thread.join()
        return time.perf_counter() - started

    one_round(-1)  # warm-up: connections, caches, the first plans
    latencies.clear()
    before = Order.objects.filter(buyer__in=[b for b, _u in buyers]).count()
    phase_seconds = sum(one_round(r) for r in range(args.rounds))
    orders = Order.objects.filter(buyer__in=[b for b, _u in buyers]).count() - before
    checkouts = len(latencies)

    measured_buyer, measured_user = buyers[0]
    _token, secret = tokens.token_create(user=measured_user, name="bench")
    order_ids = list(Order.objects.filter(buyer=measured_buyer).values_list("pk", flat=True))
    port = free_port()
    log = tempfile.NamedTemporaryFile(prefix="bench-checkout-gunicorn-", suffix=".log", delete=False)
    queries = queries_per_request(secret, order_ids[0])
    server = start_gunicorn(port, args.workers, log.name, secret, args.conn_max_age)
    timings: dict[str, list[float]] = {"list": [], "detail": []}
    try:
        for _ in range(20):  # warm-up of every worker
            http_get(port, "/api/v1/orders/", secret)
        for n in range(args.requests):
            status, elapsed, body = http_get(port, "/api/v1/orders/", secret)
            assert status == 200, body
            timings["list"].append(elapsed)
            status, elapsed, body = http_get(port, f"/api/v1/orders/{rng.choice(order_ids)}/", secret)
            assert status == 200, body
            timings["detail"].append(elapsed)
        listed = json.loads(http_get(port, "/api/v1/orders/", secret)[2])
    finally:
        server.terminate()
        server.wait(timeout=30)
        redis.Redis.from_url(broker_url).flushdb()

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        server_version = cursor.fetchone()[0]
    print(f"machine: {platform.node()} {platform.machine()}, {os.cpu_count()} CPUs, Python "
          f"{platform.python_version()}, PostgreSQL {server_version}; 1-minute load average {load_before:.1f} "
          f"before, {os.getloadavg()[0]:.1f} after")
    print(f"data: {args.sellers} sellers x {args.listings_per_seller} shared listings; {args.buyers} buyers; "
          f"each cart 3 listings of up to 3 sellers")
    print(f"checkout (in-process threads calling checkout_place, {args.buyers} buyers at once, {args.rounds} "
          f"rounds): {checkouts} checkouts, {orders} orders in {phase_seconds:.2f}s -> "
          f"{orders / phase_seconds:.1f} orders/s, {checkouts / phase_seconds:.1f} checkouts/s; "
          f"refused: {len(errors)} {sorted(set(errors))}")
    print(f"checkout latency, ms: p50 {percentile(latencies, 0.5) * 1000:.0f}  "
          f"p95 {percentile(latencies, 0.95) * 1000:.0f}  max {max(latencies) * 1000:.0f}  "
          f"mean {statistics.fmean(latencies) * 1000:.0f}")
    print(f"API over HTTP (gunicorn, {args.workers} sync workers, DB_CONN_MAX_AGE={args.conn_max_age}, one client, "
          f"{args.requests} requests each; the buyer has {listed['count']} orders, a page holds "
          f"{len(listed['results'])}):")
    for name, values in timings.items():
        print(f"  GET /api/v1/orders/{'' if name == 'list' else '{id}/'}  p50 {percentile(values, 0.5) * 1000:.1f} ms"
              f"  p95 {percentile(values, 0.95) * 1000:.1f} ms  max {max(values) * 1000:.1f} ms"
              f"  ({len(values) / sum(values):.1f} req/s, {queries[name]} SQL queries)")


if __name__ == "__main__":
    main()
