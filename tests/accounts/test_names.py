"""Company names and listing titles: invisible and direction characters go, names that read like a
verified company's are flagged for the moderators (not refused)."""
from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from accounts import services
from accounts.models import Company
from accounts.models import VerificationStatus as S
from core.names import name_normalise, name_skeleton
from notifications.models import Channel, Delivery
from tests.accounts.helpers import assert_unchanged, set_status
from tests.core.helpers import assert_error
from tests.factories.accounts import CompanyFactory, MembershipFactory
from tests.marketplace.conftest import LISTINGS, detail_url, valid_body
from tests.marketplace.conftest import make_listing, owner, seller  # noqa: F401  (fixtures)

EMPTY_NAME = "Enter a name with visible letters or digits."


# --- normalising (pure) ------------------------------------------------------------------------------

@pytest.mark.parametrize(("raw", "stored"), [
    ("Acme\u200b Trading", "Acme Trading"),                 # zero-width space
    ("\ufeffAcme\u2060 Ltd", "Acme Ltd"),                   # byte-order mark, word joiner
    ("Acme \u202eLtd\u202c", "Acme Ltd"),                   # right-to-left override and its end
    ("\u2066Acme\u2069 \u200fGmbH", "Acme GmbH"),           # isolates, right-to-left mark
    ("Acme\x00\x07 Co", "Acme Co"),                         # control characters
    ("Acme\tTrading\n  Co", "Acme Trading Co"),             # white space runs become one space
    ("ＡＣＭＥ Ｔｅｘｔｉｌｅｓ", "ACME Textiles"),             # full-width letters (NFKC)
    ("Ａ\u0301cme", "Ácme"),                                  # composed
])
def test_names_are_stored_normalised(raw, stored):
    assert name_normalise(raw) == stored


@pytest.mark.parametrize("raw", ["\u200b\u200c\u200d", "\u202e\u202c", " \ufeff ", "\x00\x01", "--- ..."])
def test_a_name_with_nothing_visible_is_refused(raw):
    with pytest.raises(ValidationError) as exc:
        name_normalise(raw)
    assert exc.value.messages == [EMPTY_NAME]


@pytest.mark.parametrize(("one", "other"), [
    ("Acme Textiles", "Асme Техtiles"),           # Cyrillic А, с, е, х
    ("Acme Textiles", "ACME TEXTILES"),
    ("Acme Textiles", "Acme-Textiles."),
    ("Globo Tools", "G1obo T00ls"),               # digits for letters
    ("Alpha Optics", "Αlpha Οptics"),             # Greek Alpha, Omicron
    ("Paypal", "Paypa\u0131"),                    # dotless i
    ("Acme Textiles", "Acme\u200b Textiles"),
])
def test_lookalike_names_have_the_same_skeleton(one, other):
    assert name_skeleton(one) == name_skeleton(other)


@pytest.mark.parametrize(("one", "other"), [("Acme Textiles", "Acme Textile"), ("Alpha", "Alpine")])
def test_different_names_have_different_skeletons(one, other):
    assert name_skeleton(one) != name_skeleton(other)


# --- companies -----------------------------------------------------------------------------------------

def test_a_company_name_is_stored_without_hidden_characters(world, as_user):
    response = as_user(world.owner_a).patch(f"/api/v1/companies/{world.a.pk}/",
                                            {"legal_name": "\u202eAlpha\u200b Weaving\u202c"}, format="json")

    assert response.status_code == 200
    assert Company.objects.get(pk=world.a.pk).legal_name == "Alpha Weaving"


@pytest.mark.parametrize("raw", ["\u200b\u200b\u200b", "\u202e\u202d\u202c"])
def test_a_company_name_with_nothing_visible_is_refused_with_a_field_message(world, as_user, raw):
    with assert_unchanged():
        response = as_user(world.owner_a).patch(f"/api/v1/companies/{world.a.pk}/", {"legal_name": raw},
                                                format="json")

    assert_error(response, 400, "validation_error", fields={"legal_name": [EMPTY_NAME]})


def test_registration_refuses_an_invisible_company_name(api_client, db):
    body = {"email": "r@example.com", "password": "Quiet-Harbour-Lamp-73", "full_name": "Rita",
            "company": {"legal_name": "\u200b\u2060\ufeff", "country": "DE", "registration_number": "DE-1",
                        "address": "Hauptstrasse 1", "default_currency": "EUR", "kind": "buyer"}}

    response = api_client.post("/api/v1/auth/register/", body, format="json")

    assert_error(response, 400, "validation_error", fields={"company.legal_name": [EMPTY_NAME]})
    assert Company.objects.count() == 0


def _moderator_alerts(moderator) -> list[dict]:
    return list(Delivery.objects.filter(recipient=moderator, channel=Channel.IN_APP,
                                        event__name="company.name_confusable").values_list("event__context",
                                                                                             flat=True))


def test_a_company_asking_for_verification_under_a_verified_company_s_name_is_flagged(world, as_user):
    # B ("Beta Circuits") is verified; A renames itself to a lookalike, then asks for verification.
    services.company_update(company=world.a, actor=world.owner_a, data={"legal_name": "Вета Сircuits"})

    response = as_user(world.owner_a).post(f"/api/v1/companies/{world.a.pk}/submit-verification/")

    company = Company.objects.get(pk=world.a.pk)
    assert (response.status_code, company.verification_status, company.confusable_with_id) == (
        200, S.PENDING, world.b.pk)
    queue = as_user(world.moderator).get("/api/v1/moderation/companies/").json()["results"]
    assert [(row["id"], row["confusable_with"]) for row in queue] == [
        (world.a.pk, {"id": world.b.pk, "legal_name": "Beta Circuits", "country": "CN"})]
    assert response.json()["confusable_with"] is None  # only moderators see the flag
    assert _moderator_alerts(world.moderator) == [{
        "company_id": world.a.pk, "company_name": "Вета Сircuits", "confusable_with_id": world.b.pk,
        "confusable_with_name": "Beta Circuits"}]


def test_a_verified_company_renaming_to_a_lookalike_is_flagged_while_the_name_waits(world):
    set_status(world.a, S.VERIFIED)

    services.company_update(company=world.a, actor=world.owner_a, data={"legal_name": "BETA-CIRCUlTS"})

    company = Company.objects.get(pk=world.a.pk)
    assert (company.legal_name, company.pending_changes, company.confusable_with_id) == (
        "Alpha Textiles", {"legal_name": "BETA-CIRCUlTS"}, world.b.pk)
    assert len(_moderator_alerts(world.moderator)) == 1


def test_a_lookalike_of_an_unverified_company_is_not_flagged(world):
    other = CompanyFactory(legal_name="Gamma Looms", verification_status=S.UNVERIFIED)
    MembershipFactory(company=other)

    services.company_update(company=world.a, actor=world.owner_a, data={"legal_name": "Gamma L00ms"})
    services.company_verification_submit(company=world.a, actor=world.owner_a)

    assert Company.objects.get(pk=world.a.pk).confusable_with_id is None
    assert _moderator_alerts(world.moderator) == []


def test_renaming_away_from_the_lookalike_clears_the_flag(world):
    services.company_update(company=world.a, actor=world.owner_a, data={"legal_name": "Beta Circuits"})
    assert Company.objects.get(pk=world.a.pk).confusable_with_id == world.b.pk

    services.company_update(company=Company.objects.get(pk=world.a.pk), actor=world.owner_a,
                            data={"legal_name": "Alpha Again"})

    assert Company.objects.get(pk=world.a.pk).confusable_with_id is None


# --- listing titles ------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_a_listing_title_is_stored_without_hidden_characters(as_user, seller, owner):
    response = as_user(owner).post(LISTINGS, {**valid_body(), "title": "Cotton\u200b \u202etowel\u202c"},
                                   format="json")

    assert response.status_code == 201, response.content
    assert response.json()["title"] == "Cotton towel"


@pytest.mark.django_db
@pytest.mark.parametrize("raw", ["\u200b\u200d", "\u202e\u2066\u2069", "\x01\x1f"])
def test_a_listing_title_with_nothing_visible_is_refused(as_user, seller, owner, make_listing, raw):
    draft = make_listing(title="Cotton towel")

    created = as_user(owner).post(LISTINGS, {**valid_body(), "title": raw}, format="json")
    updated = as_user(owner).patch(detail_url(draft), {"title": raw}, format="json")

    assert_error(created, 400, "validation_error", fields={"title": [EMPTY_NAME]})
    assert_error(updated, 400, "validation_error", fields={"title": [EMPTY_NAME]})
    draft.refresh_from_db()
    assert draft.title == "Cotton towel"


def test_listing_titles_keep_compatibility_characters_but_lose_invisible_ones():
    from core.names import name_normalise

    assert name_normalise("Towel 500\u200b g/m², 70×140", compatibility=False) == "Towel 500 g/m², 70×140"
    assert name_normalise("Towel 500 g/m²") == "Towel 500 g/m2"
