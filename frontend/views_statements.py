"""The seller's bank statements: upload and list, a statement's progress and per-entry report, and
the review of entries (assign to an order, dismiss). Thin views: parse the form, call one service
or selector, render or redirect."""
from __future__ import annotations

from collections import defaultdict

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from core.exceptions import ApplicationError
from statements import selectors, services
from statements.models import ASSIGNABLE_OUTCOMES, DISMISSABLE_OUTCOMES

from .forms_statements import EntryAssignForm, EntryDismissForm, EntryFilterForm, StatementUploadForm
from .views_catalogue import seller_required

STATEMENTS_PAGE_SIZE = 20
ENTRIES_PAGE_SIZE = 50


@seller_required
@require_http_methods(["GET", "POST"])
def statements(request, seller):
    form = StatementUploadForm(*((request.POST, request.FILES) if request.method == "POST" else ()))
    if request.method == "POST" and form.is_valid():
        try:
            statement = services.statement_upload(actor=request.user, company_id=seller.pk,
                                                  uploaded_file=form.cleaned_data["file"])
        except ApplicationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("The statement is uploaded. Its entries are matched with your orders now."))
            return redirect("frontend:seller_statement_detail", pk=statement.pk)
    page = Paginator(selectors.statement_list(actor=request.user, company_id=seller.pk),
                     STATEMENTS_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "frontend/statements/statements.html", {"form": form, "page": page, "seller": seller},
                  status=400 if form.is_bound else 200)


def _report(request, seller, statement) -> dict:
    """The page of entries with, for those waiting for review, the forms to assign or dismiss them."""
    filter_form = EntryFilterForm(request.GET or None)
    outcome = filter_form.outcome_value()
    page = Paginator(selectors.statement_entry_list(statement=statement, outcome=outcome),
                     ENTRIES_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    orders_by_currency: dict[str, list[dict]] = defaultdict(list)
    if any(entry.outcome in ASSIGNABLE_OUTCOMES for entry in rows):
        for order in selectors.statement_assignable_orders(company=seller):
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
    statement = selectors.statement_get(actor=request.user, company_id=seller.pk, pk=pk)
    context = {"statement": statement, "seller": seller}
    if not statement.running:
        context.update(_report(request, seller, statement))
    return render(request, "frontend/statements/statement_detail.html", context)


@seller_required
@require_safe
def statement_progress(request, seller, pk: int):
    """The progress block alone, fetched by htmx every two seconds while the statement is processed;
    once it is finished the page reloads to show the report."""
    statement = selectors.statement_get(actor=request.user, company_id=seller.pk, pk=pk)
    response = render(request, "frontend/statements/statement_progress.html", {"statement": statement})
    if not statement.running and getattr(request, "htmx", False):
        response["HX-Refresh"] = "true"
    return response


def _back(pk: int, request):
    url = reverse("frontend:seller_statement_detail", args=[pk])
    outcome = request.POST.get("outcome", "")
    return redirect(f"{url}?outcome={outcome}" if outcome in selectors.OUTCOME_FILTERS else url)


@seller_required
@require_POST
def statement_entry_assign(request, seller, pk: int, entry_pk: int):
    entry = selectors.statement_entry_get(actor=request.user, company_id=seller.pk, statement_id=pk, pk=entry_pk)
    form = EntryAssignForm(request.POST, prefix=f"e{entry.pk}",
                           orders=selectors.statement_assignable_orders(company=seller, currency=entry.currency))
    if not form.is_valid():
        messages.error(request, _("Entry %(entry)s: %(problem)s") % {
            "entry": entry.entry_reference, "problem": " ".join(form.errors.get("order_id", []))})
        return _back(pk, request)
    try:
        assigned = services.statement_entry_assign(actor=request.user, company_id=seller.pk, statement_id=pk,
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
    entry = selectors.statement_entry_get(actor=request.user, company_id=seller.pk, statement_id=pk, pk=entry_pk)
    form = EntryDismissForm(request.POST, prefix=f"e{entry.pk}")
    if not form.is_valid():
        messages.error(request, _("Entry %(entry)s: %(problem)s") % {
            "entry": entry.entry_reference, "problem": " ".join(form.errors.get("reason", []))})
        return _back(pk, request)
    try:
        services.statement_entry_dismiss(actor=request.user, company_id=seller.pk, statement_id=pk,
                                         entry_id=entry.pk, reason=form.cleaned_data["reason"])
    except ApplicationError as exc:
        messages.error(request, _("Entry %(entry)s: %(problem)s") % {"entry": entry.entry_reference,
                                                                      "problem": exc.message})
    else:
        messages.success(request, _("Entry %(entry)s is dismissed.") % {"entry": entry.entry_reference})
    return _back(pk, request)
