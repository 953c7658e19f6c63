"""Webhook secrets at rest: encrypted with Fernet (AES-128-CBC with HMAC-SHA256, from the
`cryptography` package) under the keys in WEBHOOK_SECRET_KEYS.

WEBHOOK_SECRET_KEYS is a comma-separated list of Fernet keys (make one with
`python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"`). The
first key encrypts; every key decrypts (MultiFernet), so a key is rotated by putting a new one first,
running `manage.py webhook_secrets_reencrypt`, and then removing the old one. Without the setting
(development and tests) the key is derived from SECRET_KEY, and `check --deploy` warns."""
from __future__ import annotations

import base64
import hashlib
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

DERIVATION_LABEL = b"sme-market webhook secrets v1|"


class SecretUnreadable(Exception):
    """A stored secret that none of the keys decrypts (a key was removed from WEBHOOK_SECRET_KEYS
    too early, or SECRET_KEY changed while the key was derived from it)."""


def derived_key(secret_key: str) -> bytes:
    return base64.urlsafe_b64encode(hashlib.sha256(DERIVATION_LABEL + secret_key.encode()).digest())


def configured_keys() -> tuple[str, ...]:
    return tuple(key.strip() for key in getattr(settings, "WEBHOOK_SECRET_KEYS", None) or () if key.strip())


def key_problems(keys: tuple[str, ...]) -> list[str]:
    """The positions (1-based) and reasons of keys that are not Fernet keys."""
    problems = []
    for position, key in enumerate(keys, start=1):
        try:
            Fernet(key.encode())
        except (ValueError, TypeError):
            problems.append(f"key {position} is not a Fernet key (32 bytes, URL-safe base64)")
    return problems


@lru_cache(maxsize=4)
def _fernet(keys: tuple[str, ...], secret_key: str) -> MultiFernet:
    if not keys:
        return MultiFernet([Fernet(derived_key(secret_key))])
    problems = key_problems(keys)
    if problems:
        raise ImproperlyConfigured("WEBHOOK_SECRET_KEYS: " + "; ".join(problems))
    return MultiFernet([Fernet(key.encode()) for key in keys])


def fernet() -> MultiFernet:
    return _fernet(configured_keys(), settings.SECRET_KEY)


def encrypt(plaintext: str) -> str:
    return fernet().encrypt(plaintext.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        raise SecretUnreadable("a webhook secret cannot be decrypted with WEBHOOK_SECRET_KEYS") from None

