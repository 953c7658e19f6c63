"""Thin tasks: each calls one service and is safe to run twice."""
from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.db import OperationalError

from core.tasks import retry_policy


class FxFetchFailed(Exception):
    """The feed could not be fetched or read; the task retries with backoff, the stored rates stay."""


RETRY = retry_policy(FxFetchFailed, OperationalError, backoff=60, max_retries=5)


@shared_task(**RETRY, soft_time_limit=60, time_limit=90)
def fx_rates_fetch() -> str | None:
    """Fetches and stores the ECB reference rates (run daily by beat); returns the date stored."""
    from . import services

    if not settings.FX_FETCH_ENABLED:
        return None
    day = services.fx_rates_fetch()
    if day is None:
        raise FxFetchFailed("The ECB exchange rates could not be fetched; the stored rates stay in use.")
    return day.isoformat()
