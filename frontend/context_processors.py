from functools import cache

from accounts import selectors


def site(request):
    """The signed-in user's primary membership and company, looked up only when a template asks."""
    user = getattr(request, "user", None)

    @cache
    def membership():
        return selectors.user_primary_membership(user=user) if user is not None else None

    def company():
        found = membership()
        return found.company if found else None

    return {"current_membership": membership, "current_company": company}
