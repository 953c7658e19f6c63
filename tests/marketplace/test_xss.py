"""Script in text a seller or a buyer writes never comes back as markup: plain-text fields refuse
it, Markdown is rendered through the sanitiser, and the admin escapes everything it shows."""
from __future__ import annotations

import html

import pytest

from marketplace import services
from marketplace.models import Certificate, Listing, ListingReport, ListingStatus
from tests.core.helpers import assert_error
from tests.marketplace.conftest import LISTINGS, assert_unchanged, detail_url, valid_body

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
JS_LINK = "[click](javascript:alert(1))"
SVG = '"><svg onload=alert(1)>'
PAYLOADS = [SCRIPT, IMG, JS_LINK, SVG]
MARKUP_PAYLOADS = [SCRIPT, IMG, SVG]
TAG_MESSAGE = "HTML tags and scripts are not allowed in this field."

# Markdown descriptions and the exact HTML they become.
RENDERED = [
    pytest.param(SCRIPT, "", id="script"),
    pytest.param(IMG, "<p></p>", id="img-onerror"),
    pytest.param(JS_LINK, '<p><a rel="nofollow noopener noreferrer">click</a></p>', id="javascript-link"),
    pytest.param(SVG, "<p>\"&gt;</p>", id="svg-onload"),
    pytest.param('<a href="JaVaScRiPt:alert(1)">x</a>', '<p><a rel="nofollow noopener noreferrer">x</a></p>',
                 id="raw-javascript-link"),
    pytest.param("[x](data:text/html;base64,PHNjcmlwdD4=)", '<p><a rel="nofollow noopener noreferrer">x</a></p>',
                 id="data-link"),
    pytest.param("<iframe src=https://evil.example></iframe>", "", id="iframe"),
    pytest.param("Towel <b onmouseover=alert(1)>bold</b>", "<p>Towel bold</p>", id="event-attribute"),
    pytest.param("See [our site](https://example.com) **now**",
                 '<p>See <a href="https://example.com" rel="nofollow noopener noreferrer">our site</a> '
                 "<strong>now</strong></p>", id="harmless-markdown-kept"),
]


def assert_no_script(markup: str) -> None:
    lowered = markup.lower()
    for needle in ("<script", "onerror", "onload", "onmouseover", "javascript:", "<svg", "<iframe", "data:text"):
        assert needle not in lowered, (needle, markup)


# --- plain-text fields refuse markup --------------------------------------------------------------

@pytest.mark.parametrize("payload", MARKUP_PAYLOADS)
def test_title_with_markup_is_refused_on_create(as_user, owner, payload):
    with assert_unchanged():
        response = as_user(owner).post(LISTINGS, {**valid_body(), "title": f"Towel {payload}"}, format="json")

    assert_error(response, 400, "validation_error", fields={"title": [TAG_MESSAGE]})


@pytest.mark.parametrize("payload", MARKUP_PAYLOADS)
@pytest.mark.parametrize("status", [ListingStatus.DRAFT, ListingStatus.PUBLISHED])
def test_title_with_markup_is_refused_on_update(as_user, owner, make_listing, payload, status):
    listing = make_listing(status)

    with assert_unchanged():
        response = as_user(owner).patch(detail_url(listing), {"title": payload}, format="json")

    assert_error(response, 400, "validation_error", fields={"title": [TAG_MESSAGE]})


def test_a_title_without_tags_stays_plain_text(as_user, owner):
    response = as_user(owner).post(LISTINGS, {**valid_body(), "title": "Towels javascript:alert(1) & more"},
                                   format="json")

    assert response.status_code == 201
    assert response.json()["title"] == "Towels javascript:alert(1) & more"


@pytest.mark.parametrize("payload", MARKUP_PAYLOADS)
@pytest.mark.parametrize("key", ["name", "issuer", "number"])
def test_certificate_text_with_markup_is_refused_on_create(as_user, owner, payload, key):
    certificate = {"name": "ISO 9001", "issuer": "TUV", "number": "A-1", key: payload}

    with assert_unchanged():
        response = as_user(owner).post(LISTINGS, {**valid_body(), "certificates": [certificate]}, format="json")

    assert_error(response, 400, "validation_error", fields={"certificates": [TAG_MESSAGE]})


@pytest.mark.parametrize("payload", MARKUP_PAYLOADS)
@pytest.mark.parametrize("key", ["name", "issuer", "number"])
@pytest.mark.parametrize("status", [ListingStatus.DRAFT, ListingStatus.PUBLISHED])
def test_certificate_text_with_markup_is_refused_on_update(as_user, owner, make_listing, payload, key, status):
    """Also for a published listing, where the change would otherwise wait for review."""
    listing = make_listing(status)
    certificate = {"name": "ISO 9001", "issuer": "TUV", "number": "A-1", key: payload}

    with assert_unchanged():
        response = as_user(owner).patch(detail_url(listing), {"certificates": [certificate]}, format="json")

    assert_error(response, 400, "validation_error", fields={"certificates": [TAG_MESSAGE]})


@pytest.mark.parametrize("payload", MARKUP_PAYLOADS)
def test_report_reason_with_markup_is_refused(as_user, published, buyer, payload):
    with assert_unchanged():
        response = as_user(buyer).post(f"{detail_url(published)}report/", {"reason": f"Fake {payload}"},
                                       format="json")

    assert_error(response, 400, "validation_error", fields={"reason": [TAG_MESSAGE]})


# --- Markdown is sanitised ------------------------------------------------------------------------

@pytest.mark.parametrize(("source", "rendered"), RENDERED)
def test_description_is_rendered_sanitised_on_create(as_user, api_client, owner, moderator, source, rendered):
    response = as_user(owner).post(LISTINGS, {**valid_body(), "description": source}, format="json")

    assert response.status_code == 201
    body = response.json()
    assert (body["description"], body["description_html"]) == (source, rendered)
    assert_no_script(body["description_html"])
    listing = Listing.objects.get()
    assert (listing.description, listing.description_html) == (source, rendered)


@pytest.mark.parametrize(("source", "rendered"), RENDERED)
def test_description_change_of_a_published_listing_is_sanitised_when_approved(as_user, api_client, published,
                                                                              owner, moderator, source, rendered):
    as_user(owner).patch(detail_url(published), {"description": source}, format="json")
    as_user(moderator).post(f"{detail_url(published)}approve/", {}, format="json")

    public = api_client.get(detail_url(published)).json()
    assert (public["description"], public["description_html"]) == (source, rendered)
    assert_no_script(public["description_html"])


def test_every_payload_in_the_description_at_once(as_user, api_client, seller, owner, moderator):
    listing = services.listing_create(seller=seller, actor=owner, data={**valid_body(),
                                                                          "description": "\n\n".join(PAYLOADS)})
    Listing.objects.filter(pk=listing.pk).update(status=ListingStatus.PUBLISHED)

    for client in (api_client, as_user(owner), as_user(moderator)):
        body = client.get(detail_url(listing)).json()
        assert body["description_html"] == ('\n\n<p></p>\n<p><a rel="nofollow noopener noreferrer">click</a></p>\n'
                                            '<p>"&gt;</p>')
        assert_no_script(body["description_html"])


# --- the admin shows everything escaped -----------------------------------------------------------

@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.fixture
def poisoned(make_listing, published, buyer):
    """A listing whose every text column holds a payload, written straight into the database as if an
    older version had let it in, with a certificate, a report and a description full of script."""
    payloads = " ".join(MARKUP_PAYLOADS)
    services.listing_update(listing=published, actor=published.seller.memberships.first().user,
                            data={"description": f"{payloads} {JS_LINK}"})
    Listing.objects.filter(pk=published.pk).update(
        title=f"Title {SCRIPT}", description_html=f"<p>{IMG}</p><p>{SVG}</p>{SCRIPT}",
        status_reason=f"Reason {SVG}")
    Certificate.objects.create(listing=published, name=f"Name {SCRIPT}", issuer=f"Issuer {IMG}",
                               number=f"No {SVG}")
    ListingReport.objects.create(listing=published, reporter=buyer, reason=f"Report {IMG}")
    published.seller.legal_name = f"Seller {SVG}"
    published.seller.save(update_fields=["legal_name"])
    return Listing.objects.get(pk=published.pk)


def assert_escaped(page: str) -> None:
    for payload in MARKUP_PAYLOADS:
        assert payload not in page, payload
    assert html.escape(SCRIPT, quote=False) in page or html.escape(SCRIPT) in page


def test_admin_listing_change_page_escapes_every_text(admin_client, poisoned):
    response = admin_client.get(f"/admin/marketplace/listing/{poisoned.pk}/change/")

    assert response.status_code == 200
    page = response.content.decode()
    assert_escaped(page)
    assert "&lt;img src=x onerror=alert(1)&gt;" in page  # the stored description HTML, shown as text
    assert "Name &lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "Report &lt;img src=x onerror=alert(1)&gt;" in page


@pytest.mark.parametrize("params", [{}, {"queue": "all"}, {"q": "Title"}])
def test_admin_listing_changelist_escapes_every_text(admin_client, poisoned, params):
    response = admin_client.get("/admin/marketplace/listing/", params)

    assert response.status_code == 200
    assert [row.pk for row in response.context["cl"].result_list] == [poisoned.pk]
    assert_escaped(response.content.decode())


def test_admin_reason_page_escapes_listing_titles(admin_client, poisoned):
    response = admin_client.post("/admin/marketplace/listing/", {"action": "suspend",
                                                                 "_selected_action": [poisoned.pk]})

    assert response.status_code == 200
    assert_escaped(response.content.decode())


@pytest.mark.parametrize("url", ["/admin/marketplace/listingreport/", "/admin/marketplace/listingdecision/"])
def test_admin_report_and_decision_lists_escape_every_text(admin_client, poisoned, moderator, url):
    services.listing_suspend(listing=poisoned, actor=moderator, reason="Checking")

    response = admin_client.get(url)

    assert response.status_code == 200
    assert_escaped(response.content.decode())


def test_admin_report_page_escapes_the_reason(admin_client, poisoned):
    report = ListingReport.objects.get()

    page = admin_client.get(f"/admin/marketplace/listingreport/{report.pk}/change/").content.decode()

    assert IMG not in page
    assert "Report &lt;img src=x onerror=alert(1)&gt;" in page
