"""Checks shared by the cart, the checkout and the order moves."""
from __future__ import annotations

from django.utils.translation import gettext as _

from accounts.models import Company, Membership, User, VerificationStatus
from core.exceptions import ApplicationError, Forbidden

BLOCKED_STATUSES = frozenset({VerificationStatus.SUSPENDED, VerificationStatus.REJECTED})


def field_error(field: str, message: str, *, code: str = "validation_error") -> ApplicationError:
    return ApplicationError(message, code=code, fields={field: [message]})


def require_buyer_member(*, actor: User, buyer: Company) -> None:
    """The actor is a member of a company that buys and is neither suspended nor rejected."""
    if not (actor.is_authenticated and Membership.objects.filter(user=actor, company_id=buyer.pk).exists()):
        raise Forbidden(_("Only members of the buying company can do that."))
    if not buyer.buys:
        raise Forbidden(_("Only a company that buys can order."), code="not_a_buyer")
    if buyer.verification_status in BLOCKED_STATUSES:
        raise Forbidden(_("A %(status)s company cannot order.") % {"status": buyer.get_verification_status_display()},
                        code="buyer_blocked")
