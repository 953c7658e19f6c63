"""Writes for users, companies, memberships, invites, verification and sign-in."""
from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode
from django.utils.translation import gettext as _

from core.exceptions import ApplicationError, Conflict, Forbidden
from core.names import name_skeleton
from core.images import image_reencode
from core.inputs import field_error
from core.queue import enqueue_on_commit
from core.statemachine import MoveNotAllowed, ReasonRequired
from notifications.services import notify

from . import hooks, signin, tasks, tokens
from .documents import display_name, document_extension, document_type
from .models import (
    Company,
    DecisionDocument,
    DocumentKind,
    Invite,
    Membership,
    MembershipRole,
    User,
    VerificationDecision,
    VerificationDocument,
    VerificationStatus,
)
from .events import COMPANY_IDENTITY_CHANGED, COMPANY_IDENTITY_DECIDED, COMPANY_NAME_CONFUSABLE, VERIFICATION_EXPIRING
from .registry_numbers import INVALID, REGISTRATION, company_number_checks, expected_format
from .selectors import is_member, membership_get
from .verification import IDENTITY_FIELDS, IDENTITY_REVIEWED, MEMBER, MODERATOR, RENEWABLE, SYSTEM, VERIFICATION

COMPANY_EDITABLE_FIELDS = (
    "legal_name", "country", "registration_number", "tax_number", "address", "website", "description", "logo",
    "default_currency", "preferred_language", "kind",
)
USER_EDITABLE_FIELDS = ("full_name", "preferred_language")


def _validation_to_fields(exc: ValidationError, unique_together_field: str | None = None) -> dict[str, list[str]]:
    if not hasattr(exc, "error_dict"):
        return {"non_field_errors": [str(m) for m in exc.messages]}
    fields: dict[str, list[str]] = {}
    for field, errors in exc.error_dict.items():
        for error in errors:
            key = field
            if field == NON_FIELD_ERRORS:
                key = (unique_together_field if unique_together_field and error.code == "unique_together"
                       else "non_field_errors")
            fields.setdefault(key, []).extend(str(m) for m in error.messages)
    return fields


def _full_clean(instance, *, exclude: list[str] | None = None, prefix: str = "",
                unique_together_field: str | None = None, validate_constraints: bool = True) -> None:
    """Model validation as one ApplicationError. A duplicate of a unique set of fields is reported
    under `unique_together_field` so the client can show it next to an input."""
    try:
        instance.full_clean(exclude=exclude, validate_constraints=validate_constraints)
    except ValidationError as exc:
        fields = {f"{prefix}{k}": v for k, v in _validation_to_fields(exc, unique_together_field).items()}
        first = next(iter(fields.values()))[0]
        raise ApplicationError(first, code="validation_error", fields=fields) from exc


def _validate_password(password: str, user: User | None, field: str = "password") -> None:
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        raise ApplicationError(exc.messages[0], code="validation_error", fields={field: list(exc.messages)}) from exc


def _require_owner(actor: User, company: Company) -> Membership:
    membership = membership_get(actor=actor, company=company)
    if membership is None or membership.role != MembershipRole.OWNER:
        raise Forbidden(_("Only an owner of this company can do that."))
    return membership


# --- registration and profile -------------------------------------------------------------------

@transaction.atomic
def user_register(*, email: str, password: str, full_name: str, preferred_language: str = "en",
                  company: dict[str, Any], client_ip: str | None = None) -> tuple[User, Company]:
    """Creates a user, their company and the owner membership in one step. Registrations are
    limited per client address."""
    if client_ip:
        _rate_limited(f"register-ip:{client_ip}", settings.REGISTRATION_MAX_PER_ADDRESS,
                      _("Too many registrations from this address. Try again later."))
    email = User.objects.normalize_email(email).lower()
    if User.objects.filter(email__iexact=email).exists():
        raise ApplicationError(_("An account with this e-mail address already exists."), code="validation_error",
                               fields={"email": [_("An account with this e-mail address already exists.")]})
    user = User(email=email, full_name=full_name, preferred_language=preferred_language)
    _validate_password(password, user)
    user.set_password(password)
    _full_clean(user, exclude=["password"])

    unknown = set(company) - set(COMPANY_EDITABLE_FIELDS)
    if unknown:
        raise ApplicationError(_("These fields cannot be set."), code="validation_error",
                               fields={f"company.{name}": [_("This field cannot be set.")] for name in sorted(unknown)})
    if company.get("logo"):
        company = {**company, "logo": image_reencode(company["logo"], field="company.logo")}
    new_company = Company(**company)
    _full_clean(new_company, prefix="company.", unique_together_field="registration_number")
    try:
        with transaction.atomic():
            user.save()
            new_company.save()
    except IntegrityError as exc:
        raise Conflict(_("This account or company is already registered."), fields={
            "email": [_("An account with this e-mail address may already exist.")]}) from exc
    Membership.objects.create(user=user, company=new_company, role=MembershipRole.OWNER)
    enqueue_on_commit(tasks.email_verification_send, user.pk)
    return user, new_company


@transaction.atomic
def user_update(*, user: User, data: dict[str, Any]) -> User:
    locked = User.objects.select_for_update().get(pk=user.pk)
    for field in USER_EDITABLE_FIELDS:
        if field in data:
            setattr(locked, field, data[field])
    _full_clean(locked, exclude=["password"])
    locked.save(update_fields=[f for f in USER_EDITABLE_FIELDS if f in data] or None)
    return locked


def _identity(company: Company) -> dict[str, str]:
    """The identity fields of a company as JSON values (a country is its code)."""
    return {field: str(getattr(company, field)) for field in IDENTITY_FIELDS}


def _flag_confusable(company: Company, *, name: str | None = None) -> Company | None:
    """Flags the company for the moderators when `name` (by default its own legal name) reads like
    the name of another, verified company: `confusable_with` points at that company and the
    moderators are told when the flag is new. A check of the company's own name also clears a flag
    it no longer deserves. Never refuses a name."""
    skeleton = name_skeleton(company.legal_name if name is None else name)
    twin = (Company.objects.filter(name_skeleton=skeleton, verification_status=VerificationStatus.VERIFIED)
            .exclude(pk=company.pk).order_by("pk").first()) if skeleton else None
    if twin is None and name is not None:
        return None  # a name still waiting for review leaves the current flag as it is
    new_flag = twin is not None and company.confusable_with_id != twin.pk
    if company.confusable_with_id != (twin.pk if twin else None):
        company.confusable_with = twin
        Company.objects.filter(pk=company.pk).update(confusable_with=twin)
    if new_flag:
        notify(event=COMPANY_NAME_CONFUSABLE, context={
            "company_id": company.pk, "company_name": company.legal_name if name is None else name,
            "confusable_with_id": twin.pk, "confusable_with_name": twin.legal_name})
    return twin


@transaction.atomic
def company_update(*, company: Company, actor: User, data: dict[str, Any]) -> Company:
    """An owner edits the company profile. Verification fields are never set here.

    The identity fields (accounts/verification.py) of a verified or suspended company are not
    changed here: the new values wait in `pending_changes` for a moderator's decision
    (company_identity_approve / company_identity_reject) and the reviewed identity stays. A name
    that reads like a verified company's is flagged for the moderators, not refused."""
    _require_owner(actor, company)
    unknown = set(data) - set(COMPANY_EDITABLE_FIELDS)
    if unknown:
        raise ApplicationError(_("These fields cannot be set."), code="validation_error",
                               fields={name: [_("This field cannot be set.")] for name in sorted(unknown)})
    if data.get("logo"):
        data = {**data, "logo": image_reencode(data["logo"], field="logo")}
    locked = Company.objects.select_for_update().get(pk=company.pk)
    old_legal_name = locked.legal_name
    reviewed = _identity(locked) if locked.verification_status in IDENTITY_REVIEWED else None
    for field, value in data.items():
        setattr(locked, field, value)
    _full_clean(locked, unique_together_field="registration_number")  # the new identity must be valid too
    held_name = None
    if reviewed is not None:
        asked = _identity(locked)
        waiting = {**(locked.pending_changes or {}), **{f: asked[f] for f in IDENTITY_FIELDS if f in data}}
        waiting = {f: v for f, v in waiting.items() if v != reviewed[f]}
        for field, value in reviewed.items():
            setattr(locked, field, value)
        locked.name_skeleton = name_skeleton(locked.legal_name)
        if waiting != (locked.pending_changes or {}):
            locked.pending_changes = waiting or None
            locked.pending_changes_at = timezone.now() if waiting else None
            if waiting:
                notify(event=COMPANY_IDENTITY_CHANGED, context={
                    "company_id": locked.pk, "company_name": locked.legal_name, "fields": sorted(waiting)})
        held_name = waiting.get("legal_name")
    try:
        with transaction.atomic():
            locked.save()
    except IntegrityError as exc:
        raise Conflict(_("A company with this registration number is already registered in this country."),
                       fields={"registration_number": [_("Already registered in this country.")]}) from exc
    if locked.legal_name != old_legal_name:
        hooks.company_renamed(locked.pk)
        _flag_confusable(locked)
    elif held_name is not None:
        _flag_confusable(locked, name=held_name)
    return locked


# --- verification -------------------------------------------------------------------------------

def _company_transition(*, company_id: int, actor: User | None, to_status: str, reason: str = "",
                        only_from: str | None = None, only_from_message: str = "",
                        on_verified: str | None = None, check=None) -> Company:
    """One move of a company's verification, under the company's row lock, recorded as a decision
    (with the company's documents when a moderator decides) and told to the company when a moderator
    or time made it. `actor` None is a move of the system (an expiry). `on_verified`: what the
    move means when the locked company is verified: "approve" or "refuse" its renewal request (the
    status stays verified). `check(company)` runs under the lock before the move (e.g. the evidence
    a request needs)."""
    with transaction.atomic():
        company = Company.objects.select_for_update().get(pk=company_id)
        if actor is None:
            role = SYSTEM
        else:
            actor_is_member = is_member(actor=actor, company_id=company.pk)
            if to_status == VerificationStatus.PENDING:
                if not actor_is_member:
                    raise Forbidden(_("Only a member of this company can ask for verification."))
                role = MEMBER
            else:
                if not actor.is_moderator:
                    raise Forbidden(_("Only a moderator can decide on a company's verification."))
                if actor_is_member:
                    raise Forbidden(_("A moderator cannot decide on their own company."))
                role = MODERATOR
        from_status = company.verification_status
        if only_from is not None and from_status != only_from:
            raise Conflict(only_from_message, code="invalid_transition")
        renewal = on_verified if from_status == VerificationStatus.VERIFIED else None
        if renewal is not None:
            to_status = VerificationStatus.VERIFIED
        if (from_status == to_status == VerificationStatus.VERIFIED) != (renewal is not None) or (
                renewal is not None and company.renewal_requested_at is None):
            raise Conflict(_("This company has no renewal request waiting for review."), code="invalid_transition")
        try:
            VERIFICATION.check(from_status=from_status, to_status=to_status, role=role, reason=reason)
        except ReasonRequired as exc:
            raise ApplicationError(_("A reason is required for this decision."), code="validation_error",
                                   fields={"reason": [_("This field is required.")]}) from exc
        except MoveNotAllowed as exc:
            raise Conflict(str(exc), code="invalid_transition") from exc
        if renewal == "refuse" and not reason.strip():
            raise ApplicationError(_("A reason is required for this decision."), code="validation_error",
                                   fields={"reason": [_("This field is required.")]})
        if check is not None:
            check(company)
        now = timezone.now()
        fields = ["verification_status", "verification_changed_at", "verification_reason", "updated_at"]
        company.verification_status = to_status
        company.verification_changed_at = now
        company.verification_reason = reason.strip()
        if role == MODERATOR and to_status == VerificationStatus.VERIFIED and renewal != "refuse" and (
                from_status != VerificationStatus.SUSPENDED):
            # A verification (or an approved renewal) runs VERIFICATION_VALID_DAYS from now; a
            # reinstatement keeps the period the suspension interrupted.
            company.verified_until = now + timedelta(days=settings.VERIFICATION_VALID_DAYS)
            fields.append("verified_until")
        if renewal is not None or to_status != VerificationStatus.VERIFIED:
            company.renewal_requested_at = None
            fields.append("renewal_requested_at")
        company.save(update_fields=fields)
        decision = VerificationDecision.objects.create(company=company, actor=actor, from_status=from_status,
                                                       to_status=to_status, reason=reason.strip(), created_at=now)
        if role == MODERATOR:
            DecisionDocument.objects.bulk_create(
                DecisionDocument(decision=decision, document_id=pk)
                for pk in VerificationDocument.objects.filter(company=company).order_by("pk").values_list(
                    "pk", flat=True))
        if role != MEMBER:
            notify(event="company.verification_decided", company=company, context={
                "company_id": company.pk, "company_name": company.legal_name, "decision_id": decision.pk,
                "from_status": from_status, "to_status": to_status, "reason": decision.reason})
    return company


def _require_evidence(company: Company) -> None:
    """What a request for verification (or its renewal) needs: a tax number, registration and tax
    numbers that pass their country's format, and a registration certificate."""
    fields: dict[str, list[str]] = {}
    if not company.tax_number:
        fields["tax_number"] = [_("Enter the company's tax number before asking for verification.")]
    for field, check in company_number_checks(company).items():
        if check.result == INVALID:
            key = "registration_number" if field == REGISTRATION else "tax_number"
            fields.setdefault(key, []).append(expected_format(country=str(company.country), kind=field))
    if not VerificationDocument.objects.filter(company=company,
                                               kind=DocumentKind.REGISTRATION_CERTIFICATE).exists():
        fields["documents"] = [_("Upload the company's registration certificate before asking for verification.")]
    if fields:
        raise ApplicationError(next(iter(fields.values()))[0], code="validation_error", fields=fields)


def company_verification_submit(*, company: Company, actor: User) -> Company:
    """A member asks for verification, with the evidence it needs (_require_evidence). A verified
    company asks to renew: it stays verified while the request waits. A name that reads like a
    verified company's is flagged for the moderator who decides."""
    with transaction.atomic():
        locked = Company.objects.select_for_update().get(pk=company.pk)
        if locked.verification_status in RENEWABLE:
            if not is_member(actor=actor, company_id=locked.pk):
                raise Forbidden(_("Only a member of this company can ask for verification."))
            if locked.renewal_requested_at is not None:
                raise Conflict(_("A renewal request of this company already waits for review."),
                               code="invalid_transition")
            _require_evidence(locked)
            locked.renewal_requested_at = timezone.now()
            locked.save(update_fields=["renewal_requested_at", "updated_at"])
            company = locked
        else:
            company = _company_transition(company_id=company.pk, actor=actor, to_status=VerificationStatus.PENDING,
                                          check=_require_evidence)
        _flag_confusable(company)
    return company


def company_verify(*, company: Company, actor: User, reason: str = "") -> Company:
    """A moderator verifies a pending company, or approves a verified company's renewal request;
    either way it is verified until VERIFICATION_VALID_DAYS from now."""
    return _company_transition(company_id=company.pk, actor=actor, to_status=VerificationStatus.VERIFIED,
                               reason=reason, on_verified="approve")


def company_reject(*, company: Company, actor: User, reason: str) -> Company:
    """A moderator rejects a pending company, or refuses a verified company's renewal request (it
    stays verified until its verification expires)."""
    return _company_transition(company_id=company.pk, actor=actor, to_status=VerificationStatus.REJECTED,
                               reason=reason, on_verified="refuse")


def company_suspend(*, company: Company, actor: User, reason: str) -> Company:
    return _company_transition(company_id=company.pk, actor=actor, to_status=VerificationStatus.SUSPENDED,
                               reason=reason)


def company_reinstate(*, company: Company, actor: User, reason: str = "") -> Company:
    return _company_transition(company_id=company.pk, actor=actor, to_status=VerificationStatus.VERIFIED,
                               reason=reason, only_from=VerificationStatus.SUSPENDED,
                               only_from_message=_("Only a suspended company can be reinstated."))


# --- expiry of verifications ---------------------------------------------------------------------

def _reminder_due() -> Q:
    return Q(expiry_reminder_sent_for__isnull=True) | Q(expiry_reminder_sent_for__lt=F("verified_until"))


def verification_expiry_remind(*, company_id: int, now=None) -> bool:
    """Tells a verified company's members (and its webhooks) that its verification expires within
    VERIFICATION_EXPIRY_REMINDER_DAYS, once per verification period: the reminder is claimed by a
    conditional UPDATE, so two runs (two beats, a retry) send it once."""
    now = now or timezone.now()
    window_end = now + timedelta(days=settings.VERIFICATION_EXPIRY_REMINDER_DAYS)
    with transaction.atomic():
        due = Company.objects.filter(_reminder_due(), pk=company_id, verification_status=VerificationStatus.VERIFIED,
                                     verified_until__gt=now, verified_until__lte=window_end)
        company = due.first()
        if company is None:
            return False
        claimed = due.filter(verified_until=company.verified_until).update(
            expiry_reminder_sent_for=company.verified_until)
        if not claimed:
            return False
        days_left = max(0, (company.verified_until - now).days)
        notify(event=VERIFICATION_EXPIRING, company=company, context={
            "company_id": company.pk, "company_name": company.legal_name,
            "verified_until": company.verified_until.isoformat(), "days_left": days_left})
    return True


def verification_expire(*, company_id: int, now=None) -> bool:
    """Moves a verified company whose verified_until has passed to expired (a move of the system,
    recorded as a decision without an actor and told to the company)."""
    now = now or timezone.now()
    if not Company.objects.filter(pk=company_id, verification_status=VerificationStatus.VERIFIED,
                                  verified_until__lte=now).exists():
        return False

    def still_due(company: Company) -> None:
        if company.verified_until is None or company.verified_until > now:
            raise Conflict(_("This verification has not expired."), code="invalid_transition")

    try:
        _company_transition(company_id=company_id, actor=None, to_status=VerificationStatus.EXPIRED,
                            reason=_("The verification period ended."), check=still_due)
    except Conflict:  # renewed or moved by a moderator meanwhile
        return False
    return True


def verification_expiry_run(*, now=None, batch: int = 500) -> dict[str, int]:
    """The beat's scan: reminders for verifications expiring soon, then the expiries. Safe to run
    twice or in parallel: each reminder is claimed, each expiry re-checked under the row lock."""
    now = now or timezone.now()
    window_end = now + timedelta(days=settings.VERIFICATION_EXPIRY_REMINDER_DAYS)
    verified = Company.objects.filter(verification_status=VerificationStatus.VERIFIED)
    remind = list(verified.filter(_reminder_due(), verified_until__gt=now, verified_until__lte=window_end)
                  .order_by("verified_until", "pk").values_list("pk", flat=True)[:batch])
    expire = list(verified.filter(verified_until__lte=now).order_by("verified_until", "pk")
                  .values_list("pk", flat=True)[:batch])
    return {"reminded": sum(verification_expiry_remind(company_id=pk, now=now) for pk in remind),
            "expired": sum(verification_expire(company_id=pk, now=now) for pk in expire)}


# --- verification documents ----------------------------------------------------------------------

def verification_document_upload(*, company: Company, actor: User, kind: str, file) -> VerificationDocument:
    """A member adds a document to the company's evidence. Its type is decided from its content
    (accounts/documents.py); at most VERIFICATION_DOCUMENTS_MAX documents per company."""
    if not is_member(actor=actor, company_id=company.pk):
        raise Forbidden(_("Only a member of this company can upload its documents."))
    if kind not in DocumentKind.values:
        raise field_error("kind", _("Choose the kind of document."))
    typed = document_type(file, field="file")
    with transaction.atomic():
        locked = Company.objects.select_for_update().get(pk=company.pk)
        limit = settings.VERIFICATION_DOCUMENTS_MAX
        if VerificationDocument.objects.filter(company=locked).count() >= limit:
            message = _("A company keeps at most %(max)s documents. Delete one first.") % {"max": limit}
            raise Conflict(message, code="too_many_documents", fields={"file": [message]})
        document = VerificationDocument(company=locked, kind=kind, content_type=typed.content_type, size=typed.size,
                                        sha256=typed.sha256, original_name=display_name(getattr(file, "name", "")),
                                        uploaded_by=actor)
        document.file.save(f"document.{document_extension(typed.content_type)}", typed.content, save=False)
        stored = document.file.name
        try:
            document.save()
        except Exception:  # the row was not written: no file without its row
            document.file.storage.delete(stored)
            raise
    return document


def verification_document_delete(*, document: VerificationDocument, actor: User) -> None:
    """A member deletes a document no decision rested on (those are kept as the decision's evidence)."""
    if not is_member(actor=actor, company_id=document.company_id):
        raise Forbidden(_("Only a member of this company can delete its documents."))
    with transaction.atomic():
        locked = VerificationDocument.objects.select_for_update().filter(pk=document.pk).first()
        if locked is None:
            return
        if DecisionDocument.objects.filter(document=locked).exists():
            raise Conflict(_("A verification decision rested on this document; it is kept."),
                           code="document_in_use")
        name, storage = locked.file.name, locked.file.storage
        locked.delete()
        transaction.on_commit(lambda: storage.delete(name))


def _identity_decide(*, company_id: int, actor: User, approve: bool, reason: str = "") -> Company:
    """A moderator applies or drops a company's identity changes. The decision is recorded with the
    changes reviewed, the moderator, the reason and the time; the company's members are told."""
    reason = (reason or "").strip()
    with transaction.atomic():
        company = Company.objects.select_for_update().get(pk=company_id)
        if not actor.is_moderator:
            raise Forbidden(_("Only a moderator can decide on a company's verification."))
        if is_member(actor=actor, company_id=company.pk):
            raise Forbidden(_("A moderator cannot decide on their own company."))
        if not approve and not reason:
            raise ApplicationError(_("A reason is required for this decision."), code="validation_error",
                                   fields={"reason": [_("This field is required.")]})
        changes = company.pending_changes
        if not changes:
            raise Conflict(_("This company has no identity changes waiting for review."),
                           code="invalid_transition")
        old_legal_name = company.legal_name
        if approve:
            for field, value in changes.items():
                setattr(company, field, value)
            _full_clean(company, unique_together_field="registration_number")
        company.pending_changes = None
        company.pending_changes_at = None
        try:
            with transaction.atomic():
                company.save()
        except IntegrityError as exc:
            raise Conflict(_("A company with this registration number is already registered in this country."),
                           fields={"registration_number": [_("Already registered in this country.")]}) from exc
        status = company.verification_status
        VerificationDecision.objects.create(company=company, actor=actor, from_status=status, to_status=status,
                                            reason=reason, identity_changes=changes, applied_changes=approve)
        notify(event=COMPANY_IDENTITY_DECIDED, company=company, context={
            "company_id": company.pk, "company_name": company.legal_name, "applied": approve, "reason": reason,
            "fields": sorted(changes)})
        if company.legal_name != old_legal_name:
            hooks.company_renamed(company.pk)
            _flag_confusable(company)
    return company


def company_identity_approve(*, company: Company, actor: User, reason: str = "") -> Company:
    """Applies the identity changes waiting for review; the company stays verified (or suspended)."""
    return _identity_decide(company_id=company.pk, actor=actor, approve=True, reason=reason)


def company_identity_reject(*, company: Company, actor: User, reason: str) -> Company:
    """Drops the identity changes waiting for review; the reviewed identity stays."""
    return _identity_decide(company_id=company.pk, actor=actor, approve=False, reason=reason)


# --- memberships and invites --------------------------------------------------------------------

@transaction.atomic
def invite_create(*, company: Company, actor: User, email: str, role: str = MembershipRole.STAFF) -> Invite:
    _require_owner(actor, company)
    email = User.objects.normalize_email(email).lower()
    if Membership.objects.filter(company=company, user__email__iexact=email).exists():
        raise ApplicationError(_("This person is already a member of the company."), code="validation_error",
                               fields={"email": [_("Already a member.")]})
    invite = Invite(company=company, email=email, role=role, invited_by=actor, token=secrets.token_urlsafe(32),
                    expires_at=timezone.now() + timedelta(days=settings.INVITE_TTL_DAYS))
    # The one-open-invite-per-address constraint is left to the database: a duplicate is a conflict.
    _full_clean(invite, exclude=["token"], validate_constraints=False)
    try:
        with transaction.atomic():
            invite.save()
    except IntegrityError as exc:
        raise Conflict(_("An invite for this address is already open."),
                       fields={"email": [_("An invite for this address is already open.")]}) from exc
    notify(event="company.invite", company=company, emails=[invite.email], context={
        "invite_id": invite.pk, "company_id": company.pk, "company_name": company.legal_name,
        "language": company.preferred_language})
    return invite


@transaction.atomic
def invite_revoke(*, invite: Invite, actor: User) -> None:
    _require_owner(actor, invite.company)
    if invite.accepted_at is not None:
        raise Conflict(_("This invite was already accepted."))
    invite.delete()


@transaction.atomic
def invite_accept(*, token: str, user: User | None = None, password: str | None = None,
                  full_name: str | None = None) -> Membership:
    """Accepts an invite as the signed-in user, or creates the invited user's account."""
    invite = Invite.objects.select_for_update().filter(token=token).first()
    if invite is None or invite.accepted_at is not None or invite.expires_at <= timezone.now():
        raise ApplicationError(_("This invite is not valid or has expired."), code="invalid_invite",
                               fields={"token": [_("This invite is not valid or has expired.")]})
    if user is None:
        existing = User.objects.filter(email__iexact=invite.email).first()
        if existing is not None:
            raise ApplicationError(_("Sign in as %(email)s to accept this invite.") % {"email": invite.email},
                                   code="login_required")
        # The invite's link reached this address: it is verified.
        user = User(email=invite.email, full_name=full_name or "", email_verified_at=timezone.now())
        _validate_password(password or "", user)
        user.set_password(password)
        _full_clean(user, exclude=["password"])
        user.save()
    elif user.email.lower() != invite.email.lower():
        raise Forbidden(_("This invite was sent to another e-mail address."))
    elif user.email_verified_at is None:
        User.objects.filter(pk=user.pk, email_verified_at__isnull=True).update(email_verified_at=timezone.now())
    membership, _created = Membership.objects.get_or_create(user=user, company=invite.company,
                                                            defaults={"role": invite.role})
    invite.accepted_at = timezone.now()
    invite.accepted_by = user
    invite.save(update_fields=["accepted_at", "accepted_by", "updated_at"])
    return membership


@transaction.atomic
def membership_remove(*, membership: Membership, actor: User) -> None:
    _require_owner(actor, membership.company)
    owners = Membership.objects.select_for_update().filter(company=membership.company, role=MembershipRole.OWNER)
    if membership.role == MembershipRole.OWNER and owners.count() <= 1:
        raise Conflict(_("A company keeps at least one owner."))
    membership.delete()


# --- sign-in and passwords ----------------------------------------------------------------------

def user_authenticate(*, email: str, password: str, client_ip: str | None, request=None) -> User:
    """Every sign-in path (API token, API login, login page, admin) comes here, so one throttle
    (accounts/signin.py) guards them all. A correct password from a browser that signed in to the
    account before is not held by the account's delay; on success that browser is remembered."""
    from django.contrib.auth import authenticate

    email = (email or "").strip().lower()
    device_id = signin.request_device_id(request, email)
    attempt = signin.attempt_begin(email=email, address=client_ip, device_id=device_id)
    user = authenticate(request, email=email, password=password or "")
    if user is None:
        raise ApplicationError(_("The e-mail address or password is wrong."), code="invalid_credentials",
                               fields={"non_field_errors": [_("The e-mail address or password is wrong.")]})
    signin.attempt_succeeded(attempt)
    signin.remember_device(request, email=email, device_id=device_id)
    return user


def email_verification_confirm(*, token: str) -> User:
    """Marks the address of a verification link as verified (again is harmless)."""
    from .verification_email import email_verification_read

    found = email_verification_read(token)
    user = None
    if found is not None:
        user = User.objects.filter(pk=found[0], email__iexact=found[1], is_active=True).first()
    if user is None:
        raise ApplicationError(_("This confirmation link is invalid or has expired."), code="invalid_token",
                               fields={"token": [_("This confirmation link is invalid or has expired.")]})
    User.objects.filter(pk=user.pk, email_verified_at__isnull=True).update(email_verified_at=timezone.now())
    user.refresh_from_db(fields=["email_verified_at"])
    return user


def email_verification_resend(*, user: User) -> None:
    """Sends the verification link again; limited per account. Nothing to do once verified."""
    if user.email_verified_at is not None:
        raise Conflict(_("Your e-mail address is already confirmed."), code="email_already_verified")
    _rate_limited(f"verify-resend:{user.pk}", settings.EMAIL_VERIFICATION_RESEND_MAX,
                  _("Too many confirmation e-mails asked for. Try again later."))
    enqueue_on_commit(tasks.email_verification_send, user.pk)


def _rate_limited(key: str, limit: int, message: str) -> None:
    wait = signin.rate_limit_take(key, limit=limit)
    if wait is not None:
        raise signin.Throttled(message, retry_after=wait)


def password_reset_request(*, email: str, client_ip: str | None = None) -> None:
    """Queues a reset e-mail when the address belongs to an active user; says nothing either way.
    Limited per client address and per e-mail address (429 when spent, whether the account exists
    or not)."""
    email = (email or "").strip().lower()
    message = _("Too many password reset requests. Try again later.")
    if client_ip:
        _rate_limited(f"reset-ip:{client_ip}", settings.PASSWORD_RESET_MAX_PER_ADDRESS, message)
    _rate_limited(f"reset-email:{email}", settings.PASSWORD_RESET_MAX_PER_EMAIL, message)
    user = User.objects.filter(email__iexact=email, is_active=True).first()
    if user is not None and user.has_usable_password():
        enqueue_on_commit(tasks.password_reset_email_send, user.pk)


@transaction.atomic
def password_reset_confirm(*, uidb64: str, token: str, new_password: str) -> User:
    try:
        user_pk = force_str(urlsafe_base64_decode(uidb64))
        user = User.objects.select_for_update().get(pk=user_pk, is_active=True)
    except (TypeError, ValueError, OverflowError, User.DoesNotExist):
        user = None
    if user is None or not default_token_generator.check_token(user, token):
        raise ApplicationError(_("This password reset link is invalid or has expired."), code="invalid_token",
                               fields={"token": [_("This password reset link is invalid or has expired.")]})
    _validate_password(new_password, user, field="new_password")
    user.set_password(new_password)
    user.save(update_fields=["password"])
    signin.account_clear(user.email)
    tokens.tokens_revoke_all(user=user)
    return user
