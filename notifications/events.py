"""The events people can be notified of, kept as data.

Each EventType says who receives the event when the caller names no one (its audience), on which
channels by default, whether people may switch it off (mandatory events cannot be), whether company
webhooks may subscribe to it, and how it is shown: a one-line summary for the bell and the list
page, and an e-mail template rendered in the recipient's language.

Another app adds its events with `register(EventType(...))` from its AppConfig.ready()."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

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
        raise LookupError(f"Unknown notification event {name!r}; register it in notifications/events.py") from None


def page_path(name: str, *args) -> str:
    """The path of a web page, or "" where the site does not have it (the link is then left out)."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


# --- company.verification_decided ---------------------------------------------------------------------

def _verification_summary(context: dict) -> str:
    from accounts.models import VerificationStatus

    status = VerificationStatus(context["to_status"]).label
    return _("The verification status of %(name)s is now: %(status)s.") % {
        "name": context["company_name"], "status": status}


def _verification_email_context(context: dict) -> dict:
    from accounts.models import VerificationDecision

    decision = VerificationDecision.objects.select_related("company").filter(pk=context["decision_id"]).first()
    if decision is None:
        raise DeliverySkipped("the decision no longer exists")
    return {"company": decision.company, "decision": decision}


def _verification_email_sent(context: dict, sent_at: datetime) -> None:
    from accounts.models import VerificationDecision

    VerificationDecision.objects.filter(pk=context["decision_id"], email_sent_at__isnull=True).update(
        email_sent_at=sent_at)


register(EventType(
    name="company.verification_decided",
    label=gettext_lazy("A moderator decided on my company's verification"),
    summary=_verification_summary,
    audience=COMPANY_MEMBERS,
    webhook=True,
    email_template="accounts/email/verification_decision",
    email_context=_verification_email_context,
    on_email_sent=_verification_email_sent,
    link=lambda context: page_path("frontend:my_company"),
))


# --- company.invite --------------------------------------------------------------------------------

def _invite_summary(context: dict) -> str:
    return _("You are invited to join %(name)s on SME Market") % {"name": context["company_name"]}


def _invite_email_context(context: dict) -> dict:
    from accounts.models import Invite

    invite = Invite.objects.select_related("company", "invited_by").filter(pk=context["invite_id"]).first()
    if invite is None or invite.accepted_at is not None:
        raise DeliverySkipped("the invite was withdrawn or accepted")
    # The token is read here, at sending time: it is a secret and is never stored in the event.
    return {"invite": invite, "accept_path": reverse("frontend:invite_accept", args=[invite.token])}


def _invite_email_sent(context: dict, sent_at: datetime) -> None:
    from accounts.models import Invite

    Invite.objects.filter(pk=context["invite_id"], email_sent_at__isnull=True).update(email_sent_at=sent_at)


register(EventType(
    name="company.invite",
    label=gettext_lazy("An invitation to join a company"),
    summary=_invite_summary,
    channels=frozenset({Channel.EMAIL}),
    mandatory=True,
    audience=EXPLICIT,
    email_template="accounts/email/invite",
    email_context=_invite_email_context,
    on_email_sent=_invite_email_sent,
    configurable=False,
))


# --- listing.decided -------------------------------------------------------------------------------

def _listing_summary(context: dict) -> str:
    from marketplace.models import ListingStatus

    title = context["listing_title"]
    if context.get("changes_reviewed"):
        if context.get("applied_changes"):
            return _("Your changes to %(title)s were approved.") % {"title": title}
        return _("Your changes to %(title)s were turned down.") % {"title": title}
    return _("A moderator moved %(title)s to: %(status)s.") % {
        "title": title, "status": ListingStatus(context["to_status"]).label}


def _listing_email_context(context: dict) -> dict:
    return {"summary": _listing_summary(context), "title": context["listing_title"],
            "reason": context.get("reason", ""), "path": page_path("frontend:seller_listings")}


register(EventType(
    name="listing.decided",
    label=gettext_lazy("A moderator decided on one of my company's listings"),
    summary=_listing_summary,
    audience=COMPANY_MEMBERS,
    webhook=True,
    email_template="notifications/email/listing_decided",
    email_context=_listing_email_context,
    link=lambda context: page_path("frontend:seller_listings"),
))


# --- listing.reported ------------------------------------------------------------------------------

def _report_summary(context: dict) -> str:
    return _("%(title)s was reported by a buyer.") % {"title": context["listing_title"]}


def _report_email_context(context: dict) -> dict:
    from marketplace.models import ListingReport

    report = ListingReport.objects.filter(pk=context["report_id"]).values("resolved_at").first()
    if report is None or report["resolved_at"] is not None:
        raise DeliverySkipped("the report was withdrawn or already resolved")
    return {"title": context["listing_title"], "reason": context.get("reason", ""),
            "path": page_path("frontend:listing_moderation")}


register(EventType(
    name="listing.reported",
    label=gettext_lazy("A buyer reported a listing (moderators)"),
    summary=_report_summary,
    channels=frozenset({Channel.EMAIL, Channel.IN_APP}),
    audience=MODERATORS,
    email_template="notifications/email/listing_reported",
    email_context=_report_email_context,
    link=lambda context: page_path("frontend:listing_moderation"),
))
