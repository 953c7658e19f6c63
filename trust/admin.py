"""Seller performance in the Django admin, to look things up only: every row is written by the tasks
in trust/tasks.py from the order event log, never by hand."""
from __future__ import annotations

from django.contrib import admin

from .models import OrderRecord, SellerPerformance


class LookOnlyAdmin(admin.ModelAdmin):
    def get_readonly_fields(self, request, obj=None):
        return list(self.fields or [])

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(SellerPerformance)
class SellerPerformanceAdmin(LookOnlyAdmin):
    list_display = ["seller", "orders_90d", "accept_hours_90d", "on_time_pct_90d", "dispute_free_pct_90d",
                    "computed_at"]
    list_select_related = ["seller"]
    search_fields = ["seller__legal_name"]
    fields = ["seller", "orders_90d", "accept_hours_90d", "on_time_pct_90d", "dispute_free_pct_90d", "figures",
              "computed_at"]


@admin.register(OrderRecord)
class OrderRecordAdmin(LookOnlyAdmin):
    list_display = ["order", "seller", "placed_at", "answer", "hours_to_accept", "cancelled_by", "ship_by",
                    "shipped_at", "delivered", "disputed", "refunded"]
    list_select_related = ["order", "seller"]
    list_filter = ["answer", "cancelled_by", "disputed"]
    fields = ["order", "seller", "placed_at", "last_event_id", "answer", "hours_to_accept", "cancelled_by",
              "lead_time_days", "clock_started_at", "ship_by", "shipped_at", "delivered", "disputed", "resolved",
              "refunded", "completed"]
