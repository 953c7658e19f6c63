"""Reads that only the web pages need, built on the accounts and marketplace selectors."""
from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count
from django.http import Http404
from django.utils import timezone
from django_countries.fields import Country

from accounts import selectors as accounts_selectors
from accounts.models import Invite, VerificationStatus
from accounts.selectors import Actor
from marketplace import selectors as marketplace_selectors
from marketplace.models import Listing, ListingImport


@dataclass(frozen=True)
class CountryCount:
    country: Country
    count: int


def company_verified_count_by_country(*, actor: Actor) -> list[CountryCount]:
    """Verified companies per country, most first, then by country name."""
    rows = (accounts_selectors.company_list(actor=actor, status=VerificationStatus.VERIFIED)
            .order_by().values("country").annotate(count=Count("pk")))
    counts = [CountryCount(country=Country(code=row["country"]), count=row["count"]) for row in rows]
    return sorted(counts, key=lambda c: (-c.count, str(c.country.name)))


def invite_get_open(*, token: str) -> Invite | None:
    """The invite a link points to while it can still be accepted. The token is the credential."""
    return (Invite.objects.select_related("company", "invited_by")
            .filter(token=token, accepted_at__isnull=True, expires_at__gt=timezone.now()).first())


# --- catalogue ------------------------------------------------------------------------------------

def seller_listing_get(*, actor: Actor, pk: int) -> Listing:
    """One listing of a company the actor is a member of, with everything its editor shows."""
    listing = (marketplace_selectors.listing_list_for_seller(actor=actor)
               .prefetch_related("certificates", "ships_to_countries", "images").filter(pk=pk).first())
    if listing is None:
        raise Http404
    return listing


def listing_import_recent_list(*, actor: Actor, limit: int = 10) -> list[ListingImport]:
    """The latest uploads of the companies the actor is a member of, newest first."""
    if not actor.is_authenticated:
        return []
    companies = accounts_selectors.user_companies(user=actor).values("pk")
    return list(ListingImport.objects.filter(seller__in=companies).order_by("-created_at", "-pk")[:limit])
