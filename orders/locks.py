"""Row locks taken in primary-key order, so two transactions that lock overlapping sets of rows
always queue behind each other instead of deadlocking. Call inside transaction.atomic()."""
from __future__ import annotations

from collections.abc import Iterable

from django.db.models import F

from marketplace.models import Listing

from .models import Cart, Order


def lock_listings(ids: Iterable[int]) -> dict[int, Listing]:
    """Locks the listings with these ids, lowest id first, and returns them by id (missing ids are
    left out). The seller is fetched with the listing but not locked."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    rows = Listing.objects.select_for_update(of=("self",)).select_related("seller").filter(pk__in=wanted)
    return {listing.pk: listing for listing in rows.order_by("pk")}


def lock_order(order_id: int) -> Order:
    """Locks one order row. Raises Order.DoesNotExist."""
    return Order.objects.select_for_update(of=("self",)).select_related("buyer", "seller").get(pk=order_id)


def lock_cart(cart_id: int) -> Cart:
    return Cart.objects.select_for_update().get(pk=cart_id)


def stock_take(listing_id: int, quantity: int) -> bool:
    """Takes `quantity` from the listing's stock unless less is left: one conditional UPDATE."""
    return bool(Listing.objects.filter(pk=listing_id, stock__gte=quantity).update(stock=F("stock") - quantity))


def stock_give_back(quantities: dict[int, int]) -> None:
    """Gives quantities back to listings, locking them in primary-key order first."""
    locked = lock_listings(quantities)
    for listing_id in sorted(locked):
        Listing.objects.filter(pk=listing_id).update(stock=F("stock") + quantities[listing_id])
