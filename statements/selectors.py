"""Reads of bank statements and their entries, for members of the company that uploaded them.
Anyone else gets 404, as for a statement that does not exist."""
from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, DecimalField, F, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils.translation import gettext as _

from accounts.models import Company, Membership
from accounts.selectors import Actor
from core.inputs import choice_error, field_error
from orders.models import InstalmentStatus, Order
from orders.services.payments import PAYABLE_STATUSES

from .models import REVIEW_OUTCOMES, BankStatement, EntryOutcome, StatementEntry

# The `outcome` filter of the entry list: one outcome, or "review" for every entry that waits for the seller.
REVIEW = "review"
OUTCOME_FILTERS = (REVIEW, *EntryOutcome.values)
# At most this many orders are offered when the seller assigns an entry by hand.
MAX_ASSIGNABLE_ORDERS = 200
CENT = Decimal("0.01")


def _int(value, field: str | None = None) -> int:
    try:
        number = int(str(value))
    except (TypeError, ValueError):
        number = -1
    if number < 1 or number > 2_147_483_647:
        if field is None:
            raise Http404
        message = _("Give the id of one of your orders.")
        raise field_error(field, message)
    return number


def statement_company(*, actor: Actor, company_id: int | str) -> Company:
    """A company the actor is a member of; any other is not found. One query."""
    company_pk = _int(company_id)
    if not actor.is_authenticated:
        raise Http404
    membership = Membership.objects.select_related("company").filter(user=actor, company_id=company_pk).first()
    if membership is None:
        raise Http404
    return membership.company


def statement_list(*, actor: Actor, company_id: int | str) -> QuerySet[BankStatement]:
    """The company's statements, newest first (the membership query, then the list when read)."""
    company = statement_company(actor=actor, company_id=company_id)
    return BankStatement.objects.filter(company=company).defer("file").order_by("-created_at", "-pk")


def statement_get(*, actor: Actor, company_id: int | str, pk: int | str) -> BankStatement:
    statement = statement_list(actor=actor, company_id=company_id).filter(pk=_int(pk)).first()
    if statement is None:
        raise Http404
    return statement


def outcome_filter(value: str | None) -> str | None:
    """The outcome filter of the entry list, or a 400 naming the choices."""
    if value in (None, ""):
        return None
    if value not in OUTCOME_FILTERS:
        raise choice_error("outcome", [(REVIEW, _("To review")), *EntryOutcome.choices])
    return value


def statement_entry_list(*, statement: BankStatement, outcome: str | None = None) -> QuerySet[StatementEntry]:
    """The entries of a statement (already read for a member), in file order; `outcome` is one
    outcome or "review". The payments of each entry come in one more query when read."""
    qs = StatementEntry.objects.filter(statement=statement)
    outcome = outcome_filter(outcome)
    if outcome == REVIEW:
        qs = qs.filter(outcome__in=REVIEW_OUTCOMES)
    elif outcome:
        qs = qs.filter(outcome=outcome)
    return (qs.select_related("duplicate_of")
            .prefetch_related("payments")
            .order_by("position"))


def statement_entry_get(*, actor: Actor, company_id: int | str, statement_id: int | str,
                        pk: int | str) -> StatementEntry:
    statement = statement_get(actor=actor, company_id=company_id, pk=statement_id)
    entry = statement_entry_list(statement=statement).filter(pk=_int(pk)).first()
    if entry is None:
        raise Http404
    return entry


def statement_outcome_counts(*, statement: BankStatement) -> dict[str, int]:
    """How many entries of the statement have each outcome now (every outcome present, 0 when none).
    One query."""
    counts = dict.fromkeys(EntryOutcome.values, 0)
    for outcome, count in (StatementEntry.objects.filter(statement=statement).values("outcome")
                           .annotate(count=Count("pk")).values_list("outcome", "count")):
        counts[outcome] = count
    return counts


def statement_assignable_orders(*, company: Company, currency: str | None = None) -> list[dict]:
    """The company's orders that can still be paid (accepted or later, something still owed), newest
    first, each with what is still owed on it: what the seller may assign an entry to. One query."""
    open_instalments = ~Q(instalments__status=InstalmentStatus.PAID)
    owed = Coalesce(Sum(F("instalments__amount") - F("instalments__paid_amount"), filter=open_instalments),
                    Decimal("0.00"), output_field=DecimalField(max_digits=14, decimal_places=2))
    qs = (Order.objects.filter(seller=company, status__in=sorted(PAYABLE_STATUSES))
          .annotate(owed=owed).filter(owed__gt=0))
    if currency:
        qs = qs.filter(currency=currency)
    rows = list(qs.order_by("-placed_at", "-pk").values("pk", "payment_reference", "currency", "owed",
                                                        "buyer__legal_name")[:MAX_ASSIGNABLE_ORDERS])
    for row in rows:
        row["owed"] = Decimal(row["owed"]).quantize(CENT)
    return rows
