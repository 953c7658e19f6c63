"""Forms of the catalogue pages. They only coerce and shape input; the marketplace services decide
what a listing may hold and what a user may do."""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django import forms
from django.http import QueryDict
from django.template.loader import render_to_string
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from core.queries import CompiledRead
from marketplace import selectors as marketplace_selectors
from marketplace.models import Category, Incoterm, Listing, ListingStatus, ShipsToMode, Unit

from ..common import ServiceErrorsMixin, country_choices
from .widgets import CachedSelect, FramedBoundField, form_markup_cache

PRICE_TIER_ROWS = 5
CERTIFICATE_ROWS = 3
SORT_CHOICES = [
    ("relevance", _("Best match")),
    ("price_asc", _("Price: low to high")),
    ("price_desc", _("Price: high to low")),
    ("newest", _("Newest first")),
    ("fastest_response", _("Fastest response")),
    ("most_on_time", _("Most on time")),
    ("best_rated", _("Best rated")),
]
RATING_MIN_CHOICES = [
    ("", _("Any rating")),
    ("4", _("4 stars and up")),
    ("3", _("3 stars and up")),
    ("2", _("2 stars and up")),
    ("1", _("1 star and up")),
]
RESPONDS_WITHIN_CHOICES = [
    ("", _("Any response time")),
    ("24", _("Responds within 24 h")),
    ("48", _("Responds within 48 h")),
    ("72", _("Responds within 72 h")),
]
QUEUE_KIND_CHOICES = [
    ("", _("Everything waiting")),
    ("submitted", _("New submissions")),
    ("changes", _("Changes to published listings")),
    ("reported", _("Reported listings")),
]
# Scalar fields of the editor, in the shape listing_create and listing_update take.
SCALAR_FIELDS = ("title", "description", "category", "unit", "stock", "moq", "order_multiple", "lead_time_days",
                 "origin_country", "hs_code", "weight_kg", "length_cm", "width_cm", "height_cm", "ships_to_mode")
MULTI_FIELDS = ("incoterms", "ships_to_countries")
# The largest values the database columns hold, so out-of-range input is a form error.
MAX_QUANTITY = 2_147_483_647
MAX_LEAD_TIME_DAYS = 32_767
DECIMAL_FIELDS = ("weight_kg", "length_cm", "width_cm", "height_cm")


class CategoryChoiceField(forms.ModelChoiceField):
    """The category tree as one select, children indented under their parent."""

    def __init__(self, **kwargs):
        kwargs.setdefault("queryset", marketplace_selectors.category_list())
        kwargs.setdefault("to_field_name", "path")
        super().__init__(**kwargs)

    def label_from_instance(self, obj: Category) -> str:
        return "\u00a0\u00a0\u00a0" * obj.depth + gettext(obj.name)


def _any_incoterm():
    return [("", _("Any Incoterm")), *Incoterm.choices]


# --- browse and search ----------------------------------------------------------------------------

# The tree's rows: the same SQL on every catalogue page, compiled once per process, read every time.
_CATEGORY_ROWS = CompiledRead(
    lambda: marketplace_selectors.category_list().values_list("pk", "path", "name", "depth", "parent_id"))
_CATEGORY_OBJECTS: dict[tuple, dict[int, Category]] = {}
_CATEGORY_OBJECTS_KEPT = 4


class CategoryTree:
    """The category tree as read for one request, in one query: its rows are also the key of the
    category select's cached markup, so a renamed or added category is a new key on every node."""

    def __init__(self, rows: list[tuple[int, str, str, int, int | None]]) -> None:
        self.rows = tuple(rows)  # pk, path, name, depth, parent_id; ordered by path
        self._paths = frozenset(row[1] for row in self.rows)
        self._by_pk: dict[int, Category] | None = None

    @classmethod
    def read(cls) -> CategoryTree:
        return cls(_CATEGORY_ROWS.rows())

    def __contains__(self, path: str) -> bool:
        return path in self._paths

    def choices(self, empty_label) -> list[tuple[str, str]]:
        return [("", empty_label),
                *(((path, "\u00a0\u00a0\u00a0" * depth + gettext(name)) for _pk, path, name, depth, _p in self.rows))]

    def _categories(self) -> dict[int, Category]:
        """The tree's categories by pk, made once per process for the same rows (the rows are the key,
        so a changed tree makes new ones); nothing on a page changes them."""
        if self._by_pk is None:
            self._by_pk = _CATEGORY_OBJECTS.get(self.rows)
        if self._by_pk is None:
            by_pk = {pk: Category(pk=pk, path=row_path, name=name, depth=depth, parent_id=parent_id)
                     for pk, row_path, name, depth, parent_id in self.rows}
            for category in by_pk.values():
                category.parent = by_pk.get(category.parent_id)
            _CATEGORY_OBJECTS[self.rows] = self._by_pk = by_pk
            while len(_CATEGORY_OBJECTS) > _CATEGORY_OBJECTS_KEPT:
                _CATEGORY_OBJECTS.pop(next(iter(_CATEGORY_OBJECTS)))
        return self._by_pk

    def get(self, path: str) -> Category | None:
        """The category with that path, its parent set (as category_list's select_related does)."""
        if path not in self._paths:
            return None
        return next(category for category in self._categories().values() if category.path == path)

    def attach(self, listings) -> None:
        """Gives each listing its category (and the category its parent) from the tree, so a page of
        listings reads no category of its own; a category the tree does not hold is left to the listing."""
        categories = self._categories()
        for listing in listings:
            category = categories.get(listing.category_id)
            if category is not None:
                listing.category = category


class CategoryPathField(forms.ChoiceField):
    """A category of the tree by its path; cleans to the Category. The same message as
    ModelChoiceField for a path that is not in the tree."""

    default_error_messages = {"invalid_choice": forms.ModelChoiceField.default_error_messages["invalid_choice"]}

    def __init__(self, *, empty_label, **kwargs) -> None:
        self.empty_label = empty_label
        self.tree = CategoryTree(())
        super().__init__(widget=CachedSelect, **kwargs)

    def set_tree(self, tree: CategoryTree) -> None:
        self.tree = tree
        self.choices = lambda: tree.choices(self.empty_label)
        self.widget.choices_key = ("categories", tree.rows)

    def valid_value(self, value) -> bool:
        return value in self.tree

    def clean(self, value):
        path = super().clean(value)
        return self.tree.get(path) if path else None


class CountryField(forms.ChoiceField):
    """A country code or nothing, rendered from the cached country list."""

    def __init__(self, *, empty_label, **kwargs) -> None:
        super().__init__(choices=country_choices(empty_label), widget=CachedSelect(choices_key=("countries",)),
                         **kwargs)

    def valid_value(self, value) -> bool:
        return value == "" or value in countries


FIELDS_TEMPLATE = "frontend/includes/form_fields.html"
# Stands for the search text in the kept markup of the search form (no input holds it).
_Q_MARK = "\x00q\x00"


class SearchForm(forms.Form):
    """The catalogue's search and filters. Its long selects (countries, categories) come from the
    markup cache of CachedSelect; the short ones too, keyed by their choices. Each field's label
    and help text around its widget are cached as well (FramedBoundField)."""

    bound_field_class = FramedBoundField

    q = forms.CharField(label=_("Search"), required=False, max_length=200,
                        widget=forms.SearchInput(attrs={"placeholder": _("Product, material or HS code")}))
    category = CategoryPathField(label=_("Category"), required=False, empty_label=_("All categories"))
    origin_country = CountryField(label=_("Country of origin"), required=False, empty_label=_("Any country"))
    seller_country = CountryField(label=_("Seller's country"), required=False, empty_label=_("Any country"))
    currency = forms.ChoiceField(label=_("Show prices in"), required=False, widget=CachedSelect,
                                 help_text=_("Prices in other currencies are converted at the latest exchange rate, "
                                             "so they are approximate. The price filter and sorting use it too."))
    price_min = forms.DecimalField(label=_("Lowest price from"), required=False, min_value=0, max_digits=14,
                                   decimal_places=2)
    price_max = forms.DecimalField(label=_("Highest price from"), required=False, min_value=0, max_digits=14,
                                   decimal_places=2)
    moq_max = forms.IntegerField(label=_("Minimum order at most"), required=False, min_value=1,
                                 max_value=MAX_QUANTITY)
    # The fixed lists of this module name their choices (the key holds the language), so their labels
    # are not translated on every page only to look the markup up.
    incoterm = forms.ChoiceField(label=_("Incoterm"), required=False, choices=_any_incoterm,
                                 widget=CachedSelect(choices_key=("incoterms",)))
    ships_to = CountryField(label=_("Ships to"), required=False, empty_label=_("Anywhere"))
    verified = forms.BooleanField(label=_("Verified sellers only"), required=False)
    responds_within = forms.TypedChoiceField(
        label=_("Seller's response time"), required=False, choices=RESPONDS_WITHIN_CHOICES, coerce=int,
        empty_value=None, help_text=_("Median time to accept an order over the last 90 days."),
        error_messages={"invalid_choice": _("Choose 24, 48 or 72 hours.")},
        widget=CachedSelect(choices_key=("responds_within",)))
    on_time_min = forms.IntegerField(
        label=_("On-time shipping at least (%)"), required=False, min_value=0, max_value=100,
        help_text=_("Share of orders shipped within the lead time over the last 90 days."))
    rating_min = forms.TypedChoiceField(label=_("Seller's rating"), required=False, choices=RATING_MIN_CHOICES,
                                        coerce=int, empty_value=None,
                                        widget=CachedSelect(choices_key=("rating_min",)))
    sort = forms.ChoiceField(label=_("Sort by"), required=False, choices=SORT_CHOICES,
                             widget=CachedSelect(choices_key=("sort",)))

    def __init__(self, *args, currencies: dict[str, marketplace_selectors.DisplayCurrency] | None = None,
                 categories: CategoryTree | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.currencies = currencies or {marketplace_selectors.EUR_DISPLAY.code: marketplace_selectors.EUR_DISPLAY}
        self.fields["currency"].choices = [(code, code) for code in self.currencies]
        self.fields["currency"].widget.choices_key = ("currencies", *self.currencies)
        self.fields["category"].set_tree(categories if categories is not None else CategoryTree.read())

    def fields_markup(self) -> SafeString:
        """The form's fields as frontend/includes/form_fields.html renders them. Without errors the
        markup is kept per process (form_markup_cache), keyed by the language, the choices (display
        currencies, category tree) and the submitted values of every field but the search text, which
        is put into the kept markup as Django would render it: a search for other words finds it too."""
        data = self.data
        if self.errors or not isinstance(data, QueryDict) or self.prefix:
            return render_to_string(FIELDS_TEMPLATE, {"form": self})
        q = data.get("q", "")
        key = (get_language(), self.auto_id, self.label_suffix, tuple(self.currencies),
               self.fields["category"].tree.rows, bool(q),
               tuple((name, tuple(data.getlist(name))) for name in self.fields if name != "q"))
        markup = form_markup_cache.get(key)
        if markup is None:
            marked = data.copy()
            marked.setlist("q", [_Q_MARK] if q else [])
            self.data, self._bound_fields_cache = marked, {}
            try:
                markup = str(render_to_string(FIELDS_TEMPLATE, {"form": self}))
            finally:
                self.data, self._bound_fields_cache = data, {}
            form_markup_cache.put(key, markup)
        return mark_safe(markup.replace(_Q_MARK, escape(q), 1) if q else markup)

    def clean(self):
        cleaned = super().clean()
        low, high = cleaned.get("price_min"), cleaned.get("price_max")
        if low is not None and high is not None and low > high:
            self.add_error("price_max", _("The highest price is below the lowest price."))
        return cleaned

    def params(self) -> marketplace_selectors.SearchParams:
        """The search the valid part of the input asks for; fields with errors are left out."""
        self.is_valid()
        data = self.cleaned_data
        return marketplace_selectors.SearchParams(
            q=data.get("q") or "",
            category=data.get("category"),
            origin_country=data.get("origin_country") or "",
            seller_country=data.get("seller_country") or "",
            price_min=data.get("price_min"),
            price_max=data.get("price_max"),
            moq_max=data.get("moq_max"),
            incoterm=data.get("incoterm") or "",
            ships_to=data.get("ships_to") or "",
            verified_only=bool(data.get("verified")),
            responds_within=data.get("responds_within"),
            on_time_min=data.get("on_time_min"),
            rating_min=data.get("rating_min"),
            sort=data.get("sort") or "relevance",
            display=self.currencies.get(data.get("currency") or "", marketplace_selectors.EUR_DISPLAY),
        )


# --- the listing page ---------------------------------------------------------------------------

class ReportForm(ServiceErrorsMixin, forms.Form):
    reason = forms.CharField(label=_("What is wrong with this listing?"), max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 3}))


# --- seller pages -------------------------------------------------------------------------------

class SellerListingFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=lambda: [("", _("All statuses")), *ListingStatus.choices])

    def status_value(self) -> str | None:
        return (self.cleaned_data.get("status") or None) if self.is_valid() else None


class ListingForm(ServiceErrorsMixin, forms.Form):
    """Every field a seller sets, with price tiers and certificates as rows; blank rows are ignored."""

    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(label=_("Description"), required=False, max_length=20000,
                                  widget=forms.Textarea(attrs={"rows": 8}),
                                  help_text=_("Markdown: **bold**, *italic*, lists, tables and links."))
    category = CategoryChoiceField(label=_("Category"), empty_label=_("Choose a category"))
    unit = forms.ChoiceField(label=_("Unit of sale"), choices=Unit.choices, initial=Unit.PIECE)
    stock = forms.IntegerField(label=_("Available quantity"), min_value=0, max_value=MAX_QUANTITY, initial=0,
                               help_text=_("Changes to the quantity apply at once, without review."))
    moq = forms.IntegerField(label=_("Minimum order quantity"), min_value=1, max_value=MAX_QUANTITY, initial=1)
    order_multiple = forms.IntegerField(label=_("Order multiple"), min_value=1, max_value=MAX_QUANTITY, initial=1,
                                        help_text=_("Orders are placed in multiples of this quantity."))
    lead_time_days = forms.IntegerField(label=_("Lead time in days"), min_value=0, max_value=MAX_LEAD_TIME_DAYS,
                                        initial=7)
    origin_country = forms.ChoiceField(label=_("Country of origin"),
                                       choices=country_choices(_("Choose a country")))
    hs_code = forms.CharField(label=_("HS code"), max_length=12,
                              help_text=_("The 6 digits of the Harmonized System, e.g. 6302.60."))
    incoterms = forms.MultipleChoiceField(label=_("Incoterms"), required=False, choices=Incoterm.choices,
                                          widget=forms.CheckboxSelectMultiple)
    weight_kg = forms.DecimalField(label=_("Weight per unit (kg)"), max_digits=10, decimal_places=3)
    length_cm = forms.DecimalField(label=_("Length (cm)"), required=False, max_digits=8, decimal_places=1)
    width_cm = forms.DecimalField(label=_("Width (cm)"), required=False, max_digits=8, decimal_places=1)
    height_cm = forms.DecimalField(label=_("Height (cm)"), required=False, max_digits=8, decimal_places=1)
    ships_to_mode = forms.ChoiceField(label=_("Ships to"), choices=ShipsToMode.choices,
                                      initial=ShipsToMode.ALL_EXCEPT)
    ships_to_countries = forms.MultipleChoiceField(
        label=_("Countries"), required=False, choices=countries, widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("The countries the choice above names. Hold Ctrl or Cmd to choose several."))
    # Not rendered as inputs: they carry the errors of the row blocks below.
    price_tiers = forms.Field(label=_("Price tiers"), required=False, widget=forms.HiddenInput)
    certificates = forms.Field(label=_("Certificates"), required=False, widget=forms.HiddenInput)

    BLOCK_FIELDS = ("price_tiers", "certificates")
    GROUPS = (
        (_("The product"), ("title", "description", "category")),
        (_("Quantities and delivery"), ("unit", "stock", "moq", "order_multiple", "lead_time_days")),
        (_("Trade details"), ("origin_country", "hs_code", "incoterms")),
        (_("Weight and dimensions"), ("weight_kg", "length_cm", "width_cm", "height_cm")),
        (_("Where it ships"), ("ships_to_mode", "ships_to_countries")),
    )

    def __init__(self, *args, tier_rows: int = PRICE_TIER_ROWS, certificate_rows: int = CERTIFICATE_ROWS,
                 **kwargs):
        super().__init__(*args, **kwargs)
        self.tier_rows = tier_rows
        self.certificate_rows = certificate_rows
        for index in range(tier_rows):
            self.fields[f"tier_{index}_min_quantity"] = forms.IntegerField(
                label=_("From quantity"), required=False, min_value=1, max_value=MAX_QUANTITY)
            self.fields[f"tier_{index}_unit_price"] = forms.DecimalField(
                label=_("Unit price"), required=False, min_value=Decimal("0.01"), max_digits=14, decimal_places=2)
        for index in range(certificate_rows):
            self.fields[f"certificate_{index}_name"] = forms.CharField(label=pgettext_lazy("certificate", "Name"), required=False,
                                                                       max_length=200)
            self.fields[f"certificate_{index}_issuer"] = forms.CharField(label=_("Issuer"), required=False,
                                                                         max_length=200)
            self.fields[f"certificate_{index}_number"] = forms.CharField(label=_("Number"), required=False,
                                                                         max_length=100)
            self.fields[f"certificate_{index}_valid_until"] = forms.DateField(
                label=_("Valid until"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    @classmethod
    def for_listing(cls, listing: Listing, *args, **kwargs) -> ListingForm:
        """The editor of a listing, filled with its current values; on a published listing the
        changes waiting for review are shown on top, so a second edit keeps the first one."""
        initial = listing_initial(listing)
        return cls(*args, initial=initial, tier_rows=max(PRICE_TIER_ROWS, len(initial["price_tiers"]) + 1),
                   certificate_rows=max(CERTIFICATE_ROWS, len(initial["certificates"]) + 1), **kwargs)

    # -- rendering helpers ----------------------------------------------------------------------

    def groups(self):
        return [(legend, [self[name] for name in names]) for legend, names in self.GROUPS]

    def tier_row_fields(self):
        return [(self[f"tier_{i}_min_quantity"], self[f"tier_{i}_unit_price"]) for i in range(self.tier_rows)]

    def certificate_row_fields(self):
        return [(self[f"certificate_{i}_name"], self[f"certificate_{i}_issuer"], self[f"certificate_{i}_number"],
                 self[f"certificate_{i}_valid_until"]) for i in range(self.certificate_rows)]

    # -- shaping --------------------------------------------------------------------------------

    def clean(self):
        cleaned = super().clean()
        tiers, tier_errors = [], []
        for index in range(self.tier_rows):
            quantity = cleaned.get(f"tier_{index}_min_quantity")
            price = cleaned.get(f"tier_{index}_unit_price")
            if self.has_error(f"tier_{index}_min_quantity") or self.has_error(f"tier_{index}_unit_price"):
                tier_errors.append(_("Correct the price tier rows marked below."))
            elif (quantity is None) != (price is None):
                tier_errors.append(_("Give both the quantity and the unit price of each price tier."))
            elif quantity is not None:
                tiers.append({"min_quantity": quantity, "unit_price": price})
        for message in dict.fromkeys(tier_errors):
            self.add_error("price_tiers", message)
        cleaned["price_tiers"] = tiers
        certificates = []
        for index in range(self.certificate_rows):
            row = {key: cleaned.get(f"certificate_{index}_{key}") for key in ("name", "issuer", "number",
                                                                               "valid_until")}
            if not any(row.values()):
                continue
            certificates.append({**row, "number": row["number"] or ""})
        cleaned["certificates"] = certificates
        return cleaned

    def create_data(self) -> dict[str, Any]:
        """Input for listing_create: every field."""
        data = {name: self.cleaned_data.get(name) for name in (*SCALAR_FIELDS, *MULTI_FIELDS)}
        data["price_tiers"] = self.cleaned_data["price_tiers"]
        data["certificates"] = self.cleaned_data["certificates"]
        if data["stock"] is None:
            del data["stock"]
        return data

    def update_data(self) -> dict[str, Any]:
        """Input for listing_update: only what the seller changed, so the moderators of a published
        listing see which fields the change touches."""
        data = {name: self.cleaned_data.get(name) for name in (*SCALAR_FIELDS, *MULTI_FIELDS)
                if name in self.changed_data}
        if "stock" in data and data["stock"] is None:
            del data["stock"]
        if _tier_pairs(self.cleaned_data["price_tiers"]) != _tier_pairs(self.initial.get("price_tiers", [])):
            data["price_tiers"] = self.cleaned_data["price_tiers"]
        if self.cleaned_data["certificates"] != self.initial.get("certificates", []):
            data["certificates"] = self.cleaned_data["certificates"]
        return data


def _tier_pairs(tiers: list[dict[str, Any]]) -> list[tuple[int, Decimal]]:
    return sorted((int(tier["min_quantity"]), Decimal(tier["unit_price"])) for tier in tiers)


def listing_initial(listing: Listing) -> dict[str, Any]:
    """The editor's initial values: the listing's columns and rows, overlaid with its pending changes."""
    initial: dict[str, Any] = {name: getattr(listing, name) for name in SCALAR_FIELDS if name != "category"}
    initial["category"] = listing.category.path
    initial["origin_country"] = listing.origin_country.code
    initial["incoterms"] = [row.incoterm for row in listing.incoterm_rows.all()]
    initial["ships_to_countries"] = sorted(row.country.code for row in listing.ships_to_countries.all())
    tiers = [{"min_quantity": t.min_quantity, "unit_price": t.unit_price} for t in listing.price_tiers.all()]
    certificates = [{"name": c.name, "issuer": c.issuer, "number": c.number, "valid_until": c.valid_until}
                    for c in listing.certificates.all()]
    pending = listing.pending_changes if listing.status == ListingStatus.PUBLISHED else None
    if pending:
        for name, value in (pending.get("scalars") or {}).items():
            if name == "category":
                category = Category.objects.filter(pk=value).first()
                if category is not None:
                    initial["category"] = category.path
            elif name in DECIMAL_FIELDS:
                initial[name] = None if value is None else Decimal(value)
            elif name in initial:
                initial[name] = value
        for name in MULTI_FIELDS:
            if pending.get(name) is not None:
                initial[name] = pending[name]
        if pending.get("price_tiers") is not None:
            tiers = [{"min_quantity": q, "unit_price": Decimal(p)} for q, p in pending["price_tiers"]]
        if pending.get("certificates") is not None:
            certificates = [{**c, "number": c.get("number") or "",
                             "valid_until": date.fromisoformat(c["valid_until"]) if c.get("valid_until") else None}
                            for c in pending["certificates"]]
    initial["price_tiers"] = tiers
    initial["certificates"] = certificates
    for index, tier in enumerate(tiers):
        initial[f"tier_{index}_min_quantity"] = tier["min_quantity"]
        initial[f"tier_{index}_unit_price"] = tier["unit_price"]
    for index, certificate in enumerate(certificates):
        for key, value in certificate.items():
            initial[f"certificate_{index}_{key}"] = value
    return initial


def changed_field_labels(pending_changes: dict | None) -> list[str]:
    """The labels of the fields a waiting change set touches, in the order of the editor."""
    if not pending_changes:
        return []
    touched = set(pending_changes.get("scalars") or {})
    touched.update(name for name in (*MULTI_FIELDS, *ListingForm.BLOCK_FIELDS)
                   if pending_changes.get(name) is not None)
    return [str(field.label) for name, field in ListingForm.base_fields.items() if name in touched]


class ListingImageForm(ServiceErrorsMixin, forms.Form):
    image = forms.FileField(label=_("Add an image"), help_text=_("PNG, JPEG, WebP or GIF, at most 2 MB."),
                            widget=forms.FileInput(attrs={"accept": "image/png,image/jpeg,image/webp,image/gif"}))


class ListingImportForm(ServiceErrorsMixin, forms.Form):
    file = forms.FileField(label=_("Spreadsheet"),
                           help_text=_("A .csv file (UTF-8) or an .xlsx workbook, at most 5 MB."),
                           widget=forms.FileInput(attrs={"accept": ".csv,.xlsx,text/csv,application/vnd."
                                                         "openxmlformats-officedocument.spreadsheetml.sheet"}))


# --- moderation -------------------------------------------------------------------------------------

class ListingQueueFilterForm(forms.Form):
    kind = forms.ChoiceField(label=_("Waiting because of"), required=False, choices=QUEUE_KIND_CHOICES)
    category = CategoryChoiceField(label=_("Category"), required=False, empty_label=_("All categories"))
    seller_country = forms.ChoiceField(label=_("Seller's country"), required=False,
                                       choices=country_choices(_("All countries")))

    def filters(self) -> dict[str, Any]:
        data = self.cleaned_data if self.is_valid() else {}
        return {"kind": data.get("kind") or "", "category": data.get("category"),
                "seller_country": data.get("seller_country") or ""}


class IdListField(forms.Field):
    widget = forms.MultipleHiddenInput

    def to_python(self, value) -> list[int]:
        values = value or []
        if not all(str(item).isdigit() for item in values):
            raise forms.ValidationError(_("Choose listings from the queue."), code="invalid")
        return [int(item) for item in values]


class BulkApproveForm(forms.Form):
    ids = IdListField(required=False)

    def listing_ids(self) -> list[int]:
        return sorted(set(self.cleaned_data["ids"])) if self.is_valid() else []
