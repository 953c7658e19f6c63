"""Plumbing shared by every app's API: input serializers that refuse unknown keys, and one way to
validate a request's data into plain values (a 400 naming the fields otherwise)."""
from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers


class StrictInputMixin:
    """Refuses keys the serializer does not accept, so read-only state such as a company's
    verification status can never be mass-assigned: the caller gets a 400 naming the field. In a JSON
    body a text field takes text only: a number, true/false, a list or an object is refused instead of
    being turned into its string (the schema types these fields as strings)."""

    def to_internal_value(self, data):
        if hasattr(data, "keys"):
            allowed = {name for name, field in self.fields.items() if not field.read_only}
            unknown = sorted(set(data.keys()) - allowed)
            if unknown:
                raise serializers.ValidationError({name: [_("This field cannot be set.")] for name in unknown})
            if not hasattr(data, "getlist"):  # JSON, not a form: values keep their JSON types
                not_text = sorted(name for name, field in self.fields.items()
                                  if name in data and _takes_text(field) and data[name] is not None
                                  and not isinstance(data[name], str))
                if not_text:
                    raise serializers.ValidationError({name: [_("Give text here.")] for name in not_text})
        return super().to_internal_value(data)


def _takes_text(field) -> bool:
    """A writable field whose JSON value is a string: text, or a choice among strings."""
    if field.read_only or isinstance(field, serializers.MultipleChoiceField):
        return False
    if isinstance(field, serializers.ChoiceField):
        return all(isinstance(key, str) for key in field.choices)
    return isinstance(field, serializers.CharField)


def validated(serializer_class, data, **kwargs) -> Any:
    """The validated data of `serializer_class` for `data`; raises the serializer's 400 otherwise."""
    serializer = serializer_class(data=data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data
