"""The Celery application shared by the web process, workers and beat."""
import os

from celery import Celery

from core.celery_signals import install as install_celery_signals
from core.kombu_compat import install as install_kombu_guard

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("smemarket")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# A worker must keep consuming after a broker outage: see core/kombu_compat.py.
install_kombu_guard()
# Request ids follow a request into the tasks it queues; beat's heartbeat records its tick.
install_celery_signals()
