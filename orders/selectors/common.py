"""Reads the cart, the checkout and the RFQs share: whose cart it is, a listing's terms for a country
and the rounding of a conversion."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, localcontext

from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Subquery
from django.utils.translation import gettext as _

from accounts.models import Company, Membership, User
from accounts.selectors import Actor
from core.exceptions import Forbidden
from marketplace.models import Listing, ListingIncoterm, PriceTier
from marketplace.selectors import listing_is_public, listing_public_queryset, ships_to_filter


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


# The largest quantity a query compares with (an int column); larger ones are refused by check_line.
_QUANTITY_CEILING = 2**31 - 1


def listing_line_terms(listing_id: int, *, country: str, quantity: int,
                       incoterm: str) -> tuple[Listing | None, ListingTerms | None]:
    """A listing (with its seller) and its terms for one cart line, in one query: listing_terms
    narrowed to that quantity and Incoterm. `tiers` holds the one tier that prices the quantity (none
    when no tier does), `incoterms` the chosen Incoterm when the listing offers it; when it does not,
    a second query reads the ones it offers, for check_line's message. Visibility is listing_is_public
    on the loaded seller, shipping the same ships_to_filter."""
    sized = quantity if isinstance(quantity, int) and not isinstance(quantity, bool) else 0
    tier = PriceTier.objects.filter(listing=OuterRef("pk"), min_quantity__lte=min(max(sized, 0), _QUANTITY_CEILING)
                                    ).order_by("-min_quantity")
    annotations = {
        "line_tier_min": Subquery(tier.values("min_quantity")[:1]),
        "line_tier_price": Subquery(tier.values("unit_price")[:1]),
        "line_ships": ExpressionWrapper(ships_to_filter(country), output_field=BooleanField()),
    }
    if incoterm:
        annotations["line_incoterm_offered"] = Exists(
            ListingIncoterm.objects.filter(listing=OuterRef("pk"), incoterm=incoterm))
    listing = Listing.objects.select_related("seller").annotate(**annotations).filter(pk=listing_id).first()
    if listing is None:
        return None, None
    tiers = [] if listing.line_tier_min is None else [(listing.line_tier_min, listing.line_tier_price)]
    if not incoterm:
        offered = []
    elif listing.line_incoterm_offered:
        offered = [incoterm]
    else:
        offered = list(ListingIncoterm.objects.filter(listing=listing).order_by("incoterm")
                       .values_list("incoterm", flat=True))
    return listing, ListingTerms(tiers=tiers, incoterms=offered, visible=listing_is_public(listing),
                                 ships=bool(listing.line_ships))


def convert(amount: Decimal, rate: Decimal) -> Decimal:
    """amount x rate rounded half up to 0.01: the rounding of fx.selectors.fx_convert."""
    with localcontext() as context:
        context.prec = 60
        return (Decimal(amount) * rate).quantize(CENT, rounding=ROUND_HALF_UP)
