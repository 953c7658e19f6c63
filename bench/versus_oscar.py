#!/usr/bin/env python
"""SME Market and django-oscar 4.2.1 side by side: same catalogue, same load, same machine.

Both apps run under gunicorn with 2 sync workers and CONN_MAX_AGE=60, never at the same time: each
run starts SME Market, measures every kind of request, stops it, then does the same with the oscar
bench shop (bench/oscar/), and the runs take turns (SME, oscar, SME, oscar ...), so that a burst of
load from other programs falls on both. 8 client threads (--concurrency) send the requests over
127.0.0.1, a new connection each. Kinds: the browse page, a category page (textiles and what is
below it), a search page (the same word on both), a product page (the same random products on
both: oscar's products keep the listings' pks), and add to cart as a signed-in customer with the
page's form (session and CSRF cookies, answered with a redirect), a first add of a product and a
second add to a line the cart already has. SME Market's add to cart is bench/cart.py's. First and
second adds go to different customers, so that the carts of the second adds keep their one line
(oscar's add costs more with every line of the basket) and first adds spread over --first-buyers.

Prints per kind and per app req/s (median of the runs), p50/p95 latency over all requests, the CPU
of the gunicorn workers and their PostgreSQL backends per request (from /proc), SQL queries per
request (one request of each kind through a counting WSGI wrapper, in a server started apart from
the timed ones; --no-queries skips it), and SME Market's ratio to oscar. Stops by itself: at most
--requests per kind per run and --max-seconds in all.

Needs the oscar bench shop set up (bench/oscar/setup.sh) and loaded with this database's catalogue
(bench/oscar/README.md); DATABASE_URL names SME Market's bench database with bench/catalogue.py's
listings:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/smemarket_bench_oscar_sme REDIS_URL=redis://127.0.0.1:6379/5 \\
        .venv/bin/python bench/versus_oscar.py --requests 100 --runs 2
"""
from __future__ import annotations

import argparse
import http.client
import json
import math
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from datetime import timezone as dt_timezone
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parent.parent
OSCAR_DIR = ROOT / "bench" / "oscar"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
os.environ.setdefault("DJANGO_DEBUG", "0")

CSRF_SECRET = "benchcartcsrfsecret0123456789abc"  # 32 characters: Django accepts the unmasked secret
KINDS = ["browse", "category", "search", "detail", "cart_first", "cart_second"]
APPS = ["sme", "oscar"]
# What a request of each kind answers on both apps: a redirect after adding to the cart, else a page.
EXPECTED_STATUS = {kind: 302 if kind.startswith("cart") else 200 for kind in KINDS}
MAX_LINES_PER_CART = 99  # SME Market's 100-line cart limit, less the line every buyer already has

Request = tuple[str, str, bytes, dict]


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=100, help="requests of each kind per run and app (100)")
    parser.add_argument("--runs", type=int, default=2, help="runs; in each, SME Market then oscar (2)")
    parser.add_argument("--warmup", type=int, default=10, help="untimed requests of each kind after a start (10)")
    parser.add_argument("--concurrency", type=int, default=8, help="client threads (8)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers of each app (2)")
    parser.add_argument("--conn-max-age", type=int, default=60, help="CONN_MAX_AGE of both apps (60)")
    parser.add_argument("--buyers", type=int, default=16,
                        help="signed-in customers taking turns at second adds, each cart one line (16)")
    parser.add_argument("--first-buyers", type=int, default=64,
                        help="other customers taking turns at first adds; more keep their carts smaller (64)")
    parser.add_argument("--kinds", default=",".join(KINDS), help=f"comma-separated, of {','.join(KINDS)}")
    parser.add_argument("--word", default="cotton", help="the search word (cotton)")
    parser.add_argument("--max-seconds", type=float, default=330,
                        help="stop measuring after this long, whatever is left (330)")
    parser.add_argument("--no-queries", action="store_true", help="skip counting the SQL queries per request")
    parser.add_argument("--oscar-venv", default=str(ROOT / "var" / "oscar-venv"))
    parser.add_argument("--oscar-database-url", default="postgres://postgres@127.0.0.1:5432/smemarket_bench_oscar")
    parser.add_argument("--oscar-search", choices=["simple", "whoosh"], default="whoosh",
                        help="oscar's haystack backend (whoosh: browse and category list products; "
                             "simple: they list none). Default whoosh")
    parser.add_argument("--seed", type=int, default=20261206)
    args = parser.parse_args(argv)
    args.kinds = [kind.strip() for kind in args.kinds.split(",") if kind.strip()]
    unknown = sorted(set(args.kinds) - set(KINDS))
    if unknown:
        parser.error(f"unknown kinds: {', '.join(unknown)}")
    if args.requests < 2 or args.runs < 1:
        parser.error("--requests must be at least 2 and --runs at least 1")
    return args


# --- pure helpers (tests/bench/test_versus_oscar.py) ------------------------------------------------

def first_adds_needed(args: argparse.Namespace) -> int:
    """First adds one app gets in the whole script: warm-ups, timed requests, the counted one."""
    return args.runs * (args.warmup + args.requests) + 2


def products_for_first_adds(adds: int, buyers: int) -> int:
    """Products each buyer must have to never add the same one twice; refuses more than a cart holds."""
    needed = math.ceil(adds / buyers)
    if needed > MAX_LINES_PER_CART:
        raise ValueError(f"{adds} first adds need {needed} products per buyer, more than a cart's "
                         f"{MAX_LINES_PER_CART} lines: use more --first-buyers or fewer --requests/--runs")
    return needed


def pair(turn: int, buyers: int) -> tuple[int, int]:
    """The buyer and the product of the turn-th first add: buyers take turns, each product once per buyer."""
    return turn % buyers, turn // buyers


def summarize(outcomes: list[tuple[int, float]], rates: list[float], expected: int) -> dict:
    """Percentiles over every request of a kind; requests per second is the median of the runs."""
    latencies = sorted(seconds * 1000 for _status, seconds in outcomes)
    if len(latencies) >= 2:
        cuts = statistics.quantiles(latencies, n=100, method="inclusive")
        p50, p95 = cuts[49], cuts[94]
    else:
        p50 = p95 = latencies[0] if latencies else float("nan")
    return {"requests": len(outcomes), "errors": sum(1 for status, _s in outcomes if status != expected),
            "rps": statistics.median(rates) if rates else float("nan"), "p50": p50, "p95": p95,
            "rates": list(rates)}


def paired_ratio(ours: list[float], theirs: list[float]) -> float | None:
    """The median over runs of SME Market's req/s over oscar's in the same run: each pair was measured
    within a minute, so a burst of load from other programs spoils one pair, not the whole figure."""
    pairs = [ours_rate / theirs_rate for ours_rate, theirs_rate in zip(ours, theirs) if theirs_rate]
    return statistics.median(pairs) if pairs else None


def ratio(ours: float | None, theirs: float | None) -> float | None:
    if ours is None or theirs is None or theirs == 0 or math.isnan(ours) or math.isnan(theirs):
        return None
    return ours / theirs


def fmt(value: float | int | None, digits: int = 1) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    return f"{value:.{digits}f}" if isinstance(value, float) else str(value)


def cpu_text(row: dict) -> str:
    """The CPU with the database's; ">=" when a backend closed during a batch (its part is missing)."""
    return (">=" if row.get("cpu_lower_bound") else "") + fmt(row.get("cpu_ms"))


def table(results: dict[str, dict[str, dict]], queries: dict[str, dict[str, int | None]], kinds: list[str]) -> str:
    """One row per kind: each app's figures, then SME Market's throughput over oscar's and oscar's
    CPU per request over SME Market's."""
    header = ["kind", "SME req/s", "oscar req/s", "x req/s", "SME p50", "oscar p50", "SME p95", "oscar p95",
              "SME app ms", "oscar app ms", "x app", "SME cpu ms", "oscar cpu ms", "SME q", "oscar q", "errors"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for kind in kinds:
        sme, oscar = results["sme"].get(kind), results["oscar"].get(kind)
        if not sme or not oscar:
            continue
        cells = [kind, fmt(sme["rps"]), fmt(oscar["rps"]), fmt(ratio(sme["rps"], oscar["rps"]), 2),
                 fmt(sme["p50"]), fmt(oscar["p50"]), fmt(sme["p95"]), fmt(oscar["p95"]),
                 fmt(sme.get("app_ms")), fmt(oscar.get("app_ms")), fmt(ratio(oscar.get("app_ms"), sme.get("app_ms")), 2),
                 cpu_text(sme), cpu_text(oscar),
                 fmt(queries.get("sme", {}).get(kind)), fmt(queries.get("oscar", {}).get(kind)),
                 f"{sme['errors']}/{oscar['errors']}"]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


# --- the two apps -------------------------------------------------------------------------------

@dataclass
class App:
    """How to start one app and what to send it for each kind."""

    name: str
    command: list[str]
    cwd: Path
    env: dict[str, str]
    wsgi: str
    database: str
    health: str
    requests: dict[str, Callable[[], Request]] = field(default_factory=dict)


def get(path: str) -> Request:
    return "GET", path, b"", {}


def form_post(path: str, fields: str, session: str) -> Request:
    return "POST", path, f"{fields}&csrfmiddlewaretoken={CSRF_SECRET}".encode(), {
        "Content-Type": "application/x-www-form-urlencoded",
        "Cookie": f"sessionid={session}; csrftoken={CSRF_SECRET}"}


class Turns:
    """A thread-safe counter."""

    def __init__(self) -> None:
        self.value = -1
        self.lock = threading.Lock()

    def next(self) -> int:
        with self.lock:
            self.value += 1
            return self.value


def catalogue_listings():
    """bench/catalogue.py's listings, without the add-to-cart ones that bench/cart.py's World and this
    script make on every run (their sellers' registration numbers start BENCH-CART-)."""
    from catalogue import bench_listings

    return bench_listings().exclude(seller__registration_number__startswith="BENCH-CART-")


def detail_sample(seed: int, size: int = 500) -> list[tuple[int, str]]:
    """pk and title of random bench listings; oscar's products have the same pks and titles."""
    rows = list(catalogue_listings().order_by("pk").values_list("pk", "title"))
    return random.Random(seed).sample(rows, min(size, len(rows)))


def detail_path_maker(sample: list[tuple[int, str]], seed: int, template: Callable[[int, str], str]):
    """The same sequence of products on both apps, run after run."""
    rng = random.Random(seed)
    order = [rng.randrange(len(sample)) for _ in range(20000)]
    turns = Turns()
    return lambda: get(template(*sample[order[turns.next() % len(order)]]))


def sme_app(args: argparse.Namespace, sample, first_products: int) -> App:
    from cart import World

    from accounts.models import Membership
    from marketplace.models import Listing, ListingStatus
    from marketplace.services import listing_create

    world = World(args.buyers)
    first_world = World(args.first_buyers)  # first adds grow these carts, never the second adds' ones
    seller = first_world.listing.seller
    seller_user = Membership.objects.filter(company=seller).select_related("user").first().user
    first = []
    for number in range(first_products):
        listing = listing_create(seller=seller, actor=seller_user, data={
            "title": f"{first_world.listing.title} first add {number}", "category": first_world.listing.category_id,
            "origin_country": "TR", "hs_code": "630260", "weight_kg": "0.5", "moq": 10, "order_multiple": 1,
            "stock": 2_000_000_000, "incoterms": ["FOB", "DAP"],
            "price_tiers": [{"min_quantity": 10, "unit_price": "100.00"}]})
        first.append(listing.pk)
    Listing.objects.filter(pk__in=first).update(status=ListingStatus.PUBLISHED)
    sessions = [buyer["session"] for buyer in world.buyers]
    first_sessions = [buyer["session"] for buyer in first_world.buyers]
    first_turns, second_turns = Turns(), Turns()

    def cart_first() -> Request:
        buyer, product = pair(first_turns.next(), len(first_sessions))
        return form_post("/cart/add/", f"listing_id={first[product]}&quantity=10&incoterm=", first_sessions[buyer])

    def cart_second() -> Request:
        buyer = sessions[second_turns.next() % len(sessions)]
        return form_post("/cart/add/", f"listing_id={world.listing.pk}&quantity=1&incoterm=", buyer)

    from django.conf import settings

    name = settings.DATABASES["default"]["NAME"]
    app = App(
        name="sme", command=[str(ROOT / ".venv" / "bin" / "gunicorn")], cwd=ROOT,
        env={"DJANGO_SETTINGS_MODULE": os.environ["DJANGO_SETTINGS_MODULE"], "DJANGO_DEBUG": "0",
             "DB_CONN_MAX_AGE": str(args.conn_max_age), "LOG_LEVEL": "WARNING"},
        wsgi="config.wsgi", database=name, health="/listings/")
    app.requests = {
        "browse": lambda: get("/listings/"),
        "category": lambda: get("/categories/textiles/"),
        "search": lambda: get(f"/listings/?q={args.word}"),
        "detail": detail_path_maker(sample, args.seed, lambda pk, _title: f"/listings/{pk}/"),
        "cart_first": cart_first,
        "cart_second": cart_second,
    }
    return app


def oscar_env(args: argparse.Namespace) -> dict[str, str]:
    return {"DJANGO_SETTINGS_MODULE": "benchshop.settings", "OSCAR_DATABASE_URL": args.oscar_database_url,
            "OSCAR_SEARCH_ENGINE": args.oscar_search, "OSCAR_CONN_MAX_AGE": str(args.conn_max_age)}


def oscar_app(args: argparse.Namespace, sample, first_products: int) -> App:
    from django.utils.text import slugify

    python = Path(args.oscar_venv) / "bin" / "python"
    if not python.exists():
        sys.exit(f"No oscar venv at {args.oscar_venv}: run bench/oscar/setup.sh (see bench/oscar/README.md).")
    def buyers(count: int, first: int) -> dict:
        made = subprocess.run(
            [str(python), "manage.py", "bench_buyers", "--buyers", str(count), "--first", str(first)],
            cwd=OSCAR_DIR, env={**os.environ, **oscar_env(args)}, capture_output=True, text=True, timeout=600)
        if made.returncode:
            sys.exit(f"oscar's bench_buyers failed:\n{made.stderr[-3000:]}")
        return json.loads(made.stdout.strip().splitlines()[-1])

    world = buyers(args.buyers, 0)
    first_world = buyers(args.first_buyers, first_products)  # as on SME Market's side: carts apart
    sessions, product = world["sessions"], world["product"]
    first_sessions, first = first_world["sessions"], first_world["first"]
    first_turns, second_turns = Turns(), Turns()

    def cart_first() -> Request:
        buyer, number = pair(first_turns.next(), len(first_sessions))
        return form_post(f"/basket/add/{first[number]}/", "quantity=10", first_sessions[buyer])

    def cart_second() -> Request:
        return form_post(f"/basket/add/{product}/", "quantity=1", sessions[second_turns.next() % len(sessions)])

    app = App(name="oscar", command=[str(Path(args.oscar_venv) / "bin" / "gunicorn")], cwd=OSCAR_DIR,
              env=oscar_env(args), wsgi="benchshop.wsgi", database=args.oscar_database_url.rsplit("/", 1)[1],
              health="/catalogue/")
    app.requests = {
        "browse": lambda: get("/catalogue/"),
        "category": lambda: get(world["category_url"]),
        "search": lambda: get(f"/search/?q={args.word}"),
        # Oscar's own slug of the title (django.utils.text.slugify, as the loader wrote it).
        "detail": detail_path_maker(sample, args.seed, lambda pk, title: f"/catalogue/{slugify(title)[:255]}_{pk}/"),
        "cart_first": cart_first,
        "cart_second": cart_second,
    }
    return app


# --- servers and requests ------------------------------------------------------------------------

def send(port: int, request: Request) -> tuple[int, float, dict]:
    method, path, body, headers = request
    started = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request(method, path, body=body or None, headers={"Host": "127.0.0.1", **headers})
        response = connection.getresponse()
        response.read()
        return response.status, time.perf_counter() - started, dict(response.getheaders())
    finally:
        connection.close()


def start(app: App, args: argparse.Namespace, *, count_queries: bool = False) -> tuple[subprocess.Popen, int]:
    from catalogue import free_port

    port = free_port()
    log = tempfile.NamedTemporaryFile(prefix=f"bench-versus-{app.name}-", suffix=".log", delete=False)
    env = {**os.environ, **app.env}
    target = f"{app.wsgi}:application"
    command = [*app.command, "-w", str(args.workers), "-b", f"127.0.0.1:{port}", "--error-logfile", log.name,
               "--log-level", "warning"]
    if count_queries:
        env["COUNTED_WSGI"] = app.wsgi
        target = "count_queries_wsgi:application"
        command += ["--pythonpath", str(OSCAR_DIR)]
    server = subprocess.Popen([*command, target], cwd=app.cwd, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"{app.name}: gunicorn exited with {server.returncode}; see {log.name}")
        try:
            status, _seconds, _headers = send(port, get(app.health))
            if status < 500:
                return server, port
        except OSError:
            pass
        time.sleep(0.3)
    stop(server)
    sys.exit(f"{app.name}: gunicorn did not answer within 90 s; see {log.name}")


def stop(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait(timeout=10)


def server_pids(server: subprocess.Popen, database: str) -> list[int]:
    """The gunicorn workers and the PostgreSQL backends of the app's database."""
    from catalogue import worker_pids
    from django.db import connection

    workers = worker_pids(server)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s AND backend_type = 'client backend' "
                       "AND pid <> pg_backend_pid()", [database])
        return workers + [row[0] for row in cursor.fetchall()]


def count_queries(app: App, args: argparse.Namespace) -> dict[str, int | None]:
    server, port = start(app, args, count_queries=True)
    counts: dict[str, int | None] = {}
    try:
        for kind in args.kinds:
            send(port, app.requests[kind]())  # the first request of a kind fills what later ones reuse
            status, _seconds, headers = send(port, app.requests[kind]())
            value = headers.get("X-Queries")
            counts[kind] = int(value) if value is not None and status == EXPECTED_STATUS[kind] else None
    finally:
        stop(server)
    return counts


def cpu_between(before: dict[int, float], after: dict[int, float], workers: set[int]) -> tuple[float, float, bool]:
    """CPU seconds of the gunicorn workers, and of the workers with their PostgreSQL backends, between
    two readings. A backend that closed in between (CONN_MAX_AGE=60 replaces a connection older than
    a minute) takes its CPU since the first reading with it: the total is then a lower bound, flagged."""
    app = sum(after[pid] - before.get(pid, 0.0) for pid in after if pid in workers)
    total = sum(after[pid] - before.get(pid, 0.0) for pid in after)
    return app, total, bool(set(before) - set(after))


def measure(app: App, args: argparse.Namespace, deadline: float, outcomes, rates, cpu) -> None:
    """One run of one app: start it, warm every kind up, time every kind, stop it."""
    from catalogue import process_cpu_seconds, worker_pids

    server, port = start(app, args)
    try:
        workers = set(worker_pids(server))
        with ThreadPoolExecutor(max_workers=args.concurrency) as pool:
            for kind in args.kinds:
                list(pool.map(lambda _n, k=kind: send(port, app.requests[k]()), range(args.warmup)))
            for kind in args.kinds:
                if time.monotonic() > deadline:
                    print(f"  {app.name}: --max-seconds reached, {kind} and later kinds skipped", flush=True)
                    return

                def one(_n, k=kind):
                    if time.monotonic() > deadline:
                        return None
                    status, seconds, _headers = send(port, app.requests[k]())
                    return status, seconds

                before = process_cpu_seconds(server_pids(server, app.database))
                started = time.perf_counter()
                batch = [outcome for outcome in pool.map(one, range(args.requests)) if outcome is not None]
                elapsed = time.perf_counter() - started
                after = process_cpu_seconds(server_pids(server, app.database))
                if not batch:
                    continue
                rates[kind].append(len(batch) / elapsed)
                outcomes[kind].extend(batch)
                spent_app, spent_total, lost = cpu_between(before, after, workers)
                app_s, total_s, count, lost_before = cpu[kind]
                cpu[kind] = (app_s + spent_app, total_s + spent_total, count + len(batch), lost_before or lost)
    finally:
        stop(server)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    import django

    django.setup()
    from catalogue import machine
    from django.db import connection

    if connection.vendor != "postgresql":
        sys.exit("This benchmark runs on PostgreSQL: set DATABASE_URL=postgres://... (see bench/README.md).")
    listings = catalogue_listings().count()
    if not listings:
        sys.exit("No bench listings: load them with bench/catalogue.py --listings 10000 --load-only.")
    first_products = products_for_first_adds(first_adds_needed(args), args.first_buyers)
    sample = detail_sample(args.seed)
    apps = {"sme": sme_app(args, sample, first_products), "oscar": oscar_app(args, sample, first_products)}
    queries: dict[str, dict[str, int | None]] = {}
    if not args.no_queries:
        for name, app in apps.items():
            queries[name] = count_queries(app, args)
    outcomes = {name: {kind: [] for kind in args.kinds} for name in APPS}
    rates = {name: {kind: [] for kind in args.kinds} for name in APPS}
    cpu = {name: {kind: (0.0, 0.0, 0, False) for kind in args.kinds} for name in APPS}
    load_before = os.getloadavg()
    started = time.monotonic()
    deadline = started + args.max_seconds
    for run in range(args.runs):
        for name in APPS:
            measure(apps[name], args, deadline, outcomes[name], rates[name], cpu[name])
            print(f"  run {run + 1}/{args.runs} {name} done, {time.monotonic() - started:.0f} s, "
                  f"load average {os.getloadavg()[0]:.1f}", flush=True)
    results = {}
    for name in APPS:
        results[name] = {}
        for kind in args.kinds:
            if not outcomes[name][kind]:
                continue
            row = summarize(outcomes[name][kind], rates[name][kind], EXPECTED_STATUS[kind])
            app_s, total_s, count, lost = cpu[name][kind]
            row["app_ms"] = app_s * 1000 / count
            row["cpu_ms"] = total_s * 1000 / count
            row["cpu_lower_bound"] = lost
            results[name][kind] = row

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg_version = cursor.fetchone()[0]
    load_after = os.getloadavg()
    print()
    print(f"date:      {datetime.now(dt_timezone.utc):%Y-%m-%d %H:%M} UTC, load average "
          f"{', '.join(f'{x:.2f}' for x in load_before)} before, {', '.join(f'{x:.2f}' for x in load_after)} after")
    print(f"machine:   {machine()}; PostgreSQL {pg_version}")
    print(f"data:      {listings} bench listings in SME Market, the same as products in oscar; search word "
          f"{args.word!r}; oscar's search backend: haystack {args.oscar_search}")
    print(f"mode:      gunicorn {args.workers} sync workers per app, one app at a time, {args.concurrency} client "
          f"threads, CONN_MAX_AGE={args.conn_max_age}; {args.runs} runs (SME then oscar) x {args.requests} requests "
          f"of each kind after {args.warmup} warm-up; signed-in customers taking turns: {args.buyers} at second "
          f"adds (one line each), {args.first_buyers} others at first adds ({first_products} products each)")
    print()
    print(table(results, queries, args.kinds))
    print()
    print("req/s per run: " + "; ".join(
        f"{kind} SME {'/'.join(fmt(r) for r in results['sme'][kind]['rates'])} "
        f"oscar {'/'.join(fmt(r) for r in results['oscar'][kind]['rates'])} "
        f"(x per run, median {fmt(paired_ratio(results['sme'][kind]['rates'], results['oscar'][kind]['rates']), 2)})"
        for kind in args.kinds if kind in results["sme"] and kind in results["oscar"]))
    print("x req/s: SME Market's requests per second over oscar's; app ms: CPU of the gunicorn workers per "
          "request; x app: oscar's over SME Market's; cpu ms: with their PostgreSQL backends (>=: a backend "
          "closed during a batch, CONN_MAX_AGE=60, and its part is missing); q: SQL queries of one request; "
          "errors: responses other than 200 (pages) or 302 (add to cart), SME/oscar.")


if __name__ == "__main__":
    main()
