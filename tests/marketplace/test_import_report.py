"""The import's error report: every field of every row is checked, each problem is listed with its row,
column, value and message, and the seller's members download it as CSV from the page and the API."""
from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from marketplace import imports, services, tasks
from tests.core.helpers import assert_error
from tests.marketplace.test_import import TOWEL, csv_bytes, denim, import_state, upload

pytestmark = pytest.mark.django_db

HEADER = "Row,Column,Value,Message\r\n"


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def bad_import(company_a, member_a):
    rows = [
        TOWEL,  # row 2: good
        {**denim(), "title": "Chambray", "moq": "0", "origin_country": "XX", "weight_kg": "-1"},  # row 3
        {**TOWEL, "title": "Bath mat", "category": "textiles/carpets", "incoterms": "ZZZ", "stock": "=1+2"},  # row 4
    ]
    listing_import = services.listing_import_create(seller=company_a, actor=member_a,
                                                    uploaded_file=upload(csv_bytes(rows)))
    tasks.listing_import_run(listing_import.pk)
    listing_import.refresh_from_db()
    return listing_import


def test_a_row_with_three_bad_fields_reports_all_three(bad_import):
    state = import_state(bad_import)

    assert (state["imported_count"], state["error_count"]) == (1, 2)
    assert state["errors"][0] == {
        "row": 3,
        "errors": {"moq": ["Ensure this value is at least 1."],
                   "origin_country": ["XX is not an ISO 3166 country code."],
                   "weight_kg": ["Enter a number greater than zero."]},
        "values": {"moq": "0", "origin_country": "XX", "weight_kg": "-1"}}
    assert state["errors"][1] == {
        "row": 4,
        "errors": {"category": ["There is no category textiles/carpets."],
                   "stock": ["Enter a whole number."],
                   "incoterms": ["Unknown Incoterm: ZZZ."]},
        "values": {"category": "textiles/carpets", "stock": "=1+2", "incoterms": "ZZZ"}}


def test_listing_input_errors_checks_every_field_and_the_required_ones():
    errors = services.listing_input_errors({"moq": "0", "weight_kg": "x", "incoterms": "FOB"})

    assert errors == {"moq": ["Ensure this value is at least 1."], "weight_kg": ["Enter a number."],
                      "title": ["This field is required."], "category": ["This field is required."],
                      "origin_country": ["This field is required."], "hs_code": ["This field is required."],
                      "price_tiers": ["This field is required."]}


def _expected_csv(bad_import) -> str:
    lines = sorted(imports.report_lines(bad_import.errors), key=lambda line: (line[0], line[1]))
    assert lines == [
        (3, "moq", "0", "Ensure this value is at least 1."),
        (3, "origin_country", "XX", "XX is not an ISO 3166 country code."),
        (3, "weight_kg", "-1", "Enter a number greater than zero."),
        (4, "category", "textiles/carpets", "There is no category textiles/carpets."),
        (4, "incoterms", "ZZZ", "Unknown Incoterm: ZZZ."),
        (4, "stock", "=1+2", "Enter a whole number."),
    ]
    return "\ufeff" + imports.report_csv(bad_import.errors)


def test_the_model_rules_of_a_field_are_reported_beside_other_problems():
    # The HS code's six digits and the title's length are rules of the model, checked when the whole
    # listing is written; a row with other problems names them too, so one round of fixes is enough.
    errors = services.listing_input_errors({"title": "T" * 201, "hs_code": "63A", "weight_kg": "-1",
                                            "origin_country": "XX"}, checked={})

    assert errors["hs_code"] == ["An HS code has exactly 6 digits."]
    assert errors["title"] == ["Ensure this value has at most 200 characters (it has 201)."]
    assert errors["weight_kg"] == ["Enter a number greater than zero."]
    assert errors["origin_country"] == ["XX is not an ISO 3166 country code."]


def test_the_csv_lists_every_problem_and_defuses_formulas(bad_import):
    text = imports.report_csv(bad_import.errors)

    assert text.startswith(HEADER)
    assert text.splitlines()[1:] == [
        "3,moq,0,Ensure this value is at least 1.",
        "3,origin_country,XX,XX is not an ISO 3166 country code.",
        "3,weight_kg,'-1,Enter a number greater than zero.",
        "4,category,textiles/carpets,There is no category textiles/carpets.",
        "4,stock,'=1+2,Enter a whole number.",
        "4,incoterms,ZZZ,Unknown Incoterm: ZZZ.",
    ]


def test_a_file_failure_has_no_row_and_a_row_failure_no_column():
    errors = [{"row": 3, "errors": {"non_field_errors": ["A value in this row is out of range."]}, "values": {}},
              {"row": None, "errors": {"file": ["The uploaded file is missing."]}}]

    assert imports.report_csv(errors) == (HEADER + "3,,,A value in this row is out of range.\r\n"
                                          ",file,,The uploaded file is missing.\r\n")


def test_the_seller_downloads_the_report_from_the_page(bad_import, client, member_a, staff_a):
    url = f"/seller/listings/import/{bad_import.pk}/errors.csv"
    for member in (member_a, staff_a):
        client.force_login(member)
        response = client.get(url)

        assert response.status_code == 200
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        assert response["Content-Disposition"] == f'attachment; filename="import-{bad_import.pk}-errors.csv"'
        assert response.content.decode() == _expected_csv(bad_import)


def test_the_import_page_lists_values_and_links_the_report(bad_import, client, member_a):
    client.force_login(member_a)

    page = client.get(f"/seller/listings/import/{bad_import.pk}/").content.decode()

    assert (f'<a class="button button-secondary" id="import-report-download" '
            f'href="/seller/listings/import/{bad_import.pk}/errors.csv" download>') in page
    assert '<td class="import-error-value">=1+2</td>' in page
    assert page.count('<td class="import-error-value">') == 6


def test_others_get_404_and_visitors_the_sign_in(bad_import, client, member_b, moderator):
    url = f"/seller/listings/import/{bad_import.pk}/errors.csv"
    for outsider in (member_b, moderator):
        client.force_login(outsider)
        assert client.get(url).status_code == 404
    client.logout()
    response = client.get(url)
    assert (response.status_code, response["Location"]) == (302, f"/login/?next={url}")


def test_the_api_serves_the_same_report_to_members_only(bad_import, as_user, member_a, member_b, moderator):
    url = reverse("api:listing-import-errors", args=[bad_import.pk])

    response = as_user(member_a).get(url, HTTP_ACCEPT="text/csv")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.content.decode() == _expected_csv(bad_import)
    for outsider in (member_b, moderator):
        assert_error(as_user(outsider).get(url), 404, "not_found")
    assert APIClient().get(url).status_code in (401, 403)
