"""A task the broker tests queue: it takes a while, so its acknowledgement can meet a frozen broker.
The test worker imports it with --include; the site never does."""
from __future__ import annotations

import time

from celery import shared_task


@shared_task(acks_late=True)
def nap(seconds: float) -> float:
    time.sleep(seconds)
    return seconds


@shared_task
def database_backend_record(path: str) -> None:
    """Appends the id of the database server process this task's connection talks to."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    with open(path, "a", encoding="utf-8") as file:
        file.write(f"{pid}\n")
