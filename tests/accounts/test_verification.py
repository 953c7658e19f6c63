"""Company verification: the transition table, the API moves, the decision log and the e-mail."""
from __future__ import annotations

import itertools

import pytest
from django.core import mail
from django.db import transaction

from accounts import services
from accounts.models import Company, VerificationDecision
from accounts.models import VerificationStatus as S
from accounts.verification import MEMBER, MODERATOR, SYSTEM, VERIFICATION
from core.exceptions import ApplicationError
from core.statemachine import MoveNotAllowed, ReasonRequired
from notifications.models import Channel, Delivery, DeliveryStatus
from notifications.tasks import delivery_send
from tests.accounts.helpers import assert_unchanged, give_evidence, set_status
from tests.core.helpers import assert_error
from tests.factories.accounts import MembershipFactory

STATUSES = list(S.values)

# The whole table, written out: (from, to) -> who may make the move, and whether it needs a reason.
ALLOWED = {
    (S.UNVERIFIED, S.PENDING): (MEMBER, False),
    (S.REJECTED, S.PENDING): (MEMBER, False),
    (S.PENDING, S.VERIFIED): (MODERATOR, False),
    (S.PENDING, S.REJECTED): (MODERATOR, True),
    (S.VERIFIED, S.SUSPENDED): (MODERATOR, True),
    (S.SUSPENDED, S.VERIFIED): (MODERATOR, False),
    (S.VERIFIED, S.VERIFIED): (MODERATOR, False),  # a renewal request approved or refused
    (S.VERIFIED, S.EXPIRED): (SYSTEM, False),
    (S.EXPIRED, S.PENDING): (MEMBER, False),
}


# --- the table itself (pure) -----------------------------------------------------------------------

@pytest.mark.parametrize(("from_status", "to_status", "role"), [
    pytest.param(f, t, r, id=f"{f}->{t} by {r}") for f, t, r in itertools.product(STATUSES, STATUSES,
                                                                                   [MEMBER, MODERATOR, SYSTEM])])
def test_transition_table(from_status, to_status, role):
    allowed = ALLOWED.get((from_status, to_status))
    if allowed is not None and allowed[0] == role:
        move = VERIFICATION.check(from_status=from_status, to_status=to_status, role=role, reason="Because.")
        assert (move.who, move.reason_required) == allowed
    else:
        with pytest.raises(MoveNotAllowed) as excinfo:
            VERIFICATION.check(from_status=from_status, to_status=to_status, role=role, reason="Because.")
        assert type(excinfo.value) is MoveNotAllowed
        if allowed is None:
            assert str(excinfo.value) == f"A company cannot go from {from_status} to {to_status}."
        else:
            assert str(excinfo.value) == (
                f"Only a {allowed[0]} can move a company from {from_status} to {to_status}.")


def test_table_holds_exactly_the_allowed_moves():
    assert {key: (move.who, move.reason_required) for key, move in VERIFICATION.moves.items()} == ALLOWED


@pytest.mark.parametrize(("from_status", "to_status"), [(S.PENDING, S.REJECTED), (S.VERIFIED, S.SUSPENDED)])
@pytest.mark.parametrize("reason", ["", "   \n\t"])
def test_moves_that_need_a_reason_refuse_a_blank_one(from_status, to_status, reason):
    with pytest.raises(ReasonRequired) as excinfo:
        VERIFICATION.check(from_status=from_status, to_status=to_status, role=MODERATOR, reason=reason)
    assert str(excinfo.value) == "A reason is required for this decision."


def test_targets_lists_the_next_states_per_role():
    assert VERIFICATION.targets(S.UNVERIFIED, MEMBER) == [S.PENDING]
    assert VERIFICATION.targets(S.UNVERIFIED, MODERATOR) == []
    assert VERIFICATION.targets(S.PENDING, MODERATOR) == [S.VERIFIED, S.REJECTED]
    assert VERIFICATION.targets(S.PENDING, MEMBER) == []
    assert VERIFICATION.targets(S.VERIFIED, MODERATOR) == [S.SUSPENDED, S.VERIFIED]
    assert VERIFICATION.targets(S.VERIFIED, SYSTEM) == [S.EXPIRED]
    assert VERIFICATION.targets(S.EXPIRED, MEMBER) == [S.PENDING]
    assert VERIFICATION.targets(S.SUSPENDED, MODERATOR) == [S.VERIFIED]
    assert VERIFICATION.targets(S.REJECTED, MEMBER) == [S.PENDING]


# --- the moves through the API -----------------------------------------------------------------------

# action -> (who calls it, the state it leads to)
ACTIONS = {
    "submit-verification": ("owner_a", S.PENDING),
    "verify": ("moderator", S.VERIFIED),
    "reject": ("moderator", S.REJECTED),
    "suspend": ("moderator", S.SUSPENDED),
    "reinstate": ("moderator", S.VERIFIED),
}

# from-state x action: 200 when the move happens, 409 when the table forbids it. A verified company's
# request is a renewal (tests/accounts/test_verification_expiry.py): it stays verified; verify and
# reject on a verified company without a renewal request are 409.
OUTCOMES = [
    # from          submit  verify  reject  suspend reinstate
    (S.UNVERIFIED,  200,    409,    409,    409,    409),
    (S.PENDING,     409,    200,    200,    409,    409),
    (S.VERIFIED,    "renewal", 409, 409,    200,    409),
    (S.REJECTED,    200,    409,    409,    409,    409),
    (S.SUSPENDED,   409,    200,    409,    409,    200),
    (S.EXPIRED,     200,    409,    409,    409,    409),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("from_status", "action", "expected"), [
    pytest.param(from_status, action, code, id=f"{from_status} {action}")
    for from_status, *codes in OUTCOMES for action, code in zip(ACTIONS, codes, strict=True)])
def test_api_moves(world, api_client, django_capture_on_commit_callbacks, from_status, action, expected):
    role, to_status = ACTIONS[action]
    actor = getattr(world, role)
    set_status(world.a, from_status)
    api_client.force_authenticate(user=actor)
    body = {} if action == "submit-verification" else {"reason": "  Checked the registry.  "}
    reason = "" if action == "submit-verification" else "Checked the registry."

    if expected == 409:
        with assert_unchanged(), django_capture_on_commit_callbacks(execute=True) as callbacks:
            response = api_client.post(f"/api/v1/companies/{world.a.pk}/{action}/", body, format="json")
        if action == "reinstate":
            message = "Only a suspended company can be reinstated."
        elif from_status == S.VERIFIED and action in ("verify", "reject"):
            message = "This company has no renewal request waiting for review."
        else:
            message = f"A company cannot go from {from_status} to {to_status}."
        assert_error(response, 409, "invalid_transition", message=message)
        assert (callbacks, mail.outbox) == ([], [])
        return

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = api_client.post(f"/api/v1/companies/{world.a.pk}/{action}/", body, format="json")

    assert response.status_code == 200
    world.a.refresh_from_db()
    if expected == "renewal":
        assert (world.a.verification_status, response.json()["renewal_requested_at"] is not None) == (
            S.VERIFIED, True)
        assert (VerificationDecision.objects.count(), mail.outbox) == (0, [])
        return
    decision = VerificationDecision.objects.get()
    assert (decision.company, decision.actor, decision.from_status, decision.to_status, decision.reason) == (
        world.a, actor, from_status, to_status, reason)
    assert (world.a.verification_status, world.a.verification_reason, world.a.verification_changed_at) == (
        to_status, reason, decision.created_at)
    assert response.json()["verification_status"] == to_status
    if role == "moderator":
        assert len(callbacks) == 1
        # One e-mail to each member, in their own language (the outbox has one row per recipient).
        assert [m.to for m in mail.outbox] == [[world.owner_a.email], [world.staff_a.email]]
        decision.refresh_from_db()
        assert decision.email_sent_at is not None
    else:
        assert (callbacks, mail.outbox) == ([], [])


@pytest.mark.django_db
@pytest.mark.parametrize(("action", "from_status"), [("reject", S.PENDING), ("suspend", S.VERIFIED)])
@pytest.mark.parametrize("body", [{}, {"reason": ""}, {"reason": "   "}])
def test_reject_and_suspend_need_a_reason(world, api_client, action, from_status, body):
    set_status(world.a, from_status)
    api_client.force_authenticate(user=world.moderator)

    with assert_unchanged():
        response = api_client.post(f"/api/v1/companies/{world.a.pk}/{action}/", body, format="json")

    assert_error(response, 400, "validation_error", message="A reason is required for this decision.",
                 fields={"reason": ["This field is required."]})
    world.a.refresh_from_db()
    assert world.a.verification_status == from_status


@pytest.mark.django_db
def test_a_second_renewal_request_while_one_waits_is_refused(world, api_client):
    set_status(world.a, S.VERIFIED)
    api_client.force_authenticate(user=world.owner_a)
    first = api_client.post(f"/api/v1/companies/{world.a.pk}/submit-verification/", {}, format="json")

    with assert_unchanged():
        response = api_client.post(f"/api/v1/companies/{world.a.pk}/submit-verification/", {}, format="json")

    assert (first.status_code, first.json()["verification_status"]) == (200, S.VERIFIED)
    assert_error(response, 409, "invalid_transition",
                 message="A renewal request of this company already waits for review.")


@pytest.mark.django_db
def test_reason_longer_than_the_limit_is_refused(world, api_client):
    set_status(world.a, S.PENDING)
    api_client.force_authenticate(user=world.moderator)

    with assert_unchanged():
        response = api_client.post(f"/api/v1/companies/{world.a.pk}/reject/", {"reason": "x" * 2001}, format="json")

    assert_error(response, 400, "validation_error",
                 fields={"reason": ["Ensure this field has no more than 2000 characters."]})


@pytest.mark.django_db
def test_full_history_is_kept_newest_first(world, api_client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.company_verification_submit(company=world.a, actor=world.owner_a)
        services.company_reject(company=world.a, actor=world.moderator, reason="Blurry extract")
        services.company_verification_submit(company=world.a, actor=world.staff_a)
        services.company_verify(company=world.a, actor=world.admin)
        services.company_suspend(company=world.a, actor=world.moderator, reason="Complaints")
        services.company_reinstate(company=world.a, actor=world.admin, reason="Resolved")
    api_client.force_authenticate(user=world.owner_a)

    response = api_client.get(f"/api/v1/companies/{world.a.pk}/verification-history/")

    assert response.status_code == 200
    assert [(r["from_status"], r["to_status"], r["reason"], r["actor_email"]) for r in response.json()["results"]] == [
        (S.SUSPENDED, S.VERIFIED, "Resolved", world.admin.email),
        (S.VERIFIED, S.SUSPENDED, "Complaints", world.moderator.email),
        (S.PENDING, S.VERIFIED, "", world.admin.email),
        (S.REJECTED, S.PENDING, "", world.staff_a.email),
        (S.PENDING, S.REJECTED, "Blurry extract", world.moderator.email),
        (S.UNVERIFIED, S.PENDING, "", world.owner_a.email),
    ]
    # Four moderator decisions, one e-mail each to the two members; the two requests by members sent none.
    assert [(m.subject, m.to) for m in mail.outbox] == [
        (f"Alpha Textiles: verification {status}", [member.email])
        for status in ("Rejected", "Verified", "Suspended", "Verified")
        for member in (world.owner_a, world.staff_a)
    ]


# --- services directly ----------------------------------------------------------------------------

@pytest.mark.django_db
def test_reinstate_checks_the_locked_row_not_a_stale_copy(world):
    set_status(world.a, S.PENDING)
    stale = Company.objects.get(pk=world.a.pk)
    stale.verification_status = S.SUSPENDED

    with assert_unchanged(), pytest.raises(ApplicationError) as excinfo:
        services.company_reinstate(company=stale, actor=world.moderator)

    assert (excinfo.value.status_code, excinfo.value.code, excinfo.value.message) == (
        409, "invalid_transition", "Only a suspended company can be reinstated.")
    world.a.refresh_from_db()
    assert world.a.verification_status == S.PENDING


@pytest.mark.django_db
def test_moderator_cannot_submit_for_a_company_they_are_not_in(world):
    with assert_unchanged(), pytest.raises(ApplicationError) as excinfo:
        services.company_verification_submit(company=world.a, actor=world.moderator)

    assert (excinfo.value.status_code, excinfo.value.message) == (
        403, "Only a member of this company can ask for verification.")


# --- the e-mail ----------------------------------------------------------------------------------

@pytest.mark.django_db
def test_moderator_decision_queues_exactly_one_email(world, django_capture_on_commit_callbacks):
    set_status(world.a, S.PENDING)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.company_reject(company=world.a, actor=world.moderator, reason="Registry extract is missing")

    assert len(callbacks) == 1
    # Exactly one e-mail per member.
    assert [m.to for m in mail.outbox] == [[world.owner_a.email], [world.staff_a.email]]
    for message in mail.outbox:
        assert message.subject == "Alpha Textiles: verification Rejected"
        assert "The verification status of Alpha Textiles is now: Rejected." in message.body
        assert "Reason: Registry extract is missing" in message.body
        assert message.alternatives[0].mimetype == "text/html"


@pytest.mark.django_db
def test_member_submit_sends_no_email(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.company_verification_submit(company=world.a, actor=world.owner_a)

    assert callbacks == []
    assert mail.outbox == []
    assert VerificationDecision.objects.get().to_status == S.PENDING


@pytest.mark.django_db
def test_decision_inside_a_rolled_back_savepoint_queues_nothing(world, django_capture_on_commit_callbacks):
    set_status(world.a, S.PENDING)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            services.company_verify(company=world.a, actor=world.moderator)
            raise RuntimeError("something later in the same transaction failed")

    assert callbacks == []
    assert mail.outbox == []
    world.a.refresh_from_db()
    assert world.a.verification_status == S.PENDING
    assert VerificationDecision.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_rolled_back_transaction_sends_nothing_and_a_committed_one_sends_one(company_a, member_a, moderator):
    set_status(company_a, S.PENDING)

    with pytest.raises(RuntimeError), transaction.atomic():
        services.company_verify(company=company_a, actor=moderator)
        raise RuntimeError("rolled back")

    assert mail.outbox == []
    company_a.refresh_from_db()
    assert company_a.verification_status == S.PENDING
    assert VerificationDecision.objects.count() == 0

    services.company_verify(company=company_a, actor=moderator)

    assert [m.to for m in mail.outbox] == [[member_a.email]]
    assert VerificationDecision.objects.get().email_sent_at is not None


def _email_deliveries(decision) -> list[Delivery]:
    return list(Delivery.objects.filter(event__name="company.verification_decided", channel=Channel.EMAIL,
                                        event__context__decision_id=decision.pk).order_by("pk"))


@pytest.mark.django_db
def test_email_task_is_idempotent(world):
    set_status(world.a, S.PENDING)
    services.company_verify(company=world.a, actor=world.moderator)  # on-commit hook never runs here
    decision = VerificationDecision.objects.get()
    owner_delivery, staff_delivery = _email_deliveries(decision)
    assert (mail.outbox, decision.email_sent_at) == ([], None)

    first = delivery_send(owner_delivery.pk)
    decision.refresh_from_db()
    sent_at = decision.email_sent_at
    second = delivery_send(owner_delivery.pk)

    assert (first, second) == ("sent", "already_sent")
    assert [m.to for m in mail.outbox] == [[world.owner_a.email]]
    decision.refresh_from_db()
    assert decision.email_sent_at == sent_at is not None
    assert delivery_send(staff_delivery.pk) == "sent"
    assert [m.to for m in mail.outbox] == [[world.owner_a.email], [world.staff_a.email]]
    decision.refresh_from_db()
    assert decision.email_sent_at == sent_at


@pytest.mark.django_db
def test_email_task_for_a_missing_decision_does_nothing(world):
    set_status(world.a, S.PENDING)
    services.company_verify(company=world.a, actor=world.moderator)
    decision = VerificationDecision.objects.get()
    deliveries = _email_deliveries(decision)
    decision.delete()

    assert [delivery_send(d.pk) for d in deliveries] == ["cancelled", "cancelled"]
    assert delivery_send(987654) == "missing"

    assert mail.outbox == []
    assert [d.status for d in Delivery.objects.filter(pk__in=[d.pk for d in deliveries])] == [
        DeliveryStatus.CANCELLED, DeliveryStatus.CANCELLED]


@pytest.mark.django_db
def test_email_task_skips_inactive_members(world):
    set_status(world.a, S.PENDING)
    world.staff_a.is_active = False
    world.staff_a.save(update_fields=["is_active"])
    services.company_verify(company=world.a, actor=world.moderator)

    [delivery] = _email_deliveries(VerificationDecision.objects.get())
    assert delivery_send(delivery.pk) == "sent"

    assert [m.to for m in mail.outbox] == [[world.owner_a.email]]


@pytest.mark.django_db
def test_email_task_skips_a_member_deactivated_before_sending(world):
    set_status(world.a, S.PENDING)
    services.company_verify(company=world.a, actor=world.moderator)
    world.staff_a.is_active = False
    world.staff_a.save(update_fields=["is_active"])

    assert [delivery_send(d.pk) for d in _email_deliveries(VerificationDecision.objects.get())] == [
        "sent", "cancelled"]

    assert [m.to for m in mail.outbox] == [[world.owner_a.email]]


@pytest.mark.django_db
def test_moderation_queue_is_oldest_request_first(world, api_client, time_machine):
    c = give_evidence(Company.objects.create(legal_name="Gamma Foods", country="TR", registration_number="G-1",
                                             address="Somewhere 1", default_currency="TRY", kind="buyer"))
    owner_c = MembershipFactory(company=c).user
    time_machine.move_to("2026-03-01 09:00:00+00:00", tick=False)
    services.company_verification_submit(company=c, actor=owner_c)
    time_machine.move_to("2026-03-01 10:00:00+00:00", tick=False)
    services.company_verification_submit(company=world.a, actor=world.owner_a)
    api_client.force_authenticate(user=world.moderator)

    response = api_client.get("/api/v1/moderation/companies/")

    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [c.pk, world.a.pk]
