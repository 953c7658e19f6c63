"""Plumbing shared by every app's API: input serializers that refuse unknown keys, and one way to
validate a request's data into plain values (a 400 naming the fields otherwise)."""
from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers


class StrictInputMixin:
    """Refuses keys the serializer does not accept, so read-only state such as a company's
    verification status can never be mass-assigned: the caller gets a 400 naming the field."""

    def to_internal_value(self, data):
        if hasattr(data, "keys"):
            allowed = {name for name, field in self.fields.items() if not field.read_only}
            unknown = sorted(set(data.keys()) - allowed)
            if unknown:
                raise serializers.ValidationError({name: [_("This field cannot be set.")] for name in unknown})
        return super().to_internal_value(data)


def validated(serializer_class, data, **kwargs) -> Any:
    """The validated data of `serializer_class` for `data`; raises the serializer's 400 otherwise."""
    serializer = serializer_class(data=data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data
