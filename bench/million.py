#!/usr/bin/env python
"""How fast are the catalogue pages at a million listings?

Measures the pages a buyer opens over the listings bench/million_load.py loaded: browse, filtered
browse (country of origin, price range and category), a category page, a search for a common word,
for a rare HS code and for a misspelt word, and a listing page. Each kind is timed over HTTP against
gunicorn (2 sync workers and 2 client threads by default, so one request per worker: the harness of
bench/catalogue.py), and prints p50/p95/p99, requests per second, CPU ms per request (gunicorn
workers plus their PostgreSQL backends) and the SQL queries of one request.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sme_bench_million \\
        .venv/bin/python bench/million.py --requests 200 --runs 3

--explain FILE writes EXPLAIN (ANALYZE, BUFFERS) of the queries of one request of each kind to FILE
(markdown), the slowest first; --explain-only skips the timing.
"""
from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import threading
import time
from datetime import datetime
from datetime import timezone as dt_timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
os.environ.setdefault("DJANGO_DEBUG", "0")

import catalogue  # noqa: E402  (the gunicorn harness, CPU accounting and percentiles)
import million_load  # noqa: E402  (which sellers and listings are the bench's)
import report as report_table  # noqa: E402  (the results table, as bench/catalogue.py prints it)

DEFAULT_URLS = [
    ("browse", "/listings/"),
    ("browse_filtered", "/listings/?category=textiles&origin_country=TR&price_min=2&price_max=20"),
    ("category", "/categories/textiles/home-textiles/"),
    ("search_common", "/listings/?q=cotton"),
    ("search_rare_code", "/listings/?q=810890"),
    ("search_typo", "/listings/?q=cottn"),
    ("detail", "/listings/{id}/"),
]
# The same requests through the API, with --api.
API_URLS = [
    ("api_browse", "/api/v1/listings/"),
    ("api_filtered", "/api/v1/listings/?category={category}&origin_country=TR&price_min=2&price_max=20"),
    ("api_search_common", "/api/v1/listings/?q=cotton"),
    ("api_search_rare_code", "/api/v1/listings/?q=810890"),
    ("api_search_typo", "/api/v1/listings/?q=cottn"),
    ("api_detail", "/api/v1/listings/{id}/"),
]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=200, help="requests of each kind per run (default 200)")
    parser.add_argument("--runs", type=int, default=3, help="runs, the kinds taking turns (default 3)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    parser.add_argument("--concurrency", type=int, default=0, help="client threads (default: as many as workers)")
    parser.add_argument("--warmup", type=int, default=20, help="untimed requests of each kind first (default 20)")
    parser.add_argument("--conn-max-age", type=int, default=3600, help="DB_CONN_MAX_AGE of the server (default 3600)")
    parser.add_argument("--pg-options", default="", help="PGOPTIONS of the server's database sessions")
    parser.add_argument("--api", action="store_true", help="measure the API's listing endpoints as well")
    parser.add_argument("--url", action="append", metavar="NAME=PATH",
                        help="a kind of request; repeat to replace the defaults. PATH may use {id} and {category}.")
    parser.add_argument("--explain", metavar="FILE", help="write EXPLAIN (ANALYZE, BUFFERS) of each kind's queries")
    parser.add_argument("--explain-only", action="store_true", help="write the EXPLAIN file and stop")
    parser.add_argument("--seed", type=int, default=20261206)
    args = parser.parse_args()
    if args.concurrency <= 0:
        args.concurrency = args.workers
    if args.runs < 1 or args.requests < 2:
        parser.error("--runs must be at least 1 and --requests at least 2")
    if args.explain_only and not args.explain:
        parser.error("--explain-only needs --explain FILE")
    return args


class UrlMaker:
    """Fills {id} with a random published listing of the bench's sellers, {category} with the pk of
    the textiles category (the API takes a pk where the pages take a path)."""

    def __init__(self, seed: int) -> None:
        from django.db import connection

        from marketplace.models import Category

        self.category = Category.objects.get(path="textiles").pk

        with connection.cursor() as cursor:
            cursor.execute("SELECT l.id FROM marketplace_listing l TABLESAMPLE SYSTEM (1) "
                           "JOIN accounts_company c ON c.id = l.seller_id "
                           "WHERE l.status = 'published' AND c.verification_status <> 'suspended' "
                           f"AND c.registration_number LIKE '{million_load.PREFIX}%%' LIMIT 5000")
            self.ids = [row[0] for row in cursor.fetchall()]
        self.rng = random.Random(seed)
        self.lock = threading.Lock()

    def __call__(self, template: str, *, fixed: bool = False) -> str:
        with self.lock:
            listing_id = self.ids[0] if fixed else self.rng.choice(self.ids)
        return template.format(id=listing_id, category=self.category)


def kinds_of(args) -> list[tuple[str, str]]:
    if args.url:
        return catalogue.url_kinds(args)
    return DEFAULT_URLS + (API_URLS if args.api else [])


def counts() -> tuple[int, int]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*), count(*) FILTER (WHERE status = 'published') FROM marketplace_listing")
        return cursor.fetchone()


def explain(kinds, make_url, path: str) -> None:
    """EXPLAIN (ANALYZE, BUFFERS) of every SELECT one request of each kind makes, slowest first."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    total, published = counts()
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
    lines = [f"EXPLAIN (ANALYZE, BUFFERS) of the queries of one request of each kind, {total:,} listings "
             f"({published:,} published), PostgreSQL {version}, {datetime.now(dt_timezone.utc):%Y-%m-%d %H:%M} UTC, "
             f"load average {os.getloadavg()[0]:.1f}. Queries of a request, slowest first; the warm second run "
             "of each.", ""]
    for name, template in kinds:
        url = make_url(template, fixed=True)
        client.get(url)
        with CaptureQueriesContext(connection) as captured:
            status = client.get(url).status_code
        plans = []
        with connection.cursor() as cursor:
            for query in captured.captured_queries:
                sql = query["sql"]
                if not sql.lstrip().upper().startswith("SELECT"):
                    continue
                cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
                plan = [row[0] for row in cursor.fetchall()]
                took = next((float(row.split(":")[1].split()[0]) for row in plan if row.startswith("Execution Time")),
                            0.0)
                plans.append((took, sql, plan))
        plans.sort(key=lambda item: -item[0])
        lines += [f"### {name}: `{url}`", "",
                  f"{len(captured)} queries, status {status}; execution times (ms): "
                  + ", ".join(f"{took:.2f}" for took, _s, _p in plans), ""]
        for took, sql, plan in plans:
            if took < 1.0 and plan is not plans[0][2]:
                continue  # the cheap lookups (session, categories, rates) are listed by time above
            lines += ["```sql", sql if len(sql) <= 3000 else sql[:3000] + " ...", "```", "```", *plan, "```", ""]
    Path(path).write_text("\n".join(lines) + "\n")
    print(f"explain: written to {path}")


def report(args, kinds, results, queries, load_before: float) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg_version = cursor.fetchone()[0]
    total, published = counts()
    report_table.print_results(
        machine=catalogue.machine(), database=f"PostgreSQL {pg_version}, {total:,} listings, {published:,} published",
        mode=f"HTTP, gunicorn {args.workers} sync workers, {args.concurrency} client threads, DB_CONN_MAX_AGE="
             f"{args.conn_max_age}; {args.runs} x {args.requests} requests of each kind after {args.warmup} warm-up "
             "requests", kinds=kinds, results=results, queries=queries, load_before=load_before)


def main() -> None:
    args = parse_args()
    catalogue.setup_django()
    kinds = kinds_of(args)
    make_url = UrlMaker(args.seed)
    if not make_url.ids:
        sys.exit("No published listings of the bench's sellers: run bench/million_load.py first.")
    if args.explain:
        explain(kinds, make_url, args.explain)
        if args.explain_only:
            return
    queries = catalogue.queries_per_request(kinds, make_url)
    load_before = os.getloadavg()[0]
    port = catalogue.free_port()
    log = tempfile.NamedTemporaryFile(prefix="bench-million-", suffix=".log", delete=False)
    server = catalogue.start_server(args, port, log.name)
    print(f"server: gunicorn pid {server.pid} on 127.0.0.1:{port}, log {log.name}", flush=True)
    try:
        results = catalogue.run_http(kinds, make_url, args, port, server)
    finally:
        server.terminate()
        server.wait(timeout=30)
    report(args, kinds, results, queries, load_before)


if __name__ == "__main__":
    main()
