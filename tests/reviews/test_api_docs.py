"""The review endpoints are in the OpenAPI schema with every response they give, typed."""
from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.django_db

# path -> method -> the status codes documented
OPERATIONS = {
    "/api/v1/orders/{id}/review/": {
        "get": {"200", "401", "403", "404", "503"},
        "post": {"201", "400", "401", "403", "404", "409", "413", "415", "503"},
    },
    "/api/v1/reviews/{id}/reply/": {"post": {"200", "400", "401", "403", "404", "409", "413", "415", "503"}},
    "/api/v1/reviews/{id}/report/": {"post": {"201", "400", "401", "403", "404", "409", "413", "415", "503"}},
    "/api/v1/reviews/{id}/hide/": {"post": {"200", "400", "401", "403", "404", "409", "413", "415", "503"}},
    "/api/v1/reviews/{id}/unhide/": {"post": {"200", "400", "401", "403", "404", "409", "413", "415", "503"}},
    "/api/v1/reviews/{id}/dismiss-reports/": {
        "post": {"200", "400", "401", "403", "404", "409", "413", "415", "503"}},
    "/api/v1/sellers/{id}/reviews/": {"get": {"200", "400", "401", "404", "503"}},
    "/api/v1/review-reports/": {"get": {"200", "400", "401", "403", "404", "503"}},
}


@pytest.fixture(scope="module")
def schema(django_db_blocker):
    from django.test import Client
    with django_db_blocker.unblock():
        return json.loads(Client().get("/api/v1/schema/?format=json").content)


def test_every_review_operation_documents_its_responses(schema):
    for path, methods in OPERATIONS.items():
        assert set(schema["paths"][path]) - {"parameters"} == set(methods), path
        for method, codes in methods.items():
            responses = schema["paths"][path][method]["responses"]
            assert set(responses) == codes, (path, method, sorted(responses))
            for code in codes - {"200", "201"}:
                assert responses[code]["content"]["application/json"]["schema"] == {
                    "$ref": "#/components/schemas/Error"}, (path, method, code)


def test_the_review_shapes_are_typed(schema):
    components = schema["components"]["schemas"]
    review_input = components["ReviewInputRequest"]
    assert review_input["required"] == ["communication", "product", "shipping"]
    assert review_input["properties"]["product"] == {
        "type": "integer", "maximum": 5, "minimum": 1, "description": "Product as described, 1 to 5."}
    assert review_input["properties"]["comment"]["maxLength"] == 2000
    rating = components["SellerRating"]["properties"]
    assert rating["average"]["nullable"] is True and rating["average"]["type"] == "string"
    page = components["SellerReviewPage"]["properties"]
    assert set(page) == {"count", "next", "previous", "rating", "results"}
    params = {p["name"]: p["schema"] for p in schema["paths"]["/api/v1/sellers/{id}/reviews/"]["get"]["parameters"]}
    assert params["page"] == {"type": "integer", "minimum": 1}
    assert params["page_size"] == {"type": "integer", "minimum": 1}
