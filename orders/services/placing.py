"""The writing of one placed order once its lines are priced and its landed cost estimated: the order
with its amounts and locked exchange rate, its lines, the event from nothing to placed, and the
notification of the seller (orders/events.py: written to the outbox in the same transaction, sent
after the commit). Call inside transaction.atomic()."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Max

from accounts.models import Company, User
from fx.selectors import FxQuote
from marketplace.models import Listing
from trade.selectors import LandedCost

from ..events.orders import order_parties_notify
from ..hooks import order_event_recorded
from ..models import Order, OrderEvent, OrderLine, OrderRole, OrderStatus, PurchaseGroup
from ..selectors import convert
from ..payment_terms import ADVANCE, Terms
from ..transitions import NEW, ORDER_FLOW
from .payments import order_schedule_create


def order_create_placed(*, group: PurchaseGroup, actor: User, buyer: Company, seller: Company, currency: str,
                        buyer_currency: str, fx: FxQuote, incoterm: str, country: str, address: str,
                        landed: LandedCost, lines: list[OrderLine], now: datetime,
                        payload: dict[str, Any], terms: Terms = ADVANCE, lead_time_days: int | None = None) -> Order:
    """Writes the order, its `lines` (unsaved, without their order), its payment schedule under
    `terms`, its payment reference and the account to pay into, and its first event. The event
    records the lead time the seller promised: `lead_time_days` when given (a quote's), else the
    longest of the lines' listings."""
    ORDER_FLOW.check(from_status=NEW, to_status=OrderStatus.PLACED, role=OrderRole.BUYER)
    order = Order.objects.create(
        buyer=buyer, seller=seller, purchase_group=group, placed_by=actor, status=OrderStatus.PLACED,
        currency=currency, buyer_currency=buyer_currency, fx_rate=fx.rate, fx_rate_date=fx.as_of,
        fx_source=fx.source, incoterm=incoterm, destination_country=country, destination_address=address,
        goods_total=landed.goods, shipping=landed.shipping, insurance=landed.insurance, duty=landed.duty,
        vat=landed.vat, total=landed.total, invoice_total=landed.invoice_total,
        buyer_other_costs=landed.buyer_other_costs,
        invoice_total_in_buyer_currency=convert(landed.invoice_total, fx.rate),
        buyer_other_costs_in_buyer_currency=convert(landed.buyer_other_costs, fx.rate), payer=dict(landed.payer),
        total_weight_kg=landed.weight_kg, placed_at=now)
    for line in lines:
        line.order = order
    OrderLine.objects.bulk_create(lines)
    order_schedule_create(order=order, terms=terms)
    if lead_time_days is None:
        listing_ids = {line.listing_id for line in lines if line.listing_id is not None}
        lead_time_days = (Listing.objects.filter(pk__in=listing_ids).aggregate(days=Max("lead_time_days"))["days"]
                          if listing_ids else None)
    payload = {**payload, "payment_terms": terms.code}
    if lead_time_days is not None:
        payload["lead_time_days"] = lead_time_days
    event = OrderEvent.objects.create(order=order, actor=actor, role=OrderRole.BUYER, from_status=NEW,
                                      to_status=OrderStatus.PLACED, payload=payload, created_at=now)
    order_parties_notify(order=order, move=event)
    order_event_recorded(order_id=order.pk, seller_id=order.seller_id, event_id=event.pk)
    return order
