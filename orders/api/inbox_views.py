"""GET /inbox/: the message threads of your companies, on orders and on requests for quotation,
newest first, each with its newest message and how many messages you have not read."""
from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.permissions import IsAuthenticated
from rest_framework.views import APIView

from core.pagination import DefaultPagination
from orders.selectors import inbox as selectors_inbox

from .inbox_serializers import InboxThreadSerializer


class InboxView(APIView):
    """Your message threads, newest first, with the number of unread messages of each and in all."""

    permission_classes = [IsAuthenticated]
    pagination_class = DefaultPagination

    @extend_schema(responses={200: InboxThreadSerializer(many=True)})
    def get(self, request):
        paginator = self.pagination_class()
        rows = paginator.paginate_queryset(selectors_inbox.inbox_thread_list(actor=request.user), request, view=self)
        threads = selectors_inbox.inbox_threads(actor=request.user, rows=rows)
        return paginator.get_paginated_response(InboxThreadSerializer(threads, many=True).data)
