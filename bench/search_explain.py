#!/usr/bin/env python
"""EXPLAIN (ANALYZE, BUFFERS) of the search page's query for a few queries, as markdown.

For each query: the first page of listing_search (the search page's 24 results), how many SQL
queries reading it takes, its execution time, the "did you mean" and the plan, so that it can be
seen that the text search reads the stored vectors' GIN index (listing_search_vector_gin) for a
rare word and walks the newest listings for a common one, ranking at most 1,001 candidates. Needs
PostgreSQL with listings, e.g. loaded by bench/million_load.py:

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

    from marketplace import search
    from marketplace.selectors import SearchParams, listing_search

    if connection.vendor != "postgresql":
        sys.exit("PostgreSQL only: DATABASE_URL must point at a PostgreSQL database")
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM marketplace_listing")
        print(f"{cursor.fetchone()[0]:,} listings\n")
    for text in args.queries:
        page = listing_search(params=SearchParams(q=text))[:PAGE_SIZE]
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            rows = list(page)
            wall_ms = (time.perf_counter() - started) * 1000
        sql, params = page.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
            plan = [row[0] for row in cursor.fetchall()]
        started = time.perf_counter()
        suggestion = search.did_you_mean(text)
        suggestion_ms = (time.perf_counter() - started) * 1000
        execution = next((line for line in plan if line.startswith("Execution Time")), "")
        print(f"### `{text}`: {len(rows)} on the first page, {len(captured.captured_queries)} queries, "
              f"{wall_ms:.1f} ms in all; {execution}; did_you_mean {suggestion!r} ({suggestion_ms:.1f} ms)\n")
        for listing in rows[:args.titles]:
            print(f"- {listing.title}")
        print("\n```")
        print("\n".join(plan))
        print("```\n")


if __name__ == "__main__":
    main()
