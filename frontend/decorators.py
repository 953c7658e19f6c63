"""Who may open a page: the membership checks every area of the web layer uses, and where to send
the visitor back to after a form (the safe `next`)."""
from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from accounts import selectors as accounts_selectors
from core.http import local_path


def safe_next(request, default: str) -> str:
    """The `next` of the form or the query when it is a path on this site ("/..."), otherwise
    `default`. Anything else falls back: another site, a scheme, a relative word such as "foo"
    (which redirect() would try to read as a URL name), control characters, an overlong value."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target.startswith("/"):
        return local_path(request, target) or default
    return default


def expired_session_page(page):
    """Names the page a form of this view returns to when it was sent after the session expired and
    the Referer does not tell the page it was on (frontend/middleware.py). `page(request, *args,
    **kwargs)` gets the view's arguments and returns a path of this site, or None for the home page."""

    def decorate(view):
        view.expired_session_page = page
        return view

    return decorate


def moderator_required(view):
    @wraps(view)
    @login_required
    def wrapped(request, *args, **kwargs):
        if not request.user.is_moderator:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def company_member_required(view):
    """Signed-in members of a company; the view gets the primary membership as `membership`."""

    @wraps(view)
    @login_required
    def wrapped(request, *args, **kwargs):
        membership = accounts_selectors.user_primary_membership(user=request.user)
        if membership is None:
            raise PermissionDenied
        return view(request, *args, membership=membership, **kwargs)

    return wrapped


def company_required(view):
    """Signed-in members of a company; the view gets that company as `company`."""

    @wraps(view)
    @company_member_required
    def wrapped(request, *args, membership, **kwargs):
        return view(request, *args, company=membership.company, **kwargs)

    return wrapped


def seller_required(view):
    """Signed-in members of a selling company; the view gets that company as `seller`."""

    @wraps(view)
    @company_member_required
    def wrapped(request, *args, membership, **kwargs):
        if not membership.company.sells:
            raise PermissionDenied
        return view(request, *args, seller=membership.company, **kwargs)

    return wrapped

