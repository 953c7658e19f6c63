"""Checkout reads: the cleaning of a checkout request and the pricing of a buyer's cart, shared by
the checkout (orders.services.checkout) and its preview (orders.selectors.checkout), so both apply
the same rules and name the same fields in their errors.

- A request names the destination (country, address), an Incoterm and payment terms per seller and
  the buyer's display currency; each is checked here once, with the field names of the API input
  (`destination.country`, `incoterms.<seller id>`, `payment_terms.<seller id>`, `currency`).
- The cart is priced from the listings as read: each line against the cart rules, one draft order
  per seller with its Incoterm, landed cost, exchange rate and payment terms. trade's errors are
  asked to name the request's fields (`destination.country`, `cart`), so no error key is renamed.
Nothing here locks or writes."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import hashlib
import json

from django.utils.translation import gettext as _
from django_countries import countries

from accounts.models import Company
from core.exceptions import ApplicationError
from core.inputs import amount_check, field_error, quantity_check
from core.validators import CURRENCY_CODES
from fx.selectors import FxQuote, fx_quote
from marketplace.models import Incoterm, Listing
from trade.selectors import LandedCost, LineInput, destination_check, landed_cost_estimate

from .models import CartLine
from .payment_terms import Terms, terms_choose, terms_from_code
from .selectors import ListingTerms, listing_terms, payment_terms_offered, tier_price


def request_fingerprint(body: dict[str, Any]) -> str:
    """The SHA-256 of the body as canonical JSON, kept with a purchase group to tell a retried
    request from a different one under the same idempotency key."""
    return hashlib.sha256(json.dumps(body, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


# A checkout's fingerprint is two halves of 32 hex digits: the request (destination, Incoterms,
# payment terms, currency) and the cart it was placed from. A group placed before the cart half
# existed keeps the request's whole hash, whose first half is the same.
FINGERPRINT_HALF = 32


def cart_contents(*, buyer_id: int) -> list[list[Any]]:
    """The buyer's cart lines as the fingerprint covers them: line id, listing, the listing's version
    (the time of its last change), quantity and the Incoterm chosen on the line, in line order."""
    return [[pk, listing_id, changed.isoformat(), quantity, incoterm] for pk, listing_id, changed, quantity, incoterm
            in CartLine.objects.filter(cart__buyer_id=buyer_id).order_by("pk").values_list(
                "pk", "listing_id", "listing__updated_at", "quantity", "incoterm")]


def checkout_fingerprint(*, request: CheckoutRequest, buyer_id: int, contents: list[list[Any]]) -> str:
    return (request.fingerprint(buyer_id)[:FINGERPRINT_HALF]
            + request_fingerprint({"cart": contents})[:FINGERPRINT_HALF])


def checkout_replay_refusal(*, stored: str, request: CheckoutRequest, buyer_id: int) -> str | None:
    """Why a checkout under a key already used cannot be answered with the group placed then (None
    when it can): the request differs, or the cart holds lines again. Placing a group empties the
    cart, so a retry finds it empty, or holding exactly what the group was placed from when it
    raced the first request; any other content was put there after that key was used."""
    contents = cart_contents(buyer_id=buyer_id)
    current = checkout_fingerprint(request=request, buyer_id=buyer_id, contents=contents)
    if stored[:FINGERPRINT_HALF] != current[:FINGERPRINT_HALF]:
        return _("This idempotency key was already used for a different checkout.")
    if contents and stored[FINGERPRINT_HALF:] != current[FINGERPRINT_HALF:]:
        return _("This idempotency key was already used to check out your cart, which has changed since; send a "
                 "new key to check out the cart as it is now.")
    return None


@dataclass(frozen=True)
class LineCheck:
    listing: Listing
    unit_price: Decimal


def check_quantity(*, listing: Listing, quantity: int, field: str = "quantity") -> None:
    if quantity < listing.moq:
        raise field_error(field, _("The minimum order quantity of %(title)s is %(moq)d.")
                          % {"title": listing.title, "moq": listing.moq}, code="below_moq")
    if (quantity - listing.moq) % listing.order_multiple:
        raise field_error(field, _("Order %(title)s in the minimum quantity (%(moq)d) plus multiples of "
                                   "%(multiple)d.") % {"title": listing.title, "moq": listing.moq,
                                                       "multiple": listing.order_multiple},
                          code="not_order_multiple")


def check_line(*, buyer: Company, listing: Listing | None, terms: ListingTerms | None, quantity: int,
               incoterm: str, country: str, country_field: str = "listing_id", check_stock: bool = True) -> LineCheck:
    """The rules a cart line must meet, each a 400 naming its field. The checkout checks the stock
    itself, on locked rows, and answers a shortfall with a 409."""
    if listing is None or terms is None or not terms.visible:
        raise field_error("listing_id", _("This listing is not available."), code="listing_unavailable")
    if listing.seller_id == buyer.pk:
        raise field_error("listing_id", _("You cannot order your own company's listing."), code="own_listing")
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1:
        raise field_error("quantity", _("Enter a whole number of at least 1."))
    quantity_check(quantity)
    check_quantity(listing=listing, quantity=quantity)
    if check_stock and quantity > listing.stock:
        raise field_error("quantity", _("Only %(stock)d of %(title)s are in stock.")
                          % {"stock": listing.stock, "title": listing.title}, code="insufficient_stock")
    if not terms.ships:
        raise field_error(country_field, _("%(title)s is not shipped to %(country)s.")
                          % {"title": listing.title, "country": countries.name(country) or country},
                          code="not_shipped_to_country")
    if incoterm and incoterm not in terms.incoterms:
        raise field_error("incoterm", _("%(title)s is offered under %(terms)s only.")
                          % {"title": listing.title, "terms": ", ".join(terms.incoterms)},
                          code="incoterm_not_offered")
    unit_price = tier_price(terms.tiers, quantity)
    if unit_price is None:
        raise field_error("quantity", _("%(title)s has no price for this quantity.") % {"title": listing.title},
                          code="no_price")
    amount_check(unit_price * quantity, field="quantity")
    return LineCheck(listing=listing, unit_price=unit_price)


DESTINATION_KEYS = frozenset({"country", "address"})


MAX_SELLERS = 200


@dataclass(frozen=True)
class CheckoutRequest:
    destination_country: str | None
    destination_address: str | None
    incoterms: dict[int, str]
    currency: str | None
    payment_terms: dict[int, str] = field(default_factory=dict)

    def fingerprint(self, buyer_id: int) -> str:
        body = {"buyer": buyer_id, "country": self.destination_country, "address": self.destination_address,
                "incoterms": {str(k): v for k, v in sorted(self.incoterms.items())}, "currency": self.currency}
        if self.payment_terms:
            body["payment_terms"] = {str(k): v for k, v in sorted(self.payment_terms.items())}
        return request_fingerprint(body)


def _clean_payment_terms(value: dict[Any, Any] | None) -> dict[int, str]:
    if value is None:
        return {}
    if not isinstance(value, dict) or len(value) > MAX_SELLERS:
        raise field_error("payment_terms", _("Give the payment terms as an object keyed by seller company id."))
    chosen: dict[int, str] = {}
    for key, code in value.items():
        try:
            seller_id = int(key)
        except (TypeError, ValueError):
            raise field_error("payment_terms", _("Key the payment terms by seller company id.")) from None
        text = str(code or "").strip().lower()
        if not text or len(text) > 30 or terms_from_code(text) is None:
            raise field_error(f"payment_terms.{seller_id}",
                              _("Choose terms such as advance, deposit_30, letter_of_credit or net_60."))
        chosen[seller_id] = text
    return chosen


def clean_request(*, destination: dict[str, Any] | None, incoterms: dict[Any, Any] | None,
                   currency: str | None, payment_terms: dict[Any, Any] | None = None) -> CheckoutRequest:
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
    return CheckoutRequest(destination_country=country, destination_address=address, incoterms=terms, currency=code,
                           payment_terms=_clean_payment_terms(payment_terms))


def _line_error(exc: ApplicationError, line: CartLine) -> ApplicationError:
    fields = {(name if name.startswith(("destination", "incoterm")) else f"cart.{line.pk}.{name}"): messages
              for name, messages in exc.fields.items()}
    return ApplicationError(exc.message, code=exc.code, fields=fields, status_code=exc.status_code)


def common_incoterms(offered: Iterable[Collection[str]]) -> list[str]:
    """The Incoterms (in Incoterms order) that every one of the offers names."""
    offered = list(offered)
    return [term for term in Incoterm.values if all(term in terms for terms in offered)]


def default_incoterm(picked: list[str], common: list[str]) -> str:
    """The Incoterm of a seller's order when the buyer names none: the one its cart lines name, else
    the first (in Incoterms order) that every line offers; "" when the lines name several or share none."""
    if len(picked) > 1:
        return ""
    if picked:
        return picked[0]
    return common[0] if common else ""


def _order_incoterm(*, seller: Company, lines: list[CartLine], listings: dict[int, Listing],
                    terms: dict[int, ListingTerms], given: str | None) -> str:
    chosen = given
    if not chosen:
        picked = sorted({line.incoterm for line in lines if line.incoterm})
        chosen = default_incoterm(picked, common_incoterms(terms[line.listing_id].incoterms for line in lines))
        if not chosen and len(picked) > 1:
            raise field_error("incoterm", _("Your lines from %(seller)s name different Incoterms (%(terms)s); "
                                            "choose one for this seller.")
                              % {"seller": seller.legal_name, "terms": ", ".join(picked)}, code="incoterm_conflict")
        if not chosen:
            raise field_error("incoterm", _("The listings of %(seller)s in your cart share no Incoterm; "
                                            "order them separately.") % {"seller": seller.legal_name},
                              code="incoterm_not_offered")
    for line in lines:
        offered = terms[line.listing_id].incoterms
        if chosen not in offered:
            raise field_error("incoterm", _("%(title)s is offered under %(terms)s only, not %(term)s.")
                              % {"title": listings[line.listing_id].title, "terms": ", ".join(offered),
                                 "term": chosen}, code="incoterm_not_offered")
    return chosen


def _seller_incoterm_error(exc: ApplicationError, seller_id: int) -> ApplicationError:
    fields = {(f"incoterms.{seller_id}" if name == "incoterm" else name): messages
              for name, messages in exc.fields.items()}
    return ApplicationError(exc.message, code=exc.code, fields=fields, status_code=exc.status_code)


@dataclass(frozen=True)
class SellerDraft:
    """The order one seller would get: its cart lines, Incoterm, landed cost and exchange rate."""

    seller: Company
    lines: list[CartLine]
    incoterm: str
    landed: LandedCost
    fx: FxQuote
    terms: Terms
    offered_terms: list[Terms]


@dataclass(frozen=True)
class PricedCart:
    country: str
    address: str
    buyer_currency: str
    listings: dict[int, Listing]
    terms: dict[int, ListingTerms]
    prices: dict[int, Decimal]
    drafts: list[SellerDraft]


def cart_price(*, buyer: Company, lines: list[CartLine], request: CheckoutRequest, check_stock: bool,
               incoterm_field_per_seller: bool = False) -> PricedCart:
    """Checks and prices the cart lines as read, groups them by seller (in seller id order) and
    estimates each seller's order: the rules shared by the checkout and its preview. Nothing is
    locked or written. `check_stock` also refuses a line asking for more than the stock now;
    `incoterm_field_per_seller` names an Incoterm error "incoterms.<seller id>"."""
    country = request.destination_country or str(buyer.country)
    address = request.destination_address or buyer.address
    buyer_currency = request.currency or buyer.default_currency
    if not lines:
        raise field_error("cart", _("Your cart is empty."), code="cart_empty")
    listings = {listing.pk: listing for listing in Listing.objects.select_related("seller").filter(
        pk__in=sorted({line.listing_id for line in lines}))}
    terms = listing_terms([line.listing_id for line in lines], country=country)

    destination_check(country=country, hs_codes=sorted({listings[line.listing_id].hs_code for line in lines
                                                        if line.listing_id in listings}),
                      field="destination.country")

    prices: dict[int, Decimal] = {}
    for line in lines:
        try:
            checked = check_line(buyer=buyer, listing=listings.get(line.listing_id), terms=terms.get(line.listing_id),
                                 quantity=line.quantity, incoterm="", country=country,
                                 country_field="destination.country", check_stock=check_stock)
        except ApplicationError as exc:
            raise _line_error(exc, line) from None
        prices[line.pk] = checked.unit_price

    by_seller: dict[int, list[CartLine]] = defaultdict(list)
    for line in lines:
        by_seller[listings[line.listing_id].seller_id].append(line)

    quotes: dict[str, FxQuote] = {}
    offered_terms = payment_terms_offered(seller_ids=sorted(by_seller), buyer_id=buyer.pk)
    drafts = []
    for seller_id in sorted(by_seller):
        seller_lines = by_seller[seller_id]
        seller = listings[seller_lines[0].listing_id].seller
        try:
            incoterm = _order_incoterm(seller=seller, lines=seller_lines, listings=listings, terms=terms,
                                       given=request.incoterms.get(seller_id))
        except ApplicationError as exc:
            if not incoterm_field_per_seller:
                raise
            raise _seller_incoterm_error(exc, seller_id) from None
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
        landed = landed_cost_estimate(seller=seller, destination_country=country, incoterm=incoterm, lines=inputs,
                                      country_field="destination.country", lines_field="cart")
        if currency not in quotes:
            quotes[currency] = fx_quote(base=currency, quote=buyer_currency)
        # The order also keeps its amounts in the buyer's currency: they must fit the columns too.
        amount_check(landed.total * quotes[currency].rate, field="currency" if request.currency else "cart")
        chosen = terms_choose(offered=offered_terms[seller_id], code=request.payment_terms.get(seller_id),
                              seller=seller, field_name=f"payment_terms.{seller_id}")
        drafts.append(SellerDraft(seller=seller, lines=seller_lines, incoterm=incoterm, landed=landed,
                                  fx=quotes[currency], terms=chosen, offered_terms=offered_terms[seller_id]))
    return PricedCart(country=country, address=address, buyer_currency=buyer_currency, listings=listings,
                      terms=terms, prices=prices, drafts=drafts)
