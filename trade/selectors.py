"""Reads for shipping and landed cost: restricted destinations, shipping quotes, the landed-cost
estimate of a basket or of one listing, and a seller's own shipping zones.

Amounts are in the seller's default currency: shipping rates are kept in it and listing prices are
set in it. Each component of an estimate is rounded to 0.01 (half up) once, when it is complete."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, Literal

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from django_countries import countries

from accounts.models import Company
from accounts.selectors import Actor
from core.exceptions import ApplicationError
from core.inputs import amount_check, country_code, field_error, quantity_check
from marketplace import selectors as marketplace_selectors
from marketplace.models import Listing

from . import incoterms
from .models import DutyRate, RestrictedDestination, ShippingRate, ShippingZone, ShippingZoneCountry, VatRate

CENT = Decimal("0.01")
HUNDRED = Decimal("100")
# Cargo insurance premium assumed under CIF and CIP: 0.5 % of the goods value. A simplification of a
# real policy, which covers 110 % of the value at a premium that depends on goods and route.
INSURANCE_RATE_PERCENT = Decimal("0.5")


def money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def country_name(code: str) -> str:
    return countries.name(code) or code


def plain_number(value: Decimal) -> str:
    """100.500 -> "100.5", 100.000 -> "100"."""
    return format(value.normalize(), "f")


def _hs_digits(value: Any) -> str:
    return str(value or "").replace(".", "").replace(" ", "").strip()


# --- restricted destinations ----------------------------------------------------------------------

def destination_check(*, country: str, hs_codes: list[str], field: str = "destination_country") -> None:
    """Refuses a destination that may not be shipped to at all, or not for one of these HS codes; the
    error is on `field`, the caller's name for the destination country.

    One query: the restrictions of the country that are whole-country or equal to a 2-6 digit
    prefix of one of the codes."""
    code = country_code(country)
    codes = [_hs_digits(hs) for hs in hs_codes]
    prefixes = {hs[:length] for hs in codes for length in range(2, min(len(hs), 6) + 1)}
    rows = list(RestrictedDestination.objects.filter(country=code)
                .filter(Q(hs_prefix="") | Q(hs_prefix__in=sorted(prefixes)))
                .order_by("hs_prefix").values_list("hs_prefix", "reason"))
    if not rows:
        return
    name = country_name(code)
    whole = [reason for prefix, reason in rows if not prefix]
    if whole:
        messages = [_("%(country)s is a restricted destination: %(reason)s") % {"country": name, "reason": whole[0]}]
    else:
        messages = []
        for hs in dict.fromkeys(codes):
            matches = [(prefix, reason) for prefix, reason in rows if hs.startswith(prefix)]
            if matches:
                prefix, reason = max(matches, key=lambda match: len(match[0]))
                messages.append(_("Goods with HS code %(hs)s cannot be shipped to %(country)s (restricted HS "
                                  "%(prefix)s): %(reason)s") % {"hs": hs, "country": name, "prefix": prefix,
                                                                "reason": reason})
    raise ApplicationError(messages[0], code="restricted_destination", fields={field: messages})


# --- shipping ------------------------------------------------------------------------------------

def shipping_quote(*, seller: Company, destination_country: str, weight_kg: Decimal,
                   field: str = "destination_country") -> Decimal:
    """Price of the smallest rate band of the seller's zone for the country that takes `weight_kg`,
    in the seller's default currency; no_shipping is an error on `field`. One query."""
    code = country_code(destination_country)
    weight = _decimal_at_least("weight_kg", weight_kg, minimum=Decimal("0"))
    bands = list(ShippingRate.objects.filter(zone__seller=seller, zone__countries__country=code)
                 .order_by("max_weight_kg").values_list("max_weight_kg", "price"))
    name = country_name(code)
    if not bands:
        raise field_error(field, _("%(seller)s does not ship to %(country)s.")
                           % {"seller": seller.legal_name, "country": name}, code="no_shipping")
    for max_weight, price in bands:
        if weight <= max_weight:
            return price
    raise field_error(field,
                       _("The shipment weighs %(weight)s kg; %(seller)s ships at most %(max)s kg to %(country)s.")
                       % {"weight": plain_number(weight), "seller": seller.legal_name,
                          "max": plain_number(bands[-1][0]), "country": name}, code="no_shipping")


def _decimal_at_least(field: str, value: Any, *, minimum: Decimal) -> Decimal:
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise field_error(field, _("Enter a number.")) from None
    if not number.is_finite() or number < minimum:
        raise field_error(field, _("Enter a number of at least %(min)s.") % {"min": minimum})
    return number


# --- landed cost ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class LineInput:
    """One line of a basket: its 6-digit HS code, its goods value in the seller's currency and its
    total weight (unit weight x quantity)."""

    hs_code: str
    goods_value: Decimal
    weight_kg: Decimal


RateBasis = Literal["chapter", "country_default", "none"]


@dataclass(frozen=True)
class DutyLine:
    """How the duty of one line was found: customs value (goods plus their share of shipping and
    insurance, by value) times the rate of the HS chapter, or the country's default rate, or none."""

    hs_code: str
    hs_chapter: str
    goods_value: Decimal
    customs_value: Decimal
    rate_percent: Decimal
    rate_basis: RateBasis
    duty: Decimal


@dataclass(frozen=True)
class LandedCost:
    currency: str
    destination_country: str
    incoterm: str
    weight_kg: Decimal
    goods: Decimal
    shipping: Decimal
    insurance: Decimal
    duty: Decimal
    vat: Decimal
    total: Decimal
    invoice_total: Decimal
    buyer_other_costs: Decimal
    payer: dict[str, str]
    vat_rate_percent: Decimal
    insurance_rate_percent: Decimal
    duty_lines: tuple[DutyLine, ...]


def _incoterm(value: Any) -> str:
    term = str(value or "").strip().upper()
    if term not in incoterms.PAYERS:
        raise field_error("incoterm", _("%(value)s is not an Incoterms 2020 rule.") % {"value": value})
    return term


def _clean_lines(lines: list[LineInput], field: str = "lines") -> list[LineInput]:
    if not lines:
        raise field_error(field, _("Give at least one line."))
    cleaned = []
    for line in lines:
        hs = _hs_digits(line.hs_code)
        if len(hs) != 6 or not hs.isdigit():
            raise field_error(field, _("An HS code has exactly 6 digits."))
        cleaned.append(LineInput(hs_code=hs,
                                 goods_value=_decimal_at_least(field, line.goods_value, minimum=Decimal("0")),
                                 weight_kg=_decimal_at_least(field, line.weight_kg, minimum=Decimal("0"))))
    return cleaned


def landed_cost_estimate(*, seller: Company, destination_country: str, incoterm: str,
                         lines: list[LineInput], country_field: str = "destination_country",
                         lines_field: str = "lines") -> LandedCost:
    """Goods, shipping, insurance, import duty and import VAT of a basket from one seller, and who
    pays which under the Incoterm. Raises restricted_destination before anything else is looked at,
    then no_shipping. Errors name the caller's fields: `country_field` for the destination,
    `lines_field` for the lines. Four queries, however many lines."""
    code = country_code(destination_country, field=country_field)
    cleaned = _clean_lines(lines, field=lines_field)
    destination_check(country=code, hs_codes=[line.hs_code for line in cleaned], field=country_field)
    return _estimate(seller=seller, country=code, incoterm=_incoterm(incoterm), lines=cleaned,
                     amount_field=lines_field, country_field=country_field)


def _estimate(*, seller: Company, country: str, incoterm: str, lines: list[LineInput],
              amount_field: str = "lines", country_field: str = "destination_country") -> LandedCost:
    """The estimate; a 400 on `amount_field` (amount_too_large) when its landed cost is more than an
    amount can be (core.inputs.MAX_AMOUNT), so an order of it could not be recorded."""
    weight = sum((line.weight_kg for line in lines), Decimal("0"))
    shipping = money(shipping_quote(seller=seller, destination_country=country, weight_kg=weight,
                                    field=country_field))
    goods_exact = sum((line.goods_value for line in lines), Decimal("0"))
    goods = money(goods_exact)
    insurance = money(goods * INSURANCE_RATE_PERCENT / HUNDRED) if incoterm in incoterms.INSURANCE_REQUIRED \
        else Decimal("0.00")

    chapters = {line.hs_code[:2] for line in lines}
    rates = dict(DutyRate.objects.filter(destination_country=country, hs_chapter__in=sorted(chapters | {""}))
                 .values_list("hs_chapter", "rate_percent"))
    vat_rate = VatRate.objects.filter(country=country).values_list("rate_percent", flat=True).first()
    vat_rate = Decimal("0") if vat_rate is None else vat_rate

    # Customs value on a CIF basis: each line carries a share of shipping and insurance by value
    # (equal shares when the goods are worth nothing).
    freight = shipping + insurance
    duty_lines = []
    duty_exact = Decimal("0")
    for line in lines:
        share = (freight * line.goods_value / goods_exact) if goods_exact else freight / len(lines)
        customs_value = line.goods_value + share
        chapter = line.hs_code[:2]
        if chapter in rates:
            rate, basis = rates[chapter], "chapter"
        elif "" in rates:
            rate, basis = rates[""], "country_default"
        else:
            rate, basis = Decimal("0"), "none"
        line_duty = customs_value * rate / HUNDRED
        duty_exact += line_duty
        duty_lines.append(DutyLine(hs_code=line.hs_code, hs_chapter=chapter, goods_value=money(line.goods_value),
                                   customs_value=money(customs_value), rate_percent=rate, rate_basis=basis,
                                   duty=money(line_duty)))
    duty = money(duty_exact)
    vat = money((goods + shipping + insurance + duty) * vat_rate / HUNDRED)

    amounts = {incoterms.GOODS: goods, incoterms.SHIPPING: shipping, incoterms.INSURANCE: insurance,
               incoterms.DUTY: duty, incoterms.VAT: vat}
    payer = dict(incoterms.PAYERS[incoterm])
    sums = incoterms.split(payer, amounts)
    amount_check(sums.landed_cost, field=amount_field)
    return LandedCost(
        currency=seller.default_currency, destination_country=country, incoterm=incoterm, weight_kg=weight,
        goods=goods, shipping=shipping, insurance=insurance, duty=duty, vat=vat, total=sums.landed_cost,
        invoice_total=sums.invoice_total, buyer_other_costs=sums.buyer_other_costs, payer=payer,
        vat_rate_percent=vat_rate,
        insurance_rate_percent=INSURANCE_RATE_PERCENT if incoterm in incoterms.INSURANCE_REQUIRED else Decimal("0"),
        duty_lines=tuple(duty_lines))


@dataclass(frozen=True)
class ListingLandedCost:
    """The estimate for `quantity` units of one listing, with the price tier and weight used."""

    listing_id: int
    quantity: int
    unit_price: Decimal
    unit_weight_kg: Decimal
    estimate: LandedCost


def listing_landed_cost(*, actor: Actor, listing_id: int, quantity: int, destination_country: str,
                        incoterm: str) -> ListingLandedCost:
    """The estimate a buyer sees before checkout: the unit price of the listing's price tier for the
    quantity (the highest minimum at or below it) times the quantity, the unit weight times the
    quantity, and an Incoterm the listing offers."""
    try:
        listing = marketplace_selectors.listing_get_for_actor(actor=actor, pk=int(listing_id))
    except (Http404, TypeError, ValueError):
        raise field_error("listing_id", _("There is no listing with this id.")) from None
    code = country_code(destination_country)
    term = _incoterm(incoterm)
    offered = sorted(row.incoterm for row in listing.incoterm_rows.all())
    if term not in offered:
        raise field_error("incoterm", _("This listing is offered under %(terms)s only.")
                           % {"terms": ", ".join(offered)}, code="incoterm_not_offered")
    quantity_check(quantity)
    if quantity < listing.moq:
        raise field_error("quantity", _("The minimum order quantity is %(moq)d.") % {"moq": listing.moq})
    tiers = [tier for tier in listing.price_tiers.all() if tier.min_quantity <= quantity]
    if not tiers:
        raise field_error("quantity", _("This listing has no price for this quantity."))
    unit_price = max(tiers, key=lambda tier: tier.min_quantity).unit_price
    if listing.currency != listing.seller.default_currency:
        raise ApplicationError(_("The listing is priced in %(listing)s but the seller ships in %(seller)s; no "
                                 "estimate can be made.") % {"listing": listing.currency,
                                                             "seller": listing.seller.default_currency},
                               code="currency_mismatch")
    destination_check(country=code, hs_codes=[listing.hs_code])
    if not _listing_ships_to(listing, code):
        raise field_error("destination_country", _("This listing is not shipped to %(country)s.")
                           % {"country": country_name(code)}, code="no_shipping")
    line = LineInput(hs_code=listing.hs_code, goods_value=unit_price * quantity, weight_kg=listing.weight_kg * quantity)
    estimate = _estimate(seller=listing.seller, country=code, incoterm=term, lines=_clean_lines([line]),
                         amount_field="quantity")
    return ListingLandedCost(listing_id=listing.pk, quantity=quantity, unit_price=unit_price,
                             unit_weight_kg=listing.weight_kg, estimate=estimate)


def _listing_ships_to(listing: Listing, country: str) -> bool:
    """Whether the country is an effective destination of the listing (marketplace.selectors.ShipsTo,
    the rule of the browse filter and the listing page). When the listing names it but no shipping
    zone of the seller with a rate covers it, the seller's no_shipping error is raised, worded as
    shipping_quote words it."""
    ships_to = marketplace_selectors.listing_ships_to(listing)
    if ships_to.ships_to(country):
        return True
    if not ships_to.listing_allows(country):
        return False
    raise field_error("destination_country", _("%(seller)s does not ship to %(country)s.")
                       % {"seller": listing.seller.legal_name, "country": country_name(country)}, code="no_shipping")


# --- a seller's zones ----------------------------------------------------------------------------

def shipping_zone_list(*, actor: Actor, seller_id: int | None = None) -> QuerySet[ShippingZone]:
    """The zones of the companies the actor is a member of, with their countries and rates."""
    if not actor.is_authenticated:
        return ShippingZone.objects.none()
    qs = ShippingZone.objects.filter(seller__memberships__user=actor).select_related("seller").prefetch_related(
        Prefetch("countries", queryset=ShippingZoneCountry.objects.order_by("country")),
        Prefetch("rates", queryset=ShippingRate.objects.order_by("max_weight_kg")))
    if seller_id is not None:
        qs = qs.filter(seller_id=seller_id)
    return qs.order_by("seller_id", "name", "pk")


def shipping_zone_get(*, actor: Actor, pk: int | str, seller_id: int | None = None) -> ShippingZone:
    """One zone of the actor's companies (of `seller_id` when given); any other zone is not found."""
    try:
        zone = shipping_zone_list(actor=actor, seller_id=seller_id).filter(pk=int(pk)).first()
    except (TypeError, ValueError):
        zone = None
    if zone is None:
        raise Http404
    return zone
