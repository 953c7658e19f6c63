"""Writes for listings: create, edit, the life cycle, moderation and reports."""
from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import DataError, IntegrityError, transaction
from django.db.models import Count, F, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Company, User
from accounts.selectors import (
    company_require_not_suspended,
    is_member,
    user_primary_membership,
    user_require_verified_email,
)
from core.exceptions import ApplicationError, Conflict, Forbidden
from core.images import image_reencode
from core.inputs import country_code, field_error
from core.markup import render_markdown
from core.names import name_normalise
from core.queue import enqueue_on_commit
from core.statemachine import MoveNotAllowed, ReasonRequired
from fx import selectors as fx_selectors
from notifications.services import notify

from . import imports, prices, tasks
from .models import (
    Category,
    Certificate,
    ImportStatus,
    Incoterm,
    Listing,
    ListingDecision,
    ListingImport,
    ListingImage,
    ListingIncoterm,
    ListingReport,
    ListingStatus,
    PriceTier,
    ShipsToCountry,
    ShipsToMode,
)
from .search import build_search_document
from .transitions import EDITABLE_IN_PLACE, LIFECYCLE, LOCKED_FOR_REVIEW, MODERATOR, SELLER

# Plain columns a seller sets. Buyer-facing ones of a published listing wait for review.
SCALAR_FIELDS = ("title", "description", "category", "unit", "moq", "order_multiple", "lead_time_days",
                 "origin_country", "hs_code", "weight_kg", "length_cm", "width_cm", "height_cm", "ships_to_mode")
RELATED_FIELDS = ("incoterms", "price_tiers", "ships_to_countries", "certificates")
IMMEDIATE_FIELDS = ("stock",)  # never held for review
ALL_FIELDS = SCALAR_FIELDS + RELATED_FIELDS + IMMEDIATE_FIELDS
REQUIRED_ON_CREATE = ("title", "category", "origin_country", "hs_code", "weight_kg", "incoterms", "price_tiers")


@dataclass(frozen=True)
class ListingData:
    """Cleaned input for a listing: scalar columns plus the rows that hang off it."""

    scalars: dict[str, Any]
    incoterms: list[str] | None
    price_tiers: list[tuple[int, Decimal]] | None
    ships_to_countries: list[str] | None
    certificates: list[dict[str, Any]] | None
    stock: int | None

    def to_json(self) -> dict[str, Any]:
        """The pending change set stored on a published listing."""
        scalars = {k: (v.pk if isinstance(v, Category) else str(v) if isinstance(v, Decimal) else v)
                   for k, v in self.scalars.items()}
        return {
            "scalars": scalars,
            "incoterms": self.incoterms,
            "price_tiers": None if self.price_tiers is None else [[q, str(p)] for q, p in self.price_tiers],
            "ships_to_countries": self.ships_to_countries,
            "certificates": None if self.certificates is None else [
                {**c, "valid_until": c["valid_until"].isoformat() if c.get("valid_until") else None}
                for c in self.certificates],
        }


def _require_seller_member(actor: User, company: Company) -> None:
    if not is_member(actor=actor, company_id=company.pk):
        raise Forbidden(_("Only members of the selling company can do that."))


def _positive_int(field: str, value: Any, *, minimum: int = 0) -> int:
    try:
        number = int(value)
        if isinstance(value, float) and value != number:
            raise ValueError
    except (TypeError, ValueError):
        raise field_error(field, _("Enter a whole number.")) from None
    if number < minimum:
        raise field_error(field, _("Ensure this value is at least %(min)d.") % {"min": minimum})
    return number


def _decimal(field: str, value: Any) -> Decimal:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise field_error(field, _("Enter a number.")) from None
    if not number.is_finite() or number <= 0:
        raise field_error(field, _("Enter a number greater than zero."))
    return number


def listing_clean_input(data: dict[str, Any], *, partial: bool) -> ListingData:
    """Turns raw input into typed values, refusing unknown keys and malformed rows with field errors."""
    unknown = sorted(set(data) - set(ALL_FIELDS))
    if unknown:
        raise ApplicationError(_("These fields cannot be set."), code="validation_error",
                               fields={name: [_("This field cannot be set.")] for name in unknown})
    if not partial:
        missing = [f for f in REQUIRED_ON_CREATE if data.get(f) in (None, "", [])]
        if missing:
            raise ApplicationError(_("Some required fields are missing."), code="validation_error",
                                   fields={f: [_("This field is required.")] for f in missing})

    scalars: dict[str, Any] = {}
    for field in SCALAR_FIELDS:
        if field not in data:
            continue
        value = data[field]
        if field == "category":
            category = Category.objects.filter(pk=value.pk if isinstance(value, Category) else value).first() \
                if str(getattr(value, "pk", value)).isdigit() else None
            if category is None:
                raise field_error("category", _("Choose an existing category."))
            value = category
        elif field in ("moq", "order_multiple"):
            value = _positive_int(field, value, minimum=1)
        elif field == "lead_time_days":
            value = _positive_int(field, value)
        elif field == "origin_country":
            value = country_code(value, field=field)
        elif field == "weight_kg":
            value = _decimal(field, value)
        elif field in ("length_cm", "width_cm", "height_cm"):
            value = None if value in (None, "") else _decimal(field, value)
        elif field == "hs_code":
            value = str(value or "").replace(".", "").replace(" ", "")
        elif field == "title" and isinstance(value, str) and value.strip():  # an empty one is refused as blank
            try:
                value = name_normalise(value, compatibility=False)
            except ValidationError as exc:
                raise field_error("title", exc.messages[0]) from exc
        elif isinstance(value, str):
            value = value.strip()
        scalars[field] = value

    incoterms = None
    if "incoterms" in data:
        raw = data["incoterms"]
        if isinstance(raw, str):
            raw = [part for part in raw.replace(";", ",").split(",")]
        incoterms = sorted({str(term).strip().upper() for term in raw or [] if str(term).strip()})
        bad = [term for term in incoterms if term not in Incoterm.values]
        if bad:
            raise field_error("incoterms", _("Unknown Incoterm: %(terms)s.") % {"terms": ", ".join(bad)})
        if not incoterms:
            raise field_error("incoterms", _("Offer at least one Incoterm."))

    tiers = None
    if "price_tiers" in data:
        tiers = []
        for row in data["price_tiers"] or []:
            if not isinstance(row, dict):
                raise field_error("price_tiers", _("Each price tier needs min_quantity and unit_price."))
            tiers.append((_positive_int("price_tiers", row.get("min_quantity"), minimum=1),
                          _decimal("price_tiers", row.get("unit_price"))))
        tiers.sort()
        if not tiers:
            raise field_error("price_tiers", _("Give at least one price tier."))
        if len({q for q, _p in tiers}) != len(tiers):
            raise field_error("price_tiers", _("Two price tiers start at the same quantity."))
        if any(later[1] > earlier[1] for earlier, later in zip(tiers, tiers[1:])):
            raise field_error("price_tiers", _("A larger quantity cannot have a higher unit price."))
        for quantity, price in tiers:
            try:
                PriceTier._meta.get_field("min_quantity").run_validators(quantity)
                PriceTier._meta.get_field("unit_price").run_validators(price)
            except ValidationError as exc:
                raise field_error("price_tiers", exc.messages[0]) from exc

    ships_to = None
    if "ships_to_countries" in data:
        raw = data["ships_to_countries"] or []
        if isinstance(raw, str):
            raw = [part for part in raw.replace(";", ",").split(",") if part.strip()]
        ships_to = sorted({country_code(code, field="ships_to_countries") for code in raw})

    certificates = None
    if "certificates" in data:
        certificates = []
        for row in data["certificates"] or []:
            if not isinstance(row, dict) or not row.get("name") or not row.get("issuer"):
                raise field_error("certificates", _("Each certificate needs a name and an issuer."))
            valid_until = row.get("valid_until")
            if valid_until and not isinstance(valid_until, date):
                try:
                    valid_until = date.fromisoformat(str(valid_until))
                except ValueError:
                    raise field_error("certificates", _("Enter dates as YYYY-MM-DD.")) from None
            certificates.append({"name": str(row["name"]).strip(), "issuer": str(row["issuer"]).strip(),
                                 "number": str(row.get("number") or "").strip(), "valid_until": valid_until or None})

    stock = _positive_int("stock", data["stock"]) if "stock" in data else None
    return ListingData(scalars=scalars, incoterms=incoterms, price_tiers=tiers, ships_to_countries=ships_to,
                       certificates=certificates, stock=stock)


def _listing_data_from_json(payload: dict[str, Any]) -> ListingData:
    raw = dict(payload["scalars"])
    if payload.get("incoterms") is not None:
        raw["incoterms"] = payload["incoterms"]
    if payload.get("price_tiers") is not None:
        raw["price_tiers"] = [{"min_quantity": q, "unit_price": p} for q, p in payload["price_tiers"]]
    if payload.get("ships_to_countries") is not None:
        raw["ships_to_countries"] = payload["ships_to_countries"]
    if payload.get("certificates") is not None:
        raw["certificates"] = payload["certificates"]
    return listing_clean_input(raw, partial=True)


def _check_consistency(listing: Listing, tiers: list[tuple[int, Decimal]], ships_to: list[str]) -> None:
    try:
        listing.full_clean(exclude=["seller", "category", "pending_changes"])
    except ValidationError as exc:
        fields = {k: [str(m) for m in v] for k, v in exc.message_dict.items()}
        raise ApplicationError(next(iter(fields.values()))[0], code="validation_error", fields=fields) from exc
    if tiers and tiers[0][0] > listing.moq:
        raise field_error("price_tiers", _("The first price tier must start at or below the minimum order quantity."))
    if listing.ships_to_mode == ShipsToMode.ONLY and not ships_to:
        raise field_error("ships_to_countries", _("Name at least one country the listing ships to."))


def _apply(listing: Listing, data: ListingData, *, save_related: bool) -> None:
    """Writes the cleaned data onto the listing row and, when asked, replaces its related rows."""
    for field, value in data.scalars.items():
        setattr(listing, field, value)
    if data.stock is not None:
        listing.stock = data.stock
    if "description" in data.scalars:
        listing.description_html = render_markdown(listing.description)
    tiers = data.price_tiers if data.price_tiers is not None else (
        list(listing.price_tiers.values_list("min_quantity", "unit_price")) if listing.pk else [])
    ships_to = data.ships_to_countries if data.ships_to_countries is not None else (
        [str(c) for c in listing.ships_to_countries.values_list("country", flat=True)] if listing.pk else [])
    if tiers:
        listing.price_from = min(price for _q, price in tiers)
    listing.search_document = build_search_document(listing)
    _check_consistency(listing, tiers, ships_to)
    for row in data.certificates or []:
        try:
            Certificate(**row).full_clean(exclude=["listing"])
        except ValidationError as exc:
            raise field_error("certificates", "; ".join(exc.messages)) from exc
    if not save_related:
        return
    listing.price_eur = _price_eur(listing.price_from, listing.currency)
    listing.save()
    if data.incoterms is not None:
        listing.incoterm_rows.all().delete()
        ListingIncoterm.objects.bulk_create(ListingIncoterm(listing=listing, incoterm=t) for t in data.incoterms)
    if data.price_tiers is not None:
        listing.price_tiers.all().delete()
        PriceTier.objects.bulk_create(PriceTier(listing=listing, min_quantity=q, unit_price=p)
                                      for q, p in data.price_tiers)
    if data.ships_to_countries is not None:
        listing.ships_to_countries.all().delete()
        ShipsToCountry.objects.bulk_create(ShipsToCountry(listing=listing, country=c) for c in data.ships_to_countries)
    if data.certificates is not None:
        listing.certificates.all().delete()
        Certificate.objects.bulk_create(Certificate(listing=listing, **row) for row in data.certificates)


def _price_eur(price: Decimal | None, currency: str) -> Decimal | None:
    """The price in EUR at the latest rate of its currency (marketplace.prices); None without a rate."""
    if price is None:
        return None
    if currency == prices.EUR:
        return price
    try:
        per_eur = fx_selectors.fx_quote(base=prices.EUR, quote=currency).rate
    except ApplicationError:
        return None
    return prices.to_eur(price, per_eur)


@transaction.atomic
def listing_create(*, seller: Company, actor: User, data: dict[str, Any]) -> Listing:
    """A member of a selling company creates a draft. Prices are in the company's currency."""
    _require_seller_member(actor, seller)
    if not seller.sells:
        raise Forbidden(_("Only seller companies can list goods."))
    cleaned = listing_clean_input(data, partial=False)
    listing = Listing(seller=seller, currency=seller.default_currency, status=ListingStatus.DRAFT)
    _apply(listing, cleaned, save_related=True)
    return listing


@transaction.atomic
def listing_update(*, listing: Listing, actor: User, data: dict[str, Any]) -> Listing:
    """Edits in place while the listing is not live. On a published listing the buyer-facing
    changes are held in `pending_changes` for review and the approved version stays visible;
    stock changes apply at once. A listing under review keeps the text the moderator reads: only
    its stock may change (409 under_review for anything else)."""
    locked = Listing.objects.select_for_update().get(pk=listing.pk)
    _require_seller_member(actor, locked.seller)
    cleaned = listing_clean_input(data, partial=True)
    if locked.status in EDITABLE_IN_PLACE:
        _apply(locked, cleaned, save_related=True)
        return locked
    if locked.status in LOCKED_FOR_REVIEW:
        reviewed = ListingData(scalars=cleaned.scalars, incoterms=cleaned.incoterms,
                               price_tiers=cleaned.price_tiers, ships_to_countries=cleaned.ships_to_countries,
                               certificates=cleaned.certificates, stock=None)
        if reviewed.to_json() != ListingData({}, None, None, None, None, None).to_json():
            raise Conflict(_("This listing is under review and cannot be edited until a moderator decides. "
                             "Only its stock can change meanwhile."), code="under_review")
        if cleaned.stock is not None:
            Listing.objects.filter(pk=locked.pk).update(stock=cleaned.stock, updated_at=timezone.now())
            locked.stock = cleaned.stock
        return locked
    if locked.status != ListingStatus.PUBLISHED:
        raise Conflict(_("A %(status)s listing cannot be edited.") % {"status": locked.get_status_display()},
                       code="not_editable")
    if cleaned.stock is not None:
        Listing.objects.filter(pk=locked.pk).update(stock=cleaned.stock, updated_at=timezone.now())
        locked.stock = cleaned.stock
    review = ListingData(scalars=cleaned.scalars, incoterms=cleaned.incoterms, price_tiers=cleaned.price_tiers,
                         ships_to_countries=cleaned.ships_to_countries, certificates=cleaned.certificates, stock=None)
    if review.to_json() == ListingData({}, None, None, None, None, None).to_json():
        return locked
    merged = _merge_pending(locked.pending_changes, review.to_json())
    preview = Listing.objects.get(pk=locked.pk)
    _apply(preview, _listing_data_from_json(merged), save_related=False)  # validates the result
    locked.pending_changes = merged
    locked.pending_changes_at = timezone.now()
    locked.save(update_fields=["pending_changes", "pending_changes_at", "updated_at"])
    return locked


def _merge_pending(current: dict | None, new: dict) -> dict:
    if not current:
        return new
    merged = {"scalars": {**current.get("scalars", {}), **new["scalars"]}}
    for key in ("incoterms", "price_tiers", "ships_to_countries", "certificates"):
        merged[key] = new[key] if new[key] is not None else current.get(key)
    return merged


def listing_price_eur_refresh() -> int:
    """Converts every listing's lowest price to EUR again at the latest rates, after new rates are
    stored (fx.services.fx_rates_fetch queues it). Writes only the rows whose value changes, one
    UPDATE per currency, so running it twice writes nothing the second time. Returns the rows written."""
    rates = {quote.quote: quote.rate for quote in fx_selectors.fx_rate_list(base=prices.EUR)}
    return prices.fill_price_eur(Listing.objects.all(), rates)


# --- life cycle -----------------------------------------------------------------------------------

def _transition(*, listing_id: int, actor: User, to_status: str, role: str, reason: str = "") -> Listing:
    with transaction.atomic():
        listing = Listing.objects.select_for_update().select_related("seller").get(pk=listing_id)
        actor_is_member = is_member(actor=actor, company_id=listing.seller_id)
        if role == SELLER and not actor_is_member:
            raise Forbidden(_("Only members of the selling company can do that."))
        if role == MODERATOR:
            if not actor.is_moderator:
                raise Forbidden(_("Only moderators can do that."))
            if actor_is_member:
                raise Forbidden(_("A moderator cannot moderate their own company's listings."))
        if role == SELLER and to_status == ListingStatus.PENDING_REVIEW:
            company_require_not_suspended(company=listing.seller)
            user_require_verified_email(actor=actor)
        if to_status == ListingStatus.PENDING_REVIEW and not listing.seller.can_publish_listings:
            raise Forbidden(_("Only a verified seller company can submit listings for review."))
        from_status = listing.status
        try:
            LIFECYCLE.check(from_status=from_status, to_status=to_status, role=role, reason=reason)
        except ReasonRequired as exc:
            raise field_error("reason", _("A reason is required for this decision.")) from exc
        except MoveNotAllowed as exc:
            raise Conflict(str(exc), code="invalid_transition") from exc
        now = timezone.now()
        listing.status = to_status
        listing.status_changed_at = now
        listing.status_reason = reason.strip()
        fields = ["status", "status_changed_at", "status_reason", "updated_at"]
        if to_status == ListingStatus.PUBLISHED:
            listing.published_at = listing.published_at or now
            fields.append("published_at")
        if listing.pending_changes is not None:  # waiting changes do not outlive the state they were made in
            listing.pending_changes = None
            listing.pending_changes_at = None
            fields += ["pending_changes", "pending_changes_at"]
        listing.save(update_fields=fields)
        decision = ListingDecision.objects.create(listing=listing, actor=actor, from_status=from_status,
                                                  to_status=to_status, reason=reason.strip(), created_at=now)
        if role == MODERATOR:
            _notify_decision(listing, decision)
    return listing


def _review_pending_changes(*, listing_id: int, actor: User, approve: bool, reason: str = "") -> Listing:
    with transaction.atomic():
        listing = Listing.objects.select_for_update().get(pk=listing_id)
        if not actor.is_moderator:
            raise Forbidden(_("Only moderators can do that."))
        if is_member(actor=actor, company_id=listing.seller_id):
            raise Forbidden(_("A moderator cannot moderate their own company's listings."))
        if not approve and not reason.strip():
            raise field_error("reason", _("A reason is required for this decision."))
        if listing.status != ListingStatus.PUBLISHED or not listing.pending_changes:
            raise Conflict(_("These changes were already reviewed."), code="invalid_transition")
        if approve:
            _apply(listing, _listing_data_from_json(listing.pending_changes), save_related=True)
        listing.pending_changes = None
        listing.pending_changes_at = None
        listing.status_reason = reason.strip()
        listing.save(update_fields=["pending_changes", "pending_changes_at", "status_reason", "updated_at"])
        decision = ListingDecision.objects.create(listing=listing, actor=actor, from_status=listing.status,
                                                  to_status=listing.status, reason=reason.strip(),
                                                  applied_changes=approve)
        _notify_decision(listing, decision, changes_reviewed=True)
    return listing


def _notify_decision(listing: Listing, decision: ListingDecision, *, changes_reviewed: bool = False) -> None:
    """Tells the seller's members about a moderator's decision, in the decision's transaction."""
    notify(event="listing.decided", company=listing.seller, context={
        "listing_id": listing.pk, "listing_title": listing.title, "decision_id": decision.pk,
        "from_status": decision.from_status, "to_status": decision.to_status, "reason": decision.reason,
        "changes_reviewed": changes_reviewed, "applied_changes": decision.applied_changes})


def _has_pending_changes(listing: Listing) -> bool:
    return listing.status == ListingStatus.PUBLISHED and bool(
        Listing.objects.filter(pk=listing.pk, pending_changes__isnull=False).exists())


def listing_submit(*, listing: Listing, actor: User) -> Listing:
    return _transition(listing_id=listing.pk, actor=actor, to_status=ListingStatus.PENDING_REVIEW, role=SELLER)


def listing_archive(*, listing: Listing, actor: User) -> Listing:
    return _transition(listing_id=listing.pk, actor=actor, to_status=ListingStatus.ARCHIVED, role=SELLER)


def listing_approve(*, listing: Listing, actor: User, reason: str = "") -> Listing:
    """Publishes a listing under review, or applies the waiting changes of a published one."""
    if _has_pending_changes(listing):
        return _review_pending_changes(listing_id=listing.pk, actor=actor, approve=True, reason=reason)
    return _transition(listing_id=listing.pk, actor=actor, to_status=ListingStatus.PUBLISHED, role=MODERATOR,
                       reason=reason)


def listing_request_changes(*, listing: Listing, actor: User, reason: str) -> Listing:
    """Sends a listing under review back to its seller; on a published listing, turns down the
    waiting changes (the approved version stays) and tells the seller why."""
    if _has_pending_changes(listing):
        return _review_pending_changes(listing_id=listing.pk, actor=actor, approve=False, reason=reason)
    return _transition(listing_id=listing.pk, actor=actor, to_status=ListingStatus.CHANGES_REQUESTED,
                       role=MODERATOR, reason=reason)


def listing_reject(*, listing: Listing, actor: User, reason: str) -> Listing:
    if _has_pending_changes(listing):
        return _review_pending_changes(listing_id=listing.pk, actor=actor, approve=False, reason=reason)
    return _transition(listing_id=listing.pk, actor=actor, to_status=ListingStatus.REJECTED, role=MODERATOR,
                       reason=reason)


def listing_suspend(*, listing: Listing, actor: User, reason: str) -> Listing:
    return _transition(listing_id=listing.pk, actor=actor, to_status=ListingStatus.SUSPENDED, role=MODERATOR,
                       reason=reason)


def listing_bulk_approve(*, listing_ids: list[int], actor: User) -> dict[int, str]:
    """Approves each listing in primary-key order; returns an outcome per id ("ok" or the error)."""
    outcome: dict[int, str] = {}
    for listing in Listing.objects.filter(pk__in=listing_ids).order_by("pk"):
        try:
            listing_approve(listing=listing, actor=actor)
            outcome[listing.pk] = "ok"
        except ApplicationError as exc:
            outcome[listing.pk] = exc.message
    for missing in set(listing_ids) - set(outcome):
        outcome[missing] = _("Not found.")
    return outcome


# --- reports --------------------------------------------------------------------------------------

def listing_report(*, listing: Listing, reporter: User, reason: str) -> ListingReport:
    """A buyer reports a published listing; the moderators are told in the report's transaction."""
    if listing.status != ListingStatus.PUBLISHED:
        raise Conflict(_("Only published listings can be reported."))
    if is_member(actor=reporter, company_id=listing.seller_id):
        raise Forbidden(_("You cannot report your own company's listing."))
    report = ListingReport(listing=listing, reporter=reporter, reason=(reason or "").strip())
    try:
        report.full_clean(exclude=["listing", "reporter"])
    except ValidationError as exc:
        raise ApplicationError(exc.messages[0], code="validation_error",
                               fields={"reason": list(exc.messages)}) from exc
    with transaction.atomic():
        try:
            with transaction.atomic():
                report.save()
        except IntegrityError as exc:
            raise Conflict(_("You have already reported this listing."), code="duplicate_report") from exc
        notify(event="listing.reported", context={
            "listing_id": listing.pk, "listing_title": listing.title, "report_id": report.pk,
            "reason": report.reason})
    return report


@transaction.atomic
def listing_report_resolve(*, report: ListingReport, actor: User) -> ListingReport:
    if not actor.is_moderator:
        raise Forbidden(_("Only moderators can do that."))
    updated = ListingReport.objects.filter(pk=report.pk, resolved_at__isnull=True).update(
        resolved_at=timezone.now(), resolved_by=actor)
    if not updated:
        raise Conflict(_("This report is already resolved."))
    report.refresh_from_db()
    return report


# --- bulk import ----------------------------------------------------------------------------------

# Row errors kept in the report; error_count counts them all.
MAX_REPORTED_IMPORT_ERRORS = 1000


@transaction.atomic
def listing_import_create(*, seller: Company, actor: User, uploaded_file) -> ListingImport:
    """A member of a selling company uploads a CSV or XLSX file of listings. Only what needs no
    parsing is checked here (type by name and signature, size, a CSV's encoding); the file is
    stored and a task queued once the upload is committed reads it, with its bounds, and imports
    its rows as drafts. A file that cannot be imported fails the import with the reason."""
    _require_seller_member(actor, seller)
    if not seller.sells:
        raise Forbidden(_("Only seller companies can list goods."))
    name = os.path.basename(str(getattr(uploaded_file, "name", "") or ""))
    try:
        imports.file_kind(name)
        uploaded_file.seek(0)
        content = uploaded_file.read(imports.MAX_FILE_BYTES + 1)
        imports.check_upload(name=name, content=content)
    except imports.ImportFileError as exc:
        raise field_error("file", exc.message) from None
    listing_import = ListingImport(seller=seller, created_by=actor, original_name=name[:255],
                                   status=ImportStatus.QUEUED, total_rows=0)
    listing_import.file.save(name, ContentFile(content), save=False)
    listing_import.save()
    enqueue_on_commit(tasks.listing_import_run, listing_import.pk)
    return listing_import


def listing_input_errors(data: dict[str, Any], *, checked: dict[str, list[str]] | None = None) -> dict[str, list[str]]:
    """Every problem of a new listing's input, each field checked on its own (listing_clean_input
    stops at the first), and each required field that is missing. `checked` holds problems already
    found for some fields (an import row's mapping): they are kept and those fields not checked again.
    The rules that join fields (first tier and MOQ, countries of ships_to_mode) are checked when
    the listing is written."""
    errors = {field: list(messages) for field, messages in (checked or {}).items()}
    for field, value in data.items():
        if field in errors:
            continue
        try:
            cleaned = listing_clean_input({field: value}, partial=True)
        except ApplicationError as exc:
            for key, messages in exc.fields.items():
                errors.setdefault(key, []).extend(str(m) for m in messages)
            continue
        # The model's own rules of the field (the HS code's six digits, lengths), which the write checks
        # with the whole listing: checked here too, so a row with other problems names this one as well.
        for name, typed in cleaned.scalars.items():
            if name in errors or name == "category":
                continue
            try:
                Listing._meta.get_field(name).clean(typed, None)
            except ValidationError as exc:
                errors[name] = [str(m) for m in exc.messages]
    for field in REQUIRED_ON_CREATE:
        if field not in errors and data.get(field) in (None, "", []):
            errors[field] = [_("This field is required.")]
    return errors


def listing_import_row(*, listing_import: ListingImport, row_number: int, data: dict[str, Any]) -> Listing:
    """Creates the draft of one import row for the import's seller, with the rules of listing_create.
    A row that was imported before is not imported again: its listing is returned."""
    existing = Listing.objects.filter(source_import=listing_import, source_row=row_number).first()
    if existing is not None:
        return existing
    seller = listing_import.seller
    cleaned = listing_clean_input(data, partial=False)
    listing = Listing(seller=seller, currency=seller.default_currency, status=ListingStatus.DRAFT,
                      source_import=listing_import, source_row=row_number)
    try:
        with transaction.atomic():
            _apply(listing, cleaned, save_related=True)
    except (IntegrityError, ApplicationError):
        # An overlapping run may have created this row's listing since the check above: the unique
        # (source_import, source_row) constraint refuses the second one, in validation or in the database.
        existing = Listing.objects.filter(source_import=listing_import, source_row=row_number).first()
        if existing is None:
            raise
        return existing
    return listing


def listing_import_run(*, import_id: int) -> ListingImport | None:
    """Imports the rows of an upload, one transaction per row, in file order.

    The first run reads the whole file once, within the bounds of marketplace.imports, to count its
    rows; a file that cannot be imported (header, bounds, damage) fails the import with the reason
    before any row is imported. Claims a queued import, or carries on with a running one from its processed_rows. Each row
    locks the import, so however many runs overlap, every row is handled once: a good row becomes a
    draft, a bad row is rolled back and listed with its field errors, and the counters move in the
    same transaction as the row."""
    now = timezone.now()
    ListingImport.objects.filter(pk=import_id, status=ImportStatus.QUEUED).update(
        status=ImportStatus.RUNNING, started_at=now, updated_at=now)
    listing_import = ListingImport.objects.select_related("seller", "created_by").filter(pk=import_id).first()
    if listing_import is None or listing_import.status != ImportStatus.RUNNING:
        return listing_import
    seller, actor = listing_import.seller, listing_import.created_by
    if not (seller.sells and actor.is_active and is_member(actor=actor, company_id=seller.pk)):
        return _listing_import_fail(import_id=import_id, field="seller", message=_(
            "The person who uploaded the file is no longer a member of a selling company."))
    try:
        with listing_import.file.open("rb") as handle:
            content = handle.read(imports.MAX_FILE_BYTES + 1)
        if not listing_import.total_rows:  # the first run reads the whole file once, within its bounds
            total_rows = imports.count_rows(name=listing_import.file.name, content=content)
            ListingImport.objects.filter(pk=import_id, status=ImportStatus.RUNNING, total_rows=0).update(
                total_rows=total_rows, updated_at=timezone.now())
        rows = imports.read_rows(name=listing_import.file.name, content=content)
        categories = imports.category_ids()
        for index, row in enumerate(rows, start=1):
            if index <= listing_import.processed_rows:
                continue
            if not _listing_import_step(import_id=import_id, index=index, row=row, categories=categories):
                return ListingImport.objects.filter(pk=import_id).first()
    except FileNotFoundError:
        return _listing_import_fail(import_id=import_id, field="file", message=_("The uploaded file is missing."))
    except imports.ImportFileError as exc:
        return _listing_import_fail(import_id=import_id, field="file", message=exc.message)
    now = timezone.now()
    ListingImport.objects.filter(pk=import_id, status=ImportStatus.RUNNING).update(
        status=ImportStatus.DONE, finished_at=now, updated_at=now)
    return ListingImport.objects.filter(pk=import_id).first()


def _listing_import_step(*, import_id: int, index: int, row: imports.SheetRow, categories: dict[str, int]) -> bool:
    """Handles the index-th data row unless another run already has. False: stop, the import ended."""
    with transaction.atomic():
        locked = ListingImport.objects.select_for_update().select_related("seller").filter(pk=import_id).first()
        if locked is None or locked.status != ImportStatus.RUNNING:
            return False
        if locked.processed_rows >= index:
            return True
        data, mapping_errors = imports.row_map(row.values, categories=categories)
        errors = listing_input_errors(data, checked=mapping_errors)
        if not errors:
            try:
                with transaction.atomic():
                    listing_import_row(listing_import=locked, row_number=row.number, data=data)
            except ApplicationError as exc:
                errors = {("non_field_errors" if key == "__all__" else key): [str(m) for m in messages]
                          for key, messages in exc.fields.items()} or {"non_field_errors": [exc.message]}
            except DataError:
                errors = {"non_field_errors": [_("A value in this row is out of range.")]}
        changes: dict[str, Any] = {"processed_rows": F("processed_rows") + 1, "updated_at": timezone.now()}
        if not errors:
            changes["imported_count"] = F("imported_count") + 1
        else:
            changes["error_count"] = F("error_count") + 1
            if len(locked.errors) < MAX_REPORTED_IMPORT_ERRORS:
                values = {column: row.values[column] for column in errors if column in row.values}
                changes["errors"] = [*locked.errors, {"row": row.number, "errors": errors, "values": values}]
        ListingImport.objects.filter(pk=import_id).update(**changes)
    return True


def _listing_import_fail(*, import_id: int, field: str, message: str) -> ListingImport | None:
    with transaction.atomic():
        locked = ListingImport.objects.select_for_update().filter(pk=import_id).first()
        if locked is None or locked.status != ImportStatus.RUNNING:
            return locked
        locked.status = ImportStatus.FAILED
        locked.finished_at = timezone.now()
        locked.errors = [*locked.errors, {"row": None, "errors": {field: [message]}}]
        locked.save(update_fields=["status", "finished_at", "errors", "updated_at"])
    return locked


# --- API entry points and images ------------------------------------------------------------------

MAX_IMAGES_PER_LISTING = 10
# Images are shown to buyers at once, so they change only while the listing is not live, and not
# while a moderator reviews it.
IMAGES_EDITABLE = EDITABLE_IN_PLACE


def listing_create_for_actor(*, actor: User, data: dict[str, Any], seller_id: int | None = None) -> Listing:
    """Creates a draft for the company the actor names, or by default for the actor's first company."""
    if seller_id is None:
        membership = user_primary_membership(user=actor)
        seller = membership.company if membership is not None else None
    else:
        seller = Company.objects.filter(pk=seller_id, memberships__user=actor).first()
    if seller is None:
        raise Forbidden(_("Only members of the selling company can do that."))
    return listing_create(seller=seller, actor=actor, data=data)


def _lock_for_images(*, listing_id: int, actor: User) -> Listing:
    listing = Listing.objects.select_for_update().select_related("seller").get(pk=listing_id)
    _require_seller_member(actor, listing.seller)
    if listing.status not in IMAGES_EDITABLE:
        raise Conflict(_("The images of a %(status)s listing cannot be changed.")
                       % {"status": listing.get_status_display()}, code="not_editable")
    return listing


@transaction.atomic
def listing_image_add(*, listing: Listing, actor: User, image) -> ListingImage:
    """Adds one uploaded image after the end of the listing's images. The image is checked and written
    again with Pillow (core.images); the stored file has a name and an extension made here."""
    locked = _lock_for_images(listing_id=listing.pk, actor=actor)
    summary = locked.images.aggregate(count=Count("pk"), last=Max("position"))
    if summary["count"] >= MAX_IMAGES_PER_LISTING:
        raise field_error("image", _("A listing has at most %(max)d images.") % {"max": MAX_IMAGES_PER_LISTING})
    image = image_reencode(image, field="image")
    row = ListingImage(listing=locked, image=image,
                       position=0 if summary["last"] is None else summary["last"] + 1)
    try:
        row.full_clean(exclude=["listing", "position"])
    except ValidationError as exc:
        raise ApplicationError(exc.messages[0], code="validation_error",
                               fields={"image": list(exc.messages)}) from exc
    row.save()
    return row


@transaction.atomic
def listing_image_delete(*, image: ListingImage, actor: User) -> None:
    """Removes an image; its file is deleted from storage once the removal is committed."""
    _lock_for_images(listing_id=image.listing_id, actor=actor)
    deleted, _counts = ListingImage.objects.filter(pk=image.pk).delete()
    if deleted and image.image:
        storage, name = image.image.storage, image.image.name
        transaction.on_commit(lambda: storage.delete(name))


# --- search documents that hold other rows' names ---------------------------------------------------

def seller_search_reindex_queue(company_id: int) -> None:
    """Registered in accounts.hooks: a company's legal name is part of its listings' search
    documents, so a rename queues their rebuild once the rename is committed."""
    enqueue_on_commit(tasks.search_reindex_seller, company_id)


@transaction.atomic
def category_rename(*, category: Category, name: str) -> Category:
    """Renames a category; the search documents of its listings and of its children's listings are
    rebuilt by a task queued after commit (a document holds the category and the parent names)."""
    name = (name or "").strip()
    max_length = Category._meta.get_field("name").max_length
    if not name:
        raise field_error("name", _("Enter the category's name."))
    if len(name) > max_length:
        message = _("A category's name has at most %(max)d characters.") % {"max": max_length}
        raise field_error("name", message)
    locked = Category.objects.select_for_update().get(pk=category.pk)
    if locked.name != name:
        locked.name = name
        locked.save(update_fields=["name"])
        enqueue_on_commit(tasks.search_reindex_category, locked.pk)
    return locked
