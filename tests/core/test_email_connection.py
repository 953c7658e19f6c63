"""A process keeps its connection to the mail server between sends (core.emails.email_message_send),
and opens a new one after an error, after it was idle for a while, after a number of messages, or
when the mail settings change."""
from __future__ import annotations

import pytest
from django.core import mail
from django.core.mail import EmailMessage
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend

from core import emails

OPENED: list[CountingBackend] = []


class CountingBackend(LocmemBackend):
    """The test backend, counting the connections it opens; refuses a message whose subject says so."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.opened = False

    def open(self) -> bool:
        if not self.opened:
            self.opened = True
            OPENED.append(self)
            return True
        return False

    def send_messages(self, messages) -> int:
        if any(message.subject == "refused" for message in messages):
            raise OSError("the mail server went away")
        return super().send_messages(messages)


MAILERS = {"default": {"BACKEND": f"{__name__}.CountingBackend"}}


@pytest.fixture(autouse=True)
def counting_mailer(settings):
    OPENED.clear()
    emails.email_connection_close()
    settings.MAILERS = MAILERS
    yield
    emails.email_connection_close()


def _message(subject: str = "Hello") -> EmailMessage:
    return EmailMessage(subject, "Body", "from@example.com", ["to@example.com"])


def test_sends_share_one_connection():
    for n in range(3):
        assert emails.email_message_send(_message(f"Message {n}")) == 1

    assert len(OPENED) == 1
    assert [message.subject for message in mail.outbox] == ["Message 0", "Message 1", "Message 2"]


def test_a_send_that_failed_closes_the_connection_and_the_next_opens_another():
    emails.email_message_send(_message())
    with pytest.raises(OSError):
        emails.email_message_send(_message("refused"))
    emails.email_message_send(_message())

    assert len(OPENED) == 2
    assert [message.subject for message in mail.outbox] == ["Hello", "Hello"]


def test_a_connection_idle_for_too_long_is_not_reused(monkeypatch):
    emails.email_message_send(_message())
    monkeypatch.setattr(emails, "MAIL_CONNECTION_IDLE_SECONDS", -1)
    emails.email_message_send(_message())

    assert len(OPENED) == 2


def test_a_connection_is_closed_after_its_quota_of_messages(monkeypatch):
    monkeypatch.setattr(emails, "MAIL_CONNECTION_MAX_MESSAGES", 2)
    for _ in range(5):
        emails.email_message_send(_message())

    assert len(OPENED) == 3
    assert len(mail.outbox) == 5


def test_other_mail_settings_open_another_connection(settings):
    emails.email_message_send(_message())
    settings.MAILERS = {"default": {"BACKEND": f"{__name__}.CountingBackend", "OPTIONS": {}}}
    emails.email_message_send(_message())

    assert len(OPENED) == 2
