"""Reads for carts and orders. Each takes the acting user, so no query forgets its tenant."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, localcontext

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from accounts.models import Company, Membership, MembershipRole, User
from accounts.selectors import Actor, is_member, member_company_ids, member_company_ids_query, membership_get
from core.exceptions import ApplicationError, Forbidden
from core.inputs import field_error
from core.validators import CURRENCY_CODES
from fx.selectors import FxFreshness, fx_freshness, fx_quote, fx_quotes_as_of
from marketplace.models import Listing, ListingIncoterm, PriceTier
from marketplace.selectors import listing_public_queryset, ships_to_filter

from .payment_terms import Terms
from .models import (
    CartLine,
    Instalment,
    Order,
    OrderEvent,
    OrderLine,
    OrderRole,
    OrderStatus,
    Payment,
    PurchaseGroup,
    SellerPaymentTerm,
    TrustedBuyer,
)

CENT = Decimal("0.01")


# --- whose cart --------------------------------------------------------------------------------------

def member_companies(*, actor: User, company_id: int | None = None) -> list[Company]:
    """The signed-in actor's companies, oldest membership first, in one query; with `company_id`
    only that company (403 when the actor is not a member of it)."""
    memberships = Membership.objects.filter(user=actor).select_related("company").order_by("created_at", "pk")
    if company_id is not None:
        memberships = memberships.filter(company_id=company_id)[:1]
    companies = [membership.company for membership in memberships]
    if company_id is not None and not companies:
        raise Forbidden(_("You are not a member of this company."))
    return companies


def buyer_company_for_actor(*, actor: Actor, company_id: int | None = None) -> Company:
    """The company the actor shops for: the one named (the actor must be a member), otherwise the
    actor's first company that buys, otherwise the actor's first company."""
    if not actor.is_authenticated:
        raise Forbidden(_("Sign in to shop."))
    companies = member_companies(actor=actor, company_id=company_id)
    if company_id is not None:
        return companies[0]
    if not companies:
        raise Forbidden(_("Only members of a buying company can shop."), code="not_a_buyer")
    return next((c for c in companies if c.buys), companies[0])


# --- listing rules shared by the cart and the checkout ------------------------------------------------

def tier_price(tiers: list[tuple[int, Decimal]], quantity: int) -> Decimal | None:
    """Unit price of the tier with the highest minimum at or below the quantity."""
    found = [(minimum, price) for minimum, price in tiers if minimum <= quantity]
    return max(found)[1] if found else None


@dataclass(frozen=True)
class ListingTerms:
    """What the cart and checkout rules need of a listing besides its own columns: its price tiers,
    the Incoterms it offers, whether buyers may see it (marketplace.selectors.listing_public_queryset)
    and whether it ships to the country asked about (marketplace.selectors.ships_to_filter)."""

    tiers: list[tuple[int, Decimal]]
    incoterms: list[str]
    visible: bool
    ships: bool


def listing_terms(listing_ids: list[int], *, country: str) -> dict[int, ListingTerms]:
    """The terms of several listings, in four queries whatever their number."""
    ids = sorted(set(listing_ids))
    tiers: dict[int, list] = {pk: [] for pk in ids}
    terms: dict[int, list] = {pk: [] for pk in ids}
    for listing_id, minimum, price in PriceTier.objects.filter(listing_id__in=ids).order_by(
            "listing_id", "min_quantity").values_list("listing_id", "min_quantity", "unit_price"):
        tiers[listing_id].append((minimum, price))
    for listing_id, incoterm in ListingIncoterm.objects.filter(listing_id__in=ids).order_by(
            "listing_id", "incoterm").values_list("listing_id", "incoterm"):
        terms[listing_id].append(incoterm)
    visible = set(listing_public_queryset().filter(pk__in=ids).values_list("pk", flat=True))
    ships = set(Listing.objects.filter(pk__in=ids).filter(ships_to_filter(country)).values_list("pk", flat=True))
    return {pk: ListingTerms(tiers=tiers[pk], incoterms=terms[pk], visible=pk in visible, ships=pk in ships)
            for pk in ids}


def convert(amount: Decimal, rate: Decimal) -> Decimal:
    """amount x rate rounded half up to 0.01: the rounding of fx.selectors.fx_convert."""
    with localcontext() as context:
        context.prec = 60
        return (Decimal(amount) * rate).quantize(CENT, rounding=ROUND_HALF_UP)


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


# --- orders ------------------------------------------------------------------------------------------

def _visible_orders(actor: Actor) -> QuerySet[Order]:
    """Orders of the companies the actor is a member of, as buyer or seller; moderators see all."""
    if not actor.is_authenticated:
        return Order.objects.none()
    if actor.is_moderator:
        return Order.objects.all()
    companies = member_company_ids_query(actor=actor)
    return Order.objects.filter(Q(buyer_id__in=companies) | Q(seller_id__in=companies))


def order_list(*, actor: Actor, status: str | None = None, role: str | None = None) -> QuerySet[Order]:
    """Newest first. `role` "buyer" keeps the orders the actor's companies placed, "seller" those
    they received."""
    qs = _visible_orders(actor)
    if status:
        if status not in OrderStatus.values:
            message = _("Choose one of: %(choices)s.") % {"choices": ", ".join(OrderStatus.values)}
            raise field_error("status", message)
        qs = qs.filter(status=status)
    if role:
        if role not in (OrderRole.BUYER, OrderRole.SELLER):
            message = _("Choose buyer or seller.")
            raise field_error("role", message)
        companies = member_company_ids_query(actor=actor)
        qs = qs.filter(**{f"{role}_id__in": companies})
    return qs.select_related("buyer", "seller").order_by("-placed_at", "-pk")


def order_visible_id(*, actor: Actor, pk: int | str) -> int:
    """The id of an order the actor may see, in one query; 404 otherwise."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    if not _visible_orders(actor).filter(pk=pk).exists():
        raise Http404
    return pk


def order_get(*, actor: Actor, pk: int | str) -> Order:
    """One order with its lines, instalments, payments and events, in a fixed number of queries; 404 for anyone
    who may not see it."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    order = (_visible_orders(actor).filter(pk=pk).select_related("buyer", "seller")
             .prefetch_related(Prefetch("lines", queryset=OrderLine.objects.order_by("pk")),
                               Prefetch("instalments", queryset=Instalment.objects.order_by("sequence")),
                               Prefetch("payments", queryset=Payment.objects.select_related("recorded_by")
                                        .order_by("created_at", "pk")),
                               Prefetch("events", queryset=OrderEvent.objects.select_related("actor")
                                        .order_by("created_at", "pk")))
             .first())
    if order is None:
        raise Http404
    return order


def order_roles_of(*, actor: Actor, order: Order) -> set[str]:
    """The roles the actor may take on this order: buyer, seller, moderator (never for an order of
    their own company)."""
    if not actor.is_authenticated:
        return set()
    companies = member_company_ids(actor=actor, company_ids=[order.buyer_id, order.seller_id])
    roles = set()
    if order.buyer_id in companies:
        roles.add(OrderRole.BUYER.value)
    if order.seller_id in companies:
        roles.add(OrderRole.SELLER.value)
    if not companies and actor.is_moderator:
        roles.add(OrderRole.MODERATOR.value)
    return roles


def purchase_group_get(*, actor: Actor, pk: int) -> PurchaseGroup:
    """A checkout's purchase group with its orders and their lines, for members of the buyer."""
    if not actor.is_authenticated:
        raise Http404
    group = (PurchaseGroup.objects.filter(pk=pk, buyer__memberships__user=actor)
             .prefetch_related(Prefetch("orders", queryset=Order.objects.select_related("buyer", "seller")
                                        .prefetch_related(Prefetch("lines", queryset=OrderLine.objects.order_by("pk")))
                                        .order_by("pk")))
             .first())
    if group is None:
        raise Http404
    return group


# --- a seller's payment terms and trusted buyers ---------------------------------------------------------

def payment_terms_can_change(*, actor: Actor, seller: Company) -> bool:
    """Owners of a company change its payment terms and whom it trusts with net terms; other members
    read them."""
    membership = membership_get(actor=actor, company=seller)
    return membership is not None and membership.role == MembershipRole.OWNER


def payment_term_list(*, seller_id: int) -> QuerySet[SellerPaymentTerm]:
    """The terms a seller offers now (its live rows), in a stable order."""
    return SellerPaymentTerm.objects.filter(seller_id=seller_id, archived_at__isnull=True).order_by(
        "kind", "deposit_percent", "net_days", "pk")


def trusted_buyer_list(*, seller_id: int) -> QuerySet[TrustedBuyer]:
    return TrustedBuyer.objects.filter(seller_id=seller_id).select_related("buyer").order_by("buyer__legal_name",
                                                                                          "pk")


def trusted_buyer_candidates(*, seller_id: int) -> QuerySet[Company]:
    """Buying companies that have ordered from the seller: the ones it may come to trust with net terms."""
    return (Company.objects.filter(orders_placed__seller_id=seller_id).exclude(pk=seller_id).distinct()
            .order_by("legal_name", "pk"))


def payment_terms_offered(*, seller_ids: list[int], buyer_id: int) -> dict[int, list[Terms]]:
    """The terms each seller offers this buyer, cheapest for the buyer last: advance first. Two
    queries whatever the number of sellers."""
    rows: dict[int, list[Terms]] = {seller_id: [] for seller_id in seller_ids}
    for seller_id, kind, percent, days in (SellerPaymentTerm.objects
                                           .filter(seller_id__in=sorted(set(seller_ids)), archived_at__isnull=True)
                                           .order_by("seller_id", "kind", "deposit_percent", "net_days")
                                           .values_list("seller_id", "kind", "deposit_percent", "net_days")):
        rows[seller_id].append(Terms(kind=kind, deposit_percent=percent, net_days=days))
    trusting = set(TrustedBuyer.objects.filter(seller_id__in=sorted(set(seller_ids)), buyer_id=buyer_id)
                   .values_list("seller_id", flat=True)) if any(t.needs_trust for ts in rows.values() for t in ts) \
        else set()
    order = {"advance": 0, "deposit": 1, "letter_of_credit": 2, "net": 3}
    offered = {}
    for seller_id, terms in rows.items():
        usable = [t for t in terms if not t.needs_trust or seller_id in trusting] or [Terms(kind="advance")]
        offered[seller_id] = sorted(usable, key=lambda t: (order[t.kind], t.deposit_percent, t.net_days))
    return offered
