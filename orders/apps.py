from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "orders"

    def ready(self) -> None:
        from . import events  # noqa: F401 - registers the order notification events
        from . import events_rfq  # noqa: F401 - registers the RFQ, quote and message events
