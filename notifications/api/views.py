"""Thin API views for in-app notifications, preferences and company webhooks."""
from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.generics import ListAPIView
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Membership, MembershipRole

from .. import selectors, services
from . import serializers as s
from core.api import validated
from core.inputs import query_flag
from core.serializers import ErrorSerializer


class IsCompanyOwner(BasePermission):
    message = _("Only an owner of the company can manage its webhooks.")

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and
                    Membership.objects.filter(user=user, role=MembershipRole.OWNER).exists())


# --- in-app notifications --------------------------------------------------------------------------

class NotificationListView(ListAPIView):
    """The signed-in user's in-app notifications, newest first. `?unread=true` for unread ones only."""

    serializer_class = s.NotificationSerializer
    permission_classes = [IsAuthenticated]

    def get_queryset(self):
        unread = query_flag(self.request.query_params, "unread")
        return selectors.notification_list(user=self.request.user, unread_only=unread)

    @extend_schema(parameters=[OpenApiParameter("unread", bool, description="Only unread notifications.")])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class NotificationUnreadCountView(APIView):
    @extend_schema(responses={200: s.UnreadCountSerializer})
    def get(self, request):
        return Response({"unread": selectors.notification_unread_count(user=request.user)})


class NotificationReadView(APIView):
    @extend_schema(request=None, responses={200: s.NotificationSerializer})
    def post(self, request, pk: int):
        notification = services.notification_mark_read(user=request.user, notification_id=pk)
        return Response(s.NotificationSerializer(notification).data)


class NotificationReadAllView(APIView):
    @extend_schema(request=None, responses={200: s.MarkedSerializer})
    def post(self, request):
        return Response({"marked": services.notification_mark_all_read(user=request.user)})


class PreferenceView(APIView):
    """Which events reach the user on which channel. Mandatory events cannot be switched off."""

    @extend_schema(responses={200: s.PreferenceSerializer(many=True)})
    def get(self, request):
        return Response(s.PreferenceSerializer(selectors.preference_list(user=request.user), many=True).data)

    @extend_schema(request=s.PreferenceInputSerializer, responses={200: s.PreferenceSerializer})
    def patch(self, request):
        data = validated(s.PreferenceInputSerializer, request.data)
        services.preference_set(user=request.user, **data)
        row = next(r for r in selectors.preference_list(user=request.user)
                   if (r.event, r.channel) == (data["event"], data["channel"]))
        return Response(s.PreferenceSerializer(row).data)


# --- webhooks -------------------------------------------------------------------------------------

class WebhookEndpointListView(APIView):
    """The webhook endpoints of the companies you own; owners register new ones."""

    permission_classes = [IsAuthenticated, IsCompanyOwner]

    @extend_schema(responses={200: s.WebhookEndpointSerializer(many=True)})
    def get(self, request):
        return Response(s.WebhookEndpointSerializer(selectors.webhook_endpoint_list(actor=request.user),
                                                    many=True).data)

    @extend_schema(request=s.WebhookEndpointCreateSerializer, responses={201: s.WebhookEndpointWithSecretSerializer})
    def post(self, request):
        data = validated(s.WebhookEndpointCreateSerializer, request.data)
        endpoint = services.webhook_endpoint_create(actor=request.user, url=data["url"], events=data["events"],
                                                    company_id=data.get("company"), is_active=data["is_active"])
        return Response(s.WebhookEndpointWithSecretSerializer(endpoint).data, status=status.HTTP_201_CREATED)


class WebhookEndpointDetailView(APIView):
    permission_classes = [IsAuthenticated, IsCompanyOwner]

    def _get(self, request, pk: int):
        endpoint = selectors.webhook_endpoint_get(actor=request.user, pk=pk)
        if endpoint is None:
            raise Http404
        return endpoint

    @extend_schema(responses={200: s.WebhookEndpointSerializer})
    def get(self, request, pk: int):
        return Response(s.WebhookEndpointSerializer(self._get(request, pk)).data)

    @extend_schema(request=s.WebhookEndpointUpdateSerializer, responses={200: s.WebhookEndpointSerializer})
    def patch(self, request, pk: int):
        data = validated(s.WebhookEndpointUpdateSerializer, request.data)
        endpoint = services.webhook_endpoint_update(actor=request.user, endpoint_id=pk, data=data)
        return Response(s.WebhookEndpointSerializer(endpoint).data)

    @extend_schema(responses={204: None})
    def delete(self, request, pk: int):
        services.webhook_endpoint_delete(actor=request.user, endpoint_id=pk)
        return Response(status=status.HTTP_204_NO_CONTENT)


class WebhookEndpointRotateSecretView(APIView):
    permission_classes = [IsAuthenticated, IsCompanyOwner]

    @extend_schema(request=None, responses={200: s.WebhookEndpointWithSecretSerializer})
    def post(self, request, pk: int):
        endpoint = services.webhook_endpoint_rotate_secret(actor=request.user, endpoint_id=pk)
        return Response(s.WebhookEndpointWithSecretSerializer(endpoint).data)


class WebhookEndpointTestView(APIView):
    """Sends a signed `webhook.test` event to the endpoint, through the same outbox, signature and
    retries as real events; 202 once it is queued. At most three test events per endpoint wait at once."""

    permission_classes = [IsAuthenticated, IsCompanyOwner]

    @extend_schema(request=None, responses={
        202: s.WebhookDeliverySerializer,
        403: OpenApiResponse(ErrorSerializer, description="Not signed in (not_authenticated), or not an owner of "
                                                          "any company (permission_denied)."),
        404: OpenApiResponse(ErrorSerializer, description="No such endpoint of a company you own (not_found)."),
        409: OpenApiResponse(ErrorSerializer, description="The endpoint is switched off (endpoint_inactive), or "
                                                          "three test events to it are still waiting "
                                                          "(test_events_waiting)."),
    })
    def post(self, request, pk: int):
        delivery = services.webhook_endpoint_test(actor=request.user, endpoint_id=pk)
        return Response(s.WebhookDeliverySerializer(delivery).data, status=status.HTTP_202_ACCEPTED)


class DeadLetterListView(ListAPIView):
    """Webhook deliveries of your companies that failed after the last retry."""

    permission_classes = [IsAuthenticated, IsCompanyOwner]
    serializer_class = s.DeadLetterSerializer

    def get_queryset(self):
        return selectors.webhook_dead_letter_list(actor=self.request.user)


class DeadLetterReplayView(APIView):
    """Puts a failed delivery back in the outbox; it is sent again like a new one."""

    permission_classes = [IsAuthenticated, IsCompanyOwner]

    @extend_schema(request=None, responses={202: s.DeadLetterSerializer})
    def post(self, request, pk: int):
        delivery = services.webhook_delivery_replay(actor=request.user, delivery_id=pk)
        return Response(s.DeadLetterSerializer(delivery).data, status=status.HTTP_202_ACCEPTED)
