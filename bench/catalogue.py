#!/usr/bin/env python
"""How fast are catalogue browse, search and detail with many listings?

Loads N published listings of a few bench sellers into the database DATABASE_URL points at (once:
a second run reuses them, --reset starts over), starts gunicorn with production-like settings, fires
a bounded number of HTTP requests of each kind at it over loopback from a thread pool, and prints
requests per second, p50/p95/p99 latency and the number of SQL queries one request of each kind
makes (measured in-process with the Django test client).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/smemarket_bench \\
        .venv/bin/python bench/catalogue.py --listings 100000 --requests 500 --runs 3

By default there are as many client threads as gunicorn workers, so every request finds a free
worker and the latency is the server's own; more client threads than sync workers (--concurrency 8)
measure the time requests wait in the listen queue as well, roughly concurrency / workers times the
service time. With --runs R every kind is measured R times, the kinds taking turns, and the
percentiles are taken over all the requests of a kind, so a burst of load from other programs on the
machine is spread over every kind instead of spoiling one.

--in-process skips gunicorn and times the same requests through the Django test client, one at a
time, for when no HTTP endpoint is there to measure.
"""
from __future__ import annotations

import argparse
import html
import http.client
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
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from report import print_results  # the results table, shared with bench/million.py

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
os.environ.setdefault("DJANGO_DEBUG", "0")

BENCH_PREFIX = "BENCH-"
# This script's sellers only ("BENCH-001"...): bench/cart.py's sellers ("BENCH-CART-...") are not its listings.
BENCH_SELLER = rf"^{BENCH_PREFIX}[0-9]+$"
BATCH = 2000
COMMON_TERM = "cotton"
RARE_TERM = "zirconia"
RARE_EVERY = 2000  # one listing in this many carries the rare term
TYPO_TERM = "cottn"
DEFAULT_URLS = [
    ("browse", "/api/v1/listings/"),
    ("browse_filtered", "/api/v1/listings/?category={category}&ships_to=DE&incoterm=FOB&sort=price_asc"),
    # Price bounds and price order in a display currency, across listings in five currencies.
    ("browse_currency", "/api/v1/listings/?currency=TRY&price_min=100&price_max=500&sort=price_asc"),
    ("search_common", f"/api/v1/listings/?q={COMMON_TERM}"),
    ("search_rare", f"/api/v1/listings/?q={RARE_TERM}"),
    ("search_typo", f"/api/v1/listings/?q={TYPO_TERM}"),
    ("detail", "/api/v1/listings/{id}/"),
]
# The web pages of the same searches (--pages): the HTML a browser gets, with the filter sidebar.
PAGE_URLS = [
    ("page_browse", "/listings/"),
    ("page_category", "/categories/textiles/"),
    ("page_search", f"/listings/?q={COMMON_TERM}"),
    ("page_search_rare", f"/listings/?q={RARE_TERM}"),
    ("page_filtered", "/categories/textiles/?ships_to=DE&incoterm=FOB&sort=price_asc"),
]

# name, country, currency, verified
SELLERS = [
    ("Bench Bursa Weaving A.Ş.", "TR", "TRY", True),
    ("Bench Guangzhou Industrial Co., Ltd.", "CN", "CNY", True),
    ("Bench Ruhr Technik GmbH", "DE", "EUR", True),
    ("Bench Kenya Agro Exports Ltd", "KE", "KES", True),
    ("Bench Minas Gerais Comércio Ltda.", "BR", "BRL", True),
    ("Bench Izmir Marble and Stone", "TR", "TRY", True),
    ("Bench Ningbo Kitchen Supply", "CN", "CNY", True),
    ("Bench Lyon Chimie SARL", "FR", "EUR", False),
]
RATES = {"EUR": 1.0, "TRY": 50.0, "CNY": 8.3, "KES": 150.0, "BRL": 6.3}

# category path: (weight, materials, products as (noun, hs_code, unit, eur_price, moq))
VOCABULARY: dict[str, tuple[int, list[str], list[tuple[str, str, str, float, int]]]] = {
    "textiles/fabrics": (6, ["cotton", "linen", "polyester", "viscose", "organic cotton", "wool"], [
        ("denim fabric", "520942", "m", 3.1, 1000), ("poplin fabric", "520832", "m", 1.9, 1000),
        ("canvas fabric", "520912", "m", 2.4, 500), ("jersey knit fabric", "600622", "m", 2.2, 500)]),
    "textiles/home-textiles": (6, ["cotton", "Turkish cotton", "bamboo", "linen", "microfibre"], [
        ("bath towel", "630260", "piece", 4.2, 200), ("bed linen set", "630231", "set", 22.0, 50),
        ("tablecloth", "630251", "piece", 6.5, 100), ("bathrobe", "620791", "piece", 11.5, 100)]),
    "textiles/garments": (6, ["cotton", "organic cotton", "polyester", "fleece", "denim"], [
        ("T-shirt", "610910", "piece", 3.4, 300), ("polo shirt", "610510", "piece", 5.2, 200),
        ("work trousers", "620342", "piece", 8.9, 200), ("hoodie", "611020", "piece", 9.5, 100)]),
    "textiles/leather": (2, ["full-grain leather", "suede", "nubuck", "vegetable-tanned leather"], [
        ("wallet", "420231", "piece", 7.0, 100), ("belt", "420330", "piece", 5.5, 100),
        ("cow hide", "410712", "m2", 28.0, 50)]),
    "textiles/yarn": (2, ["cotton", "combed cotton", "acrylic", "wool blend"], [
        ("yarn Ne 30/1", "520524", "kg", 3.2, 500), ("yarn Ne 20/1", "520523", "kg", 2.9, 500)]),
    "food-agriculture/dried-fruit-nuts": (3, ["organic", "natural", "sun-dried", "roasted"], [
        ("dried apricots", "081310", "kg", 6.5, 500), ("hazelnut kernels", "080222", "kg", 7.8, 1000),
        ("sultana raisins", "080620", "kg", 3.1, 1000), ("dried figs", "080420", "kg", 5.2, 500)]),
    "food-agriculture/coffee-tea": (3, ["arabica", "robusta", "organic", "fair-trade"], [
        ("green coffee beans", "090111", "kg", 5.4, 600), ("roasted coffee beans", "090121", "kg", 11.0, 100),
        ("black tea", "090240", "kg", 4.1, 500)]),
    "food-agriculture/grains-pulses": (2, ["organic", "cleaned", "sortex"], [
        ("red lentils", "071340", "tonne", 780.0, 20), ("chickpeas", "071320", "tonne", 950.0, 20),
        ("durum wheat", "100119", "tonne", 340.0, 25)]),
    "food-agriculture/olive-oil": (2, ["extra virgin", "organic", "cold-pressed"], [
        ("olive oil", "150920", "l", 8.2, 500), ("sunflower oil", "151219", "l", 1.6, 1000)]),
    "food-agriculture/spices": (2, ["organic", "ground", "whole"], [
        ("black pepper", "090412", "kg", 6.9, 100), ("sumac", "091099", "kg", 8.5, 50),
        ("chilli flakes", "090422", "kg", 5.8, 100)]),
    "food-agriculture/fresh-produce": (2, ["fresh", "organic", "class I"], [
        ("avocados", "080440", "kg", 1.9, 2000), ("cut roses", "060311", "box", 24.0, 20),
        ("mangoes", "080450", "kg", 1.6, 2000)]),
    "machinery/industrial-machinery": (3, ["stainless steel", "heavy-duty", "CNC", "automatic"], [
        ("lathe", "845811", "piece", 18500.0, 1), ("air compressor", "841480", "piece", 2400.0, 1),
        ("hydraulic press", "846291", "piece", 12800.0, 1)]),
    "machinery/agricultural-machinery": (2, ["tractor-mounted", "self-propelled", "galvanised steel"], [
        ("disc harrow", "843221", "piece", 3100.0, 1), ("seed drill", "843231", "piece", 5400.0, 1)]),
    "machinery/packaging-machinery": (2, ["automatic", "semi-automatic", "stainless steel"], [
        ("carton sealer", "842240", "piece", 1900.0, 1), ("vacuum packing machine", "842240", "piece", 2600.0, 1)]),
    "machinery/machine-parts": (3, ["hardened steel", "cast iron", "bronze", "stainless steel"], [
        ("ball bearing", "848210", "piece", 2.4, 100), ("gear shaft", "848340", "piece", 38.0, 20),
        ("hydraulic cylinder", "841221", "piece", 145.0, 10)]),
    "chemicals/plastics-polymers": (2, ["virgin", "recycled", "food-grade"], [
        ("HDPE granules", "390120", "tonne", 1250.0, 5), ("PET flakes", "390761", "tonne", 880.0, 10),
        ("PVC compound", "390422", "tonne", 1400.0, 5)]),
    "chemicals/paints-coatings": (2, ["water-based", "epoxy", "polyurethane"], [
        ("wall paint", "320910", "l", 3.2, 200), ("floor coating", "320890", "l", 9.5, 100)]),
    "chemicals/fertilisers": (1, ["granular", "water-soluble", "organic"], [
        ("NPK 15-15-15 fertiliser", "310520", "tonne", 540.0, 25), ("urea 46%", "310210", "tonne", 430.0, 25)]),
    "electronics/components": (3, ["SMD", "through-hole", "automotive-grade"], [
        ("chip resistors", "853321", "box", 1.1, 20), ("ceramic capacitors", "853224", "box", 2.3, 20),
        ("USB-C connector", "853669", "piece", 0.18, 1000)]),
    "electronics/pcb": (3, ["FR-4", "aluminium-core", "polyimide flex", "HDI"], [
        ("printed circuit board", "853400", "piece", 0.85, 500), ("PCB assembly", "853400", "piece", 4.5, 100)]),
    "electronics/consumer-electronics": (3, ["wireless", "Bluetooth", "portable", "smart"], [
        ("earbuds", "851830", "piece", 6.5, 200), ("power bank", "850760", "piece", 5.9, 200),
        ("smart plug", "853690", "piece", 3.8, 500)]),
    "electronics/lighting": (3, ["LED", "solar", "dimmable", "IP65"], [
        ("ceiling panel", "940511", "piece", 9.8, 50), ("floodlight", "940542", "piece", 8.5, 20),
        ("light bulb", "853952", "piece", 0.55, 1000)]),
    "construction/ceramics-tiles": (3, ["porcelain", "glazed ceramic", "matt porcelain", "terracotta"], [
        ("floor tile", "690721", "m2", 7.9, 300), ("wall tile", "690722", "m2", 6.2, 300),
        ("mosaic tile", "690740", "m2", 19.0, 50)]),
    "construction/stone-marble": (3, ["marble", "travertine", "granite", "limestone"], [
        ("slab", "680221", "m2", 42.0, 100), ("floor tile", "680291", "m2", 24.0, 200),
        ("window sill", "680299", "piece", 18.0, 50)]),
    "construction/steel-products": (3, ["galvanised steel", "stainless steel", "carbon steel"], [
        ("rebar", "721420", "tonne", 620.0, 25), ("steel pipe", "730630", "tonne", 890.0, 10),
        ("wire mesh", "731420", "m2", 2.9, 500)]),
    "construction/glass": (2, ["tempered", "laminated", "low-e"], [
        ("glass panel", "700729", "m2", 18.0, 100), ("glass block", "701610", "piece", 2.6, 500)]),
    "home-goods/furniture": (3, ["solid oak", "teak", "rattan", "steel frame"], [
        ("dining chair", "940161", "piece", 38.0, 50), ("coffee table", "940360", "piece", 75.0, 20),
        ("bookshelf", "940360", "piece", 64.0, 20)]),
    "home-goods/kitchenware": (3, ["stainless steel", "cast iron", "ceramic", "bamboo"], [
        ("cookware set", "732393", "set", 29.0, 100), ("frying pan", "732393", "piece", 7.8, 200),
        ("cutting board", "441919", "piece", 3.1, 300)]),
    "home-goods/home-decor": (2, ["handmade", "ceramic", "cotton", "jute"], [
        ("vase", "691390", "piece", 6.2, 100), ("cushion cover", "630493", "piece", 2.8, 200),
        ("area rug", "570500", "piece", 24.0, 50)]),
    "packaging": (3, ["kraft paper", "corrugated", "recycled", "biodegradable"], [
        ("shipping box", "481910", "piece", 0.42, 2000), ("paper bag", "481930", "piece", 0.09, 5000),
        ("stretch film", "392020", "kg", 2.1, 500)]),
    "health-beauty/cosmetics": (2, ["natural", "organic", "argan", "olive oil"], [
        ("soap bar", "340111", "piece", 0.9, 500), ("face cream", "330499", "piece", 3.4, 300)]),
    "health-beauty/medical-supplies": (2, ["sterile", "latex-free", "disposable"], [
        ("nitrile gloves", "401519", "box", 3.6, 500), ("face masks", "630790", "box", 2.2, 500)]),
    "automotive": (3, ["OEM-quality", "aftermarket", "forged steel"], [
        ("brake disc", "870830", "piece", 14.0, 100), ("oil filter", "842123", "piece", 1.8, 500),
        ("LED headlamp", "851220", "piece", 19.0, 100)]),
    "metals-minerals": (2, ["refined", "high-purity", "industrial-grade"], [
        ("copper cathode", "740311", "tonne", 8400.0, 5), ("aluminium ingot", "760110", "tonne", 2300.0, 10),
        ("quartz sand", "250510", "tonne", 48.0, 25)]),
    "energy": (2, ["monocrystalline", "lithium iron phosphate", "grid-tie"], [
        ("solar panel", "854143", "piece", 95.0, 20), ("battery pack", "850760", "piece", 620.0, 5),
        ("solar inverter", "850440", "piece", 480.0, 5)]),
}
SPECS = ["standard grade", "premium grade", "export quality", "private label", "bulk pack", "retail pack",
         "custom sizes", "OEM", "made to order", "in stock"]
SENTENCES = [
    "{Material} {product} from our own production line, checked piece by piece before packing.",
    "Export cartons with pallets on request; mixed containers possible.",
    "Samples ship within five working days, the cost is refunded with the first order.",
    "Custom labelling and packaging for retail chains and importers.",
    "Lead time {lead} days from deposit, faster for repeat orders.",
    "Third-party inspection welcome before shipment.",
    "We supply wholesalers in Europe, the Middle East and Africa.",
    "Material certificates and test reports come with every lot.",
    "Quality control follows ISO 9001 procedures.",
    "Colours and sizes to your specification.",
]
INCOTERM_SETS = [["FOB"], ["EXW"], ["EXW", "FOB"], ["FOB", "CIF"], ["EXW", "FOB", "CIF"], ["DAP"], ["FCA", "DAP"]]
SANCTIONED = ["BY", "IR", "KP", "RU", "SY"]
MARKETS = ["DE", "FR", "NL", "GB", "US", "AE", "SA", "KE", "NG", "ZA", "BR", "IN", "JP", "TR", "PL", "IT"]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--listings", type=int, default=20000, help="bench listings to have (default 20000)")
    parser.add_argument("--requests", type=int, default=1000, help="requests of each kind (default 1000)")
    parser.add_argument("--concurrency", type=int, default=0,
                        help="client threads (default: as many as --workers)")
    parser.add_argument("--runs", type=int, default=1,
                        help="measure every kind this many times, kinds taking turns (default 1)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    parser.add_argument("--warmup", type=int, default=50, help="untimed requests of each kind first (default 50)")
    parser.add_argument("--conn-max-age", type=int, default=3600,
                        help="DB_CONN_MAX_AGE of the server: persistent connections, kept through the whole run "
                             "so that the CPU time of their PostgreSQL backends can be read (default 3600; "
                             "0 opens a connection per request)")
    parser.add_argument("--pg-options", default="",
                        help='PGOPTIONS of the server\'s database sessions, '
                             'e.g. "-c max_parallel_workers_per_gather=0"')
    parser.add_argument("--url", action="append", metavar="NAME=PATH",
                        help="a kind of request; repeat to replace the defaults. PATH may use {id} (a random bench "
                             "listing) and {category} (the pk of the textiles category).")
    parser.add_argument("--pages", action="store_true",
                        help="measure the web pages (browse, category, search) instead of the API")
    parser.add_argument("--reset", action="store_true", help="delete the bench listings and sellers, load again")
    parser.add_argument("--load-only", action="store_true", help="load the data and stop")
    parser.add_argument("--in-process", action="store_true",
                        help="time requests through the Django test client instead of gunicorn")
    parser.add_argument("--seed", type=int, default=20261128)
    args = parser.parse_args()
    if args.concurrency <= 0:
        args.concurrency = args.workers
    if args.runs < 1 or args.requests < 2:
        parser.error("--runs must be at least 1 and --requests at least 2")
    return args


def setup_django() -> None:
    import django

    django.setup()
    from django.db import connection

    if connection.vendor != "postgresql":
        sys.exit("This benchmark runs on PostgreSQL: set DATABASE_URL=postgres://... (see bench/README.md).")


# --- data -----------------------------------------------------------------------------------------

def bench_sellers():
    from accounts.models import Company, CompanyKind, VerificationStatus

    companies = []
    for number, (name, country, currency, verified) in enumerate(SELLERS, start=1):
        company, _ = Company.objects.update_or_create(
            country=country, registration_number=f"{BENCH_PREFIX}{number:03d}",
            defaults={"legal_name": name, "address": "Bench street 1", "default_currency": currency,
                      "kind": CompanyKind.SELLER, "description": "Benchmark data.",
                      "verification_status": VerificationStatus.VERIFIED if verified else VerificationStatus.PENDING})
        companies.append(company)
        if verified:
            bench_shipping_zone(company)
    return companies


def bench_shipping_zone(company) -> None:
    """A zone with a rate over every market, so that the ships-to filter finds the seller's listings
    (a listing ships where its setting and its seller's rated zones agree). The unverified seller has none."""
    from trade.models import ShippingRate, ShippingZone, ShippingZoneCountry

    zone, _ = ShippingZone.objects.get_or_create(seller=company, name="Bench markets")
    ShippingZoneCountry.objects.bulk_create([ShippingZoneCountry(zone=zone, seller=company, country=country)
                                             for country in MARKETS], ignore_conflicts=True)
    ShippingRate.objects.get_or_create(zone=zone, max_weight_kg=Decimal("20000"), defaults={"price": Decimal("900")})


def bench_listings():
    from marketplace.models import Listing

    return Listing.objects.filter(seller__registration_number__regex=BENCH_SELLER)


def reset() -> None:
    from accounts.models import Company

    started = time.perf_counter()
    deleted, _ = bench_listings().delete()
    Company.objects.filter(registration_number__regex=BENCH_SELLER).delete()
    print(f"reset: deleted {deleted} rows in {time.perf_counter() - started:.1f} s")


def money(value: float) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP).max(Decimal("0.01"))


def make_listing(index: int, rng: random.Random, sellers, categories, now: datetime):
    """One published listing with its tiers, Incoterms and ships-to countries (not yet saved)."""
    from marketplace.models import Listing, ListingStatus, ShipsToMode
    from marketplace.search import build_search_document

    paths = list(VOCABULARY)
    path = rng.choices(paths, weights=[VOCABULARY[p][0] for p in paths])[0]
    _weight, materials, products = VOCABULARY[path]
    noun, hs_code, unit, eur, moq = rng.choice(products)
    material = rng.choice(materials)
    seller = sellers[index % len(sellers)]
    spec = rng.choice(SPECS)
    title = f"{material[0].upper()}{material[1:]} {noun}, {spec}, model {rng.choice('ABCDEFGHKMNPRSTX')}{index}"
    if index % RARE_EVERY == 7:
        title = f"{title} with {RARE_TERM} coating"
    lead = rng.choice([7, 10, 14, 21, 30, 45])
    sentences = rng.sample(SENTENCES, 3)
    description = " ".join(s.format(Material=material.capitalize(), product=noun, lead=lead) for s in sentences)
    price = money(eur * RATES[seller.default_currency] * rng.uniform(0.6, 1.6))
    tiers = [(moq, price)]
    for step, discount in ((5, 0.94), (20, 0.88))[:rng.randint(0, 2)]:
        tiers.append((moq * step, money(float(price) * discount)))
    if rng.random() < 0.8:
        mode, countries = ShipsToMode.ALL_EXCEPT, (SANCTIONED if rng.random() < 0.5 else [])
    else:
        mode, countries = ShipsToMode.ONLY, sorted(rng.sample(MARKETS, rng.randint(2, 8)))
    published = now - timedelta(seconds=rng.randint(0, 365 * 24 * 3600))
    listing = Listing(
        seller=seller, title=title, description=description, description_html=f"<p>{html.escape(description)}</p>",
        category=categories[path], unit=unit, stock=rng.randint(0, 100000), moq=moq, order_multiple=1,
        currency=seller.default_currency, price_from=min(p for _q, p in tiers), lead_time_days=lead,
        origin_country=seller.country.code if rng.random() < 0.85 else rng.choice(MARKETS), hs_code=hs_code,
        weight_kg=Decimal("1.000"), ships_to_mode=mode, status=ListingStatus.PUBLISHED, status_changed_at=published,
        published_at=published)
    listing.search_document = build_search_document(listing)
    return listing, tiers, rng.choice(INCOTERM_SETS), countries


def load(target: int, seed: int) -> None:
    from django.db import connection, transaction
    from django.utils import timezone

    from marketplace.models import Category, ListingIncoterm, PriceTier, ShipsToCountry

    sellers = bench_sellers()
    categories = {c.path: c for c in Category.objects.select_related("parent")}
    missing = sorted(set(VOCABULARY) - set(categories))
    if missing:
        sys.exit(f"Categories missing (run migrate): {', '.join(missing)}")
    existing = bench_listings().count()
    if existing >= target:
        print(f"data: reusing {existing} bench listings (asked for {target}; --reset to start over)")
        refresh_prices_in_eur()
        return
    print(f"data: {existing} bench listings, creating {target - existing} ...", flush=True)
    started = time.perf_counter()
    now = timezone.now()
    from marketplace.models import Listing

    for start in range(existing, target, BATCH):
        stop = min(start + BATCH, target)
        rng = random.Random(seed * 1_000_003 + start)
        rows = [make_listing(index, rng, sellers, categories, now) for index in range(start, stop)]
        with transaction.atomic():
            created = Listing.objects.bulk_create([row[0] for row in rows])
            PriceTier.objects.bulk_create(
                PriceTier(listing=listing, min_quantity=q, unit_price=p)
                for listing, (_l, tiers, _i, _c) in zip(created, rows) for q, p in tiers)
            ListingIncoterm.objects.bulk_create(
                ListingIncoterm(listing=listing, incoterm=term)
                for listing, (_l, _t, terms, _c) in zip(created, rows) for term in terms)
            ShipsToCountry.objects.bulk_create(
                ShipsToCountry(listing=listing, country=country)
                for listing, (_l, _t, _i, countries) in zip(created, rows) for country in countries)
        done = stop - existing
        rate = done / (time.perf_counter() - started)
        print(f"  {stop} listings ({rate:.0f}/s)", flush=True)
    refresh_prices_in_eur()
    with connection.cursor() as cursor:
        for table in ("marketplace_listing", "marketplace_pricetier", "marketplace_listingincoterm",
                      "marketplace_shipstocountry", "marketplace_category", "accounts_company"):
            cursor.execute(f"VACUUM ANALYZE {table}")
    print(f"data: loaded in {time.perf_counter() - started:.1f} s")


def refresh_prices_in_eur() -> None:
    """The prices in EUR at the stored rates, as the task run after a rate fetch writes them."""
    from marketplace.services import listing_price_eur_refresh

    started = time.perf_counter()
    written = listing_price_eur_refresh()
    print(f"data: {written} prices in EUR written in {time.perf_counter() - started:.1f} s", flush=True)


# --- requests -------------------------------------------------------------------------------------

def url_kinds(args) -> list[tuple[str, str]]:
    if not args.url:
        return PAGE_URLS if args.pages else DEFAULT_URLS
    kinds = []
    for item in args.url:
        name, sep, path = item.partition("=")
        if not sep or not path.startswith("/"):
            sys.exit(f"--url wants NAME=/path, got {item!r}")
        kinds.append((name, path))
    return kinds


class UrlMaker:
    def __init__(self, seed: int) -> None:
        from marketplace.models import Category

        self.ids = list(bench_listings().filter(status="published").order_by("?").values_list("pk", flat=True)[:5000])
        self.category = Category.objects.get(path="textiles").pk
        self.rng = random.Random(seed)
        self.lock = threading.Lock()

    def __call__(self, template: str, *, fixed: bool = False) -> str:
        with self.lock:
            listing_id = self.ids[0] if fixed else self.rng.choice(self.ids)
        return template.format(id=listing_id, category=self.category)


def queries_per_request(kinds, make_url) -> dict[str, tuple[int, int]]:
    """SQL queries and status of one request of each kind, through the test client."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    result = {}
    for name, template in kinds:
        url = make_url(template, fixed=True)
        client.get(url)  # the first request of a process loads what later ones reuse
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        result[name] = (len(captured), response.status_code)
    return result


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(args, port: int, log_path: str) -> subprocess.Popen:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "config.settings.local"),
           "DJANGO_DEBUG": "0", "DB_CONN_MAX_AGE": str(args.conn_max_age), "LOG_LEVEL": "WARNING"}
    if args.pg_options:
        env["PGOPTIONS"] = args.pg_options
    command = [str(ROOT / ".venv" / "bin" / "gunicorn"), "config.wsgi", "-w", str(args.workers),
               "-b", f"127.0.0.1:{port}", "--error-logfile", log_path, "--log-level", "warning"]
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"gunicorn exited with {server.returncode}; see {log_path}")
        try:
            status, _ = http_get(port, "/api/v1/listings/?page_size=1")
            if status < 500:
                return server
        except OSError:
            pass
        time.sleep(0.3)
    server.terminate()
    sys.exit(f"gunicorn did not answer within 60 s; see {log_path}")


def http_get(port: int, path: str) -> tuple[int, float]:
    started = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request("GET", path, headers={"Accept": "application/json"})
        response = connection.getresponse()
        response.read()
        return response.status, time.perf_counter() - started
    finally:
        connection.close()


def process_cpu_seconds(pids: list[int]) -> dict[int, float]:
    """User plus system CPU time of each process that can be read (not PostgreSQL on another host,
    not a process that has ended)."""
    ticks = os.sysconf("SC_CLK_TCK")
    seconds = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        seconds[pid] = (int(fields[11]) + int(fields[12])) / ticks  # utime, stime
    return seconds


def cpu_spent(before: dict[int, float], after: dict[int, float]) -> float | None:
    """CPU seconds the processes used between the two readings; None when a process of the first
    reading has gone (its time is lost) or nothing could be read."""
    if not before or not after or set(before) - set(after):
        return None
    return sum(after[pid] - before.get(pid, 0.0) for pid in after)


def server_pids(server: subprocess.Popen) -> list[int]:
    """The gunicorn workers and the PostgreSQL backends serving them: every client backend of the
    bench database except this script's own connection."""
    from django.db import connection

    workers = worker_pids(server)
    if not workers:
        return []
    with connection.cursor() as cursor:
        cursor.execute("SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                       "AND backend_type = 'client backend' AND pid <> pg_backend_pid()")
        backends = [row[0] for row in cursor.fetchall()]
    return workers + backends


def worker_pids(server: subprocess.Popen) -> list[int]:
    """The gunicorn workers alone: their CPU time is the application's, without PostgreSQL's."""
    try:
        return [int(pid) for pid in Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()]
    except OSError:
        return []


def run_http(kinds, make_url, args, port: int, server: subprocess.Popen) -> dict[str, dict]:
    outcomes: dict[str, list[tuple[int, float]]] = {name: [] for name, _t in kinds}
    rates: dict[str, list[float]] = {name: [] for name, _t in kinds}
    cpu: dict[str, float | None] = {name: 0.0 for name, _t in kinds}
    app_cpu: dict[str, float | None] = {name: 0.0 for name, _t in kinds}
    with ThreadPoolExecutor(max_workers=args.concurrency) as pool:
        for name, template in kinds:
            list(pool.map(lambda _n, t=template: http_get(port, make_url(t)), range(args.warmup)))
        for run in range(args.runs):
            for name, template in kinds:
                cpu_before = process_cpu_seconds(server_pids(server))
                started = time.perf_counter()
                batch = list(pool.map(lambda _n, t=template: http_get(port, make_url(t)), range(args.requests)))
                rates[name].append(len(batch) / (time.perf_counter() - started))
                cpu_after = process_cpu_seconds(server_pids(server))
                spent = cpu_spent(cpu_before, cpu_after)
                cpu[name] = None if spent is None or cpu[name] is None else cpu[name] + spent
                workers = set(worker_pids(server))
                app = cpu_spent({pid: t for pid, t in cpu_before.items() if pid in workers},
                                {pid: t for pid, t in cpu_after.items() if pid in workers})
                app_cpu[name] = None if app is None or app_cpu[name] is None else app_cpu[name] + app
                outcomes[name].extend(batch)
            print(f"  run {run + 1}/{args.runs} done, load average {os.getloadavg()[0]:.1f}", flush=True)
    results = {}
    for name, _t in kinds:
        results[name] = summarize(outcomes[name], rates[name])
        spent = cpu[name]
        results[name]["cpu_ms"] = None if spent is None else spent * 1000 / len(outcomes[name])
        app = app_cpu[name]
        results[name]["app_cpu_ms"] = None if app is None else app * 1000 / len(outcomes[name])
    return results


def run_in_process(kinds, make_url, args) -> dict[str, dict]:
    from django.test import Client

    client = Client(HTTP_HOST="127.0.0.1")
    results = {}
    for name, template in kinds:
        for _ in range(args.warmup):
            client.get(make_url(template))
        outcomes = []
        rates = []
        for _run in range(args.runs):
            started = time.perf_counter()
            for _ in range(args.requests):
                url = make_url(template)
                began = time.perf_counter()
                response = client.get(url)
                outcomes.append((response.status_code, time.perf_counter() - began))
            rates.append(args.requests / (time.perf_counter() - started))
        results[name] = summarize(outcomes, rates)
    return results


def summarize(outcomes: list[tuple[int, float]], rates: list[float]) -> dict:
    """Percentiles over every request of a kind; requests per second is the median of the runs."""
    latencies = sorted(seconds * 1000 for _status, seconds in outcomes)
    cuts = statistics.quantiles(latencies, n=100, method="inclusive")
    return {"requests": len(outcomes), "errors": sum(1 for status, _s in outcomes if status != 200),
            "rps": statistics.median(rates), "p50": cuts[49], "p95": cuts[94], "p99": cuts[98]}


# --- report ---------------------------------------------------------------------------------------

def machine() -> str:
    cpu = platform.processor() or "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f", {kb / 1024 / 1024:.0f} GB RAM"
    except (OSError, ValueError, IndexError):
        pass
    return f"{os.cpu_count()} cores ({cpu}){memory}, {platform.system()} {platform.release()}"


def report(args, kinds, results, queries, load_before: float) -> None:
    from django.db import connection

    from marketplace.models import Listing

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg_version = cursor.fetchone()[0]
    published = Listing.objects.filter(status="published").count()
    mode = "in-process (Django test client, 1 thread)" if args.in_process else (
        f"HTTP, gunicorn {args.workers} sync workers, {args.concurrency} client threads, "
        f"DB_CONN_MAX_AGE={args.conn_max_age}" + (f", PGOPTIONS={args.pg_options!r}" if args.pg_options else ""))
    print_results(machine=machine(), database=f"PostgreSQL {pg_version}, {bench_listings().count()} bench listings, "
                  f"{published} published", mode=f"{mode}; {args.runs} x {args.requests} requests of each kind after "
                  f"{args.warmup} warm-up requests", kinds=kinds, results=results, queries=queries,
                  load_before=load_before)


def main() -> None:
    args = parse_args()
    setup_django()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    if args.reset:
        reset()
    load(args.listings, args.seed)
    if args.load_only:
        return
    kinds = url_kinds(args)
    make_url = UrlMaker(args.seed)
    if not make_url.ids:
        sys.exit("No published bench listings.")
    queries = queries_per_request(kinds, make_url)
    load_before = os.getloadavg()[0]
    if args.in_process:
        results = run_in_process(kinds, make_url, args)
    else:
        port = free_port()
        log = tempfile.NamedTemporaryFile(prefix="bench-gunicorn-", suffix=".log", delete=False)
        server = start_server(args, port, log.name)
        print(f"server: gunicorn pid {server.pid} on 127.0.0.1:{port}, log {log.name}", flush=True)
        try:
            results = run_http(kinds, make_url, args, port, server)
        finally:
            server.terminate()
            server.wait(timeout=30)
    report(args, kinds, results, queries, load_before)


if __name__ == "__main__":
    main()
