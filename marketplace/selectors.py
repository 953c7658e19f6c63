"""Reads for the catalogue: public listings, a seller's own listings, search and the moderation queue."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.contrib.postgres.expressions import ArraySubquery
from django.db import connection
from django.db.models import (Count, Exists, F, Lookup, Min, OuterRef, Prefetch, Q, QuerySet, StringAgg, Subquery,
                              Value, prefetch_related_objects)
from django.db.models.functions import Coalesce, TruncDate
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_countries import countries

from accounts.models import Company, Membership, VerificationStatus
from accounts.selectors import Actor, is_member, member_company_ids_query
from core.exceptions import ApplicationError
from core.inputs import field_error
from core.validators import CURRENCY_CODES
from fx import selectors as fx_selectors

from . import hooks, prices, search, search_sqlite
from .models import (
    Category,
    Incoterm,
    Listing,
    ListingDecision,
    ListingImage,
    ListingImport,
    ListingIncoterm,
    ListingReport,
    ListingStatus,
    PriceTier,
    ShipsToCountry,
    ShipsToMode,
    Unit,
)
from .transitions import LIFECYCLE, MODERATOR


def _is_moderator(actor: Actor) -> bool:
    return bool(actor.is_authenticated and actor.is_moderator)


def category_list() -> QuerySet[Category]:
    return Category.objects.select_related("parent").order_by("path")


def category_with_descendants(category: Category) -> Q:
    """Listings of the category and of every category under it.

    On PostgreSQL the ids of the subtree are an array computed once before the rest of the query
    (`category_id = ANY(ARRAY(SELECT ...))`), so the listings are found in the partial covering index
    listing_published_category_idx; with a join the planner guesses the size of the subtree and
    checks the other filters row by row even when a top-level category holds a fifth of them."""
    subtree = Category.objects.filter(Q(path=category.path) | Q(path__startswith=f"{category.path}/")).order_by()
    if connection.vendor == "postgresql":
        return Q(_EqualsAny(F("category_id"), ArraySubquery(subtree.values("pk"))))
    return Q(category__in=subtree)


class _EqualsAny(Lookup):
    """`lhs = ANY(rhs)`, rhs an array (PostgreSQL)."""

    lookup_name = "equals_any"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} = ANY({rhs})", (*lhs_params, *rhs_params)


# Wide columns that no list shows: a list reads its rows without them. Touching one on a row of
# such a list costs a query per row.
LIST_DEFERRED_FIELDS = ("description", "description_html", "search_document", "pending_changes",
                        "seller__description")


def _with_card_data(qs: QuerySet[Listing]) -> QuerySet[Listing]:
    """Everything a listing card or API row shows, in a fixed number of queries (the seller's stored
    performance figures come in the same join; trust writes them)."""
    return qs.select_related("seller", "seller__performance", "category", "category__parent").prefetch_related(
        Prefetch("price_tiers", queryset=PriceTier.objects.order_by("min_quantity")),
        Prefetch("incoterm_rows", queryset=ListingIncoterm.objects.order_by("incoterm")),
    )


def _suspended_sellers() -> QuerySet[Company]:
    return Company.objects.filter(verification_status=VerificationStatus.SUSPENDED).values("pk")


def listing_public_queryset() -> QuerySet[Listing]:
    """Listings buyers may see: published, from a seller that is not suspended (listing_is_public
    answers the same for a loaded listing).

    The seller check is a NOT IN of the few suspended sellers rather than a join, so counting the
    catalogue reads the listings' partial indexes only."""
    return Listing.objects.filter(status=ListingStatus.PUBLISHED).exclude(seller__in=_suspended_sellers())


def listing_is_public(listing: Listing) -> bool:
    """Whether buyers may see a listing whose seller is loaded; the same rule as listing_public_queryset."""
    return (listing.status == ListingStatus.PUBLISHED
            and listing.seller.verification_status != VerificationStatus.SUSPENDED)


def listing_get_for_actor(*, actor: Actor, pk: int) -> Listing:
    """A listing as its seller's members and moderators see it (any state); others only published."""
    qs = _with_card_data(Listing.objects.all()).prefetch_related("certificates", "images", "ships_to_countries")
    qs = qs.select_related("seller__rating")  # the seller's average and count, in the same query
    listing = qs.filter(pk=pk).first()
    if listing is None:
        raise Http404
    if listing_is_public(listing):  # the seller came with the listing: no second query
        return listing
    if _is_moderator(actor):
        return listing
    if is_member(actor=actor, company_id=listing.seller_id):
        return listing
    raise Http404


def listing_list_for_seller(*, actor: Actor, status: str | None = None) -> QuerySet[Listing]:
    """The listings of every company the actor is a member of."""
    if not actor.is_authenticated:
        return Listing.objects.none()
    qs = _with_card_data(Listing.objects.filter(seller__memberships__user=actor))
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-updated_at", "-pk")


def listing_decision_list(*, actor: Actor, listing: Listing) -> QuerySet[ListingDecision]:
    if not (_is_moderator(actor) or (actor.is_authenticated and Membership.objects.filter(
            user=actor, company_id=listing.seller_id).exists())):
        raise Http404
    return ListingDecision.objects.filter(listing=listing).select_related("actor").order_by("-created_at", "-pk")


# --- display currency ------------------------------------------------------------------------------

@dataclass(frozen=True)
class DisplayCurrency:
    """A currency buyers may browse in: `per_eur` units of it buy 1 EUR, from the rate of `as_of`
    (None for EUR) published by `source` ("ecb", "manual", or "par" for EUR)."""

    code: str
    per_eur: Decimal
    as_of: date | None = None
    source: str = fx_selectors.PAR


EUR_DISPLAY = DisplayCurrency(code=prices.EUR, per_eur=Decimal(1))


def _currency_error(message: str) -> ApplicationError:
    return field_error("currency", message)


def display_currency_get(code: str) -> DisplayCurrency:
    """The display currency `code` with its latest rate: no query for EUR, one otherwise. A code that
    is not ISO 4217 or has no rate is a 400 on the field "currency"."""
    code = str(code or "").strip().upper()
    if code == prices.EUR:
        return EUR_DISPLAY
    if code not in CURRENCY_CODES:
        raise _currency_error(_("%(value)s is not an ISO 4217 currency code.") % {"value": code})
    try:
        quote = fx_selectors.fx_quote(base=prices.EUR, quote=code)
    except ApplicationError:
        raise _currency_error(_("Prices cannot be shown in %(currency)s: it has no exchange rate.")
                              % {"currency": code}) from None
    return DisplayCurrency(code=code, per_eur=quote.rate, as_of=quote.as_of, source=quote.source)


def display_currency_options() -> dict[str, DisplayCurrency]:
    """Every currency prices can be shown in (EUR and each currency with a rate), by code. One query."""
    options = {prices.EUR: EUR_DISPLAY}
    for quote in fx_selectors.fx_rate_list(base=prices.EUR):
        options[quote.quote] = DisplayCurrency(code=quote.quote, per_eur=quote.rate, as_of=quote.as_of,
                                               source=quote.source)
    return dict(sorted(options.items()))


def listing_price_in(listing: Listing, display: DisplayCurrency) -> Decimal | None:
    """The listing's lowest unit price in the display currency as browse shows, filters and sorts
    it (marketplace.prices): its own price when it is in that currency, otherwise price_eur
    converted and rounded to 0.01, an approximation. None when it has no price in EUR."""
    if listing.currency == display.code:
        return listing.price_from
    if listing.price_eur is None:
        return None
    return prices.from_eur(listing.price_eur, display.per_eur)


# --- effective destinations ----------------------------------------------------------------------

@dataclass(frozen=True)
class ShipsTo:
    """Where a listing ships: its own setting (every country except `listed`, or only `listed`)
    intersected with `seller_countries`, the countries of its seller's shipping zones that have a
    rate. The browse filter (effective_ships_to_filter) asks the same in SQL."""

    mode: str
    listed: frozenset[str]
    seller_countries: frozenset[str] = field(default_factory=frozenset)

    def listing_allows(self, country: str) -> bool:
        """Whether the listing's own setting names the country as a destination."""
        return (country in self.listed) == (self.mode == ShipsToMode.ONLY)

    def ships_to(self, country: str) -> bool:
        return country in self.seller_countries and self.listing_allows(country)

    @property
    def countries(self) -> list[str]:
        """The effective destinations, as ISO codes in code order."""
        return sorted(code for code in self.seller_countries if self.listing_allows(code))

    @property
    def seller_has_rates(self) -> bool:
        return bool(self.seller_countries)

    @property
    def unrated(self) -> list[str]:
        """Destinations the listing's setting names that have no shipping rate of the seller."""
        if self.mode == ShipsToMode.ONLY:
            return sorted(self.listed - self.seller_countries)
        return sorted(set(countries.countries) - self.listed - self.seller_countries)


def ships_to_filter(country: str) -> Q:
    """Listings whose own ships-to setting (ShipsTo.listing_allows) names the country, whatever the
    seller's shipping zones."""
    listed = Exists(ShipsToCountry.objects.filter(listing=OuterRef("pk"), country=country))
    return (Q(ships_to_mode=ShipsToMode.ONLY) & Q(listed)) | (Q(ships_to_mode=ShipsToMode.ALL_EXCEPT) & ~Q(listed))


def effective_ships_to_filter(country: str) -> Q:
    """Listings whose effective destinations (ShipsTo.ships_to) include the country: their own
    setting names it and a shipping zone of their seller with a rate covers it."""
    # Written as a NOT IN of the companies without a rated zone there (as listing_public_queryset
    # leaves out suspended sellers): PostgreSQL hashes that small set once and checks it in whichever
    # index it reads the listings from, where an IN of the sellers that ship there made it read the
    # listings seller by seller from the table.
    shipping = hooks.rated_destinations().filter(country=country).values("seller_id")
    return ships_to_filter(country) & ~Q(seller__in=Company.objects.exclude(pk__in=shipping).values("pk"))


def seller_shipping_countries(seller_ids: Iterable[int]) -> dict[int, frozenset[str]]:
    """The rated destinations of each seller, in one query."""
    ids = sorted(set(seller_ids))
    found: dict[int, set[str]] = {pk: set() for pk in ids}
    for seller_id, country in hooks.rated_destinations().filter(seller_id__in=ids).order_by().values_list(
            "seller_id", "country"):
        found[seller_id].add(str(country))
    return {pk: frozenset(codes) for pk, codes in found.items()}


def listing_ships_to_map(listings: Iterable[Listing]) -> dict[int, ShipsTo]:
    """ShipsTo of each listing, in two queries however many (the listings' countries, the sellers' zones)."""
    listings = list(listings)
    listed: dict[int, set[str]] = {listing.pk: set() for listing in listings}
    for listing_id, country in ShipsToCountry.objects.filter(listing_id__in=sorted(listed)).order_by().values_list(
            "listing_id", "country"):
        listed[listing_id].add(str(country))
    zones = seller_shipping_countries(listing.seller_id for listing in listings)
    return {listing.pk: ShipsTo(mode=listing.ships_to_mode, listed=frozenset(listed[listing.pk]),
                                seller_countries=zones[listing.seller_id]) for listing in listings}


def listing_ships_to(listing: Listing) -> ShipsTo:
    """ShipsTo of one listing: its countries as prefetched (listing_get_for_actor), plus one query."""
    return ShipsTo(mode=listing.ships_to_mode,
                   listed=frozenset(str(row.country) for row in listing.ships_to_countries.all()),
                   seller_countries=seller_shipping_countries([listing.seller_id])[listing.seller_id])


def _country_names(codes: Iterable[str]) -> str:
    return ", ".join(sorted(str(countries.name(code) or code) for code in codes))


def listing_shipping_warnings(ships_to: ShipsTo) -> list[str]:
    """What the seller is told about destinations without a shipping rate: buyers neither find the
    listing for them nor can order it there. Empty when every destination has a rate."""
    if not ships_to.seller_has_rates:
        return [_("Your company has no shipping rates yet, so buyers see that this listing ships nowhere and "
                  "cannot order it. Add a shipping zone with rates.")]
    unrated = ships_to.unrated
    if not unrated:
        return []
    if ships_to.mode == ShipsToMode.ONLY:
        return [_("No shipping rate for: %(countries)s. Buyers do not see these destinations until a shipping "
                  "zone with rates covers them.") % {"countries": _country_names(unrated)}]
    return [_("This listing ships to every country except the listed ones, but only %(rated)d of them have a "
              "shipping rate: %(countries)s. Buyers see only those; %(unrated)d other countries have no "
              "shipping rate.") % {"rated": len(ships_to.countries), "countries": _country_names(ships_to.countries),
                                   "unrated": len(unrated)}]


# --- browse and search -----------------------------------------------------------------------------

@dataclass(frozen=True)
class SearchParams:
    q: str = ""
    category: Category | None = None
    origin_country: str = ""
    seller_country: str = ""
    price_min: Decimal | None = None  # in the display currency
    price_max: Decimal | None = None
    moq_max: int | None = None
    incoterm: str = ""
    ships_to: str = ""
    verified_only: bool = False
    # The seller's last 90 days (trust.models.SellerPerformance): median hours to accept an order at
    # most, on-time shipping share at least (%). A seller without enough orders for a figure is left out.
    responds_within: int | None = None
    on_time_min: int | None = None
    # The seller's average rating from reviews (reviews.models.SellerRating) at least this (1 to 5).
    rating_min: int | None = None
    sort: str = "relevance"  # relevance | price_asc | price_desc | newest | fastest_response | most_on_time
    #                          | best_rated
    display: DisplayCurrency = EUR_DISPLAY

    def has_filters(self) -> bool:
        """Whether any filter narrows the listings: any field but the text, the sort and the display
        currency that is not at its default (so a filter added later counts without a change here)."""
        return any(getattr(self, item.name) != item.default for item in fields(self)
                   if item.name not in _NOT_FILTERS)


_NOT_FILTERS = frozenset({"q", "sort", "display"})


SORTS = ("relevance", "price_asc", "price_desc", "newest", "fastest_response", "most_on_time", "best_rated")
RESPONDS_WITHIN_HOURS = (24, 48, 72)


def listing_search(*, params: SearchParams) -> QuerySet[Listing]:
    """Published listings matching the text and filters, sorted as asked. Price bounds and price
    order are in the display currency, on price_eur (marketplace.prices); the ships-to country is
    an effective destination (effective_ships_to_filter)."""
    qs = listing_public_queryset()
    if params.category is not None:
        qs = qs.filter(category_with_descendants(params.category))
    if params.origin_country:
        qs = qs.filter(origin_country=params.origin_country)
    if params.seller_country:
        qs = qs.filter(seller__country=params.seller_country)
    if params.price_min is not None or params.price_max is not None:
        qs = qs.filter(prices.price_range_condition(low=params.price_min, high=params.price_max,
                                                    per_eur=params.display.per_eur))
    if params.moq_max is not None:
        qs = qs.filter(moq__lte=params.moq_max)
    if params.incoterm:
        qs = qs.filter(Exists(ListingIncoterm.objects.filter(listing=OuterRef("pk"), incoterm=params.incoterm)))
    if params.ships_to:
        qs = qs.filter(effective_ships_to_filter(params.ships_to))
    if params.verified_only:
        qs = qs.filter(seller__verification_status=VerificationStatus.VERIFIED)
    if params.responds_within is not None:
        qs = qs.filter(seller__performance__accept_hours_90d__lte=params.responds_within)
    if params.on_time_min is not None:
        qs = qs.filter(seller__performance__on_time_pct_90d__gte=params.on_time_min)
    if params.rating_min is not None:
        qs = qs.filter(seller__rating__average__gte=params.rating_min)
    order = {
        "price_asc": [F("price_eur").asc(nulls_last=True), "-pk"],
        "price_desc": [F("price_eur").desc(nulls_last=True), "-pk"],
        "newest": ["-published_at", "-pk"],
        "fastest_response": [F("seller__performance__accept_hours_90d").asc(nulls_last=True), "-published_at",
                             "-pk"],
        "most_on_time": [F("seller__performance__on_time_pct_90d").desc(nulls_last=True), "-published_at", "-pk"],
        "best_rated": [F("seller__rating__average").desc(nulls_last=True),
                       F("seller__rating__review_count").desc(nulls_last=True), "-published_at", "-pk"],
    }.get(params.sort)
    qs, ranked = _text_search(qs, params.q, by_relevance=order is None, whole_catalogue=not params.has_filters())
    if order is None:
        order = list(search.RELEVANCE_ORDER) if ranked else ["-published_at", "-pk"]
    return _with_card_data(qs).defer(*LIST_DEFERRED_FIELDS).order_by(*order)


# The columns a catalogue card shows (frontend.catalogue.cards) and listing_price_in reads. A page of
# cards reads only these: every other column of the listing and its seller costs its parsing and an
# attribute per row, and the cards' category comes from the category tree the page has read.
CARD_FIELDS = ("seller", "title", "category", "unit", "moq", "hs_code", "origin_country", "price_from",
               "price_eur", "currency", "seller__legal_name", "seller__country", "seller__verification_status",
               "seller__performance__figures")


def listing_card_rows(qs: QuerySet[Listing]) -> QuerySet[Listing]:
    """listing_search's listings with only what a card shows: the seller and its performance figures
    in the same query, no category join and no prefetches (listing_card_page_rows adds the pictures
    and Incoterms to a page of them)."""
    return qs.prefetch_related(None).select_related(None).select_related(
        "seller", "seller__performance").only(*CARD_FIELDS)


def listing_card_page_rows(page: QuerySet[Listing]) -> list[Listing]:
    """A page of listing_card_rows (a slice of them) read, each with, in the same query, the stored
    name of its first picture as `card_picture` (None without one; listing_card_picture_url gives its
    address) and its Incoterms as `card_incoterms` (a list in alphabetical order). Added to the page
    only, so counting the rows looks neither up."""
    first_picture = ListingImage.objects.filter(listing=OuterRef("pk")).order_by("position", "pk").values("image")[:1]
    # The codes are letters only: joined with commas, split again and sorted here (SQLite before 3.44
    # cannot order inside group_concat).
    incoterms = (ListingIncoterm.objects.filter(listing=OuterRef("pk")).order_by().values("listing")
                 .annotate(codes=StringAgg("incoterm", Value(","))).values("codes"))
    rows = list(page.annotate(card_picture=Subquery(first_picture), card_incoterm_codes=Subquery(incoterms)))
    for listing in rows:
        listing.card_incoterms = sorted(listing.card_incoterm_codes.split(",")) if listing.card_incoterm_codes else []
    return rows


def listing_card_picture_url(name: str) -> str:
    """The address of a listing picture stored under that name (what ListingImage.image.url gives)."""
    return ListingImage._meta.get_field("image").storage.url(name)


def listing_search_suggestion(*, params: SearchParams, listings: QuerySet[Listing] | None = None) -> str | None:
    """The search text with its misspelt words corrected ("cotton towl" -> "cotton towel"), to offer
    as "Did you mean"; None when no word is misspelt (marketplace.search.did_you_mean, on every
    database). It reads the whole public catalogue, not only the listings the filters keep.

    `listings`, the list listing_search made for the same params once it has been read: what its
    search has read already is not looked up again (marketplace.search.did_you_mean's candidates)."""
    if not params.q.strip():
        return None
    return search.did_you_mean(params.q, candidates=search.read_candidates(listings) if listings is not None else None)


def _text_search(qs: QuerySet[Listing], text: str, *, by_relevance: bool = True,
                 whole_catalogue: bool = False) -> tuple[QuerySet[Listing], bool]:
    """Narrows the listings to those matching the text. Returns the queryset and whether it carries
    a `rank` annotation (higher is better); `by_relevance` when the page is sorted by it (PostgreSQL
    then ranks a bounded set of candidates, see marketplace.search); `whole_catalogue` when `qs` is
    every public listing, no filter (what the candidates then tell did_you_mean).

    PostgreSQL: full-text search of `search_document` plus trigram similarity of the title, see
    marketplace.search. SQLite: its FTS5 index with English stems and a trigram vocabulary for
    typos, see marketplace.search_sqlite. Elsewhere a portable fallback: every word must appear in
    the document, ignoring case, and nothing is ranked."""
    text = search.clean_query(text)
    if not text:
        return qs, False
    if connection.vendor == "postgresql":
        return search.postgresql_text_search(qs, text, by_relevance=by_relevance,
                                             whole_catalogue=whole_catalogue), True
    if connection.vendor == "sqlite":
        return search_sqlite.text_search(qs, text), True
    for word in text.split()[:search.MAX_QUERY_WORDS]:
        qs = qs.filter(search_document__icontains=word)
    return qs, False


def listing_moderation_queue(*, actor: Actor, kind: str = "", category: Category | None = None,
                             seller_country: str = "") -> QuerySet[Listing]:
    """Listings waiting for a moderator, oldest first: new submissions, changes to published
    listings, and published listings with open reports."""
    if not _is_moderator(actor):
        return Listing.objects.none()
    open_reports = ListingReport.objects.filter(listing=OuterRef("pk"), resolved_at__isnull=True)
    waiting = {
        "submitted": Q(status=ListingStatus.PENDING_REVIEW),
        "changes": Q(status=ListingStatus.PUBLISHED, pending_changes__isnull=False),
        "reported": Q(status=ListingStatus.PUBLISHED) & Q(Exists(open_reports)),
    }
    condition = waiting.get(kind) if kind in waiting else waiting["submitted"] | waiting["changes"] | waiting["reported"]
    qs = Listing.objects.filter(condition)
    if category is not None:
        qs = qs.filter(category_with_descendants(category))
    if seller_country:
        qs = qs.filter(seller__country=seller_country)
    qs = qs.annotate(open_reports=Count("reports", filter=Q(reports__resolved_at__isnull=True)),
                     waiting_since=Coalesce("pending_changes_at", "status_changed_at"))
    return _with_card_data(qs).order_by("waiting_since", "pk")


@dataclass(frozen=True)
class FieldChange:
    """One field of a published listing that a waiting edit changes, both versions as text."""
    field: str
    label: str
    old: str
    new: str


# The fields of a listing a seller edits, in the order of the editor; stock is never held for review.
REVIEWED_FIELDS = ("title", "description", "category", "unit", "moq", "order_multiple", "lead_time_days",
                   "origin_country", "hs_code", "weight_kg", "length_cm", "width_cm", "height_cm", "incoterms",
                   "price_tiers", "ships_to_mode", "ships_to_countries", "certificates")
_RELATED_LABELS = {"incoterms": gettext_lazy("Incoterms"), "price_tiers": gettext_lazy("Price tiers"),
                   "ships_to_countries": gettext_lazy("Countries"), "certificates": gettext_lazy("Certificates")}
_EMPTY = "—"


def _number_text(value: Any) -> str:
    """0.550 and "0.55" read the same: no trailing zeros."""
    text = format(Decimal(str(value)), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _field_text(field: str, value: Any, *, currency: str, categories: dict[int, Category]) -> str:
    """A field's value as a moderator reads it: labels for choices, country names, prices with the currency."""
    if value in (None, "", []):
        return _EMPTY
    if field == "category":
        category = categories.get(int(value))
        return _(category.name) if category is not None else _EMPTY
    if field == "unit":
        return str(Unit(value).label) if value in Unit.values else str(value)
    if field == "ships_to_mode":
        return str(ShipsToMode(value).label) if value in ShipsToMode.values else str(value)
    if field == "origin_country":
        return str(countries.name(str(value))) or str(value)
    if field in ("weight_kg", "length_cm", "width_cm", "height_cm"):
        return _number_text(value)
    if field == "incoterms":
        return ", ".join(str(Incoterm(term).label) if term in Incoterm.values else str(term) for term in value)
    if field == "price_tiers":
        return "; ".join(_("from %(quantity)s: %(price)s %(currency)s") % {
            "quantity": quantity, "price": f"{Decimal(str(price)):.2f}", "currency": currency}
            for quantity, price in value)
    if field == "ships_to_countries":
        return ", ".join(str(countries.name(code)) or code for code in value)
    if field == "certificates":
        return "; ".join(_certificate_text(certificate) for certificate in value)
    return str(value)


def _certificate_text(certificate: dict[str, Any]) -> str:
    details = [certificate.get("issuer") or ""]
    if certificate.get("number"):
        details.append(certificate["number"])
    if certificate.get("valid_until"):
        details.append(_("valid until %(date)s") % {"date": str(certificate["valid_until"])})
    return f"{certificate.get('name') or ''} ({', '.join(d for d in details if d)})"


def _approved_values(listing: Listing) -> dict[str, Any]:
    """The approved version's values in the form of a pending change set (related rows prefetched)."""
    values: dict[str, Any] = {field: getattr(listing, field) for field in REVIEWED_FIELDS
                              if field not in _RELATED_LABELS and field != "category"}
    values["category"] = listing.category_id
    values["origin_country"] = str(listing.origin_country.code if listing.origin_country else "")
    values["incoterms"] = sorted(row.incoterm for row in listing.incoterm_rows.all())
    values["price_tiers"] = sorted((tier.min_quantity, tier.unit_price) for tier in listing.price_tiers.all())
    values["ships_to_countries"] = sorted(str(row.country.code) for row in listing.ships_to_countries.all())
    values["certificates"] = [{"name": c.name, "issuer": c.issuer, "number": c.number,
                               "valid_until": c.valid_until.isoformat() if c.valid_until else None}
                              for c in listing.certificates.all()]
    return values


def listing_pending_diff(listing: Listing, *, categories: dict[int, Category] | None = None) -> list[FieldChange]:
    """What a waiting edit of a published listing changes, field by field (approved → proposed), in the
    order of the editor; fields the edit sets to the value they already have are left out. Reads the
    listing's prefetched related rows; `categories` holds the categories the edits name (one query
    for a page, listing_moderation_details), else the category is read here."""
    pending = listing.pending_changes
    if not pending:
        return []
    proposed: dict[str, Any] = dict(pending.get("scalars") or {})
    for field in _RELATED_LABELS:
        if pending.get(field) is not None:
            proposed[field] = pending[field]
    if categories is None:
        categories = Category.objects.in_bulk([value for value in [proposed.get("category")] if value])
    categories = {**categories, listing.category_id: listing.category}
    approved = _approved_values(listing)
    changes = []
    for field in REVIEWED_FIELDS:
        if field not in proposed:
            continue
        old = _field_text(field, approved[field], currency=listing.currency, categories=categories)
        new = _field_text(field, proposed[field], currency=listing.currency, categories=categories)
        if old != new:
            label = _RELATED_LABELS.get(field) or Listing._meta.get_field(field).verbose_name
            changes.append(FieldChange(field=field, label=str(label)[:1].upper() + str(label)[1:], old=old, new=new))
    return changes


@dataclass(frozen=True)
class ModerationDetail:
    images: list[ListingImage]
    changes: list[FieldChange]


def listing_moderation_details(listings: Iterable[Listing]) -> dict[int, ModerationDetail]:
    """The images and the field-by-field changes of a page of the moderation queue, in a fixed number
    of queries whatever the number of listings (images, countries, certificates, and the categories
    the edits name)."""
    listings = list(listings)
    prefetch_related_objects(listings, "images", "ships_to_countries", "certificates")
    named = {int(value) for listing in listings
             if (value := ((listing.pending_changes or {}).get("scalars") or {}).get("category"))
             and str(value).isdigit()}
    categories = Category.objects.in_bulk(sorted(named)) if named else {}
    return {listing.pk: ModerationDetail(
        images=list(listing.images.all()),
        changes=listing_pending_diff(listing, categories=categories)
        if listing.status == ListingStatus.PUBLISHED else [])
        for listing in listings}


def listing_report_list(*, actor: Actor, listing: Listing | None = None) -> QuerySet[ListingReport]:
    if not _is_moderator(actor):
        return ListingReport.objects.none()
    qs = ListingReport.objects.filter(resolved_at__isnull=True).select_related("listing", "reporter")
    if listing is not None:
        qs = qs.filter(listing=listing)
    return qs.order_by("created_at", "pk")


def listing_import_get(*, actor: Actor, pk: int | str) -> ListingImport:
    """An upload and its progress (`progress_percent`), for members of the uploading company only."""
    if not actor.is_authenticated:
        raise Http404
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    listing_import = ListingImport.objects.filter(
        pk=pk, seller__in=member_company_ids_query(actor=actor)).first()
    if listing_import is None:
        raise Http404
    return listing_import


# --- dashboards ------------------------------------------------------------------------------------

# The states a moderator sends a listing back to its seller in.
SENT_BACK = (ListingStatus.CHANGES_REQUESTED, ListingStatus.REJECTED)


def listing_sent_back_list(*, seller: Company) -> QuerySet[Listing]:
    """The selling company's listings a moderator sent back (changes requested or rejected), latest
    decision first, with its reason in `status_reason`."""
    return Listing.objects.filter(seller=seller, status__in=SENT_BACK).order_by("-status_changed_at", "-pk")


def listing_queue_sizes(*, actor: Actor) -> dict[str, tuple[int, datetime | None]]:
    """The parts of the moderators' listing queue: new submissions, changes to published listings and
    open reports of listings, each as (how many, since when the oldest waits). Two queries; nothing
    for anyone but a moderator."""
    if not _is_moderator(actor):
        return {}
    submitted = Q(status=ListingStatus.PENDING_REVIEW)
    changes = Q(status=ListingStatus.PUBLISHED, pending_changes__isnull=False)
    listings = Listing.objects.aggregate(
        submitted_count=Count("pk", filter=submitted), submitted_oldest=Min("status_changed_at", filter=submitted),
        changes_count=Count("pk", filter=changes), changes_oldest=Min("pending_changes_at", filter=changes))
    reports = ListingReport.objects.filter(resolved_at__isnull=True).aggregate(n=Count("pk"), oldest=Min("created_at"))
    return {"submitted": (listings["submitted_count"], listings["submitted_oldest"]),
            "changes": (listings["changes_count"], listings["changes_oldest"]),
            "reports": (reports["n"], reports["oldest"])}


def listing_decisions_per_day(*, actor: Actor, since: datetime) -> dict[date, int]:
    """How many listing decisions moderators took each day since `since`: the moderator's moves of the
    listing life cycle and decisions on changes to published listings (a decision that keeps the
    state). Days without any are left out; nothing for anyone but a moderator."""
    if not _is_moderator(actor):
        return {}
    moves = Q(from_status=F("to_status"))
    for frm, to, role in LIFECYCLE.triples():
        if role == MODERATOR:
            moves |= Q(from_status=frm, to_status=to)
    rows = (ListingDecision.objects.filter(moves, created_at__gte=since)
            .annotate(day=TruncDate("created_at")).values("day").annotate(n=Count("pk")).order_by())
    return {row["day"]: row["n"] for row in rows}
