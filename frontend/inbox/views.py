"""The inbox page: the message threads of the user's companies on orders and requests for quotation,
newest first, with the other party, the subject, the newest message and the unread count. Thin:
one selector for the page of threads, one to fill them in."""
from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_safe

from orders.selectors import inbox as selectors_inbox

PAGE_SIZE = 20


@login_required
@require_safe
def inbox(request):
    page = Paginator(selectors_inbox.inbox_thread_list(actor=request.user), PAGE_SIZE).get_page(
        request.GET.get("page"))
    threads = selectors_inbox.inbox_threads(actor=request.user, rows=page.object_list)
    return render(request, "frontend/inbox/inbox.html", {"page": page, "threads": threads})
