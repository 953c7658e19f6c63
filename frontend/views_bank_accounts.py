"""The seller's bank accounts: the list, a new account, an account's editor and its archiving. Thin
views: parse the form, call one service or selector, render or redirect. Every member sees the
accounts; owners change them, as the payments services allow."""
from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from core.exceptions import ApplicationError
from payments import selectors, services
from payments.models import BankAccount

from .forms_bank_accounts import BankAccountForm
from .views_catalogue import seller_required


def _form_page(request, form: BankAccountForm, seller, account: BankAccount | None):
    return render(request, "frontend/bank_accounts/account_form.html",
                  {"form": form, "account": account, "seller": seller},
                  status=400 if form.is_bound else 200)


@seller_required
@require_safe
def bank_accounts(request, seller):
    accounts = list(selectors.bank_account_list(actor=request.user, company_id=seller.pk, include_archived=True))
    return render(request, "frontend/bank_accounts/accounts.html", {
        "seller": seller,
        "live_accounts": [account for account in accounts if not account.is_archived],
        "archived_accounts": [account for account in accounts if account.is_archived],
        "can_change": selectors.bank_account_can_change(actor=request.user, company=seller),
    })


@seller_required
@require_http_methods(["GET", "POST"])
def bank_account_new(request, seller):
    form = BankAccountForm(request.POST if request.method == "POST" else None,
                           initial={"currency": seller.default_currency, "bank_country": str(seller.country),
                                    "account_holder": seller.legal_name})
    if request.method == "POST" and form.is_valid():
        try:
            account = services.bank_account_create(company=seller, actor=request.user, **form.account_data())
        except ApplicationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("The bank account “%(label)s” is saved.") % {"label": account.label})
            return redirect("frontend:seller_bank_accounts")
    return _form_page(request, form, seller, None)


@seller_required
@require_http_methods(["GET", "POST"])
def bank_account_edit(request, seller, pk: int):
    account = selectors.bank_account_get(actor=request.user, company_id=seller.pk, pk=pk)
    form = BankAccountForm.for_account(account, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.bank_account_update(account=account, actor=request.user, data=form.account_data())
        except ApplicationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("The bank account “%(label)s” is saved.") % {"label": saved.label})
            return redirect("frontend:seller_bank_accounts")
    return _form_page(request, form, seller, account)


@seller_required
@require_POST
def bank_account_archive(request, seller, pk: int):
    account = selectors.bank_account_get(actor=request.user, company_id=seller.pk, pk=pk)
    try:
        services.bank_account_archive(account=account, actor=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The bank account “%(label)s” is archived; buyers are no longer told to pay "
                                    "into it.") % {"label": account.label})
    return redirect("frontend:seller_bank_accounts")
