"""The did_you_mean field of the search API and its schema, on every database
(marketplace.selectors.listing_search_suggestion)."""
from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import VerificationStatus
from tests.factories.accounts import CompanyFactory
from tests.factories.marketplace import PublishedListingFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def towels():
    seller = CompanyFactory(legal_name="Anatolia Textiles", verification_status=VerificationStatus.VERIFIED)
    return [PublishedListingFactory(seller=seller, title="Cotton bath towel", origin_country="TR"),
            PublishedListingFactory(seller=seller, title="Linen tea towel", origin_country="PT")]


def test_the_api_answers_did_you_mean(api_client, towels):
    misspelt = api_client.get("/api/v1/listings/", {"q": "towl", "origin_country": "PT"})
    right = api_client.get("/api/v1/listings/", {"q": "towel"})
    blank = api_client.get("/api/v1/listings/")

    assert misspelt.status_code == right.status_code == blank.status_code == 200
    assert misspelt.json()["did_you_mean"] == "towel"
    assert [row["id"] for row in misspelt.json()["results"]] == [towels[1].pk]
    assert right.json()["did_you_mean"] is None
    assert right.json()["count"] == 2
    assert blank.json()["did_you_mean"] is None


def test_a_bad_query_is_still_a_400_with_a_field_message(api_client, towels):
    response = api_client.get("/api/v1/listings/", {"q": "towl", "moq_max": "lots"})

    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"moq_max"}



def test_the_schema_documents_did_you_mean(api_client):
    schema = api_client.get("/api/v1/schema/?format=json").json()
    response = schema["paths"]["/api/v1/listings/"]["get"]["responses"]["200"]["content"]["application/json"]
    page = schema["components"]["schemas"][response["schema"]["$ref"].rsplit("/", 1)[-1]]

    assert set(page["properties"]) == {"count", "count_capped", "next", "previous", "results", "did_you_mean"}
    assert page["properties"]["did_you_mean"]["nullable"] is True
    assert page["properties"]["results"]["type"] == "array"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the relevance candidates are PostgreSQL's")
def test_a_word_found_as_written_is_not_looked_up_again_for_a_suggestion(api_client, towels):
    with CaptureQueriesContext(connection) as captured:
        response = api_client.get("/api/v1/listings/", {"q": "towel"})
    assert response.json()["did_you_mean"] is None
    assert len([query for query in captured.captured_queries if "search_vector" in query["sql"]]) == 1
    # Found as written only outside the filters (no linen from TR): still no suggestion.
    response = api_client.get("/api/v1/listings/", {"q": "linen", "origin_country": "TR"})
    assert response.json()["count"] == 0 and response.json()["did_you_mean"] is None
