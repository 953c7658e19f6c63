"""Checks shared by the cart, the checkout and the order moves."""
from __future__ import annotations

from django.utils.translation import gettext as _

from accounts.models import Company, User, VerificationStatus
from accounts.selectors import company_require_not_suspended, is_member, user_require_verified_email
from core.exceptions import Forbidden



BLOCKED_STATUSES = frozenset({VerificationStatus.REJECTED})


def require_buyer_member(*, actor: User, buyer: Company) -> None:
    """The actor is a member of a company that buys and is neither suspended (the suspension rule,
    accounts.selectors.company_require_not_suspended) nor rejected."""
    if not is_member(actor=actor, company_id=buyer.pk):
        raise Forbidden(_("Only members of the buying company can do that."))
    require_buyer_may_order(actor=actor, buyer=buyer)


def require_buyer_may_order(*, actor: User, buyer: Company) -> None:
    """require_buyer_member without its membership query, for a caller that has just read the
    membership itself (the cart reads it with the cart's lock)."""
    if not buyer.buys:
        raise Forbidden(_("Only a company that buys can order."), code="not_a_buyer")
    company_require_not_suspended(company=buyer)
    user_require_verified_email(actor=actor)
    if buyer.verification_status in BLOCKED_STATUSES:
        raise Forbidden(_("A %(status)s company cannot order.") % {"status": buyer.get_verification_status_display()},
                        code="buyer_blocked")
