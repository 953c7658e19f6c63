from functools import cache

from accounts import selectors
from orders.selectors.inbox import inbox_unread_count


def site(request):
    """The signed-in user's primary membership and company, looked up only when a template asks."""
    user = getattr(request, "user", None)

    @cache
    def membership():
        return selectors.user_primary_membership(user=user) if user is not None else None

    def company():
        found = membership()
        return found.company if found else None

    @cache
    def inbox_unread():
        return inbox_unread_count(actor=user) if user is not None else 0

    return {"current_membership": membership, "current_company": company, "inbox_unread": inbox_unread}
