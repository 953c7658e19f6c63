"""Ordering pages: add to cart, the cart, the checkout with its landed-cost preview, the buyer's orders,
the seller's inbox, the order page with the moves the viewer may take and the order's printable
documents. Thin views: parse the form, call one service or selector, render or redirect."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.models import Company
from core.exceptions import ApplicationError, Conflict, Forbidden
from fx.selectors import fx_currencies
from marketplace import selectors as marketplace_selectors
from orders import selectors as orders_selectors
from orders.selectors import checkout as selectors_checkout
from orders.selectors import rfq as selectors_rfq
from orders import services as orders_services
from orders.document_render import document_response, private, render_document_html, render_document_pdf
from orders.documents import document_title, documents_issued, instalment_due_label, paid_to_label
from orders.documents import order_document as order_document_get
from orders.models import Order, OrderRole, OrderStatus, PaymentMethod
from orders.transitions import ACTIONS as ORDER_ACTIONS
from orders.transitions import actions_for
from orders.services import messages as message_services
from orders.services.payments import (
    before_shipment_outstanding,
    instalment_is_overdue,
    order_moves_available,
    order_terms,
    pay_to_display,
)
from payments.references import rf_format
from trade.incoterms import paid_to

from ..decorators import expired_session_page, safe_next, seller_required
from ..reviews.views import order_review_context
from ..rfq.forms import OrderMessageForm
from . import forms

ORDERS_PAGE_SIZE = 25
# The parts of a landed cost (trade.incoterms.COMPONENTS) and the order columns that hold them.
ORDER_COMPONENT_FIELDS = (("goods", "goods_total"), ("shipping", "shipping"), ("insurance", "insurance"),
                          ("duty", "duty"), ("vat", "vat"))


def _buyer(request) -> Company:
    """The company the signed-in user shops for; 403 when the user belongs to no buying company."""
    try:
        company = orders_selectors.buyer_company_for_actor(actor=request.user)
    except Forbidden:
        raise PermissionDenied from None
    if not company.buys:
        raise PermissionDenied
    return company


# --- add to cart ----------------------------------------------------------------------------------

def _listing_page(request) -> str | None:
    listing_id = request.POST.get("listing_id", "")
    if listing_id.isascii() and listing_id.isdigit() and 0 < int(listing_id) < 2**31:
        return reverse("frontend:listing_detail", args=[int(listing_id)])
    return None


@expired_session_page(_listing_page)
@login_required
@require_POST
def cart_add(request):
    """The service checks the listing (visible, not the buyer's own, ships to the buyer) and returns
    the line with it; the listing's page is read again only to show a refused form."""
    buyer = _buyer(request)
    form = forms.AddToCartForm(request.POST)
    valid = form.is_valid()
    if valid:
        data = form.cleaned_data
        try:
            line, _created = orders_services.cart_line_add(actor=request.user, buyer=buyer,
                                                           listing_id=data["listing_id"], quantity=data["quantity"],
                                                           incoterm=data["incoterm"])
        except Forbidden:
            raise PermissionDenied from None
        except ApplicationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("%(title)s is in your cart.") % {"title": line.listing.title})
            return redirect("frontend:cart")
    listing = None
    if "listing_id" in form.cleaned_data:
        try:
            listing = marketplace_selectors.listing_get_for_actor(actor=request.user,
                                                                  pk=form.cleaned_data["listing_id"])
        except Http404:
            if not valid:  # a valid form was refused by the service, which said so
                form.add_error(None, _("This listing is not available."))
    if listing is not None:
        form.set_offered([row.incoterm for row in listing.incoterm_rows.all()])
    return render(request, "frontend/orders/cart_add.html", {"form": form, "listing": listing}, status=400)


# --- the cart -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class CartRow:
    line: Any
    form: forms.CartLineForm


@dataclass(frozen=True)
class CartGroupRows:
    group: Any
    rows: list[CartRow]


def _cart_page(request, buyer: Company, *, bound: dict[int, forms.CartLineForm] | None = None, status: int = 200):
    currency_form = forms.CurrencyForm(request.GET or None, currencies=fx_currencies())
    cart = orders_selectors.cart_get(actor=request.user, buyer=buyer, currency=currency_form.currency_value())
    bound = bound or {}
    groups = []
    for group in cart.groups:
        rows = []
        for line in group.lines:
            form = bound.get(line.id) or forms.CartLineForm(
                initial={"quantity": line.quantity, "incoterm": line.incoterm}, auto_id=f"line-{line.id}-%s")
            form.set_offered(line.offered_incoterms, current=line.incoterm)
            rows.append(CartRow(line=line, form=form))
        groups.append(CartGroupRows(group=group, rows=rows))
    return render(request, "frontend/orders/cart.html", {
        "buyer": buyer, "cart": cart, "groups": groups, "currency_form": currency_form,
        "has_problems": any(line.problems for group in cart.groups for line in group.lines),
    }, status=status)


@login_required
@require_safe
def cart(request):
    return _cart_page(request, _buyer(request))


def _back_to_cart(request):
    return redirect(safe_next(request, reverse("frontend:cart")))


@login_required
@require_POST
def cart_line_update(request, pk: int):
    buyer = _buyer(request)
    form = forms.CartLineForm(request.POST, auto_id=f"line-{pk}-%s")
    if form.is_valid():
        try:
            orders_services.cart_line_update(actor=request.user, buyer=buyer, line_id=pk,
                                             quantity=form.cleaned_data["quantity"],
                                             incoterm=form.cleaned_data["incoterm"])
        except Forbidden:
            raise PermissionDenied from None
        except ApplicationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("The cart is updated."))
            return _back_to_cart(request)
    return _cart_page(request, buyer, bound={pk: form}, status=400)


@login_required
@require_POST
def cart_line_remove(request, pk: int):
    buyer = _buyer(request)
    try:
        orders_services.cart_line_remove(actor=request.user, buyer=buyer, line_id=pk)
    except Forbidden:
        raise PermissionDenied from None
    messages.success(request, _("The line is removed from your cart."))
    return _back_to_cart(request)


@login_required
@require_POST
def cart_clear(request):
    buyer = _buyer(request)
    try:
        removed = orders_services.cart_clear(actor=request.user, buyer=buyer)
    except Forbidden:
        raise PermissionDenied from None
    if removed:
        messages.success(request, _("Your cart is empty now."))
    return _back_to_cart(request)


# --- checkout -------------------------------------------------------------------------------------

def _checkout_page(request, buyer: Company, form: forms.CheckoutForm, *, preview=None, status: int = 200):
    return render(request, "frontend/orders/checkout.html", {
        "buyer": buyer, "form": form, "preview": preview, "verified": buyer.is_verified,
    }, status=status)


def _preview(request, buyer: Company, form: forms.CheckoutForm, *, record_errors: bool = True):
    """The preview of the form's checkout; its errors go onto the form."""
    if not form.is_valid():
        return None
    try:
        return selectors_checkout.checkout_preview(actor=request.user, buyer=buyer, **form.service_kwargs())
    except Forbidden:
        raise PermissionDenied from None
    except ApplicationError as exc:
        if record_errors:
            form.add_service_error(exc)
        return None


@login_required
@require_http_methods(["GET", "POST"])
def checkout(request):
    buyer = _buyer(request)
    try:
        sellers = selectors_checkout.checkout_seller_options(actor=request.user, buyer=buyer)
    except Forbidden:
        raise PermissionDenied from None
    currencies = fx_currencies()
    if buyer.default_currency not in currencies:
        currencies = sorted({*currencies, buyer.default_currency})

    if request.method == "GET":
        if not sellers:
            return render(request, "frontend/orders/checkout_empty.html", {"buyer": buyer})
        data = {"country": buyer.country.code, "address": buyer.address, "currency": buyer.default_currency,
                "idempotency_key": forms.CheckoutForm.new_key(),
                **{f"incoterm_{s.seller_id}": s.default_incoterm for s in sellers}}
        form = forms.CheckoutForm(data, sellers=sellers, currencies=currencies)
        return _checkout_page(request, buyer, form, preview=_preview(request, buyer, form))

    form = forms.CheckoutForm(request.POST, sellers=sellers, currencies=currencies)
    if request.POST.get("action") != "place":
        preview = _preview(request, buyer, form)
        return _checkout_page(request, buyer, form, preview=preview, status=400 if form.errors else 200)
    if not form.is_valid():
        return _checkout_page(request, buyer, form, status=400)
    try:
        result = orders_services.checkout_place(actor=request.user, buyer=buyer,
                                                idempotency_key=form.cleaned_data["idempotency_key"],
                                                **form.service_kwargs())
    except ApplicationError as exc:
        if isinstance(exc, (Conflict, Forbidden)):
            messages.error(request, exc.message)
        else:
            form.add_service_error(exc)
        if not sellers:
            return render(request, "frontend/orders/checkout_empty.html", {"buyer": buyer}, status=exc.status_code)
        preview = _preview(request, buyer, form, record_errors=False)
        return _checkout_page(request, buyer, form, preview=preview, status=exc.status_code)
    if result.replayed:
        messages.info(request, _("This checkout was already placed; here are its orders."))
    else:
        messages.success(request, _("Your purchase is placed. Each seller has been asked to accept its order."))
    return redirect("frontend:checkout_done", pk=result.group.pk)


@login_required
@require_safe
def checkout_done(request, pk: int):
    group = orders_selectors.purchase_group_get(actor=request.user, pk=pk)
    return render(request, "frontend/orders/checkout_done.html", {"group": group, "orders": group.orders.all()})


# --- order lists ----------------------------------------------------------------------------------

def _order_list_page(request, *, role: str | None, template: str, extra: dict[str, Any]):
    filter_form = forms.OrderFilterForm(request.GET)
    orders = orders_selectors.order_list(actor=request.user, status=filter_form.status_value(), role=role)
    page = Paginator(orders, ORDERS_PAGE_SIZE).get_page(request.GET.get("page"))
    # The next step of each row, addressed to the viewer in the role of the list (no query: state and times).
    roles = {role or OrderRole.MODERATOR}
    rows = [(order, step.sentence(roles) if (step := orders_selectors.order_next_step(order)) else "")
            for order in page.object_list]
    return render(request, template, {"filter_form": filter_form, "page": page, "rows": rows, **extra})


@login_required
@require_safe
def orders(request):
    """The orders the user's companies placed; a moderator sees every order."""
    everything = request.user.is_moderator
    return _order_list_page(request, role=None if everything else OrderRole.BUYER,
                            template="frontend/orders/order_list.html", extra={"all_orders": everything})


@seller_required
@require_safe
def seller_orders(request, seller):
    return _order_list_page(request, role=OrderRole.SELLER, template="frontend/orders/seller_orders.html",
                            extra={"seller": seller})


# --- the order page and its moves -----------------------------------------------------------------

@dataclass(frozen=True)
class OrderAction:
    name: str
    form_class: type[forms.OrderActionForm]
    service: Callable[..., Order]
    label: Any
    done: Any
    danger: bool = False

    @property
    def to_status(self) -> str:
        return ORDER_ACTIONS[self.name]

    def initial(self, order: Order) -> dict[str, Any]:
        if self.to_status == OrderStatus.PAID:
            owed = order.invoice_total - order.amount_paid
            if order.status == OrderStatus.ACCEPTED:
                owed = before_shipment_outstanding(order)
            return {"amount": owed, "reference": order.payment_reference, "method": PaymentMethod.BANK_TRANSFER}
        return {}


ACTIONS = {action.name: action for action in (
    OrderAction("accept", forms.OrderActionForm,
                orders_services.order_accept, gettext_lazy("Accept the order"),
                gettext_lazy("The order is accepted.")),
    OrderAction("refuse", forms.ReasonActionForm,
                orders_services.order_refuse, gettext_lazy("Refuse the order"),
                gettext_lazy("The order is refused."), danger=True),
    OrderAction("pay", forms.PayForm,
                orders_services.order_mark_paid, gettext_lazy("Record the payment"),
                gettext_lazy("The payment is recorded.")),
    OrderAction("ship", forms.ShipForm,
                orders_services.order_ship, gettext_lazy("Mark as shipped"),
                gettext_lazy("The order is shipped.")),
    OrderAction("confirm-delivery", forms.OrderActionForm,
                orders_services.order_confirm_delivery, gettext_lazy("Confirm the delivery"),
                gettext_lazy("The delivery is confirmed.")),
    OrderAction("complete", forms.OrderActionForm,
                orders_services.order_complete, gettext_lazy("Complete the order"),
                gettext_lazy("The order is completed.")),
    OrderAction("dispute", forms.ReasonActionForm,
                orders_services.order_dispute, gettext_lazy("Open a dispute"),
                gettext_lazy("The dispute is opened. A moderator will look at it."), danger=True),
    OrderAction("cancel", forms.ReasonActionForm,
                orders_services.order_cancel, gettext_lazy("Cancel the order"),
                gettext_lazy("The order is cancelled."), danger=True),
    OrderAction("resolve", forms.ResolveForm,
                orders_services.order_resolve, gettext_lazy("Resolve the dispute"),
                gettext_lazy("The dispute is resolved.")),
)}


@dataclass(frozen=True)
class ActionForm:
    action: OrderAction
    form: forms.OrderActionForm


def _available_actions(order: Order, roles: set[str]) -> list[OrderAction]:
    names = set(actions_for(order_moves_available(order, set(roles))))
    return [action for action in ACTIONS.values() if action.name in names]


def _document_links(order: Order) -> list[tuple[str, str, str]]:
    """Links to the trade documents the order has by now: (page, PDF, title)."""
    return [(reverse("frontend:order_document", kwargs={"pk": order.pk, "kind": kind}),
             reverse("frontend:order_document_pdf", kwargs={"pk": order.pk, "kind": kind}), document_title(kind))
            for kind in documents_issued(order)]


def _detail_page(request, order_id: int, *, bound: tuple[str, forms.OrderActionForm] | None = None,
                 message_form: OrderMessageForm | None = None, status: int = 200):
    order = orders_selectors.order_get(actor=request.user, pk=order_id)
    roles = orders_selectors.order_roles_of(actor=request.user, order=order)
    # The messages are the buyer's and the seller's own: a moderator does not see them.
    thread = None
    if roles & {OrderRole.BUYER, OrderRole.SELLER}:
        thread = list(selectors_rfq.message_list_order(actor=request.user, order_id=order.pk))
        if thread:
            message_services.message_thread_mark_read(user=request.user, message=thread[-1])
        message_form = message_form or OrderMessageForm(auto_id="message-%s")
    forms_ = []
    for action in _available_actions(order, roles):
        if bound is not None and bound[0] == action.name:
            form = bound[1]
        else:
            form = action.form_class(initial=action.initial(order), auto_id=f"{action.name}-%s")
        forms_.append(ActionForm(action=action, form=form))
    if bound is not None and bound[1].errors and not any(item.action.name == bound[0] for item in forms_):
        for errors in bound[1].errors.values():
            for message in errors:
                messages.error(request, message)
    payments = list(order.payments.all())
    payees = paid_to(order.payer or {})
    today = timezone.localdate()
    return render(request, "frontend/orders/order_detail.html", {
        "order": order,
        "roles": roles,
        "is_buyer": OrderRole.BUYER in roles,
        "is_seller": OrderRole.SELLER in roles,
        "payment": payments[0] if payments else None,
        "payments": payments,
        "instalments": [(item, instalment_due_label(item), instalment_is_overdue(item, today=today))
                        for item in order.instalments.all()],
        "payment_terms_label": order_terms(order).label,
        "pay_to": pay_to_display(order),
        "payment_reference_display": rf_format(order.payment_reference) if order.payment_reference else "",
        "actions": forms_,
        "documents": _document_links(order),
        "progress": orders_selectors.order_progress(order=order, roles=roles),
        "thread": thread,
        "message_form": message_form,
        **order_review_context(order=order, roles=roles),
        "components": [(name, getattr(order, field), order.payer.get(name, ""), paid_to_label(payees[name]))
                       for name, field in ORDER_COMPONENT_FIELDS],
    }, status=status)


@login_required
@require_safe
def order_detail(request, pk: int):
    return _detail_page(request, pk)


@login_required
@require_POST
def order_action(request, pk: int, action: str):
    spec = ACTIONS.get(action)
    if spec is None:
        raise Http404
    order_id = orders_selectors.order_visible_id(actor=request.user, pk=pk)
    form = spec.form_class(request.POST, auto_id=f"{spec.name}-%s")
    if form.is_valid():
        try:
            spec.service(order_id=order_id, actor=request.user, **form.service_kwargs())
        except Forbidden:
            raise PermissionDenied from None
        except Conflict as exc:
            messages.error(request, exc.message)
            return _detail_page(request, order_id, status=exc.status_code)
        except ApplicationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, str(spec.done))
            return redirect("frontend:order_detail", pk=order_id)
    return _detail_page(request, order_id, bound=(spec.name, form), status=400)


@login_required
@require_POST
def order_message(request, pk: int):
    """Posts a message to the other party of the order."""
    order_id = selectors_rfq.order_party_id(actor=request.user, order_id=pk)
    form = OrderMessageForm(request.POST, auto_id="message-%s")
    status = 400
    if form.is_valid():
        try:
            message_services.message_post_order(actor=request.user, order_id=order_id, body=form.cleaned_data["body"])
        except ApplicationError as exc:
            form.add_service_error(exc)
            status = exc.status_code
        else:
            return redirect(reverse("frontend:order_detail", kwargs={"pk": order_id}) + "#order-messages")
    return _detail_page(request, order_id, message_form=form, status=status)


# --- printable trade documents: the selector decides who sees what (404) and whether the document is
# issued yet (409) ---------------------------------------------------------------------------------

def _document_or_unavailable(request, pk: int, kind: str):
    try:
        return order_document_get(actor=request.user, order_id=pk, kind=kind), None
    except Conflict as exc:
        page = render(request, "frontend/order_document_unavailable.html", {"message": exc.message, "order_id": pk},
                      status=exc.status_code)
        return None, private(page)


@login_required
@require_safe
def order_document(request, pk: int, kind: str):
    doc, unavailable = _document_or_unavailable(request, pk, kind)
    if unavailable is not None:
        return unavailable
    return document_response(render_document_html(doc), content_type="text/html; charset=utf-8")


@login_required
@require_safe
def order_document_pdf(request, pk: int, kind: str):
    doc, unavailable = _document_or_unavailable(request, pk, kind)
    if unavailable is not None:
        return unavailable
    return document_response(render_document_pdf(doc), content_type="application/pdf", filename=doc.filename)
