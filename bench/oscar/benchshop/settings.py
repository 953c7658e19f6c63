"""A minimal django-oscar 4.2.1 shop to measure beside SME Market (bench/versus_oscar.py).

Oscar's own defaults and apps, as its "Building your own shop" guide sets them up, on PostgreSQL,
with what SME Market runs with in the same benchmark: DEBUG off, persistent connections
(CONN_MAX_AGE=60), the cached template loader, no JIT and no parallel workers per query.
Search: oscar's search app, and in 4.2 its browse and category pages too, go through django-haystack.
OSCAR_SEARCH_ENGINE picks the haystack backend:
- "simple" (the default, as oscar's getting-started guide sets it up): no index and no engine to
  run; a search is an icontains over every text column of the products, all of them loaded into
  Python. It cannot filter, so the browse and category pages list no products at all.
- "whoosh": Whoosh (pure Python, the engine of oscar's own test suite), an index on disk in
  var/oscar-whoosh built by `manage.py rebuild_index --noinput`; browse, category and search pages
  list products with their facets, as on Solr or Elasticsearch.
"""
import os
from pathlib import Path
from urllib.parse import urlsplit

from oscar import INSTALLED_APPS as OSCAR_APPS
from oscar.defaults import *  # noqa: F403  (oscar's OSCAR_* settings)

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent.parent  # the SME Market checkout; var/ holds this shop's media

SECRET_KEY = os.environ.get("OSCAR_SECRET_KEY", "bench-only-not-a-secret-0123456789abcdefghijklmnop")
DEBUG = os.environ.get("OSCAR_DEBUG", "0") == "1"
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
SITE_ID = 1

INSTALLED_APPS = [*OSCAR_APPS, "sorl.thumbnail", "benchshop"]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "oscar.apps.basket.middleware.BasketMiddleware",
    "django.contrib.flatpages.middleware.FlatpageFallbackMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "oscar.apps.customer.auth_backends.EmailBackend",
    "django.contrib.auth.backends.ModelBackend",
]

TEMPLATES = [{
    "BACKEND": "django.template.backends.django.DjangoTemplates",
    "DIRS": [],
    "OPTIONS": {
        "loaders": [("django.template.loaders.cached.Loader", [
            "django.template.loaders.filesystem.Loader",
            "django.template.loaders.app_directories.Loader",
        ])],
        "context_processors": [
            "django.template.context_processors.debug",
            "django.template.context_processors.request",
            "django.contrib.auth.context_processors.auth",
            "django.template.context_processors.i18n",
            "django.contrib.messages.context_processors.messages",
            "oscar.apps.search.context_processors.search_form",
            "oscar.apps.checkout.context_processors.checkout",
            "oscar.apps.communication.notifications.context_processors.notifications",
            "oscar.core.context_processors.metadata",
        ],
    },
}]

ROOT_URLCONF = "benchshop.urls"
WSGI_APPLICATION = "benchshop.wsgi.application"


def _database(url: str) -> dict:
    parts = urlsplit(url)
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": parts.path.lstrip("/"),
        "USER": parts.username or "postgres",
        "PASSWORD": parts.password or "",
        "HOST": parts.hostname or "127.0.0.1",
        "PORT": str(parts.port or 5432),
        "CONN_MAX_AGE": int(os.environ.get("OSCAR_CONN_MAX_AGE", "60")),
        "CONN_HEALTH_CHECKS": True,
        "OPTIONS": {"options": "-c jit=off -c max_parallel_workers_per_gather=0"},
    }


DATABASES = {"default": _database(os.environ.get(
    "OSCAR_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/smemarket_bench_oscar"))}
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"

SEARCH_ENGINE = os.environ.get("OSCAR_SEARCH_ENGINE", "simple")
if SEARCH_ENGINE == "whoosh":
    HAYSTACK_CONNECTIONS = {"default": {"ENGINE": "haystack.backends.whoosh_backend.WhooshEngine",
                                        "PATH": str(ROOT / "var" / "oscar-whoosh")}}
elif SEARCH_ENGINE == "simple":
    HAYSTACK_CONNECTIONS = {"default": {"ENGINE": "haystack.backends.simple_backend.SimpleEngine"}}
else:
    raise ValueError(f"OSCAR_SEARCH_ENGINE is simple or whoosh, not {SEARCH_ENGINE!r}")

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
MEDIA_URL = "/media/"
MEDIA_ROOT = str(ROOT / "var" / "oscar-media")

OSCAR_SHOP_NAME = "Oscar bench shop"
OSCAR_DEFAULT_CURRENCY = "EUR"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
