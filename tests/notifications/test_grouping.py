"""Grouped notifications: consecutive unread notifications of one kind read as one line ("12 listings
approved"), with plural-aware texts; read ones, other kinds and events that do not group stay one
line each. The list page shows a group expandable into its notifications, and the "Open" button of
a notification has its own translation context."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.utils import timezone

from notifications import events, selectors
from notifications.models import Channel, Delivery
from notifications.services import notify

pytestmark = pytest.mark.django_db


def _decided(company, title: str, status: str = "published", **extra):
    notify(event="listing.decided", company=company, context={
        "listing_id": 1, "listing_title": title, "decision_id": 1, "from_status": "pending_review",
        "to_status": status, "reason": "", "changes_reviewed": False, "applied_changes": False, **extra})


def _message(company, text: str):
    notify(event="message.posted", company=company, context={
        "message_id": 1, "rfq_id": None, "rfq_title": "", "order_id": 5, "company_name": "Tekstil A.S.",
        "excerpt": text})


def _verification(company, status: str):
    notify(event="company.verification_decided", company=company, context={
        "company_id": company.pk, "company_name": company.legal_name, "decision_id": 0, "from_status": "pending",
        "to_status": status, "reason": ""})


def _lines(user) -> list[tuple[str, int]]:
    return [(line.text, line.count) for line in selectors.notification_lines(selectors.notification_list(user=user))]


def test_consecutive_unread_of_one_kind_become_one_line(company_a, member_a):
    for number in range(12):
        _decided(company_a, f"Towel {number}")

    lines = selectors.notification_lines(selectors.notification_list(user=member_a))

    assert [(line.text, line.count, line.is_group, line.unread) for line in lines] == [
        ("12 listings approved", 12, True, True)]
    assert [item[1] for item in lines[0].items] == [
        f"A moderator moved Towel {number} to: Published." for number in range(11, -1, -1)]
    assert lines[0].link == "/seller/listings/"


def test_runs_break_on_another_kind_a_read_one_and_another_decision(company_a, member_a):
    _decided(company_a, "A")
    _decided(company_a, "B")
    _decided(company_a, "C", status="rejected")
    _decided(company_a, "D", status="rejected")
    _message(company_a, "Hello")
    _decided(company_a, "E")
    _decided(company_a, "F")
    _decided(company_a, "G")
    Delivery.objects.filter(recipient=member_a, event__context__listing_title="F").update(read_at=timezone.now())

    assert _lines(member_a) == [
        ("A moderator moved G to: Published.", 1),
        ("A moderator moved F to: Published.", 1),
        ("A moderator moved E to: Published.", 1),
        ("New message from Tekstil A.S. about order 5: Hello", 1),
        ("A moderator moved 2 listings to: Rejected.", 2),
        ("2 listings approved", 2),
    ]


def test_group_texts_are_plural_aware(company_a):
    decided = events.get("listing.decided")
    context = {"to_status": "published", "changes_reviewed": False}
    assert decided.group_summary(1, context) == "1 listing approved"
    assert decided.group_summary(2, context) == "2 listings approved"
    assert decided.group_summary(3, {"changes_reviewed": True, "applied_changes": True}) == (
        "Your changes to 3 listings were approved.")
    assert decided.group_summary(1, {"changes_reviewed": True, "applied_changes": False}) == (
        "Your changes to 1 listing were turned down.")
    assert events.get("message.posted").group_summary(1, {}) == "1 new message"
    assert events.get("message.posted").group_summary(4, {}) == "4 new messages"


def test_messages_group_and_events_without_a_group_text_do_not(company_a, member_a):
    _verification(company_a, "verified")
    _verification(company_a, "suspended")
    _message(company_a, "One")
    _message(company_a, "Two")
    _message(company_a, "Three")

    assert [count for _text, count in _lines(member_a)] == [3, 1, 1]
    assert _lines(member_a)[0][0] == "3 new messages"


def test_the_list_page_shows_a_group_expandable_into_its_notifications(client, company_a, member_a):
    for title in ("A", "B", "C"):
        _decided(company_a, title)
    client.force_login(member_a)

    body = client.get("/notifications/").content.decode()

    newest = Delivery.objects.filter(recipient=member_a, channel=Channel.IN_APP).order_by("-pk").first()
    group = re.search(rf'<li class="notification notification-group notification-unread" '
                      rf'id="notification-group-{newest.pk}">.*?</details>', body, re.S).group(0)
    assert '<summary><span class="notification-text">3 listings approved</span>' in group
    assert re.findall(r'<span class="notification-text">(A moderator[^<]*)</span>', group) == [
        "A moderator moved C to: Published.", "A moderator moved B to: Published.",
        "A moderator moved A to: Published."]
    assert group.count(">Open</button>") == 3 and group.count(">Mark as read</button>") == 3


def test_the_open_button_has_its_own_translation_context(client, company_a, member_a):
    _decided(company_a, "A")
    client.force_login(member_a)
    source = (Path(selectors.__file__).parent / "templates" / "notifications" / "includes"
              / "notification_actions.html").read_text(encoding="utf-8")

    assert '{% translate "Open" context "open the notification" %}' in source
    assert ">Open</button>" in client.get("/notifications/").content.decode()
