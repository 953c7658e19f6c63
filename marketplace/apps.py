from django.apps import AppConfig


class MarketplaceConfig(AppConfig):
    name = "marketplace"

    def ready(self) -> None:
        from accounts import hooks

        from . import events  # noqa: F401 - registers the listing notification events
        from . import services

        # A seller's legal name is part of its listings' search documents.
        hooks.on_company_renamed(services.seller_search_reindex_queue)
