"""Turning what a user sent into values, or into a 400 that names the field and says what is wrong."""
from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django_countries import countries

from core.exceptions import ApplicationError


def field_error(field: str, message: str, *, code: str = "validation_error") -> ApplicationError:
    """The error to raise when one field's value is refused: `message` is shown beside `field`."""
    return ApplicationError(message, code=code, fields={field: [message]})


def country_code(value: Any, *, field: str = "destination_country") -> str:
    """The upper-case ISO 3166-1 alpha-2 code, or a field error."""
    code = str(value or "").strip().upper()
    if len(code) != 2 or code not in countries.countries:
        raise field_error(field, _("%(value)s is not an ISO 3166 country code.") % {"value": value})
    return code
