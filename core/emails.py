"""Rendering and sending of transactional e-mail in the recipient's language.

A message has three templates: `<template>_subject.txt`, `<template>.txt` and `<template>.html`.
The subject and the plain-text body are rendered without HTML escaping (a seller called
`Seller <img src=x>` reads as such, not `Seller &lt;img src=x&gt;`); the HTML body is escaped as
every HTML page is. Every e-mail of the site is rendered by email_render()."""
from __future__ import annotations

import datetime
import os
from typing import NamedTuple

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
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
    message.send()


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
