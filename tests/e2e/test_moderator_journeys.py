"""A moderator verifies a company, approves one listing and sends another back with a reason, in a
real browser; the seller sees the decision."""
import pytest

from accounts import services as account_services
from accounts.models import Company, CompanyKind, VerificationStatus
from marketplace.models import Listing, ListingStatus
from marketplace.services import listing_image_add
from tests.accounts.helpers import give_evidence, png_bytes, upload
from tests.e2e.axe import assert_accessible
from tests.e2e.helpers import category_tree, log_in, log_out, messages
from tests.factories.accounts import CompanyFactory, MembershipFactory, ModeratorFactory
from tests.factories.marketplace import ListingFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _files(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    category_tree()


def test_moderator_verifies_a_company_approves_a_listing_and_sends_one_back(live_server, page):
    base = live_server.url
    moderator = ModeratorFactory()
    asking = CompanyFactory(legal_name="Anadolu Seramik Ltd", country="TR", kind=CompanyKind.SELLER)
    asking_owner = MembershipFactory(company=asking).user
    give_evidence(asking)
    account_services.company_verification_submit(company=asking, actor=asking_owner)
    seller = CompanyFactory(legal_name="Bursa Havlu A.S.", country="TR", kind=CompanyKind.SELLER,
                            verification_status=VerificationStatus.VERIFIED)
    seller_owner = MembershipFactory(company=seller).user
    good = ListingFactory(seller=seller, title="Peshtemal towel")
    listing_image_add(listing=good, actor=seller_owner, image=upload("peshtemal.png", png_bytes(64, 40)))
    Listing.objects.filter(pk=good.pk).update(status=ListingStatus.PENDING_REVIEW)
    vague = ListingFactory(seller=seller, title="Towel", status=ListingStatus.PENDING_REVIEW)

    log_in(page, base, moderator.email)
    page.goto(f"{base}/moderation/companies/")
    row = page.locator(f"#pending-{asking.pk}")
    assert "Anadolu Seramik Ltd" in row.inner_text()
    assert_accessible(page)
    with page.expect_navigation():
        row.get_by_role("button", name="Verify").click()
    assert "Anadolu Seramik Ltd" in messages(page)
    assert page.locator(f"#pending-{asking.pk}").count() == 0
    assert Company.objects.get(pk=asking.pk).verification_status == VerificationStatus.VERIFIED

    page.goto(f"{base}/moderation/listings/")
    assert page.locator(f"#queue-{good.pk}").is_visible() and page.locator(f"#queue-{vague.pk}").is_visible()
    preview = page.locator(f"#queue-{good.pk} img")
    assert preview.get_attribute("alt") == "Peshtemal towel, picture 1"
    assert page.evaluate("(img) => img.complete && img.naturalWidth", preview.element_handle()) == 64
    assert_accessible(page)
    with page.expect_navigation():
        page.locator(f"#queue-{good.pk}").get_by_role("button", name="Approve").click()
    assert page.locator(f"#queue-{good.pk}").count() == 0

    vague_row = page.locator(f"#queue-{vague.pk}")
    vague_row.locator("summary", has_text="Request changes").click()
    page.fill(f"#changes-reason-{vague.pk}", "Say what the towel is made of and its size.")
    with page.expect_navigation():
        vague_row.get_by_role("button", name="Send back").click()
    assert page.locator(f"#queue-{vague.pk}").count() == 0
    assert dict(Listing.objects.values_list("title", "status")) == {
        "Peshtemal towel": ListingStatus.PUBLISHED, "Towel": ListingStatus.CHANGES_REQUESTED}
    log_out(page, base)

    # The public catalogue shows the approved listing; its seller reads why the other came back.
    page.goto(f"{base}/listings/")
    assert page.locator(".listing-card .listing-title").all_inner_texts() == ["Peshtemal towel"]
    picture = page.locator(f"#listing-{good.pk} .listing-thumb img")
    assert picture.get_attribute("alt") == "Peshtemal towel, picture 1"
    assert page.evaluate("(img) => img.complete && img.naturalWidth", picture.element_handle()) == 64
    log_in(page, base, seller_owner.email)
    page.goto(f"{base}/seller/listings/{vague.pk}/edit/")
    assert "Say what the towel is made of and its size." in page.inner_text("#last-reason")
