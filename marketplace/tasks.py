"""Thin tasks: each takes ids, is safe to run twice and calls one service."""
from __future__ import annotations

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded

from core.tasks import RETRY


@shared_task(**RETRY, soft_time_limit=10 * 60, time_limit=11 * 60)
def listing_import_run(import_id: int) -> str | None:
    """Reads and imports the rows of one upload (spreadsheets are parsed here, never in the request).
    Resumes where a previous run stopped; a run that reaches its time limit queues the next one,
    which carries on from the last committed row."""
    from . import services

    try:
        listing_import = services.listing_import_run(import_id=import_id)
    except SoftTimeLimitExceeded:
        listing_import_run.delay(import_id)
        return None
    return listing_import.status if listing_import is not None else None


@shared_task(**RETRY, soft_time_limit=10 * 60, time_limit=11 * 60)
def listing_price_eur_refresh() -> int:
    """Converts every listing's lowest price to EUR at the latest rates; queued after new rates are
    stored. Safe to run twice: the second run writes nothing."""
    from . import services

    return services.listing_price_eur_refresh()


@shared_task(**RETRY, soft_time_limit=10 * 60, time_limit=11 * 60)
def search_reindex_seller(company_id: int) -> int:
    """Rebuilds the search documents of a company's listings after its legal name changed. Safe to
    run twice: the second run writes nothing."""
    from . import search

    return search.search_reindex_seller(company_id)


@shared_task(**RETRY, soft_time_limit=10 * 60, time_limit=11 * 60)
def search_reindex_category(category_id: int) -> int:
    """Rebuilds the search documents of the listings in a category and its children after the
    category was renamed. Safe to run twice: the second run writes nothing."""
    from . import search

    return search.search_reindex_category(category_id)
