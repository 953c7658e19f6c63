"""Every operation in the OpenAPI schema documents the errors it can answer, with the one error body."""
from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.django_db

ERROR_REF = "#/components/schemas/Error"


@pytest.fixture(scope="module")
def operations(django_db_blocker):
    from django.test import Client

    with django_db_blocker.unblock():
        schema = json.loads(Client().get("/api/v1/schema/?format=json").content)
    return [(method.upper(), path, operation) for path, item in schema["paths"].items()
            for method, operation in item.items() if method in {"get", "post", "put", "patch", "delete"}]


def _error_schema(operation, code):
    return operation["responses"][code]["content"]["application/json"]["schema"]


def test_every_operation_documents_401_and_503_with_the_error_body(operations):
    for method, path, operation in operations:
        for code in ("401", "503"):
            assert code in operation["responses"], (method, path, code)
            assert _error_schema(operation, code) == {"$ref": ERROR_REF}, (method, path, code)
        assert "Retry-After" in operation["responses"]["503"]["headers"], (method, path)


def test_writes_document_400_and_409(operations):
    for method, path, operation in operations:
        if method in {"POST", "PUT", "PATCH"}:
            assert "400" in operation["responses"], (method, path)
        if method in {"POST", "PUT", "PATCH", "DELETE"}:
            assert "409" in operation["responses"], (method, path)


def test_an_operation_on_a_named_object_documents_404(operations):
    for method, path, operation in operations:
        if "{" in path:
            assert "404" in operation["responses"], (method, path)


def test_operations_closed_to_visitors_document_403_and_open_ones_do_not(operations):
    by_key = {(method, path): operation for method, path, operation in operations}

    assert "403" in by_key[("GET", "/api/v1/orders/")]["responses"]
    assert "403" not in by_key[("GET", "/api/v1/categories/")]["responses"]


def test_page_parameters_are_typed_as_whole_numbers(operations):
    by_key = {(method, path): operation for method, path, operation in operations}
    parameters = {p["name"]: p for p in by_key[("GET", "/api/v1/categories/")]["parameters"]}

    assert parameters["page_size"]["schema"] == {"type": "integer", "minimum": 1}
    assert parameters["page"]["schema"] == {"type": "integer", "minimum": 1}
    assert "400" in by_key[("GET", "/api/v1/categories/")]["responses"]


def test_fields_that_may_be_null_say_so():
    import json

    from django.test import Client

    schemas = json.loads(Client().get("/api/v1/schema/?format=json").content)["components"]["schemas"]

    assert schemas["Company"]["properties"]["pending_changes_at"]["nullable"] is True
    assert schemas["Company"]["properties"]["pending_changes"]["nullable"] is True
    assert schemas["ListingDetail"]["properties"]["pending_changes"]["nullable"] is True


def test_operations_with_a_body_document_413(operations):
    for method, path, operation in operations:
        if method in {"POST", "PUT", "PATCH"}:
            assert _error_schema(operation, "413") == {"$ref": ERROR_REF}, (method, path)


def test_every_error_response_carries_the_error_body(operations):
    for method, path, operation in operations:
        for code, response in operation["responses"].items():
            if code >= "400":
                assert _error_schema(operation, code) == {"$ref": ERROR_REF}, (method, path, code)
