"""A NUL character in the path or the query string is refused before any view or query sees it
(PostgreSQL refuses NUL in text, so it used to fail as a 500). Runs on SQLite and on PostgreSQL."""
from __future__ import annotations

import pytest

from marketplace.models import Category
from tests.core.helpers import assert_error

pytestmark = pytest.mark.django_db

NUL_MESSAGE = "Remove the NUL character from this parameter."


@pytest.mark.parametrize(("url", "field"), [
    ("/api/v1/companies/?country=%00", "country"),
    ("/api/v1/companies/?kind=%00", "kind"),
    ("/api/v1/companies/?kind=seller&country=D%00E", "country"),
    ("/api/v1/listings/?q=towel%00", "q"),
    ("/api/v1/companies/?%00=1", "query"),
])
def test_a_nul_in_the_query_string_is_a_400_naming_the_parameter(api_client, url, field):
    response = api_client.get(url)

    assert_error(response, 400, "validation_error", message=NUL_MESSAGE, fields={field: [NUL_MESSAGE]})


@pytest.mark.parametrize("url", ["/api/v1/categories/%00/", "/api/v1/listings/%00/", "/api/v1/%00/"])
def test_a_nul_in_an_api_path_is_a_404(api_client, url):
    assert_error(api_client.get(url), 404, "not_found", message="Not found.")


def test_pages_show_a_form_error_or_404(client):
    assert client.get("/?q=%00").status_code == 200
    listings = client.get("/listings/?q=a%00b&seller_country=%00")
    assert listings.status_code == 200
    assert "seller_country" in listings.context["form"].errors
    assert "\x00" not in listings.context["form"].data["q"]
    assert client.get("/listings/%00/").status_code == 404


def test_the_same_queries_without_nul_still_answer(api_client):
    category = Category.objects.order_by("pk").first()

    assert api_client.get("/api/v1/companies/?country=DE&kind=seller").status_code == 200
    assert api_client.get(f"/api/v1/categories/{category.pk}/").json()["id"] == category.pk
