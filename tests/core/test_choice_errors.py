"""A value outside a list of choices is refused with the choices' labels, in the user's language,
never with their internal codes."""
from __future__ import annotations

import pytest
from django.utils import translation

from core.exceptions import ApplicationError
from core.inputs import choice_error
from marketplace.models import Unit
from orders.models import OrderStatus
from orders.selectors import rfq as rfq_selectors
from orders.selectors.orders import order_list
from statements.selectors import outcome_filter
from tests.factories.accounts import UserFactory


def test_the_message_names_labels_not_codes():
    error = choice_error("method", [("bank_transfer", "Bank transfer"), ("letter_of_credit", "Letter of credit"),
                                    ("card", "Card")])

    assert (error.code, error.message, error.fields) == (
        "validation_error", "Choose one of: Bank transfer, Letter of credit, Card.",
        {"method": ["Choose one of: Bank transfer, Letter of credit, Card."]})


def test_the_labels_are_translated():
    with translation.override("tr"):
        error = choice_error("status", OrderStatus.choices)
        expected = ", ".join(str(label) for _value, label in OrderStatus.choices)

    assert error.fields == {"status": [error.message]}
    assert error.message.endswith(f"{expected}.")
    assert "placed" not in error.message


@pytest.mark.django_db
def test_order_status_filter():
    with pytest.raises(ApplicationError) as exc:
        list(order_list(actor=UserFactory(), status="lost"))

    assert exc.value.fields == {"status": ["Choose one of: Placed, Accepted, Refused, Cancelled, Paid, Shipped, "
                                           "Delivered, Disputed, Resolved, Completed."]}


@pytest.mark.django_db
def test_rfq_and_quote_status_filters():
    user = UserFactory()
    with pytest.raises(ApplicationError) as rfq_exc:
        list(rfq_selectors.rfq_list(actor=user, status="lost"))

    with pytest.raises(ApplicationError) as quote_exc:
        list(rfq_selectors.quote_list(actor=user, status="lost"))

    assert rfq_exc.value.fields == {"status": ["Choose one of: Open, Closed, Awarded, Cancelled."]}
    assert quote_exc.value.fields == {"status": ["Choose one of: Submitted, Withdrawn, Accepted, Rejected."]}


def test_statement_outcome_filter():
    with pytest.raises(ApplicationError) as exc:
        outcome_filter("paid")

    assert exc.value.fields == {"outcome": [
        "Choose one of: To review, Paid in full, Part payment, Overpayment, No order found, Several orders, "
        "Wrong currency, Already imported, Dismissed, Assigned by you, Outgoing payment."]}


def test_rfq_unit_names_units_in_words():
    error = choice_error("unit", Unit.choices)

    assert error.message == ("Choose one of: piece, kilogram, tonne, metre, square metre, litre, box, carton, "
                             "pallet, set, pair.")
