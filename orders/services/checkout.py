"""Checkout: the buyer's whole cart becomes one purchase group with one order per seller, or nothing.

Rules:
- The buyer company must be verified (403 buyer_not_verified); a suspended or rejected one cannot
  order at all.
- Every request carries an idempotency key, unique per buyer. The same key with the same request
  returns the group placed the first time (same ids); the same key with a different request is a
  409 idempotency_key_reused. Parallel requests with one key are decided by the unique constraint
  on (buyer, idempotency_key): the first insert wins, the others wait for it and then read its
  group. A request that fails stores nothing, so its key can be used again.
- The lines are checked and priced, and the landed cost of each seller's order estimated, from the
  listings as read. Then the listings are locked in primary-key order; a listing its seller saved
  since it was read is a 409 listing_changed (a retry reads it again), otherwise the stock is
  checked and taken with one conditional UPDATE per listing. A shortfall anywhere is a 409
  insufficient_stock naming the listings, and nothing is written.
- The Incoterm of an order is the one given for its seller, else the one chosen on its cart lines
  (they must agree), else the first rule in Incoterms order (EXW, FCA, CPT, ...) that every line
  offers. Every listing of the order must offer it (400 on the field incoterm).
- Amounts are in the seller's default currency, which every listing of the order must be priced in;
  the rate to the buyer's currency is taken once, here, and stored on the order.
"""
from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_countries import countries

from accounts.models import Company, User, VerificationStatus
from core.exceptions import ApplicationError, Conflict, Forbidden
from core.validators import CURRENCY_CODES
from fx.selectors import fx_quote
from marketplace.models import Incoterm, Listing
from trade.selectors import LineInput, destination_check, landed_cost_estimate

from ..events import order_parties_notify
from ..locks import lock_listings, stock_take
from ..models import Cart, CartLine, Order, OrderEvent, OrderLine, OrderRole, OrderStatus, PurchaseGroup
from ..selectors import ListingTerms, convert, listing_terms
from ..transitions import NEW, ORDER_FLOW
from .cart import check_line
from .common import field_error, require_buyer_member

# Field names of trade's errors, as the checkout input names them.
TRADE_FIELDS = {"destination_country": "destination.country", "lines": "cart", "incoterm": "incoterm"}
DESTINATION_KEYS = frozenset({"country", "address"})


@dataclass(frozen=True)
class CheckoutRequest:
    destination_country: str | None
    destination_address: str | None
    incoterms: dict[int, str]
    currency: str | None

    def fingerprint(self, buyer_id: int) -> str:
        body = {"buyer": buyer_id, "country": self.destination_country, "address": self.destination_address,
                "incoterms": {str(k): v for k, v in sorted(self.incoterms.items())}, "currency": self.currency}
        return hashlib.sha256(json.dumps(body, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


@dataclass(frozen=True)
class CheckoutResult:
    group: PurchaseGroup
    replayed: bool


def _clean_request(*, destination: dict[str, Any] | None, incoterms: dict[Any, Any] | None,
                   currency: str | None) -> CheckoutRequest:
    country = address = None
    if destination is not None:
        if not isinstance(destination, dict):
            raise field_error("destination", _("Give the destination as an object with country and address."))
        unknown = sorted(set(destination) - DESTINATION_KEYS)
        if unknown:
            raise ApplicationError(_("This field cannot be set."), code="validation_error",
                                   fields={f"destination.{key}": [_("This field cannot be set.")] for key in unknown})
        if destination.get("country") not in (None, ""):
            country = str(destination["country"]).strip().upper()
            if country not in countries:
                raise field_error("destination.country", _("%(value)s is not an ISO 3166 country code.")
                                  % {"value": destination["country"]})
        if destination.get("address") not in (None, ""):
            address = str(destination["address"]).strip()
            if len(address) > 500:
                raise field_error("destination.address", _("Ensure this field has no more than 500 characters."))
    terms: dict[int, str] = {}
    for key, value in (incoterms or {}).items():
        try:
            seller_id = int(key)
        except (TypeError, ValueError):
            raise field_error("incoterm", _("Key the Incoterms by seller company id.")) from None
        term = str(value or "").strip().upper()
        if term not in Incoterm.values:
            raise field_error("incoterm", _("%(value)s is not an Incoterms 2020 rule.") % {"value": value})
        terms[seller_id] = term
    code = None
    if currency not in (None, ""):
        code = str(currency).strip().upper()
        if code not in CURRENCY_CODES:
            raise field_error("currency", _("%(value)s is not an ISO 4217 currency code.") % {"value": currency})
    return CheckoutRequest(destination_country=country, destination_address=address, incoterms=terms, currency=code)


def _replay(group: PurchaseGroup, fingerprint: str) -> CheckoutResult:
    if group.request_fingerprint != fingerprint:
        raise Conflict(_("This idempotency key was already used for a different checkout."),
                       code="idempotency_key_reused")
    return CheckoutResult(group=group, replayed=True)


def _existing(buyer: Company, key: str) -> PurchaseGroup | None:
    return PurchaseGroup.objects.filter(buyer=buyer, idempotency_key=key).first()


def checkout_place(*, actor: User, buyer: Company, idempotency_key: str, destination: dict[str, Any] | None = None,
                   incoterms: dict[Any, str] | None = None, currency: str | None = None) -> CheckoutResult:
    """Places the buyer's cart. `destination` is {"country", "address"} and defaults to the buyer's
    own; `incoterms` maps seller company ids to a rule; `currency` is the buyer's currency the
    orders are shown in (default: the buyer's default currency)."""
    require_buyer_member(actor=actor, buyer=buyer)
    key = (idempotency_key or "").strip()
    if not key or len(key) > 255:
        raise field_error("idempotency_key", _("Send an Idempotency-Key of 1 to 255 characters."),
                          code="idempotency_key_required")
    request = _clean_request(destination=destination, incoterms=incoterms, currency=currency)
    fingerprint = request.fingerprint(buyer.pk)

    existing = _existing(buyer, key)
    if existing is not None:
        return _replay(existing, fingerprint)
    if buyer.verification_status != VerificationStatus.VERIFIED:
        raise Forbidden(_("Your company must be verified before it can place orders."), code="buyer_not_verified")
    try:
        with transaction.atomic():
            group = PurchaseGroup.objects.create(buyer=buyer, idempotency_key=key, request_fingerprint=fingerprint,
                                                 created_by=actor)
            _place_orders(group=group, actor=actor, buyer=buyer, request=request)
    except IntegrityError:
        existing = _existing(buyer, key)
        if existing is None:
            raise
        return _replay(existing, fingerprint)
    return CheckoutResult(group=group, replayed=False)


def _trade_error(exc: ApplicationError) -> ApplicationError:
    fields = {TRADE_FIELDS.get(name, name): messages for name, messages in exc.fields.items()}
    return ApplicationError(exc.message, code=exc.code, fields=fields, status_code=exc.status_code)


def _line_error(exc: ApplicationError, line: CartLine) -> ApplicationError:
    fields = {(name if name.startswith(("destination", "incoterm")) else f"cart.{line.pk}.{name}"): messages
              for name, messages in exc.fields.items()}
    return ApplicationError(exc.message, code=exc.code, fields=fields, status_code=exc.status_code)


def _order_incoterm(*, seller: Company, lines: list[CartLine], listings: dict[int, Listing],
                    terms: dict[int, ListingTerms], given: str | None) -> str:
    chosen = given
    if not chosen:
        picked = sorted({line.incoterm for line in lines if line.incoterm})
        if len(picked) > 1:
            raise field_error("incoterm", _("Your lines from %(seller)s name different Incoterms (%(terms)s); "
                                            "choose one for this seller.")
                              % {"seller": seller.legal_name, "terms": ", ".join(picked)}, code="incoterm_conflict")
        if picked:
            chosen = picked[0]
        else:
            common = [term for term in Incoterm.values
                      if all(term in terms[line.listing_id].incoterms for line in lines)]
            if not common:
                raise field_error("incoterm", _("The listings of %(seller)s in your cart share no Incoterm; "
                                                "order them separately.") % {"seller": seller.legal_name},
                                  code="incoterm_not_offered")
            chosen = common[0]
    for line in lines:
        offered = terms[line.listing_id].incoterms
        if chosen not in offered:
            raise field_error("incoterm", _("%(title)s is offered under %(terms)s only, not %(term)s.")
                              % {"title": listings[line.listing_id].title, "terms": ", ".join(offered),
                                 "term": chosen}, code="incoterm_not_offered")
    return chosen


def _place_orders(*, group: PurchaseGroup, actor: User, buyer: Company, request: CheckoutRequest) -> list[Order]:
    country = request.destination_country or str(buyer.country)
    address = request.destination_address or buyer.address
    buyer_currency = request.currency or buyer.default_currency

    # The cart row is locked first, so two checkouts of one cart (under different keys) run one
    # after the other and the second finds the cart empty.
    cart = Cart.objects.select_for_update().filter(buyer=buyer).first()
    lines = list(CartLine.objects.filter(cart=cart).order_by("pk")) if cart is not None else []
    if not lines:
        raise field_error("cart", _("Your cart is empty."), code="cart_empty")
    # Everything that does not depend on the stock is worked out before the listings are locked, so
    # the locks are held only for the stock check, the stock updates and the inserts.
    listings = {listing.pk: listing for listing in Listing.objects.select_related("seller").filter(
        pk__in=sorted({line.listing_id for line in lines}))}
    terms = listing_terms([line.listing_id for line in lines], country=country)

    try:
        destination_check(country=country, hs_codes=sorted({listings[line.listing_id].hs_code for line in lines
                                                            if line.listing_id in listings}))
    except ApplicationError as exc:
        raise _trade_error(exc) from None

    prices: dict[int, Decimal] = {}
    for line in lines:
        try:
            checked = check_line(buyer=buyer, listing=listings.get(line.listing_id), terms=terms.get(line.listing_id),
                                 quantity=line.quantity, incoterm="", country=country,
                                 country_field="destination.country", check_stock=False)
        except ApplicationError as exc:
            raise _line_error(exc, line) from None
        prices[line.pk] = checked.unit_price

    by_seller: dict[int, list[CartLine]] = defaultdict(list)
    for line in lines:
        by_seller[listings[line.listing_id].seller_id].append(line)

    quotes = {}
    drafts = []
    for seller_id in sorted(by_seller):
        seller_lines = by_seller[seller_id]
        seller = listings[seller_lines[0].listing_id].seller
        incoterm = _order_incoterm(seller=seller, lines=seller_lines, listings=listings, terms=terms,
                                   given=request.incoterms.get(seller_id))
        currency = seller.default_currency
        for line in seller_lines:
            listing = listings[line.listing_id]
            if listing.currency != currency:
                raise field_error(f"cart.{line.pk}.listing_id",
                                  _("%(title)s is priced in %(listing)s but %(seller)s sells in %(currency)s.")
                                  % {"title": listing.title, "listing": listing.currency,
                                     "seller": seller.legal_name, "currency": currency}, code="currency_mismatch")
        inputs = [LineInput(hs_code=listings[line.listing_id].hs_code, goods_value=prices[line.pk] * line.quantity,
                            weight_kg=listings[line.listing_id].weight_kg * line.quantity) for line in seller_lines]
        try:
            landed = landed_cost_estimate(seller=seller, destination_country=country, incoterm=incoterm, lines=inputs)
            if currency not in quotes:
                quotes[currency] = fx_quote(base=currency, quote=buyer_currency)
        except ApplicationError as exc:
            raise _trade_error(exc) from None
        drafts.append((seller, seller_lines, incoterm, landed, quotes[currency]))

    locked = lock_listings(line.listing_id for line in lines)
    short = []
    for line in sorted(lines, key=lambda line: line.listing_id):
        listing = locked.get(line.listing_id)
        if listing is None or listing.updated_at != listings[line.listing_id].updated_at:
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
    ORDER_FLOW.check(from_status=NEW, to_status=OrderStatus.PLACED, role=OrderRole.BUYER)
    orders = []
    events = []
    for seller, seller_lines, incoterm, landed, quote in drafts:
        order = Order.objects.create(
            buyer=buyer, seller=seller, purchase_group=group, placed_by=actor, status=OrderStatus.PLACED,
            currency=seller.default_currency, buyer_currency=buyer_currency, fx_rate=quote.rate,
            fx_rate_date=quote.as_of, fx_source=quote.source, incoterm=incoterm, destination_country=country,
            destination_address=address, goods_total=landed.goods, shipping=landed.shipping,
            insurance=landed.insurance, duty=landed.duty, vat=landed.vat, total=landed.total,
            buyer_pays=landed.buyer_pays, seller_pays=landed.seller_pays,
            buyer_pays_in_buyer_currency=convert(landed.buyer_pays, quote.rate), payer=dict(landed.payer),
            total_weight_kg=landed.weight_kg, placed_at=now)
        OrderLine.objects.bulk_create([
            OrderLine(order=order, listing_id=line.listing_id, listing_ref=line.listing_id,
                      title=listings[line.listing_id].title, hs_code=listings[line.listing_id].hs_code,
                      origin_country=listings[line.listing_id].origin_country, unit=listings[line.listing_id].unit,
                      quantity=line.quantity, unit_price=prices[line.pk], line_total=prices[line.pk] * line.quantity,
                      unit_weight_kg=listings[line.listing_id].weight_kg,
                      weight_kg=listings[line.listing_id].weight_kg * line.quantity)
            for line in seller_lines])
        events.append(OrderEvent.objects.create(
            order=order, actor=actor, role=OrderRole.BUYER, from_status=NEW, to_status=OrderStatus.PLACED,
            payload={"purchase_group": group.pk}, created_at=now))
        orders.append(order)
    CartLine.objects.filter(pk__in=[line.pk for line in lines]).delete()
    for order, event in zip(orders, events, strict=True):
        order_parties_notify(order=order, move=event)
    return orders
