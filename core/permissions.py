from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission


class IsModerator(BasePermission):
    message = _("Only moderators can do that.")

    def has_permission(self, request, view) -> bool:
        return bool(request.user and request.user.is_authenticated and request.user.is_moderator)
