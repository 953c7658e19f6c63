"""Reads for companies, memberships and verification history. Each takes the acting user."""
from __future__ import annotations

from datetime import date, datetime

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Exists, F, Min, OuterRef, Prefetch, Q, QuerySet
from django.db.models.functions import Coalesce, TruncDate
from django.http import Http404
from django.utils.translation import gettext as _

from core.exceptions import Forbidden

from .models import (
    ApiToken,
    Company,
    DecisionDocument,
    Invite,
    Membership,
    MembershipRole,
    User,
    VerificationDecision,
    VerificationDocument,
    VerificationStatus,
)
from .verification import MODERATOR, VERIFICATION

Actor = User | AnonymousUser
PUBLIC_STATUSES = (VerificationStatus.VERIFIED, VerificationStatus.EXPIRED)


def _is_moderator(actor: Actor) -> bool:
    return bool(actor.is_authenticated and actor.is_moderator)


def company_list(*, actor: Actor, status: str | None = None, country: str | None = None,
                 kind: str | None = None) -> QuerySet[Company]:
    """Verified companies (and those whose verification expired: their listings stay up, without the
    badge) for everyone; a member also sees their own; moderators see all."""
    qs = Company.objects.all()
    if not _is_moderator(actor):
        visible = Q(verification_status__in=PUBLIC_STATUSES)
        if actor.is_authenticated:
            visible |= Q(Exists(Membership.objects.filter(company=OuterRef("pk"), user=actor)))
        qs = qs.filter(visible)
    if status:
        qs = qs.filter(verification_status=status)
    if country:
        qs = qs.filter(country=country.upper())
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("legal_name", "pk")


def company_get(*, actor: Actor, pk: int | str) -> Company:
    try:
        company = company_list(actor=actor).filter(pk=int(pk)).first()
    except (TypeError, ValueError):
        company = None
    if company is None:
        raise Http404
    return company


def company_pending_list(*, actor: Actor) -> QuerySet[Company]:
    """The moderators' queue: companies asking for verification and verified companies whose
    identity changes wait for review, oldest request first."""
    if not _is_moderator(actor):
        return Company.objects.none()
    return (Company.objects.filter(Q(verification_status=VerificationStatus.PENDING)
                                   | Q(pending_changes__isnull=False)
                                   | Q(verification_status=VerificationStatus.VERIFIED,
                                       renewal_requested_at__isnull=False))
            .select_related("confusable_with")
            .prefetch_related(Prefetch("verification_documents",
                                       queryset=VerificationDocument.objects.order_by("uploaded_at", "pk")))
            .annotate(waiting_since=Coalesce("pending_changes_at", "renewal_requested_at", "verification_changed_at"))
            .order_by(F("waiting_since").asc(nulls_first=True), "pk"))


def company_shows_private(*, actor: Actor, company: Company) -> bool:
    """Whether the actor sees the company's private review state (identity changes waiting for
    review): its members and the moderators."""
    return _is_moderator(actor) or is_member(actor=actor, company_id=company.pk)


# --- suspension ----------------------------------------------------------------------------------

def company_is_suspended(*, company: Company) -> bool:
    """Whether the suspension rule below holds the company to the moves that make others whole."""
    return company.verification_status == VerificationStatus.SUSPENDED


def company_require_not_suspended(*, company: Company, making_whole: bool = False) -> None:
    """The suspension rule, asked before every move a company makes as a buyer or a seller (the
    order moves, checkout and the cart, requests for quotation and quotes, submitting listings).

    A suspended company makes none of them, except a move the other party needs to be made whole
    (`making_whole`: which moves those are is said beside each table, for orders by
    orders.transitions.SUSPENDED_MAY). 403 company_suspended. See README "Suspension"."""
    if company_is_suspended(company=company) and not making_whole:
        raise Forbidden(_("%(name)s is suspended: it can only finish what it owes on orders already "
                          "placed.") % {"name": company.legal_name}, code="company_suspended")


def membership_get(*, actor: Actor, company: Company) -> Membership | None:
    if not actor.is_authenticated:
        return None
    return Membership.objects.filter(user=actor, company=company).first()


def is_member(*, actor: Actor, company_id: int) -> bool:
    """Whether the actor is signed in and a member of the company. One query."""
    return actor.is_authenticated and Membership.objects.filter(user=actor, company_id=company_id).exists()


def member_company_ids(*, actor: Actor, company_ids: list[int]) -> set[int]:
    """Those of the companies the actor is a member of (none when not signed in). One query."""
    if not actor.is_authenticated:
        return set()
    return set(Membership.objects.filter(user=actor, company_id__in=company_ids).values_list("company_id", flat=True))


def member_company_ids_query(*, actor: User) -> QuerySet[Membership]:
    """The ids of the signed-in actor's companies, as a subquery to filter by (`company_id__in=`)."""
    return Membership.objects.filter(user=actor).values("company_id")


def user_companies(*, user: Actor) -> QuerySet[Company]:
    if not user.is_authenticated:
        return Company.objects.none()
    return Company.objects.filter(memberships__user=user).order_by("memberships__created_at", "pk")


def user_primary_membership(*, user: Actor) -> Membership | None:
    if not user.is_authenticated:
        return None
    return Membership.objects.select_related("company").filter(user=user).order_by("created_at", "pk").first()


def company_member_list(*, actor: Actor, company: Company) -> QuerySet[Membership]:
    if not (_is_moderator(actor) or membership_get(actor=actor, company=company)):
        raise Http404
    return Membership.objects.filter(company=company).select_related("user").order_by("created_at", "pk")


def company_invite_list(*, actor: Actor, company: Company) -> QuerySet[Invite]:
    membership = membership_get(actor=actor, company=company)
    if membership is None or membership.role != MembershipRole.OWNER:
        raise Http404
    return Invite.objects.filter(company=company, accepted_at__isnull=True).select_related("invited_by").order_by(
        "-created_at", "pk")


def verification_history(*, actor: Actor, company: Company) -> QuerySet[VerificationDecision]:
    if not (_is_moderator(actor) or membership_get(actor=actor, company=company)):
        raise Http404
    return (VerificationDecision.objects.filter(company=company).select_related("actor")
            .prefetch_related(Prefetch("documents", queryset=VerificationDocument.objects.order_by("pk")))
            .order_by("-created_at", "-pk"))


# --- verification documents ----------------------------------------------------------------------

def verification_document_list(*, actor: Actor, company: Company) -> QuerySet[VerificationDocument]:
    """The company's verification documents, for its members and the moderators (404 for anyone
    else), oldest first, each with whether a decision rested on it (`in_use`)."""
    if not company_shows_private(actor=actor, company=company):
        raise Http404
    return (VerificationDocument.objects.filter(company=company).select_related("uploaded_by")
            .annotate(in_use=Exists(DecisionDocument.objects.filter(document=OuterRef("pk"))))
            .order_by("uploaded_at", "pk"))


def verification_document_get(*, actor: Actor, pk: int | str, company_id: int | str | None = None
                              ) -> VerificationDocument:
    """One verification document, for the members of its company and the moderators; 404 for
    anyone else (another company's member, a visitor), whether or not it exists."""
    try:
        document = VerificationDocument.objects.select_related("company").filter(pk=int(pk)).first()
        if company_id is not None and document is not None and document.company_id != int(company_id):
            document = None
    except (TypeError, ValueError, OverflowError):
        document = None
    if document is None or not company_shows_private(actor=actor, company=document.company):
        raise Http404
    return document


def api_token_list(*, user: Actor) -> QuerySet[ApiToken]:
    """The user's own API tokens, newest first (revoked and expired ones included, marked as such)."""
    if not user.is_authenticated:
        return ApiToken.objects.none()
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-pk")


# --- verified e-mail -------------------------------------------------------------------------------

def user_require_verified_email(*, actor: Actor) -> None:
    """The e-mail rule, asked before every trading move (submitting listings, the cart and checkout,
    requests for quotation and quotes, order moves): a company trades only through people who
    confirmed their e-mail address. 403 email_not_verified."""
    if actor.is_authenticated and actor.email_verified_at is None:
        raise Forbidden(_("Confirm your e-mail address first: open the link we sent you, or ask for a new one."),
                        code="email_not_verified")


# --- moderators' dashboard -----------------------------------------------------------------------

def company_queue_sizes(*, actor: Actor) -> dict[str, tuple[int, datetime | None]]:
    """The parts of the moderators' company queue (company_pending_list): requests for verification,
    renewals and identity changes, each as (how many, since when the oldest waits). One query;
    nothing for anyone but a moderator."""
    if not _is_moderator(actor):
        return {}
    parts = {
        "verification": (Q(verification_status=VerificationStatus.PENDING), "verification_changed_at"),
        "renewal": (Q(verification_status=VerificationStatus.VERIFIED, renewal_requested_at__isnull=False),
                    "renewal_requested_at"),
        "identity": (Q(pending_changes__isnull=False), "pending_changes_at"),
    }
    figures = Company.objects.aggregate(**{
        key: agg for name, (condition, since) in parts.items()
        for key, agg in ((f"{name}_count", Count("pk", filter=condition)),
                         (f"{name}_oldest", Min(since, filter=condition)))})
    return {name: (figures[f"{name}_count"], figures[f"{name}_oldest"]) for name in parts}


def verification_decisions_per_day(*, actor: Actor, since: datetime) -> dict[date, int]:
    """How many verification decisions moderators took each day since `since` (the moves of the
    verification table that are a moderator's, and decisions on identity changes); days without
    any are left out. Nothing for anyone but a moderator."""
    if not _is_moderator(actor):
        return {}
    moves = Q(pk__in=[])
    for frm, to, role in VERIFICATION.triples():
        if role == MODERATOR:
            moves |= Q(from_status=frm, to_status=to)
    rows = (VerificationDecision.objects.filter(moves | Q(identity_changes__isnull=False), created_at__gte=since)
            .annotate(day=TruncDate("created_at")).values("day").annotate(n=Count("pk")).order_by())
    return {row["day"]: row["n"] for row in rows}
