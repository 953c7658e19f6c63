"""Orders are read in the admin; they only move through the services (the API), so every change
has its event. Carts and purchase groups, requests for quotation, quotes and messages are shown
for support."""
from __future__ import annotations

from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from .models import (
    Cart,
    CartLine,
    Message,
    Order,
    OrderEvent,
    OrderLine,
    Instalment,
    Payment,
    SellerPaymentTerm,
    TrustedBuyer,
    PurchaseGroup,
    Quote,
    Rfq,
    RfqRecipient,
)


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
    fields = ["created_at", "instalment", "reference", "amount", "currency", "method", "source", "note",
              "recorded_by"]
    readonly_fields = fields


class InstalmentInline(ReadOnlyInline):
    model = Instalment
    fields = ["sequence", "due", "due_date", "amount", "paid_amount", "currency", "status", "reminded_at"]
    readonly_fields = fields


@admin.register(SellerPaymentTerm)
class SellerPaymentTermAdmin(admin.ModelAdmin):
    list_display = ["id", "seller", "kind", "deposit_percent", "net_days", "archived_at"]
    list_filter = ["kind"]
    search_fields = ["seller__legal_name"]
    list_select_related = ["seller"]
    readonly_fields = ["seller", "kind", "deposit_percent", "net_days", "archived_at"]

    def has_add_permission(self, request):
        return False


@admin.register(TrustedBuyer)
class TrustedBuyerAdmin(admin.ModelAdmin):
    list_display = ["id", "seller", "buyer", "added_by", "created_at"]
    search_fields = ["seller__legal_name", "buyer__legal_name"]
    list_select_related = ["seller", "buyer", "added_by"]
    readonly_fields = ["seller", "buyer", "added_by", "created_at"]

    def has_add_permission(self, request):
        return False


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Order)
class OrderAdmin(ReadOnlyAdmin):
    list_display = ["id", "status", "buyer", "seller", "incoterm", "destination_country", "invoice_total",
                    "amount_paid", "currency", "payment_terms", "placed_at"]
    list_filter = ["status", "incoterm", "currency", "destination_country"]
    search_fields = ["=id", "buyer__legal_name", "seller__legal_name", "tracking_number"]
    list_select_related = ["buyer", "seller"]
    date_hierarchy = "placed_at"
    ordering = ["-placed_at", "-pk"]
    inlines = [OrderLineInline, InstalmentInline, PaymentInline, OrderEventInline]


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


# --- requests for quotation, quotes and messages --------------------------------------------------
# Read only as well: requests, quotes and messages change through the services (the quote's terms,
# its money above all, once accepted, are the order's). User text is shown as text, escaped.

EXCERPT_LENGTH = 80


def _excerpt(text: str) -> str:
    return text if len(text) <= EXCERPT_LENGTH else text[:EXCERPT_LENGTH - 1] + "\u2026"


class RfqRecipientInline(ReadOnlyInline):
    model = RfqRecipient
    fields = ["seller"]
    readonly_fields = fields


class QuoteInline(ReadOnlyInline):
    model = Quote
    fields = ["seller", "status", "unit_price", "currency", "moq", "lead_time_days", "incoterm", "valid_until",
              "revision", "note", "updated_at"]
    readonly_fields = fields
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("seller")


class MessageInline(ReadOnlyInline):
    model = Message
    fields = ["created_at", "seller", "company", "author", "body"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("seller", "company", "author")


@admin.register(Rfq)
class RfqAdmin(ReadOnlyAdmin):
    list_display = ["id", "title", "description_excerpt", "buyer", "category", "status", "audience", "quantity",
                    "incoterm", "destination_country", "deadline", "quote_count", "created_at"]
    list_filter = ["status", "audience", "incoterm", ("category", admin.RelatedOnlyFieldListFilter),
                   "destination_country"]
    search_fields = ["=id", "title", "description", "buyer__legal_name"]
    list_select_related = ["buyer", "category"]
    date_hierarchy = "created_at"
    ordering = ["-created_at", "-pk"]
    inlines = [RfqRecipientInline, QuoteInline, MessageInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(quote_total=Count("quotes"))

    @admin.display(description=_("description"))
    def description_excerpt(self, rfq: Rfq) -> str:
        return _excerpt(rfq.description)

    @admin.display(description=_("quotes"), ordering="quote_total")
    def quote_count(self, rfq: Rfq) -> int:
        return rfq.quote_total


@admin.register(Quote)
class QuoteAdmin(ReadOnlyAdmin):
    list_display = ["id", "rfq", "seller", "status", "unit_price", "currency", "moq", "incoterm", "valid_until",
                    "revision", "updated_at"]
    list_filter = ["status", "currency", "incoterm"]
    search_fields = ["=id", "=rfq__id", "rfq__title", "seller__legal_name"]
    list_select_related = ["rfq", "seller"]
    ordering = ["-created_at", "-pk"]


class MessageThreadFilter(admin.SimpleListFilter):
    title = _("thread")
    parameter_name = "on"

    def lookups(self, request, model_admin):
        return [("rfq", _("request for quotation")), ("order", _("order"))]

    def queryset(self, request, queryset):
        if self.value() == "rfq":
            return queryset.filter(rfq__isnull=False)
        if self.value() == "order":
            return queryset.filter(order__isnull=False)
        return queryset


@admin.register(Message)
class MessageAdmin(ReadOnlyAdmin):
    list_display = ["id", "created_at", "company", "author", "rfq", "order", "body_excerpt"]
    list_filter = [MessageThreadFilter]
    search_fields = ["=id", "=rfq__id", "=order__id", "body", "company__legal_name", "author__email"]
    list_select_related = ["company", "author", "rfq", "order"]
    ordering = ["-created_at", "-pk"]

    @admin.display(description=_("message"))
    def body_excerpt(self, message: Message) -> str:
        return _excerpt(message.body)
