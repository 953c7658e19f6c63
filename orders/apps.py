from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "orders"

    def ready(self) -> None:
        from . import events  # noqa: F401 - registers the order, RFQ, quote and message events
