"""The events people can be notified of, kept as data.

Each EventType says who receives the event when the caller names no one (its audience), on which
channels by default, whether people may switch it off (mandatory events cannot be), whether company
webhooks may subscribe to it, and how it is shown: a one-line summary for the bell and the list
page, and an e-mail template rendered in the recipient's language.

Each app registers its own events with `register(EventType(...))` in its events.py, imported from its
AppConfig.ready() (accounts/events.py, marketplace/events.py, orders/events.py ...): this module keeps
only the registry and imports no other app."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise

from .models import Channel

# Audiences: who receives an event when notify() is given no recipients.
COMPANY_MEMBERS = "company_members"  # the active members of the event's company
MODERATORS = "moderators"  # the active moderators
EXPLICIT = "explicit"  # only whom the caller names (users, or e-mail addresses)


class DeliverySkipped(Exception):
    """What the delivery was about is gone or no longer true (an invite already accepted): the
    delivery is cancelled, not retried."""


@dataclass(frozen=True)
class EventType:
    name: str
    label: Promise | str
    summary: Callable[[dict], str]
    channels: frozenset[str] = frozenset({Channel.EMAIL, Channel.IN_APP})
    default_channels: frozenset[str] | None = None  # None: all of `channels`
    mandatory: bool = False
    audience: str = COMPANY_MEMBERS
    webhook: bool = False
    email_template: str = ""
    # Turns the stored ids into what the e-mail template shows. Raises DeliverySkipped.
    email_context: Callable[[dict], dict] | None = None
    # Runs in the transaction that marks an e-mail delivery sent.
    on_email_sent: Callable[[dict, datetime], None] | None = None
    link: Callable[[dict], str] | None = None
    # Shown on the settings page. An event sent only to bare e-mail addresses has nobody to ask.
    configurable: bool = True
    # With group_summary, consecutive unread notifications of this event with the same
    # group_key(context) (all of them without one) show as one line on the list and the bell:
    # group_summary(count, context of the newest), plural-aware.
    group_key: Callable[[dict], str] | None = None
    group_summary: Callable[[int, dict], str] | None = None

    def is_default(self, channel: str) -> bool:
        return channel in (self.channels if self.default_channels is None else self.default_channels)

    @property
    def user_channels(self) -> list[str]:
        """The channels a recipient may switch, in display order."""
        return [c for c in (Channel.EMAIL, Channel.IN_APP) if c in self.channels]


EVENTS: dict[str, EventType] = {}


def register(event_type: EventType) -> EventType:
    unknown = set(event_type.channels) - {Channel.EMAIL, Channel.IN_APP}
    if unknown:
        raise ValueError(f"{event_type.name}: webhooks are chosen with `webhook=True`, not as a channel ({unknown})")
    if Channel.EMAIL in event_type.channels and not event_type.email_template:
        raise ValueError(f"{event_type.name}: an e-mail event needs an email_template")
    EVENTS[event_type.name] = event_type
    return event_type


def get(name: str) -> EventType:
    try:
        return EVENTS[name]
    except KeyError:
        raise LookupError(f"Unknown notification event {name!r}; register it in its app's events.py") from None


def page_path(name: str, *args) -> str:
    """The path of a web page, or "" where the site does not have it (the link is then left out)."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""

