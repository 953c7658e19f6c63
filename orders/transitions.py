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

from core.statemachine import THIS, Move, TransitionTable

from .models import OrderRole as R
from .models import OrderStatus as S

NEW = ""  # the state of an order before it exists


ORDER_FLOW = TransitionTable("order", {
    (NEW, S.PLACED): Move(R.BUYER),
    (S.PLACED, S.ACCEPTED): Move(R.SELLER),
    (S.PLACED, S.REFUSED): Move(R.SELLER, R.SYSTEM, reason_required=True),
    (S.PLACED, S.CANCELLED): Move(R.BUYER),
    (S.ACCEPTED, S.PAID): Move(R.SELLER, R.SYSTEM),
    (S.ACCEPTED, S.SHIPPED): Move(R.SELLER),
    (S.ACCEPTED, S.CANCELLED): Move(R.BUYER, R.SELLER, R.SYSTEM, reason_required=True),
    (S.PAID, S.SHIPPED): Move(R.SELLER),
    (S.SHIPPED, S.DELIVERED): Move(R.BUYER, R.SYSTEM),
    (S.DELIVERED, S.COMPLETED): Move(R.BUYER, R.SYSTEM),
    (S.DELIVERED, S.DISPUTED): Move(R.BUYER, reason_required=True),
    (S.DISPUTED, S.RESOLVED): Move(R.MODERATOR, reason_required=True),
    (S.RESOLVED, S.COMPLETED): Move(R.BUYER, R.SYSTEM),
}, wording=THIS)

# What a buyer or a seller whose company is suspended may still do: only the moves the other party
# needs to be made whole (README "Suspension"); accounts.selectors.company_require_not_suspended
# refuses every other buyer or seller move. (from, to, role).
SUSPENDED_MAY = frozenset({
    (S.PLACED, S.REFUSED, R.SELLER),      # frees the buyer's order and gives the stock back
    (S.ACCEPTED, S.CANCELLED, R.SELLER),  # with a reason; money paid is the buyer's to claim
    (S.ACCEPTED, S.PAID, R.SELLER),       # records money the buyer has paid
    (S.PAID, S.SHIPPED, R.SELLER),        # the buyer paid: the goods go out
    (S.PLACED, S.CANCELLED, R.BUYER),
    (S.ACCEPTED, S.CANCELLED, R.BUYER),
    (S.SHIPPED, S.DELIVERED, R.BUYER),    # the seller shipped: the buyer confirms
    (S.DELIVERED, S.COMPLETED, R.BUYER),
    (S.DELIVERED, S.DISPUTED, R.BUYER),
    (S.RESOLVED, S.COMPLETED, R.BUYER),
})

# The moves a person takes by name (the API's action endpoints, the order page's buttons) and the state
# each moves to. Who may take one is the table's to say: `actions_for` names those a viewer may take.
ACTIONS: dict[str, str] = {
    "accept": S.ACCEPTED,
    "refuse": S.REFUSED,
    "cancel": S.CANCELLED,
    "pay": S.PAID,
    "ship": S.SHIPPED,
    "confirm-delivery": S.DELIVERED,
    "complete": S.COMPLETED,
    "dispute": S.DISPUTED,
    "resolve": S.RESOLVED,
}


def actions_for(moves: set[tuple[str, str]]) -> list[str]:
    """The names of the actions (ACTIONS order) among a viewer's (role, target state) moves, as
    orders.services.payments.order_moves_available gives them from ORDER_FLOW and the payment terms."""
    targets = {to for _role, to in moves}
    return [name for name, to in ACTIONS.items() if to in targets]


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
