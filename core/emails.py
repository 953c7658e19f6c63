"""Rendering and sending of transactional e-mail in the recipient's language.

A message has three templates: `<template>_subject.txt`, `<template>.txt` and `<template>.html`.
The subject and the plain-text body are rendered without HTML escaping (a seller called
`Seller <img src=x>` reads as such, not `Seller &lt;img src=x&gt;`); the HTML body is escaped as
every HTML page is. Every e-mail of the site is rendered by email_render() and sent by
email_message_send(), on a connection to the mail server that a process keeps between sends."""
from __future__ import annotations

import datetime
import os
import threading
import time
from typing import NamedTuple

from django.conf import settings
from django.core import mail
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.core.mail.backends import filebased
from django.template import Context
from django.template.loader import get_template, render_to_string
from django.utils import translation


class RenderedEmail(NamedTuple):
    subject: str
    text: str
    html: str


def plain_text_render(template_name: str, context: dict) -> str:
    """A plain-text template rendered with autoescaping off (also in the templates it includes)."""
    return get_template(template_name).template.render(Context(context, autoescape=False))


def email_render(*, template: str, context: dict) -> RenderedEmail:
    """The subject (on one line), the plain-text body and the HTML body, in the active language."""
    subject = " ".join(plain_text_render(f"{template}_subject.txt", context).split())
    return RenderedEmail(subject=subject, text=plain_text_render(f"{template}.txt", context),
                         html=render_to_string(f"{template}.html", context))


def email_send(*, template: str, to: list[str], context: dict, language: str = "en") -> None:
    """Renders the message in `language` and sends it."""
    context = {**context, "site_url": settings.SITE_URL}
    with translation.override(language):
        rendered = email_render(template=template, context=context)
    message = EmailMultiAlternatives(subject=rendered.subject, body=rendered.text,
                                     from_email=settings.DEFAULT_FROM_EMAIL, to=to)
    message.attach_alternative(rendered.html, "text/html")
    email_message_send(message)


# A connection to the mail server unused for longer than this is closed before the next send rather
# than reused: mail servers drop idle clients (Postfix after 300 s), and a send on a dropped
# connection fails.
MAIL_CONNECTION_IDLE_SECONDS = 30
# Some mail services take a limited number of messages per connection (100 on some, fewer on
# others); a connection is closed after this many, before any would refuse one.
MAIL_CONNECTION_MAX_MESSAGES = 50


class _KeptConnection(threading.local):
    connection = None
    config = None  # the MAILERS entry it was opened with: another (a test's override) opens anew
    used_at = 0.0
    messages = 0  # sent on it


_kept = _KeptConnection()


def email_message_send(message: EmailMessage) -> int:
    """Sends `message` through the default mailer on a connection this thread keeps between sends.

    A worker sends one e-mail per task; opening a connection for each (Django's default: a TCP
    connection, EHLO, TLS and login per message with SMTP, a new file with the file backend) cost
    about as much as building the message. The connection is closed after an error, after
    MAIL_CONNECTION_IDLE_SECONDS unused, after MAIL_CONNECTION_MAX_MESSAGES messages, or when the
    mail settings change; errors are raised."""
    config = mail.mailers.settings.get("default")
    now = time.monotonic()
    if _kept.connection is not None and (_kept.config is not config
                                         or now - _kept.used_at > MAIL_CONNECTION_IDLE_SECONDS
                                         or _kept.messages >= MAIL_CONNECTION_MAX_MESSAGES):
        email_connection_close()
    if _kept.connection is None:
        connection = mail.mailers.default
        connection.open()
        _kept.connection, _kept.config, _kept.messages = connection, config, 0
    try:
        sent = _kept.connection.send_messages([message])
    except BaseException:
        email_connection_close()
        raise
    _kept.used_at = time.monotonic()
    _kept.messages += 1
    return sent


def email_connection_close() -> None:
    """Closes this thread's kept mail connection, if any (errors closing it are ignored)."""
    connection, _kept.connection, _kept.config = _kept.connection, None, None
    if connection is not None:
        try:
            connection.close()
        except Exception:  # already broken: nothing to close
            pass


class FileEmailBackend(filebased.EmailBackend):
    """Django's file backend with the process id in each file's name.

    Django names a file by the second and the id() of the backend object; Celery's pool processes
    are forked from one parent, so two of them sending in the same second can get the same id and
    append to one file at once, interleaving their messages. With the pid the names never meet."""

    def _get_filename(self) -> str:
        if self._fname is None:
            timestamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
            self._fname = os.path.join(self.file_path, f"{timestamp}-{os.getpid()}-{abs(id(self))}.log")
        return self._fname
