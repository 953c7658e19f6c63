"""Production: no default secrets. A missing required variable stops the process at start."""
import copy

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F401,F403
from .base import DATABASE_URL, env_bool, env_int, env_list, env_str

DEBUG = False


def _required(name: str) -> str:
    value = env_str(name)
    if not value:
        raise ImproperlyConfigured(f"{name} must be set in production")
    return value


SECRET_KEY = _required("DJANGO_SECRET_KEY")
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS")
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("DJANGO_ALLOWED_HOSTS must be set in production")
_required("DATABASE_URL")
if DATABASE_URL.startswith("sqlite"):
    raise ImproperlyConfigured("production needs a PostgreSQL DATABASE_URL, not SQLite")

SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env_int("DJANGO_SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
STORAGES = {  # noqa: F405
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    "private": {"BACKEND": "accounts.storage.PrivateStorage"},
}
# Webhooks never go to this machine in production, whatever the environment says.
WEBHOOKS_ALLOW_LOOPBACK = False


# Probes and scrapes over plain HTTP inside the network are not redirected to HTTPS.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
# One JSON object per log line, each request logged, Celery's processes logging through the same
# handler (core/logging.py).
LOGGING = copy.deepcopy(LOGGING)  # noqa: F405
LOGGING["formatters"]["json"] = {"()": "core.logging.JsonFormatter"}
LOGGING["handlers"]["console"]["formatter"] = "json"
LOG_REQUESTS = env_bool("LOG_REQUESTS", True)
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
