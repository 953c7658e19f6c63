"""Thin API views of the catalogue: parse input, call one service or selector, shape the answer."""
from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response

from accounts.selectors import membership_get
from core.api import validated
from core.pagination import CappedCountPagination, DefaultPagination
from core.permissions import IsModerator
from marketplace import search, selectors, services
from marketplace.models import Listing, ListingImage, ListingReport

from . import serializers as s

LISTING_ID = OpenApiParameter("id", int, OpenApiParameter.PATH)
BAD_QUERY = OpenApiResponse(description='A query parameter is invalid, e.g. a currency without an exchange rate: '
                                        '{"error": {"code": "validation_error", "message": "...", '
                                        '"fields": {"currency": ["..."]}}}; or the search took longer than '
                                        'SEARCH_STATEMENT_TIMEOUT_MS and was stopped: {"error": {"code": '
                                        '"search_too_slow", "message": "The search took too long; add a word or '
                                        'a filter.", "fields": {"q": ["..."]}}}.')


def _shows_private(user, listing: Listing) -> bool:
    """Members of the selling company and moderators also see the changes waiting for review."""
    if not user.is_authenticated:
        return False
    return bool(user.is_moderator or membership_get(actor=user, company=listing.seller))


class ListingViewSet(viewsets.GenericViewSet):
    """Public search and reading of published listings; sellers manage their own; moderators decide."""

    serializer_class = s.ListingDetailSerializer
    lookup_value_regex = r"\d+"
    parser_classes = [JSONParser]
    queryset = Listing.objects.none()  # rows always come from the selectors

    @property
    def pagination_class(self):
        """The public catalogue may hold a million listings: its list counts up to a cap."""
        return CappedCountPagination if getattr(self, "action", None) == "list" else DefaultPagination

    def get_permissions(self):
        if self.action in ("list", "retrieve"):
            return [AllowAny()]
        if self.action in ("approve", "request_changes", "reject", "suspend"):
            return [IsAuthenticated(), IsModerator()]
        return [IsAuthenticated()]

    def get_object(self) -> Listing:
        return selectors.listing_get_for_actor(actor=self.request.user, pk=int(self.kwargs["pk"]))

    def _detail(self, pk: int, *, status_code: int = status.HTTP_200_OK) -> Response:
        listing = selectors.listing_get_for_actor(actor=self.request.user, pk=pk)
        context = {"request": self.request, "show_private": _shows_private(self.request.user, listing),
                   "ships_to": selectors.listing_ships_to(listing)}
        return Response(s.ListingDetailSerializer(listing, context=context).data, status=status_code)

    @extend_schema(parameters=[s.ListingSearchQuerySerializer],
                   responses={200: s.ListingSearchPageSerializer, 400: BAD_QUERY})
    def list(self, request):
        query = dict(validated(s.ListingSearchQuerySerializer, request.query_params))
        display = selectors.display_currency_get(query.pop("currency") or "EUR")
        params = selectors.SearchParams(**query, display=display)
        listings = selectors.listing_search(params=params)
        with search.search_time_limit(params.q):
            page = self.paginate_queryset(listings)
            rows = s.ListingSearchRowSerializer(page, many=True, context={"display": display}).data
        response = self.get_paginated_response(rows)
        response.data["did_you_mean"] = selectors.listing_search_suggestion(params=params, listings=listings)
        return response

    @extend_schema(parameters=[LISTING_ID], responses={200: s.ListingDetailSerializer})
    def retrieve(self, request, pk=None):
        return self._detail(int(pk))

    @extend_schema(request=s.ListingCreateSerializer, responses={201: s.ListingDetailSerializer})
    def create(self, request):
        data = dict(validated(s.ListingCreateSerializer, request.data))
        seller_id = data.pop("seller", None)
        listing = services.listing_create_for_actor(actor=request.user, seller_id=seller_id, data=data)
        return self._detail(listing.pk, status_code=status.HTTP_201_CREATED)

    @extend_schema(parameters=[LISTING_ID], request=s.ListingInputSerializer,
                   responses={200: s.ListingDetailSerializer})
    def partial_update(self, request, pk=None):
        listing = self.get_object()
        data = validated(s.ListingInputSerializer, request.data, partial=True)
        services.listing_update(listing=listing, actor=request.user, data=dict(data))
        return self._detail(listing.pk)

    @extend_schema(parameters=[s.SellerListingQuerySerializer],
                   responses={200: s.SellerListingRowSerializer(many=True)})
    @action(detail=False, methods=["get"])
    def mine(self, request):
        query = validated(s.SellerListingQuerySerializer, request.query_params)
        page = self.paginate_queryset(selectors.listing_list_for_seller(actor=request.user,
                                                                        status=query["status"] or None))
        return self.get_paginated_response(s.SellerListingRowSerializer(page, many=True).data)

    def _move(self, request, service, *, with_reason: bool) -> Response:
        listing = self.get_object()
        if with_reason:
            kwargs = {"reason": validated(s.ListingReasonSerializer, request.data)["reason"]}
        else:
            validated(s.EmptySerializer, request.data)
            kwargs = {}
        service(listing=listing, actor=request.user, **kwargs)
        return self._detail(listing.pk)

    @extend_schema(parameters=[LISTING_ID], request=None, responses={
        200: OpenApiResponse(s.ListingDetailSerializer, description="Submitted for review. shipping_warnings names "
                                                                    "the destinations without a shipping rate."),
        403: OpenApiResponse(description="Not a member of the selling company, or the company is not verified."),
        404: OpenApiResponse(description="No such listing."),
        409: OpenApiResponse(description="The listing cannot be submitted from its state (invalid_transition).")})
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        return self._move(request, services.listing_submit, with_reason=False)

    @extend_schema(parameters=[LISTING_ID], request=None, responses={200: s.ListingDetailSerializer})
    @action(detail=True, methods=["post"])
    def archive(self, request, pk=None):
        return self._move(request, services.listing_archive, with_reason=False)

    @extend_schema(parameters=[LISTING_ID], request=s.ListingReasonSerializer,
                   responses={200: s.ListingDetailSerializer})
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self._move(request, services.listing_approve, with_reason=True)

    @extend_schema(parameters=[LISTING_ID], request=s.ListingReasonSerializer,
                   responses={200: s.ListingDetailSerializer})
    @action(detail=True, methods=["post"], url_path="request-changes")
    def request_changes(self, request, pk=None):
        return self._move(request, services.listing_request_changes, with_reason=True)

    @extend_schema(parameters=[LISTING_ID], request=s.ListingReasonSerializer,
                   responses={200: s.ListingDetailSerializer})
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        return self._move(request, services.listing_reject, with_reason=True)

    @extend_schema(parameters=[LISTING_ID], request=s.ListingReasonSerializer,
                   responses={200: s.ListingDetailSerializer})
    @action(detail=True, methods=["post"])
    def suspend(self, request, pk=None):
        return self._move(request, services.listing_suspend, with_reason=True)

    @extend_schema(parameters=[LISTING_ID], request=s.ListingReasonSerializer, responses={201: s.ReportSerializer})
    @action(detail=True, methods=["post"])
    def report(self, request, pk=None):
        listing = self.get_object()
        reason = validated(s.ListingReasonSerializer, request.data)["reason"]
        report = services.listing_report(listing=listing, reporter=request.user, reason=reason)
        return Response(s.ReportSerializer(report).data, status=status.HTTP_201_CREATED)

    @extend_schema(parameters=[LISTING_ID], responses={200: s.ListingDecisionSerializer(many=True)})
    @action(detail=True, methods=["get"])
    def decisions(self, request, pk=None):
        page = self.paginate_queryset(selectors.listing_decision_list(actor=request.user, listing=self.get_object()))
        return self.get_paginated_response(s.ListingDecisionSerializer(page, many=True).data)

    @extend_schema(parameters=[LISTING_ID], request={"multipart/form-data": s.ImageUploadSerializer},
                   responses={201: s.ListingImageSerializer})
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser])
    def images(self, request, pk=None):
        listing = self.get_object()
        data = validated(s.ImageUploadSerializer, request.data)
        image = services.listing_image_add(listing=listing, actor=request.user, image=data["image"])
        return Response(s.ListingImageSerializer(image, context={"request": request}).data,
                        status=status.HTTP_201_CREATED)

    @extend_schema(parameters=[LISTING_ID, OpenApiParameter("image_id", int, OpenApiParameter.PATH)],
                   request=None, responses={204: None})
    @action(detail=True, methods=["delete"], url_path=r"images/(?P<image_id>\d+)")
    def delete_image(self, request, pk=None, image_id=None):
        image = get_object_or_404(ListingImage, pk=int(image_id), listing=self.get_object())
        services.listing_image_delete(image=image, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class CategoryViewSet(viewsets.ReadOnlyModelViewSet):
    """The category tree as a flat list in tree order, with each node's parent, path and depth."""

    serializer_class = s.CategorySerializer
    permission_classes = [AllowAny]
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        return selectors.category_list()


class ModerationListingQueueView(GenericAPIView):
    """Listings waiting for a moderator, oldest first (moderators only)."""

    permission_classes = [IsModerator]
    serializer_class = s.ModerationListingRowSerializer

    @extend_schema(parameters=[s.ModerationQueueQuerySerializer],
                   responses={200: s.ModerationListingRowSerializer(many=True)})
    def get(self, request):
        query = validated(s.ModerationQueueQuerySerializer, request.query_params)
        page = self.paginate_queryset(selectors.listing_moderation_queue(actor=request.user, **query))
        details = selectors.listing_moderation_details(page)
        return self.get_paginated_response(
            s.ModerationListingRowSerializer(page, many=True, context={"details": details}).data)


class ModerationBulkApproveView(GenericAPIView):
    """Approves several listings; each is decided on its own and reported with its outcome."""

    permission_classes = [IsModerator]
    serializer_class = s.BulkApproveSerializer

    @extend_schema(request=s.BulkApproveSerializer, responses={200: s.BulkApproveResponseSerializer})
    def post(self, request):
        ids = validated(s.BulkApproveSerializer, request.data)["ids"]
        outcome = services.listing_bulk_approve(listing_ids=ids, actor=request.user)
        rows = [{"id": pk, "outcome": outcome[pk]} for pk in sorted(outcome)]
        return Response(s.BulkApproveResponseSerializer({"results": rows}).data)


class ModerationReportViewSet(viewsets.GenericViewSet):
    """Open reports of listings, oldest first, and their resolution (moderators only)."""

    permission_classes = [IsModerator]
    serializer_class = s.ReportSerializer
    lookup_value_regex = r"\d+"
    queryset = ListingReport.objects.none()  # rows always come from the selectors

    @extend_schema(responses={200: s.ReportSerializer(many=True)})
    def list(self, request):
        page = self.paginate_queryset(selectors.listing_report_list(actor=request.user))
        return self.get_paginated_response(s.ReportSerializer(page, many=True).data)

    @extend_schema(parameters=[OpenApiParameter("id", int, OpenApiParameter.PATH)], request=None,
                   responses={200: s.ReportSerializer})
    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None):
        validated(s.EmptySerializer, request.data)
        report = services.listing_report_resolve(report=get_object_or_404(ListingReport, pk=int(pk)),
                                                 actor=request.user)
        return Response(s.ReportSerializer(report).data)
