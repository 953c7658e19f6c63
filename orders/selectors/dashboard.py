"""Reads of the dashboards: what a seller has to do now and what it sold, where a buyer's orders and
requests stand and what it spent. Each takes the company the dashboard is of; the page checks the
membership (frontend.decorators) before it asks. Every read is a fixed number of queries whatever the
number of orders."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db.models import Count, Max, Q, Sum
from django.db.models.functions import TruncMonth, TruncWeek
from django.utils import timezone

from accounts.models import Company

from ..models import LIVE_QUOTE_STATUSES, Order, OrderLine, OrderStatus, Rfq, RfqStatus
from ..services.timed import timed_move_of
from .common import CENT
from .next_step import NextStep, order_next_step
from .rfq import rfq_board_for_seller

S = OrderStatus

# Orders that no longer count as sales or spend: the seller refused them or a party cancelled them.
NOT_SOLD = (S.REFUSED, S.CANCELLED)
# Orders with nothing left to do.
CLOSED = (S.REFUSED, S.CANCELLED, S.COMPLETED)
# How many rows each list of a dashboard shows; the count above each list is of them all.
ROWS_SHOWN = 10
SALES_WEEKS = 13  # about 90 days
SPEND_MONTHS = 12
TOP_LISTINGS = 5


@dataclass(frozen=True)
class Counted:
    """The first rows of a list and how many there are in all."""
    rows: list
    total: int


def _counted(qs, limit: int = ROWS_SHOWN) -> Counted:
    return Counted(rows=list(qs[:limit]), total=qs.count())


# --- seller -------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class OrderToAccept:
    order: Order
    deadline: datetime  # when the order is refused automatically (orders.services.timed)
    time_left: timedelta  # never negative: an order past its deadline waits for the next scan


def seller_orders_to_accept(*, seller: Company, now: datetime | None = None) -> tuple[list[OrderToAccept], int]:
    """Placed orders waiting for the seller's answer, the soonest automatic refusal first, with the
    time left before it, as the timed moves of orders.services.timed say; and how many there are."""
    now = now or timezone.now()
    qs = Order.objects.filter(seller=seller, status=S.PLACED).select_related("buyer").order_by("placed_at", "pk")
    page = _counted(qs)
    rows = []
    for order in page.rows:
        _rule, deadline = timed_move_of(order)
        rows.append(OrderToAccept(order=order, deadline=deadline, time_left=max(deadline - now, timedelta(0))))
    return rows, page.total


def seller_orders_to_ship(*, seller: Company) -> Counted:
    """Orders the seller may ship now, oldest first: paid, or accepted under terms with nothing due
    before shipment (the queryset form of orders.services.payments.shipping_allowed)."""
    qs = (Order.objects.filter(seller=seller)
          .filter(Q(status=S.PAID) | Q(status=S.ACCEPTED, due_before_shipment__lte=0))
          .select_related("buyer").order_by("accepted_at", "pk"))
    return _counted(qs)


def seller_rfqs_to_quote(*, seller: Company) -> Counted:
    """Open requests the seller may quote on and has not, soonest deadline first."""
    qs = rfq_board_for_seller(seller=seller).exclude(quotes__seller=seller)
    return _counted(qs)


@dataclass(frozen=True)
class Period:
    start: date
    currency: str
    amount: Decimal


def _week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _as_date(value) -> date:
    return timezone.localtime(value).date() if isinstance(value, datetime) else value


def seller_sales_by_week(*, seller: Company, now: datetime | None = None) -> dict[str, list[Period]]:
    """Sales of the last SALES_WEEKS weeks (this week included), by currency then week, every week
    present: the invoice totals of the orders the seller accepted in the week, less those refused or
    cancelled since. Orders are in the seller's currency (Order.currency); a seller that changed its
    currency has a series for each."""
    today = timezone.localdate(now or timezone.now())
    first = _week_start(today) - timedelta(weeks=SALES_WEEKS - 1)
    start = timezone.make_aware(datetime.combine(first, datetime.min.time()))
    rows = (Order.objects.filter(seller=seller, accepted_at__gte=start).exclude(status__in=NOT_SOLD)
            .annotate(week=TruncWeek("accepted_at")).values("week", "currency")
            .annotate(amount=Sum("invoice_total")).order_by())
    sums: dict[str, dict[date, Decimal]] = {}
    for row in rows:
        sums.setdefault(row["currency"], {})[_as_date(row["week"])] = row["amount"].quantize(CENT)
    if not sums:
        sums[seller.default_currency] = {}
    weeks = [first + timedelta(weeks=n) for n in range(SALES_WEEKS)]
    return {currency: [Period(week, currency, by_week.get(week, Decimal("0.00"))) for week in weeks]
            for currency, by_week in sorted(sums.items(), key=lambda item: item[0] != seller.default_currency)}


@dataclass(frozen=True)
class TopListing:
    listing_id: int
    title: str
    orders: int
    quantity: int


def seller_top_listings(*, seller: Company, now: datetime | None = None) -> list[TopListing]:
    """The seller's listings in the most orders placed over the last SALES_WEEKS weeks (refused and
    cancelled orders left out), then by quantity ordered."""
    since = (now or timezone.now()) - timedelta(weeks=SALES_WEEKS)
    rows = (OrderLine.objects.filter(order__seller=seller, order__placed_at__gte=since)
            .exclude(order__status__in=NOT_SOLD).values("listing_ref")
            .annotate(orders=Count("order", distinct=True), quantity=Sum("quantity"), title=Max("title"))
            .order_by("-orders", "-quantity", "listing_ref")[:TOP_LISTINGS])
    return [TopListing(listing_id=row["listing_ref"], title=row["title"], orders=row["orders"],
                       quantity=row["quantity"]) for row in rows]


# --- buyer --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class OpenOrder:
    order: Order
    next: NextStep | None  # orders.selectors.next_step: what happens next, who must act, by when


def buyer_open_orders(*, buyer: Company) -> tuple[list[OpenOrder], int]:
    """The buyer's orders still under way, oldest first, each with its next step; and how many."""
    qs = (Order.objects.filter(buyer=buyer).exclude(status__in=CLOSED).select_related("seller")
          .order_by("placed_at", "pk"))
    page = _counted(qs)
    return [OpenOrder(order, order_next_step(order)) for order in page.rows], page.total


def buyer_open_rfqs(*, buyer: Company) -> Counted:
    """The buyer's open requests, soonest deadline first, each with `quotes_received`: the quotes
    standing (submitted or accepted, not withdrawn)."""
    qs = (Rfq.objects.filter(buyer=buyer, status=RfqStatus.OPEN).select_related("category")
          .annotate(quotes_received=Count("quotes", filter=Q(quotes__status__in=LIVE_QUOTE_STATUSES)))
          .order_by("deadline", "pk"))
    return _counted(qs)


def buyer_spend_by_month(*, buyer: Company, now: datetime | None = None) -> list[Period]:
    """What the buyer paid or owes to sellers, by month of ordering over the last SPEND_MONTHS months
    (this one included), in the buyer's currency: the invoice totals of its orders
    (invoice_total_in_buyer_currency), less those refused or cancelled. Only months with orders, by
    month then currency (orders placed before a change of currency keep their own)."""
    today = timezone.localdate(now or timezone.now())
    year, month = today.year, today.month - (SPEND_MONTHS - 1)
    while month < 1:
        year, month = year - 1, month + 12
    start = timezone.make_aware(datetime(year, month, 1))
    rows = (Order.objects.filter(buyer=buyer, placed_at__gte=start).exclude(status__in=NOT_SOLD)
            .annotate(month=TruncMonth("placed_at")).values("month", "buyer_currency")
            .annotate(amount=Sum("invoice_total_in_buyer_currency")).order_by("month", "buyer_currency"))
    return [Period(_as_date(row["month"]), row["buyer_currency"], row["amount"].quantize(CENT)) for row in rows]

