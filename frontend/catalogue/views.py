"""Catalogue pages: browse and search, the listing page, the seller's listings, bulk import and the
listing moderation queue. Thin views: parse the form, call one service or selector, render or redirect."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django_countries import countries

from accounts import selectors as accounts_selectors
from core.exceptions import ApplicationError
from core.pagination import CappedPaginator
from marketplace import imports, search
from marketplace import selectors as marketplace_selectors
from marketplace import services
from marketplace.models import ImportStatus, Listing, ListingStatus
from marketplace.prices import EUR
from marketplace.transitions import EDITABLE_IN_PLACE, LIFECYCLE, SELLER

from .. import selectors as frontend_selectors
from ..common import moderation_action
from ..decorators import expired_session_page, moderator_required, safe_next, seller_required
from . import forms
from .cards import Card

LISTINGS_PAGE_SIZE = 24
SELLER_PAGE_SIZE = 50
QUEUE_PAGE_SIZE = 50
REPORTS_PAGE_SIZE = 50
# A published listing is edited too: its changes wait for review while the approved version stays.
EDITABLE = EDITABLE_IN_PLACE | {ListingStatus.PENDING_REVIEW, ListingStatus.PUBLISHED}
IMPORT_TEMPLATE = "marketplace/listings-template.csv"
DISPLAY_CURRENCY_SESSION_KEY = "display_currency"


@dataclass(frozen=True)
class TierRow:
    min_quantity: int
    max_quantity: int | None
    unit_price: Decimal


def _tier_rows(listing: Listing) -> list[TierRow]:
    tiers = list(listing.price_tiers.all())
    return [TierRow(tier.min_quantity, following.min_quantity - 1 if following else None, tier.unit_price)
            for tier, following in zip(tiers, [*tiers[1:], None])]


def _country_names(codes: list[str]) -> list[str]:
    return sorted(str(countries.name(code) or code) for code in codes)


# --- browse and search ----------------------------------------------------------------------------

def _browse(request, data, *, categories: forms.CategoryTree, category=None):
    """The display currency is the one chosen in the form, kept in the session for the next pages;
    EUR until one is chosen."""
    options = marketplace_selectors.display_currency_options()
    data = data.copy()
    if not data.get("currency"):
        data["currency"] = request.session.get(DISPLAY_CURRENCY_SESSION_KEY) or EUR
    form = forms.SearchForm(data, currencies=options, categories=categories)
    params = form.params()
    display = params.display
    chosen = request.GET.get("currency") == display.code
    if chosen and request.session.get(DISPLAY_CURRENCY_SESSION_KEY) != display.code:
        request.session[DISPLAY_CURRENCY_SESSION_KEY] = display.code
    # The cards show no price tiers (the lowest price is a column): the first picture and the
    # Incoterms come with the listings, the category from the tree.
    listings = marketplace_selectors.listing_card_rows(marketplace_selectors.listing_search(params=params))
    try:
        with search.search_time_limit(params.q):
            page = CappedPaginator(listings, LISTINGS_PAGE_SIZE).get_page(request.GET.get("page"))
            rows = page.object_list = marketplace_selectors.listing_card_page_rows(page.object_list)
    except search.SearchTooSlow as error:
        messages.error(request, error.message)
        page = CappedPaginator([], LISTINGS_PAGE_SIZE).get_page(1)
        rows = page.object_list = []
    categories.attach(rows)
    cards = [Card(listing, marketplace_selectors.listing_price_in(listing, display), listing.card_incoterms,
                  listing.card_picture) for listing in rows]
    return render(request, "frontend/catalogue/browse.html", {"form": form, "page": page, "cards": cards,
                                                              "display": display, "category": category,
                                                              **_did_you_mean(request, params, listings)})


def _did_you_mean(request, params, listings) -> dict:
    """The corrected search text and the address of its search with the same filters, if any."""
    suggestion = marketplace_selectors.listing_search_suggestion(params=params, listings=listings)
    if not suggestion:
        return {}
    query = request.GET.copy()
    query["q"] = suggestion
    query.pop("page", None)
    return {"did_you_mean": suggestion, "did_you_mean_url": f"{request.path}?{query.urlencode()}"}


@require_safe
def listing_browse(request):
    return _browse(request, request.GET, categories=forms.CategoryTree.read())


@require_safe
def category_browse(request, path: str):
    categories = forms.CategoryTree.read()
    category = categories.get(path.strip("/"))
    if category is None:
        raise Http404
    data = request.GET.copy()
    data["category"] = category.path
    return _browse(request, data, categories=categories, category=category)


# --- the listing page ---------------------------------------------------------------------------

def _listing_page(request, listing: Listing, *, report_form=None):
    is_member = accounts_selectors.membership_get(actor=request.user, company=listing.seller) is not None
    is_moderator = request.user.is_authenticated and request.user.is_moderator
    can_report = request.user.is_authenticated and not is_member and listing.status == ListingStatus.PUBLISHED
    ships_to = marketplace_selectors.listing_ships_to(listing)
    return render(request, "frontend/catalogue/listing_detail.html", {
        "listing": listing,
        "seller": listing.seller,
        "tiers": _tier_rows(listing),
        "ships_to": ships_to,
        "ships_to_names": _country_names(ships_to.countries),
        "is_member": is_member,
        "show_status": (is_member or is_moderator) and (
            listing.status != ListingStatus.PUBLISHED or listing.pending_changes is not None),
        "report_form": report_form if report_form is not None else (forms.ReportForm() if can_report else None),
    })


@require_safe
def listing_detail(request, pk: int):
    return _listing_page(request, marketplace_selectors.listing_get_for_actor(actor=request.user, pk=pk))


@expired_session_page(lambda request, pk: reverse("frontend:listing_detail", args=[pk]))
@login_required
@require_POST
def listing_report(request, pk: int):
    listing = marketplace_selectors.listing_get_for_actor(actor=request.user, pk=pk)
    form = forms.ReportForm(request.POST)
    if form.is_valid():
        try:
            services.listing_report(listing=listing, reporter=request.user, reason=form.cleaned_data["reason"])
        except ApplicationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("Thank you. A moderator will look at this listing."))
            return redirect("frontend:listing_detail", pk=listing.pk)
    return _listing_page(request, listing, report_form=form)


# --- the seller's listings ------------------------------------------------------------------------

@dataclass(frozen=True)
class SellerRow:
    listing: Listing
    can_edit: bool
    can_submit: bool
    can_archive: bool


def _seller_row(listing: Listing) -> SellerRow:
    targets = LIFECYCLE.targets(listing.status, SELLER)
    return SellerRow(listing=listing, can_edit=listing.status in EDITABLE,
                     can_submit=ListingStatus.PENDING_REVIEW in targets,
                     can_archive=ListingStatus.ARCHIVED in targets)


@seller_required
@require_safe
def seller_listings(request, seller):
    filter_form = forms.SellerListingFilterForm(request.GET)
    listings = marketplace_selectors.listing_list_for_seller(actor=request.user, status=filter_form.status_value())
    page = Paginator(listings, SELLER_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "frontend/catalogue/seller_listings.html", {
        "seller": seller,
        "filter_form": filter_form,
        "page": page,
        "rows": [_seller_row(listing) for listing in page.object_list],
    })


def _seller_action(service, done_message: str):
    @login_required
    @require_POST
    def view(request, pk: int):
        listing = frontend_selectors.seller_listing_get(actor=request.user, pk=pk)
        try:
            service(listing=listing, actor=request.user)
        except ApplicationError as exc:
            messages.error(request, f"{listing.title}: {exc.message}")
        else:
            messages.success(request, str(done_message) % {"title": listing.title})
        return redirect(safe_next(request, reverse("frontend:seller_listings")))

    return view


@login_required
@require_POST
def seller_listing_submit(request, pk: int):
    """Submits for review, then warns the seller about destinations without a shipping rate (a
    warning, not a refusal: buyers only see the destinations that have one)."""
    listing = frontend_selectors.seller_listing_get(actor=request.user, pk=pk)
    try:
        services.listing_submit(listing=listing, actor=request.user)
    except ApplicationError as exc:
        messages.error(request, f"{listing.title}: {exc.message}")
    else:
        messages.success(request, _("%(title)s is submitted. A moderator will review it.") % {"title": listing.title})
        for warning in marketplace_selectors.listing_shipping_warnings(marketplace_selectors.listing_ships_to(listing)):
            messages.warning(request, f"{listing.title}: {warning}")
    return redirect(safe_next(request, reverse("frontend:seller_listings")))


seller_listing_archive = _seller_action(services.listing_archive, gettext_lazy("%(title)s is archived."))


def _editor_page(request, form, listing: Listing | None, *, currency: str):
    context = {"form": form, "listing": listing, "currency": currency}
    if listing is not None:
        context.update({
            "can_edit": listing.status in EDITABLE,
            "can_change_images": listing.status in services.IMAGES_EDITABLE,
            "image_form": forms.ListingImageForm(),
            "decisions": marketplace_selectors.listing_decision_list(actor=request.user, listing=listing),
            "pending_fields": forms.changed_field_labels(listing.pending_changes),
            "shipping_warnings": marketplace_selectors.listing_shipping_warnings(
                marketplace_selectors.listing_ships_to(listing)),
        })
    return render(request, "frontend/catalogue/listing_form.html", context)


@seller_required
@require_http_methods(["GET", "POST"])
def seller_listing_new(request, seller):
    form = forms.ListingForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            listing = services.listing_create(seller=seller, actor=request.user, data=form.create_data())
        except ApplicationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("The draft is saved. Submit it for review when it is ready."))
            return redirect("frontend:seller_listing_edit", pk=listing.pk)
    return _editor_page(request, form, None, currency=seller.default_currency)


@login_required
@require_http_methods(["GET", "POST"])
def seller_listing_edit(request, pk: int):
    listing = frontend_selectors.seller_listing_get(actor=request.user, pk=pk)
    form = forms.ListingForm.for_listing(listing, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.listing_update(listing=listing, actor=request.user, data=form.update_data())
        except ApplicationError as exc:
            form.add_service_error(exc)
        else:
            if saved.status == ListingStatus.PUBLISHED and saved.pending_changes:
                messages.success(request, _("Your changes are saved and wait for a moderator's review. "
                                            "Buyers see the approved version until then."))
            else:
                messages.success(request, _("The listing is saved."))
            return redirect("frontend:seller_listing_edit", pk=listing.pk)
    return _editor_page(request, form, listing, currency=listing.currency)


@login_required
@require_POST
def seller_listing_image_add(request, pk: int):
    listing = frontend_selectors.seller_listing_get(actor=request.user, pk=pk)
    form = forms.ListingImageForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, form.errors["image"][0])
    else:
        try:
            services.listing_image_add(listing=listing, actor=request.user, image=form.cleaned_data["image"])
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("The image is added."))
    return redirect(reverse("frontend:seller_listing_edit", args=[listing.pk]) + "#images")


@login_required
@require_POST
def seller_listing_image_delete(request, pk: int, image_pk: int):
    listing = frontend_selectors.seller_listing_get(actor=request.user, pk=pk)
    image = next((image for image in listing.images.all() if image.pk == image_pk), None)
    if image is None:
        raise Http404
    try:
        services.listing_image_delete(image=image, actor=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The image is removed."))
    return redirect(reverse("frontend:seller_listing_edit", args=[listing.pk]) + "#images")


# --- bulk import ----------------------------------------------------------------------------------

@seller_required
@require_http_methods(["GET", "POST"])
def seller_listing_import(request, seller):
    form = forms.ListingImportForm(*((request.POST, request.FILES) if request.method == "POST" else ()))
    if request.method == "POST" and form.is_valid():
        try:
            listing_import = services.listing_import_create(seller=seller, actor=request.user,
                                                            uploaded_file=form.cleaned_data["file"])
        except ApplicationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("The file is uploaded. Its rows are imported as drafts."))
            return redirect("frontend:seller_listing_import_detail", pk=listing_import.pk)
    return render(request, "frontend/catalogue/import.html", {
        "form": form,
        "imports": frontend_selectors.listing_import_recent_list(actor=request.user),
        "template_url": static(IMPORT_TEMPLATE),
    })


def _import_context(listing_import) -> dict:
    return {"listing_import": listing_import,
            "running": listing_import.status in (ImportStatus.QUEUED, ImportStatus.RUNNING),
            "report": list(imports.report_lines(listing_import.errors))}


@login_required
@require_safe
def seller_listing_import_detail(request, pk: int):
    listing_import = marketplace_selectors.listing_import_get(actor=request.user, pk=pk)
    return render(request, "frontend/catalogue/import_detail.html", _import_context(listing_import))


@login_required
@require_safe
def seller_listing_import_report(request, pk: int):
    """Every error of an import as a CSV file (row, column, value, message), for the seller's members."""
    listing_import = marketplace_selectors.listing_import_get(actor=request.user, pk=pk)
    return imports.report_response(listing_import)


@login_required
@require_safe
def seller_listing_import_progress(request, pk: int):
    """The progress block alone, fetched by htmx every two seconds while the import runs."""
    listing_import = marketplace_selectors.listing_import_get(actor=request.user, pk=pk)
    return render(request, "frontend/catalogue/import_progress.html", _import_context(listing_import))


# --- moderation -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class QueueRow:
    listing: Listing
    is_submission: bool
    changed_fields: list[str]
    can_suspend: bool
    images: list
    changes: list  # marketplace.selectors.FieldChange, approved → proposed

    @property
    def can_approve(self) -> bool:
        return self.is_submission or bool(self.changed_fields)


def _queue_row(listing: Listing, detail: marketplace_selectors.ModerationDetail) -> QueueRow:
    published = listing.status == ListingStatus.PUBLISHED
    return QueueRow(listing=listing, is_submission=listing.status == ListingStatus.PENDING_REVIEW,
                    changed_fields=forms.changed_field_labels(listing.pending_changes) if published else [],
                    can_suspend=published, images=detail.images, changes=detail.changes)


@moderator_required
@require_safe
def listing_moderation(request):
    filter_form = forms.ListingQueueFilterForm(request.GET)
    queue = marketplace_selectors.listing_moderation_queue(actor=request.user, **filter_form.filters())
    page = Paginator(queue, QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    reports = Paginator(marketplace_selectors.listing_report_list(actor=request.user),
                        REPORTS_PAGE_SIZE).get_page(request.GET.get("reports_page"))
    details = marketplace_selectors.listing_moderation_details(page.object_list)
    return render(request, "frontend/catalogue/moderation.html", {
        "filter_form": filter_form,
        "page": page,
        "rows": [_queue_row(listing, details[listing.pk]) for listing in page.object_list],
        "reports": reports,
    })


def _listing_decision(service, done_message):
    return moderation_action(service, done_message, fetch=marketplace_selectors.listing_get_for_actor,
                             argument="listing", name_of=lambda listing: listing.title, placeholder="title",
                             back="frontend:listing_moderation")


listing_moderation_approve = _listing_decision(services.listing_approve, gettext_lazy("%(title)s is approved."))
listing_moderation_request_changes = _listing_decision(
    services.listing_request_changes, gettext_lazy("%(title)s is sent back to the seller for changes."))
listing_moderation_reject = _listing_decision(services.listing_reject, gettext_lazy("%(title)s was rejected."))
listing_moderation_suspend = _listing_decision(services.listing_suspend, gettext_lazy("%(title)s is suspended."))


@moderator_required
@require_POST
def listing_moderation_bulk_approve(request):
    listing_ids = forms.BulkApproveForm(request.POST).listing_ids()
    if not listing_ids:
        messages.error(request, _("Choose at least one listing to approve."))
        return redirect(safe_next(request, reverse("frontend:listing_moderation")))
    titles = dict(marketplace_selectors.listing_moderation_queue(actor=request.user).prefetch_related(None)
                  .filter(pk__in=listing_ids).values_list("pk", "title"))
    outcome = services.listing_bulk_approve(listing_ids=listing_ids, actor=request.user)
    for pk, result in sorted(outcome.items()):
        title = titles.get(pk) or _("Listing %(id)s") % {"id": pk}
        if result == "ok":
            messages.success(request, _("%(title)s is approved.") % {"title": title})
        else:
            messages.error(request, f"{title}: {result}")
    return redirect(safe_next(request, reverse("frontend:listing_moderation")))


@moderator_required
@require_POST
def listing_moderation_report_resolve(request, pk: int):
    report = marketplace_selectors.listing_report_list(actor=request.user).filter(pk=pk).first()
    if report is None:
        messages.error(request, _("This report is already resolved."))
    else:
        try:
            services.listing_report_resolve(report=report, actor=request.user)
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("The report about %(title)s is resolved.") % {"title": report.listing.title})
    return redirect(safe_next(request, reverse("frontend:listing_moderation")))
