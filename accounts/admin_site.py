"""The admin site signs people in through the same throttle as the API and the login page."""
from __future__ import annotations

from django import forms
from django.contrib.admin import AdminSite
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.admin.forms import AdminPasswordChangeForm as OwnPasswordChangeForm
from django.contrib.auth.forms import AdminPasswordChangeForm as SetPasswordForm

from core.exceptions import ApplicationError
from core.http import client_ip


class ThrottledAdminAuthenticationForm(AdminAuthenticationForm):
    def clean(self):
        from accounts import services

        email = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if email is not None and password:
            try:
                self.user_cache = services.user_authenticate(email=email, password=password,
                                                             client_ip=client_ip(self.request), request=self.request)
            except ApplicationError as exc:
                raise forms.ValidationError(exc.message, code=exc.code) from exc
            self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data


class _RevokesTokens:
    """A password set in the admin (one's own, or a user's by a superuser) revokes the user's API
    tokens, as a password reset does."""

    def save(self, commit=True):
        from accounts import tokens

        user = super().save(commit=commit)
        if commit:
            tokens.tokens_revoke_all(user=user)
        return user


class OwnPasswordChangeRevokingTokensForm(_RevokesTokens, OwnPasswordChangeForm):
    pass


class PasswordSetRevokingTokensForm(_RevokesTokens, SetPasswordForm):
    pass


class SMEAdminSite(AdminSite):
    login_form = ThrottledAdminAuthenticationForm
    password_change_form = OwnPasswordChangeRevokingTokensForm
