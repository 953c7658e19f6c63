"""The seller's money pages: the payment terms it offers and the buyers it trusts with net terms, its
bank accounts (every member sees them; owners change them, as the payments services allow), and its
bank statements (upload and list, a statement's progress and per-entry report, the review of
entries: assign to an order, dismiss). Thin views: parse the form, call one service or selector,
render or redirect."""
from __future__ import annotations

from collections import defaultdict

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from core.exceptions import ApplicationError, Forbidden
from orders import selectors as orders_selectors
from orders.payment_terms import Terms
from orders.services import payments as payment_term_services
from payments import selectors as payments_selectors
from payments import services as payments_services
from payments.models import BankAccount
from statements import selectors as statements_selectors
from statements import services as statements_services
from statements.models import ASSIGNABLE_OUTCOMES, DISMISSABLE_OUTCOMES

from ..decorators import seller_required
from .forms import (
    BankAccountForm,
    EntryAssignForm,
    EntryDismissForm,
    EntryFilterForm,
    PaymentTermForm,
    StatementUploadForm,
    TrustedBuyerForm,
)

STATEMENTS_PAGE_SIZE = 20
ENTRIES_PAGE_SIZE = 50


# --- payment terms and trusted buyers ------------------------------------------------------------

def _page(request, seller, *, term_form=None, trust_form=None, status: int = 200):
    candidates = list(orders_selectors.trusted_buyer_candidates(seller_id=seller.pk))
    terms = [(row, Terms(kind=row.kind, deposit_percent=row.deposit_percent, net_days=row.net_days))
             for row in orders_selectors.payment_term_list(seller_id=seller.pk)]
    return render(request, "frontend/payment_terms/terms.html", {
        "seller": seller,
        "terms": terms,
        "trusted": list(orders_selectors.trusted_buyer_list(seller_id=seller.pk)),
        "can_change": orders_selectors.payment_terms_can_change(actor=request.user, seller=seller),
        "term_form": term_form or PaymentTermForm(auto_id="term-%s"),
        "trust_form": trust_form or TrustedBuyerForm(candidates=candidates, auto_id="trust-%s"),
    }, status=status)


def _forbidden_to_403(call):
    try:
        return call()
    except Forbidden:
        raise PermissionDenied from None


@seller_required
@require_safe
def payment_terms(request, seller):
    return _page(request, seller)


@seller_required
@require_POST
def payment_term_add(request, seller):
    form = PaymentTermForm(request.POST, auto_id="term-%s")
    if form.is_valid():
        try:
            term = _forbidden_to_403(lambda: payment_term_services.payment_term_add(actor=request.user, seller=seller,
                                                                       code=form.code()))
        except ApplicationError as exc:
            form.add_service_error(exc)
        else:
            label = Terms(kind=term.kind, deposit_percent=term.deposit_percent, net_days=term.net_days).label
            messages.success(request, _("You now offer: %(terms)s.") % {"terms": label})
            return redirect("frontend:seller_payment_terms")
    return _page(request, seller, term_form=form, status=400)


@seller_required
@require_POST
def payment_term_withdraw(request, seller, pk: int):
    _forbidden_to_403(lambda: payment_term_services.payment_term_withdraw(actor=request.user, seller=seller,
                                                                          term_id=pk))
    messages.success(request, _("These terms are no longer offered; orders that chose them keep them."))
    return redirect("frontend:seller_payment_terms")


@seller_required
@require_POST
def trusted_buyer_add(request, seller):
    candidates = list(orders_selectors.trusted_buyer_candidates(seller_id=seller.pk))
    form = TrustedBuyerForm(request.POST, candidates=candidates, auto_id="trust-%s")
    if form.is_valid():
        try:
            _forbidden_to_403(lambda: payment_term_services.trusted_buyer_set(actor=request.user, seller=seller,
                                                                 buyer_id=form.cleaned_data["buyer"], trusted=True))
        except ApplicationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("This buyer may now choose your net terms."))
            return redirect("frontend:seller_payment_terms")
    return _page(request, seller, trust_form=form, status=400)


@seller_required
@require_POST
def trusted_buyer_remove(request, seller, buyer_id: int):
    try:
        _forbidden_to_403(lambda: payment_term_services.trusted_buyer_set(actor=request.user, seller=seller,
                                                                          buyer_id=buyer_id, trusted=False))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("This buyer can no longer choose your net terms."))
    return redirect("frontend:seller_payment_terms")


# --- bank accounts ----------------------------------------------------------------------------------

def _bank_account_page(request, form: BankAccountForm, seller, account: BankAccount | None):
    return render(request, "frontend/bank_accounts/account_form.html",
                  {"form": form, "account": account, "seller": seller},
                  status=400 if form.is_bound else 200)


@seller_required
@require_safe
def bank_accounts(request, seller):
    accounts = list(payments_selectors.bank_account_list(actor=request.user, company_id=seller.pk,
                                                         include_archived=True))
    return render(request, "frontend/bank_accounts/accounts.html", {
        "seller": seller,
        "live_accounts": [account for account in accounts if not account.is_archived],
        "archived_accounts": [account for account in accounts if account.is_archived],
        "can_change": payments_selectors.bank_account_can_change(actor=request.user, company=seller),
    })


@seller_required
@require_http_methods(["GET", "POST"])
def bank_account_new(request, seller):
    form = BankAccountForm(request.POST if request.method == "POST" else None,
                           initial={"currency": seller.default_currency, "bank_country": str(seller.country),
                                    "account_holder": seller.legal_name})
    if request.method == "POST" and form.is_valid():
        try:
            account = payments_services.bank_account_create(company=seller, actor=request.user, **form.account_data())
        except ApplicationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("The bank account “%(label)s” is saved.") % {"label": account.label})
            return redirect("frontend:seller_bank_accounts")
    return _bank_account_page(request, form, seller, None)


@seller_required
@require_http_methods(["GET", "POST"])
def bank_account_edit(request, seller, pk: int):
    account = payments_selectors.bank_account_get(actor=request.user, company_id=seller.pk, pk=pk)
    form = BankAccountForm.for_account(account, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            saved = payments_services.bank_account_update(account=account, actor=request.user, data=form.account_data())
        except ApplicationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("The bank account “%(label)s” is saved.") % {"label": saved.label})
            return redirect("frontend:seller_bank_accounts")
    return _bank_account_page(request, form, seller, account)


@seller_required
@require_POST
def bank_account_archive(request, seller, pk: int):
    account = payments_selectors.bank_account_get(actor=request.user, company_id=seller.pk, pk=pk)
    try:
        payments_services.bank_account_archive(account=account, actor=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The bank account “%(label)s” is archived; buyers are no longer told to pay "
                                    "into it.") % {"label": account.label})
    return redirect("frontend:seller_bank_accounts")


# --- bank statements --------------------------------------------------------------------------------

@seller_required
@require_http_methods(["GET", "POST"])
def statements(request, seller):
    form = StatementUploadForm(*((request.POST, request.FILES) if request.method == "POST" else ()))
    if request.method == "POST" and form.is_valid():
        try:
            statement = statements_services.statement_upload(actor=request.user, company_id=seller.pk,
                                                  uploaded_file=form.cleaned_data["file"])
        except ApplicationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("The statement is uploaded. Its entries are matched with your orders now."))
            return redirect("frontend:seller_statement_detail", pk=statement.pk)
    page = Paginator(statements_selectors.statement_list(actor=request.user, company_id=seller.pk),
                     STATEMENTS_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "frontend/statements/statements.html", {"form": form, "page": page, "seller": seller},
                  status=400 if form.is_bound else 200)


def _report(request, seller, statement) -> dict:
    """The page of entries with, for those waiting for review, the forms to assign or dismiss them."""
    filter_form = EntryFilterForm(request.GET or None)
    outcome = filter_form.outcome_value()
    page = Paginator(statements_selectors.statement_entry_list(statement=statement, outcome=outcome),
                     ENTRIES_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    orders_by_currency: dict[str, list[dict]] = defaultdict(list)
    if any(entry.outcome in ASSIGNABLE_OUTCOMES for entry in rows):
        for order in statements_selectors.statement_assignable_orders(company=seller):
            orders_by_currency[order["currency"]].append(order)
    reviews = []
    for entry in rows:
        assign = (EntryAssignForm(orders=orders_by_currency.get(entry.currency, []), prefix=f"e{entry.pk}")
                  if entry.outcome in ASSIGNABLE_OUTCOMES else None)
        dismiss = EntryDismissForm(prefix=f"e{entry.pk}") if entry.outcome in DISMISSABLE_OUTCOMES else None
        reviews.append((entry, assign, dismiss))
    return {"filter_form": filter_form, "page": page, "reviews": reviews, "outcome": outcome or ""}


@seller_required
@require_safe
def statement_detail(request, seller, pk: int):
    statement = statements_selectors.statement_get(actor=request.user, company_id=seller.pk, pk=pk)
    context = {"statement": statement, "seller": seller}
    if not statement.running:
        context.update(_report(request, seller, statement))
    return render(request, "frontend/statements/statement_detail.html", context)


@seller_required
@require_safe
def statement_progress(request, seller, pk: int):
    """The progress block alone, fetched by htmx every two seconds while the statement is processed;
    once it is finished the page reloads to show the report."""
    statement = statements_selectors.statement_get(actor=request.user, company_id=seller.pk, pk=pk)
    response = render(request, "frontend/statements/statement_progress.html", {"statement": statement})
    if not statement.running and getattr(request, "htmx", False):
        response["HX-Refresh"] = "true"
    return response


def _back(pk: int, request):
    url = reverse("frontend:seller_statement_detail", args=[pk])
    outcome = request.POST.get("outcome", "")
    return redirect(f"{url}?outcome={outcome}" if outcome in statements_selectors.OUTCOME_FILTERS else url)


@seller_required
@require_POST
def statement_entry_assign(request, seller, pk: int, entry_pk: int):
    entry = statements_selectors.statement_entry_get(actor=request.user, company_id=seller.pk, statement_id=pk,
                                                     pk=entry_pk)
    form = EntryAssignForm(request.POST, prefix=f"e{entry.pk}",
                           orders=statements_selectors.statement_assignable_orders(company=seller,
                                                                                   currency=entry.currency))
    if not form.is_valid():
        messages.error(request, _("Entry %(entry)s: %(problem)s") % {
            "entry": entry.entry_reference, "problem": " ".join(form.errors.get("order_id", []))})
        return _back(pk, request)
    try:
        assigned = statements_services.statement_entry_assign(actor=request.user, company_id=seller.pk, statement_id=pk,
                                                   entry_id=entry.pk, order_id=form.cleaned_data["order_id"])
    except ApplicationError as exc:
        messages.error(request, _("Entry %(entry)s: %(problem)s") % {"entry": entry.entry_reference,
                                                                      "problem": exc.message})
    else:
        messages.success(request, _("%(amount)s %(currency)s of entry %(entry)s is recorded as paid by the buyer "
                                    "for the order.") % {"amount": assigned.recorded_amount,
                                                         "currency": assigned.currency,
                                                         "entry": assigned.entry_reference})
    return _back(pk, request)


@seller_required
@require_POST
def statement_entry_dismiss(request, seller, pk: int, entry_pk: int):
    entry = statements_selectors.statement_entry_get(actor=request.user, company_id=seller.pk, statement_id=pk,
                                                     pk=entry_pk)
    form = EntryDismissForm(request.POST, prefix=f"e{entry.pk}")
    if not form.is_valid():
        messages.error(request, _("Entry %(entry)s: %(problem)s") % {
            "entry": entry.entry_reference, "problem": " ".join(form.errors.get("reason", []))})
        return _back(pk, request)
    try:
        statements_services.statement_entry_dismiss(actor=request.user, company_id=seller.pk, statement_id=pk,
                                         entry_id=entry.pk, reason=form.cleaned_data["reason"])
    except ApplicationError as exc:
        messages.error(request, _("Entry %(entry)s: %(problem)s") % {"entry": entry.entry_reference,
                                                                      "problem": exc.message})
    else:
        messages.success(request, _("Entry %(entry)s is dismissed.") % {"entry": entry.entry_reference})
    return _back(pk, request)
