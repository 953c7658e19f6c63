"""What the catalogue asks another app, without importing it.

Where a listing ships depends on its seller's shipping zones, which the trade app keeps (and trade
reads listings for its landed-cost estimates, so the catalogue must not import it back). Trade
registers, from its AppConfig.ready(), the query of the rated destinations: the rows of its sellers'
zone countries (with `seller_id` and `country`) whose zone has at least one rate. The catalogue's
selectors filter that query for the browse filter and the listing pages."""
from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import ImproperlyConfigured
from django.db.models import QuerySet

DestinationsQuery = Callable[[], QuerySet]

_rated_destinations: list[DestinationsQuery] = []


def provide_rated_destinations(query: DestinationsQuery) -> DestinationsQuery:
    """Registers `query()`, the rated destinations of every seller; a second registration replaces
    the first."""
    _rated_destinations[:] = [query]
    return query


def rated_destinations() -> QuerySet:
    if not _rated_destinations:
        raise ImproperlyConfigured("No installed app provides the sellers' rated shipping destinations (trade).")
    return _rated_destinations[0]()
