"""Admin helpers shared by the apps: actions that call a service once per selected object."""
from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import model_ngettext
from django.db.models import QuerySet
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.exceptions import ApplicationError


class ReasonForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason"), widget=forms.Textarea, max_length=2000)


def apply_service(modeladmin: admin.ModelAdmin, request, queryset: QuerySet, service: Callable, *,
                  object_kwarg: str, reason: str = "", done_message: Callable[[int], str] | None = None) -> int:
    """Calls `service(<object_kwarg>=obj, actor=request.user[, reason=...])` for each selected object in
    primary-key order, reports each refusal as an error message and the number done as a success."""
    done = 0
    for obj in queryset.order_by("pk"):
        kwargs = {"reason": reason} if reason else {}
        try:
            service(**{object_kwarg: obj}, actor=request.user, **kwargs)
            done += 1
        except ApplicationError as exc:
            modeladmin.message_user(request, f"{obj}: {exc.message}", messages.ERROR)
    if done:
        message = done_message(done) if done_message else _("%(count)d %(items)s updated.") % {
            "count": done, "items": model_ngettext(modeladmin.opts, done)}
        modeladmin.message_user(request, message, messages.SUCCESS)
    return done


def reasoned_action(modeladmin: admin.ModelAdmin, request, queryset: QuerySet, service: Callable, *,
                    object_kwarg: str, title: str, action_name: str,
                    done_message: Callable[[int], str] | None = None):
    """An admin action that first asks for a reason on an intermediate page, then applies the service."""
    if "apply" in request.POST:
        form = ReasonForm(request.POST)
        if form.is_valid():
            apply_service(modeladmin, request, queryset, service, object_kwarg=object_kwarg,
                          reason=form.cleaned_data["reason"], done_message=done_message)
            return None
    else:
        form = ReasonForm()
    opts = modeladmin.model._meta
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": title,
        "form": form,
        "queryset": queryset,
        "action_name": action_name,
        "opts": opts,
        "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
    }
    templates = [f"admin/{opts.app_label}/{opts.model_name}/reason_action.html",
                 f"admin/{opts.app_label}/reason_action.html", "admin/reason_action.html"]
    return TemplateResponse(request, templates, context)

