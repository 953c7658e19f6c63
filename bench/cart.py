#!/usr/bin/env python
"""How fast is add to cart, a second time, on the page and in the API?

Makes (in the database DATABASE_URL names, tagged so that runs never meet) one verified seller
shipping to Germany with one published listing, and --buyers verified buyer companies in Germany,
each with a signed-in session and an API token and the listing already in its cart. Starts gunicorn
(production-like settings) and adds 1 more piece to each buyer's existing line, buyers taking turns,
over HTTP: the page's form (POST /cart/add/, session and CSRF cookies, answered with a redirect) and
the API (POST /api/v1/cart/lines/ with a token). Prints req/s, p50/p95 latency, the CPU time of the
gunicorn workers and their PostgreSQL backends per request (from /proc), and the SQL queries of one
request of each kind (in-process, through the Django test client).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/smemarket_bench_cart REDIS_URL=redis://127.0.0.1:6379/1 \\
        .venv/bin/python bench/cart.py --requests 400 --runs 3
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from datetime import timezone as dt_timezone
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
os.environ.setdefault("DJANGO_DEBUG", "0")

CSRF_SECRET = "benchcartcsrfsecret0123456789abc"  # 32 characters: Django accepts the unmasked secret


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--buyers", type=int, default=16, help="buyer companies, taking turns (default 16)")
    parser.add_argument("--requests", type=int, default=300, help="requests of each kind per run (default 300)")
    parser.add_argument("--runs", type=int, default=3, help="runs, the kinds taking turns (default 3)")
    parser.add_argument("--warmup", type=int, default=30)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    parser.add_argument("--concurrency", type=int, default=0, help="client threads (default: --workers)")
    parser.add_argument("--conn-max-age", type=int, default=3600)
    args = parser.parse_args()
    args.concurrency = args.concurrency or args.workers
    return args


class World:
    """The seller, the listing and the buyers, each with its session, token and cart line."""

    def __init__(self, buyers: int) -> None:
        from django.test import Client
        from django.utils import timezone

        from accounts import tokens
        from accounts.models import Company, CompanyKind, Membership, MembershipRole, User, VerificationStatus
        from marketplace.models import Category, Listing, ListingStatus
        from marketplace.services import listing_create
        from orders import services
        from trade.models import ShippingRate, ShippingZone, ShippingZoneCountry

        tag = uuid.uuid4().hex[:8]

        def company(name: str, kind: str, country: str, currency: str):
            made = Company.objects.create(legal_name=f"{name} {tag}", country=country, kind=kind,
                                          registration_number=f"BENCH-CART-{tag}-{name}", address="1 Bench street",
                                          default_currency=currency, verification_status=VerificationStatus.VERIFIED)
            user = User.objects.create_user(email=f"bench-cart-{tag}-{name.replace(' ', '-').lower()}@example.com",
                                            password=None, full_name=name, email_verified_at=timezone.now())
            Membership.objects.create(user=user, company=made, role=MembershipRole.OWNER)
            return made, user

        seller, seller_user = company("Seller", CompanyKind.SELLER, "TR", "TRY")
        zone = ShippingZone.objects.create(seller=seller, name="Europe")
        ShippingZoneCountry.objects.create(zone=zone, seller=seller, country="DE")
        ShippingRate.objects.create(zone=zone, max_weight_kg=Decimal("100000"), price=Decimal("300"))
        self.listing = listing_create(seller=seller, actor=seller_user, data={
            "title": f"Bench towel {tag}", "category": Category.objects.get(path="textiles/home-textiles").pk,
            "origin_country": "TR", "hs_code": "630260", "weight_kg": "0.5", "moq": 10, "order_multiple": 1,
            "stock": 2_000_000_000, "incoterms": ["FOB", "DAP"],
            "price_tiers": [{"min_quantity": 10, "unit_price": "100.00"},
                            {"min_quantity": 100, "unit_price": "90.00"}]})
        Listing.objects.filter(pk=self.listing.pk).update(status=ListingStatus.PUBLISHED)
        self.buyers = []
        for number in range(buyers):
            buyer, user = company(f"Buyer {number}", CompanyKind.BUYER, "DE", "EUR")
            services.cart_line_add(actor=user, buyer=buyer, listing_id=self.listing.pk, quantity=10)
            client = Client()
            client.force_login(user)
            _token, secret = tokens.token_create(user=user, name="bench")
            self.buyers.append({"session": client.cookies["sessionid"].value, "token": secret, "user": user})
        self.turn = 0
        self.lock = threading.Lock()

    def next_buyer(self) -> dict:
        with self.lock:
            self.turn += 1
            return self.buyers[self.turn % len(self.buyers)]


def page_request(world: World) -> tuple[str, str, bytes, dict]:
    buyer = world.next_buyer()
    body = f"listing_id={world.listing.pk}&quantity=1&incoterm=&csrfmiddlewaretoken={CSRF_SECRET}".encode()
    return "POST", "/cart/add/", body, {
        "Content-Type": "application/x-www-form-urlencoded",
        "Cookie": f"sessionid={buyer['session']}; csrftoken={CSRF_SECRET}"}


def api_request(world: World) -> tuple[str, str, bytes, dict]:
    buyer = world.next_buyer()
    return "POST", "/api/v1/cart/lines/", json.dumps({"listing_id": world.listing.pk, "quantity": 1}).encode(), {
        "Content-Type": "application/json", "Accept": "application/json", "Authorization": f"Token {buyer['token']}"}


KINDS = {"page": (page_request, 302), "api": (api_request, 200)}


def send(port: int, request: tuple[str, str, bytes, dict]) -> tuple[int, float]:
    method, path, body, headers = request
    started = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request(method, path, body=body, headers={"Host": "127.0.0.1", **headers})
        response = connection.getresponse()
        response.read()
        return response.status, time.perf_counter() - started
    finally:
        connection.close()


def queries_per_request(world: World) -> dict[str, int]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    counts = {}
    for name, (make, expected) in KINDS.items():
        make(world)
        method, path, body, headers = make(world)
        cookies = dict(part.split("=", 1) for part in headers.pop("Cookie", "").split("; ") if part)
        client = Client(HTTP_HOST="127.0.0.1", enforce_csrf_checks=False)
        for key, value in cookies.items():
            client.cookies[key] = value
        extra = {"HTTP_AUTHORIZATION": headers["Authorization"]} if "Authorization" in headers else {}
        client.generic(method, path, body, content_type=headers["Content-Type"], **extra)  # warm
        with CaptureQueriesContext(connection) as captured:
            response = client.generic(method, path, body, content_type=headers["Content-Type"], **extra)
        assert response.status_code == expected, (name, response.status_code, response.content[:300])
        counts[name] = len(captured)
    return counts


def main() -> None:
    args = parse_args()
    import django

    django.setup()
    from django.db import connection

    if connection.vendor != "postgresql":
        sys.exit("This benchmark runs on PostgreSQL: set DATABASE_URL=postgres://... (see bench/README.md).")
    from catalogue import cpu_spent, free_port, machine, process_cpu_seconds, server_pids, start_server

    world = World(args.buyers)
    queries = queries_per_request(world)
    load_before = os.getloadavg()[0]
    log = tempfile.NamedTemporaryFile(prefix="bench-cart-", suffix=".log", delete=False)
    port = free_port()
    server = start_server(argparse.Namespace(workers=args.workers, conn_max_age=args.conn_max_age, pg_options=""),
                          port, log.name)
    outcomes: dict[str, list[tuple[int, float]]] = {name: [] for name in KINDS}
    rates: dict[str, list[float]] = {name: [] for name in KINDS}
    cpu: dict[str, float | None] = {name: 0.0 for name in KINDS}
    try:
        with ThreadPoolExecutor(max_workers=args.concurrency) as pool:
            for name, (make, _expected) in KINDS.items():
                list(pool.map(lambda _n, m=make: send(port, m(world)), range(args.warmup)))
            for run in range(args.runs):
                for name, (make, _expected) in KINDS.items():
                    before = process_cpu_seconds(server_pids(server))
                    started = time.perf_counter()
                    batch = list(pool.map(lambda _n, m=make: send(port, m(world)), range(args.requests)))
                    rates[name].append(len(batch) / (time.perf_counter() - started))
                    spent = cpu_spent(before, process_cpu_seconds(server_pids(server)))
                    cpu[name] = None if spent is None or cpu[name] is None else cpu[name] + spent
                    outcomes[name].extend(batch)
                print(f"  run {run + 1}/{args.runs} done, load average {os.getloadavg()[0]:.1f}", flush=True)
    finally:
        server.terminate()
        server.wait(timeout=30)

    print()
    print(f"date:      {datetime.now(dt_timezone.utc):%Y-%m-%d %H:%M} UTC, 1-minute load average "
          f"{load_before:.1f} before the run, {os.getloadavg()[0]:.1f} after")
    print(f"machine:   {machine()}")
    print(f"mode:      HTTP, gunicorn {args.workers} sync workers, {args.concurrency} client threads, "
          f"{args.buyers} buyers taking turns; {args.runs} x {args.requests} requests of each kind")
    print()
    print(f"{'kind':<6} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'errors':>7} {'queries':>8} {'cpu ms':>7}  request")
    for name, (_make, expected) in KINDS.items():
        latencies = sorted(seconds * 1000 for _status, seconds in outcomes[name])
        cuts = statistics.quantiles(latencies, n=100, method="inclusive")
        errors = sum(1 for status, _s in outcomes[name] if status != expected)
        spent = cpu[name]
        cpu_text = "n/a" if spent is None else f"{spent * 1000 / len(outcomes[name]):.1f}"
        what = "POST /cart/add/ (page)" if name == "page" else "POST /api/v1/cart/lines/ (token)"
        print(f"{name:<6} {statistics.median(rates[name]):>8.1f} {cuts[49]:>8.1f} {cuts[94]:>8.1f} {errors:>7} "
              f"{queries[name]:>8} {cpu_text:>7}  {what}, a second add to the line")


if __name__ == "__main__":
    main()
