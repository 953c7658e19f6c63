"""Thin API views of reviews: parse input, call one service or selector, shape the answer.

- /orders/{id}/review/: the review of an order (its parties and moderators); post it (a member of
  the buying company, once the order is completed).
- /reviews/{id}/reply/: the seller's one reply. /reviews/{id}/report/: a member of another company
  reports a review.
- /reviews/{id}/hide/, /unhide/, /dismiss-reports/: the moderators' decisions.
- /sellers/{id}/reviews/: a seller's visible reviews with its average and count (public).
- /review-reports/: the open reports (moderators)."""
from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound
from rest_framework.parsers import JSONParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.selectors import company_get
from core.api import validated
from core.pagination import DefaultPagination
from core.permissions import IsModerator
from reviews import selectors, services

from . import serializers as s

ID = OpenApiParameter("id", int, OpenApiParameter.PATH)
PAGE = OpenApiParameter("page", {"type": "integer", "minimum": 1}, description="A page number.")
PAGE_SIZE = OpenApiParameter("page_size", {"type": "integer", "minimum": 1},
                             description=f"Results per page (at most {DefaultPagination.max_page_size}; more is "
                                         "cut to that).")


class OrderReviewView(APIView):
    """The review of one order."""

    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser]

    @extend_schema(parameters=[ID], responses={200: s.OrderReviewSerializer})
    def get(self, request, pk: int):
        review = selectors.review_for_order(actor=request.user, order_id=pk)
        if review is None:
            raise NotFound(_("This order has no review yet."))
        return Response(s.OrderReviewSerializer(review).data)

    @extend_schema(parameters=[ID], request=s.ReviewInputSerializer, responses={201: s.OrderReviewSerializer})
    def post(self, request, pk: int):
        data = validated(s.ReviewInputSerializer, request.data)
        review = services.review_post(actor=request.user, order_id=pk, **data)
        return Response(s.OrderReviewSerializer(review).data, status=status.HTTP_201_CREATED)


class ReviewReplyView(APIView):
    """The reviewed seller's one reply."""

    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser]

    @extend_schema(parameters=[ID], request=s.ReviewReplyInputSerializer, responses={200: s.OrderReviewSerializer})
    def post(self, request, pk: int):
        data = validated(s.ReviewReplyInputSerializer, request.data)
        review = services.review_reply(actor=request.user, review_id=pk, text=data["reply"])
        return Response(s.OrderReviewSerializer(review).data)


class ReviewReportView(APIView):
    """A member of a company other than the author's reports a review to the moderators."""

    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser]

    @extend_schema(parameters=[ID], request=s.ReviewReasonInputSerializer, responses={201: s.ReviewReportSerializer})
    def post(self, request, pk: int):
        review = selectors.review_get_visible(actor=request.user, pk=pk)
        data = validated(s.ReviewReasonInputSerializer, request.data)
        report = services.review_report(actor=request.user, review=review, reason=data["reason"])
        return Response(s.ReviewReportSerializer(report).data, status=status.HTTP_201_CREATED)


class ReviewHideView(APIView):
    """A moderator hides a review, with the reason the companies are told."""

    permission_classes = [IsModerator]
    parser_classes = [JSONParser]

    @extend_schema(parameters=[ID], request=s.ReviewReasonInputSerializer, responses={200: s.OrderReviewSerializer})
    def post(self, request, pk: int):
        data = validated(s.ReviewReasonInputSerializer, request.data)
        review = services.review_hide(actor=request.user, review_id=pk, reason=data["reason"])
        return Response(s.OrderReviewSerializer(review).data)


class ReviewUnhideView(APIView):
    """A moderator shows a hidden review again."""

    permission_classes = [IsModerator]
    parser_classes = [JSONParser]

    @extend_schema(parameters=[ID], request=s.ReviewOptionalReasonInputSerializer,
                   responses={200: s.OrderReviewSerializer})
    def post(self, request, pk: int):
        data = validated(s.ReviewOptionalReasonInputSerializer, request.data)
        review = services.review_unhide(actor=request.user, review_id=pk, reason=data["reason"])
        return Response(s.OrderReviewSerializer(review).data)


class ReviewDismissReportsView(APIView):
    """A moderator leaves a reported review visible and resolves its open reports."""

    permission_classes = [IsModerator]
    parser_classes = [JSONParser]

    @extend_schema(parameters=[ID], request=None, responses={200: s.ReviewReportsDismissedSerializer})
    def post(self, request, pk: int):
        validated(s.ReviewEmptyInputSerializer, request.data)
        dismissed = services.review_reports_dismiss(actor=request.user, review_id=pk)
        return Response(s.ReviewReportsDismissedSerializer({"dismissed": dismissed}).data)


class SellerReviewsView(APIView):
    """A seller's visible reviews, newest first, with its average and count."""

    permission_classes = [AllowAny]

    @extend_schema(parameters=[ID, PAGE, PAGE_SIZE], responses={200: s.SellerReviewPageSerializer})
    def get(self, request, pk: int):
        seller = company_get(actor=request.user, pk=pk)
        paginator = DefaultPagination()
        page = paginator.paginate_queryset(selectors.review_list_for_seller(actor=request.user, seller=seller),
                                           request, view=self)
        rating = selectors.seller_rating_get(seller_id=seller.pk)
        body = paginator.get_paginated_response(s.ReviewSerializer(page, many=True).data).data
        body["rating"] = s.SellerRatingSerializer(rating).data if rating else {
            "review_count": 0, "average": None, "product": None, "communication": None, "shipping": None}
        return Response(body)


class ReviewReportListView(APIView):
    """Open reports of reviews, oldest first (moderators)."""

    permission_classes = [IsModerator]
    pagination_class = DefaultPagination  # also tells the schema that the list is paged

    @extend_schema(responses={200: s.ReviewModerationReportSerializer(many=True)})
    def get(self, request):
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(selectors.review_report_list(actor=request.user), request, view=self)
        return paginator.get_paginated_response(s.ReviewModerationReportSerializer(page, many=True).data)
