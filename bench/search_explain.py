#!/usr/bin/env python
"""EXPLAIN (ANALYZE, BUFFERS) of the search page's query for a few queries, as markdown.

For each query: the first page of listing_search (the search page's 24 results, after the count
the page takes), how many SQL queries reading them takes, the execution time of each, the "did
you mean" and the plan of the slowest query (the read of the candidates, for a search sorted by
relevance), so that it can be seen that the text search reads the stored vectors' GIN index
(listing_search_vector_gin) for a rare word and walks the newest listings for a common one,
ranking at most 1,001 candidates read once. Needs PostgreSQL with listings, e.g. loaded by
bench/million_load.py:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sme_bench_million \\
        .venv/bin/python bench/search_explain.py towels "cotton towels" kumaşlar 浴巾 6302.60 towl
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
os.environ.setdefault("DJANGO_DEBUG", "0")

DEFAULT_QUERIES = ["cotton", "towels", "cotton towels", "cotton -towel", "kumaşlar", "浴巾", "630260", "6302",
                   "towl", "cottn"]
PAGE_SIZE = 24  # frontend.catalogue.views.LISTINGS_PAGE_SIZE


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("queries", nargs="*", default=DEFAULT_QUERIES, help="search texts")
    parser.add_argument("--titles", type=int, default=3, help="titles of the first page to print (default 3)")
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from core.pagination import COUNT_CAP, CappedPaginator
    from marketplace import search
    from marketplace.selectors import SearchParams, listing_search

    if connection.vendor != "postgresql":
        sys.exit("PostgreSQL only: DATABASE_URL must point at a PostgreSQL database")
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM marketplace_listing")
        print(f"{cursor.fetchone()[0]:,} listings\n")
    for text in args.queries:
        listings = listing_search(params=SearchParams(q=text))
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            paginator = CappedPaginator(listings, PAGE_SIZE)  # as the search page counts and reads
            found = paginator.count + paginator.count_capped
            rows = list(paginator.page(1).object_list)
            wall_ms = (time.perf_counter() - started) * 1000
        timed = []
        for query in captured.captured_queries:
            with connection.cursor() as cursor:
                cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {query['sql']}")
                plan = [row[0] for row in cursor.fetchall()]
            execution = next((line for line in plan if line.startswith("Execution Time")), "Execution Time: 0 ms")
            timed.append((float(execution.split(":")[1].split()[0]), plan))
        started = time.perf_counter()
        suggestion = search.did_you_mean(text)
        suggestion_ms = (time.perf_counter() - started) * 1000
        times = ", ".join(f"{took:.2f}" for took, _plan in timed)
        print(f"### `{text}`: {min(found, COUNT_CAP)}{'+' if found > COUNT_CAP else ''} found, {len(rows)} on the "
              f"first page, {len(captured.captured_queries)} queries, {wall_ms:.1f} ms in all (execution times, ms: "
              f"{times}); did_you_mean {suggestion!r} ({suggestion_ms:.1f} ms)\n")
        for listing in rows[:args.titles]:
            print(f"- {listing.title}")
        print("\n```")
        print("\n".join(max(timed, key=lambda item: item[0])[1]) if timed else "")
        print("```\n")

if __name__ == "__main__":
    main()
