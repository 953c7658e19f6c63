"""Turning what a user sent into values, or into a 400 that names the field and says what is wrong."""
from __future__ import annotations

from core.exceptions import ApplicationError


def field_error(field: str, message: str, *, code: str = "validation_error") -> ApplicationError:
    """The error to raise when one field's value is refused: `message` is shown beside `field`."""
    return ApplicationError(message, code=code, fields={field: [message]})
