"""The order endpoints are in the OpenAPI schema with their methods."""
from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.django_db

ORDER_PATHS = {
    "/api/v1/cart/": {"get", "delete"},
    "/api/v1/cart/lines/": {"post"},
    "/api/v1/cart/lines/{id}/": {"patch", "delete"},
    "/api/v1/checkout/": {"post"},
    "/api/v1/orders/": {"get"},
    "/api/v1/orders/{id}/": {"get"},
    **{f"/api/v1/orders/{{id}}/{action}/": {"post"} for action in (
        "accept", "refuse", "cancel", "pay", "ship", "confirm-delivery", "complete", "dispute", "resolve")},
}


def test_every_order_endpoint_is_documented(client):
    schema = json.loads(client.get("/api/v1/schema/?format=json").content)

    for path, methods in ORDER_PATHS.items():
        assert set(schema["paths"][path]) - {"parameters"} == methods, path
    checkout = schema["paths"]["/api/v1/checkout/"]["post"]
    header = [p for p in checkout["parameters"] if p["in"] == "header"]
    assert [(p["name"], p["required"]) for p in header] == [("Idempotency-Key", True)]
