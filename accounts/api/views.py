"""Thin API views: parse input, call one service or selector, shape the answer."""
from __future__ import annotations

from django.contrib.auth import login, logout
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import selectors, services, tokens
from accounts.downloads import DOCUMENT_CONTENT_TYPES, document_response
from accounts.models import ApiToken, Invite, Membership
from core.api import validated
from core.http import client_ip
from core.pagination import DefaultPagination
from core.permissions import IsModerator
from core.serializers import ErrorSerializer

from . import serializers as s


class RegisterView(APIView):
    rate_limited = True  # sign-in protection answers 429 (documented by core.schema)
    permission_classes = [AllowAny]

    @extend_schema(request=s.RegisterSerializer, responses={201: s.UserSerializer})
    def post(self, request):
        data = validated(s.RegisterSerializer, request.data)
        user, company = services.user_register(**data, client_ip=client_ip(request))
        return Response({"user": s.UserSerializer(user).data, "company": s.CompanySerializer(company).data},
                        status=status.HTTP_201_CREATED)


class LoginView(APIView):
    """Session sign-in for the web client. Throttled per account and per client address."""

    rate_limited = True  # sign-in protection answers 429 (documented by core.schema)

    permission_classes = [AllowAny]

    @extend_schema(request=s.LoginSerializer, responses={200: s.UserSerializer})
    def post(self, request):
        data = validated(s.LoginSerializer, request.data)
        user = services.user_authenticate(email=data["email"], password=data["password"],
                                          client_ip=client_ip(request), request=request)
        login(request, user)
        return Response(s.UserSerializer(user).data)


class LogoutView(APIView):
    """Ends the session; called with a token, revokes that token."""

    permission_classes = [AllowAny]

    @extend_schema(request=None, responses={204: None})
    def post(self, request):
        if isinstance(request.auth, ApiToken):
            tokens.token_revoke(user=request.user, token_id=request.auth.pk)
        logout(request)
        return Response(status=status.HTTP_204_NO_CONTENT)


E400 = OpenApiResponse(ErrorSerializer, description="Invalid input, with a message by field (validation_error).")
E401 = OpenApiResponse(ErrorSerializer, description="No credentials, or a bad, expired or revoked token "
                                                    "(not_authenticated, authentication_failed).")
E404 = OpenApiResponse(ErrorSerializer, description="No such token of yours (not_found).")
E409 = OpenApiResponse(ErrorSerializer, description="Too many live tokens; revoke one first (too_many_tokens).")
E429 = OpenApiResponse(ErrorSerializer, description="Too many failed sign-in attempts; see Retry-After (throttled).")


class TokenView(APIView):
    """A new API token for an integration (e-mail and password). Same throttle as every sign-in.
    Each call creates a token; the secret is in the answer only."""

    rate_limited = True  # sign-in protection answers 429 (documented by core.schema)

    permission_classes = [AllowAny]
    authentication_classes: list = []

    @extend_schema(request=s.TokenRequestSerializer,
                   responses={200: s.ApiTokenCreatedSerializer, 400: E400, 409: E409, 429: E429})
    def post(self, request):
        data = validated(s.TokenRequestSerializer, request.data)
        user = services.user_authenticate(email=data["email"], password=data["password"],
                                          client_ip=client_ip(request), request=request)
        token, secret = tokens.token_create(user=user, name=data["name"], expires_in_days=data.get("expires_in_days"))
        return Response(s.ApiTokenCreatedSerializer({**s.ApiTokenSerializer(token).data, "token": secret}).data)


class EmailVerificationView(APIView):
    """Confirms the e-mail address of the link sent at sign-up."""

    permission_classes = [AllowAny]

    @extend_schema(request=s.EmailVerificationSerializer, responses={204: None, 400: E400})
    def post(self, request):
        data = validated(s.EmailVerificationSerializer, request.data)
        services.email_verification_confirm(token=data["token"])
        return Response(status=status.HTTP_204_NO_CONTENT)


class EmailVerificationResendView(APIView):
    """Sends the signed-in user's verification link again (a few times an hour at most)."""

    rate_limited = True  # sign-in protection answers 429 (documented by core.schema)

    @extend_schema(request=None, responses={
        202: None, 401: E401,
        409: OpenApiResponse(ErrorSerializer, description="Already confirmed (email_already_verified)."),
        429: OpenApiResponse(ErrorSerializer, description="Asked too often; see Retry-After (throttled).")})
    def post(self, request):
        services.email_verification_resend(user=request.user)
        return Response(status=status.HTTP_202_ACCEPTED)


class ApiTokenListView(APIView):
    """The signed-in user's API tokens (newest first), and a new one."""

    pagination_class = DefaultPagination  # also tells the schema that the list is paged

    @extend_schema(responses={200: s.ApiTokenSerializer(many=True), 401: E401})
    def get(self, request):
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(selectors.api_token_list(user=request.user), request, view=self)
        return paginator.get_paginated_response(s.ApiTokenSerializer(page, many=True).data)

    @extend_schema(request=s.TokenInputSerializer,
                   responses={201: s.ApiTokenCreatedSerializer, 400: E400, 401: E401, 409: E409})
    def post(self, request):
        data = validated(s.TokenInputSerializer, request.data)
        token, secret = tokens.token_create(user=request.user, name=data["name"],
                                            expires_in_days=data.get("expires_in_days"))
        return Response(s.ApiTokenCreatedSerializer({**s.ApiTokenSerializer(token).data, "token": secret}).data,
                        status=status.HTTP_201_CREATED)


class ApiTokenDetailView(APIView):
    @extend_schema(request=None, responses={204: None, 401: E401, 404: E404})
    def delete(self, request, token_id: int):
        tokens.token_revoke(user=request.user, token_id=token_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class PasswordResetView(APIView):
    rate_limited = True  # sign-in protection answers 429 (documented by core.schema)
    permission_classes = [AllowAny]

    @extend_schema(request=s.PasswordResetSerializer, responses={202: None})
    def post(self, request):
        data = validated(s.PasswordResetSerializer, request.data)
        services.password_reset_request(email=data["email"], client_ip=client_ip(request))
        return Response(status=status.HTTP_202_ACCEPTED)


class PasswordResetConfirmView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(request=s.PasswordResetConfirmSerializer, responses={204: None})
    def post(self, request):
        data = validated(s.PasswordResetConfirmSerializer, request.data)
        services.password_reset_confirm(uidb64=data["uid"], token=data["token"], new_password=data["new_password"])
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeView(APIView):
    @extend_schema(responses={200: s.UserSerializer})
    def get(self, request):
        companies = selectors.user_companies(user=request.user)
        return Response({**s.UserSerializer(request.user).data,
                         "companies": s.CompanySerializer(companies, many=True, context={"show_private": True}).data})

    @extend_schema(request=s.MeInputSerializer, responses={200: s.UserSerializer})
    def patch(self, request):
        data = validated(s.MeInputSerializer, request.data)
        user = services.user_update(user=request.user, data=data)
        return Response(s.UserSerializer(user).data)


DOCUMENT_ACTIONS = ("documents", "delete_document", "download_document")


class CompanyViewSet(viewsets.GenericViewSet):
    """Public company profiles; owners edit their own; moderators decide on verification."""

    serializer_class = s.CompanySerializer

    def get_parsers(self):
        """JSON everywhere; the profile edit also takes multipart, for the logo."""
        action = getattr(self, "action", None)
        if action is None and getattr(self, "request", None) is not None:  # parsers are chosen before the action
            action = getattr(self, "action_map", {}).get(self.request.method.lower())
        if action == "partial_update":
            return [JSONParser(), MultiPartParser(), FormParser()]
        if action == "documents" and getattr(self, "request", None) is not None and self.request.method == "POST":
            return [MultiPartParser(), FormParser()]  # an upload; nothing else takes multipart
        return super().get_parsers()

    def perform_content_negotiation(self, request, force=False):
        """A download answers with the file's own type, whatever the client accepts."""
        return super().perform_content_negotiation(request, force=force or self.action == "download_document")

    def get_permissions(self):
        if self.action in ("list", "retrieve"):
            return [AllowAny()]
        if self.action in DOCUMENT_ACTIONS:  # the selector answers 404 to anyone not a member or moderator
            return [AllowAny()]
        return [IsAuthenticated()]

    def get_queryset(self):
        params = self.request.query_params
        return selectors.company_list(actor=self.request.user, status=params.get("verification_status"),
                                      country=params.get("country"), kind=params.get("kind"))

    def get_object(self):
        return selectors.company_get(actor=self.request.user, pk=self.kwargs["pk"])

    @extend_schema(parameters=[OpenApiParameter("verification_status"), OpenApiParameter("country"),
                               OpenApiParameter("kind")])
    def list(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(s.CompanySerializer(page, many=True).data)

    def _company(self, company):
        """The profile with the review state its viewer may see (members and moderators)."""
        user = self.request.user
        context = {"show_private": selectors.company_shows_private(actor=user, company=company),
                   "moderator": bool(user.is_authenticated and user.is_moderator)}
        return s.CompanySerializer(company, context=context).data

    def retrieve(self, request, pk=None):
        return Response(self._company(self.get_object()))

    @extend_schema(request=s.CompanyInputSerializer, responses={200: s.CompanySerializer})
    def partial_update(self, request, pk=None):
        """Identity fields (legal name, registration number, country, kind) of a verified or
        suspended company wait in `pending_changes` for a moderator; the rest applies at once."""
        company = self.get_object()
        data = validated(s.CompanyInputSerializer, request.data, partial=True)
        company = services.company_update(company=company, actor=request.user, data=data)
        return Response(self._company(company))

    def _decide(self, request, service, *, with_reason: bool = True):
        company = self.get_object()
        kwargs = {}
        if with_reason:
            kwargs["reason"] = validated(s.ReasonSerializer, request.data)["reason"]
        else:
            validated(s.ReasonSerializer, {})
        company = service(company=company, actor=request.user, **kwargs)
        return Response(self._company(company))

    @extend_schema(request=None, responses={200: s.CompanySerializer})
    @action(detail=True, methods=["post"], url_path="submit-verification")
    def submit_verification(self, request, pk=None):
        return self._decide(request, services.company_verification_submit, with_reason=False)

    @extend_schema(request=s.ReasonSerializer, responses={200: s.CompanySerializer})
    @action(detail=True, methods=["post"])
    def verify(self, request, pk=None):
        return self._decide(request, services.company_verify)

    @extend_schema(request=s.ReasonSerializer, responses={200: s.CompanySerializer})
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        return self._decide(request, services.company_reject)

    @extend_schema(request=s.ReasonSerializer, responses={200: s.CompanySerializer})
    @action(detail=True, methods=["post"])
    def suspend(self, request, pk=None):
        return self._decide(request, services.company_suspend)

    @extend_schema(request=s.ReasonSerializer, responses={200: s.CompanySerializer})
    @action(detail=True, methods=["post"])
    def reinstate(self, request, pk=None):
        return self._decide(request, services.company_reinstate)

    @extend_schema(request=s.ReasonSerializer, responses={
        200: s.CompanySerializer, 400: ErrorSerializer, 403: ErrorSerializer, 404: ErrorSerializer,
        409: OpenApiResponse(ErrorSerializer, description="No identity changes wait for review "
                                                          "(invalid_transition).")})
    @action(detail=True, methods=["post"], url_path="approve-identity")
    def approve_identity(self, request, pk=None):
        """A moderator applies the identity changes waiting for review (recorded in the history)."""
        return self._decide(request, services.company_identity_approve)

    @extend_schema(request=s.ReasonSerializer, responses={
        200: s.CompanySerializer, 400: ErrorSerializer, 403: ErrorSerializer, 404: ErrorSerializer,
        409: OpenApiResponse(ErrorSerializer, description="No identity changes wait for review "
                                                          "(invalid_transition).")})
    @action(detail=True, methods=["post"], url_path="reject-identity")
    def reject_identity(self, request, pk=None):
        """A moderator drops the identity changes waiting for review; a reason is required."""
        return self._decide(request, services.company_identity_reject)

    @extend_schema(responses={200: s.DecisionSerializer(many=True)})
    @action(detail=True, methods=["get"], url_path="verification-history")
    def verification_history(self, request, pk=None):
        qs = selectors.verification_history(actor=request.user, company=self.get_object())
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(s.DecisionSerializer(page, many=True).data)

    @extend_schema(
        methods=["GET"], request=None,
        responses={200: s.VerificationDocumentSerializer(many=True), 401: E401,
                   404: OpenApiResponse(ErrorSerializer, description="No such company of yours (not_found).")})
    @extend_schema(
        methods=["POST"], request={"multipart/form-data": s.DocumentUploadSerializer},
        responses={201: s.VerificationDocumentSerializer,
                   400: OpenApiResponse(ErrorSerializer, description="Not a PDF or an image, too large, or an "
                                                                     "unknown kind (validation_error)."),
                   401: E401,
                   403: OpenApiResponse(ErrorSerializer, description="Only the company's members upload."),
                   404: OpenApiResponse(ErrorSerializer, description="No such company of yours (not_found)."),
                   409: OpenApiResponse(ErrorSerializer, description="The company has as many documents as "
                                                                     "allowed (too_many_documents).")})
    @action(detail=True, methods=["get", "post"])
    def documents(self, request, pk=None):
        """The company's verification documents (its members and the moderators; 404 for anyone
        else); a member uploads one as multipart/form-data (`kind`, `file`)."""
        company = self.get_object()
        documents = selectors.verification_document_list(actor=request.user, company=company)
        if request.method == "GET":
            page = self.paginate_queryset(documents)
            return self.get_paginated_response(s.VerificationDocumentSerializer(page, many=True).data)
        data = validated(s.DocumentUploadSerializer, request.data)
        document = services.verification_document_upload(company=company, actor=request.user, kind=data["kind"],
                                                         file=data["file"])
        return Response(s.VerificationDocumentSerializer(document).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={
        204: None, 401: E401,
        403: OpenApiResponse(ErrorSerializer, description="Only the company's members delete its documents."),
        404: OpenApiResponse(ErrorSerializer, description="No such document of yours (not_found)."),
        409: OpenApiResponse(ErrorSerializer, description="A decision rested on the document (document_in_use).")})
    @action(detail=True, methods=["delete"], url_path=r"documents/(?P<document_id>\d+)")
    def delete_document(self, request, pk=None, document_id=None):
        document = selectors.verification_document_get(actor=request.user, pk=document_id, company_id=pk)
        services.verification_document_delete(document=document, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=None, responses={
        **{(200, content_type): OpenApiResponse(OpenApiTypes.BINARY, description="The file, as an attachment.")
           for content_type in DOCUMENT_CONTENT_TYPES},
        401: E401, 404: OpenApiResponse(ErrorSerializer, description="No such document of yours (not_found).")})
    @action(detail=True, methods=["get"], url_path=r"documents/(?P<document_id>\d+)/download")
    def download_document(self, request, pk=None, document_id=None):
        """The file of a verification document, for the company's members and the moderators."""
        document = selectors.verification_document_get(actor=request.user, pk=document_id, company_id=pk)
        return document_response(document)

    @extend_schema(responses={200: s.MembershipSerializer(many=True)})
    @action(detail=True, methods=["get"])
    def members(self, request, pk=None):
        qs = selectors.company_member_list(actor=request.user, company=self.get_object())
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(s.MembershipSerializer(page, many=True).data)

    @extend_schema(request=None, responses={204: None})
    @action(detail=True, methods=["delete"], url_path=r"members/(?P<membership_id>\d+)")
    def remove_member(self, request, pk=None, membership_id=None):
        company = self.get_object()
        membership = get_object_or_404(Membership, pk=membership_id, company=company)
        services.membership_remove(membership=membership, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=s.InviteInputSerializer, responses={200: s.InviteSerializer(many=True),
                                                               201: s.InviteSerializer})
    @action(detail=True, methods=["get", "post"])
    def invites(self, request, pk=None):
        company = self.get_object()
        if request.method == "GET":
            page = self.paginate_queryset(selectors.company_invite_list(actor=request.user, company=company))
            return self.get_paginated_response(s.InviteSerializer(page, many=True).data)
        data = validated(s.InviteInputSerializer, request.data)
        invite = services.invite_create(company=company, actor=request.user, **data)
        return Response(s.InviteSerializer(invite).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={204: None})
    @action(detail=True, methods=["delete"], url_path=r"invites/(?P<invite_id>\d+)")
    def revoke_invite(self, request, pk=None, invite_id=None):
        company = self.get_object()
        invite = get_object_or_404(Invite, pk=invite_id, company=company, accepted_at__isnull=True)
        services.invite_revoke(invite=invite, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class InviteAcceptView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(request=s.InviteAcceptSerializer, responses={201: s.MembershipSerializer})
    def post(self, request):
        data = validated(s.InviteAcceptSerializer, request.data)
        user = request.user if request.user.is_authenticated else None
        membership = services.invite_accept(token=data["token"], user=user, password=data.get("password"),
                                            full_name=data.get("full_name"))
        return Response(s.MembershipSerializer(membership).data, status=status.HTTP_201_CREATED)


class ModerationCompanyQueueView(APIView):
    """Companies waiting for a verification decision, oldest first (moderators only)."""

    permission_classes = [IsModerator]
    pagination_class = CompanyViewSet.pagination_class  # also tells the schema that the list is paged

    @extend_schema(responses={200: s.ModerationCompanySerializer(many=True)})
    def get(self, request):
        """Each with its documents and the checks of its registration and tax numbers."""
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(selectors.company_pending_list(actor=request.user), request, view=self)
        context = {"show_private": True, "moderator": True}
        return paginator.get_paginated_response(s.ModerationCompanySerializer(page, many=True, context=context).data)
