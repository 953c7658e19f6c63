from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def rated_zone_countries():
    """Countries of shipping zones that have at least one rate: the destinations a seller quotes."""
    from django.db.models import Exists, OuterRef

    from .models import ShippingRate, ShippingZoneCountry

    return ShippingZoneCountry.objects.filter(Exists(ShippingRate.objects.filter(zone=OuterRef("zone"))))


class TradeConfig(AppConfig):
    name = "trade"
    verbose_name = _("Shipping, duties and landed cost")

    def ready(self) -> None:
        from marketplace import hooks

        # Where a listing ships depends on its seller's rated shipping zones.
        hooks.provide_rated_destinations(rated_zone_countries)
