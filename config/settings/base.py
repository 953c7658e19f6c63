"""Settings shared by every environment. Everything that differs between machines comes
from environment variables; local.py, test.py and production.py only change defaults."""
from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _
from kombu import Queue

from config import queues as task_queues

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("SME_VAR_DIR", BASE_DIR / "var"))


def env_str(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value in (None, ""):
        return default
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean, got {value!r}")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value in (None, ""):
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, got {value!r}") from exc


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    value = os.environ.get(name)
    if value in (None, ""):
        return list(default or [])
    return [item.strip() for item in value.split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", False)
SECRET_KEY = env_str("DJANGO_SECRET_KEY")
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")
CSRF_FAILURE_VIEW = "core.views.csrf_failure"

INSTALLED_APPS = [
    "accounts.apps.SMEAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_countries",
    "django_htmx",
    "core",
    "accounts",
    "marketplace",
    "fx",
    "trade",
    "payments",
    "orders",
    "statements",
    "trust",
    "reviews",
    "notifications",
    "frontend",
    "demo",
]

MIDDLEWARE = [
    "core.http.TrustedProxyMiddleware",
    "core.http.RequestGuardMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.signin.DeviceCookieMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "frontend.middleware.ExpiredSessionFormMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
                "frontend.context_processors.site",
                "notifications.context_processors.notifications",
            ],
        },
    },
]

DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL)}
# Persistent connections on PostgreSQL: opening one costs a new backend per request, about as much as
# a catalogue page itself. SQLite connections are cheap and stay per request.
_on_postgresql = DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
DATABASES["default"]["CONN_MAX_AGE"] = env_int("DB_CONN_MAX_AGE", 60 if _on_postgresql else 0)
if _on_postgresql:
    # The health check replaces a connection the server has dropped.
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # No JIT: the web's queries are short, and compiling a plan whose cost estimate is high only
    # because of the row counts takes longer than running it. No parallel workers per query by
    # default: every web worker already keeps a core busy, and helpers of one query only take cores
    # from the others (on 2 cores, a common search word's p95 went from 126 to 61 ms without them).
    # libpq's "options" replaces PGOPTIONS, so what PGOPTIONS and the URL's ?options= set follows
    # and can override it.
    _pg_options = DATABASES["default"].setdefault("OPTIONS", {})
    _pg_defaults = f"-c jit=off -c max_parallel_workers_per_gather={env_int('DB_PARALLEL_WORKERS_PER_QUERY', 0)}"
    _pg_options["options"] = " ".join(
        part for part in (_pg_defaults, os.environ.get("PGOPTIONS", ""), _pg_options.get("options", "")) if part)
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web process, the worker and beat share the file without "database is locked".
    # synchronous=NORMAL: in WAL mode a commit no longer waits for the disk (only checkpoints do), so
    # the one writer at a time holds the lock for far less; a power cut may lose the last commits,
    # never the file. With a wait for the disk on every commit, the worker's two commits per e-mail
    # and the web's own kept `make run` under 50 notifications a second (bench/notifications.py).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"transaction_mode": "IMMEDIATE", "timeout": 20,
         "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"}
    )
    # SQLite builds the covering indexes of the models without their INCLUDE columns; that is enough
    # for a development database.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Longest a catalogue search may run on PostgreSQL, in milliseconds; a search stopped by it answers
# "The search took too long; add a word or a filter." (marketplace.search.search_time_limit).
SEARCH_STATEMENT_TIMEOUT_MS = env_int("SEARCH_STATEMENT_TIMEOUT_MS", 3000)
if not 50 <= SEARCH_STATEMENT_TIMEOUT_MS <= 30000:
    raise ImproperlyConfigured("SEARCH_STATEMENT_TIMEOUT_MS must be within [50, 30000]")

# A PostgreSQL streaming replica for catalogue and search reads (core/db_router.py; README "Scaling
# out"). With DATABASE_REPLICA_URL set, safe requests to REPLICA_READ_VIEWS read from it; writes,
# reads inside a transaction, tasks and every other view use the primary. A client whose write
# succeeded is pinned to the primary for REPLICA_PIN_SECONDS (a signed cookie, REPLICA_PIN_COOKIE;
# for clients sending an Authorization header, a key in the cache), so it reads its own writes. A
# replica that cannot be reached is skipped for REPLICA_RETRY_SECONDS: reads go to the primary.
DATABASE_REPLICA_URL = env_str("DATABASE_REPLICA_URL")
REPLICA_PIN_SECONDS = env_int("REPLICA_PIN_SECONDS", 5)
REPLICA_RETRY_SECONDS = env_int("REPLICA_RETRY_SECONDS", 30)
REPLICA_CONNECT_TIMEOUT_SECONDS = env_int("REPLICA_CONNECT_TIMEOUT_SECONDS", 2)
REPLICA_PIN_COOKIE = "sme_primary"
if not 0 <= REPLICA_PIN_SECONDS <= 300 or not 1 <= REPLICA_RETRY_SECONDS <= 3600:
    raise ImproperlyConfigured("REPLICA_PIN_SECONDS must be within [0, 300] and REPLICA_RETRY_SECONDS within [1, 3600]")
if not 1 <= REPLICA_CONNECT_TIMEOUT_SECONDS <= 60:
    raise ImproperlyConfigured("REPLICA_CONNECT_TIMEOUT_SECONDS must be within [1, 60]")
REPLICA_READ_VIEWS = [
    "frontend:home", "frontend:listing_browse", "frontend:listing_detail", "frontend:category_browse",
    "frontend:company_detail",
    "api:listing-list", "api:listing-detail", "api:category-list", "api:category-detail",
    "api:seller-performance", "api:seller-reviews",
]
DATABASE_ROUTERS: list[str] = []
if DATABASE_REPLICA_URL:
    if not _on_postgresql or not DATABASE_REPLICA_URL.startswith(("postgres://", "postgresql://")):
        raise ImproperlyConfigured("DATABASE_REPLICA_URL needs PostgreSQL for both DATABASE_URL and the replica")
    _replica = dj_database_url.parse(DATABASE_REPLICA_URL)
    _replica["CONN_MAX_AGE"] = DATABASES["default"]["CONN_MAX_AGE"]
    _replica["CONN_HEALTH_CHECKS"] = True
    _replica["OPTIONS"] = {**DATABASES["default"].get("OPTIONS", {}), **_replica.get("OPTIONS", {}),
                           "connect_timeout": REPLICA_CONNECT_TIMEOUT_SECONDS}
    DATABASES["replica"] = _replica
    DATABASE_ROUTERS = ["core.db_router.PrimaryReplicaRouter"]

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
LOGIN_URL = "frontend:login"
LOGIN_REDIRECT_URL = "frontend:my_company"
LOGOUT_REDIRECT_URL = "frontend:home"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24

# Sign-in protection (accounts/signin.py), for the API token and login endpoints, the login page and
# the admin alike. An account's first LOGIN_ACCOUNT_FREE_FAILURES failures cost nothing; each further
# one makes the next attempt wait LOGIN_ACCOUNT_DELAY_SECONDS, doubled per failure, at most
# LOGIN_ACCOUNT_MAX_DELAY_SECONDS; failures older than LOGIN_ACCOUNT_FORGET_SECONDS are forgotten. A
# browser that signed in to the account before (a signed device cookie, LOGIN_DEVICE_COOKIE_DAYS)
# is not held by the account's delay, only by its own. A client address may fail on at most
# LOGIN_ADDRESS_MAX_ACCOUNTS distinct accounts within a sliding window of LOGIN_ADDRESS_WINDOW_SECONDS
# (the failures' timestamps are kept; repeated failures on one account count once).
LOGIN_ACCOUNT_FREE_FAILURES = env_int("LOGIN_ACCOUNT_FREE_FAILURES", 5)
LOGIN_ACCOUNT_DELAY_SECONDS = env_int("LOGIN_ACCOUNT_DELAY_SECONDS", 30)
LOGIN_ACCOUNT_MAX_DELAY_SECONDS = env_int("LOGIN_ACCOUNT_MAX_DELAY_SECONDS", 15 * 60)
LOGIN_ACCOUNT_FORGET_SECONDS = env_int("LOGIN_ACCOUNT_FORGET_SECONDS", 24 * 60 * 60)
LOGIN_ADDRESS_MAX_ACCOUNTS = env_int("LOGIN_ADDRESS_MAX_ACCOUNTS", 20)
LOGIN_ADDRESS_WINDOW_SECONDS = env_int("LOGIN_ADDRESS_WINDOW_SECONDS", 15 * 60)
LOGIN_DEVICE_COOKIE_NAME = "sme_device"
LOGIN_DEVICE_COOKIE_DAYS = env_int("LOGIN_DEVICE_COOKIE_DAYS", 180)
# Password reset requests per client address and per e-mail address, and registrations per client
# address, within a sliding window of RATE_LIMIT_WINDOW_SECONDS.
PASSWORD_RESET_MAX_PER_ADDRESS = env_int("PASSWORD_RESET_MAX_PER_ADDRESS", 10)
PASSWORD_RESET_MAX_PER_EMAIL = env_int("PASSWORD_RESET_MAX_PER_EMAIL", 3)
REGISTRATION_MAX_PER_ADDRESS = env_int("REGISTRATION_MAX_PER_ADDRESS", 10)
RATE_LIMIT_WINDOW_SECONDS = env_int("RATE_LIMIT_WINDOW_SECONDS", 60 * 60)
# API tokens (accounts/tokens.py): lifetime when none is asked for, the longest one may ask for, and
# how many live tokens one user may hold.
API_TOKEN_DEFAULT_DAYS = env_int("API_TOKEN_DEFAULT_DAYS", 90)
API_TOKEN_MAX_DAYS = env_int("API_TOKEN_MAX_DAYS", 365)
API_TOKEN_MAX_PER_USER = env_int("API_TOKEN_MAX_PER_USER", 20)
# E-mail verification: how long the link of the e-mail is valid, and how many times within
# RATE_LIMIT_WINDOW_SECONDS one account may ask for it again.
EMAIL_VERIFICATION_MAX_AGE_DAYS = env_int("EMAIL_VERIFICATION_MAX_AGE_DAYS", 7)
EMAIL_VERIFICATION_RESEND_MAX = env_int("EMAIL_VERIFICATION_RESEND_MAX", 3)
INVITE_TTL_DAYS = 14

LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("tr", _("Turkish")),
    ("zh-hans", _("Simplified Chinese")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("DJANGO_STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise looks for it at start even before collectstatic
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("DJANGO_MEDIA_ROOT", str(VAR_DIR / "media")))
# Listing images and logos under MEDIA_URL are served by Django (core/media.py), with DEBUG on or off,
# unless a reverse proxy serves them with the same headers (README "Media files").
MEDIA_SERVED_BY_DJANGO = env_bool("DJANGO_MEDIA_SERVED_BY_DJANGO", True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    "private": {"BACKEND": "accounts.storage.PrivateStorage"},
}
# Files only their owners and the moderators may fetch (verification documents): outside MEDIA_ROOT,
# never under /media/; web and worker share the directory.
PRIVATE_MEDIA_ROOT = Path(env_str("PRIVATE_MEDIA_ROOT", str(VAR_DIR / "private" / "media")))
# Company verification: documents (PDF or image) of at most this size and count per company; a
# verification lasts VERIFICATION_VALID_DAYS and its members are reminded this many days before.
VERIFICATION_DOCUMENT_MAX_BYTES = env_int("VERIFICATION_DOCUMENT_MAX_BYTES", 10 * 1024 * 1024)
VERIFICATION_DOCUMENTS_MAX = env_int("VERIFICATION_DOCUMENTS_MAX", 20)
VERIFICATION_VALID_DAYS = env_int("VERIFICATION_VALID_DAYS", 365)
VERIFICATION_EXPIRY_REMINDER_DAYS = env_int("VERIFICATION_EXPIRY_REMINDER_DAYS", 30)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 5_242_880
LOGO_MAX_BYTES = 2 * 1024 * 1024
LOGO_MAX_PIXELS = 4096 * 4096
# Uploaded bank statements (camt.053 or MT940): largest file and most entries read from one.
STATEMENT_MAX_BYTES = env_int("STATEMENT_MAX_BYTES", 20 * 1024 * 1024)
STATEMENT_MAX_ENTRIES = env_int("STATEMENT_MAX_ENTRIES", 20_000)

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}

# E-mail: one default mailer, built from the EMAIL_* environment variables.
def mailers_from_env(default_backend: str) -> dict:
    backend = env_str("EMAIL_BACKEND", default_backend)
    options: dict = {}
    if backend.endswith("smtp.EmailBackend"):
        options = {
            "host": env_str("EMAIL_HOST", "localhost"),
            "port": env_int("EMAIL_PORT", 25),
            "username": env_str("EMAIL_HOST_USER", ""),
            "password": env_str("EMAIL_HOST_PASSWORD", ""),
            "use_tls": env_bool("EMAIL_USE_TLS", False),
            "use_ssl": env_bool("EMAIL_USE_SSL", False),
            "timeout": env_int("EMAIL_TIMEOUT", 20),
        }
    elif backend.endswith(("filebased.EmailBackend", "FileEmailBackend")):
        options = {"file_path": env_str("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))}
    return {"default": {"BACKEND": backend, "OPTIONS": options}}


MAILERS = mailers_from_env("django.core.mail.backends.smtp.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "SME Market <no-reply@sme-market.local>")
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")

# Redis, when configured, is the cache and the Celery broker.
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    # A cache that hangs must not hold a request: every socket operation gives up within this bound,
    # and the site treats a cache error as a miss (notifications/relay.py).
    CACHE_SOCKET_TIMEOUT_SECONDS = float(env_str("CACHE_SOCKET_TIMEOUT_SECONDS", "0.25"))
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL,
                          "OPTIONS": {"socket_timeout": CACHE_SOCKET_TIMEOUT_SECONDS,
                                      "socket_connect_timeout": CACHE_SOCKET_TIMEOUT_SECONDS}}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Celery. With no broker configured, kombu's filesystem transport needs no server at all.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", REDIS_URL or "filesystem://")
CELERY_BROKER_TRANSPORT_OPTIONS: dict = {}
if CELERY_BROKER_URL.startswith("filesystem://"):
    _broker_dir = VAR_DIR / "celery-broker"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "store_processed": False,
        "control_folder": str(_broker_dir / "control"),
        # How long the worker sleeps when it found no message, or has as many as it may hold (kombu's
        # default, 1 s, let `make run` deliver about 2 notifications a second, bench/notifications.py).
        "polling_interval": float(env_str("CELERY_BROKER_POLLING_INTERVAL", "0.05")),
    }
    for _folder in ("queue", "processed", "control"):
        (_broker_dir / _folder).mkdir(parents=True, exist_ok=True)
elif CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    # Longer than any retry delay or task time limit, so an unacknowledged task is not redelivered
    # while it is still running.
    # These are the worker's and beat's connections (a request publishes on connections of its own
    # with much shorter timeouts, core/queue.py). The socket timeouts make a command to a broker that
    # hangs fail instead of wait forever; keepalive and the health checks drop a connection that went
    # silent, so the worker reconnects and consumes again after the broker comes back.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 2 * 60 * 60, "socket_connect_timeout": 3,
                                       "socket_timeout": 5, "socket_keepalive": True,
                                       "health_check_interval": 10}
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# Messages a worker holds per pool process. On Redis, 4: a process that finishes a short task (an
# e-mail takes about 10 ms) starts the next at once instead of waiting for the worker to fetch one,
# which at 50 notifications a second kept the queue growing (bench/notifications.py). Held messages
# are not acknowledged (acks_late): if the worker dies they are delivered again, and the outbox's
# relay publishes their rows again after NOTIFICATIONS_REQUEUE_AFTER_SECONDS in any case.
CELERY_WORKER_PREFETCH_MULTIPLIER = env_int("CELERY_WORKER_PREFETCH_MULTIPLIER", 4)
if not 1 <= CELERY_WORKER_PREFETCH_MULTIPLIER <= 64:
    raise ImproperlyConfigured("CELERY_WORKER_PREFETCH_MULTIPLIER must be within [1, 64]")
if CELERY_BROKER_URL.startswith("filesystem://"):
    # The filesystem broker is polled, and a worker holding as many messages as it may does not look
    # for more until the next poll: with one message per process, `make run` sent two notifications
    # per poll. Messages a worker holds wait in its main process until a pool process is free.
    CELERY_WORKER_PREFETCH_MULTIPLIER = 8
# Celery's Django fixup closes the worker's database connections before and after every task unless
# this is set: a new PostgreSQL connection (a server process forked, authenticated, its caches
# warmed) for every e-mail cost more CPU than the send itself. With it, Celery closes them once per
# this many tasks, and core/celery_signals.py closes after a task only the connections that are
# broken or older than CONN_MAX_AGE, as after a request.
CELERY_DB_REUSE_MAX = env_int("CELERY_DB_REUSE_MAX", 1000)
CELERY_TASK_TIME_LIMIT = 5 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 4 * 60
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Publishing from the worker and beat (the relay's sends, retries) on a broker that is down.
CELERY_BROKER_CONNECTION_TIMEOUT = 3
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}
# A request waits on the broker for at most QUEUE_PUBLISH_TIMEOUT_SECONDS in all, whether the broker
# refuses, hangs or is slow (core/queue.py); after a failure, requests of the same process skip the
# broker for QUEUE_PUBLISH_PAUSE_SECONDS. What was not queued is queued again from the outbox.
QUEUE_PUBLISH_TIMEOUT_SECONDS = float(env_str("QUEUE_PUBLISH_TIMEOUT_SECONDS", "1"))
QUEUE_PUBLISH_PAUSE_SECONDS = float(env_str("QUEUE_PUBLISH_PAUSE_SECONDS", "5"))
QUEUE_PUBLISH_POOL_LIMIT = env_int("QUEUE_PUBLISH_POOL_LIMIT", 10)
if not 0 < QUEUE_PUBLISH_TIMEOUT_SECONDS <= 30 or not 0 <= QUEUE_PUBLISH_PAUSE_SECONDS <= 300:
    raise ImproperlyConfigured("QUEUE_PUBLISH_TIMEOUT_SECONDS must be within (0, 30] and "
                               "QUEUE_PUBLISH_PAUSE_SECONDS within [0, 300]")
CELERY_TASK_ALWAYS_EAGER = False
# Queues by kind of work, routed by task name (config/queues.py; README "Scaling out"). A worker
# started without -Q consumes all of them; docker-compose.yml runs one worker per queue.
CELERY_TASK_DEFAULT_QUEUE = task_queues.DEFAULT
CELERY_TASK_QUEUES = [Queue(name, routing_key=name) for name in task_queues.QUEUES]
CELERY_TASK_ROUTES = task_queues.celery_task_routes()
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    "accounts-purge-expired-invites": {
        "task": "accounts.tasks.invite_purge_expired",
        "schedule": 60 * 60,
    },
    "accounts-verification-expiry": {
        "task": "accounts.tasks.verification_expiry_run",
        "schedule": 60 * 60,
        "options": {"expires": 50 * 60},
    },
    "accounts-purge-old-throttle-hits": {
        "task": "accounts.tasks.throttle_hits_purge",
        "schedule": 60 * 60,
    },
    "notifications-relay": {
        "task": "notifications.tasks.deliveries_relay",
        "schedule": env_int("NOTIFICATIONS_RELAY_INTERVAL_SECONDS", 5),
        "options": {"expires": 60},
    },
    "fx-rates-fetch": {
        "task": "fx.tasks.fx_rates_fetch",
        "schedule": crontab(hour=15, minute=30),
    },
    "orders-timed-moves": {
        "task": "orders.tasks.order_timed_moves_run",
        "schedule": env_int("ORDER_TIMED_MOVES_INTERVAL_SECONDS", 5 * 60),
        "options": {"expires": 4 * 60},
    },
    "orders-instalments-remind-overdue": {
        "task": "orders.tasks.instalments_remind_overdue",
        "schedule": crontab(minute=15),
    },
    "orders-rfq-close-expired": {
        "task": "orders.tasks.rfq_close_expired",
        "schedule": env_int("RFQ_CLOSE_INTERVAL_SECONDS", 60),
        "options": {"expires": 50},
    },
    # Every seller's performance rebuilt from the order event log (the same numbers the updates after
    # each event give; the 90-day window and overdue shipments move with the date).
    "trust-seller-performance-recompute": {
        "task": "trust.tasks.seller_performance_recompute_all",
        "schedule": crontab(hour=2, minute=30),
        "options": {"expires": 60 * 60},
    },
}

# Euro reference rates: fetched daily by beat; with no network the stored rates stay in use.
FX_ECB_URL = env_str("FX_ECB_URL", "https://www.ecb.europa.eu/stats/eurofxref/eurofxref-daily.xml")
FX_FETCH_ENABLED = env_bool("FX_FETCH_ENABLED", True)
# Cart, checkout and quote comparison warn that their conversions are estimates at old rates when
# the newest stored rate is more than this many days old (exactly this many days is still fresh).
FX_STALE_AFTER_DAYS = env_int("FX_STALE_AFTER_DAYS", 4)
if FX_STALE_AFTER_DAYS < 1:
    raise ImproperlyConfigured(f"FX_STALE_AFTER_DAYS must be a positive integer, got {FX_STALE_AFTER_DAYS}")

# Orders: deadlines of the timed moves (orders/services/timed.py), the cart size and the scan batch.
ORDER_ACCEPT_TIMEOUT_HOURS = env_int("ORDER_ACCEPT_TIMEOUT_HOURS", 72)
ORDER_PAYMENT_TIMEOUT_DAYS = env_int("ORDER_PAYMENT_TIMEOUT_DAYS", 7)
ORDER_DELIVERY_CONFIRM_DAYS = env_int("ORDER_DELIVERY_CONFIRM_DAYS", 30)
ORDER_DISPUTE_WINDOW_DAYS = env_int("ORDER_DISPUTE_WINDOW_DAYS", 14)
ORDER_RESOLVED_COMPLETE_DAYS = env_int("ORDER_RESOLVED_COMPLETE_DAYS", 7)
ORDER_TIMED_MOVES_BATCH_SIZE = env_int("ORDER_TIMED_MOVES_BATCH_SIZE", 500)
ORDER_CART_MAX_LINES = env_int("ORDER_CART_MAX_LINES", 100)
# Requests for quotation: how far away their deadline may be.
RFQ_MAX_DEADLINE_DAYS = env_int("RFQ_MAX_DEADLINE_DAYS", 90)

# Bank statements (statements/): kept outside MEDIA_ROOT where no URL serves them; the web process
# and the worker must share this directory. A reconciliation saves its progress every
# STATEMENT_PROGRESS_EVERY entries.
STATEMENT_FILES_ROOT = Path(env_str("STATEMENT_FILES_ROOT", str(VAR_DIR / "private" / "statements")))
STATEMENT_PROGRESS_EVERY = env_int("STATEMENT_PROGRESS_EVERY", 100)

# Notifications outbox (notifications/relay.py). A queued delivery whose task never ran (the broker
# lost it, or a worker died before taking it) is queued again after NOTIFICATIONS_REQUEUE_AFTER_SECONDS;
# a send claimed by a worker that died is taken up again after NOTIFICATIONS_CLAIM_STALE_SECONDS,
# which must exceed the task's time limit. Requeueing is cheap (the relay reads due rows through a
# partial index) and never sends twice (a second message finds the row claimed or sent); its only
# cost is extra messages when the queue is longer than this delay, so it stays above a minute.
NOTIFICATIONS_REQUEUE_AFTER_SECONDS = env_int("NOTIFICATIONS_REQUEUE_AFTER_SECONDS", 90)
NOTIFICATIONS_TASK_TIME_LIMIT_SECONDS = env_int("NOTIFICATIONS_TASK_TIME_LIMIT_SECONDS", 60)
NOTIFICATIONS_CLAIM_STALE_SECONDS = env_int("NOTIFICATIONS_CLAIM_STALE_SECONDS", 2 * 60)
NOTIFICATIONS_EMAIL_MAX_ATTEMPTS = env_int("NOTIFICATIONS_EMAIL_MAX_ATTEMPTS", 8)
WEBHOOK_MAX_ATTEMPTS = env_int("WEBHOOK_MAX_ATTEMPTS", 8)
WEBHOOK_RETRY_BASE_SECONDS = env_int("WEBHOOK_RETRY_BASE_SECONDS", 60)
WEBHOOK_RETRY_MAX_SECONDS = env_int("WEBHOOK_RETRY_MAX_SECONDS", 6 * 60 * 60)
WEBHOOK_TIMEOUT_SECONDS = env_int("WEBHOOK_TIMEOUT_SECONDS", 10)
# Receivers on this machine (http://127.0.0.1, http://[::1], http://localhost) for local development:
# webhooks go to public HTTPS addresses only unless this is on. Forced off in production, and
# `check --deploy` fails when it is on.
WEBHOOKS_ALLOW_LOOPBACK = env_bool("WEBHOOKS_ALLOW_LOOPBACK", False)
# Fernet keys (comma-separated) that encrypt webhook secrets at rest; the first encrypts, all decrypt
# (notifications/encryption.py). Unset: derived from SECRET_KEY, and `check --deploy` warns.
WEBHOOK_SECRET_KEYS = env_list("WEBHOOK_SECRET_KEYS")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # First, so that no credentials or a bad token answer 401 with WWW-Authenticate.
        "accounts.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "core.pagination.DefaultPagination",
    "PAGE_SIZE": 20,
    "EXCEPTION_HANDLER": "core.exceptions.api_exception_handler",
    "DEFAULT_SCHEMA_CLASS": "core.schema.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # The API takes JSON; the endpoints that take files (logos, listing images, imports, statements)
    # name the multipart parser themselves.
    "DEFAULT_PARSER_CLASSES": ["core.parsers.BoundedJSONParser"],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "SME Market API",
    "DESCRIPTION": "B2B marketplace for small and medium enterprises.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # One name for a choice set used by several fields (a company's status, a decision's from/to).
    "ENUM_NAME_OVERRIDES": {"VerificationStatusEnum": "accounts.models.VerificationStatus",
                            "CompanyKindEnum": "accounts.models.CompanyKind",
                            "PaymentTermKindEnum": "orders.models.PaymentTermKind",
                            "InstalmentDueEnum": "orders.models.InstalmentDue",
                            "DeliveryStatusEnum": "notifications.models.DeliveryStatus",
                            "DocumentKindEnum": "accounts.models.DocumentKind",
                            "NumberKindEnum": "accounts.registry_numbers.NUMBER_KINDS"},
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}
TRUSTED_PROXY_HOPS = env_int("TRUSTED_PROXY_HOPS", 0)
# Where the Django admin is served, relative to the site root (README "Sign-in protection").
ADMIN_URL_PATH = env_str("ADMIN_URL_PATH", "admin/")
if not ADMIN_URL_PATH.endswith("/") or ADMIN_URL_PATH.startswith("/") or " " in ADMIN_URL_PATH:
    raise ImproperlyConfigured(f"ADMIN_URL_PATH must be a relative path ending in '/', got {ADMIN_URL_PATH!r}")
# The addresses or networks of those proxies (the peer that connects to the app). X-Forwarded-For and
# X-Forwarded-Proto are believed only from them, and only when TRUSTED_PROXY_HOPS is above 0.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES", ["127.0.0.0/8", "::1/128", "10.0.0.0/8", "172.16.0.0/12",
                                               "192.168.0.0/16", "fc00::/7"])

# Order documents (PDF): a Unicode TrueType font, and fonts for the glyphs it lacks (a CJK font for
# Chinese text, for instance). Without them DejaVu Sans is used where installed, else Helvetica.
DOCUMENT_PDF_FONT = env_str("DOCUMENT_PDF_FONT") or None
DOCUMENT_PDF_FALLBACK_FONTS = env_list("DOCUMENT_PDF_FALLBACK_FONTS", [])


# Health, metrics and logs (core/health.py, core/metrics.py, core/logging.py; README "Health,
# metrics and logs"). /readyz gives each dependency HEALTH_CHECK_TIMEOUT_MS. Beat queues the
# heartbeat task through every queue every HEALTH_HEARTBEAT_INTERVAL_SECONDS; "workers" fails when
# some queue's was not run within HEALTH_WORKER_MAX_AGE_SECONDS, "beat" when beat sent none within
# HEALTH_BEAT_MAX_AGE_SECONDS;
# "outbox" when more than HEALTH_OUTBOX_MAX_DUE deliveries are due or the oldest due one waited more
# than HEALTH_OUTBOX_MAX_AGE_SECONDS.
HEALTH_CHECK_TIMEOUT_MS = env_int("HEALTH_CHECK_TIMEOUT_MS", 500)
HEALTH_HEARTBEAT_INTERVAL_SECONDS = env_int("HEALTH_HEARTBEAT_INTERVAL_SECONDS", 15)
HEALTH_WORKER_MAX_AGE_SECONDS = env_int("HEALTH_WORKER_MAX_AGE_SECONDS", 120)
HEALTH_BEAT_MAX_AGE_SECONDS = env_int("HEALTH_BEAT_MAX_AGE_SECONDS", 60)
HEALTH_OUTBOX_MAX_DUE = env_int("HEALTH_OUTBOX_MAX_DUE", 1000)
HEALTH_OUTBOX_MAX_AGE_SECONDS = env_int("HEALTH_OUTBOX_MAX_AGE_SECONDS", 5 * 60)
if not 50 <= HEALTH_CHECK_TIMEOUT_MS <= 10_000:
    raise ImproperlyConfigured("HEALTH_CHECK_TIMEOUT_MS must be within [50, 10000]")
if not 1 <= HEALTH_HEARTBEAT_INTERVAL_SECONDS < min(HEALTH_WORKER_MAX_AGE_SECONDS, HEALTH_BEAT_MAX_AGE_SECONDS):
    raise ImproperlyConfigured("HEALTH_HEARTBEAT_INTERVAL_SECONDS must be at least 1 and below "
                               "HEALTH_WORKER_MAX_AGE_SECONDS and HEALTH_BEAT_MAX_AGE_SECONDS")
if HEALTH_OUTBOX_MAX_DUE < 0 or HEALTH_OUTBOX_MAX_AGE_SECONDS < 0:
    raise ImproperlyConfigured("HEALTH_OUTBOX_MAX_DUE and HEALTH_OUTBOX_MAX_AGE_SECONDS must not be negative")
HEALTH_PROBES = [
    "core.health.database_probe",
    "core.health.cache_probe",
    "core.health.broker_probe",
    "notifications.monitoring.outbox_probe",
    "core.health.unsent_tasks_probe",
]
HEALTH_UNSENT_MAX_AGE_SECONDS = env_int("HEALTH_UNSENT_MAX_AGE_SECONDS", 5 * 60)
# Tasks that requests could not queue while the broker was away are published again (core/queue.py).
CELERY_BEAT_SCHEDULE["core-unsent-tasks"] = {
    "task": "core.unsent_tasks_resend",
    "schedule": env_int("UNSENT_TASKS_RESEND_SECONDS", 30),
    "options": {"expires": 30},
}
CELERY_BEAT_SCHEDULE.update(task_queues.heartbeat_schedule(HEALTH_HEARTBEAT_INTERVAL_SECONDS))
# Each worker also consumes a queue of its own ("<node name>.dq2"): `manage.py worker_alive` sends
# the heartbeat there, so it learns whether that very worker consumes.
CELERY_WORKER_DIRECT = True
# /metrics: with METRICS_TOKEN set, for `Authorization: Bearer <token>` only; without it, for
# clients from METRICS_ALLOWED_ADDRESSES (addresses or networks) only.
METRICS_TOKEN = env_str("METRICS_TOKEN")
METRICS_ALLOWED_ADDRESSES = env_list("METRICS_ALLOWED_ADDRESSES", ["127.0.0.1", "::1"])
METRICS_COLLECTORS = [
    "core.metrics.heartbeat_metrics",
    "core.metrics.queue_metrics",
    "core.metrics.unsent_task_metrics",
    "notifications.monitoring.outbox_metrics",
    "orders.monitoring.order_metrics",
]
# Every request has an id (X-Request-ID) that its log lines and the tasks it queues carry; with
# LOG_REQUESTS on, each request is logged with its method, path, status and duration.
LOG_REQUESTS = env_bool("LOG_REQUESTS", False)
LOGGING["filters"] = {"request_id": {"()": "core.logging.RequestIdFilter"}}
LOGGING["formatters"]["plain"]["format"] = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
LOGGING["handlers"]["console"]["filters"] = ["request_id"]
if DATABASE_REPLICA_URL:
    # After authentication (the view is resolved by then), inside the session middleware.
    MIDDLEWARE.insert(MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
                      "core.db_router.ReplicaReadMiddleware")
# Outermost: every request gets its id and is measured, whatever answers it.
MIDDLEWARE = ["core.middleware.RequestIdMiddleware", "core.metrics.MetricsMiddleware", *MIDDLEWARE]
