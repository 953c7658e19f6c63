import pytest


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/v1/no-such-thing/", "/api/v1/orders/999999/nothing/", "/api/v1/"])
def test_unknown_api_address_answers_json_404(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["error"]["code"] == "not_found"


@pytest.mark.django_db
def test_missing_slash_still_redirects_to_the_endpoint(client):
    response = client.get("/api/v1/categories")
    assert response.status_code == 301
    assert response["Location"].endswith("/api/v1/categories/")


@pytest.mark.django_db
def test_pages_outside_the_api_keep_the_html_404(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
