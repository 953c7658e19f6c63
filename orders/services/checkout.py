"""Checkout: the buyer's whole cart becomes one purchase group with one order per seller, or nothing.

Rules:
- The buyer company must be verified (403 buyer_not_verified); a suspended or rejected one cannot
  order at all.
- Every request carries an idempotency key, unique per buyer. The same key with the same request
  returns the group placed the first time (same ids); the same key with a different request, or
  after the cart was filled again, is a 409 idempotency_key_reused (the fingerprint covers the
  request and the cart's lines, quantities, listing versions and Incoterms: orders/pricing.py).
  Parallel requests with one key are decided by the unique constraint on (buyer, idempotency_key):
  the first insert wins, the others wait for it and then read its group.
  A request that fails stores nothing, so its key can be used again.
- The lines are checked and priced, and the landed cost of each seller's order estimated, from the
  listings as read. Then the listings are locked in primary-key order; a listing whose terms the
  buyer agreed to changed since it was read (price tiers, MOQ, order multiple, Incoterms, currency,
  shipping terms, status) is a 409 listing_changed (a retry reads it again); a change of its stock
  alone, as a seller's stock sync makes, is not. Then the stock is checked and taken with one
  conditional UPDATE per listing. A shortfall anywhere is a 409
  insufficient_stock naming the listings, and nothing is written.
- The Incoterm of an order is the one given for its seller, else the one chosen on its cart lines
  (they must agree), else the first rule in Incoterms order (EXW, FCA, CPT, ...) that every line
  offers. Every listing of the order must offer it (400 on the field incoterm).
- The payment terms of an order are the ones given for its seller, among those the seller offers
  this buyer (400 payment_terms_not_offered), else the first it offers (100% in advance when it
  offers nothing else).
- Amounts are in the seller's default currency, which every listing of the order must be priced in;
  the rate to the buyer's currency is taken once, here, and stored on the order.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Company, User, VerificationStatus
from core.exceptions import Conflict, Forbidden
from core.inputs import field_error
from marketplace.models import Listing

from ..locks import lock_listings, stock_take
from ..models import Cart, CartLine, Order, OrderLine, PurchaseGroup
from ..pricing import (
    CheckoutRequest,
    cart_contents,
    cart_price,
    checkout_fingerprint,
    checkout_replay_refusal,
    clean_request,
)
from ..selectors import ListingTerms, listing_terms
from .common import require_buyer_member
from .placing import order_create_placed


@dataclass(frozen=True)
class CheckoutResult:
    group: PurchaseGroup
    replayed: bool


def _replay(group: PurchaseGroup, request: CheckoutRequest) -> CheckoutResult:
    refusal = checkout_replay_refusal(stored=group.request_fingerprint, request=request, buyer_id=group.buyer_id)
    if refusal:
        raise Conflict(refusal, code="idempotency_key_reused")
    return CheckoutResult(group=group, replayed=True)


def _existing(buyer: Company, key: str) -> PurchaseGroup | None:
    return PurchaseGroup.objects.filter(buyer=buyer, idempotency_key=key).first()


def checkout_place(*, actor: User, buyer: Company, idempotency_key: str, destination: dict[str, Any] | None = None,
                   incoterms: dict[Any, str] | None = None, currency: str | None = None,
                   payment_terms: dict[Any, str] | None = None) -> CheckoutResult:
    """Places the buyer's cart. `destination` is {"country", "address"} and defaults to the buyer's
    own; `incoterms` maps seller company ids to a rule; `currency` is the buyer's currency the
    orders are shown in (default: the buyer's default currency)."""
    require_buyer_member(actor=actor, buyer=buyer)
    key = (idempotency_key or "").strip()
    if not key or len(key) > 255:
        raise field_error("idempotency_key", _("Send an Idempotency-Key of 1 to 255 characters."),
                          code="idempotency_key_required")
    request = clean_request(destination=destination, incoterms=incoterms, currency=currency,
                             payment_terms=payment_terms)
    existing = _existing(buyer, key)
    if existing is not None:
        return _replay(existing, request)
    if buyer.verification_status != VerificationStatus.VERIFIED:
        raise Forbidden(_("Your company must be verified before it can place orders."), code="buyer_not_verified")
    try:
        with transaction.atomic():
            group = PurchaseGroup.objects.create(buyer=buyer, idempotency_key=key,
                                                 request_fingerprint=request.fingerprint(buyer.pk), created_by=actor)
            _place_orders(group=group, actor=actor, buyer=buyer, request=request)
    except IntegrityError:
        existing = _existing(buyer, key)
        if existing is None:
            raise
        return _replay(existing, request)
    return CheckoutResult(group=group, replayed=False)


# What a buyer agrees to of a listing's own columns when it checks out; its price tiers, Incoterms and
# whether it ships there are compared through listing_terms. Stock is not among them: it is checked
# and taken under the lock.
AGREED_FIELDS = ("status", "seller_id", "currency", "moq", "order_multiple", "unit", "weight_kg", "hs_code",
                 "origin_country", "ships_to_mode")


def _terms_changed(*, locked: dict[int, Listing], read: dict[int, Listing], terms: dict[int, ListingTerms],
                   country: str) -> set[int]:
    """The listings whose terms changed between the pricing read and the lock: price tiers, MOQ,
    multiple, Incoterms, currency, shipping terms, status. A listing whose row did not change at all
    costs nothing; one whose row changed (say, its stock was synced) is read again, terms only."""
    moved = [pk for pk, listing in locked.items()
             if pk in read and listing.updated_at != read[pk].updated_at]
    if not moved:
        return set()
    fresh = listing_terms(moved, country=country)
    return {pk for pk in moved
            if fresh[pk] != terms[pk]
            or any(getattr(locked[pk], name) != getattr(read[pk], name) for name in AGREED_FIELDS)}


def _place_orders(*, group: PurchaseGroup, actor: User, buyer: Company, request: CheckoutRequest) -> list[Order]:
    # The cart row is locked first, so two checkouts of one cart (under different keys) run one
    # after the other and the second finds the cart empty.
    cart = Cart.objects.select_for_update().filter(buyer=buyer).first()
    lines = list(CartLine.objects.filter(cart=cart).order_by("pk")) if cart is not None else []
    # The group's fingerprint covers the cart as it is placed (read under the cart's lock).
    group.request_fingerprint = checkout_fingerprint(request=request, buyer_id=buyer.pk,
                                                     contents=cart_contents(buyer_id=buyer.pk))
    group.save(update_fields=["request_fingerprint"])
    # Everything that does not depend on the stock is worked out before the listings are locked, so
    # the locks are held only for the stock check, the stock updates and the inserts.
    priced = cart_price(buyer=buyer, lines=lines, request=request, check_stock=False)
    listings, prices = priced.listings, priced.prices

    locked = lock_listings(line.listing_id for line in lines)
    changed = _terms_changed(locked=locked, read=listings, terms=priced.terms, country=priced.country)
    short = []
    for line in sorted(lines, key=lambda line: line.listing_id):
        listing = locked.get(line.listing_id)
        if listing is None or line.listing_id in changed:
            title = listings[line.listing_id].title
            message = _("%(title)s was changed by its seller while you were checking out; review your cart and "
                        "try again.") % {"title": title}
            raise Conflict(message, code="listing_changed", fields={"cart": [message]})
        if listing.stock < line.quantity:
            short.append(_("Only %(stock)d of %(title)s (listing %(id)d) are left; your cart has %(quantity)d.")
                         % {"stock": listing.stock, "title": listing.title, "id": listing.pk,
                            "quantity": line.quantity})
    if short:
        raise Conflict(short[0], code="insufficient_stock", fields={"cart": short})
    for line in sorted(lines, key=lambda line: line.listing_id):
        if not stock_take(line.listing_id, line.quantity):
            listing = listings[line.listing_id]
            message = _("%(title)s (listing %(id)d) sold out while you were checking out.") % {
                "title": listing.title, "id": listing.pk}
            raise Conflict(message, code="insufficient_stock", fields={"cart": [message]})

    now = timezone.now()
    orders = []
    for draft in priced.drafts:
        order_lines = []
        for line in draft.lines:
            listing = listings[line.listing_id]
            order_lines.append(OrderLine(
                listing_id=line.listing_id, listing_ref=line.listing_id, title=listing.title, hs_code=listing.hs_code,
                origin_country=listing.origin_country, unit=listing.unit, quantity=line.quantity,
                unit_price=prices[line.pk], line_total=prices[line.pk] * line.quantity,
                unit_weight_kg=listing.weight_kg, weight_kg=listing.weight_kg * line.quantity))
        orders.append(order_create_placed(
            group=group, actor=actor, buyer=buyer, seller=draft.seller, currency=draft.seller.default_currency,
            buyer_currency=priced.buyer_currency, fx=draft.fx, incoterm=draft.incoterm, country=priced.country,
            address=priced.address, landed=draft.landed, lines=order_lines, now=now,
            payload={"purchase_group": group.pk}, terms=draft.terms))
    CartLine.objects.filter(pk__in=[line.pk for line in lines]).delete()
    return orders
