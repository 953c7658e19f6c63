from __future__ import annotations

from django.contrib import admin, messages
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .models import Delivery, DeliveryStatus, Event, NotificationPreference, WebhookEndpoint
from .services import relay_nudge


class DeliveryInline(admin.TabularInline):
    model = Delivery
    extra = 0
    can_delete = False
    fields = ["channel", "recipient_key", "status", "attempts", "sent_at", "last_error"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["pk", "name", "company", "created_at"]
    list_filter = ["name"]
    search_fields = ["=uid", "name"]
    readonly_fields = ["uid", "name", "company", "context", "created_at"]
    inlines = [DeliveryInline]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ["pk", "event", "channel", "recipient_key", "status", "attempts", "next_attempt_at", "sent_at"]
    list_filter = ["status", "channel"]
    search_fields = ["recipient_key", "event__name"]
    list_select_related = ["event"]
    readonly_fields = [f.name for f in Delivery._meta.fields]
    actions = ["send_again"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    @admin.action(description=_("Send the selected failed deliveries again"))
    def send_again(self, request, queryset):
        with transaction.atomic():
            count = queryset.filter(status=DeliveryStatus.DEAD).update(
                status=DeliveryStatus.PENDING, attempts=0, next_attempt_at=timezone.now(), failed_at=None,
                claim_token=None)
            if count:
                relay_nudge()
        self.message_user(request, ngettext("%(count)d delivery is queued again.",
                                            "%(count)d deliveries are queued again.", count) % {"count": count},
                          messages.SUCCESS)


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    list_display = ["pk", "company", "url", "is_active", "created_at"]
    list_filter = ["is_active"]
    search_fields = ["url", "company__legal_name"]
    raw_id_fields = ["company", "created_by"]
    exclude = ["secret"]


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "event", "channel", "enabled", "updated_at"]
    list_filter = ["event", "channel", "enabled"]
    search_fields = ["user__email"]
    raw_id_fields = ["user"]
