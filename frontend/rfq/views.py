"""Request-for-quotation pages: the board (a buyer's requests and the form to post one; the open
requests a seller may quote on), a request's page (the seller's quote form, the buyer's side-by-side
comparison of the quotes with an accept button) and the message threads. Thin views: parse the
form, call one service or selector, render or redirect.

The company a user acts for is the user's primary company (the one shown in the header)."""
from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from core.exceptions import ApplicationError
from marketplace.models import Listing, ListingStatus
from orders.selectors import rfq as selectors_rfq
from orders.models import QuoteStatus
from orders.services import messages as message_services
from orders.services import rfq as rfq_services

from ..decorators import company_required
from . import forms

PAGE_SIZE = 20


# --- the board ----------------------------------------------------------------------------------

def _rfq_form(company, data=None) -> forms.RfqForm:
    return forms.RfqForm(data, recipients=selectors_rfq.rfq_recipients(buyer=company))


def _board(request, company, form=None, *, status: int = 200):
    context = {"company": company, "form": None, "buyer_page": None, "seller_page": None}
    if company.buys:
        context["form"] = form or _rfq_form(company)
        context["buyer_page"] = Paginator(selectors_rfq.rfq_list_for_buyer(actor=request.user, buyer=company),
                                          PAGE_SIZE).get_page(request.GET.get("page"))
    if company.sells:
        context["seller_page"] = Paginator(selectors_rfq.rfq_board_for_seller(seller=company),
                                           PAGE_SIZE).get_page(request.GET.get("open_page"))
    return render(request, "frontend/rfq/board.html", context, status=status)


@company_required
@require_http_methods(["GET", "POST"])
def rfq_board(request, company):
    if request.method != "POST":
        return _board(request, company)
    form = _rfq_form(company, request.POST)
    status = 400
    if form.is_valid():
        try:
            rfq = rfq_services.rfq_create(actor=request.user, buyer=company, **form.service_kwargs())
        except ApplicationError as exc:
            form.add_service_error(exc)
            status = exc.status_code
        else:
            messages.success(request, _("Your request for quotation is posted."))
            return redirect("frontend:rfq_detail", pk=rfq.pk)
    return _board(request, company, form, status=status)


# --- a request ----------------------------------------------------------------------------------

def _own_listings(company) -> list[Listing]:
    return list(Listing.objects.filter(seller=company).exclude(status=ListingStatus.ARCHIVED)
                .order_by("title", "pk").only("pk", "title"))


def _quote_initial(quote) -> dict:
    return {"unit_price": quote.unit_price, "moq": quote.moq, "lead_time_days": quote.lead_time_days,
            "incoterm": quote.incoterm, "valid_until": quote.valid_until, "listing": quote.listing_id,
            "hs_code": quote.hs_code, "origin_country": str(quote.origin_country),
            "unit_weight_kg": quote.unit_weight_kg, "note": quote.note}


def _detail(request, company, pk, *, quote_form=None, message_form=None, status: int = 200):
    rfq = selectors_rfq.rfq_get(actor=request.user, pk=pk)
    page = selectors_rfq.rfq_page(actor=request.user, rfq=rfq, company_id=company.pk)
    access, is_buyer, seller_id = page.access, page.is_buyer, page.seller_id
    context = {"rfq": rfq, "is_buyer": is_buyer, "comparison": None, "my_quote": None, "quote_form": None,
               "thread": None, "thread_seller": None, "message_form": None, "is_open": page.is_open}

    if is_buyer:
        comparison = selectors_rfq.quote_comparison(actor=request.user, rfq=rfq,
                                                    currency=request.GET.get("currency") or None)
        context["comparison"] = comparison
        chosen = request.GET.get("seller") or (message_form["seller"].value() if message_form else None)
        if chosen and str(chosen).isdigit():
            thread_seller = next((row.seller for row in comparison.rows if row.seller.pk == int(chosen)), None)
            if thread_seller is not None:
                context["thread_seller"] = thread_seller
                context["thread"] = list(selectors_rfq.message_list_rfq(actor=request.user, rfq=rfq,
                                                                        seller_id=thread_seller.pk, access=access))
                if context["thread"]:
                    message_services.message_thread_mark_read(user=request.user, message=context["thread"][-1])
                context["message_form"] = message_form or forms.MessageForm(initial={"seller": thread_seller.pk})
        if message_form is not None and context["thread_seller"] is None:
            for errors in message_form.errors.values():
                for error in errors:
                    messages.error(request, error)
    elif seller_id is not None:
        context["my_quote"] = page.my_quote
        if page.may_quote:
            initial = _quote_initial(page.my_quote) if page.revising else {"incoterm": rfq.incoterm}
            context["quote_form"] = quote_form or forms.QuoteForm(initial=initial, listings=_own_listings(company))
            context["revising"] = page.revising
        context["thread"] = list(selectors_rfq.message_list_rfq(actor=request.user, rfq=rfq, seller_id=seller_id,
                                                                    access=access))
        if context["thread"]:
            message_services.message_thread_mark_read(user=request.user, message=context["thread"][-1])
        context["message_form"] = message_form or forms.MessageForm(initial={"seller": seller_id})
    return render(request, "frontend/rfq/detail.html", context, status=status)


@company_required
@require_safe
def rfq_detail(request, pk: int, company):
    return _detail(request, company, pk)


@company_required
@require_POST
def rfq_quote(request, pk: int, company):
    """Submits the seller's quote, or revises its submitted one."""
    rfq = selectors_rfq.rfq_get(actor=request.user, pk=pk)
    form = forms.QuoteForm(request.POST, listings=_own_listings(company))
    status = 400
    if form.is_valid():
        current = selectors_rfq.quote_of_seller(rfq=rfq, seller_id=company.pk)
        try:
            if current is not None and current.status == QuoteStatus.SUBMITTED:
                rfq_services.quote_revise(actor=request.user, quote_id=current.pk, **form.terms())
            else:
                rfq_services.quote_submit(actor=request.user, seller=company, rfq_id=rfq.pk, **form.terms())
        except ApplicationError as exc:
            form.add_service_error(exc)
            status = exc.status_code
        else:
            messages.success(request, _("Your quote is sent to the buyer."))
            return redirect("frontend:rfq_detail", pk=rfq.pk)
    return _detail(request, company, rfq.pk, quote_form=form, status=status)


def _run_and_return(request, rfq, service, *, done: str, **kwargs):
    """Calls the service for the user and goes back to the request's page with the outcome as a message."""
    try:
        service(actor=request.user, **kwargs)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return redirect("frontend:rfq_detail", pk=rfq.pk)


@company_required
@require_POST
def rfq_quote_withdraw(request, pk: int, company):
    rfq = selectors_rfq.rfq_get(actor=request.user, pk=pk)
    current = selectors_rfq.quote_of_seller(rfq=rfq, seller_id=company.pk)
    if current is None:
        messages.error(request, _("Your company has no quote on this request."))
        return redirect("frontend:rfq_detail", pk=rfq.pk)
    return _run_and_return(request, rfq, rfq_services.quote_withdraw, quote_id=current.pk,
                           done=_("Your quote is withdrawn."))


@company_required
@require_POST
def rfq_accept(request, pk: int, company):
    rfq = selectors_rfq.rfq_get(actor=request.user, pk=pk)
    form = forms.AcceptForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a quote to accept."))
        return redirect("frontend:rfq_detail", pk=rfq.pk)
    try:
        order, _replayed = rfq_services.quote_accept(actor=request.user, rfq_id=rfq.pk,
                                                     quote_id=form.cleaned_data["quote"],
                                                     payment_terms=form.cleaned_data["payment_terms"] or None)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("You accepted the quote. Order %(number)s is placed.") % {"number": order.pk})
    return redirect("frontend:rfq_detail", pk=rfq.pk)


@company_required
@require_POST
def rfq_cancel(request, pk: int, company):
    rfq = selectors_rfq.rfq_get(actor=request.user, pk=pk)
    return _run_and_return(request, rfq, rfq_services.rfq_cancel, rfq_id=rfq.pk,
                           done=_("Your request for quotation is cancelled."))


@company_required
@require_POST
def rfq_message(request, pk: int, company):
    rfq = selectors_rfq.rfq_get(actor=request.user, pk=pk)
    form = forms.MessageForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            message = message_services.message_post_rfq(actor=request.user, rfq_id=rfq.pk,
                                                        body=form.cleaned_data["body"],
                                                        seller_id=form.cleaned_data.get("seller"))
        except ApplicationError as exc:
            form.add_service_error(exc)
            status = exc.status_code
        else:
            url = reverse("frontend:rfq_detail", args=[rfq.pk])
            if message.company_id == rfq.buyer_id:
                url += f"?seller={message.seller_id}"
            return redirect(url + "#messages")
    return _detail(request, company, rfq.pk, message_form=form, status=status)
