"""The guards that keep a worker consuming after its broker connection broke or hung."""
from __future__ import annotations

from unittest import mock

import pytest
import redis
from kombu import Connection
from kombu.transport import redis as redis_transport

from core import kombu_compat


class _ReleasedChannel:
    """A channel whose connection was already collected: closing it reaches for the released client."""

    closed = False

    def close(self):
        raise AttributeError("'NoneType' object has no attribute 'hostname'")


class _LiveChannel:
    closed = False

    def close(self):
        self.closed = True


def test_the_celery_app_installs_the_guards():
    import config.celery  # noqa: F401 - importing the app installs them

    assert Connection.maybe_close_channel is kombu_compat._maybe_close_channel
    assert redis_transport.QoS.ack is kombu_compat._ack
    assert redis_transport.QoS.reject is kombu_compat._reject


def test_closing_a_channel_of_a_released_connection_is_a_no_op():
    kombu_compat.install()
    kombu_compat.install()  # twice: still one guard
    connection = Connection("memory://")
    try:
        assert connection.maybe_close_channel(_ReleasedChannel()) is None
        live = _LiveChannel()
        connection.maybe_close_channel(live)
        assert live.closed is True
    finally:
        connection.release()


def test_without_the_guard_the_error_escapes():
    connection = Connection("memory://")
    try:
        try:
            kombu_compat._original(connection, _ReleasedChannel())
        except AttributeError as exc:
            assert "hostname" in str(exc)
        else:
            raise AssertionError("kombu no longer raises here: the guard can go")
    finally:
        connection.release()


def _redis_qos_whose_broker_hangs():
    """A Redis QoS holding one delivered message, on a channel whose every pipeline times out."""
    channel = mock.MagicMock()
    client = channel.conn_or_acquire.return_value.__enter__.return_value
    client.pipeline.return_value.zrem.return_value.hdel.return_value.execute.side_effect = (
        redis.exceptions.TimeoutError("Timeout reading from socket"))
    qos = redis_transport.QoS(channel, prefetch_count=1)
    qos._on_collect.cancel()  # nothing to put back into the (mock) broker at exit
    qos.append(mock.Mock(delivery_info={"exchange": "", "routing_key": "celery"}, _raw={}), "tag-1")
    return qos


def test_an_ack_that_times_out_still_frees_the_prefetch_slot():
    kombu_compat.install()
    qos = _redis_qos_whose_broker_hangs()
    assert qos.can_consume() is False

    with pytest.raises(redis.exceptions.TimeoutError):
        qos.ack("tag-1")

    assert qos.can_consume() is True


def test_a_reject_that_times_out_still_frees_the_prefetch_slot():
    kombu_compat.install()
    qos = _redis_qos_whose_broker_hangs()

    with pytest.raises(redis.exceptions.TimeoutError):
        qos.reject("tag-1", requeue=False)

    assert qos.can_consume() is True


def test_without_the_guard_a_timed_out_ack_keeps_the_slot():
    qos = _redis_qos_whose_broker_hangs()

    with pytest.raises(redis.exceptions.TimeoutError):
        kombu_compat._original_ack(qos, "tag-1")

    assert qos.can_consume() is False, "kombu frees the slot itself now: the guard can go"
