"""Helpers shared by the trade tests."""
from __future__ import annotations

from decimal import Decimal

from trade.models import ShippingRate, ShippingZone, ShippingZoneCountry

RESTRICTION_KP = "UN Security Council sanctions restrict trade with North Korea."
RESTRICTION_RU = "Computers (HS 8471) are under export restrictions."
RESTRICTION_IR = "Arms and ammunition are under an arms embargo."


def make_zone(seller, name: str, countries: list[str], rates: list[tuple[str, str]]) -> ShippingZone:
    zone = ShippingZone.objects.create(seller=seller, name=name)
    ShippingZoneCountry.objects.bulk_create(ShippingZoneCountry(zone=zone, seller=seller, country=c) for c in countries)
    ShippingRate.objects.bulk_create(ShippingRate(zone=zone, max_weight_kg=Decimal(w), price=Decimal(p))
                                     for w, p in rates)
    return zone


def trade_state() -> dict:
    """Every row of the seller-owned trade tables, in a comparable form."""
    return {
        "zones": list(ShippingZone.objects.order_by("pk").values_list("pk", "seller_id", "name", "updated_at")),
        "countries": list(ShippingZoneCountry.objects.order_by("pk").values_list("pk", "zone_id", "seller_id",
                                                                                  "country")),
        "rates": list(ShippingRate.objects.order_by("pk").values_list("pk", "zone_id", "max_weight_kg", "price")),
    }
