"""The order life cycle, kept as data, with one pure check.

Some moves may be taken by more than one role (a buyer or the seller cancels an accepted order; the
seller refuses a placed order or the system does when the seller does not answer in time), so each
move names a set of roles. The first row is the placing of the order itself: from nothing to placed.

    placed    -> accepted    seller
    placed    -> refused     seller, system (no answer in time)      reason; stock goes back
    placed    -> cancelled   buyer                                   stock goes back
    accepted  -> paid        seller, system (everything due before shipment is paid; the seller or a
                             matched bank statement records the payments)
    accepted  -> shipped     seller (only when the payment terms leave nothing due before shipment:
                             letter of credit, net days)
    accepted  -> cancelled   buyer, seller, system (not paid in time) reason; stock goes back
    paid      -> shipped     seller (carrier, tracking number, documents)
    shipped   -> delivered   buyer, system (not confirmed in time)
    delivered -> completed   buyer, system (dispute window over)
    delivered -> disputed    buyer                                   reason
    disputed  -> resolved    moderator (refund amount or none)        reason
    resolved  -> completed   buyer, system
"""
from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from core.statemachine import MoveNotAllowed, ReasonRequired

from .models import OrderRole as R
from .models import OrderStatus as S

NEW = ""  # the state of an order before it exists


@dataclass(frozen=True)
class OrderMove:
    roles: frozenset[str]
    reason_required: bool = False


def move(*roles: str, reason_required: bool = False) -> OrderMove:
    return OrderMove(roles=frozenset(roles), reason_required=reason_required)


@dataclass(frozen=True)
class RoleSetTransitionTable:
    """Like core.statemachine.TransitionTable, with a set of roles allowed per move."""

    subject: str
    moves: dict[tuple[str, str], OrderMove]

    def check(self, *, from_status: str, to_status: str, role: str, reason: str = "") -> OrderMove:
        found = self.moves.get((from_status, to_status))
        if found is None:
            raise MoveNotAllowed(_("This %(subject)s cannot go from %(from)s to %(to)s.")
                                 % {"subject": self.subject, "from": from_status or "-", "to": to_status})
        if role not in found.roles:
            raise MoveNotAllowed(_("A %(role)s cannot move this %(subject)s from %(from)s to %(to)s.")
                                 % {"role": role, "subject": self.subject, "from": from_status or "-",
                                    "to": to_status})
        if found.reason_required and not (reason or "").strip():
            raise ReasonRequired(_("A reason is required for this decision."))
        return found

    def allows(self, *, from_status: str, to_status: str, role: str) -> bool:
        found = self.moves.get((from_status, to_status))
        return found is not None and role in found.roles

    def targets(self, from_status: str, role: str) -> list[str]:
        return [to for (frm, to), found in self.moves.items() if frm == from_status and role in found.roles]

    def triples(self) -> set[tuple[str, str, str]]:
        """Every allowed (from, to, role)."""
        return {(frm, to, role) for (frm, to), found in self.moves.items() for role in found.roles}


ORDER_FLOW = RoleSetTransitionTable("order", {
    (NEW, S.PLACED): move(R.BUYER),
    (S.PLACED, S.ACCEPTED): move(R.SELLER),
    (S.PLACED, S.REFUSED): move(R.SELLER, R.SYSTEM, reason_required=True),
    (S.PLACED, S.CANCELLED): move(R.BUYER),
    (S.ACCEPTED, S.PAID): move(R.SELLER, R.SYSTEM),
    (S.ACCEPTED, S.SHIPPED): move(R.SELLER),
    (S.ACCEPTED, S.CANCELLED): move(R.BUYER, R.SELLER, R.SYSTEM, reason_required=True),
    (S.PAID, S.SHIPPED): move(R.SELLER),
    (S.SHIPPED, S.DELIVERED): move(R.BUYER, R.SYSTEM),
    (S.DELIVERED, S.COMPLETED): move(R.BUYER, R.SYSTEM),
    (S.DELIVERED, S.DISPUTED): move(R.BUYER, reason_required=True),
    (S.DISPUTED, S.RESOLVED): move(R.MODERATOR, reason_required=True),
    (S.RESOLVED, S.COMPLETED): move(R.BUYER, R.SYSTEM),
})

# Moves that give the ordered quantities back to the listings.
STOCK_RELEASING = frozenset({S.REFUSED, S.CANCELLED})

# The timestamp column each state sets when an order enters it.
TIMESTAMP_FIELD = {
    S.PLACED: "placed_at",
    S.ACCEPTED: "accepted_at",
    S.REFUSED: "refused_at",
    S.CANCELLED: "cancelled_at",
    S.PAID: "paid_at",
    S.SHIPPED: "shipped_at",
    S.DELIVERED: "delivered_at",
    S.DISPUTED: "disputed_at",
    S.RESOLVED: "resolved_at",
    S.COMPLETED: "completed_at",
}

ROLES = tuple(R.values)
STATUSES = tuple(S.values)
