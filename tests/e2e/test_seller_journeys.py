"""A seller signs up, asks for verification with a document, writes a listing with a picture and
imports listings from a CSV file with a bad row, in a real browser."""
import pytest

from accounts.models import Company, VerificationDocument
from marketplace.models import Listing, ListingImage, ListingImport
from tests.accounts.helpers import VALID_VKN, pdf_bytes, png_bytes
from tests.e2e.axe import assert_accessible
from tests.e2e.helpers import category_tree, messages

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "Kilim-Loom-Bursa-2026"
CSV = "\r\n".join([
    "title,category,origin_country,hs_code,weight_kg,incoterms,price_tiers",
    "Cotton bath towel,textiles/home-textiles,TR,630260,0.5,FOB;EXW,1:4.20;500:3.90",
    "Broken towel,textiles/home-textiles,XX,630260,-1,FOB,1:4.20",
    "Denim fabric,textiles/fabrics,TR,520942,0.41,EXW,1:3.10",
]).encode()


@pytest.fixture(autouse=True)
def _files(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    category_tree()


def _sign_up(page, base: str) -> None:
    page.goto(f"{base}/signup/")
    page.fill("[name=email]", "selin@ipek-textiles.example")
    page.fill("[name=full_name]", "Selin Demir")
    page.fill("[name=password1]", PASSWORD)
    page.fill("[name=password2]", PASSWORD)
    page.fill("[name=legal_name]", "İpek Textiles A.Ş.")
    page.select_option("[name=country]", "TR")
    page.fill("[name=registration_number]", "TR-771204")
    page.fill("[name=address]", "Osmangazi, Bursa")
    page.select_option("[name=default_currency]", "TRY")
    page.select_option("[name=kind]", "seller")
    with page.expect_navigation():
        page.click("form#signup-form [type=submit]")


def test_seller_signs_up_and_asks_for_verification_with_a_document(live_server, page):
    base = live_server.url
    _sign_up(page, base)
    page.goto(f"{base}/my-company/")
    assert page.inner_text("#company-summary h1") == "İpek Textiles A.Ş."

    # Without evidence the request says what is missing and changes nothing.
    with page.expect_navigation():
        page.click("#verification-form [type=submit]")
    assert "Enter the company's tax number before asking for verification." in messages(page)

    page.fill("#company-form [name=tax_number]", VALID_VKN)
    with page.expect_navigation():
        page.click("#company-form [type=submit]")
    page.goto(f"{base}/my-company/")
    page.select_option("#document-form [name=kind]", "registration_certificate")
    page.set_input_files("#document-form [name=file]", files=[
        {"name": "registry.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes()}])
    with page.expect_navigation():
        page.click("#document-form [type=submit]")
    assert "registry.pdf" in page.inner_text("#documents")

    with page.expect_navigation():
        page.click("#verification-form [type=submit]")
    assert "Verification requested. A moderator will review your company." in messages(page)
    assert "Your verification request is waiting for a moderator." in page.inner_text("#company-summary")
    assert_accessible(page)

    company = Company.objects.get(registration_number="TR-771204")
    assert (company.verification_status, company.tax_number) == ("pending", VALID_VKN)
    assert list(VerificationDocument.objects.values_list("kind", "original_name")) == [
        ("registration_certificate", "registry.pdf")]


def test_seller_writes_a_listing_with_a_picture_and_imports_a_csv_with_a_bad_row(live_server, page):
    base = live_server.url
    _sign_up(page, base)

    page.goto(f"{base}/seller/listings/new/")
    page.fill("#listing-form [name=title]", "Turkish cotton towel")
    home_textiles = page.locator("#listing-form [name=category] option", has_text="Home textiles").first
    page.select_option("#listing-form [name=category]", home_textiles.get_attribute("value"))
    page.fill("#listing-form [name=stock]", "500")
    page.fill("#listing-form [name=moq]", "10")
    page.select_option("#listing-form [name=origin_country]", "TR")
    page.fill("#listing-form [name=hs_code]", "630260")
    page.fill("#listing-form [name=weight_kg]", "0.5")
    page.check("#listing-form [name=incoterms][value=FOB]")
    page.fill("#listing-form [name=tier_0_min_quantity]", "10")
    page.fill("#listing-form [name=tier_0_unit_price]", "120.00")
    with page.expect_navigation():
        page.click("#listing-form [type=submit]")
    assert "The draft is saved. Submit it for review when it is ready." in messages(page)

    page.set_input_files("#image-form [name=image]", files=[
        {"name": "towel.png", "mimeType": "image/png", "buffer": png_bytes(64, 48)}])
    with page.expect_navigation():
        page.click("#image-form [type=submit]")
    assert "The image is added." in messages(page)
    picture = page.locator("#images .image-list img")
    assert picture.count() == 1
    assert page.evaluate("(img) => img.complete && img.naturalWidth", picture.element_handle()) == 64
    assert_accessible(page)

    listing = Listing.objects.get()
    assert (listing.title, listing.status, ListingImage.objects.filter(listing=listing).count()) == (
        "Turkish cotton towel", "draft", 1)

    page.goto(f"{base}/seller/listings/import/")
    page.set_input_files("#import-form [name=file]", files=[
        {"name": "listings.csv", "mimeType": "text/csv", "buffer": CSV}])
    with page.expect_navigation():
        page.click("#import-form [type=submit]")
    page.wait_for_selector("#import-status.badge-import-done")
    assert page.inner_text("#import-counts") == "3 of 3 rows processed (100%)"
    assert (page.inner_text("#import-imported"), page.inner_text("#import-errors")) == ("2", "1")
    # Every problem of the bad row is listed at once, with the value the file had.
    rows = page.locator("#import-error-table tbody tr")
    assert sorted(rows.nth(i).locator("td").all_inner_texts() for i in range(rows.count())) == [
        ["3", "origin_country", "XX", "XX is not an ISO 3166 country code."],
        ["3", "weight_kg", "-1", "Enter a number greater than zero."]]
    report = page.request.get(base + page.get_attribute("#import-report-download", "href"))
    assert report.status == 200 and "3,origin_country,XX,XX is not an ISO 3166 country code." in report.text()
    assert_accessible(page)
    assert ListingImport.objects.get().status == "done"
    assert sorted(Listing.objects.values_list("title", flat=True)) == [
        "Cotton bath towel", "Denim fabric", "Turkish cotton towel"]
