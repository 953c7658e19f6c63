"""Loads the catalogue that bench/oscar/export_sme.py wrote from SME Market's bench database: the same
category tree (same slugs and paths), and one standalone product per listing with the same pk,
title, description and category, and a stock record of one partner with the listing's lowest unit
price, currency and stock. Bulk inserts; about ten seconds for 10,000 products."""
import json
import time
from decimal import Decimal

from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.utils.text import slugify

from benchshop.shop import Category, Product, ProductCategory, StockRecord, bench_class_and_partner

BATCH = 2000


def product_slug(title: str) -> str:
    """The slug of a product's URL (bench/versus_oscar.py builds the same URL from the title)."""
    return slugify(title)[:255] or "product"


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("file", help="the JSON file export_sme.py wrote")
        parser.add_argument("--reset", action="store_true", help="empty the catalogue first")

    def handle(self, *args, **options):
        data = json.loads(open(options["file"]).read())
        if options["reset"]:
            with connection.cursor() as cursor:
                cursor.execute("TRUNCATE catalogue_product, catalogue_category, partner_partner, "
                               "catalogue_productclass RESTART IDENTITY CASCADE")
        if Product.objects.exists():
            self.stdout.write(f"catalogue: reusing {Product.objects.count()} products (--reset to load again)")
            return
        started = time.perf_counter()
        categories = self.load_categories(data["categories"])
        product_class, partner = bench_class_and_partner()
        listings = data["listings"]
        for start in range(0, len(listings), BATCH):
            rows = listings[start:start + BATCH]
            with transaction.atomic():
                Product.objects.bulk_create([
                    Product(pk=row["pk"], structure=Product.STANDALONE, title=row["title"],
                            slug=product_slug(row["title"]), description=row["description"],
                            product_class=product_class, is_public=row["public"])
                    for row in rows])
                ProductCategory.objects.bulk_create([
                    ProductCategory(product_id=row["pk"], category=categories[row["category"]]) for row in rows])
                StockRecord.objects.bulk_create([
                    StockRecord(product_id=row["pk"], partner=partner, partner_sku=f"SME-{row['pk']}",
                                price_currency=row["currency"], price=Decimal(row["price"]),
                                num_in_stock=row["stock"])
                    for row in rows])
            self.stdout.write(f"  {start + len(rows)} products")
        with connection.cursor() as cursor:
            # The products kept the listings' pks: the next product made by the shop must not collide.
            cursor.execute("SELECT setval(pg_get_serial_sequence('catalogue_product', 'id'), "
                           "(SELECT max(id) FROM catalogue_product))")
            for table in ("catalogue_product", "catalogue_productcategory", "catalogue_category",
                          "partner_stockrecord"):
                cursor.execute(f"VACUUM ANALYZE {table}")
        self.stdout.write(f"catalogue: {len(categories)} categories, {len(listings)} products with stock records "
                          f"in {time.perf_counter() - started:.1f} s")

    def load_categories(self, rows) -> dict:
        made = {}
        for row in rows:  # parents first (export_sme.py orders by depth)
            parent_path, _, _slug = row["path"].rpartition("/")
            fields = {"name": row["name"], "slug": row["slug"]}
            made[row["path"]] = (made[parent_path].add_child(**fields) if parent_path
                                 else Category.add_root(**fields))
        return made
