"""The admin site signs people in through the same throttle as the API and the login page."""
from __future__ import annotations

from django import forms
from django.contrib.admin import AdminSite
from django.contrib.admin.forms import AdminAuthenticationForm

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


class SMEAdminSite(AdminSite):
    login_form = ThrottledAdminAuthenticationForm
