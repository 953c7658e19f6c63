from django.urls import path
from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("companies", views.CompanyViewSet, basename="company")

urlpatterns = [
    path("auth/register/", views.RegisterView.as_view(), name="auth-register"),
    path("auth/login/", views.LoginView.as_view(), name="auth-login"),
    path("auth/logout/", views.LogoutView.as_view(), name="auth-logout"),
    path("auth/token/", views.TokenView.as_view(), name="auth-token"),
    path("auth/tokens/", views.ApiTokenListView.as_view(), name="auth-tokens"),
    path("auth/verify-email/", views.EmailVerificationView.as_view(), name="auth-verify-email"),
    path("auth/verify-email/resend/", views.EmailVerificationResendView.as_view(), name="auth-verify-email-resend"),
    path("auth/tokens/<int:token_id>/", views.ApiTokenDetailView.as_view(), name="auth-token-detail"),
    path("auth/password-reset/", views.PasswordResetView.as_view(), name="auth-password-reset"),
    path("auth/password-reset/confirm/", views.PasswordResetConfirmView.as_view(),
         name="auth-password-reset-confirm"),
    path("me/", views.MeView.as_view(), name="me"),
    path("invites/accept/", views.InviteAcceptView.as_view(), name="invite-accept"),
    path("moderation/companies/", views.ModerationCompanyQueueView.as_view(), name="moderation-companies"),
    *router.urls,
]
