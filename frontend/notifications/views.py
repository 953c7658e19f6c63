"""The notification pages: the list with read marks and the settings; and the company webhook pages:
the endpoints with their events, adding, editing, rotating the secret and deleting one, and the dead
letters with a replay button. Owners manage webhooks; staff members see the same page without the
forms. A secret is shown once, in the answer to the request that made it, and never again. Thin:
parse, call one service or selector, render or redirect."""
from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers, patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.models import MembershipRole
from core.exceptions import ApplicationError, Forbidden
from notifications import selectors, services
from notifications.models import WebhookEndpoint

from ..decorators import company_member_required, safe_next
from .forms import WebhookEndpointEditForm, WebhookEndpointForm

PAGE_SIZE = 20
BELL_SIZE = 8  # notifications shown in the bell's short list
DEAD_LETTERS_PAGE_SIZE = 50


def owner_required(view):
    """Only an owner of the company changes its webhooks, as the services require."""

    @wraps(view)
    @company_member_required
    def wrapped(request, *args, membership, **kwargs):
        if membership.role != MembershipRole.OWNER:
            raise PermissionDenied(_("Only an owner of the company can manage its webhooks."))
        return view(request, *args, membership=membership, **kwargs)

    return wrapped


# --- notifications --------------------------------------------------------------------------------

@login_required
@require_safe
def notification_list(request):
    """The full list; asked by htmx (the bell), the short list of the newest lines alone."""
    if request.htmx:
        lines = selectors.notification_lines(selectors.notification_list(user=request.user)[:BELL_SIZE])
        response = render(request, "notifications/includes/bell_panel.html", {"lines": lines})
    else:
        unread_only = request.GET.get("unread") == "1"
        page = Paginator(selectors.notification_list(user=request.user, unread_only=unread_only),
                         PAGE_SIZE).get_page(request.GET.get("page"))
        response = render(request, "notifications/list.html", {
            "page": page, "lines": selectors.notification_lines(page.object_list), "unread_only": unread_only})
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
@require_POST
def notification_read(request, pk: int):
    try:
        notification = services.notification_mark_read(user=request.user, notification_id=pk)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("frontend:notifications")
    if request.POST.get("open") == "1":
        link = selectors.notification_link(notification)
        if link:
            return redirect(link)
    return redirect(safe_next(request, reverse("frontend:notifications")))


@login_required
@require_POST
def notification_read_all(request):
    count = services.notification_mark_all_read(user=request.user)
    if count:
        messages.success(request, _("All notifications are marked read."))
    return redirect(safe_next(request, reverse("frontend:notifications")))


@login_required
@require_http_methods(["GET", "POST"])
def notification_settings(request):
    rows = selectors.preference_list(user=request.user)
    if request.method == "POST":
        try:
            for row in rows:
                if not row.mandatory:
                    services.preference_set(user=request.user, event=row.event, channel=row.channel,
                                            enabled=f"{row.event}:{row.channel}" in request.POST)
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Your notification settings are saved."))
        return redirect("frontend:notification_settings")
    events: dict[str, dict] = {}
    for row in rows:
        entry = events.setdefault(row.event, {"event": row.event, "label": row.label, "mandatory": row.mandatory,
                                              "channels": {}})
        entry["channels"][row.channel] = row
    return render(request, "notifications/settings.html", {"events": list(events.values())})


# --- company webhooks -----------------------------------------------------------------------------

def _not_found_or_raise(exc: ApplicationError) -> None:
    if exc.status_code == 404:
        raise Http404 from exc
    if isinstance(exc, Forbidden):
        raise PermissionDenied(exc.message) from exc


def _event_labels() -> dict[str, str]:
    return dict(selectors.webhook_event_choices())


def _list_page(request, membership, *, form: WebhookEndpointForm | None = None, status: int = 200):
    labels = _event_labels()
    is_owner = membership.role == MembershipRole.OWNER
    endpoints = selectors.webhook_endpoint_list_for_company(actor=request.user, company_id=membership.company_id)
    dead = Paginator(selectors.webhook_dead_letter_list_for_company(actor=request.user,
                                                                    company_id=membership.company_id),
                     DEAD_LETTERS_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "notifications/webhooks/list.html", {
        "company": membership.company,
        "is_owner": is_owner,
        "endpoints": [{"endpoint": endpoint, "events": [labels.get(name, name) for name in endpoint.events]}
                      for endpoint in endpoints],
        "page": dead,
        "dead_letters": [{"delivery": delivery, "event": labels.get(delivery.event.name, delivery.event.name)}
                         for delivery in dead.object_list],
        "form": (form or WebhookEndpointForm()) if is_owner else None,
        "max_endpoints": services.MAX_ENDPOINTS_PER_COMPANY,
    }, status=status)


def _secret_page(request, endpoint: WebhookEndpoint, *, rotated: bool):
    response = render(request, "notifications/webhooks/secret.html", {"endpoint": endpoint, "rotated": rotated})
    add_never_cache_headers(response)
    return response


@company_member_required
@require_safe
def webhook_list(request, membership):
    return _list_page(request, membership)


@owner_required
@require_POST
def webhook_new(request, membership):
    form = WebhookEndpointForm(request.POST)
    if form.is_valid():
        try:
            endpoint = services.webhook_endpoint_create(actor=request.user, company_id=membership.company_id,
                                                        **form.create_data())
        except ApplicationError as exc:
            _not_found_or_raise(exc)
            form.add_service_error(exc)
        else:
            return _secret_page(request, endpoint, rotated=False)
    return _list_page(request, membership, form=form, status=400)


@owner_required
@require_http_methods(["GET", "POST"])
def webhook_edit(request, membership, pk: int):
    endpoint = selectors.webhook_endpoint_list_for_company(
        actor=request.user, company_id=membership.company_id).filter(pk=pk).first()
    if endpoint is None:
        raise Http404
    form = WebhookEndpointEditForm.for_endpoint(endpoint, request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if form.is_valid():
            try:
                services.webhook_endpoint_update(actor=request.user, endpoint_id=endpoint.pk,
                                                 data=form.update_data())
            except ApplicationError as exc:
                _not_found_or_raise(exc)
                form.add_service_error(exc)
            else:
                messages.success(request, _("The webhook endpoint is saved."))
                return redirect("frontend:my_company_webhooks")
    return render(request, "notifications/webhooks/edit.html", {"endpoint": endpoint, "form": form},
                  status=400 if form.is_bound else 200)


@owner_required
@require_POST
def webhook_rotate_secret(request, membership, pk: int):
    try:
        endpoint = services.webhook_endpoint_rotate_secret(actor=request.user, endpoint_id=pk)
    except ApplicationError as exc:
        _not_found_or_raise(exc)
        messages.error(request, exc.message)
        return redirect("frontend:my_company_webhooks")
    return _secret_page(request, endpoint, rotated=True)


@owner_required
@require_POST
def webhook_send_test(request, membership, pk: int):
    try:
        services.webhook_endpoint_test(actor=request.user, endpoint_id=pk)
    except ApplicationError as exc:
        _not_found_or_raise(exc)
        messages.error(request, exc.message)
    else:
        messages.success(request, _("A signed test event is on its way to this endpoint."))
    return redirect(reverse("frontend:my_company_webhooks") + f"#endpoint-{pk}")


@owner_required
@require_POST
def webhook_delete(request, membership, pk: int):
    try:
        services.webhook_endpoint_delete(actor=request.user, endpoint_id=pk)
    except ApplicationError as exc:
        _not_found_or_raise(exc)
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The webhook endpoint is deleted."))
    return redirect("frontend:my_company_webhooks")


@owner_required
@require_POST
def webhook_delivery_replay(request, membership, pk: int):
    try:
        services.webhook_delivery_replay(actor=request.user, delivery_id=pk)
    except ApplicationError as exc:
        _not_found_or_raise(exc)
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The delivery is queued to be sent again."))
    return redirect(reverse("frontend:my_company_webhooks") + "#dead-letters")
