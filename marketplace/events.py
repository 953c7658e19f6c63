"""The listing notifications: a moderator's decision on a listing (to the seller's members) and a
buyer's report of one (to the moderators).

Registered from MarketplaceConfig.ready() into the notifications registry; the marketplace services
call notify() with these names inside the transaction of the decision or the report."""
from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

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
