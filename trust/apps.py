from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrustConfig(AppConfig):
    name = "trust"
    verbose_name = _("Seller performance")

    def ready(self) -> None:
        from orders.hooks import listen_order_events, listen_quotes

        from .listeners import on_order_event, on_quote

        listen_order_events("trust.seller_performance", on_order_event)
        listen_quotes("trust.seller_performance", on_quote)
