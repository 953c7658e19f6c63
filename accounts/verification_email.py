"""The signed token of the e-mail verification link: the user and the address it was sent to, valid
for EMAIL_VERIFICATION_MAX_AGE_DAYS. A token for an address the account no longer has is invalid."""
from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core import signing

SALT = "accounts.email-verification"


def email_verification_token(user) -> str:
    return signing.dumps({"u": user.pk, "e": user.email.lower()}, salt=SALT, compress=True)


def email_verification_read(token: str) -> tuple[int, str] | None:
    """(user id, e-mail address) of a valid token, else None."""
    try:
        data = signing.loads(token or "", salt=SALT,
                             max_age=timedelta(days=settings.EMAIL_VERIFICATION_MAX_AGE_DAYS))
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("u"), int) or not isinstance(data.get("e"), str):
        return None
    return data["u"], data["e"]
