"""Orders are read in the admin; they only move through the services (the API), so every change
has its event. Carts and purchase groups are shown for support."""
from __future__ import annotations

from django.contrib import admin

from .models import Cart, CartLine, Order, OrderEvent, OrderLine, Payment, PurchaseGroup


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class OrderLineInline(ReadOnlyInline):
    model = OrderLine
    fields = ["listing_ref", "title", "hs_code", "origin_country", "quantity", "unit", "unit_price", "line_total",
              "weight_kg"]
    readonly_fields = fields


class OrderEventInline(ReadOnlyInline):
    model = OrderEvent
    fields = ["created_at", "role", "actor", "from_status", "to_status", "reason", "payload", "sent_at"]
    readonly_fields = fields


class PaymentInline(ReadOnlyInline):
    model = Payment
    fields = ["created_at", "reference", "amount", "currency", "method", "recorded_by"]
    readonly_fields = fields


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Order)
class OrderAdmin(ReadOnlyAdmin):
    list_display = ["id", "status", "buyer", "seller", "incoterm", "destination_country", "buyer_pays", "currency",
                    "placed_at"]
    list_filter = ["status", "incoterm", "currency", "destination_country"]
    search_fields = ["=id", "buyer__legal_name", "seller__legal_name", "tracking_number"]
    list_select_related = ["buyer", "seller"]
    date_hierarchy = "placed_at"
    ordering = ["-placed_at", "-pk"]
    inlines = [OrderLineInline, PaymentInline, OrderEventInline]


@admin.register(PurchaseGroup)
class PurchaseGroupAdmin(ReadOnlyAdmin):
    list_display = ["id", "buyer", "created_by", "idempotency_key", "created_at"]
    search_fields = ["=id", "buyer__legal_name", "idempotency_key"]
    list_select_related = ["buyer", "created_by"]
    ordering = ["-created_at", "-pk"]


class CartLineInline(ReadOnlyInline):
    model = CartLine
    fields = ["listing", "quantity", "incoterm", "added_by", "updated_at"]
    readonly_fields = fields


@admin.register(Cart)
class CartAdmin(ReadOnlyAdmin):
    list_display = ["id", "buyer", "updated_at"]
    search_fields = ["buyer__legal_name"]
    list_select_related = ["buyer"]
    inlines = [CartLineInline]
