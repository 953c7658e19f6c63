"""Turning what a user sent into values, or into a 400 that names the field and says what is wrong."""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from django_countries import countries

from core.exceptions import ApplicationError


def field_error(field: str, message: str, *, code: str = "validation_error") -> ApplicationError:
    """The error to raise when one field's value is refused: `message` is shown beside `field`."""
    return ApplicationError(message, code=code, fields={field: [message]})


def choice_error(field: str, choices) -> ApplicationError:
    """The error for a value that is not one of `choices` ((value, label) pairs, such as a
    TextChoices' .choices): it names the choices by their translated labels, never by their codes."""
    labels = ", ".join(str(label) for _value, label in choices)
    return field_error(field, _("Choose one of: %(choices)s.") % {"choices": labels})


def country_code(value: Any, *, field: str = "destination_country") -> str:
    """The upper-case ISO 3166-1 alpha-2 code, or a field error."""
    code = str(value or "").strip().upper()
    if len(code) != 2 or code not in countries.countries:
        raise field_error(field, _("%(value)s is not an ISO 3166 country code.") % {"value": value})
    return code


# Every money column is DecimalField(max_digits=14, decimal_places=2): order amounts, instalments and
# payments, statement lines, listing prices and shipping prices (tests/core/test_overflow.py holds
# every such column to it). MAX_AMOUNT is the largest amount all of them can store.
MONEY_MAX_DIGITS = 14
MONEY_DECIMAL_PLACES = 2


def decimal_column_max(*, max_digits: int, decimal_places: int) -> Decimal:
    """The largest value a DecimalField(max_digits, decimal_places) holds: 9999.99 for (6, 2)."""
    return Decimal(10) ** (max_digits - decimal_places) - Decimal(10) ** -decimal_places


MAX_AMOUNT = decimal_column_max(max_digits=MONEY_MAX_DIGITS, decimal_places=MONEY_DECIMAL_PLACES)

# The most units one cart, order or RFQ line may ask for (and at most the listing's stock where the
# stock is known).
MAX_LINE_QUANTITY = 10_000_000


def amount_check(value: Decimal, *, field: str, limit: Decimal = MAX_AMOUNT) -> Decimal:
    """`value`, or a 400 on `field` when it is larger than an amount can be (`limit`)."""
    if abs(value) > limit:
        raise field_error(field, _("This comes to %(value)s, more than the largest amount we can record "
                                   "(%(limit)s); order less.") % {"value": f"{value:,.2f}", "limit": f"{limit:,.2f}"},
                          code="amount_too_large")
    return value


def quantity_check(value: int, *, field: str = "quantity", limit: int = MAX_LINE_QUANTITY) -> int:
    """`value`, or a 400 on `field` when one line asks for more than `limit` units."""
    if value > limit:
        raise field_error(field, _("Ensure this value is less than or equal to %(limit)d.") % {"limit": limit},
                          code="quantity_too_large")
    return value


TRUE_WORDS = ("1", "true", "yes")
FALSE_WORDS = ("0", "false", "no")


def query_flag(query_params, name: str) -> bool:
    """A yes/no query parameter: absent or empty is no; true/false, 1/0 or yes/no in any case; anything
    else, or the parameter given twice, is a 400 naming it."""
    values = query_params.getlist(name)
    if not values or values == [""]:
        return False
    value = values[0].strip().lower()
    if len(values) > 1 or value not in TRUE_WORDS + FALSE_WORDS:
        raise field_error(name, _("Give true or false."))
    return value in TRUE_WORDS
