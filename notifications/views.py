"""The notification pages: the list with read marks, and the settings. Thin: parse, call one
service or selector, render or redirect. The URLs are in frontend/urls.py."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from core.exceptions import ApplicationError

from . import selectors, services

PAGE_SIZE = 20


def _back(request) -> str:
    target = request.POST.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return reverse("frontend:notifications")


@login_required
@require_safe
def notification_list(request):
    unread_only = request.GET.get("unread") == "1"
    page = Paginator(selectors.notification_list(user=request.user, unread_only=unread_only),
                     PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [{"notification": n, "text": selectors.notification_text(n), "link": selectors.notification_link(n)}
            for n in page.object_list]
    return render(request, "notifications/list.html", {"page": page, "rows": rows, "unread_only": unread_only})


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
    return redirect(_back(request))


@login_required
@require_POST
def notification_read_all(request):
    count = services.notification_mark_all_read(user=request.user)
    if count:
        messages.success(request, _("All notifications are marked read."))
    return redirect(_back(request))


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
