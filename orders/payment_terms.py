"""Payment terms and the payment schedule they give an order, kept as data with pure functions.

A seller offers some of four kinds of terms; the buyer picks one at checkout and the order keeps a
schedule of instalments, each owed to the seller in the order currency and due at an event:

    100% in advance         the whole invoice when the seller accepts the order
    deposit N %             N % of the invoice on acceptance, the balance before shipment
    letter of credit        the whole invoice against the shipping documents (the buyer's bank pays
                            once the seller presents them, after shipment)
    net N days              the whole invoice N days after delivery (only for buyers the seller trusts)

What is due before shipment (acceptance and before-shipment instalments) must be paid before the
order is "paid" and can ship; under a letter of credit or net terms nothing is, so the seller may
ship an accepted order straight away.

Each term has a code the API and the forms use: "advance", "deposit_30", "letter_of_credit", "net_60".
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

from core.inputs import field_error

from .models import DUE_BEFORE_SHIPMENT, InstalmentDue, PaymentTermKind

if TYPE_CHECKING:
    from accounts.models import Company

K = PaymentTermKind
CENT = Decimal("0.01")
DEPOSIT_PERCENT_RANGE = (1, 99)
NET_DAYS_RANGE = (1, 180)
# Days a seller has to present the documents under a letter of credit (UCP 600 article 14(c)).
LC_PRESENTATION_DAYS = 21


@dataclass(frozen=True)
class Terms:
    kind: str
    deposit_percent: int = 0
    net_days: int = 0

    @property
    def code(self) -> str:
        if self.kind == K.DEPOSIT:
            return f"deposit_{self.deposit_percent}"
        if self.kind == K.NET:
            return f"net_{self.net_days}"
        return str(self.kind)

    @property
    def label(self) -> str:
        if self.kind == K.DEPOSIT:
            return _("%(percent)d%% deposit with the order, balance before shipment") % {
                "percent": self.deposit_percent}
        if self.kind == K.NET:
            return _("Net %(days)d days after delivery") % {"days": self.net_days}
        if self.kind == K.LETTER_OF_CREDIT:
            return _("Letter of credit, paid against the shipping documents")
        # xgettext:no-python-format
        return _("100% in advance, when the seller accepts the order")

    @property
    def needs_trust(self) -> bool:
        return self.kind == K.NET


ADVANCE = Terms(kind=K.ADVANCE)


def terms_from_code(code: str) -> Terms | None:
    """The terms a code names, or None when it names none (bad shape or numbers out of range)."""
    text = str(code or "").strip().lower()
    if text in (K.ADVANCE, K.LETTER_OF_CREDIT):
        return Terms(kind=text)
    kind, _sep, number = text.partition("_")
    if kind not in (K.DEPOSIT, K.NET) or not number.isdigit() or len(number) > 3:
        return None
    value = int(number)
    low, high = DEPOSIT_PERCENT_RANGE if kind == K.DEPOSIT else NET_DAYS_RANGE
    if not low <= value <= high:
        return None
    return Terms(kind=K.DEPOSIT, deposit_percent=value) if kind == K.DEPOSIT else Terms(kind=K.NET, net_days=value)


@dataclass(frozen=True)
class PlannedInstalment:
    sequence: int
    due: str
    amount: Decimal


def schedule(terms: Terms, invoice_total: Decimal) -> list[PlannedInstalment]:
    """The instalments of an invoice under `terms`. Amounts add up to the invoice exactly (the
    deposit is rounded half up to the cent, the balance takes the rest); an instalment of zero is
    left out, so an invoice of zero has no schedule."""
    if invoice_total <= 0:
        return []
    if terms.kind == K.DEPOSIT:
        deposit = (invoice_total * terms.deposit_percent / Decimal(100)).quantize(CENT, rounding=ROUND_HALF_UP)
        parts = [(InstalmentDue.ON_ACCEPTANCE, deposit), (InstalmentDue.BEFORE_SHIPMENT, invoice_total - deposit)]
    elif terms.kind == K.LETTER_OF_CREDIT:
        parts = [(InstalmentDue.ON_DOCUMENTS, invoice_total)]
    elif terms.kind == K.NET:
        parts = [(InstalmentDue.AFTER_DELIVERY, invoice_total)]
    else:
        parts = [(InstalmentDue.ON_ACCEPTANCE, invoice_total)]
    planned = [(due, amount) for due, amount in parts if amount > 0]
    return [PlannedInstalment(sequence=i, due=due, amount=amount) for i, (due, amount) in enumerate(planned, 1)]


def due_before_shipment(planned: list[PlannedInstalment]) -> Decimal:
    return sum((item.amount for item in planned if item.due in DUE_BEFORE_SHIPMENT), Decimal("0.00"))


def due_date(*, due: str, terms: Terms, accepted: date | None, shipped: date | None,
             delivered: date | None) -> date | None:
    """The day an instalment falls due once its event has happened; None before that."""
    if due == InstalmentDue.ON_ACCEPTANCE:
        return accepted
    if due == InstalmentDue.BEFORE_SHIPMENT:
        return None  # owed before the seller ships: it has no calendar date of its own
    if due == InstalmentDue.ON_DOCUMENTS:
        return shipped + timedelta(days=LC_PRESENTATION_DAYS) if shipped else None
    if due == InstalmentDue.AFTER_DELIVERY:
        return delivered + timedelta(days=terms.net_days) if delivered else None
    return None


def terms_choose(*, offered: list[Terms], code: str | None, seller: Company, field_name: str) -> Terms:
    """The terms the buyer picked among those offered (the first offered when none is named)."""
    if code in (None, ""):
        return offered[0]
    terms = terms_from_code(str(code))
    if terms is None or terms not in offered:
        choices = "; ".join(t.label for t in offered)
        raise field_error(field_name, _("%(seller)s offers you these payment terms: %(choices)s.")
                          % {"seller": seller.legal_name, "choices": choices}, code="payment_terms_not_offered")
    return terms
