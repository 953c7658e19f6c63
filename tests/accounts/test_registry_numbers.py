"""Registration and tax numbers checked per country (accounts/registry_numbers.py), through the
function, the company model, the API and the request for verification."""
from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from accounts import services
from accounts.models import Company, VerificationDecision
from accounts.models import VerificationStatus as S
from accounts.registry_numbers import (
    INVALID,
    MISSING,
    NOT_CHECKED,
    REGISTRATION,
    TAX,
    VALID,
    NumberCheck,
    company_number_checks,
    number_check,
    number_normalise,
)
from core.exceptions import ApplicationError
from tests.accounts.helpers import assert_unchanged, give_evidence
from tests.core.helpers import assert_error

VKN_FORMAT = "A Turkish tax number (VKN) has 10 digits, the last one a check digit, for example 1234567890."
USCC_FORMAT = "Enter the 18-character Unified Social Credit Code (USCC), for example 91110000600037341L."
CNPJ_FORMAT = "Enter the 14-digit Brazilian company number (CNPJ), for example 11.222.333/0001-81."
DE_VAT_FORMAT = "Enter the German VAT number (USt-IdNr): DE and 9 digits, for example DE136695976."

# country, kind, as entered -> as stored, the format's short name
VALID_NUMBERS = [
    ("TR", TAX, "123 456 7890", "1234567890", "VKN"),
    ("CN", REGISTRATION, "91110000600037341l", "91110000600037341L", "USCC"),
    ("CN", TAX, "9111 0000 6000 3734 1L", "91110000600037341L", "USCC"),
    ("BR", REGISTRATION, "11.222.333/0001-81", "11222333000181", "CNPJ"),
    ("BR", TAX, "11222333000181", "11222333000181", "CNPJ"),
    ("DE", TAX, "DE 136 695 976", "DE136695976", "USt-IdNr"),
    ("DE", TAX, "136695976", "DE136695976", "USt-IdNr"),
    ("FR", REGISTRATION, "732 829 320", "732829320", "SIREN"),
    ("FR", TAX, "FR 40 303 265 045", "FR40303265045", "VAT"),
    ("NL", TAX, "004495445B01", "NL004495445B01", "VAT"),
    ("GR", TAX, "094259216", "EL094259216", "VAT"),
    ("GB", TAX, "980 7806 84", "GB980780684", "VAT"),
    ("US", TAX, "04-2103594", "042103594", "EIN"),
    ("IN", TAX, "27AAPFU0939F1ZV", "27AAPFU0939F1ZV", "GSTIN"),
    ("KE", TAX, "p051365947m", "P051365947M", "PIN"),
]

# country, kind, as entered -> the message naming the expected format
INVALID_NUMBERS = [
    ("TR", TAX, "1234567891", VKN_FORMAT),  # wrong check digit
    ("TR", TAX, "12345", VKN_FORMAT),
    ("CN", REGISTRATION, "91110000600037341", USCC_FORMAT),
    ("CN", TAX, "REG-000001", USCC_FORMAT),
    ("BR", REGISTRATION, "11.222.333/0001-82", CNPJ_FORMAT),
    ("DE", TAX, "DE123", DE_VAT_FORMAT),
    ("DE", TAX, "FR40303265045", DE_VAT_FORMAT),  # another member state's VAT number
    ("NL", TAX, "NL004495446B01", "Enter the VAT number of this EU country: NL followed by the national VAT number."),
    ("US", TAX, "12", "Enter the 9-digit Employer Identification Number (EIN), for example 04-2103594."),
]


@pytest.mark.parametrize(("country", "kind", "entered", "stored", "name"), VALID_NUMBERS)
def test_a_valid_number_is_stored_compact(country, kind, entered, stored, name):
    assert number_normalise(country=country, kind=kind, number=entered) == NumberCheck(kind, stored, VALID, name)


@pytest.mark.parametrize(("country", "kind", "entered", "message"), INVALID_NUMBERS)
def test_an_invalid_number_is_refused_naming_the_format(country, kind, entered, message):
    with pytest.raises(ValidationError) as excinfo:
        number_normalise(country=country, kind=kind, number=entered)

    assert excinfo.value.messages == [message]
    assert number_check(country=country, kind=kind, number=entered).result == INVALID


@pytest.mark.parametrize(("country", "kind", "entered"), [
    ("TR", REGISTRATION, "  REG-000001 "), ("DE", REGISTRATION, "HRB 104233"), ("JP", TAX, "T1234"),
    ("KE", REGISTRATION, "PVT-2019-88341"), ("ZZ", TAX, "anything"),
])
def test_a_country_whose_format_is_unknown_keeps_the_number_as_entered(country, kind, entered):
    check = number_normalise(country=country, kind=kind, number=entered)

    assert check == NumberCheck(kind, entered.strip(), NOT_CHECKED, "")
    assert check.label == "format not checked"


def test_labels_say_the_result_in_words():
    assert number_check(country="TR", kind=TAX, number="1234567890").label == "VKN valid"
    assert number_check(country="TR", kind=TAX, number="1234567891").label == "VKN invalid"
    assert number_check(country="TR", kind=TAX, number="").label == "missing"
    assert number_check(country="TR", kind=TAX, number="").result == MISSING


@pytest.mark.django_db
def test_company_checks_read_the_row_without_a_query(django_assert_num_queries, company_b):
    Company.objects.filter(pk=company_b.pk).update(tax_number="91110000600037341L")
    company_b.refresh_from_db()

    with django_assert_num_queries(0):
        checks = company_number_checks(company_b)

    assert {kind: (c.result, c.label) for kind, c in checks.items()} == {
        REGISTRATION: (INVALID, "USCC invalid"), TAX: (VALID, "USCC valid")}


# --- through the API ------------------------------------------------------------------------------

def _register_body(country: str, registration_number: str, tax_number: str | None = None) -> dict:
    company = {"legal_name": "Delta Tools", "country": country, "registration_number": registration_number,
               "address": "1 Main Street", "default_currency": "EUR", "kind": "buyer"}
    if tax_number is not None:
        company["tax_number"] = tax_number
    return {"email": "delta@example.com", "password": "Quiet-Harbour-Lamp-73", "full_name": "Dana Delta",
            "company": company}


@pytest.mark.django_db
def test_registration_stores_the_numbers_compact(api_client):
    response = api_client.post("/api/v1/auth/register/",
                               _register_body("BR", "11.222.333/0001-81", "11.222.333/0001-81"), format="json")

    assert response.status_code == 201, response.content
    company = Company.objects.get()
    assert (company.registration_number, company.tax_number) == ("11222333000181", "11222333000181")
    assert response.json()["company"]["registration_number"] == "11222333000181"


@pytest.mark.django_db
def test_registration_with_a_number_that_breaks_the_format_is_refused(api_client):
    with assert_unchanged():
        response = api_client.post("/api/v1/auth/register/", _register_body("CN", "CN-12345"), format="json")

    assert_error(response, 400, "validation_error", message=USCC_FORMAT,
                 fields={"company.registration_number": [USCC_FORMAT]})


@pytest.mark.django_db
def test_a_patch_with_a_bad_tax_number_changes_nothing(world, as_user):
    with assert_unchanged():
        response = as_user(world.owner_a).patch(f"/api/v1/companies/{world.a.pk}/", {"tax_number": "123"},
                                                format="json")

    assert_error(response, 400, "validation_error", message=VKN_FORMAT, fields={"tax_number": [VKN_FORMAT]})


@pytest.mark.django_db
def test_a_patch_stores_a_valid_tax_number_and_shows_its_check_to_members(world, as_user):
    response = as_user(world.owner_a).patch(f"/api/v1/companies/{world.a.pk}/", {"tax_number": "987-654-3217"},
                                            format="json")

    assert response.status_code == 200
    body = response.json()
    assert body["tax_number"] == "9876543217"
    assert body["number_checks"] == [
        {"kind": "registration", "number": world.a.registration_number, "result": "not_checked", "format": "",
         "label": "format not checked"},
        {"kind": "tax", "number": "9876543217", "result": "valid", "format": "VKN", "label": "VKN valid"}]
    assert Company.objects.get(pk=world.a.pk).tax_number == "9876543217"


@pytest.mark.django_db
def test_strangers_see_neither_the_tax_number_nor_the_checks(world, as_user):
    set_verified = Company.objects.filter(pk=world.a.pk).update(verification_status=S.VERIFIED)
    assert set_verified == 1

    body = as_user(world.owner_b).get(f"/api/v1/companies/{world.a.pk}/").json()

    assert (body["tax_number"], body["number_checks"], body["renewal_requested_at"]) == (None, None, None)


# --- at the request for verification --------------------------------------------------------------

@pytest.mark.django_db
def test_a_request_without_tax_number_or_registration_certificate_is_refused(company_a, member_a):
    with assert_unchanged(), pytest.raises(ApplicationError) as excinfo:
        services.company_verification_submit(company=company_a, actor=member_a)

    assert excinfo.value.fields == {
        "tax_number": ["Enter the company's tax number before asking for verification."],
        "documents": ["Upload the company's registration certificate before asking for verification."]}


@pytest.mark.django_db
def test_a_request_with_only_a_tax_certificate_is_refused(company_a, member_a):
    give_evidence(company_a, kinds=("tax_certificate",))

    with assert_unchanged(), pytest.raises(ApplicationError) as excinfo:
        services.company_verification_submit(company=company_a, actor=member_a)

    assert excinfo.value.fields == {
        "documents": ["Upload the company's registration certificate before asking for verification."]}


@pytest.mark.django_db
def test_a_request_with_a_stored_number_that_breaks_the_format_is_refused(company_b, member_b):
    """A number stored before its country's format was checked must be corrected first."""
    give_evidence(company_b, tax_number="91110000600037341L")

    with assert_unchanged(), pytest.raises(ApplicationError) as excinfo:
        services.company_verification_submit(company=company_b, actor=member_b)

    assert excinfo.value.fields == {"registration_number": [USCC_FORMAT]}
    assert VerificationDecision.objects.count() == 0


def test_the_demo_companies_have_numbers_valid_for_their_country():
    from demo.management.commands.seed_demo import COMPANIES, TAX_NUMBERS

    for _email, _person, legal, country, regno, *_rest in COMPANIES:
        registration = number_normalise(country=country, kind=REGISTRATION, number=regno)
        tax = number_normalise(country=country, kind=TAX, number=TAX_NUMBERS[regno])
        assert registration.number == regno, legal  # stored as the demo writes it: compact
        assert (tax.result, tax.number) == (VALID, TAX_NUMBERS[regno]), legal
