"""Trade documents of an order, as plain data for the HTML and PDF renderers (orders/document_render.py).

- The proforma invoice exists once the seller has accepted the order; it stays available when an
  accepted order is cancelled later. Its date is the acceptance time.
- The commercial invoice and the packing list exist once the order has been shipped; their date is
  the shipping time.

Every amount is in the order currency (the seller's). Each cost says who pays it and to whom: the
invoice total (goods plus what the seller arranges under the Incoterm) is payable to the seller and
is also given in the buyer's currency at the rate fixed when the order was placed; the buyer's other
costs (carrier, insurer, customs) are estimates the buyer pays to others. The proforma invoice
carries the payment terms, the schedule, the RF payment reference and the account to pay into.

The package count of the packing list: a line sold by a shipping unit (box, carton, pallet) counts
its quantity as packages, any other line is packed as one package."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.http import Http404
from django.utils.translation import gettext as _

from accounts.models import Company
from accounts.selectors import Actor
from core.exceptions import Conflict
from marketplace.models import Incoterm, Unit

from payments.references import rf_format
from trade.incoterms import paid_to

from .models import Instalment, InstalmentDue, Order, OrderLine, OrderStatus
from .selectors import order_visible_id
from .services.payments import order_terms, pay_to_display

PROFORMA = "proforma"
COMMERCIAL_INVOICE = "commercial-invoice"
PACKING_LIST = "packing-list"
KINDS = (PROFORMA, COMMERCIAL_INVOICE, PACKING_LIST)

NUMBER_PREFIX = {PROFORMA: "PI", COMMERCIAL_INVOICE: "CI", PACKING_LIST: "PL"}

# States from which a proforma is never issued: the seller has not accepted the order.
NOT_ACCEPTED = frozenset({OrderStatus.PLACED, OrderStatus.REFUSED})
PACKAGE_UNITS = frozenset({Unit.BOX, Unit.CARTON, Unit.PALLET})
COST_COMPONENTS = ("goods", "shipping", "insurance", "duty", "vat")


def document_title(kind: str) -> str:
    return {PROFORMA: _("Proforma invoice"), COMMERCIAL_INVOICE: _("Commercial invoice"),
            PACKING_LIST: _("Packing list")}[kind]


def component_label(component: str) -> str:
    """A landed-cost component in words (the documents and the checkout and order pages)."""
    return {"goods": _("Goods"), "shipping": _("Shipping"), "insurance": _("Insurance"), "duty": _("Import duty"),
            "vat": _("Import VAT")}.get(component, component)


def payer_label(payer: str) -> str:
    """Who pays a component, in words."""
    return {"buyer": _("Buyer"), "seller": _("Seller")}.get(payer, payer)


def paid_to_label(payee: str) -> str:
    """Who receives a component's money, in words."""
    return {"seller": _("the seller (on its invoice)"), "carrier": _("the carrier"), "insurer": _("the insurer"),
            "customs": _("customs at the destination")}.get(payee, payee)


def due_label(due: str) -> str:
    """When an instalment falls due (InstalmentDue), in words."""
    return str(InstalmentDue(due).label) if due in InstalmentDue.values else due


def instalment_due_label(instalment: Instalment) -> str:
    """When an instalment is due, in words, with its date once known."""
    label = due_label(instalment.due)
    if instalment.due_date:
        return _("%(event)s (due %(date)s)") % {"event": label, "date": instalment.due_date.isoformat()}
    return label


@dataclass(frozen=True)
class DocumentParty:
    legal_name: str
    address: str
    country: str
    country_name: str
    registration_number: str


@dataclass(frozen=True)
class DocumentLine:
    title: str
    hs_code: str
    origin_country: str
    origin_country_name: str
    quantity: int
    unit: str
    unit_label: str
    unit_price: Decimal
    line_total: Decimal
    unit_weight_kg: Decimal
    weight_kg: Decimal
    packages: int


@dataclass(frozen=True)
class DocumentCost:
    component: str
    label: str
    amount: Decimal
    payer: str
    payer_label: str
    paid_to: str
    paid_to_label: str


@dataclass(frozen=True)
class DocumentInstalment:
    sequence: int
    due_label: str
    amount: Decimal
    paid_amount: Decimal


@dataclass(frozen=True)
class OrderDocument:
    kind: str
    title: str
    number: str
    issued_at: datetime
    order_id: int
    order_status: str
    seller: DocumentParty
    buyer: DocumentParty
    lines: tuple[DocumentLine, ...]
    costs: tuple[DocumentCost, ...]
    goods_total: Decimal
    total: Decimal
    invoice_total: Decimal
    buyer_other_costs: Decimal
    currency: str
    buyer_currency: str
    fx_rate: Decimal
    fx_rate_date: date
    fx_source: str
    invoice_total_in_buyer_currency: Decimal
    payment_terms_label: str
    payment_reference: str
    pay_to: dict
    instalments: tuple[DocumentInstalment, ...]
    incoterm: str
    incoterm_label: str
    destination_country: str
    destination_country_name: str
    destination_address: str
    carrier: str
    tracking_number: str
    total_weight_kg: Decimal
    package_count: int

    @property
    def filename(self) -> str:
        return f"{self.number}.pdf"

    @property
    def shows_prices(self) -> bool:
        return self.kind != PACKING_LIST

    @property
    def shows_shipment(self) -> bool:
        return self.kind != PROFORMA


def _party(company: Company) -> DocumentParty:
    return DocumentParty(legal_name=company.legal_name, address=company.address, country=str(company.country.code),
                         country_name=str(company.country.name), registration_number=company.registration_number)


def _line(line: OrderLine) -> DocumentLine:
    return DocumentLine(
        title=line.title, hs_code=line.hs_code, origin_country=str(line.origin_country.code),
        origin_country_name=str(line.origin_country.name), quantity=line.quantity, unit=line.unit,
        unit_label=str(Unit(line.unit).label) if line.unit in Unit.values else line.unit,
        unit_price=line.unit_price, line_total=line.line_total, unit_weight_kg=line.unit_weight_kg,
        weight_kg=line.weight_kg, packages=line.quantity if line.unit in PACKAGE_UNITS else 1)


def _issue_time(order: Order, kind: str) -> datetime | None:
    """When the document was issued: the proforma when the seller accepted the order, the others when
    it was shipped; None while the order has not reached that point."""
    if kind == PROFORMA:
        return order.accepted_at if order.status not in NOT_ACCEPTED else None
    return order.shipped_at


def documents_issued(order: Order) -> list[str]:
    """The kinds of document the order has by now, in KINDS order."""
    return [kind for kind in KINDS if _issue_time(order, kind) is not None]


def _issued_at(order: Order, kind: str) -> datetime:
    """The time the document was issued; 409 while the order has not reached that point."""
    issued = _issue_time(order, kind)
    if issued is not None:
        return issued
    if kind == PROFORMA:
        message = _("The proforma invoice is issued once the seller has accepted the order.")
    else:
        message = _("This document is issued once the order has been shipped.")
    raise Conflict(message, code="document_not_available")


def order_document(*, actor: Actor, order_id: int | str, kind: str) -> OrderDocument:
    """One document of an order the actor may see (members of the buyer and the seller, moderators);
    404 for anyone else and for an unknown kind, 409 (document_not_available) before the order
    reaches the point where the document is issued. Three queries whatever the number of lines,
    plus the actor's moderator check when it is not cached on the user, plus one for the instalments."""
    pk = order_visible_id(actor=actor, pk=order_id)
    if kind not in KINDS:
        raise Http404
    order = Order.objects.select_related("buyer", "seller").filter(pk=pk).first()
    if order is None:
        raise Http404
    issued_at = _issued_at(order, kind)
    lines = tuple(_line(line) for line in OrderLine.objects.filter(order_id=pk).order_by("pk"))

    payer = order.payer or {}
    amounts = {"goods": order.goods_total, "shipping": order.shipping, "insurance": order.insurance,
               "duty": order.duty, "vat": order.vat}
    payees = paid_to(payer)
    costs = tuple(DocumentCost(component=c, label=component_label(c), amount=amounts[c],
                               payer=str(payer.get(c, "")), payer_label=payer_label(str(payer.get(c, ""))),
                               paid_to=payees[c], paid_to_label=paid_to_label(payees[c]))
                  for c in COST_COMPONENTS)
    instalments = tuple(DocumentInstalment(sequence=item.sequence, due_label=instalment_due_label(item),
                                           amount=item.amount, paid_amount=item.paid_amount)
                        for item in Instalment.objects.filter(order_id=pk).order_by("sequence"))
    incoterm_label = str(Incoterm(order.incoterm).label) if order.incoterm in Incoterm.values else order.incoterm
    return OrderDocument(
        kind=kind, title=document_title(kind), number=f"{NUMBER_PREFIX[kind]}-{order.pk}", issued_at=issued_at,
        order_id=order.pk, order_status=order.status, seller=_party(order.seller), buyer=_party(order.buyer),
        lines=lines, costs=costs, goods_total=order.goods_total, total=order.total,
        invoice_total=order.invoice_total, buyer_other_costs=order.buyer_other_costs, currency=order.currency,
        buyer_currency=order.buyer_currency, fx_rate=order.fx_rate, fx_rate_date=order.fx_rate_date,
        fx_source=order.fx_source, invoice_total_in_buyer_currency=order.invoice_total_in_buyer_currency,
        payment_terms_label=order_terms(order).label,
        payment_reference=rf_format(order.payment_reference) if order.payment_reference else "",
        pay_to=pay_to_display(order), instalments=instalments, incoterm=order.incoterm,
        incoterm_label=incoterm_label, destination_country=str(order.destination_country.code),
        destination_country_name=str(order.destination_country.name),
        destination_address=order.destination_address, carrier=order.carrier if kind != PROFORMA else "",
        tracking_number=order.tracking_number if kind != PROFORMA else "", total_weight_kg=order.total_weight_kg,
        package_count=sum(line.packages for line in lines))
