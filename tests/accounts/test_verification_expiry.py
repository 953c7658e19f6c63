"""Verifications expire: verified_until, one reminder before it (claimed, so never sent twice), the
move to expired by the beat task, renewal before expiry, and verifying again after it."""
from __future__ import annotations

import threading
from datetime import datetime, timedelta
from datetime import timezone as dt_timezone

import pytest
from django.core import mail
from django.db import connection

from accounts import services, tasks
from accounts.models import Company, VerificationDecision, VerificationDocument
from accounts.models import VerificationStatus as S
from core.exceptions import ApplicationError
from notifications.models import Channel, Delivery, Event, WebhookEndpoint
from notifications.tasks import delivery_send
from tests.accounts.helpers import assert_unchanged, give_evidence, pdf_bytes

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 6, 1, 9, 0, tzinfo=dt_timezone.utc)


@pytest.fixture
def verified_a(world, time_machine, django_capture_on_commit_callbacks):
    """Company A verified by a moderator on NOW (documents on file), with a webhook subscribed to the
    expiry reminder; the outbox rows of the verification are cleared."""
    time_machine.move_to(NOW, tick=False)
    services.company_verification_submit(company=world.a, actor=world.owner_a)
    services.company_verify(company=world.a, actor=world.moderator)
    WebhookEndpoint.objects.create(company=world.a, url="https://hooks.example/a", secret="whsec_a",
                                   events=["company.verification_expiring", "company.verification_decided"])
    Event.objects.all().delete()
    mail.outbox.clear()
    world.a.refresh_from_db()
    return world


def _expiring_events():
    return list(Event.objects.filter(name="company.verification_expiring").values_list("company_id", "context"))


def test_verifying_sets_verified_until_a_year_ahead(verified_a):
    assert verified_a.a.verified_until == NOW + timedelta(days=365)
    assert verified_a.a.expiry_reminder_sent_for is None


def test_the_valid_days_setting_is_used(world, settings, time_machine):
    settings.VERIFICATION_VALID_DAYS = 90
    time_machine.move_to(NOW, tick=False)
    services.company_verification_submit(company=world.a, actor=world.owner_a)

    company = services.company_verify(company=world.a, actor=world.moderator)

    assert company.verified_until == NOW + timedelta(days=90)


def test_no_reminder_before_the_window(verified_a, time_machine):
    time_machine.move_to(NOW + timedelta(days=365 - 31), tick=False)

    assert tasks.verification_expiry_run() == {"reminded": 0, "expired": 0}
    assert _expiring_events() == []


def test_the_reminder_is_sent_once_even_when_the_task_runs_twice(verified_a, time_machine):
    time_machine.move_to(NOW + timedelta(days=365 - 30), tick=False)
    until = verified_a.a.verified_until

    first = tasks.verification_expiry_run()
    second = tasks.verification_expiry_run()
    time_machine.move_to(NOW + timedelta(days=365 - 2), tick=False)
    later = tasks.verification_expiry_run()

    assert (first, second, later) == ({"reminded": 1, "expired": 0}, {"reminded": 0, "expired": 0},
                                      {"reminded": 0, "expired": 0})
    assert _expiring_events() == [(verified_a.a.pk, {
        "company_id": verified_a.a.pk, "company_name": "Alpha Textiles", "verified_until": until.isoformat(),
        "days_left": 30})]
    assert Company.objects.get(pk=verified_a.a.pk).expiry_reminder_sent_for == until
    deliveries = list(Delivery.objects.filter(event__name="company.verification_expiring").values_list(
        "channel", "recipient_id", "endpoint__url"))
    assert len(deliveries) == 5
    assert set(deliveries) == {
        (Channel.EMAIL, verified_a.owner_a.pk, None), (Channel.EMAIL, verified_a.staff_a.pk, None),
        (Channel.IN_APP, verified_a.owner_a.pk, None), (Channel.IN_APP, verified_a.staff_a.pk, None),
        ("webhook", None, "https://hooks.example/a")}


def test_the_reminder_claim_is_a_conditional_update(verified_a, time_machine):
    """A second runner that read the company as due before the first claimed it sends nothing."""
    time_machine.move_to(NOW + timedelta(days=340), tick=False)
    Company.objects.filter(pk=verified_a.a.pk).update(expiry_reminder_sent_for=verified_a.a.verified_until)

    assert services.verification_expiry_remind(company_id=verified_a.a.pk) is False
    assert _expiring_events() == []


def test_the_reminder_e_mail_names_the_date(verified_a, time_machine, django_capture_on_commit_callbacks):
    time_machine.move_to(NOW + timedelta(days=340), tick=False)
    tasks.verification_expiry_run()
    email = Delivery.objects.get(event__name="company.verification_expiring", channel=Channel.EMAIL,
                                 recipient=verified_a.owner_a)

    assert delivery_send(email.pk) == "sent"

    assert [m.subject for m in mail.outbox] == ["Alpha Textiles: verification expires soon"]
    assert "The verification of Alpha Textiles expires on June 1, 2027." in mail.outbox[0].body


def test_expiry_moves_the_company_to_expired_as_a_move_of_the_system(verified_a, time_machine):
    document_ids = sorted(VerificationDocument.objects.filter(company=verified_a.a).values_list("pk", flat=True))
    time_machine.move_to(NOW + timedelta(days=365, seconds=1), tick=False)

    first = tasks.verification_expiry_run()
    second = tasks.verification_expiry_run()

    assert (first, second) == ({"reminded": 0, "expired": 1}, {"reminded": 0, "expired": 0})
    company = Company.objects.get(pk=verified_a.a.pk)
    assert (company.verification_status, company.is_verified, company.can_publish_listings) == (
        S.EXPIRED, False, False)
    decision = VerificationDecision.objects.get(to_status=S.EXPIRED)
    assert (decision.actor, decision.from_status, decision.reason, list(decision.documents.all())) == (
        None, S.VERIFIED, "The verification period ended.", [])
    assert list(Event.objects.values_list("name", "context__to_status")) == [
        ("company.verification_decided", "expired")]
    assert sorted(VerificationDocument.objects.filter(company=company).values_list("pk", flat=True)) == document_ids


def test_an_expired_company_shows_the_system_as_the_decider(verified_a, time_machine, as_user):
    time_machine.move_to(NOW + timedelta(days=366), tick=False)
    tasks.verification_expiry_run()

    history = as_user(verified_a.owner_a).get(f"/api/v1/companies/{verified_a.a.pk}/verification-history/").json()

    assert [(r["from_status"], r["to_status"], r["actor_email"]) for r in history["results"]][0] == (
        "verified", "expired", None)


def test_an_expired_company_asks_again_with_new_documents(verified_a, time_machine, as_user):
    time_machine.move_to(NOW + timedelta(days=366), tick=False)
    tasks.verification_expiry_run()
    client = as_user(verified_a.owner_a)
    upload = client.post(f"/api/v1/companies/{verified_a.a.pk}/documents/", {
        "kind": "registration_certificate", "file": _pdf("renewed.pdf")}, format="multipart")

    response = client.post(f"/api/v1/companies/{verified_a.a.pk}/submit-verification/", {}, format="json")
    services.company_verify(company=verified_a.a, actor=verified_a.moderator)

    assert (upload.status_code, response.status_code, response.json()["verification_status"]) == (
        201, 200, S.PENDING)
    company = Company.objects.get(pk=verified_a.a.pk)
    assert (company.verification_status, company.verified_until) == (S.VERIFIED, NOW + timedelta(days=366 + 365))
    decision = VerificationDecision.objects.filter(to_status=S.VERIFIED).first()
    assert upload.json()["id"] in decision.documents.values_list("pk", flat=True)


def _pdf(name: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, pdf_bytes(), content_type="application/pdf")


# --- renewal before expiry ----------------------------------------------------------------------------

def test_a_renewal_keeps_the_badge_and_an_approval_extends_the_verification(verified_a, time_machine):
    time_machine.move_to(NOW + timedelta(days=340), tick=False)
    tasks.verification_expiry_run()  # the reminder of this period

    asked = services.company_verification_submit(company=verified_a.a, actor=verified_a.staff_a)
    assert (asked.verification_status, asked.renewal_requested_at) == (S.VERIFIED, NOW + timedelta(days=340))

    renewed = services.company_verify(company=verified_a.a, actor=verified_a.moderator, reason="New extract")

    assert (renewed.verification_status, renewed.verified_until, renewed.renewal_requested_at) == (
        S.VERIFIED, NOW + timedelta(days=340 + 365), None)
    decision = VerificationDecision.objects.first()
    assert (decision.from_status, decision.to_status, decision.actor, decision.reason) == (
        S.VERIFIED, S.VERIFIED, verified_a.moderator, "New extract")
    assert decision.documents.count() == 1
    # the new period gets its own reminder, once
    time_machine.move_to(NOW + timedelta(days=340 + 340), tick=False)
    assert tasks.verification_expiry_run() == {"reminded": 1, "expired": 0}
    assert tasks.verification_expiry_run() == {"reminded": 0, "expired": 0}
    assert len(_expiring_events()) == 2


def test_a_refused_renewal_leaves_the_current_verification_to_run_out(verified_a, time_machine):
    time_machine.move_to(NOW + timedelta(days=340), tick=False)
    services.company_verification_submit(company=verified_a.a, actor=verified_a.owner_a)

    with pytest.raises(ApplicationError) as missing_reason:
        services.company_reject(company=verified_a.a, actor=verified_a.moderator, reason=" ")
    refused = services.company_reject(company=verified_a.a, actor=verified_a.moderator, reason="Expired extract")

    assert missing_reason.value.fields == {"reason": ["This field is required."]}
    assert (refused.verification_status, refused.verified_until, refused.renewal_requested_at) == (
        S.VERIFIED, NOW + timedelta(days=365), None)
    assert list(VerificationDecision.objects.values_list("from_status", "to_status", "reason"))[0] == (
        S.VERIFIED, S.VERIFIED, "Expired extract")
    time_machine.move_to(NOW + timedelta(days=366), tick=False)
    assert tasks.verification_expiry_run()["expired"] == 1


def test_verify_on_a_verified_company_without_a_renewal_request_is_refused(verified_a):
    with assert_unchanged(), pytest.raises(ApplicationError) as excinfo:
        services.company_verify(company=verified_a.a, actor=verified_a.moderator)

    assert (excinfo.value.status_code, excinfo.value.code) == (409, "invalid_transition")


def test_a_renewal_request_needs_the_evidence_too(verified_a):
    VerificationDocument.objects.filter(company=verified_a.a).update(kind="other")

    with assert_unchanged(), pytest.raises(ApplicationError) as excinfo:
        services.company_verification_submit(company=verified_a.a, actor=verified_a.owner_a)

    assert excinfo.value.fields == {
        "documents": ["Upload the company's registration certificate before asking for verification."]}


def test_a_reinstated_company_keeps_the_period_its_suspension_interrupted(verified_a, time_machine):
    time_machine.move_to(NOW + timedelta(days=100), tick=False)
    services.company_suspend(company=verified_a.a, actor=verified_a.moderator, reason="Fraud report")
    time_machine.move_to(NOW + timedelta(days=120), tick=False)

    reinstated = services.company_reinstate(company=verified_a.a, actor=verified_a.moderator)

    assert reinstated.verified_until == NOW + timedelta(days=365)


def test_a_company_renewed_after_the_scan_read_it_does_not_expire(verified_a, time_machine):
    """The expiry is checked again under the row lock: a renewal that landed meanwhile wins."""
    time_machine.move_to(NOW + timedelta(days=366), tick=False)
    Company.objects.filter(pk=verified_a.a.pk).update(verified_until=NOW + timedelta(days=700))

    assert services.verification_expire(company_id=verified_a.a.pk) is False
    assert Company.objects.get(pk=verified_a.a.pk).verification_status == S.VERIFIED


def test_expired_sellers_listings_stay_but_new_ones_cannot_be_published(verified_a, time_machine):
    from marketplace.models import ListingStatus
    from tests.factories.marketplace import ListingFactory

    listing = ListingFactory(seller=verified_a.a, status=ListingStatus.PUBLISHED)
    time_machine.move_to(NOW + timedelta(days=366), tick=False)
    tasks.verification_expiry_run()

    from marketplace.selectors import listing_public_queryset

    company = Company.objects.get(pk=verified_a.a.pk)
    assert (company.is_verified, company.can_publish_listings) == (False, False)
    assert list(listing_public_queryset().filter(seller=company).values_list("pk", flat=True)) == [listing.pk]


def test_an_expired_company_s_profile_stays_public_without_the_badge(verified_a, time_machine, as_user, client):
    time_machine.move_to(NOW + timedelta(days=366), tick=False)
    tasks.verification_expiry_run()

    api = as_user(None).get(f"/api/v1/companies/{verified_a.a.pk}/")
    page = client.get(f"/companies/{verified_a.a.pk}/")

    assert (api.status_code, api.json()["verification_status"]) == (200, "expired")
    assert page.status_code == 200
    assert '<span class="badge badge-expired">Verification expired</span>' in page.content.decode()
    assert 'badge-verified' not in page.content.decode()


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs row locks (PostgreSQL)")
def test_two_parallel_runs_send_one_reminder(world, settings):
    """Two beats at once: the conditional UPDATE lets one of them claim the reminder."""
    from django.db import connections

    give_evidence(world.b, tax_number="91110000600037341L")
    until = NOW + timedelta(days=10)
    Company.objects.filter(pk=world.b.pk).update(verification_status=S.VERIFIED, verified_until=until,
                                                 registration_number="91110000600037341L")
    results = []
    barrier = threading.Barrier(2)

    def run():
        try:
            barrier.wait(timeout=5)
            results.append(services.verification_expiry_remind(company_id=world.b.pk, now=NOW))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(results) == [False, True]
    assert Event.objects.filter(name="company.verification_expiring").count() == 1


def test_the_migration_gives_companies_verified_before_a_deadline(world, settings, time_machine):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("accounts.migrations.0008_verified_until_for_existing")
    settings.VERIFICATION_VALID_DAYS = 200
    time_machine.move_to(NOW, tick=False)
    Company.objects.filter(pk=world.b.pk).update(verification_status=S.VERIFIED, verified_until=None)
    kept = NOW + timedelta(days=3)
    Company.objects.filter(pk=world.a.pk).update(verification_status=S.VERIFIED, verified_until=kept)
    pending = give_evidence(Company.objects.create(legal_name="Gamma Foods", country="TR", registration_number="G-1",
                                                   address="Somewhere 1", default_currency="TRY", kind="buyer",
                                                   verification_status=S.PENDING))

    migration.verified_until_set(apps, None)

    assert dict(Company.objects.values_list("pk", "verified_until")) == {
        world.b.pk: NOW + timedelta(days=200), world.a.pk: kept, pending.pk: None}
