"""Script never reaches a catalogue page: Markdown descriptions are sanitised, everything else is
escaped, plain-text fields refuse markup, and no page carries inline script, style or event handlers."""
from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.test import Client
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import CompanyKind, VerificationStatus
from core.exceptions import ApplicationError
from marketplace import services
from marketplace.models import Category, Listing, ListingImport, ListingStatus
from tests.factories.accounts import CompanyFactory, MembershipFactory
from tests.factories.marketplace import ListingFactory, PublishedListingFactory

pytestmark = pytest.mark.django_db

PAYLOADS = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", '"><svg onload=alert(1)>',
            "[x](javascript:alert(1))"]
DESCRIPTION = "\n\n".join([*PAYLOADS, "Plain **bold** text."])
TITLE = "Towel \"Deluxe\" & 'Co' <3"


URL_ATTRIBUTES = {"href", "src", "action", "formaction", "hx-get", "hx-post", "data", "srcset"}


class _Tags(HTMLParser):
    """Every start tag of a page with its attributes, as a browser would read them."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.script_bodies: list[str] = []
        self._in_script = False
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))
        self._in_script = tag == "script"

    def handle_endtag(self, tag):
        self._in_script = False

    def handle_data(self, data):
        if self._in_script and data.strip():
            self.script_bodies.append(data)


def assert_no_script(html: str) -> None:
    """No payload became markup: no script, no event handler, no javascript: URL."""
    assert "<script>alert(1)" not in html
    assert "<svg onload" not in html and "<img src=x" not in html
    for tag, attrs in _Tags(html).tags:
        for name, value in attrs:
            assert not name.startswith("on"), (tag, name, value)
            if name in URL_ATTRIBUTES:
                assert not (value or "").strip().lower().startswith("javascript:"), (tag, name, value)


def assert_no_inline_code(html: str) -> None:
    """Only external scripts, no style attributes or elements, no event handler attributes."""
    parsed = _Tags(html)
    assert parsed.script_bodies == []
    for tag, attrs in parsed.tags:
        names = [name for name, _value in attrs]
        assert tag != "style"
        assert "style" not in names and not any(name.startswith("on") for name in names), (tag, attrs)
        if tag == "script":
            assert "src" in names


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def seller():
    return CompanyFactory(legal_name="Anatolia Textiles", country="TR",
                          verification_status=VerificationStatus.VERIFIED)


@pytest.fixture
def owner(seller):
    return MembershipFactory(company=seller).user


@pytest.fixture
def hostile(seller, owner):
    """A published listing whose description carries every payload, with a change waiting for review
    whose description carries them again."""
    listing = PublishedListingFactory(seller=seller, actor=owner, title=TITLE, description=DESCRIPTION,
                                      certificates=[{"name": "ISO 9001", "issuer": "TÜV & Co", "number": "1"}])
    services.listing_update(listing=listing, actor=owner, data={"description": DESCRIPTION + "\n\nAgain."})
    listing.refresh_from_db()
    return listing


@pytest.fixture
def hostile_submission(seller, owner):
    listing = ListingFactory(seller=seller, actor=owner, title=TITLE + " 2", description=DESCRIPTION)
    services.listing_submit(listing=listing, actor=owner)
    return listing


def test_the_description_is_sanitised_when_it_is_rendered(hostile):
    assert hostile.description == DESCRIPTION
    assert hostile.description_html == (
        '\n\n<p></p>\n<p>"&gt;</p>\n<p><a rel="nofollow noopener noreferrer">x</a></p>\n'
        "<p>Plain <strong>bold</strong> text.</p>")


def test_listing_page(client, hostile):
    response = client.get(f"/listings/{hostile.pk}/")

    html = response.content.decode()
    assert_no_script(html)
    assert_no_inline_code(html)
    assert "<h1>Towel &quot;Deluxe&quot; &amp; &#x27;Co&#x27; &lt;3</h1>" in html
    assert "<p>Plain <strong>bold</strong> text.</p>" in html
    assert "<td>TÜV &amp; Co</td>" in html


def test_browse_and_search_results(client, hostile):
    for url in ("/listings/", "/listings/?q=towel", "/categories/textiles/"):
        html = client.get(url).content.decode()
        assert_no_script(html)
        assert_no_inline_code(html)
        assert f'<a href="/listings/{hostile.pk}/">Towel &quot;Deluxe&quot; &amp; &#x27;Co&#x27; &lt;3</a>' in html


def test_search_text_is_escaped_in_the_form(client, hostile):
    html = client.get("/listings/", {"q": '"><script>alert(1)</script>'}).content.decode()

    assert_no_script(html)
    assert 'value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"' in html


def test_seller_dashboard_and_editor(client_as, owner, hostile):
    client = client_as(owner)
    for url in ("/seller/listings/", f"/seller/listings/{hostile.pk}/edit/"):
        response = client.get(url)
        assert response.status_code == 200
        html = response.content.decode()
        assert_no_script(html)
        assert_no_inline_code(html)
    editor = client.get(f"/seller/listings/{hostile.pk}/edit/").content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in editor


def test_moderation_page(client_as, moderator, hostile, hostile_submission):
    buyer = MembershipFactory(company=CompanyFactory(kind=CompanyKind.BUYER)).user
    services.listing_report(listing=hostile, reporter=buyer, reason="Has \"> and <3 in it")

    response = client_as(moderator).get("/moderation/listings/")

    assert [row.listing for row in response.context["rows"]] == [hostile, hostile_submission]
    html = response.content.decode()
    assert_no_script(html)
    assert_no_inline_code(html)
    assert '<span class="changed-fields">Description</span>' in html
    assert "<td>Has &quot;&gt; and &lt;3 in it</td>" in html
    assert f'<label class="visually-hidden" for="select-{hostile_submission.pk}">Select Towel &quot;Deluxe&quot; ' \
           "&amp; &#x27;Co&#x27; &lt;3 2</label>" in html


def test_import_errors_are_escaped(client_as, seller, owner, django_capture_on_commit_callbacks):
    content = ("title,category,origin_country,hs_code,weight_kg,incoterms,price_tiers\r\n"
               "Towel,textiles/home-textiles,<script>alert(1)</script>,630260,0.5,FOB,1:4.20\r\n").encode()
    client = client_as(owner)

    with django_capture_on_commit_callbacks(execute=True):
        client.post("/seller/listings/import/", {"file": SimpleUploadedFile("x.csv", content)})

    listing_import = ListingImport.objects.get()
    assert listing_import.error_count == 1
    for url in (f"/seller/listings/import/{listing_import.pk}/",
                f"/seller/listings/import/{listing_import.pk}/progress/"):
        html = client.get(url).content.decode()
        assert_no_script(html)
        assert "&lt;script&gt;alert(1)&lt;/script&gt; is not an ISO 3166 country code." in html


@pytest.mark.parametrize("title", ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "<b>Towel</b>"])
def test_titles_refuse_markup(seller, owner, title):
    with pytest.raises(ApplicationError) as caught:
        ListingFactory(seller=seller, actor=owner, title=title)

    assert caught.value.fields == {"title": ["HTML tags and scripts are not allowed in this field."]}
    assert Listing.objects.count() == 0


@pytest.mark.parametrize("field", ["name", "issuer", "number"])
def test_certificates_refuse_markup(seller, owner, field):
    certificate = {"name": "ISO 9001", "issuer": "TÜV", "number": "1", field: '<img src=x onerror=alert(1)>'}

    with pytest.raises(ApplicationError) as caught:
        ListingFactory(seller=seller, actor=owner, certificates=[certificate])

    assert caught.value.fields == {"certificates": ["HTML tags and scripts are not allowed in this field."]}
    assert Listing.objects.count() == 0


def test_editor_refuses_markup_in_title_and_certificates(client_as, owner, seller):
    category = Category.objects.get(path="textiles/home-textiles")
    data = {"title": "<script>alert(1)</script>", "category": category.path, "unit": "piece", "stock": "1",
            "moq": "1", "order_multiple": "1", "lead_time_days": "1", "origin_country": "TR", "hs_code": "630260",
            "incoterms": ["FOB"], "weight_kg": "1", "ships_to_mode": "all_except", "tier_0_min_quantity": "1",
            "tier_0_unit_price": "2", "certificate_0_name": "<svg onload=alert(1)>", "certificate_0_issuer": "TÜV"}
    client = client_as(owner)

    response = client.post("/seller/listings/new/", data)
    assert response.context["form"].errors == {"title": ["HTML tags and scripts are not allowed in this field."]}
    response = client.post("/seller/listings/new/", {**data, "title": "Towel"})
    assert response.context["form"].errors == {
        "certificates": ["HTML tags and scripts are not allowed in this field."]}

    assert_no_script(response.content.decode())
    assert Listing.objects.count() == 0


@pytest.mark.parametrize("status", [ListingStatus.DRAFT, ListingStatus.PUBLISHED])
def test_every_catalogue_page_is_free_of_inline_code(seller, owner, moderator, status):
    listing = ListingFactory(seller=seller, actor=owner, status=status)
    ListingImport.objects.create(seller=seller, created_by=owner, file="imports/x.csv", original_name="x.csv",
                                 total_rows=2, processed_rows=1, status="running")
    public = [f"/listings/{listing.pk}/"] if status == ListingStatus.PUBLISHED else []
    pages = {None: ["/listings/", "/categories/textiles/", "/", *public],
             owner: [f"/listings/{listing.pk}/", "/seller/listings/", "/seller/listings/new/",
                     f"/seller/listings/{listing.pk}/edit/", "/seller/listings/import/",
                     f"/seller/listings/import/{ListingImport.objects.get().pk}/"],
             moderator: ["/moderation/listings/", f"/listings/{listing.pk}/"]}

    for user, urls in pages.items():
        page_client = Client()
        if user is not None:
            page_client.force_login(user)
        for url in urls:
            response = page_client.get(url)
            assert response.status_code == 200, url
            assert "script-src 'self'" in response.headers["Content-Security-Policy"]
            assert_no_inline_code(response.content.decode())
