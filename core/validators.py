"""Validators shared by several apps."""
from __future__ import annotations

import re

import pycountry
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# A tag starts right after "<" (HTML reads "< b" as text), so "a < b and 5 > 3" stays plain text.
_MARKUP = re.compile(r"</?[a-zA-Z!?][^>]*>", re.IGNORECASE)

CURRENCY_CODES = frozenset(c.alpha_3 for c in pycountry.currencies)
CURRENCY_CHOICES = sorted((c.alpha_3, f"{c.alpha_3} – {c.name}") for c in pycountry.currencies)


def validate_currency_code(value: str) -> None:
    if value not in CURRENCY_CODES:
        raise ValidationError(_("%(value)s is not an ISO 4217 currency code."), params={"value": value},
                              code="invalid_currency")


def validate_plain_text(value: str) -> None:
    """Free text that is shown to other companies may not carry markup or script."""
    if value and _MARKUP.search(value):
        raise ValidationError(_("HTML tags and scripts are not allowed in this field."), code="markup")


def validate_image_upload(file) -> None:
    """Checks size, real image content and pixel count with Pillow, whatever the file claims. The
    rule lives in core.images, which also writes the image again before it is stored."""
    from core.images import image_check

    image_check(file)
