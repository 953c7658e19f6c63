"""Input and output shapes of the notifications and webhooks API."""
from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .. import selectors
from ..models import USER_CHANNELS, Delivery, WebhookEndpoint


class StrictInput(serializers.Serializer):
    """Refuses keys it does not know, naming them in a 400."""

    def to_internal_value(self, data):
        if hasattr(data, "keys"):
            unknown = sorted(set(data.keys()) - {name for name, f in self.fields.items() if not f.read_only})
            if unknown:
                raise serializers.ValidationError({name: [_("This field cannot be set.")] for name in unknown})
        return super().to_internal_value(data)


class NotificationSerializer(serializers.ModelSerializer):
    event = serializers.CharField(source="event.name", read_only=True)
    text = serializers.SerializerMethodField()
    link = serializers.SerializerMethodField()
    unread = serializers.SerializerMethodField()

    class Meta:
        model = Delivery
        fields = ["id", "event", "text", "link", "created_at", "read_at", "unread"]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField())
    def get_text(self, obj: Delivery) -> str:
        return selectors.notification_text(obj)

    @extend_schema_field(serializers.CharField())
    def get_link(self, obj: Delivery) -> str:
        return selectors.notification_link(obj)

    @extend_schema_field(serializers.BooleanField())
    def get_unread(self, obj: Delivery) -> bool:
        return obj.read_at is None


class UnreadCountSerializer(serializers.Serializer):
    unread = serializers.IntegerField()


class MarkedSerializer(serializers.Serializer):
    marked = serializers.IntegerField()


class PreferenceSerializer(serializers.Serializer):
    event = serializers.CharField()
    label = serializers.CharField()
    channel = serializers.ChoiceField(choices=USER_CHANNELS)
    enabled = serializers.BooleanField()
    mandatory = serializers.BooleanField()


class PreferenceInputSerializer(StrictInput):
    event = serializers.CharField(max_length=100)
    channel = serializers.ChoiceField(choices=USER_CHANNELS)
    enabled = serializers.BooleanField()


class WebhookEndpointSerializer(serializers.ModelSerializer):
    company = serializers.IntegerField(source="company_id", read_only=True)
    events = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = WebhookEndpoint
        fields = ["id", "company", "url", "events", "is_active", "created_at", "updated_at"]
        read_only_fields = fields


class WebhookEndpointWithSecretSerializer(WebhookEndpointSerializer):
    """Only the answers to creating an endpoint and to rotating its secret carry the secret."""

    class Meta(WebhookEndpointSerializer.Meta):
        fields = [*WebhookEndpointSerializer.Meta.fields, "secret"]
        read_only_fields = fields


class WebhookEndpointCreateSerializer(StrictInput):
    company = serializers.IntegerField(required=False, help_text="Default: the first company you own.")
    url = serializers.CharField(max_length=500)
    events = serializers.ListField(child=serializers.CharField(max_length=100), allow_empty=False)
    is_active = serializers.BooleanField(required=False, default=True)


class WebhookEndpointUpdateSerializer(StrictInput):
    url = serializers.CharField(max_length=500, required=False)
    events = serializers.ListField(child=serializers.CharField(max_length=100), allow_empty=False, required=False)
    is_active = serializers.BooleanField(required=False)


class DeadLetterSerializer(serializers.ModelSerializer):
    endpoint = serializers.IntegerField(source="endpoint_id", read_only=True)
    url = serializers.CharField(source="endpoint.url", read_only=True)
    event = serializers.CharField(source="event.name", read_only=True)
    event_id = serializers.UUIDField(source="event.uid", read_only=True)
    data = serializers.JSONField(source="event.context", read_only=True)

    class Meta:
        model = Delivery
        fields = ["id", "endpoint", "url", "event", "event_id", "data", "status", "attempts", "last_error",
                  "failed_at", "created_at"]
        read_only_fields = fields


class WebhookDeliverySerializer(DeadLetterSerializer):
    """One webhook delivery: its event, where it goes and how far it got."""

    class Meta(DeadLetterSerializer.Meta):
        pass
