"""Page-number pagination of API lists (core.pagination.DefaultPagination)."""
from __future__ import annotations

import pytest

from accounts.models import VerificationStatus
from core.pagination import CappedCountPagination, CappedPaginator, DefaultPagination
from tests.factories.accounts import CompanyFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/companies/"


@pytest.fixture
def companies():
    return [CompanyFactory(legal_name=f"Company {n:02d}", verification_status=VerificationStatus.VERIFIED)
            for n in range(25)]


def test_default_page(api_client, companies):
    body = api_client.get(URL).json()

    assert body["count"] == 25
    assert [c["legal_name"] for c in body["results"]] == [f"Company {n:02d}" for n in range(20)]
    assert body["next"] == "http://testserver/api/v1/companies/?page=2"
    assert body["previous"] is None


def test_last_page(api_client, companies):
    body = api_client.get(URL, {"page": 2}).json()

    assert [c["legal_name"] for c in body["results"]] == [f"Company {n:02d}" for n in range(20, 25)]
    assert (body["count"], body["next"], body["previous"]) == (25, None, "http://testserver/api/v1/companies/")


def test_page_size_parameter(api_client, companies):
    body = api_client.get(URL, {"page_size": 5, "page": 3}).json()

    assert [c["legal_name"] for c in body["results"]] == [f"Company {n:02d}" for n in range(10, 15)]
    assert body["count"] == 25
    assert body["next"] == "http://testserver/api/v1/companies/?page=4&page_size=5"
    assert body["previous"] == "http://testserver/api/v1/companies/?page=2&page_size=5"


def test_page_size_is_capped(api_client, companies, monkeypatch):
    monkeypatch.setattr(DefaultPagination, "max_page_size", 7)

    body = api_client.get(URL, {"page_size": 1000}).json()

    assert len(body["results"]) == 7
    assert body["next"] == "http://testserver/api/v1/companies/?page=2&page_size=1000"


def test_pagination_defaults():
    assert (DefaultPagination.page_size, DefaultPagination.page_size_query_param,
            DefaultPagination.max_page_size) == (20, "page_size", 100)


def test_a_page_past_the_end_is_a_404(api_client, companies):
    response = api_client.get(URL, {"page": 9})

    assert response.status_code == 404
    assert response.json() == {"error": {"code": "not_found", "message": "Invalid page."}}


def test_filters_combine_with_pagination(api_client, companies):
    CompanyFactory(legal_name="Zeta Buyers", country="CN", kind="buyer", verification_status="verified")

    body = api_client.get(URL, {"country": "cn", "page_size": 5}).json()

    assert (body["count"], [c["legal_name"] for c in body["results"]], body["next"]) == (1, ["Zeta Buyers"], None)


@pytest.mark.parametrize("value", ["null", "2.5", "0", "-3", "abc", "", "١٢", "9" * 30])
def test_a_page_size_that_is_not_a_whole_number_from_1_is_refused(api_client, companies, value):
    response = api_client.get(URL, {"page_size": value})

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["page_size"]


@pytest.mark.parametrize("value", ["null", "1.0", "0", "-1", "x"])
def test_a_page_number_that_is_not_a_whole_number_from_1_is_refused(api_client, companies, value):
    response = api_client.get(URL, {"page": value})

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["page"]


def test_a_repeated_page_size_is_refused(api_client, companies):
    response = api_client.get(URL + "?page_size=5&page_size=7")

    assert response.status_code == 400


def test_the_last_page_may_be_named(api_client, companies):
    body = api_client.get(URL, {"page": "last"}).json()

    assert len(body["results"]) == 5


class TestCappedPaginator:
    """core.pagination.CappedPaginator over a queryset and a list."""

    @pytest.fixture
    def rows(self):
        return [CompanyFactory(legal_name=f"Company {n:02d}") for n in range(12)]

    def test_counts_up_to_the_cap(self, rows, django_assert_num_queries):
        from accounts.models import Company

        paginator = CappedPaginator(Company.objects.order_by("legal_name"), 5, count_cap=10)
        with django_assert_num_queries(1):
            assert (paginator.count, paginator.count_capped, paginator.num_pages) == (10, True, 2)

    def test_fewer_rows_than_the_cap_are_counted_exactly(self, rows):
        from accounts.models import Company

        paginator = CappedPaginator(Company.objects.all(), 5, count_cap=12)
        assert (paginator.count, paginator.count_capped, paginator.num_pages) == (12, False, 3)

    def test_the_last_page_ends_at_the_cap(self, rows):
        from accounts.models import Company

        page = CappedPaginator(Company.objects.order_by("legal_name"), 4, count_cap=10).get_page(99)
        assert [c.legal_name for c in page.object_list] == ["Company 08", "Company 09"]
        assert not page.has_next()

    def test_a_list(self):
        paginator = CappedPaginator(list(range(7)), 3, count_cap=5)
        assert (paginator.count, paginator.count_capped, paginator.num_pages) == (5, True, 2)
        assert (CappedPaginator([], 3, count_cap=5).count, CappedPaginator([], 3).count_capped) == (0, False)


class TestCappedCountPagination:
    """core.pagination.CappedCountPagination: the API's count stops at the cap and says so."""

    @pytest.fixture
    def view(self, monkeypatch):
        from rest_framework import generics, serializers

        from accounts.models import Company

        class Row(serializers.ModelSerializer):
            class Meta:
                model = Company
                fields = ["legal_name"]

        monkeypatch.setattr(CappedPaginator, "count_cap", 7)
        return generics.ListAPIView.as_view(queryset=Company.objects.order_by("legal_name"), serializer_class=Row,
                                            pagination_class=CappedCountPagination, permission_classes=[])

    def get(self, view, **params):
        from rest_framework.test import APIRequestFactory

        return view(APIRequestFactory().get("/rows/", params))

    def test_more_rows_than_the_cap(self, view, companies):
        body = self.get(view, page_size=5).data

        assert (body["count"], body["count_capped"], len(body["results"])) == (7, True, 5)
        assert body["next"] == "http://testserver/rows/?page=2&page_size=5"

    def test_the_pages_end_at_the_cap(self, view, companies):
        last = self.get(view, page_size=5, page=2)
        past = self.get(view, page_size=5, page=3)

        assert [row["legal_name"] for row in last.data["results"]] == ["Company 05", "Company 06"]
        assert last.data["next"] is None
        assert past.status_code == 404

    def test_fewer_rows_than_the_cap(self, view):
        CompanyFactory(legal_name="Only one")

        assert self.get(view).data["count"] == 1
        assert self.get(view).data["count_capped"] is False

    def test_schema_names_the_flag(self):
        schema = CappedCountPagination().get_paginated_response_schema({"type": "array"})

        assert schema["properties"]["count_capped"]["type"] == "boolean"
        assert "count_capped" in schema["required"]
