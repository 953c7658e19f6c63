"""The inbox's threads as the API shows them."""
from __future__ import annotations

from rest_framework import serializers

from orders.selectors import inbox as selectors_inbox

from .rfq_serializers import CompanyRefSerializer, MessageSerializer


class InboxThreadSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=[selectors_inbox.ORDER, selectors_inbox.RFQ],
                                   help_text="order: the thread of an order; rfq: of a request with one seller.")
    order_id = serializers.IntegerField(allow_null=True)
    rfq_id = serializers.IntegerField(allow_null=True)
    seller_id = serializers.IntegerField()
    subject = serializers.CharField(help_text="The order number or the request's title.")
    other_party = CompanyRefSerializer()
    last_message = MessageSerializer()
    last_at = serializers.DateTimeField()
    unread = serializers.IntegerField(min_value=0, help_text="Messages of the other party you have not read.")
