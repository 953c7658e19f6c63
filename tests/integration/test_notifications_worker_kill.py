"""1,000 notifications while the worker is killed with SIGKILL again and again.

Every notification is delivered: 1,000 in-app rows, 1,000 e-mail deliveries marked sent once
each, and 1,000 distinct Message-IDs in the mail the worker wrote. A copy of an e-mail can only
be written twice when a worker dies between handing it to the mail backend and committing that it
was sent (nothing can make that hand-over and the commit one step); such a copy carries the same
Message-ID, belongs to a delivery that was claimed again after its claim went stale, and there are
at most as many as there were worker processes killed mid-task."""
from __future__ import annotations

from django.db import transaction

from accounts.models import VerificationStatus
from notifications.models import Channel, Delivery, DeliveryStatus
from notifications.services import notify
from tests.factories.accounts import CompanyFactory, MembershipFactory
from tests.integration.conftest import wait_until
from tests.integration.notifications_support import shared_broker_stack  # noqa: F401 - fixture

NOTIFICATIONS = 1000
BATCH = 50
KILL_AT = (100, 300, 500, 700, 850)
CONCURRENCY = 2


def test_sigkilled_workers_lose_nothing(shared_broker_stack):
    stack = shared_broker_stack
    company = CompanyFactory(legal_name="Kill Test Textiles", verification_status=VerificationStatus.VERIFIED)
    member = MembershipFactory(company=company).user
    for start in range(0, NOTIFICATIONS, BATCH):
        with transaction.atomic():
            for n in range(start, start + BATCH):
                notify(event="listing.decided", company=company, context={
                    "listing_id": n, "listing_title": f"Listing {n:04d}", "decision_id": n,
                    "from_status": "pending_review", "to_status": "published", "reason": "",
                    "changes_reviewed": False, "applied_changes": False})
    emails = Delivery.objects.filter(channel=Channel.EMAIL)
    assert emails.count() == NOTIFICATIONS

    def sent() -> int:
        return emails.filter(status=DeliveryStatus.SENT).count()

    for threshold in KILL_AT:
        wait_until(lambda threshold=threshold: sent() >= threshold, timeout=120, interval=0.05,
                   message=f"fewer than {threshold} e-mails were sent within 120s")
        stack.kill_worker()
        stack.start_worker()
    wait_until(lambda: sent() == NOTIFICATIONS, timeout=180, interval=0.5,
               message=f"only {sent()} of {NOTIFICATIONS} e-mails were sent within 180s of the last kill")
    stack.wait_for_relay_runs(3)

    assert stack.kills == len(KILL_AT)
    assert set(emails.values_list("status", flat=True)) == {DeliveryStatus.SENT}
    in_app = Delivery.objects.filter(channel=Channel.IN_APP, recipient=member)
    assert in_app.count() == NOTIFICATIONS
    assert set(in_app.values_list("status", flat=True)) == {DeliveryStatus.SENT}

    message_ids = stack.message_ids()
    expected = {d.message_id: d for d in emails.select_related("event")}
    assert set(message_ids) == set(expected)  # 1,000 distinct e-mails, none missing, none foreign
    copies = {message_id: count for message_id, count in message_ids.items() if count > 1}
    print(f"\n{stack.kills} kills; {len(copies)} e-mail(s) written twice: {sorted(copies)}")
    assert all(count == 2 for count in copies.values())
    assert all(expected[message_id].attempts >= 2 for message_id in copies)
    assert len(copies) <= stack.kills * CONCURRENCY
