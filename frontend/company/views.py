"""Thin page views: parse the form, call one service or selector, render or redirect."""
from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts import selectors, services, tokens
from accounts.models import MembershipRole, VerificationStatus
from accounts.downloads import document_response
from accounts.registry_numbers import company_number_checks
from accounts.verification import IDENTITY_REVIEWED, MEMBER, RENEWABLE, VERIFICATION
from core.exceptions import ApplicationError, Forbidden
from core.http import client_ip
from trust import selectors as trust_selectors

from .. import selectors as frontend_selectors
from ..common import moderation_action
from ..decorators import moderator_required, safe_next
from ..reviews.views import company_reviews_context
from . import forms
from .identity import identity_changes

MODERATION_PAGE_SIZE = 50


# --- public pages -------------------------------------------------------------------------------

@require_safe
def home(request):
    counts = frontend_selectors.company_verified_count_by_country(actor=request.user)
    return render(request, "frontend/home.html", {"country_counts": counts,
                                                  "verified_total": sum(c.count for c in counts)})


@require_safe
def company_detail(request, pk: int):
    company = selectors.company_get(actor=request.user, pk=pk)
    performance = trust_selectors.seller_performance_get(seller=company) if company.sells else None
    reviews = company_reviews_context(request, company) if company.sells else {}
    return render(request, "frontend/company_detail.html", {"company": company, "performance": performance,
                                                             **reviews})


# --- sign-up, sign-in, passwords ----------------------------------------------------------------

@require_http_methods(["GET", "POST"])
def signup(request):
    if request.user.is_authenticated:
        return redirect("frontend:my_company")
    form = forms.SignupForm(request.POST or None, initial={"preferred_language": get_language()})
    if request.method == "POST" and form.is_valid():
        try:
            user, company = services.user_register(**form.register_kwargs(), client_ip=client_ip(request))
        except ApplicationError as exc:
            form.add_service_error(exc)
        else:
            login(request, user)
            messages.success(request, _("Welcome to SME Market. Your company %(name)s is registered.")
                             % {"name": company.legal_name})
            return redirect("frontend:my_company")
    return render(request, "frontend/signup.html", {"form": form})


@require_http_methods(["GET", "POST"])
def login_view(request):
    next_url = safe_next(request, reverse("frontend:dashboard"))  # each role lands on its dashboard
    if request.user.is_authenticated and request.method == "GET":
        return redirect(next_url)
    form = forms.LoginForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            user = services.user_authenticate(email=form.cleaned_data["email"],
                                              password=form.cleaned_data["password"],
                                              client_ip=client_ip(request), request=request)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
            status = exc.status_code if exc.code == "throttled" else 200
        else:
            login(request, user)
            return redirect(next_url)
    return render(request, "frontend/login.html", {"form": form, "next": next_url}, status=status)


@require_POST
def logout_view(request):
    logout(request)
    messages.info(request, _("You are logged out."))
    return redirect(settings.LOGOUT_REDIRECT_URL)


@require_http_methods(["GET", "POST"])
def password_reset(request):
    form = forms.PasswordResetRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.password_reset_request(email=form.cleaned_data["email"], client_ip=client_ip(request))
        except ApplicationError as exc:
            form.add_error(None, exc.message)
            return render(request, "frontend/password_reset.html", {"form": form, "sent": False},
                          status=exc.status_code)
        return render(request, "frontend/password_reset.html", {"form": None, "sent": True})
    return render(request, "frontend/password_reset.html", {"form": form, "sent": False})


@require_http_methods(["GET", "POST"])
def verify_email(request, token: str):
    """The link of the verification e-mail. Confirming takes a click (POST), so a mail scanner that
    opens links does not confirm an address for whoever registered it."""
    error = None
    if request.method == "POST":
        try:
            services.email_verification_confirm(token=token)
        except ApplicationError as exc:
            error = exc.message
        else:
            messages.success(request, _("Thank you: your e-mail address is confirmed."))
            return redirect("frontend:my_company" if request.user.is_authenticated else "frontend:login")
    return render(request, "frontend/verify_email.html", {"error": error}, status=400 if error else 200)


@login_required
@require_POST
def verify_email_resend(request):
    try:
        services.email_verification_resend(user=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("We have sent the confirmation link again to %(email)s.")
                         % {"email": request.user.email})
    return redirect("frontend:my_company")


# --- API tokens -----------------------------------------------------------------------------------

@login_required
@require_http_methods(["GET", "POST"])
def api_tokens(request):
    """The user's API tokens: create one (its secret is shown once, on this answer) and revoke."""
    form = forms.ApiTokenForm(request.POST or None)
    created_secret = None
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            _token, created_secret = tokens.token_create(user=request.user, name=form.cleaned_data["name"],
                                                         expires_in_days=form.cleaned_data.get("expires_in_days"))
        except ApplicationError as exc:
            form.add_service_error(exc)
            status = 400
        else:
            form = forms.ApiTokenForm()
    elif request.method == "POST":
        status = 400
    page = Paginator(selectors.api_token_list(user=request.user), 50).get_page(request.GET.get("page"))
    return render(request, "frontend/api_tokens.html", {"form": form, "page": page, "created_secret": created_secret},
                  status=status)


@login_required
@require_POST
def api_token_revoke(request, pk: int):
    tokens.token_revoke(user=request.user, token_id=pk)
    messages.success(request, _("The token is revoked."))
    return redirect("frontend:api_tokens")


@require_http_methods(["GET", "POST"])
def password_reset_confirm(request, uidb64: str, token: str):
    form = forms.PasswordResetConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.password_reset_confirm(uidb64=uidb64, token=token,
                                            new_password=form.cleaned_data["new_password1"])
        except ApplicationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("Your password has been changed. You can log in now."))
            return redirect("frontend:login")
    return render(request, "frontend/password_reset_confirm.html", {"form": form})


# --- my company ---------------------------------------------------------------------------------

def _my_company_page(request, membership, *, company_form=None, invite_form=None, document_form=None,
                     status: int = 200):
    if membership is None:
        return render(request, "frontend/my_company.html", {"membership": None}, status=status)
    company = membership.company
    is_owner = membership.role == MembershipRole.OWNER
    context = {
        "membership": membership,
        "company": company,
        "is_owner": is_owner,
        "can_request_verification": VerificationStatus.PENDING in VERIFICATION.targets(
            company.verification_status, MEMBER),
        "can_request_renewal": company.verification_status in RENEWABLE and company.renewal_requested_at is None,
        "number_checks": company_number_checks(company),
        "documents": selectors.verification_document_list(actor=request.user, company=company),
        "document_form": document_form or forms.VerificationDocumentForm(),
        "members": selectors.company_member_list(actor=request.user, company=company),
        "history": selectors.verification_history(actor=request.user, company=company),
        "invites": selectors.company_invite_list(actor=request.user, company=company) if is_owner else [],
        "company_form": (company_form or forms.CompanyForm.for_company(company)) if is_owner else None,
        "identity_reviewed": company.verification_status in IDENTITY_REVIEWED,
        "identity_changes": identity_changes(company),
        "invite_form": (invite_form or forms.InviteForm()) if is_owner else None,
    }
    return render(request, "frontend/my_company.html", context, status=status)


@login_required
@require_safe
def my_company(request):
    return _my_company_page(request, selectors.user_primary_membership(user=request.user))


@login_required
@require_POST
def my_company_edit(request):
    membership = selectors.user_primary_membership(user=request.user)
    if membership is None:
        return redirect("frontend:my_company")
    form = forms.CompanyForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            saved = services.company_update(company=membership.company, actor=request.user, data=form.update_data())
        except Forbidden as exc:
            messages.error(request, exc.message)
            return redirect("frontend:my_company")
        except ApplicationError as exc:
            form.add_service_error(exc)
        else:
            if saved.pending_changes and saved.pending_changes != membership.company.pending_changes:
                messages.success(request, _("The company profile is saved. Your changes to the company's identity "
                                            "wait for a moderator's review; until they are approved, the company "
                                            "keeps its verified details."))
            else:
                messages.success(request, _("The company profile is saved."))
            return redirect("frontend:my_company")
    return _my_company_page(request, membership, company_form=form)


@login_required
@require_POST
def my_company_verification_request(request):
    """Asks for verification, or for its renewal when the company is verified."""
    membership = selectors.user_primary_membership(user=request.user)
    if membership is None:
        return redirect("frontend:my_company")
    try:
        company = services.company_verification_submit(company=membership.company, actor=request.user)
    except ApplicationError as exc:
        for message in ([m for errors in exc.fields.values() for m in errors] if exc.fields else [exc.message]):
            messages.error(request, message)
    else:
        if company.verification_status == VerificationStatus.VERIFIED:
            messages.success(request, _("Renewal requested. Your company stays verified while a moderator "
                                        "reviews it."))
        else:
            messages.success(request, _("Verification requested. A moderator will review your company."))
    return redirect("frontend:my_company")


@login_required
@require_POST
def my_company_document_upload(request):
    membership = selectors.user_primary_membership(user=request.user)
    if membership is None:
        return redirect("frontend:my_company")
    form = forms.VerificationDocumentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.verification_document_upload(company=membership.company, actor=request.user,
                                                  kind=form.cleaned_data["kind"], file=form.cleaned_data["file"])
        except ApplicationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("The document is uploaded. Only your company's members and the "
                                        "moderators can open it."))
            return redirect("frontend:my_company")
    return _my_company_page(request, membership, document_form=form, status=400)


@login_required
@require_POST
def my_company_document_delete(request, pk: int):
    membership = selectors.user_primary_membership(user=request.user)
    if membership is None:
        return redirect("frontend:my_company")
    document = selectors.verification_document_get(actor=request.user, pk=pk, company_id=membership.company_id)
    try:
        services.verification_document_delete(document=document, actor=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The document is deleted."))
    return redirect("frontend:my_company")


@require_safe
def verification_document_download(request, pk: int):
    """A verification document, for its company's members and the moderators; 404 for anyone
    else, signed in or not."""
    return document_response(selectors.verification_document_get(actor=request.user, pk=pk))


@login_required
@require_POST
def my_company_invite(request):
    membership = selectors.user_primary_membership(user=request.user)
    if membership is None:
        return redirect("frontend:my_company")
    form = forms.InviteForm(request.POST)
    if form.is_valid():
        try:
            invite = services.invite_create(company=membership.company, actor=request.user,
                                            email=form.cleaned_data["email"], role=form.cleaned_data["role"])
        except Forbidden as exc:
            messages.error(request, exc.message)
            return redirect("frontend:my_company")
        except ApplicationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("An invite is on its way to %(email)s.") % {"email": invite.email})
            return redirect("frontend:my_company")
    return _my_company_page(request, membership, invite_form=form)


@login_required
@require_POST
def my_company_invite_revoke(request, pk: int):
    membership = selectors.user_primary_membership(user=request.user)
    if membership is None:
        return redirect("frontend:my_company")
    invite = selectors.company_invite_list(actor=request.user, company=membership.company).filter(pk=pk).first()
    if invite is None:
        messages.error(request, _("This invite is no longer open."))
        return redirect("frontend:my_company")
    try:
        services.invite_revoke(invite=invite, actor=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The invite to %(email)s is withdrawn.") % {"email": invite.email})
    return redirect("frontend:my_company")


# --- invites ------------------------------------------------------------------------------------

@require_http_methods(["GET", "POST"])
def invite_accept(request, token: str):
    invite = frontend_selectors.invite_get_open(token=token)
    form = None if request.user.is_authenticated else forms.InviteSignupForm(request.POST or None)
    if invite is not None and request.method == "POST" and (form is None or form.is_valid()):
        try:
            if form is None:
                membership = services.invite_accept(token=token, user=request.user)
            else:
                membership = services.invite_accept(token=token, password=form.cleaned_data["password1"],
                                                    full_name=form.cleaned_data["full_name"])
        except ApplicationError as exc:
            if form is None:
                messages.error(request, exc.message)
            else:
                form.add_service_error(exc)
        else:
            if form is not None:
                login(request, membership.user)
            messages.success(request, _("You are now a member of %(name)s.") % {"name": membership.company.legal_name})
            return redirect("frontend:my_company")
    return render(request, "frontend/invite_accept.html", {"invite": invite, "form": form},
                  status=200 if invite is not None else 404)


# --- moderation ---------------------------------------------------------------------------------

@moderator_required
@require_safe
def moderation(request):
    filter_form = forms.ModerationFilterForm(request.GET or None)
    filters = filter_form.filters()
    companies = selectors.company_list(actor=request.user, status=filters["status"], country=filters["country"])
    page = Paginator(companies, MODERATION_PAGE_SIZE).get_page(request.GET.get("page"))
    queue = list(selectors.company_pending_list(actor=request.user))
    for company in queue:  # shown beside each request; computed from the row, no query
        company.number_checks = company_number_checks(company)
    return render(request, "frontend/moderation.html", {
        "pending": [company for company in queue if company.verification_status == VerificationStatus.PENDING],
        "renewals": [company for company in queue
                     if company.verification_status == VerificationStatus.VERIFIED and company.renewal_requested_at],
        "identity_queue": [(company, identity_changes(company)) for company in queue
                           if company.verification_status != VerificationStatus.PENDING and company.pending_changes],
        "filter_form": filter_form,
        "filter_status": filters["status"],
        "page": page,
    })


@moderator_required
@require_safe
def moderation_company(request, pk: int):
    """One company as a moderator reviews it: its reviewed identity, the identity changes waiting
    beside it, a name that reads like a verified company's, the decisions it may take, the history."""
    company = selectors.company_get(actor=request.user, pk=pk)
    return render(request, "frontend/moderation_company.html", {
        "company": company,
        "number_checks": company_number_checks(company),
        "documents": selectors.verification_document_list(actor=request.user, company=company),
        "identity_changes": identity_changes(company),
        "history": selectors.verification_history(actor=request.user, company=company),
    })


def _company_decision(service, done_message):
    return moderation_action(service, done_message, fetch=selectors.company_get, argument="company",
                             name_of=lambda company: company.legal_name, placeholder="name",
                             back="frontend:moderation")


moderation_verify = _company_decision(services.company_verify, gettext_lazy("%(name)s is now verified."))
moderation_reject = _company_decision(services.company_reject, gettext_lazy("%(name)s was rejected."))
moderation_suspend = _company_decision(services.company_suspend, gettext_lazy("%(name)s is suspended."))
moderation_reinstate = _company_decision(services.company_reinstate, gettext_lazy("%(name)s is verified again."))
moderation_identity_approve = _company_decision(
    services.company_identity_approve, gettext_lazy("The identity changes of %(name)s are approved and now shown."))
moderation_identity_reject = _company_decision(
    services.company_identity_reject,
    gettext_lazy("The identity changes of %(name)s are rejected; the company keeps its verified identity."))
