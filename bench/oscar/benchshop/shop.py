"""The oscar models the bench commands write, and the product class and partner of the bench data."""
from oscar.core.loading import get_class, get_model

Basket = get_model("basket", "Basket")
Category = get_model("catalogue", "Category")
Product = get_model("catalogue", "Product")
ProductCategory = get_model("catalogue", "ProductCategory")
ProductClass = get_model("catalogue", "ProductClass")
Partner = get_model("partner", "Partner")
StockRecord = get_model("partner", "StockRecord")
Selector = get_class("partner.strategy", "Selector")

PARTNER_NAME = "SME Market bench sellers"


def bench_class_and_partner():
    """The product class and the partner every bench product has, made on first use."""
    product_class, _ = ProductClass.objects.get_or_create(
        name="Bench goods", defaults={"requires_shipping": True, "track_stock": True})
    partner, _ = Partner.objects.get_or_create(name=PARTNER_NAME)
    return product_class, partner
