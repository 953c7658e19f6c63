#!/usr/bin/env python
"""How many bank-statement entries per second does reconciliation handle?

Each run makes a seller with 10,000 accepted orders (one placed and accepted through the services,
the others copies of it written with bulk_create, each with its own RF reference and open
instalment) and a camt.053 statement with one transfer per order: two in three carry the reference
as the structured reference, one in three in the free text, spaced and in lower case. It then runs
statements.services.statement_process in this process, as the worker's task does: parse, match,
record each payment through the orders' payment service (which moves each order to paid and
queues its notifications), one transaction per entry. Then the same statement is reconciled again:
all 10,000 entries are duplicates and nothing is recorded.

Printed per run: entries per second, SQL queries per entry, CPU time of this process and of its
PostgreSQL backend (read from /proc; PostgreSQL on the same host). The median of the runs is
printed at the end.

    createdb -h 127.0.0.1 -U postgres smemarket_bench_statements
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/smemarket_bench_statements
    export REDIS_URL=redis://127.0.0.1:6379/5
    .venv/bin/python manage.py migrate --noinput
    .venv/bin/python bench/statements.py [--entries 10000] [--runs 3]

The notifications the paid orders queue go to the Redis database of REDIS_URL (no worker runs);
the script empties that database before and after, so give it one of its own. Every run makes new,
tagged companies. The script replaces the database's exchange rates and import tables with the
fixed ones of the order tests.
"""
from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
os.environ.setdefault("DJANGO_DEBUG", "0")


def backend_cpu_seconds(pid: int) -> float:
    """utime + stime of a process, from /proc/<pid>/stat."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class QueryCounter:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def make_orders(count: int):
    from orders import services as order_services
    from tests.factories.accounts import MembershipFactory
    from tests.orders.helpers import buyer_company, make_zone, reference_tables, seller_company, towel
    from tests.statements.bulk import accepted_order_copies

    tag = uuid.uuid4().hex[:10]
    reference_tables()
    seller = seller_company(f"Bench Statements Seller {tag}", "TR", "TRY", registration_number=f"BENCH-S-{tag}")
    seller_user = MembershipFactory(company=seller, user__email=f"bench-seller-{tag}@example.com").user
    make_zone(seller, "Europe", ["DE"], [("500", "300.00")])
    listing = towel(seller)
    buyer = buyer_company(f"Bench Statements Buyer {tag}", registration_number=f"BENCH-B-{tag}")
    buyer_user = MembershipFactory(company=buyer, user__email=f"bench-buyer-{tag}@example.com").user
    order_services.cart_line_add(actor=buyer_user, buyer=buyer, listing_id=listing.pk, quantity=20)
    order = order_services.checkout_place(actor=buyer_user, buyer=buyer,
                                          idempotency_key=f"bench-{tag}").group.orders.get()
    order_services.order_accept(order_id=order.pk, actor=seller_user)
    return seller, seller_user, [order, *accepted_order_copies(order, count - 1)]


def statement_content(orders) -> bytes:
    from payments.references import rf_format
    from tests.statements.builders import CamtEntry, camt053

    rows = []
    for index, order in enumerate(orders):
        common = {"amount": f"{order.invoice_total:.2f}", "currency": order.currency,
                  "acct_svcr_ref": f"BENCH-{order.pk}", "debtor": "Bench Buyer GmbH"}
        if index % 3:
            rows.append(CamtEntry(reference=order.payment_reference, **common))
        else:
            rows.append(CamtEntry(unstructured=[f"order {rf_format(order.payment_reference).lower()}"], **common))
    return camt053(rows, version="001.08", statement_id=f"BENCH-{orders[0].pk}")


def reconcile(seller, user, content: bytes) -> dict:
    from django.core.files.base import ContentFile
    from django.db import connection

    from statements import services
    from statements.models import BankStatement, StatementStatus

    statement = BankStatement(company=seller, uploaded_by=user, original_name="bench.xml", format="camt053")
    statement.file.save("bench.xml", ContentFile(content), save=False)
    statement.save()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    counter = QueryCounter()
    backend_before, cpu_before, started = backend_cpu_seconds(backend), time.process_time(), time.perf_counter()
    with connection.execute_wrapper(counter):
        done = services.statement_process(statement_id=statement.pk)
    elapsed = time.perf_counter() - started
    cpu, backend_cpu = time.process_time() - cpu_before, backend_cpu_seconds(backend) - backend_before
    assert done.status == StatementStatus.DONE, done.error
    entries = done.total_entries
    return {"entries": entries, "seconds": elapsed, "per_second": entries / elapsed,
            "queries_per_entry": counter.count / entries, "cpu_ms_per_entry": 1000 * cpu / entries,
            "db_cpu_ms_per_entry": 1000 * backend_cpu / entries, "matched": done.matched_count,
            "duplicates": done.duplicate_count}


def flush_broker() -> None:
    import redis
    from django.conf import settings

    url = settings.CELERY_BROKER_URL
    if url.startswith(("redis://", "rediss://")):
        client = redis.Redis.from_url(url)
        client.flushdb()
        client.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entries", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection

    if connection.vendor != "postgresql":
        sys.exit("Run the benchmark on PostgreSQL (DATABASE_URL=postgres://...).")
    if not str(settings.CELERY_BROKER_URL).startswith("redis"):
        sys.exit("Set REDIS_URL to a Redis database of the benchmark's own.")
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg_version = cursor.fetchone()[0]
    print(f"machine: {os.cpu_count()} cores, {platform.platform()}, Python {platform.python_version()}, "
          f"PostgreSQL {pg_version}")
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    flush_broker()
    first, again = [], []
    try:
        for run in range(1, args.runs + 1):
            started = time.perf_counter()
            seller, user, orders = make_orders(args.entries)
            content = statement_content(orders)
            print(f"run {run}: {len(orders)} accepted orders and a camt.053 of {len(content) / 1e6:.1f} MB made in "
                  f"{time.perf_counter() - started:.1f}s")
            result = reconcile(seller, user, content)
            first.append(result)
            print(f"  reconcile: {result['entries']} entries in {result['seconds']:.1f}s = "
                  f"{result['per_second']:.0f} entries/s, {result['queries_per_entry']:.1f} queries/entry, "
                  f"CPU {result['cpu_ms_per_entry']:.2f} ms/entry (python) + {result['db_cpu_ms_per_entry']:.2f} "
                  f"ms/entry (PostgreSQL); matched {result['matched']}")
            repeat = reconcile(seller, user, content)
            again.append(repeat)
            print(f"  same file again: {repeat['per_second']:.0f} entries/s, {repeat['queries_per_entry']:.1f} "
                  f"queries/entry, CPU {repeat['cpu_ms_per_entry']:.2f} + {repeat['db_cpu_ms_per_entry']:.2f} "
                  f"ms/entry; duplicates {repeat['duplicates']}")
            flush_broker()
    finally:
        flush_broker()
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    for name, results in (("reconcile", first), ("re-import", again)):
        print(f"median {name}: {statistics.median(r['per_second'] for r in results):.0f} entries/s, "
              f"{statistics.median(r['queries_per_entry'] for r in results):.1f} queries/entry, "
              f"CPU {statistics.median(r['cpu_ms_per_entry'] for r in results):.2f} ms/entry (python) + "
              f"{statistics.median(r['db_cpu_ms_per_entry'] for r in results):.2f} ms/entry (PostgreSQL)")


if __name__ == "__main__":
    main()
