"""Running jobs on many threads at once against the database, each thread with its own connection."""
from __future__ import annotations

import queue
import threading
from collections.abc import Callable

from django.db import connection

from core.exceptions import ApplicationError


def run_pool(jobs: list[Callable[[], object]], *, workers: int = 40) -> list[object]:
    """Runs the jobs on `workers` threads that start together; returns each job's result or the
    ApplicationError it raised. Anything else a job raises fails the test."""
    barrier = threading.Barrier(workers)
    pending: queue.Queue[int] = queue.Queue()
    for index in range(len(jobs)):
        pending.put(index)
    results: list[object] = [None] * len(jobs)
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            connection.ensure_connection()
            barrier.wait(timeout=60)
            while True:
                try:
                    index = pending.get_nowait()
                except queue.Empty:
                    return
                try:
                    results[index] = jobs[index]()
                except ApplicationError as exc:
                    results[index] = exc
        except BaseException as exc:  # noqa: BLE001 - reported to the test below
            errors.append(exc)
            barrier.abort()
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not [t for t in threads if t.is_alive()], "some threads did not finish"
    assert errors == []
    return results
