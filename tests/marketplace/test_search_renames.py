"""Renaming a company or a category reaches the catalogue search: the search documents of the
listings that hold the old name are rebuilt by a task queued after the rename commits."""
from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts import hooks
from accounts import services as accounts_services
from accounts.models import Company, VerificationStatus
from core.exceptions import ApplicationError, Forbidden
from marketplace import services, tasks
from marketplace.models import Category, Listing
from marketplace.selectors import SearchParams, listing_search
from tests.factories.accounts import CompanyFactory, MembershipFactory
from tests.factories.marketplace import PublishedListingFactory

pytestmark = pytest.mark.django_db


def found(q: str) -> list[int]:
    return [listing.pk for listing in listing_search(params=SearchParams(q=q, sort="newest"))]


def documents() -> dict[int, str]:
    return dict(Listing.objects.order_by("pk").values_list("pk", "search_document"))


@pytest.fixture
def catalogue():
    anatolia = CompanyFactory(legal_name="Anatolia Textiles", country="TR",
                              verification_status=VerificationStatus.VERIFIED)
    shenzhen = CompanyFactory(legal_name="Shenzhen Bright Circuits", country="CN",
                              verification_status=VerificationStatus.VERIFIED)
    towel = PublishedListingFactory(seller=anatolia, title="Cotton bath towel", description="Terry loops.",
                                    category="textiles/home-textiles", hs_code="630260")
    denim = PublishedListingFactory(seller=anatolia, title="Indigo denim", description="Selvedge.",
                                    category="textiles/fabrics", hs_code="520942")
    pcb = PublishedListingFactory(seller=shenzhen, title="Double-sided PCB", description="FR-4.",
                                  category="electronics/pcb", hs_code="853400")
    owner = MembershipFactory(company=anatolia).user
    return {"anatolia": anatolia, "shenzhen": shenzhen, "towel": towel, "denim": denim, "pcb": pcb, "owner": owner}


# --- a company's legal name -----------------------------------------------------------------------

def test_renaming_a_company_makes_its_listings_found_by_the_new_name(catalogue, django_capture_on_commit_callbacks,
                                                                    moderator):
    """The company is verified: its new name reaches search once a moderator approves it."""
    anatolia = catalogue["anatolia"]
    accounts_services.company_update(company=anatolia, actor=catalogue["owner"],
                                     data={"legal_name": "Bursa Weaving Mills"})
    assert found("bursa weaving") == []
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        accounts_services.company_identity_approve(company=anatolia, actor=moderator)

    assert len(callbacks) == 1
    assert Company.objects.get(pk=anatolia.pk).legal_name == "Bursa Weaving Mills"
    assert found("bursa weaving") == [catalogue["denim"].pk, catalogue["towel"].pk]
    assert found("anatolia") == []
    assert Listing.objects.get(pk=catalogue["towel"].pk).search_document == (
        "Cotton bath towel\nTerry loops.\nHome textiles\nTextiles and apparel\nBursa Weaving Mills\n630260 6302 63")
    assert Listing.objects.get(pk=catalogue["pcb"].pk).search_document == (
        "Double-sided PCB\nFR-4.\nPrinted circuit boards\nElectronics\nShenzhen Bright Circuits\n853400 8534 85")


def test_renaming_a_company_through_the_api_reaches_search(catalogue, as_user, django_capture_on_commit_callbacks,
                                                           moderator):
    anatolia = catalogue["anatolia"]
    as_user(catalogue["owner"]).patch(f"/api/v1/companies/{anatolia.pk}/", {"legal_name": "Izmir Looms"},
                                      format="json")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = as_user(moderator).post(f"/api/v1/companies/{anatolia.pk}/approve-identity/", {},
                                           format="json")

    assert response.status_code == 200
    assert response.json()["legal_name"] == "Izmir Looms"
    assert len(callbacks) == 1
    assert found("izmir looms") == [catalogue["denim"].pk, catalogue["towel"].pk]
    assert found("anatolia") == []


def test_renaming_a_company_in_the_admin_reaches_search(catalogue, client, admin_user,
                                                        django_capture_on_commit_callbacks):
    anatolia = catalogue["anatolia"]
    client.force_login(admin_user)
    url = f"/admin/accounts/company/{anatolia.pk}/change/"
    page = client.get(url).context
    data = {name: value for name, value in page["adminform"].form.initial.items()
            if value is not None and name != "logo"}
    for inline in page["inline_admin_formsets"]:
        formset = inline.formset
        data.update({f"{formset.prefix}-{name}": value for name, value in formset.management_form.initial.items()})
        for form in formset.initial_forms:
            data.update({form.add_prefix(name): "" if value is None else value
                         for name, value in form.initial.items()})
            data[form.add_prefix("id")] = form.instance.pk
            data[form.add_prefix(formset.fk.name)] = anatolia.pk
    data["legal_name"] = "Aegean Cotton Works"
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    assert Company.objects.get(pk=anatolia.pk).legal_name == "Aegean Cotton Works"
    assert len(callbacks) == 1
    assert found("aegean cotton") == [catalogue["denim"].pk, catalogue["towel"].pk]
    assert found("anatolia") == []


def test_an_edit_that_keeps_the_legal_name_queues_no_reindex(catalogue, django_capture_on_commit_callbacks):
    before = documents()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        accounts_services.company_update(company=catalogue["anatolia"], actor=catalogue["owner"],
                                         data={"legal_name": "Anatolia Textiles", "website": "https://a.example"})

    assert callbacks == []
    assert documents() == before


def test_a_refused_rename_changes_nothing_and_queues_nothing(catalogue, django_capture_on_commit_callbacks):
    anatolia = catalogue["anatolia"]
    staff = MembershipFactory(company=anatolia, role="staff").user
    before = documents()
    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(Forbidden):
        accounts_services.company_update(company=anatolia, actor=staff, data={"legal_name": "Bursa Weaving Mills"})

    assert callbacks == []
    assert Company.objects.get(pk=anatolia.pk).legal_name == "Anatolia Textiles"
    assert documents() == before
    assert found("anatolia") == [catalogue["denim"].pk, catalogue["towel"].pk]


def test_a_listener_registered_twice_is_called_once(monkeypatch):
    calls: list[int] = []
    monkeypatch.setattr(hooks, "_company_renamed", [])

    def listener(company_id: int) -> None:
        calls.append(company_id)

    hooks.on_company_renamed(listener)
    hooks.on_company_renamed(listener)
    hooks.company_renamed(42)

    assert calls == [42]


def test_the_seller_reindex_task_is_safe_to_run_twice(catalogue):
    Company.objects.filter(pk=catalogue["anatolia"].pk).update(legal_name="Bursa Weaving Mills")

    assert tasks.search_reindex_seller(catalogue["anatolia"].pk) == 2
    assert tasks.search_reindex_seller(catalogue["anatolia"].pk) == 0
    assert found("bursa") == [catalogue["denim"].pk, catalogue["towel"].pk]


# --- a category's name ----------------------------------------------------------------------------

def test_renaming_a_category_makes_its_listings_found_by_the_new_name(catalogue, django_capture_on_commit_callbacks):
    textiles = Category.objects.get(path="textiles")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        renamed = services.category_rename(category=textiles, name="  Woven goods ")

    assert len(callbacks) == 1
    assert (renamed.pk, renamed.name) == (textiles.pk, "Woven goods")
    assert Category.objects.get(pk=textiles.pk).name == "Woven goods"
    # The parent's name is in the documents of the listings of its children too.
    assert found("woven goods") == [catalogue["denim"].pk, catalogue["towel"].pk]
    assert found("apparel") == []
    assert Listing.objects.get(pk=catalogue["towel"].pk).search_document == (
        "Cotton bath towel\nTerry loops.\nHome textiles\nWoven goods\nAnatolia Textiles\n630260 6302 63")


def test_renaming_a_child_category_reaches_only_its_listings(catalogue, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.category_rename(category=Category.objects.get(path="textiles/home-textiles"), name="Bath linen")

    assert len(callbacks) == 1
    assert found("bath linen") == [catalogue["towel"].pk]
    assert found("home textiles") == []
    assert found("textiles and apparel") == [catalogue["denim"].pk, catalogue["towel"].pk]


def test_keeping_a_category_name_queues_nothing(catalogue, django_capture_on_commit_callbacks):
    before = documents()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.category_rename(category=Category.objects.get(path="electronics"), name="Electronics")

    assert callbacks == []
    assert documents() == before


@pytest.mark.parametrize(("name", "message"), [
    ("   ", "Enter the category's name."),
    ("x" * 121, "A category's name has at most 120 characters."),
])
def test_a_bad_category_name_is_refused_and_changes_nothing(catalogue, django_capture_on_commit_callbacks,
                                                            name, message):
    textiles = Category.objects.get(path="textiles")
    before = documents()
    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(ApplicationError) as exc:
        services.category_rename(category=textiles, name=name)

    assert (exc.value.code, exc.value.fields) == ("validation_error", {"name": [message]})
    assert callbacks == []
    assert Category.objects.get(pk=textiles.pk).name == "Textiles and apparel"
    assert documents() == before


def test_the_category_reindex_task_is_safe_to_run_twice_and_after_a_delete(catalogue):
    Category.objects.filter(path="textiles").update(name="Woven goods")
    textiles = Category.objects.get(path="textiles")

    assert tasks.search_reindex_category(textiles.pk) == 2
    assert tasks.search_reindex_category(textiles.pk) == 0
    missing = Category.objects.order_by("-pk").values_list("pk", flat=True).first() + 1
    assert tasks.search_reindex_category(missing) == 0


def test_the_category_reindex_queries_do_not_grow_with_listings(catalogue):
    textiles = Category.objects.get(path="textiles")
    Category.objects.filter(pk=textiles.pk).update(name="Woven goods")
    with CaptureQueriesContext(connection) as two:
        assert tasks.search_reindex_category(textiles.pk) == 2
    for n in range(8):
        PublishedListingFactory(seller=catalogue["shenzhen"], title=f"Shirt {n}", category="textiles/garments")
    Category.objects.filter(pk=textiles.pk).update(name="Textiles again")
    with CaptureQueriesContext(connection) as ten:
        assert tasks.search_reindex_category(textiles.pk) == 10

    assert len(ten) == len(two)
