from functools import cache

from . import selectors


def notifications(request):
    """The unread count for the bell: one query, made only when a page shows the bell."""
    user = getattr(request, "user", None)

    @cache
    def unread() -> int:
        return selectors.notification_unread_count(user=user) if user is not None else 0

    return {"notifications_unread": unread}
