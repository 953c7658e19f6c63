from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts and companies")

    def ready(self) -> None:
        from . import events  # noqa: F401 - registers the company notification events
