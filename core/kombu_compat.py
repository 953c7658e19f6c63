"""A guard around one kombu 5.7 fault that stops a worker for good after a broker outage.

When the Redis connection of a worker breaks, Celery's consumer first collects the broken connection
(releasing its client) and then closes it again. Closing its default channel tries to put the
unacknowledged messages back through a new Redis client built from the released client's settings,
which are gone: `AttributeError: 'NoneType' object has no attribute 'hostname'`. kombu's
`Connection.maybe_close_channel` ignores only connection and channel errors, so the AttributeError
escapes the consumer's error handler, the consumer stops, and the worker stays up (it answers
`inspect ping`) without ever taking a task again: no e-mail, no webhook, no timed order move.

The guard makes closing a channel of an already released connection a no-op, as closing any other
dead channel is. Nothing is lost: the messages that were not acknowledged stay in Redis's unacked
set and are delivered again after the visibility timeout, and every task here is safe to run twice."""
from __future__ import annotations

from kombu import Connection

_original = Connection.maybe_close_channel


def _maybe_close_channel(self, channel):
    try:
        return _original(self, channel)
    except AttributeError:
        return None


def install() -> None:
    """Idempotent: installs the guard once."""
    if Connection.maybe_close_channel is not _maybe_close_channel:
        Connection.maybe_close_channel = _maybe_close_channel
