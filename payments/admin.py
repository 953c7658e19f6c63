"""Admin of sellers' bank accounts: read-only (view permission only). Accounts are added, changed and archived by their
companies' owners on the site, where every value is checked; here an admin looks them up."""
from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import BankAccount


@admin.register(BankAccount)
class BankAccountAdmin(admin.ModelAdmin):
    list_display = ["label", "company", "currency", "account_display", "bic", "bank_country", "is_default",
                    "archived_at"]
    list_filter = ["currency", "bank_country", "is_default"]
    list_select_related = ["company"]
    search_fields = ["label", "account_holder", "iban", "account_number", "bic", "bank_name", "company__legal_name"]
    ordering = ["company__legal_name", "currency", "label", "pk"]

    @admin.display(description=_("account"))
    def account_display(self, account: BankAccount) -> str:
        return account.account_display

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
