"""Reads of sellers' bank accounts: a company's own list for its members, and the account an
order's buyer is told to pay into."""
from __future__ import annotations

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.http import Http404

from accounts.models import Company, MembershipRole
from accounts.selectors import Actor, membership_get

from .models import BankAccount


def bank_account_company(*, actor: Actor, company_id: int | str) -> Company:
    """A company the actor is a member of; any other is not found. Two queries."""
    try:
        company = Company.objects.filter(pk=int(company_id)).first()
    except (TypeError, ValueError):
        company = None
    if company is None or membership_get(actor=actor, company=company) is None:
        raise Http404
    return company


def bank_account_can_change(*, actor: Actor, company: Company) -> bool:
    """Owners of the company add, change and archive its accounts; other members only read them."""
    membership = membership_get(actor=actor, company=company)
    return membership is not None and membership.role == MembershipRole.OWNER


def bank_account_list(*, actor: Actor, company_id: int, include_archived: bool = False) -> QuerySet[BankAccount]:
    """The accounts of a company the actor is a member of, live ones first; anyone else gets 404.
    Three queries: the company, the membership, then the accounts when the caller reads them."""
    company = bank_account_company(actor=actor, company_id=company_id)
    qs = BankAccount.objects.filter(company=company)
    if not include_archived:
        qs = qs.filter(archived_at__isnull=True)
    return qs.select_related("company").order_by(
        Case(When(archived_at__isnull=True, then=Value(0)), default=Value(1), output_field=IntegerField()),
        "currency", "-is_default", "label", "pk")


def bank_account_get(*, actor: Actor, company_id: int, pk: int | str) -> BankAccount:
    """One account (live or archived) of a company the actor is a member of; any other is not found."""
    try:
        account_id = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    account = bank_account_list(actor=actor, company_id=company_id, include_archived=True).filter(
        pk=account_id).first()
    if account is None:
        raise Http404
    return account


def bank_account_for_payment(*, seller_id: int, currency: str) -> BankAccount | None:
    """The account a buyer pays an order of `seller_id` in `currency` into: the seller's default live
    account in that currency, else a default live account in another currency, else a live account
    in that currency, else any live account (oldest first), else None. One query."""
    rank = Case(
        When(Q(is_default=True, currency=currency), then=Value(0)),
        When(is_default=True, then=Value(1)),
        When(currency=currency, then=Value(2)),
        default=Value(3), output_field=IntegerField())
    return (BankAccount.objects.filter(company_id=seller_id, archived_at__isnull=True)
            .order_by(rank, "created_at", "pk").first())
