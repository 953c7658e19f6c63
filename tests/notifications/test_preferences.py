"""Preferences: each person chooses channels per event; mandatory events cannot be switched off."""
from __future__ import annotations

import pytest
from pytest_django.asserts import assertContains, assertRedirects

from notifications.models import Delivery, NotificationPreference
from notifications.services import notify, preference_set
from tests.core.helpers import assert_error

pytestmark = pytest.mark.django_db

API = "/api/v1/notifications/preferences/"
VERIFICATION = {"company_id": 1, "company_name": "Alpha Textiles", "decision_id": 0, "from_status": "pending",
                "to_status": "verified", "reason": ""}


def _rows(event: str) -> list[tuple[str, int]]:
    return sorted(Delivery.objects.filter(event__name=event).values_list("channel", "recipient_id"))


def test_defaults_then_my_choice(company_a, member_a, staff_a):
    preference_set(user=member_a, event="company.verification_decided", channel="email", enabled=False)

    notify(event="company.verification_decided", company=company_a, context=VERIFICATION)

    assert _rows("company.verification_decided") == sorted([
        ("in_app", member_a.pk), ("email", staff_a.pk), ("in_app", staff_a.pk)])


def test_switching_back_on(company_a, member_a):
    preference_set(user=member_a, event="company.verification_decided", channel="in_app", enabled=False)
    preference_set(user=member_a, event="company.verification_decided", channel="in_app", enabled=True)

    notify(event="company.verification_decided", company=company_a, context=VERIFICATION)

    assert _rows("company.verification_decided") == [("email", member_a.pk), ("in_app", member_a.pk)]
    assert NotificationPreference.objects.get().enabled is True


def test_mandatory_events_ignore_stored_choices(company_a, member_a, mandatory_event):
    NotificationPreference.objects.create(user=member_a, event=mandatory_event.name, channel="email", enabled=False)

    notify(event=mandatory_event.name, company=company_a, context={"order": "PO-1"})

    assert _rows(mandatory_event.name) == [("email", member_a.pk), ("in_app", member_a.pk)]


def test_api_lists_what_i_can_choose(as_user, member_a, mandatory_event):
    response = as_user(member_a).get(API)

    assert response.status_code == 200
    shown = ("company.verification_decided", "listing.decided", "order.placed", "test.order_placed")
    assert "listing.reported" not in {row["event"] for row in response.json()}
    assert [row for row in response.json() if row["event"] in shown] == [
        {"event": "company.verification_decided", "label": "A moderator decided on my company's verification",
         "channel": "email", "enabled": True, "mandatory": False},
        {"event": "company.verification_decided", "label": "A moderator decided on my company's verification",
         "channel": "in_app", "enabled": True, "mandatory": False},
        {"event": "listing.decided", "label": "A moderator decided on one of my company's listings",
         "channel": "email", "enabled": True, "mandatory": False},
        {"event": "listing.decided", "label": "A moderator decided on one of my company's listings",
         "channel": "in_app", "enabled": True, "mandatory": False},
        {"event": "order.placed", "label": "A buyer placed an order with my company", "channel": "email",
         "enabled": True, "mandatory": True},
        {"event": "order.placed", "label": "A buyer placed an order with my company", "channel": "in_app",
         "enabled": True, "mandatory": True},
        {"event": "test.order_placed", "label": "An order was placed", "channel": "email", "enabled": True,
         "mandatory": True},
        {"event": "test.order_placed", "label": "An order was placed", "channel": "in_app", "enabled": True,
         "mandatory": True},
    ]


def test_moderators_also_choose_for_reports(as_user, moderator):
    events = [(r["event"], r["channel"]) for r in as_user(moderator).get(API).json()]

    assert ("listing.reported", "in_app") in events
    assert ("listing.reported", "email") in events


def test_api_switches_one_off(as_user, member_a):
    response = as_user(member_a).patch(API, {"event": "listing.decided", "channel": "email", "enabled": False},
                                       format="json")

    assert response.status_code == 200
    assert response.json() == {"event": "listing.decided",
                               "label": "A moderator decided on one of my company's listings",
                               "channel": "email", "enabled": False, "mandatory": False}
    assert list(NotificationPreference.objects.values_list("user_id", "event", "channel", "enabled")) == [
        (member_a.pk, "listing.decided", "email", False)]


@pytest.mark.parametrize(("body", "status", "fields"), [
    ({"event": "test.order_placed", "channel": "email", "enabled": False}, 400,
     {"enabled": ["This notification is mandatory and cannot be switched off."]}),
    ({"event": "company.invite", "channel": "email", "enabled": False}, 400, {"event": ["Unknown event."]}),
    ({"event": "listing.reported", "channel": "in_app", "enabled": False}, 400, {"event": ["Unknown event."]}),
    ({"event": "nope", "channel": "email", "enabled": False}, 400, {"event": ["Unknown event."]}),
    ({"event": "listing.decided", "channel": "webhook", "enabled": False}, 400,
     {"channel": ['"webhook" is not a valid choice.']}),
    ({"event": "listing.decided", "channel": "email"}, 400, {"enabled": ["This field is required."]}),
    ({"event": "listing.decided", "channel": "email", "enabled": False, "user": 1}, 400,
     {"user": ["This field cannot be set."]}),
])
def test_api_refuses(as_user, member_a, mandatory_event, body, status, fields):
    response = as_user(member_a).patch(API, body, format="json")

    assert_error(response, status, "validation_error", fields=fields)
    assert NotificationPreference.objects.count() == 0


def test_switching_a_mandatory_event_on_is_accepted_and_changes_nothing(as_user, member_a, mandatory_event):
    response = as_user(member_a).patch(API, {"event": mandatory_event.name, "channel": "email", "enabled": True},
                                       format="json")

    assert response.status_code == 200
    assert response.json()["mandatory"] is True
    assert NotificationPreference.objects.count() == 0


def test_settings_page_shows_mandatory_events_disabled(client, member_a, mandatory_event):
    client.force_login(member_a)

    response = client.get("/notifications/settings/")

    assertContains(response, '<input type="checkbox" id="pref-test.order_placed-email" name="test.order_placed:email" '
                             'checked disabled>', html=True)
    assertContains(response, '<input type="checkbox" id="pref-listing.decided-email" name="listing.decided:email" '
                             'checked>', html=True)
    assertContains(response, "always sent")


def test_settings_page_saves(client, member_a, mandatory_event):
    client.force_login(member_a)

    response = client.post("/notifications/settings/", {
        "company.verification_decided:email": "on", "listing.decided:in_app": "on"})

    assertRedirects(response, "/notifications/settings/", fetch_redirect_response=False)
    saved = NotificationPreference.objects.filter(user=member_a)
    assert not saved.filter(event__in=["order.placed", "order.status_changed", mandatory_event.name]).exists()
    assert sorted(saved.filter(event__in=["company.verification_decided", "listing.decided"]).values_list(
        "event", "channel", "enabled")) == [
        ("company.verification_decided", "email", True), ("company.verification_decided", "in_app", False),
        ("listing.decided", "email", False), ("listing.decided", "in_app", True)]
