"""Read-only views of a checkout before it is placed: the Incoterms each seller's lines offer, and a
preview of the orders the buyer's cart would become, with the landed cost of each and its amounts in
the buyer's currency.

The preview follows the rules of orders.services.checkout (it uses the same helpers) and raises the
same errors under the same field names, except that an Incoterm error names its seller
("incoterms.<seller id>") and a line asking for more than the stock is reported here already. Nothing
is locked or written: the stock, the prices and the rates are read again when the order is placed."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from accounts.models import Company
from accounts.selectors import Actor
from fx.selectors import FxFreshness, FxQuote, fx_freshness, fx_quotes_as_of
from marketplace.models import ListingIncoterm
from trade import incoterms as trade_incoterms
from trade.selectors import LandedCost

from ..models import CartLine
from .common import convert
from .payments import payment_terms_offered
from ..pricing import cart_price, clean_request, common_incoterms, default_incoterm
from ..payment_terms import PlannedInstalment, Terms, schedule
from ..services.common import require_buyer_member


# --- the Incoterms a seller's lines share -------------------------------------------------------------

@dataclass(frozen=True)
class CheckoutSellerOption:
    """One seller of the cart: the Incoterms every one of its lines offers (Incoterms order) and the
    one the checkout takes when none is given ("" when the lines name different ones)."""

    seller_id: int
    seller_name: str
    offered_incoterms: list[str]
    default_incoterm: str
    offered_payment_terms: list[Terms] = field(default_factory=list)


def checkout_seller_options(*, actor: Actor, buyer: Company) -> list[CheckoutSellerOption]:
    """The sellers of the buyer's cart in seller id order, with the Incoterms and the payment terms
    they offer. Three or four queries (after the membership check), whatever the number of lines."""
    require_buyer_member(actor=actor, buyer=buyer)
    rows = list(CartLine.objects.filter(cart__buyer=buyer).order_by("pk")
                .values_list("listing_id", "incoterm", "listing__seller_id", "listing__seller__legal_name"))
    offered: dict[int, set[str]] = defaultdict(set)
    for listing_id, term in ListingIncoterm.objects.filter(
            listing_id__in=sorted({row[0] for row in rows})).values_list("listing_id", "incoterm"):
        offered[listing_id].add(term)
    by_seller: dict[int, list[tuple]] = defaultdict(list)
    for row in rows:
        by_seller[row[2]].append(row)
    terms = payment_terms_offered(seller_ids=sorted(by_seller), buyer_id=buyer.pk) if by_seller else {}
    options = []
    for seller_id in sorted(by_seller):
        seller_rows = by_seller[seller_id]
        common = common_incoterms(offered[row[0]] for row in seller_rows)
        picked = sorted({row[1] for row in seller_rows if row[1]})
        options.append(CheckoutSellerOption(seller_id=seller_id, seller_name=seller_rows[0][3],
                                            offered_incoterms=common,
                                            default_incoterm=default_incoterm(picked, common),
                                            offered_payment_terms=terms[seller_id]))
    return options


# --- the preview ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class PreviewLine:
    line_id: int
    listing_id: int
    title: str
    unit: str
    quantity: int
    unit_price: Decimal
    line_total: Decimal
    weight_kg: Decimal


@dataclass(frozen=True)
class PreviewComponent:
    """One part of the landed cost, in the order's currency and in the buyer's, and who pays it."""

    name: str
    amount: Decimal
    amount_in_buyer_currency: Decimal
    payer: str
    paid_to: str  # seller, carrier, insurer or customs


@dataclass(frozen=True)
class PreviewOrder:
    seller_id: int
    seller_name: str
    seller_country: str
    currency: str
    incoterm: str
    offered_incoterms: list[str]
    lines: list[PreviewLine]
    estimate: LandedCost
    fx: FxQuote
    components: list[PreviewComponent]
    total_in_buyer_currency: Decimal
    invoice_total_in_buyer_currency: Decimal
    buyer_other_costs_in_buyer_currency: Decimal
    payment_terms: Terms
    offered_payment_terms: list[Terms]
    schedule: list[PlannedInstalment]


@dataclass(frozen=True)
class CheckoutPreview:
    buyer_id: int
    destination_country: str
    destination_address: str
    buyer_currency: str
    can_place: bool
    orders: list[PreviewOrder]
    invoice_total_in_buyer_currency: Decimal
    buyer_other_costs_in_buyer_currency: Decimal
    fx_as_of: date | None
    rates: FxFreshness  # how old the newest stored rate is: placing stays possible with stale rates


def checkout_preview(*, actor: Actor, buyer: Company, destination: dict[str, Any] | None = None,
                     incoterms: dict[Any, str] | None = None, currency: str | None = None,
                     payment_terms: dict[Any, str] | None = None) -> CheckoutPreview:
    """What checkout_place would store for the buyer's cart with this input, per seller order: the
    lines at their tier prices, the Incoterm, the landed-cost estimate (who pays each part) and the
    amounts in the buyer's currency at the rate the checkout would lock now.

    Raises the checkout's 400s (restricted destination, no shipping, a line the rules refuse, an
    Incoterm not offered, no exchange rate) and 403 for anyone but a member of a buying company.
    Queries: eight (one for the rates' freshness), then four per seller and one per seller currency,
    whatever the number of lines."""
    require_buyer_member(actor=actor, buyer=buyer)
    request = clean_request(destination=destination, incoterms=incoterms, currency=currency,
                             payment_terms=payment_terms)
    lines = list(CartLine.objects.filter(cart__buyer=buyer).order_by("pk"))
    priced = cart_price(buyer=buyer, lines=lines, request=request, check_stock=True, incoterm_field_per_seller=True)
    listings, prices = priced.listings, priced.prices

    orders = []
    for draft in priced.drafts:
        seller, estimate, quote = draft.seller, draft.landed, draft.fx
        amounts = {trade_incoterms.GOODS: estimate.goods, trade_incoterms.SHIPPING: estimate.shipping,
                   trade_incoterms.INSURANCE: estimate.insurance, trade_incoterms.DUTY: estimate.duty,
                   trade_incoterms.VAT: estimate.vat}
        orders.append(PreviewOrder(
            seller_id=seller.pk, seller_name=seller.legal_name, seller_country=str(seller.country),
            currency=seller.default_currency, incoterm=draft.incoterm,
            offered_incoterms=common_incoterms(priced.terms[line.listing_id].incoterms for line in draft.lines),
            lines=[PreviewLine(line_id=line.pk, listing_id=line.listing_id, title=listings[line.listing_id].title,
                               unit=listings[line.listing_id].unit, quantity=line.quantity,
                               unit_price=prices[line.pk], line_total=prices[line.pk] * line.quantity,
                               weight_kg=listings[line.listing_id].weight_kg * line.quantity)
                   for line in draft.lines],
            estimate=estimate, fx=quote,
            components=[PreviewComponent(name=name, amount=amounts[name],
                                         amount_in_buyer_currency=convert(amounts[name], quote.rate),
                                         payer=estimate.payer[name],
                                         paid_to=trade_incoterms.payee(name, estimate.payer[name]))
                        for name in trade_incoterms.COMPONENTS],
            total_in_buyer_currency=convert(estimate.total, quote.rate),
            invoice_total_in_buyer_currency=convert(estimate.invoice_total, quote.rate),
            buyer_other_costs_in_buyer_currency=convert(estimate.buyer_other_costs, quote.rate),
            payment_terms=draft.terms, offered_payment_terms=draft.offered_terms,
            schedule=schedule(draft.terms, estimate.invoice_total)))

    return CheckoutPreview(
        buyer_id=buyer.pk, destination_country=priced.country, destination_address=priced.address,
        buyer_currency=priced.buyer_currency, can_place=buyer.is_verified,
        orders=orders,
        invoice_total_in_buyer_currency=sum((order.invoice_total_in_buyer_currency for order in orders),
                                            Decimal("0.00")),
        buyer_other_costs_in_buyer_currency=sum((order.buyer_other_costs_in_buyer_currency for order in orders),
                                                Decimal("0.00")),
        fx_as_of=fx_quotes_as_of(order.fx for order in orders), rates=fx_freshness())


# --- the cart badge -------------------------------------------------------------------------------------

def cart_line_count(*, buyer_id: int) -> int:
    """The number of lines in a company's cart, in one query. Shown to its members only."""
    return CartLine.objects.filter(cart__buyer_id=buyer_id).count()
