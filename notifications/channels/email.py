"""E-mail: one message per delivery, in the recipient's language, with the delivery's unique key
as its Message-ID."""
from __future__ import annotations

import smtplib

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.utils import translation

from core.emails import email_message_send, email_render

from .. import events
from ..events import DeliverySkipped
from ..models import Delivery
from . import SendFailed


def render(delivery: Delivery) -> EmailMultiAlternatives:
    event = delivery.event
    event_type = events.get(event.name)
    user = delivery.recipient
    if user is not None:
        if not user.is_active:
            raise DeliverySkipped("the recipient's account is no longer active")
        address, language = user.email, user.preferred_language
    else:
        address, language = delivery.recipient_email, event.context.get("language") or settings.LANGUAGE_CODE
    template = event_type.email_template
    with translation.override(language):
        context = {
            **(event_type.email_context(event.context) if event_type.email_context else {}),
            "event": event, "context": event.context, "recipient": user, "site_url": settings.SITE_URL,
        }
        rendered = email_render(template=template, context=context)
    message = EmailMultiAlternatives(subject=rendered.subject, body=rendered.text,
                                     from_email=settings.DEFAULT_FROM_EMAIL, to=[address],
                                     headers={"Message-ID": delivery.message_id, "X-SME-Event": event.name})
    message.attach_alternative(rendered.html, "text/html")
    return message


def send(delivery: Delivery) -> None:
    message = render(delivery)
    try:
        email_message_send(message)
    except smtplib.SMTPRecipientsRefused as exc:
        raise SendFailed(f"the mail server refused the address: {exc}", permanent=True) from exc
