from django.apps import AppConfig
from django.db.models.signals import post_migrate


def listing_prices_follow_rates() -> None:
    """After new exchange rates are stored: refresh the listing prices in EUR once, after commit."""
    from core.queue import enqueue_on_commit

    from . import tasks

    enqueue_on_commit(tasks.listing_price_eur_refresh)


class MarketplaceConfig(AppConfig):
    name = "marketplace"

    def ready(self) -> None:
        from accounts import hooks
        from fx import hooks as fx_hooks

        from . import events  # noqa: F401 - registers the listing notification events
        from . import search_sqlite, services

        # A seller's legal name is part of its listings' search documents.
        hooks.on_company_renamed(services.seller_search_reindex_queue)
        # Listing prices in EUR follow the exchange rates.
        fx_hooks.on_rates_stored(listing_prices_follow_rates)
        # SQLite drops the search triggers of a table that a migration rebuilds: put them back.
        post_migrate.connect(search_sqlite.ensure_triggers, sender=self)
