"""Many accepted orders at once, for the statement integration test and benchmark: copies of one
order placed and accepted through the services, written with bulk_create. Each copy gets its own
RF reference and the template's instalments, all open."""
from __future__ import annotations

from orders.models import Instalment, InstalmentStatus, Order, OrderStatus
from payments.references import rf_reference_for_order

BATCH = 1000


def accepted_order_copies(template: Order, count: int) -> list[Order]:
    template.refresh_from_db()
    assert template.status == OrderStatus.ACCEPTED and template.amount_paid == 0
    fields = {f.attname: getattr(template, f.attname) for f in Order._meta.concrete_fields if not f.primary_key}
    fields["payment_reference"] = ""
    orders = Order.objects.bulk_create([Order(**fields) for _ in range(count)], batch_size=BATCH)
    for order in orders:
        order.payment_reference = rf_reference_for_order(order.pk)
    Order.objects.bulk_update(orders, ["payment_reference"], batch_size=BATCH)
    instalments = list(Instalment.objects.filter(order=template).order_by("sequence"))
    Instalment.objects.bulk_create([
        Instalment(order=order, sequence=item.sequence, due=item.due, amount=item.amount, currency=item.currency,
                   paid_amount=0, status=InstalmentStatus.OPEN, due_date=item.due_date)
        for order in orders for item in instalments], batch_size=BATCH)
    return orders
