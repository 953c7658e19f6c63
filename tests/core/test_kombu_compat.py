"""The guard that keeps a worker consuming after its broker connection broke."""
from __future__ import annotations

from kombu import Connection

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


def test_the_celery_app_installs_the_guard():
    import config.celery  # noqa: F401 - importing the app installs it

    assert Connection.maybe_close_channel is kombu_compat._maybe_close_channel


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
