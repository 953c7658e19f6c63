"""The listing notifications: a moderator's decision on a listing (to the seller's members) and a
buyer's report of one (to the moderators).

Registered from MarketplaceConfig.ready() into the notifications registry; the marketplace services
call notify() with these names inside the transaction of the decision or the report."""
from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from notifications.events import COMPANY_MEMBERS, MODERATORS, DeliverySkipped, EventType, page_path, register
from notifications.models import Channel

from .models import ListingReport, ListingStatus

LISTING_DECIDED = "listing.decided"
LISTING_REPORTED = "listing.reported"


# --- listing.decided -------------------------------------------------------------------------------

def _decision_text(context: dict) -> str:
    title = context["listing_title"]
    if context.get("changes_reviewed"):
        if context.get("applied_changes"):
            return _("Your changes to %(title)s were approved.") % {"title": title}
        return _("Your changes to %(title)s were turned down.") % {"title": title}
    return _("A moderator moved %(title)s to: %(status)s.") % {
        "title": title, "status": ListingStatus(context["to_status"]).label}


def _listing_summary(context: dict) -> str:
    """The in-app line: the decision, and the moderator's reason when one was given."""
    text = _decision_text(context)
    reason = (context.get("reason") or "").strip()
    if reason:
        return _("%(decision)s Reason: %(reason)s") % {"decision": text, "reason": reason}
    return text


def _decision_group_key(context: dict) -> str:
    """Decisions group by what they did: approvals with approvals, refusals with refusals."""
    if context.get("changes_reviewed"):
        return "changes-applied" if context.get("applied_changes") else "changes-turned-down"
    return context["to_status"]


def _decision_group_summary(count: int, context: dict) -> str:
    key = _decision_group_key(context)
    if key == "changes-applied":
        return ngettext("Your changes to %(count)d listing were approved.",
                        "Your changes to %(count)d listings were approved.", count) % {"count": count}
    if key == "changes-turned-down":
        return ngettext("Your changes to %(count)d listing were turned down.",
                        "Your changes to %(count)d listings were turned down.", count) % {"count": count}
    if key == ListingStatus.PUBLISHED:
        return ngettext("%(count)d listing approved", "%(count)d listings approved", count) % {"count": count}
    return ngettext("A moderator moved %(count)d listing to: %(status)s.",
                    "A moderator moved %(count)d listings to: %(status)s.", count) % {
        "count": count, "status": ListingStatus(key).label}


def _listing_email_context(context: dict) -> dict:
    return {"summary": _decision_text(context), "title": context["listing_title"],
            "reason": context.get("reason", ""), "path": page_path("frontend:seller_listings")}


register(EventType(
    name=LISTING_DECIDED,
    label=gettext_lazy("A moderator decided on one of my company's listings"),
    summary=_listing_summary,
    audience=COMPANY_MEMBERS,
    webhook=True,
    email_template="notifications/email/listing_decided",
    email_context=_listing_email_context,
    link=lambda context: page_path("frontend:seller_listings"),
    group_key=_decision_group_key,
    group_summary=_decision_group_summary,
))


# --- listing.reported ------------------------------------------------------------------------------

def _report_summary(context: dict) -> str:
    return _("%(title)s was reported by a buyer.") % {"title": context["listing_title"]}


def _report_email_context(context: dict) -> dict:
    report = ListingReport.objects.filter(pk=context["report_id"]).values("resolved_at").first()
    if report is None or report["resolved_at"] is not None:
        raise DeliverySkipped("the report was withdrawn or already resolved")
    return {"title": context["listing_title"], "reason": context.get("reason", ""),
            "path": page_path("frontend:listing_moderation")}


register(EventType(
    name=LISTING_REPORTED,
    label=gettext_lazy("A buyer reported a listing (moderators)"),
    summary=_report_summary,
    channels=frozenset({Channel.EMAIL, Channel.IN_APP}),
    audience=MODERATORS,
    email_template="notifications/email/listing_reported",
    email_context=_report_email_context,
    link=lambda context: page_path("frontend:listing_moderation"),
))
