"""A seller's payment terms and trusted buyers, and the terms a seller offers a buyer."""
from __future__ import annotations


from django.db.models import QuerySet

from accounts.models import Company, MembershipRole
from accounts.selectors import Actor, membership_get

from ..payment_terms import Terms
from ..models import SellerPaymentTerm, TrustedBuyer


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
