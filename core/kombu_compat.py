"""Guards around two kombu 5.7 faults that stop a worker for good after a broker outage.

1. Closing a channel of a connection that was already collected.

When the Redis connection of a worker breaks, Celery's consumer first collects the broken connection
(releasing its client) and then closes it again. Closing its default channel tries to put the
unacknowledged messages back through a new Redis client built from the released client's settings,
which are gone: `AttributeError: 'NoneType' object has no attribute 'hostname'`. kombu's
`Connection.maybe_close_channel` ignores only connection and channel errors, so the AttributeError
escapes the consumer's error handler, the consumer stops, and the worker stays up (it answers
`inspect ping`) without ever taking a task again: no e-mail, no webhook, no timed order move.

The guard makes closing a channel of an already released connection a no-op, as closing any other
dead channel is. Nothing is lost: the messages that were not acknowledged stay in Redis's unacked
set and are delivered again after the visibility timeout, and every task here is safe to run twice.

2. An acknowledgement that fails. The Redis transport's QoS.ack (and reject) first removes the
message from Redis's unacked set and only then frees the message's prefetch slot. When the broker
hangs (a frozen Redis), the removal times out; kombu's Message.ack_log_error logs "Couldn't ack ...
TimeoutError" and carries on, but the slot is never freed. The connection is not restarted, so
the leak outlives the outage: once as many acknowledgements have failed as the worker has slots
(its concurrency times the prefetch multiplier), the QoS says the channel may not consume, no BRPOP
is ever sent again, and the worker takes no task while it still answers `inspect ping`.

The guard frees the slot whatever Redis did. Nothing is lost: a message whose removal failed stays
in the unacked set and is delivered again after the visibility timeout, and every task here is safe
to run twice.

3. A half-written message on the filesystem broker (`make run`). kombu's filesystem transport creates
the message's file under its final name and then writes it; a worker polling at that moment takes
the empty file, fails to decode it, and stops for good ("Unrecoverable error: JSONDecodeError"),
and the message is lost. The guard writes the file under a name no worker looks for and renames it
into place, so a worker only ever sees whole messages."""
from __future__ import annotations

import os
import uuid
from time import monotonic

from kombu import Connection
from kombu.exceptions import ChannelError
from kombu.transport import filesystem as filesystem_transport
from kombu.transport import redis as redis_transport
from kombu.transport import virtual
from kombu.utils.encoding import str_to_bytes
from kombu.utils.json import dumps

_original = Connection.maybe_close_channel
_original_ack = redis_transport.QoS.ack
_original_reject = redis_transport.QoS.reject


def _maybe_close_channel(self, channel):
    try:
        return _original(self, channel)
    except AttributeError:
        return None


def _ack(self, delivery_tag):
    try:
        return _original_ack(self, delivery_tag)
    except BaseException:
        virtual.QoS.ack(self, delivery_tag)  # frees the prefetch slot; Redis keeps the message for redelivery
        raise


def _reject(self, delivery_tag, requeue=False):
    try:
        return _original_reject(self, delivery_tag, requeue=requeue)
    except BaseException:
        virtual.QoS.ack(self, delivery_tag)
        raise


def _filesystem_put(self, queue, payload, **kwargs):
    """Puts a message on `queue` as kombu does, but renamed into place once it is whole."""
    filename = os.path.join(self.data_folder_out, f"{int(round(monotonic() * 1000))}_{uuid.uuid4()}.{queue}.msg")
    partial = filename + ".part"  # not "<queue>.msg": the transport's _get skips it
    try:
        with open(partial, "wb") as file:
            file.write(str_to_bytes(dumps(payload)))
        os.replace(partial, filename)
    except OSError as exc:
        raise ChannelError(f"Cannot add file {filename!r} to directory") from exc


def install() -> None:
    """Idempotent: installs the guards once."""
    if filesystem_transport.Channel._put is not _filesystem_put:
        filesystem_transport.Channel._put = _filesystem_put
    if Connection.maybe_close_channel is not _maybe_close_channel:
        Connection.maybe_close_channel = _maybe_close_channel
    if redis_transport.QoS.ack is not _ack:
        redis_transport.QoS.ack = _ack
    if redis_transport.QoS.reject is not _reject:
        redis_transport.QoS.reject = _reject
