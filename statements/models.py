"""Bank statements a seller uploads and the entries read from them.

Each credit entry is matched to the seller's orders by the RF reference the buyer gave, then
recorded as a payment through the orders' payment service. An entry of the bank is recorded once
per company: the partial unique constraint on (company, entry_reference) refuses a second live
entry with the same bank reference, so the same or an overlapping statement imported again, even by
two workers at the same time, only adds rows marked `duplicate`, never a second payment."""
from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import TimeStampedModel
from core.validators import CURRENCY_CHOICES

from .storage import statement_storage

MONEY = {"max_digits": 14, "decimal_places": 2}
ZERO = Decimal("0.00")


class StatementFormat(models.TextChoices):
    CAMT053 = "camt053", _("ISO 20022 camt.053 (XML)")
    MT940 = "mt940", _("SWIFT MT940")


class StatementStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    PROCESSING = "processing", _("Processing")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class EntryOutcome(models.TextChoices):
    MATCHED = "matched", _("Paid in full")
    PARTIAL = "partial", _("Part payment")
    OVER = "over", _("Overpayment")
    UNMATCHED = "unmatched", _("No order found")
    AMBIGUOUS = "ambiguous", _("Several orders")
    WRONG_CURRENCY = "wrong_currency", _("Wrong currency")
    DUPLICATE = "duplicate", _("Already imported")
    DISMISSED = "dismissed", _("Dismissed")
    ASSIGNED = "assigned", _("Assigned by you")
    DEBIT = "debit", _("Outgoing payment")


# Entries that wait for the seller: nothing was recorded (the first three), or more arrived than was
# owed (recorded, the excess flagged).
REVIEW_OUTCOMES = (EntryOutcome.UNMATCHED, EntryOutcome.AMBIGUOUS, EntryOutcome.WRONG_CURRENCY, EntryOutcome.OVER)
# Entries the seller may put against an order of its choice.
ASSIGNABLE_OUTCOMES = (EntryOutcome.UNMATCHED, EntryOutcome.AMBIGUOUS, EntryOutcome.WRONG_CURRENCY)
# Entries the seller may dismiss: those above, and an overpayment once the excess is dealt with.
DISMISSABLE_OUTCOMES = (*ASSIGNABLE_OUTCOMES, EntryOutcome.OVER)


def statement_file_path(instance: BankStatement, filename: str) -> str:
    return f"{instance.company_id}/{timezone.now():%Y%m%d%H%M%S%f}.dat"


class BankStatement(TimeStampedModel):
    """A statement file of one of the seller's bank accounts, reconciled entry by entry by a task."""

    company = models.ForeignKey("accounts.Company", on_delete=models.CASCADE, related_name="bank_statements")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    file = models.FileField(upload_to=statement_file_path, storage=statement_storage, max_length=200)
    original_name = models.CharField(_("file name"), max_length=255, blank=True)
    format = models.CharField(_("format"), max_length=10, choices=StatementFormat.choices)
    statement_id = models.CharField(_("statement"), max_length=100, blank=True,
                                    help_text=_("The bank's identification of the statement."))
    account = models.CharField(_("account"), max_length=64, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=StatementStatus.choices,
                              default=StatementStatus.PENDING, db_index=True)
    total_entries = models.PositiveIntegerField(default=0)
    processed_entries = models.PositiveIntegerField(default=0)
    matched_count = models.PositiveIntegerField(default=0)
    partial_count = models.PositiveIntegerField(default=0)
    over_count = models.PositiveIntegerField(default=0)
    unmatched_count = models.PositiveIntegerField(default=0)
    ambiguous_count = models.PositiveIntegerField(default=0)
    wrong_currency_count = models.PositiveIntegerField(default=0)
    duplicate_count = models.PositiveIntegerField(default=0)
    debit_count = models.PositiveIntegerField(default=0)
    assigned_count = models.PositiveIntegerField(default=0)
    dismissed_count = models.PositiveIntegerField(default=0)
    error = models.CharField(_("error"), max_length=500, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("bank statement")
        verbose_name_plural = _("bank statements")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["company", "-created_at"], name="statements_company_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(format__in=StatementFormat.values), name="statements_format_valid"),
            models.CheckConstraint(condition=Q(status__in=StatementStatus.values), name="statements_status_valid"),
        ]

    def __str__(self) -> str:
        return f"statement {self.statement_id or self.pk} of company {self.company_id}"

    @property
    def progress_percent(self) -> int:
        if not self.total_entries:
            return 100 if self.status in (StatementStatus.DONE, StatementStatus.FAILED) else 0
        return min(100, self.processed_entries * 100 // self.total_entries)

    @property
    def running(self) -> bool:
        return self.status in (StatementStatus.PENDING, StatementStatus.PROCESSING)

    @property
    def review_count(self) -> int:
        return self.unmatched_count + self.ambiguous_count + self.wrong_currency_count + self.over_count


class StatementEntry(models.Model):
    """One booked entry of a statement and what reconciliation made of it."""

    statement = models.ForeignKey(BankStatement, on_delete=models.CASCADE, related_name="entries")
    company = models.ForeignKey("accounts.Company", on_delete=models.CASCADE, related_name="+")
    position = models.PositiveIntegerField(help_text=_("1 for the statement's first entry."))
    entry_reference = models.CharField(_("bank reference"), max_length=100)
    booking_date = models.DateField(_("booking date"), null=True, blank=True)
    amount = models.DecimalField(_("amount"), **MONEY)
    currency = models.CharField(_("currency"), max_length=3)
    credit = models.BooleanField(_("incoming"), default=True)
    remittance = models.CharField(_("remittance information"), max_length=2000, blank=True)
    structured_reference = models.CharField(_("structured reference"), max_length=40, blank=True)
    counterparty = models.CharField(_("counterparty"), max_length=140, blank=True)
    references = models.JSONField(_("order references found"), default=list, blank=True)
    outcome = models.CharField(_("outcome"), max_length=15, choices=EntryOutcome.choices)
    order = models.ForeignKey("orders.Order", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    orders = models.JSONField(_("orders named"), default=list, blank=True,
                              help_text=_("Ids of the seller's orders the entry's references name."))
    payments = models.ManyToManyField("orders.Payment", blank=True, related_name="statement_entries")
    recorded_amount = models.DecimalField(_("recorded"), **MONEY, default=ZERO,
                                          help_text=_("Recorded as payments of the order(s)."))
    excess = models.DecimalField(_("excess"), **MONEY, default=ZERO,
                                 help_text=_("Received above what was owed; not recorded against the order."))
    note = models.CharField(_("note"), max_length=300, blank=True)
    duplicate_of = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    review_note = models.CharField(_("reason"), max_length=300, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("statement entry")
        verbose_name_plural = _("statement entries")
        ordering = ["statement_id", "position"]
        indexes = [models.Index(fields=["statement", "outcome", "position"], name="statements_entry_outcome_idx")]
        constraints = [
            models.UniqueConstraint(fields=["statement", "position"], name="statements_entry_position_unique"),
            models.UniqueConstraint(fields=["company", "entry_reference"], condition=~Q(outcome="duplicate"),
                                    name="statements_entry_reference_unique"),
            models.CheckConstraint(condition=Q(outcome__in=EntryOutcome.values), name="statements_entry_outcome_valid"),
            models.CheckConstraint(condition=Q(amount__gte=0) & Q(excess__gte=0) & Q(recorded_amount__gte=0)
                                   & Q(excess__lte=models.F("amount") - models.F("recorded_amount")),
                                   name="statements_entry_amounts_valid"),
        ]

    def __str__(self) -> str:
        return f"entry {self.entry_reference} of statement {self.statement_id}"
