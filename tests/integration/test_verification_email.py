"""A moderator's verification decision reaches the company's members through a real Celery worker:
notify() writes one outbox row per member, the relay queues them and the worker sends them."""
from django.db import transaction

from accounts import services
from accounts.models import MembershipRole, VerificationDecision, VerificationStatus
from notifications.models import Channel, Delivery, DeliveryStatus
from notifications.tasks import delivery_send
from tests.factories.accounts import CompanyFactory, MembershipFactory, ModeratorFactory
from tests.integration.conftest import read_mail

TASK = "notifications.tasks.delivery_send"


def _pending_company(legal_name: str):
    company = CompanyFactory(legal_name=legal_name, verification_status=VerificationStatus.PENDING)
    owner = MembershipFactory(company=company, role=MembershipRole.OWNER).user
    staff = MembershipFactory(company=company, role=MembershipRole.STAFF).user
    MembershipFactory(company=company, role=MembershipRole.STAFF, user__is_active=False)
    return company, {owner.email, staff.email}


def _messages(worker):
    return [message for _path, messages in read_mail(worker.mail_dir) for message in messages]


def test_verification_email_is_sent_exactly_once_even_when_the_task_is_delivered_twice(celery_worker_process):
    worker = celery_worker_process
    company, member_emails = _pending_company("Anatolia Looms Ltd")
    moderator = ModeratorFactory()

    services.company_verify(company=company, actor=moderator)

    worker.wait_for_mail_files(2)
    runs = worker.wait_for_runs(TASK, 2)
    assert [(outcome, rest.rsplit(": ", 1)[-1]) for _id, outcome, rest in runs] == [("succeeded", "'sent'")] * 2
    decision = VerificationDecision.objects.get(company=company)
    assert (decision.from_status, decision.to_status) == (VerificationStatus.PENDING, VerificationStatus.VERIFIED)
    assert decision.email_sent_at is not None
    sent_at = decision.email_sent_at
    delivery = Delivery.objects.filter(event__company=company, channel=Channel.EMAIL).first()

    duplicate = delivery_send.delay(delivery.pk)
    outcome, rest = worker.wait_for_task(TASK, duplicate.id)
    worker.wait_until_drained()

    assert (outcome, rest.rsplit(": ", 1)[-1]) == ("succeeded", "'already_sent'")
    assert worker.received(TASK)[-1] == duplicate.id
    assert len(worker.received(TASK)) == 3
    messages = _messages(worker)
    assert len(messages) == 2
    assert sorted(len(m["To"].addresses) for m in messages) == [1, 1]
    assert {m["To"].addresses[0].addr_spec for m in messages} == member_emails
    assert {m["Subject"] for m in messages} == {"Anatolia Looms Ltd: verification Verified"}
    assert set(Delivery.objects.filter(event__company=company, channel=Channel.EMAIL)
               .values_list("status", flat=True)) == {DeliveryStatus.SENT}
    decision.refresh_from_db()
    assert decision.email_sent_at == sent_at
    company.refresh_from_db()
    assert company.verification_status == VerificationStatus.VERIFIED


def test_verification_rolled_back_queues_nothing(celery_worker_process):
    worker = celery_worker_process
    rolled_back, _rolled_back_emails = _pending_company("Rolled Back Trading Ltd")
    committed, committed_emails = _pending_company("Committed Trading Ltd")
    moderator = ModeratorFactory()

    with transaction.atomic():
        services.company_verify(company=rolled_back, actor=moderator)
        transaction.set_rollback(True)
    assert worker.queued() == 0

    # A decision committed afterwards goes through the same queue; once the worker has sent it,
    # anything the rolled-back decision had queued would have been processed too.
    services.company_verify(company=committed, actor=moderator)
    worker.wait_for_mail_files(2)
    worker.wait_for_runs(TASK, 2)
    worker.wait_until_drained()

    assert len(worker.received(TASK)) == 2
    messages = _messages(worker)
    assert {m["To"].addresses[0].addr_spec for m in messages} == committed_emails
    assert {m["Subject"] for m in messages} == {"Committed Trading Ltd: verification Verified"}
    rolled_back.refresh_from_db()
    assert rolled_back.verification_status == VerificationStatus.PENDING
    assert rolled_back.verification_changed_at is None
    assert not VerificationDecision.objects.filter(company=rolled_back).exists()
    assert not Delivery.objects.filter(event__company=rolled_back).exists()
