#!/usr/bin/env python
"""Writes SME Market's bench catalogue (bench/catalogue.py's listings) to a JSON file that the oscar
bench shop loads (`manage.py load_sme_catalogue FILE`): the category tree, and per listing its pk,
title, description, category path, lowest unit price with its currency, stock and whether the public
catalogue shows it (the listings of the one unverified bench seller are not shown).

Run with SME Market's venv against the bench database:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/smemarket_bench_oscar_sme \\
        .venv/bin/python bench/oscar/export_sme.py var/oscar-catalogue.json
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("output", help="the JSON file to write")
    args = parser.parse_args()
    import django

    django.setup()
    from catalogue import bench_listings

    from marketplace.models import Category
    from marketplace.selectors import listing_public_queryset

    started = time.perf_counter()
    categories = [{"path": c.path, "name": c.name, "slug": c.slug, "position": c.position}
                  for c in Category.objects.order_by("depth", "position", "path")]
    public = set(listing_public_queryset().filter(pk__in=bench_listings()).values_list("pk", flat=True))
    rows = bench_listings().order_by("pk").values_list(
        "pk", "title", "description", "category__path", "price_from", "currency", "stock", "hs_code")
    listings = [{"pk": pk, "title": title, "description": description, "category": path,
                 "price": str(price), "currency": currency, "stock": stock, "hs_code": hs_code,
                 "public": pk in public}
                for pk, title, description, path, price, currency, stock, hs_code in rows]
    Path(args.output).parent.mkdir(parents=True, exist_ok=True)
    Path(args.output).write_text(json.dumps({"categories": categories, "listings": listings}))
    print(f"wrote {len(categories)} categories and {len(listings)} listings ({len(public)} public) to "
          f"{args.output} in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
