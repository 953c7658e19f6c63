#!/usr/bin/env python
"""Loads a million listings into PostgreSQL in minutes, for bench/million.py.

    createdb -h 127.0.0.1 -U postgres sme_bench_million
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sme_bench_million .venv/bin/python manage.py migrate
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sme_bench_million \\
        .venv/bin/python bench/million_load.py --listings 1000000

A few hundred seller companies (registration numbers starting "MILLION-", so that --reset finds and
deletes them and everything they own) in a dozen countries, most verified, a few pending and one
suspended; listings in the real category tree with titles and descriptions from a vocabulary of
English product words, with Turkish and Chinese titles for some of the Turkish and Chinese sellers;
HS codes of real chapters (a few rare ones, one listing in several thousand); prices in the seller's
currency with one to three tiers, Incoterms, ships-to settings, and mostly published listings spread
over two years. The search document of each listing is made by marketplace.search.build_search_document,
the function the listing services call, so the documents are the ones the application writes;
price_eur is written by the service the exchange-rate task runs (listing_price_eur_refresh).

The rows go in with COPY (psycopg), with the secondary indexes of the four listing tables dropped
during the load and created again afterwards from their own definitions, then VACUUM ANALYZE.
"""
from __future__ import annotations

import argparse
import os
import random
import sys
import time
from datetime import datetime, timedelta
from datetime import timezone as dt_timezone
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
os.environ.setdefault("DJANGO_DEBUG", "0")

import catalogue  # noqa: E402  (bench/catalogue.py: the vocabulary, prices and the server harness)

PREFIX = "MILLION-"
SELLER_COUNT = 300
CHUNK = 20000
LISTING_TABLES = ("marketplace_listing", "marketplace_pricetier", "marketplace_listingincoterm",
                  "marketplace_shipstocountry")

# Sellers: country, currency, share of the sellers, name parts. The currencies all have a rate in fx.
SELLER_COUNTRIES = [
    ("TR", "TRY", 24, ["Bursa", "Denizli", "İzmir", "Gaziantep", "Kayseri", "Konya", "Istanbul"],
     ["Tekstil", "Mermer", "Gıda", "Makina", "Ambalaj", "Kimya"], ["Sanayi ve Ticaret A.Ş.", "Ltd. Şti."]),
    ("CN", "CNY", 24, ["Ningbo", "Guangzhou", "Shenzhen", "Yiwu", "Foshan", "Xiamen", "Qingdao"],
     ["Industrial", "Electronics", "Trading", "Hardware", "Lighting", "Packaging"], ["Co., Ltd.", "Import & Export Co., Ltd."]),
    ("DE", "EUR", 10, ["Ruhr", "Stuttgart", "Bremen", "Leipzig"], ["Technik", "Maschinenbau", "Handel"], ["GmbH", "AG"]),
    ("IT", "EUR", 8, ["Prato", "Verona", "Bologna", "Como"], ["Tessile", "Marmi", "Alimentari"], ["S.r.l.", "S.p.A."]),
    ("IN", "INR", 10, ["Tiruppur", "Surat", "Pune", "Ludhiana"], ["Textiles", "Spices", "Engineering"], ["Pvt. Ltd."]),
    ("KE", "KES", 4, ["Nairobi", "Mombasa"], ["Agro Exports", "Flowers", "Coffee"], ["Ltd"]),
    ("BR", "BRL", 5, ["Minas Gerais", "Santos", "Curitiba"], ["Comércio", "Café", "Agro"], ["Ltda."]),
    ("PL", "PLN", 5, ["Łódź", "Poznań", "Gdańsk"], ["Meble", "Opakowania", "Stal"], ["Sp. z o.o."]),
    ("US", "USD", 5, ["Ohio", "Texas", "Carolina"], ["Supply", "Industries", "Components"], ["Inc.", "LLC"]),
    ("VN", "USD", 5, ["Hanoi", "Da Nang", "Ho Chi Minh"], ["Garment", "Furniture", "Coffee"], ["JSC", "Co., Ltd."]),
]
# Titles in Turkish or Chinese: a Turkish or Chinese seller writes some of its titles in its own language.
TURKISH = {
    "bath towel": "pamuklu banyo havlusu", "bathrobe": "bornoz", "bed linen set": "nevresim takımı",
    "tablecloth": "masa örtüsü", "T-shirt": "tişört", "denim fabric": "denim kumaş", "dried apricots": "kuru kayısı",
    "hazelnut kernels": "iç fındık", "dried figs": "kuru incir", "sultana raisins": "çekirdeksiz kuru üzüm",
    "olive oil": "zeytinyağı", "black tea": "siyah çay", "red lentils": "kırmızı mercimek", "chickpeas": "nohut",
    "sumac": "sumak", "slab": "mermer plaka", "floor tile": "yer karosu", "wall tile": "duvar karosu",
    "cookware set": "tencere seti", "area rug": "halı", "cushion cover": "yastık kılıfı", "soap bar": "zeytinyağlı sabun",
}
CHINESE = {
    "bath towel": "纯棉浴巾", "T-shirt": "纯棉T恤", "hoodie": "连帽卫衣", "earbuds": "无线蓝牙耳机", "power bank": "移动电源",
    "smart plug": "智能插座", "printed circuit board": "印刷电路板", "PCB assembly": "电路板组装",
    "chip resistors": "贴片电阻", "ceramic capacitors": "陶瓷电容器", "USB-C connector": "USB-C连接器",
    "ceiling panel": "LED面板灯", "floodlight": "LED投光灯", "light bulb": "LED灯泡", "solar panel": "太阳能电池板",
    "battery pack": "磷酸铁锂电池组", "solar inverter": "太阳能逆变器", "cookware set": "不锈钢锅具套装",
    "frying pan": "不粘煎锅", "nitrile gloves": "丁腈手套", "face masks": "一次性口罩", "shipping box": "瓦楞纸箱",
    "black tea": "红茶", "LED headlamp": "LED大灯", "ball bearing": "深沟球轴承",
}
NATIVE_SHARE = 0.35  # of a Turkish or Chinese seller's listings whose product has a native title
# Products with rare HS codes: one listing in RARE_EVERY of each. Searching the code finds a few hundred.
RARE_PRODUCTS = [  # category path, noun, hs code, unit, EUR price, MOQ, materials
    ("metals-minerals", "titanium tube", "810890", "kg", 38.0, 50, ["grade 2", "grade 5", "seamless"]),
    ("food-agriculture/spices", "saffron threads", "091020", "kg", 2900.0, 1, ["Persian", "Spanish", "category I"]),
    ("metals-minerals", "tungsten wire", "810196", "kg", 95.0, 10, ["pure", "doped", "annealed"]),
]
RARE_EVERY = 4000
# Status of a listing: most are published.
STATUSES = [("published", 93), ("draft", 2), ("pending_review", 1), ("archived", 3), ("changes_requested", 1)]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--listings", type=int, default=1_000_000, help="listings to have (default 1000000)")
    parser.add_argument("--sellers", type=int, default=SELLER_COUNT, help=f"seller companies (default {SELLER_COUNT})")
    parser.add_argument("--reset", action="store_true", help="delete the companies and listings of an earlier load first")
    parser.add_argument("--seed", type=int, default=20261206)
    args = parser.parse_args()
    if not 1 <= args.listings <= 5_000_000:
        parser.error("--listings must be from 1 to 5000000")
    if not 1 <= args.sellers <= 5000:
        parser.error("--sellers must be from 1 to 5000")
    return args


# --- sellers ---------------------------------------------------------------------------------------

def million_sellers(count: int, rng: random.Random):
    """The seller companies, created once (the same names and numbers every run) with shipping zones
    for the verified ones. They have no performance figures (trust computes them from orders), as a
    new seller has none."""
    from accounts.models import Company, CompanyKind, VerificationStatus

    weights = [row[2] for row in SELLER_COUNTRIES]
    companies = []
    for number in range(1, count + 1):
        country, currency, _share, cities, trades, suffixes = rng.choices(SELLER_COUNTRIES, weights=weights)[0]
        name = f"{rng.choice(cities)} {rng.choice(trades)} {number:03d} {rng.choice(suffixes)}"
        status = (VerificationStatus.SUSPENDED if number == count and count > 10
                  else VerificationStatus.PENDING if number % 25 == 0 else VerificationStatus.VERIFIED)
        company, _ = Company.objects.update_or_create(
            country=country, registration_number=f"{PREFIX}{number:04d}",
            defaults={"legal_name": name, "address": f"{rng.choice(cities)}, industrial zone {number}",
                      "default_currency": currency, "kind": CompanyKind.SELLER,
                      "description": "Benchmark data.", "verification_status": status})
        companies.append(company)
        if status == VerificationStatus.VERIFIED:
            catalogue.bench_shipping_zone(company)
    return companies


def million_listing_ids_sql() -> str:
    return ("SELECT l.id FROM marketplace_listing l JOIN accounts_company c ON c.id = l.seller_id "
            f"WHERE c.registration_number LIKE '{PREFIX}%%'")


def reset() -> None:
    """Deletes what an earlier load made, with a few statements rather than a delete per row."""
    from django.db import connection, transaction

    from accounts.models import Company

    started = time.perf_counter()
    ids = million_listing_ids_sql()
    with transaction.atomic(), connection.cursor() as cursor:
        for table in ("marketplace_pricetier", "marketplace_listingincoterm", "marketplace_shipstocountry",
                      "marketplace_listingimage", "marketplace_certificate", "marketplace_listingdecision",
                      "marketplace_listingreport"):
            cursor.execute(f"DELETE FROM {table} WHERE listing_id IN ({ids})")
        cursor.execute(f"DELETE FROM marketplace_listing WHERE id IN ({ids})")
        deleted = cursor.rowcount
        Company.objects.filter(registration_number__startswith=PREFIX).delete()
    print(f"reset: deleted {deleted} listings in {time.perf_counter() - started:.1f} s", flush=True)


# --- listings --------------------------------------------------------------------------------------

class _Draft:
    """What build_search_document reads of a listing, without the cost of a model instance."""

    __slots__ = ("title", "description", "hs_code", "category", "category_id", "seller", "seller_id")

    def __init__(self, **values) -> None:
        for name, value in values.items():
            setattr(self, name, value)


def _copy_text(value) -> str:
    """A value in COPY's text format."""
    if value is None:
        return "\\N"
    text = str(value)
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        text = text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return text


def _line(values) -> str:
    return "\t".join(map(_copy_text, values)) + "\n"


LISTING_COLUMNS = ("id", "created_at", "updated_at", "title", "description", "description_html", "unit", "stock",
                   "moq", "order_multiple", "currency", "price_from", "lead_time_days", "origin_country", "hs_code",
                   "weight_kg", "ships_to_mode", "status", "status_changed_at", "status_reason", "published_at",
                   "category_id", "seller_id", "search_document")


class Maker:
    """Listing rows from a seeded generator: the same seed makes the same catalogue."""

    def __init__(self, sellers, categories, seed: int, now: datetime) -> None:
        self.sellers = sellers
        self.categories = categories
        self.seed = seed
        self.now = now
        self.paths = list(catalogue.VOCABULARY)
        self.weights = [catalogue.VOCABULARY[p][0] for p in self.paths]
        self.statuses = [s for s, _w in STATUSES]
        self.status_weights = [w for _s, w in STATUSES]
        self.rates = {"EUR": 1.0, "TRY": 50.0, "CNY": 8.3, "KES": 150.0, "BRL": 6.3, "INR": 98.0, "PLN": 4.25,
                      "USD": 1.16}

    def product(self, index: int, rng: random.Random):
        for number, (path, noun, hs_code, unit, eur, moq, materials) in enumerate(RARE_PRODUCTS):
            if index % RARE_EVERY == 11 + number * 97:
                return path, materials, (noun, hs_code, unit, eur, moq)
        path = rng.choices(self.paths, weights=self.weights)[0]
        _weight, materials, products = catalogue.VOCABULARY[path]
        return path, materials, rng.choice(products)

    def rows(self, index: int, listing_id: int):
        rng = random.Random(self.seed * 1_000_003 + index)
        path, materials, (noun, hs_code, unit, eur, moq) = self.product(index, rng)
        material = rng.choice(materials)
        seller = self.sellers[rng.randrange(len(self.sellers))]
        country = seller.country.code
        spec = rng.choice(catalogue.SPECS)
        title = f"{material[0].upper()}{material[1:]} {noun}, {spec}, model {rng.choice('ABCDEFGHKMNPRSTX')}{index}"
        native = (TURKISH if country == "TR" else CHINESE if country == "CN" else {}).get(noun)
        if native and rng.random() < NATIVE_SHARE:
            title = f"{native[0].upper()}{native[1:]} – {title}"
        lead = rng.choice([7, 10, 14, 21, 30, 45])
        sentences = rng.sample(catalogue.SENTENCES, 3)
        description = " ".join(s.format(Material=material.capitalize(), product=noun, lead=lead) for s in sentences)
        price = catalogue.money(eur * self.rates.get(seller.default_currency, 1.0) * rng.uniform(0.6, 1.6))
        tiers = [(moq, price)]
        for step, discount in ((5, 0.94), (20, 0.88))[:rng.randint(0, 2)]:
            tiers.append((moq * step, catalogue.money(float(price) * discount)))
        if rng.random() < 0.8:
            mode, countries = "all_except", (catalogue.SANCTIONED if rng.random() < 0.5 else [])
        else:
            mode, countries = "only", sorted(rng.sample(catalogue.MARKETS, rng.randint(2, 8)))
        status = rng.choices(self.statuses, weights=self.status_weights)[0]
        created = self.now - timedelta(seconds=rng.randint(73 * 3600, 2 * 365 * 24 * 3600))
        published = (created + timedelta(seconds=rng.randint(3600, 72 * 3600))
                     if status in ("published", "archived") else None)
        category = self.categories[path]
        document = catalogue_document(title, description, hs_code, category, seller)
        origin = country if rng.random() < 0.85 else rng.choice(catalogue.MARKETS)
        listing = (listing_id, created, published or created, title, description,
                   f"<p>{_escape(description)}</p>", unit, rng.randint(0, 100000), moq, 1, seller.default_currency,
                   min(p for _q, p in tiers), lead, origin, hs_code, Decimal("1.000"), mode, status,
                   published or created, "", published, category.pk, seller.pk, document)
        return listing, tiers, rng.choice(catalogue.INCOTERM_SETS), countries


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def catalogue_document(title, description, hs_code, category, seller) -> str:
    from marketplace.search import build_search_document

    return build_search_document(_Draft(title=title, description=description, hs_code=hs_code, category=category,
                                        category_id=category.pk, seller=seller, seller_id=seller.pk))


def secondary_indexes(cursor) -> list[tuple[str, str]]:
    """(name, CREATE INDEX statement) of the indexes of the listing tables that back no constraint."""
    cursor.execute(
        "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i "
        "WHERE i.indrelid = ANY(%s::regclass[]) AND NOT EXISTS "
        "(SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid) ORDER BY 1",
        [list(LISTING_TABLES)])
    return cursor.fetchall()


def load(args) -> None:
    import django

    django.setup()
    from django.db import connection
    from django.utils import timezone

    from marketplace.models import Category
    from marketplace.services import listing_price_eur_refresh

    if connection.vendor != "postgresql":
        sys.exit("This loader writes with PostgreSQL's COPY: set DATABASE_URL=postgres://...")
    if args.reset:
        reset()
    rng = random.Random(args.seed)
    started = time.perf_counter()
    sellers = million_sellers(args.sellers, rng)
    print(f"sellers: {len(sellers)} companies ready in {time.perf_counter() - started:.1f} s", flush=True)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM ({million_listing_ids_sql()}) AS ids")
        existing = cursor.fetchone()[0]
    if existing >= args.listings:
        print(f"listings: {existing} already loaded (--reset to load again)")
        return
    categories = {c.path: c for c in Category.objects.select_related("parent")}
    missing = sorted(({*catalogue.VOCABULARY} | {row[0] for row in RARE_PRODUCTS}) - set(categories))
    if missing:
        sys.exit(f"Categories missing (run migrate): {', '.join(missing)}")
    maker = Maker(sellers, categories, args.seed, timezone.now())
    count = args.listings - existing
    raw = connection.cursor().connection  # the psycopg connection, for COPY
    with connection.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '512MB'")
        indexes = secondary_indexes(cursor)
        cursor.execute("SELECT COALESCE(max(id), 0) FROM marketplace_listing")
        first_id = cursor.fetchone()[0] + 1
        print(f"indexes: dropping {len(indexes)} secondary indexes for the load", flush=True)
        for name, _definition in indexes:
            cursor.execute(f"DROP INDEX {name}")
    copied = time.perf_counter()
    child_rows = 0
    try:
        for start in range(existing, args.listings, CHUNK):
            stop = min(start + CHUNK, args.listings)
            listings, tiers, terms, ships = [], [], [], []
            for index in range(start, stop):
                listing_id = first_id + index - existing
                row, row_tiers, row_terms, countries = maker.rows(index, listing_id)
                listings.append(_line(row))
                tiers.extend(_line((listing_id, q, p)) for q, p in row_tiers)
                terms.extend(_line((listing_id, term)) for term in row_terms)
                ships.extend(_line((listing_id, country)) for country in countries)
            with raw.cursor() as cursor, raw.transaction():
                for table, columns, lines in (
                        ("marketplace_listing", LISTING_COLUMNS, listings),
                        ("marketplace_pricetier", ("listing_id", "min_quantity", "unit_price"), tiers),
                        ("marketplace_listingincoterm", ("listing_id", "incoterm"), terms),
                        ("marketplace_shipstocountry", ("listing_id", "country"), ships)):
                    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                        copy.write("".join(lines))
            child_rows += len(tiers) + len(terms) + len(ships)
            done = stop - existing
            elapsed = time.perf_counter() - copied
            print(f"  {stop} listings, {done / elapsed:,.0f} listings/s", flush=True)
        copy_seconds = time.perf_counter() - copied
        with connection.cursor() as cursor:
            cursor.execute("SELECT setval(pg_get_serial_sequence('marketplace_listing', 'id'), "
                           "(SELECT max(id) FROM marketplace_listing))")
        step = time.perf_counter()
        written = listing_price_eur_refresh()
        print(f"prices: {written} prices in EUR written in {time.perf_counter() - step:.1f} s", flush=True)
        step = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("VACUUM FULL marketplace_listing")  # the price update left a dead copy of each row
        print(f"vacuum full: {time.perf_counter() - step:.1f} s", flush=True)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET maintenance_work_mem = '512MB'")
            for name, definition in indexes:
                step = time.perf_counter()
                cursor.execute(definition)
                print(f"index {name}: {time.perf_counter() - step:.1f} s", flush=True)
    step = time.perf_counter()
    with connection.cursor() as cursor:
        for table in (*LISTING_TABLES, "marketplace_category", "accounts_company", "trust_sellerperformance",
                      "trade_shippingzonecountry"):
            cursor.execute(f"VACUUM ANALYZE {table}")
    print(f"vacuum analyze: {time.perf_counter() - step:.1f} s")
    total = time.perf_counter() - started
    print(f"loaded {count:,} listings and {child_rows:,} tier, Incoterm and ships-to rows: COPY {copy_seconds:.0f} s "
          f"({count / copy_seconds:,.0f} listings/s), {total:.0f} s in all ({count / total:,.0f} listings/s "
          f"with prices, indexes and VACUUM)")


def main() -> None:
    args = parse_args()
    print(f"{datetime.now(dt_timezone.utc):%Y-%m-%d %H:%M} UTC, load average {os.getloadavg()[0]:.1f}", flush=True)
    load(args)


if __name__ == "__main__":
    main()
