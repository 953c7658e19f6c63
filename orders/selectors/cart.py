"""The buyer's cart as the page and the API show it: lines grouped by seller, priced, with problems."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.http import Http404
from django.utils.translation import gettext as _

from accounts.models import Company
from accounts.selectors import Actor, is_member
from core.exceptions import ApplicationError
from core.inputs import MAX_AMOUNT, field_error
from core.validators import CURRENCY_CODES
from fx.selectors import FxFreshness, fx_freshness, fx_quote, fx_quotes_as_of

from ..models import CartLine
from .common import ListingTerms, convert, listing_terms, tier_price


# --- the cart ----------------------------------------------------------------------------------------

@dataclass
class CartLineView:
    id: int
    listing_id: int
    title: str
    unit: str
    quantity: int
    incoterm: str
    offered_incoterms: list[str]
    moq: int
    order_multiple: int
    stock: int
    currency: str
    unit_price: Decimal | None
    line_total: Decimal | None
    line_total_display: Decimal | None
    problems: list[str]


@dataclass
class CartSellerGroup:
    seller_id: int
    seller_name: str
    seller_country: str
    currency: str
    fx_rate: Decimal | None
    fx_as_of: date | None
    fx_source: str
    subtotal: Decimal
    subtotal_display: Decimal | None
    lines: list[CartLineView] = field(default_factory=list)


@dataclass
class CartView:
    buyer_id: int
    display_currency: str
    fx_as_of: date | None
    line_count: int
    total_display: Decimal | None
    groups: list[CartSellerGroup]
    rates: FxFreshness  # how old the newest stored rate is: a stale one makes the display amounts rough estimates


def _cart_line_problems(line: CartLine, buyer: Company, terms: ListingTerms, unit_price: Decimal | None) -> list[str]:
    listing = line.listing
    problems = []
    if not terms.visible:
        problems.append(_("This listing is no longer available."))
    if line.quantity < listing.moq:
        problems.append(_("The minimum order quantity is %(moq)d.") % {"moq": listing.moq})
    elif (line.quantity - listing.moq) % listing.order_multiple:
        problems.append(_("Order the minimum quantity plus multiples of %(multiple)d.")
                        % {"multiple": listing.order_multiple})
    if line.quantity > listing.stock:
        problems.append(_("Only %(stock)d left in stock.") % {"stock": listing.stock})
    if not terms.ships:
        problems.append(_("This listing is not shipped to your country."))
    if line.incoterm and line.incoterm not in terms.incoterms:
        problems.append(_("The seller no longer offers %(term)s for this listing.") % {"term": line.incoterm})
    if unit_price is None:
        problems.append(_("This listing has no price for this quantity."))
    elif unit_price * line.quantity > MAX_AMOUNT:
        problems.append(_("This line comes to more than one order can hold (%(limit)s); order less.")
                        % {"limit": f"{MAX_AMOUNT:,.2f}"})
    if listing.currency != listing.seller.default_currency:
        problems.append(_("The listing is priced in %(listing)s but the seller ships in %(seller)s.")
                        % {"listing": listing.currency, "seller": listing.seller.default_currency})
    return problems


def cart_get(*, actor: Actor, buyer: Company, currency: str | None = None) -> CartView:
    """The buyer's cart grouped by seller (seller id order), each line with its tier unit price and
    total in the listing's currency and in the display currency (the buyer's default currency or
    `currency`). A line whose listing would be refused at checkout lists its problems.

    Display amounts use each seller currency's latest rate (fx_quote): a line total is converted on
    its own, a seller subtotal is the subtotal converted, the total is the sum of the converted
    subtotals. A currency without a rate leaves that group's display amounts empty. Queries: one for
    the membership, five for the lines and their listings, and one per distinct listing currency
    other than the display currency, whatever the number of lines, and one for the rates' freshness."""
    if not is_member(actor=actor, company_id=buyer.pk):
        raise Http404
    display = (currency or buyer.default_currency).strip().upper()
    if display not in CURRENCY_CODES:
        message = _("%(value)s is not an ISO 4217 currency code.") % {"value": currency}
        raise field_error("currency", message)

    lines = list(CartLine.objects.filter(cart__buyer=buyer).select_related("listing", "listing__seller")
                 .order_by("listing__seller_id", "listing__currency", "pk"))
    terms = listing_terms([line.listing_id for line in lines], country=str(buyer.country))
    quotes = {}
    for code in sorted({line.listing.currency for line in lines}):
        try:
            quotes[code] = fx_quote(base=code, quote=display)
        except ApplicationError:
            quotes[code] = None

    # One group per seller, and per currency for a seller that prices listings in several.
    groups: dict[tuple[int, str], CartSellerGroup] = {}
    for line in lines:
        listing = line.listing
        quote = quotes[listing.currency]
        group = groups.get((listing.seller_id, listing.currency))
        if group is None:
            group = groups[(listing.seller_id, listing.currency)] = CartSellerGroup(
                seller_id=listing.seller_id, seller_name=listing.seller.legal_name,
                seller_country=str(listing.seller.country), currency=listing.currency,
                fx_rate=quote.rate if quote else None, fx_as_of=quote.as_of if quote else None,
                fx_source=quote.source if quote else "", subtotal=Decimal("0.00"), subtotal_display=None)
        unit_price = tier_price(terms[listing.pk].tiers, line.quantity)
        line_total = unit_price * line.quantity if unit_price is not None else None
        group.lines.append(CartLineView(
            id=line.pk, listing_id=listing.pk, title=listing.title, unit=listing.unit, quantity=line.quantity,
            incoterm=line.incoterm, offered_incoterms=terms[listing.pk].incoterms, moq=listing.moq,
            order_multiple=listing.order_multiple, stock=listing.stock, currency=listing.currency,
            unit_price=unit_price, line_total=line_total,
            line_total_display=convert(line_total, quote.rate) if quote and line_total is not None else None,
            problems=_cart_line_problems(line, buyer, terms[listing.pk], unit_price)))
        if line_total is not None:
            group.subtotal += line_total
    result = list(groups.values())
    for group in result:
        if group.fx_rate is not None:
            group.subtotal_display = convert(group.subtotal, group.fx_rate)

    complete = all(group.subtotal_display is not None for group in result)
    return CartView(
        buyer_id=buyer.pk, display_currency=display, fx_as_of=fx_quotes_as_of(quotes.values()),
        line_count=len(lines),
        total_display=sum((g.subtotal_display for g in result), Decimal("0.00")) if complete else None,
        groups=result, rates=fx_freshness())
