"""Administrators read the stored rates and enter rates for currencies the ECB does not publish."""
from __future__ import annotations

from django.contrib import admin

from .models import FxRate, FxSource


@admin.register(FxRate)
class FxRateAdmin(admin.ModelAdmin):
    """New rows are manual rates (the model's default source). ECB rows are read-only; a manual row's
    date and currency are fixed once saved, only its rate can be corrected."""

    list_display = ["date", "currency", "rate", "source", "updated_at"]
    list_filter = ["source", "currency", "date"]
    search_fields = ["currency"]
    date_hierarchy = "date"
    ordering = ["-date", "currency"]
    fields = ["date", "currency", "rate", "source", "created_at", "updated_at"]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ["source", "created_at", "updated_at"]
        return ["date", "currency", "source", "created_at", "updated_at"]

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.source == FxSource.ECB:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.source == FxSource.ECB:
            return False
        return super().has_delete_permission(request, obj)
