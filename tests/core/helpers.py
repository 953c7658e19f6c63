"""Assertions about the one API error format, shared by the API tests."""
from __future__ import annotations


def assert_error(response, status: int, code: str, *, message: str | None = None,
                 fields: dict[str, list[str]] | None = None) -> dict:
    """The response is a 4xx in the single error format with exactly these values.

    `fields=None` means the body must carry no "fields" key at all."""
    assert response.status_code == status, (response.status_code, response.content)
    body = response.json()
    assert list(body) == ["error"], body
    error = body["error"]
    assert error["code"] == code, error
    assert isinstance(error["message"], str) and error["message"], error
    if message is not None:
        assert error["message"] == message, error
    if fields is None:
        assert set(error) == {"code", "message"}, error
    else:
        assert set(error) == {"code", "message", "fields"}, error
        assert error["fields"] == fields, error
    return error


def assert_error_format(response) -> dict:
    """Any 4xx: {"error": {"code": str, "message": str, "fields"?: {str: [str, ...]}}}."""
    assert 400 <= response.status_code < 500, response.status_code
    body = response.json()
    assert list(body) == ["error"], body
    error = body["error"]
    assert set(error) in ({"code", "message"}, {"code", "message", "fields"}), error
    assert isinstance(error["code"], str) and error["code"], error
    assert isinstance(error["message"], str) and error["message"], error
    if "fields" in error:
        assert error["fields"], error
        for name, messages in error["fields"].items():
            assert isinstance(name, str) and name, error
            assert messages and all(isinstance(m, str) and m for m in messages), error
    return error
