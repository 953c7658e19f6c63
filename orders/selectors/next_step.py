"""What happens next on an order: the steps of its life so far and ahead, and for the next step who
must act, by when, and what the system does when nobody does.

The path is placed -> accepted -> paid -> shipped -> delivered -> completed, where "paid" is a step
only when the payment terms want money before shipment (order.due_before_shipment, the amount the
shipping rule in orders.services.payments asks too): under a letter of credit or net terms the
seller ships an accepted order straight away. Branches (refused, cancelled, disputed, resolved)
appear as they happened, read from the order's events (the time of each done step is its event's).

Deadlines are never computed here: orders.services.timed is the one home of the timed moves and of
their deadline rule (timed_move_of)."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from ..models import Order, OrderEvent, OrderRole, OrderStatus
from ..services.payments import shipping_allowed
from ..services.timed import timed_move_of
from ..transitions import TIMESTAMP_FIELD

S = OrderStatus
R = OrderRole

DONE, CURRENT, NEXT, UPCOMING = "done", "current", "next", "upcoming"
TERMINAL = frozenset({S.COMPLETED, S.REFUSED, S.CANCELLED})
MAIN_PATH = (S.PLACED, S.ACCEPTED, S.PAID, S.SHIPPED, S.DELIVERED, S.COMPLETED)
AFTER_DISPUTE = (S.DISPUTED, S.RESOLVED, S.COMPLETED)

# The next step of an order in each open state: (the state it moves to, who must act, the action).
# The system acts where nobody needs to: the clock completes a delivered order, the buyer may only
# stop it by opening a dispute (or complete it sooner).
NEXT_MOVE = {
    S.PLACED: (S.ACCEPTED, R.SELLER, "accept"),
    S.ACCEPTED: (S.PAID, R.BUYER, "pay"),  # or shipped by the seller when nothing is due before shipment
    S.PAID: (S.SHIPPED, R.SELLER, "ship"),
    S.SHIPPED: (S.DELIVERED, R.BUYER, "confirm_delivery"),
    S.DELIVERED: (S.COMPLETED, R.SYSTEM, "complete"),
    S.DISPUTED: (S.RESOLVED, R.MODERATOR, "resolve"),
    S.RESOLVED: (S.COMPLETED, R.SYSTEM, "close"),
}

# What the page says of the next step: (action, the viewer is the one who acts, a clock runs) -> text.
SENTENCES = {
    ("accept", True, True): _("You must accept or refuse the order by %(deadline)s, or it is refused "
                              "automatically."),
    ("accept", False, True): _("Waiting for the seller to accept the order by %(deadline)s, or it is refused "
                               "automatically."),
    ("accept", True, False): _("You must accept or refuse the order."),
    ("accept", False, False): _("Waiting for the seller to accept the order."),
    ("pay", True, True): _("You must pay what is due before shipment by %(deadline)s, or the order is cancelled "
                           "automatically."),
    ("pay", False, True): _("Waiting for the buyer to pay what is due before shipment by %(deadline)s, or the "
                            "order is cancelled automatically."),
    ("pay", True, False): _("You must pay the rest of what is due before shipment; the seller ships once it is "
                            "paid."),
    ("pay", False, False): _("Waiting for the buyer to pay the rest of what is due before shipment."),
    ("ship", True, False): _("You must ship the order."),
    ("ship", False, False): _("Waiting for the seller to ship the order."),
    ("confirm_delivery", True, True): _("You must confirm the delivery by %(deadline)s, or it is taken as "
                                        "confirmed automatically."),
    ("confirm_delivery", False, True): _("Waiting for the buyer to confirm the delivery by %(deadline)s, or it is "
                                         "taken as confirmed automatically."),
    ("confirm_delivery", True, False): _("You must confirm the delivery."),
    ("confirm_delivery", False, False): _("Waiting for the buyer to confirm the delivery."),
    ("complete", True, True): _("The order completes automatically on %(deadline)s; until then you may complete "
                                "it or open a dispute."),
    ("complete", False, True): _("The order completes automatically on %(deadline)s unless the buyer opens a "
                                 "dispute first."),
    ("complete", True, False): _("You may complete the order or open a dispute."),
    ("complete", False, False): _("Waiting for the buyer to complete the order or open a dispute."),
    ("resolve", True, False): _("You must resolve the dispute."),
    ("resolve", False, False): _("Waiting for a moderator to resolve the dispute."),
    ("close", True, True): _("The order closes automatically on %(deadline)s; you may complete it sooner."),
    ("close", False, True): _("On %(deadline)s the order closes automatically."),
    ("close", True, False): _("You may complete the order."),
    ("close", False, False): _("Waiting for the buyer to complete the order."),
}

# Who may act sooner than the system on the steps the system takes: the buyer.
EARLY_ACTOR = {"complete": R.BUYER, "close": R.BUYER}


@dataclass(frozen=True)
class Step:
    status: str
    state: str  # done, current, next or upcoming
    at: datetime | None = None  # when a done or current step happened

    @property
    def label(self) -> str:
        return str(S(self.status).label)

    @property
    def state_label(self) -> str:
        return str(STATE_LABELS[self.state])


STATE_LABELS = {DONE: _("done"), CURRENT: _("current step"), NEXT: _("next step"), UPCOMING: _("to come")}


@dataclass(frozen=True)
class NextStep:
    status: str  # the state the order moves to
    actor: str  # OrderRole: buyer, seller, moderator or system
    action: str  # a key of SENTENCES
    deadline: datetime | None = None  # when the system moves the order if nobody acts
    on_timeout: str = ""  # the state the system moves it to then

    @property
    def actor_label(self) -> str:
        return str(R(self.actor).label)

    def sentence(self, roles: Iterable[str]) -> str:
        """The next step in words, addressed to a viewer acting in `roles` ("You must accept by ..." or
        "Waiting for the buyer to ..."), the deadline in the active language and time zone."""
        acting = EARLY_ACTOR.get(self.action, self.actor)
        text = SENTENCES[(self.action, acting in set(roles), self.deadline is not None)]
        if self.deadline is None:
            return str(text)
        return str(text) % {"deadline": deadline_display(self.deadline)}


@dataclass(frozen=True)
class OrderProgress:
    steps: tuple[Step, ...]
    next_step: NextStep | None
    sentence: str


def deadline_display(moment: datetime) -> str:
    return formats.date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")


def order_next_step(order: Order) -> NextStep | None:
    """The next step of the order, from its state, payment terms and timestamps (no query); None once
    it is completed, refused or cancelled."""
    if order.status not in NEXT_MOVE:
        return None
    to_status, actor, action = NEXT_MOVE[order.status]
    if order.status == S.ACCEPTED and shipping_allowed(order):  # nothing due before shipment: the seller ships
        to_status, actor, action = S.SHIPPED, R.SELLER, "ship"
    timed = timed_move_of(order)
    if timed is None:
        return NextStep(status=to_status, actor=actor, action=action)
    rule, deadline = timed
    return NextStep(status=to_status, actor=actor, action=action, deadline=deadline, on_timeout=rule.to_status)


def _path_so_far(order: Order, events: Iterable[OrderEvent] | None) -> list[tuple[str, datetime | None]]:
    """The states the order has been in, in order, each with the time it entered it: from its events,
    or from its timestamps when it has none."""
    path: list[tuple[str, datetime | None]] = []
    for event in events or ():
        if event.to_status and event.to_status not in {status for status, _at in path}:
            path.append((event.to_status, event.created_at))
    if not path:
        stamped = [(status, getattr(order, field)) for status, field in TIMESTAMP_FIELD.items()
                   if getattr(order, field) is not None]
        path = sorted(stamped, key=lambda item: item[1])
    if not path or path[-1][0] != order.status:
        path = [item for item in path if item[0] != order.status]
        path.append((order.status, getattr(order, TIMESTAMP_FIELD[order.status])))
    return path


def _path_ahead(order: Order) -> list[str]:
    if order.status in TERMINAL:
        return []
    if order.status in AFTER_DISPUTE:
        ahead = list(AFTER_DISPUTE[AFTER_DISPUTE.index(order.status) + 1:])
    else:
        ahead = list(MAIN_PATH[MAIN_PATH.index(order.status) + 1:])
    if order.due_before_shipment <= 0 and S.PAID in ahead:
        ahead.remove(S.PAID)
    return ahead


def order_steps(order: Order, *, events: Iterable[OrderEvent] | None = None) -> list[Step]:
    """The steps of the order's life: those done (with their time), the current one, the next and those
    to come if all goes to plan."""
    path = _path_so_far(order, events)
    steps = [Step(status=status, state=DONE, at=at) for status, at in path[:-1]]
    steps.append(Step(status=path[-1][0], state=CURRENT, at=path[-1][1]))
    for i, status in enumerate(_path_ahead(order)):
        steps.append(Step(status=status, state=NEXT if i == 0 else UPCOMING))
    return steps


def order_progress(*, order: Order, roles: Iterable[str]) -> OrderProgress:
    """The steps and the next step of an order fetched by order_get (its prefetched events give the
    times; no further query), with the next step in words for a viewer acting in `roles`."""
    next_step = order_next_step(order)
    return OrderProgress(steps=tuple(order_steps(order, events=order.events.all())), next_step=next_step,
                         sentence=next_step.sentence(roles) if next_step else "")
