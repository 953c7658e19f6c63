"""Seller performance, measured from the order event log and the quotes, never written by hand.

OrderRecord holds the facts of one order folded from its events (trust/folding.py); SellerPerformance
holds a seller's figures for the last 90 days and for all time (trust/services.py says how each one
is defined). Both are written only by the tasks in trust/tasks.py."""
from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Answer(models.TextChoices):
    PENDING = "", _("Not answered yet")
    ACCEPTED = "accepted", _("Accepted by the seller")
    REFUSED = "refused", _("Refused by the seller")
    TIMED_OUT = "timed_out", _("Left to time out")
    WITHDRAWN = "withdrawn", _("Withdrawn by the buyer before an answer")


class CancelledBy(models.TextChoices):
    NONE = "", _("Not cancelled")
    BUYER = "buyer", _("The buyer")
    SELLER = "seller", _("The seller")
    SYSTEM = "system", _("The system (not paid in time)")


class OrderRecord(models.Model):
    """The facts of one order that the performance figures rest on, folded from its events in
    event-pk order; `last_event_id` is the last event folded in, so folding the same events again
    changes nothing."""

    order = models.OneToOneField("orders.Order", on_delete=models.CASCADE, primary_key=True, related_name="+")
    seller = models.ForeignKey("accounts.Company", on_delete=models.CASCADE, related_name="+")
    placed_at = models.DateTimeField(db_index=True)
    last_event_id = models.BigIntegerField(default=0)
    answer = models.CharField(max_length=10, choices=Answer.choices, blank=True, default=Answer.PENDING)
    hours_to_accept = models.FloatField(null=True, blank=True)
    cancelled_by = models.CharField(max_length=10, choices=CancelledBy.choices, blank=True,
                                    default=CancelledBy.NONE)
    lead_time_days = models.PositiveSmallIntegerField(null=True, blank=True)
    clock_started_at = models.DateTimeField(null=True, blank=True)
    ship_by = models.DateTimeField(null=True, blank=True)
    shipped_at = models.DateTimeField(null=True, blank=True)
    delivered = models.BooleanField(default=False)
    disputed = models.BooleanField(default=False)
    resolved = models.BooleanField(default=False)
    refunded = models.BooleanField(default=False)
    completed = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("order record")
        verbose_name_plural = _("order records")
        indexes = [models.Index(fields=["seller", "placed_at"], name="trust_record_seller_placed")]

    def __str__(self) -> str:
        return f"order {self.order_id} of seller {self.seller_id}"


class SellerPerformance(models.Model):
    """A seller's figures: `figures` has the periods "90d" and "all", each with every figure and the
    count it rests on. The indexed columns repeat three 90-day figures for the catalogue's filters
    and sorts; each is null while it rests on fewer than trust.services.MIN_BASE orders."""

    seller = models.OneToOneField("accounts.Company", on_delete=models.CASCADE, primary_key=True,
                                  related_name="performance")
    figures = models.JSONField(default=dict)
    orders_90d = models.PositiveIntegerField(default=0)
    accept_hours_90d = models.FloatField(null=True, blank=True, db_index=True)
    on_time_pct_90d = models.FloatField(null=True, blank=True, db_index=True)
    dispute_free_pct_90d = models.FloatField(null=True, blank=True, db_index=True)
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("seller performance")
        verbose_name_plural = _("seller performance")

    def __str__(self) -> str:
        return f"performance of seller {self.seller_id}"

    def period(self, name: str) -> dict:
        return (self.figures or {}).get(name) or {}

    @property
    def last_90_days(self) -> dict:
        return self.period("90d")

    @property
    def all_time(self) -> dict:
        return self.period("all")

    @property
    def periods(self) -> list[tuple[str, dict]]:
        """(label, figures) of each period, as the pages show them."""
        return [(_("Last 90 days"), self.last_90_days), (_("All time"), self.all_time)]
