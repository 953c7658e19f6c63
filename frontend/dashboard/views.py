"""The dashboards people land on after signing in: what the seller has to do now and what it sold,
where the buyer's orders and requests stand and what it spent, and the moderators' queues. A company
that buys and sells sees both parts. Thin: the reads are the apps' selectors."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from accounts import selectors as accounts_selectors
from marketplace import selectors as marketplace_selectors
from orders.models import OrderRole
from orders.selectors import dashboard as order_dashboard
from reviews import selectors as review_selectors
from trust import selectors as trust_selectors

from .charts import bar_chart

DECISION_DAYS = 14

@dataclass(frozen=True)
class QueueRow:
    name: str
    count: int
    oldest: object  # datetime or None
    url: str


@dataclass(frozen=True)
class DayRow:
    day: date
    verification: int
    listings: int
    reviews: int

    @property
    def total(self) -> int:
        return self.verification + self.listings + self.reviews


def _hours_minutes(left: timedelta) -> tuple[int, int]:
    minutes = int(left.total_seconds()) // 60
    return minutes // 60, minutes % 60


def _seller_context(seller, now) -> dict:
    to_accept, to_accept_total = order_dashboard.seller_orders_to_accept(seller=seller, now=now)
    sales = order_dashboard.seller_sales_by_week(seller=seller, now=now)
    sent_back = marketplace_selectors.listing_sent_back_list(seller=seller)
    return {
        "to_accept": [(row, *_hours_minutes(row.time_left)) for row in to_accept],
        "to_accept_total": to_accept_total,
        "to_ship": order_dashboard.seller_orders_to_ship(seller=seller),
        "rfqs_to_quote": order_dashboard.seller_rfqs_to_quote(seller=seller),
        "sent_back": order_dashboard.Counted(rows=list(sent_back[:order_dashboard.ROWS_SHOWN]),
                                             total=sent_back.count()),
        "sales": [(currency, bar_chart([(p.start, p.amount) for p in periods]))
                  for currency, periods in sales.items()],
        "sales_weeks": order_dashboard.SALES_WEEKS,
        "top_listings": order_dashboard.seller_top_listings(seller=seller, now=now),
        "performance": trust_selectors.seller_performance_get(seller=seller),
    }


def _buyer_context(buyer, now) -> dict:
    open_orders, open_total = order_dashboard.buyer_open_orders(buyer=buyer)
    return {
        "open_orders": [(row.order, row.next, row.next.sentence({OrderRole.BUYER}) if row.next else "")
                        for row in open_orders],
        "open_orders_total": open_total,
        "open_rfqs": order_dashboard.buyer_open_rfqs(buyer=buyer),
        "spend": order_dashboard.buyer_spend_by_month(buyer=buyer, now=now),
        "spend_months": order_dashboard.SPEND_MONTHS,
    }


def _moderator_context(actor, now) -> dict:
    companies = accounts_selectors.company_queue_sizes(actor=actor)
    listings = marketplace_selectors.listing_queue_sizes(actor=actor)
    review_reports = review_selectors.review_report_queue_size(actor=actor)
    queues = [
        QueueRow(_("Companies asking for verification"), *companies["verification"], "frontend:moderation"),
        QueueRow(_("Renewals of verification"), *companies["renewal"], "frontend:moderation"),
        QueueRow(_("Identity changes"), *companies["identity"], "frontend:moderation"),
        QueueRow(_("Listings submitted for review"), *listings["submitted"], "frontend:listing_moderation"),
        QueueRow(_("Changes to published listings"), *listings["changes"], "frontend:listing_moderation"),
        QueueRow(_("Reports of listings"), *listings["reports"], "frontend:listing_moderation"),
        QueueRow(_("Reports of reviews"), *review_reports, "frontend:review_moderation"),
    ]
    today = timezone.localdate(now)
    first = today - timedelta(days=DECISION_DAYS - 1)
    since = timezone.make_aware(datetime.combine(first, datetime.min.time()))
    verification = accounts_selectors.verification_decisions_per_day(actor=actor, since=since)
    listing = marketplace_selectors.listing_decisions_per_day(actor=actor, since=since)
    review = review_selectors.review_decisions_per_day(actor=actor, since=since)
    days = [first + timedelta(days=n) for n in range(DECISION_DAYS)]
    return {
        "queues": queues,
        "decision_days": [DayRow(day, verification.get(day, 0), listing.get(day, 0), review.get(day, 0))
                          for day in reversed(days)],
        "decision_day_count": DECISION_DAYS,
    }


@require_safe
@login_required
def dashboard(request):
    now = timezone.now()
    membership = accounts_selectors.user_primary_membership(user=request.user)
    company = membership.company if membership else None
    context = {"company": company, "now": now}
    if company is not None and company.sells:
        context["seller"] = _seller_context(company, now)
    if company is not None and company.buys:
        context["buyer"] = _buyer_context(company, now)
    if request.user.is_moderator:
        context["moderator"] = _moderator_context(request.user, now)
    return render(request, "frontend/dashboard/dashboard.html", context)
