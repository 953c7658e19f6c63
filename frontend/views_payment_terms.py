"""The seller's payment terms and the buyers it trusts with net terms. Thin views: parse the form,
call one service or selector, render or redirect."""
from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from core.exceptions import ApplicationError, Forbidden
from orders import selectors
from orders.payment_terms import Terms
from orders.services import payments as services

from .forms_payment_terms import PaymentTermForm, TrustedBuyerForm
from .views_catalogue import seller_required


def _page(request, seller, *, term_form=None, trust_form=None, status: int = 200):
    candidates = list(selectors.trusted_buyer_candidates(seller_id=seller.pk))
    terms = [(row, Terms(kind=row.kind, deposit_percent=row.deposit_percent, net_days=row.net_days))
             for row in selectors.payment_term_list(seller_id=seller.pk)]
    return render(request, "frontend/payment_terms/terms.html", {
        "seller": seller,
        "terms": terms,
        "trusted": list(selectors.trusted_buyer_list(seller_id=seller.pk)),
        "can_change": selectors.payment_terms_can_change(actor=request.user, seller=seller),
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
            term = _forbidden_to_403(lambda: services.payment_term_add(actor=request.user, seller=seller,
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
    _forbidden_to_403(lambda: services.payment_term_withdraw(actor=request.user, seller=seller, term_id=pk))
    messages.success(request, _("These terms are no longer offered; orders that chose them keep them."))
    return redirect("frontend:seller_payment_terms")


@seller_required
@require_POST
def trusted_buyer_add(request, seller):
    candidates = list(selectors.trusted_buyer_candidates(seller_id=seller.pk))
    form = TrustedBuyerForm(request.POST, candidates=candidates, auto_id="trust-%s")
    if form.is_valid():
        try:
            _forbidden_to_403(lambda: services.trusted_buyer_set(actor=request.user, seller=seller,
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
        _forbidden_to_403(lambda: services.trusted_buyer_set(actor=request.user, seller=seller, buyer_id=buyer_id,
                                                             trusted=False))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("This buyer can no longer choose your net terms."))
    return redirect("frontend:seller_payment_terms")
