from django.contrib import admin

from .models import BankStatement, StatementEntry


class _ReadOnly:
    """Shown, never added, changed or deleted here: the rows are written by the services."""

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(BankStatement)
class BankStatementAdmin(_ReadOnly, admin.ModelAdmin):
    list_display = ["pk", "company", "statement_id", "format", "status", "total_entries", "processed_entries",
                    "matched_count", "created_at"]
    list_filter = ["status", "format"]
    list_select_related = ["company"]
    search_fields = ["statement_id", "original_name", "company__legal_name"]
    exclude = ["file"]


@admin.register(StatementEntry)
class StatementEntryAdmin(_ReadOnly, admin.ModelAdmin):
    list_display = ["pk", "statement", "position", "entry_reference", "amount", "currency", "outcome", "order"]
    list_filter = ["outcome"]
    search_fields = ["entry_reference", "structured_reference"]
    raw_id_fields = ["statement", "order", "duplicate_of"]
    exclude = ["payments"]
