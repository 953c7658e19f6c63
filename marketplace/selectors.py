"""Reads for the catalogue: public listings, a seller's own listings, search and the moderation queue."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.models import AnonymousUser
from django.contrib.postgres.expressions import ArraySubquery
from django.db import connection
from django.db.models import Count, Exists, F, Lookup, OuterRef, Prefetch, Q, QuerySet
from django.db.models.functions import Coalesce
from django.http import Http404

from accounts.models import Company, Membership, User, VerificationStatus

from . import search
from .models import (
    Category,
    Listing,
    ListingDecision,
    ListingImport,
    ListingIncoterm,
    ListingReport,
    ListingStatus,
    PriceTier,
    ShipsToCountry,
    ShipsToMode,
)

Actor = User | AnonymousUser


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
    """Everything a listing card or API row shows, in a fixed number of queries."""
    return qs.select_related("seller", "category", "category__parent").prefetch_related(
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
    listing = qs.filter(pk=pk).first()
    if listing is None:
        raise Http404
    if listing_is_public(listing):  # the seller came with the listing: no second query
        return listing
    if _is_moderator(actor):
        return listing
    if actor.is_authenticated and Membership.objects.filter(user=actor, company_id=listing.seller_id).exists():
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


@dataclass(frozen=True)
class SearchParams:
    q: str = ""
    category: Category | None = None
    origin_country: str = ""
    seller_country: str = ""
    price_min: Decimal | None = None
    price_max: Decimal | None = None
    moq_max: int | None = None
    incoterm: str = ""
    ships_to: str = ""
    verified_only: bool = False
    sort: str = "relevance"  # relevance | price_asc | price_desc | newest


SORTS = ("relevance", "price_asc", "price_desc", "newest")


def ships_to_filter(country: str) -> Q:
    listed = Exists(ShipsToCountry.objects.filter(listing=OuterRef("pk"), country=country))
    return (Q(ships_to_mode=ShipsToMode.ONLY) & Q(listed)) | (Q(ships_to_mode=ShipsToMode.ALL_EXCEPT) & ~Q(listed))


def listing_search(*, params: SearchParams) -> QuerySet[Listing]:
    """Published listings matching the text and filters, sorted as asked."""
    qs = listing_public_queryset()
    if params.category is not None:
        qs = qs.filter(category_with_descendants(params.category))
    if params.origin_country:
        qs = qs.filter(origin_country=params.origin_country)
    if params.seller_country:
        qs = qs.filter(seller__country=params.seller_country)
    if params.price_min is not None:
        qs = qs.filter(price_from__gte=params.price_min)
    if params.price_max is not None:
        qs = qs.filter(price_from__lte=params.price_max)
    if params.moq_max is not None:
        qs = qs.filter(moq__lte=params.moq_max)
    if params.incoterm:
        qs = qs.filter(Exists(ListingIncoterm.objects.filter(listing=OuterRef("pk"), incoterm=params.incoterm)))
    if params.ships_to:
        qs = qs.filter(ships_to_filter(params.ships_to))
    if params.verified_only:
        qs = qs.filter(seller__verification_status=VerificationStatus.VERIFIED)
    qs, ranked = _text_search(qs, params.q)
    order = {
        "price_asc": [F("price_from").asc(nulls_last=True), "-pk"],
        "price_desc": [F("price_from").desc(nulls_last=True), "-pk"],
        "newest": ["-published_at", "-pk"],
    }.get(params.sort)
    if order is None:
        order = ["-rank", "-published_at", "-pk"] if ranked else ["-published_at", "-pk"]
    return _with_card_data(qs).defer(*LIST_DEFERRED_FIELDS).order_by(*order)


def _text_search(qs: QuerySet[Listing], text: str) -> tuple[QuerySet[Listing], bool]:
    """Narrows the listings to those matching the text. Returns the queryset and whether it carries
    a `rank` annotation (higher is better).

    PostgreSQL: full-text search of `search_document` plus trigram similarity of the title, see
    marketplace.search. Elsewhere a portable fallback: every word must appear in the document,
    ignoring case, and nothing is ranked."""
    text = search.clean_query(text)
    if not text:
        return qs, False
    if connection.vendor == "postgresql":
        return search.postgresql_text_search(qs, text), True
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
        pk=pk, seller__in=Membership.objects.filter(user=actor).values("company")).first()
    if listing_import is None:
        raise Http404
    return listing_import
