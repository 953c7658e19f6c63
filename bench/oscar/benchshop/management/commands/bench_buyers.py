"""Makes what bench/versus_oscar.py needs to add to the basket as signed-in customers, tagged so that
runs never meet: one product with a huge stock that every customer already has 10 of in the basket
(for the second add to a line), --first more products that no basket holds yet (for first adds),
and --buyers customers, each with a signed-in session and an open basket. Prints JSON: the
products' pks and the session keys."""
import json
import uuid
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from django.test import Client
from django.utils.text import slugify

from benchshop.shop import Basket, Category, Product, ProductCategory, Selector, StockRecord, bench_class_and_partner

STOCK = 2_000_000_000


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("--buyers", type=int, default=16)
        parser.add_argument("--first", type=int, default=0, help="products for first adds")

    def handle(self, *args, **options):
        # These products need not be found by search: no index update for them (with Whoosh each
        # would take a write lock on the index).
        from django.apps import apps

        apps.get_app_config("haystack").signal_processor.teardown()
        tag = uuid.uuid4().hex[:8]
        product_class, partner = bench_class_and_partner()
        category = Category.objects.get(slug="home-textiles")

        def product(title: str):
            made = Product.objects.create(structure=Product.STANDALONE, title=title, slug=slugify(title),
                                          product_class=product_class, description="Benchmark data.")
            ProductCategory.objects.create(product=made, category=category)
            StockRecord.objects.create(product=made, partner=partner, partner_sku=f"BENCH-{tag}-{made.pk}",
                                       price_currency="EUR", price=Decimal("100.00"), num_in_stock=STOCK)
            return made

        with transaction.atomic():
            towel = product(f"Bench towel {tag}")
            first = [product(f"Bench first add {tag} {number}").pk for number in range(options["first"])]
            sessions = []
            for number in range(options["buyers"]):
                user = get_user_model().objects.create_user(
                    username=f"bench-{tag}-{number}", email=f"bench-{tag}-{number}@example.com", password=None)
                basket = Basket.objects.create(owner=user)
                basket.strategy = Selector().strategy(user=user)
                basket.add_product(towel, 10)
                client = Client()
                client.force_login(user, backend="oscar.apps.customer.auth_backends.EmailBackend")
                sessions.append(client.cookies["sessionid"].value)
        textiles = Category.objects.get(slug="textiles", depth=1)
        self.stdout.write(json.dumps({"tag": tag, "product": towel.pk, "first": first, "sessions": sessions,
                                      "category_url": textiles.get_absolute_url()}))
