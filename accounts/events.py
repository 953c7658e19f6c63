"""The company notifications: a verification decision (a moderator's, or an expiry), a verification
expiring soon, and an invitation to join.

Registered from AccountsConfig.ready() into the notifications registry; the account services call
notify() with these names inside the transaction that records the change."""
from __future__ import annotations

from datetime import datetime

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from notifications.events import (
    COMPANY_MEMBERS,
    EXPLICIT,
    MODERATORS,
    DeliverySkipped,
    EventType,
    page_path,
    register,
)
from notifications.models import Channel

from .models import Invite, VerificationDecision, VerificationStatus

VERIFICATION_DECIDED = "company.verification_decided"
VERIFICATION_EXPIRING = "company.verification_expiring"
INVITE = "company.invite"


# --- company.verification_decided ---------------------------------------------------------------------

def _verification_summary(context: dict) -> str:
    status = VerificationStatus(context["to_status"]).label
    text = _("The verification status of %(name)s is now: %(status)s.") % {
        "name": context["company_name"], "status": status}
    reason = (context.get("reason") or "").strip()
    if reason:
        return _("%(decision)s Reason: %(reason)s") % {"decision": text, "reason": reason}
    return text


def _verification_email_context(context: dict) -> dict:
    decision = VerificationDecision.objects.select_related("company").filter(pk=context["decision_id"]).first()
    if decision is None:
        raise DeliverySkipped("the decision no longer exists")
    return {"company": decision.company, "decision": decision}


def _verification_email_sent(context: dict, sent_at: datetime) -> None:
    VerificationDecision.objects.filter(pk=context["decision_id"], email_sent_at__isnull=True).update(
        email_sent_at=sent_at)


register(EventType(
    name=VERIFICATION_DECIDED,
    label=gettext_lazy("A moderator decided on my company's verification"),
    summary=_verification_summary,
    audience=COMPANY_MEMBERS,
    webhook=True,
    email_template="accounts/email/verification_decision",
    email_context=_verification_email_context,
    on_email_sent=_verification_email_sent,
    link=lambda context: page_path("frontend:my_company"),
))


# --- company.verification_expiring ---------------------------------------------------------------------

def _expiring_summary(context: dict) -> str:
    return _("The verification of %(name)s expires in %(days)s days. Upload current documents and ask for "
             "renewal to keep the Verified badge.") % {"name": context["company_name"], "days": context["days_left"]}


def _expiring_email_context(context: dict) -> dict:
    from .models import Company

    company = Company.objects.filter(pk=context["company_id"]).first()
    if company is None or company.verification_status != VerificationStatus.VERIFIED:
        raise DeliverySkipped("the company is no longer verified")
    return {"company": company, "days_left": context["days_left"]}


register(EventType(
    name=VERIFICATION_EXPIRING,
    label=gettext_lazy("My company's verification expires soon"),
    summary=_expiring_summary,
    audience=COMPANY_MEMBERS,
    webhook=True,
    email_template="accounts/email/verification_expiring",
    email_context=_expiring_email_context,
    link=lambda context: page_path("frontend:my_company"),
))


# --- company.invite --------------------------------------------------------------------------------

def _invite_summary(context: dict) -> str:
    return _("You are invited to join %(name)s on SME Market") % {"name": context["company_name"]}


def _invite_email_context(context: dict) -> dict:
    invite = Invite.objects.select_related("company", "invited_by").filter(pk=context["invite_id"]).first()
    if invite is None or invite.accepted_at is not None:
        raise DeliverySkipped("the invite was withdrawn or accepted")
    # The token is read here, at sending time: it is a secret and is never stored in the event.
    return {"invite": invite, "accept_path": reverse("frontend:invite_accept", args=[invite.token])}


def _invite_email_sent(context: dict, sent_at: datetime) -> None:
    Invite.objects.filter(pk=context["invite_id"], email_sent_at__isnull=True).update(email_sent_at=sent_at)


register(EventType(
    name=INVITE,
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


# --- identity under review (moderators and the company's members) ---------------------------------

COMPANY_IDENTITY_CHANGED = "company.identity_changed"
COMPANY_IDENTITY_DECIDED = "company.identity_decided"
COMPANY_NAME_CONFUSABLE = "company.name_confusable"


def _identity_changed_summary(context: dict) -> str:
    return _("%(name)s asks to change its identity details; they wait for review.") % {
        "name": context["company_name"]}


register(EventType(
    name=COMPANY_IDENTITY_CHANGED,
    label=gettext_lazy("A verified company asks to change its identity details (moderators)"),
    summary=_identity_changed_summary,
    channels=frozenset({Channel.IN_APP}),
    audience=MODERATORS,
    link=lambda context: page_path("frontend:moderation"),
))


def _identity_decided_summary(context: dict) -> str:
    if context["applied"]:
        return _("The new identity details of %(name)s were approved.") % {"name": context["company_name"]}
    return _("The new identity details of %(name)s were not approved: %(reason)s") % {
        "name": context["company_name"], "reason": context["reason"]}


register(EventType(
    name=COMPANY_IDENTITY_DECIDED,
    label=gettext_lazy("A moderator decided on my company's new identity details"),
    summary=_identity_decided_summary,
    channels=frozenset({Channel.IN_APP}),
    audience=COMPANY_MEMBERS,
    link=lambda context: page_path("frontend:my_company"),
))


def _name_confusable_summary(context: dict) -> str:
    return _("The name %(name)s reads like that of the verified company %(other)s.") % {
        "name": context["company_name"], "other": context["confusable_with_name"]}


register(EventType(
    name=COMPANY_NAME_CONFUSABLE,
    label=gettext_lazy("A company name reads like a verified company's (moderators)"),
    summary=_name_confusable_summary,
    channels=frozenset({Channel.IN_APP}),
    audience=MODERATORS,
    link=lambda context: page_path("frontend:moderation"),
))
