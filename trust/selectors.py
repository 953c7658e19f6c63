"""Reads of the stored seller performance (written only by trust/tasks.py)."""
from __future__ import annotations

from django.http import Http404

from accounts.models import Company
from accounts.selectors import Actor, company_get

from .models import SellerPerformance


def seller_performance_get(*, seller: Company) -> SellerPerformance | None:
    """The seller's stored figures, or None while nothing was measured."""
    return SellerPerformance.objects.filter(seller=seller).first()


def seller_performance_public(*, actor: Actor, seller_id: int | str) -> tuple[Company, SellerPerformance | None]:
    """A seller company the actor may see and its figures; 404 for a company that is not visible to the
    actor or does not sell."""
    company = company_get(actor=actor, pk=seller_id)
    if not company.sells:
        raise Http404
    return company, seller_performance_get(seller=company)
