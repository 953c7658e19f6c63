"""Hand-built orders and event histories for the performance tests: rows written directly, as the
order services would write them, so each test says exactly which moves happened when."""
from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from orders.models import Order, OrderEvent, OrderRole, OrderStatus, PurchaseGroup
from tests.factories.accounts import CompanyFactory, UserFactory

S = OrderStatus
R = OrderRole
NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
ZERO = Decimal("0.00")
_keys = itertools.count(1)


def hours(n: float) -> timedelta:
    return timedelta(hours=n)


def days(n: float) -> timedelta:
    return timedelta(days=n)


class Shop:
    """A seller, a buyer and a user who places orders."""

    def __init__(self, name: str = "Seller") -> None:
        self.seller = CompanyFactory(legal_name=f"{name} {next(_keys)} Ltd")
        self.buyer = CompanyFactory(legal_name=f"Buyer {next(_keys)} GmbH", kind="buyer", country="DE",
                                    default_currency="EUR")
        self.user = UserFactory()

    def order(self, placed_at: datetime, *, lead_time_days: int | None = 5, seller=None) -> Order:
        """An order placed at `placed_at` with its placed event."""
        group = PurchaseGroup.objects.create(buyer=self.buyer, idempotency_key=f"k-{next(_keys)}",
                                             request_fingerprint="x", created_by=self.user)
        order = Order.objects.create(
            buyer=self.buyer, seller=seller or self.seller, purchase_group=group, placed_by=self.user,
            currency="TRY", buyer_currency="EUR", fx_rate=Decimal("0.025"), fx_rate_date=placed_at.date(),
            fx_source="ecb", incoterm="EXW", destination_country="DE", destination_address="Berlin",
            goods_total=Decimal("100.00"), shipping=ZERO, insurance=ZERO, duty=ZERO, vat=ZERO,
            total=Decimal("100.00"), invoice_total=Decimal("100.00"), buyer_other_costs=ZERO,
            invoice_total_in_buyer_currency=Decimal("2.50"), buyer_other_costs_in_buyer_currency=ZERO,
            total_weight_kg=Decimal("1.000"), placed_at=placed_at)
        payload = {} if lead_time_days is None else {"lead_time_days": lead_time_days}
        OrderEvent.objects.create(order=order, role=R.BUYER, from_status="", to_status=S.PLACED, payload=payload,
                                  created_at=placed_at)
        return order


def move(order: Order, to: str, role: str, at: datetime, *, payload: dict | None = None) -> OrderEvent:
    """Writes the event of a move of `order` (its status follows) at `at`."""
    current = order.status
    order.status = to
    order.save(update_fields=["status"])
    return OrderEvent.objects.create(order=order, role=role, from_status=current, to_status=to,
                                     payload=payload or {}, created_at=at)


def history(order: Order, steps: list[tuple[str, str, timedelta]], *, payload: dict | None = None) -> Order:
    """Moves `order` through (to, role, time after placing) steps; `payload` goes with the last."""
    for index, (to, role, after) in enumerate(steps):
        move(order, to, role, order.placed_at + after, payload=payload if index == len(steps) - 1 else None)
    return order
