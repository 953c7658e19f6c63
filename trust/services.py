"""Seller performance: the order records folded from the event log and the figures computed from them.

Only the tasks in trust/tasks.py call these. The update after an event folds that order's new events
and recomputes its seller; the nightly recompute rebuilds every record from the whole log and
recomputes every seller. Both use `figures_compute`, so for the same `now` they give the same numbers.

Definitions (each figure is given for the last 90 days and for all time, with the count it rests on;
a share or a median resting on fewer than MIN_BASE orders or requests is None, shown as "not enough
orders yet"):
- An order belongs to a period by its placing time; a request for quotation by its creation time.
- Answered orders: those the seller had to answer and did or let time out (accepted, refused by the
  seller, refused by the system after ORDER_ACCEPT_TIMEOUT_HOURS = timed out). Orders the buyer
  withdrew before an answer, and orders still waiting, are left out. The acceptance share and the
  counts accepted / refused / timed out rest on them.
- Median hours to accept: from placing to the seller's acceptance, over accepted orders.
- Cancelled after acceptance: counted per party; a cancellation by the seller counts against it, one
  by the buyer or by the system (not paid in time) does not.
- On-time shipping: rests on the orders shipped plus those whose ship-by deadline passed unshipped and
  not cancelled (late). Shipped on time: shipped no later than the deadline, which is the acceptance
  (or the payment, for an order that went through "paid") plus the lead time in days.
- Delivered without dispute: rests on the delivered orders; those never disputed.
- Disputes resolved with a refund: rests on the disputed orders; those a moderator resolved with a
  refund above zero.
- Request response rate: rests on the requests that invited the seller whose deadline passed or which
  it quoted; answered = a quote submitted no later than the deadline.
- Median hours to first quote: over the requests the seller quoted (invited or not), from the request's
  creation to the seller's first quote on it.
"""
from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta
from itertools import groupby
from typing import Any

from django.db import transaction
from django.db.models import Max, Min
from django.utils import timezone

from accounts.models import Company
from orders.models import Order, OrderEvent, OrderLine, Quote, RfqRecipient

from .folding import event_rows, fold, ship_by
from .models import Answer, CancelledBy, OrderRecord, SellerPerformance

MIN_BASE = 5
PERIOD_DAYS = 90

RECORD_FIELDS = ("seller_id", "placed_at", "answer", "hours_to_accept", "cancelled_by", "ship_by", "shipped_at",
                 "delivered", "disputed", "resolved", "refunded")
RECORD_WRITE_FIELDS = ["seller", "placed_at", "last_event_id", "answer", "hours_to_accept", "cancelled_by",
                       "lead_time_days", "clock_started_at", "ship_by", "shipped_at", "delivered", "disputed",
                       "resolved", "refunded", "completed"]
PERFORMANCE_WRITE_FIELDS = ["figures", "orders_90d", "accept_hours_90d", "on_time_pct_90d", "dispute_free_pct_90d",
                            "computed_at"]
BATCH = 2000


# --- records ---------------------------------------------------------------------------------------------

def _listing_lead_times(order_ids: list[int]) -> dict[int, int]:
    """The longest lead time of each order's listings as they are now (for events from before the
    placed event carried it)."""
    found: dict[int, int] = {}
    for start in range(0, len(order_ids), 500):
        rows = (OrderLine.objects.filter(order_id__in=order_ids[start:start + 500], listing__isnull=False)
                .values("order_id").annotate(days=Max("listing__lead_time_days")).values_list("order_id", "days"))
        found.update({order_id: days for order_id, days in rows if days is not None})
    return found


def _finish(records: Iterable[OrderRecord], lead_needed: set[int]) -> None:
    fallback = _listing_lead_times(sorted(lead_needed)) if lead_needed else {}
    for record in records:
        if record.lead_time_days is None and record.order_id in fallback:
            record.lead_time_days = fallback[record.order_id]
        record.ship_by = ship_by(record)


def order_record_update(*, order_id: int) -> int | None:
    """Folds the order's events not yet folded into its record; returns the order's seller id (None
    when the order is gone). Safe to run twice: the second run finds nothing new."""
    with transaction.atomic():
        # The order row is the lock: two updates of one order run one after the other (NO KEY UPDATE,
        # so rows that refer to the order, such as its events, can still be written meanwhile).
        order = (Order.objects.select_for_update(no_key=True).filter(pk=order_id)
                 .values("seller_id", "placed_at").first())
        if order is None:
            return None
        record = OrderRecord.objects.filter(pk=order_id).first()
        created = record is None
        if created:
            record = OrderRecord(order_id=order_id, seller_id=order["seller_id"], placed_at=order["placed_at"])
        changed = False
        for event in event_rows(OrderEvent.objects.filter(order_id=order_id, pk__gt=record.last_event_id)
                                .order_by("pk")):
            changed = fold(record, event) or changed
        if changed or created:
            placed_known = record.last_event_id > 0
            _finish([record], {order_id} if record.lead_time_days is None and placed_known else set())
            record.save()
    return order["seller_id"]


def order_records_rebuild() -> int:
    """Builds every order's record again from its whole event log; returns how many orders."""
    orders = {pk: (seller_id, placed_at)
              for pk, seller_id, placed_at in Order.objects.values_list("pk", "seller_id", "placed_at").iterator(
                  chunk_size=BATCH)}
    records: list[OrderRecord] = []
    seen: set[int] = set()
    for order_id, events in groupby(event_rows(OrderEvent.objects.order_by("order_id", "pk")),
                                    key=lambda event: event.order_id):
        if order_id not in orders:
            continue
        seller_id, placed_at = orders[order_id]
        record = OrderRecord(order_id=order_id, seller_id=seller_id, placed_at=placed_at)
        for event in events:
            fold(record, event)
        records.append(record)
        seen.add(order_id)
    for order_id in orders.keys() - seen:  # an order without events (none should be): a bare record
        seller_id, placed_at = orders[order_id]
        records.append(OrderRecord(order_id=order_id, seller_id=seller_id, placed_at=placed_at))
    _finish(records, {r.order_id for r in records if r.lead_time_days is None and r.last_event_id})
    # Only the records that differ from the stored ones are written: on a usual night, those whose
    # update after an event was lost (or that are new), so the rebuild mostly reads.
    attnames = ["seller_id" if name == "seller" else name for name in RECORD_WRITE_FIELDS]
    stored = {row[0]: row[1:] for row in OrderRecord.objects.values_list("order_id", *attnames).iterator(
        chunk_size=BATCH)}
    changed = [r for r in records if stored.get(r.order_id) != tuple(getattr(r, name) for name in attnames)]
    with transaction.atomic():
        for start in range(0, len(changed), BATCH):
            OrderRecord.objects.bulk_create(changed[start:start + BATCH], update_conflicts=True,
                                            unique_fields=["order"], update_fields=RECORD_WRITE_FIELDS[:])
    return len(records)


# --- figures ---------------------------------------------------------------------------------------------

def _share(part: int, base: int) -> float | None:
    return round(100 * part / base, 1) if base >= MIN_BASE else None


def _median(values: list[float], base: int) -> float | None:
    return round(statistics.median(values), 1) if values and base >= MIN_BASE else None


def _period(records: list[dict[str, Any]], invites: list[tuple], first_quotes: list[tuple],
            now: datetime) -> dict[str, Any]:
    answered = [r for r in records if r["answer"] in (Answer.ACCEPTED, Answer.REFUSED, Answer.TIMED_OUT)]
    accepted = [r for r in answered if r["answer"] == Answer.ACCEPTED]
    hours = [r["hours_to_accept"] for r in accepted if r["hours_to_accept"] is not None]
    judged = on_time = 0
    for r in accepted:
        if r["shipped_at"] is not None:
            if r["ship_by"] is not None:
                judged += 1
                on_time += r["shipped_at"] <= r["ship_by"]
        elif r["ship_by"] is not None and r["ship_by"] < now and r["cancelled_by"] == CancelledBy.NONE:
            judged += 1
    delivered = [r for r in records if r["delivered"]]
    dispute_free = sum(1 for r in delivered if not r["disputed"])
    disputes = [r for r in records if r["disputed"]]
    refunded = sum(1 for r in disputes if r["refunded"])
    counted = [(deadline, quoted) for _rfq, deadline, quoted in invites if deadline <= now or quoted is not None]
    answered_rfqs = sum(1 for deadline, quoted in counted if quoted is not None and quoted <= deadline)
    quote_hours = [max((quoted - created).total_seconds(), 0) / 3600 for created, quoted in first_quotes]
    cancelled = defaultdict(int)
    for r in records:
        if r["cancelled_by"]:
            cancelled[r["cancelled_by"]] += 1
    count = {answer: sum(1 for r in answered if r["answer"] == answer)
             for answer in (Answer.ACCEPTED, Answer.REFUSED, Answer.TIMED_OUT)}
    return {
        "orders": len(records),
        "answered": len(answered),
        "accepted": count[Answer.ACCEPTED],
        "refused": count[Answer.REFUSED],
        "timed_out": count[Answer.TIMED_OUT],
        "withdrawn": sum(1 for r in records if r["answer"] == Answer.WITHDRAWN),
        "accepted_pct": _share(count[Answer.ACCEPTED], len(answered)),
        "median_hours_to_accept": _median(hours, len(hours)),
        "cancelled_by_seller": cancelled[CancelledBy.SELLER],
        "cancelled_by_buyer": cancelled[CancelledBy.BUYER],
        "cancelled_by_system": cancelled[CancelledBy.SYSTEM],
        "shipping_judged": judged,
        "shipped_on_time": on_time,
        "on_time_pct": _share(on_time, judged),
        "delivered": len(delivered),
        "delivered_without_dispute": dispute_free,
        "dispute_free_pct": _share(dispute_free, len(delivered)),
        "disputes": len(disputes),
        "disputes_refunded": refunded,
        "refunded_pct": _share(refunded, len(disputes)),
        "rfqs_invited": len(counted),
        "rfqs_answered": answered_rfqs,
        "rfq_response_pct": _share(answered_rfqs, len(counted)),
        "rfqs_quoted": len(quote_hours),
        "median_hours_to_quote": _median(quote_hours, len(quote_hours)),
    }


def figures_compute(*, records: list[dict[str, Any]], invites: list[tuple], first_quotes: list[tuple],
                    now: datetime) -> dict[str, dict[str, Any]]:
    """Both periods' figures of one seller from its records (dicts of RECORD_FIELDS), its invitations
    (rfq id, rfq deadline, its first quote's time or None, rfq created) and its first quotes per request
    (rfq created, first quote time)."""
    since = now - timedelta(days=PERIOD_DAYS)
    recent = [r for r in records if r["placed_at"] >= since]
    recent_invites = [i[:3] for i in invites if i[3] >= since]
    recent_quotes = [q for q in first_quotes if q[0] >= since]
    return {"90d": _period(recent, recent_invites, recent_quotes, now),
            "all": _period(records, [i[:3] for i in invites], first_quotes, now)}


def empty_figures() -> dict[str, Any]:
    """One period's figures of a seller with nothing measured."""
    return _period([], [], [], timezone.now())


def _performance(seller_id: int, figures: dict[str, dict[str, Any]], now: datetime) -> SellerPerformance:
    recent = figures["90d"]
    return SellerPerformance(seller_id=seller_id, figures=figures, orders_90d=recent["orders"],
                             accept_hours_90d=recent["median_hours_to_accept"], on_time_pct_90d=recent["on_time_pct"],
                             dispute_free_pct_90d=recent["dispute_free_pct"], computed_at=now)


def _rfq_rows(seller_ids: list[int] | None) -> tuple[dict[int, list[tuple]], dict[int, list[tuple]]]:
    """Per seller: its invitations and its first quote per request."""
    quotes = Quote.objects.values("seller_id", "rfq_id", "rfq__created_at").annotate(first=Min("created_at"))
    recipients = RfqRecipient.objects.values_list("seller_id", "rfq_id", "rfq__deadline", "rfq__created_at")
    if seller_ids is not None:
        quotes = quotes.filter(seller_id__in=seller_ids)
        recipients = recipients.filter(seller_id__in=seller_ids)
    first: dict[tuple[int, int], datetime] = {}
    first_quotes: dict[int, list[tuple]] = defaultdict(list)
    for row in quotes.order_by():
        first[(row["seller_id"], row["rfq_id"])] = row["first"]
        first_quotes[row["seller_id"]].append((row["rfq__created_at"], row["first"]))
    invites: dict[int, list[tuple]] = defaultdict(list)
    for seller_id, rfq_id, deadline, created in recipients.iterator(chunk_size=BATCH):
        invites[seller_id].append((rfq_id, deadline, first.get((seller_id, rfq_id)), created))
    return invites, first_quotes


def seller_performance_refresh(*, seller_id: int, now: datetime | None = None) -> SellerPerformance | None:
    """Computes one seller's figures from its records and quotes and stores them."""
    now = now or timezone.now()
    with transaction.atomic():
        # The seller's row is the lock: two refreshes of one seller store one after the other (NO KEY
        # UPDATE: orders and quotes of the seller can still be written meanwhile).
        if not Company.objects.select_for_update(no_key=True).filter(pk=seller_id).exists():
            return None
        records = list(OrderRecord.objects.filter(seller_id=seller_id).values(*RECORD_FIELDS))
        invites, first_quotes = _rfq_rows([seller_id])
        figures = figures_compute(records=records, invites=invites.get(seller_id, []),
                                  first_quotes=first_quotes.get(seller_id, []), now=now)
        performance = _performance(seller_id, figures, now)
        SellerPerformance.objects.bulk_create([performance], update_conflicts=True, unique_fields=["seller"],
                                              update_fields=PERFORMANCE_WRITE_FIELDS)
    return performance


def seller_performance_update(*, order_id: int | None = None, seller_id: int | None = None,
                              now: datetime | None = None) -> SellerPerformance | None:
    """After an order event (order_id) or a quote (seller_id): folds the order's new events and
    recomputes its seller."""
    if order_id is not None:
        seller_id = order_record_update(order_id=order_id)
    if seller_id is None:
        return None
    return seller_performance_refresh(seller_id=seller_id, now=now)


def seller_performance_recompute_all(*, now: datetime | None = None) -> dict[str, int]:
    """Rebuilds every record from the event log and recomputes every seller with records, requests or
    stored figures."""
    now = now or timezone.now()
    orders = order_records_rebuild()
    by_seller: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in OrderRecord.objects.values(*RECORD_FIELDS).iterator(chunk_size=BATCH):
        by_seller[row["seller_id"]].append(row)
    invites, first_quotes = _rfq_rows(None)
    seller_ids = set(by_seller) | set(invites) | set(first_quotes)
    seller_ids |= set(SellerPerformance.objects.values_list("seller_id", flat=True))
    rows = [_performance(seller_id, figures_compute(records=by_seller.get(seller_id, []),
                                                    invites=invites.get(seller_id, []),
                                                    first_quotes=first_quotes.get(seller_id, []), now=now), now)
            for seller_id in sorted(seller_ids)]
    with transaction.atomic():
        for start in range(0, len(rows), BATCH):
            SellerPerformance.objects.bulk_create(rows[start:start + BATCH], update_conflicts=True,
                                                  unique_fields=["seller"], update_fields=PERFORMANCE_WRITE_FIELDS)
    return {"orders": orders, "sellers": len(rows)}
