from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    default = True
    name = "accounts"
    verbose_name = _("Accounts and companies")

    def ready(self) -> None:
        from . import events  # noqa: F401 - registers the company notification events
        from . import schema  # noqa: F401 - describes the token authentication in the API schema


class SMEAdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin with a site whose login goes through the sign-in throttle."""

    default = False
    default_site = "accounts.admin_site.SMEAdminSite"
