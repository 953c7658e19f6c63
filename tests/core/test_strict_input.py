"""JSON bodies: a text field takes text only (core.api.StrictInputMixin); the API takes JSON unless an
endpoint takes files."""
from __future__ import annotations

import pytest
from rest_framework import serializers

from core.api import StrictInputMixin


class Sample(StrictInputMixin, serializers.Serializer):
    name = serializers.CharField(required=False)
    kind = serializers.ChoiceField(choices=["a", "b"], required=False)
    level = serializers.ChoiceField(choices=[1, 2], required=False)
    tags = serializers.MultipleChoiceField(choices=["x", "y"], required=False)
    count = serializers.IntegerField(required=False)


@pytest.mark.parametrize("value", [0, 1.5, True, ["a"], {"a": 1}])
def test_a_json_non_string_for_a_text_field_is_refused(value):
    serializer = Sample(data={"name": value, "kind": value})

    assert not serializer.is_valid()
    assert serializer.errors == {"name": ["Give text here."], "kind": ["Give text here."]}


def test_strings_numbers_for_number_fields_and_lists_for_multiple_choices_pass():
    serializer = Sample(data={"name": "Zone A", "kind": "a", "level": 2, "tags": ["x"], "count": 3})

    assert serializer.is_valid(), serializer.errors


def test_form_data_is_text_anyway():
    from django.http import QueryDict

    assert Sample(data=QueryDict("name=0&kind=a")).is_valid()


@pytest.mark.django_db
def test_a_shipping_zone_name_must_be_text(as_user, member_a):
    response = as_user(member_a).post("/api/v1/shipping-zones/", {"name": 0, "countries": ["DE"], "rates": [
        {"max_weight_kg": "30.000", "price": "10.00"}]}, format="json")

    assert response.status_code == 400
    assert response.json()["error"]["fields"]["name"] == ["Give text here."]


@pytest.mark.django_db
def test_a_form_encoded_body_to_a_json_endpoint_is_a_415(as_user, member_a):
    response = as_user(member_a).patch("/api/v1/me/", "full_name=", content_type="application/x-www-form-urlencoded")

    assert response.status_code == 415
    assert response.json()["error"]["code"] == "unsupported_media_type"


@pytest.mark.django_db
def test_a_moderator_decision_takes_json_only(as_user, moderator, company_a):
    response = as_user(moderator).post(f"/api/v1/companies/{company_a.pk}/verify/", "garbage",
                                       content_type="multipart/form-data; boundary=x")

    assert response.status_code == 415
