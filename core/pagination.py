from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination

# Most rows a catalogue list counts: more are shown as "more than COUNT_CAP", and the pages stop there.
COUNT_CAP = 1000


class CappedPaginator(Paginator):
    """A paginator that counts at most `count_cap` rows.

    Counting every match of a million-row catalogue reads every matching row (hundreds of thousands
    for a browse page or a common word), which costs more than the page itself. This one counts the
    first `count_cap` + 1 rows only, in one query; when there are more, `count_capped` is true,
    `count` is `count_cap` and the pages end there, so no page is further than `count_cap` rows in
    (a deep OFFSET is as costly as a full count). Pages say "more than 1,000" rather than a number.

    The rows are counted without their ORDER BY: however they are sorted, there are as many. A
    queryset whose query carries `capped_count` (a callable given the queryset, answering how many
    rows it holds or None when it cannot tell; marketplace.search sets it for a search sorted by
    relevance, which has read its candidates already) is counted by it, without a query."""

    count_cap = COUNT_CAP

    def __init__(self, object_list, per_page, *, count_cap: int | None = None, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        if count_cap is not None:
            self.count_cap = count_cap

    @cached_property
    def _found(self) -> int:
        """How many rows there are, up to count_cap + 1."""
        rows = self.object_list
        if isinstance(rows, QuerySet):
            known = getattr(rows.query, "capped_count", None)
            counted = known(rows) if known is not None else None
            if counted is not None:
                return min(counted, self.count_cap + 1)
            return rows.order_by()[:self.count_cap + 1].count()
        return min(len(rows), self.count_cap + 1)

    @cached_property
    def count(self) -> int:
        return min(self._found, self.count_cap)

    @cached_property
    def count_capped(self) -> bool:
        """Whether there are more rows than `count`."""
        return self._found > self.count_cap


class DefaultPagination(PageNumberPagination):
    """Page numbers with a page size the caller may choose; a larger one than `max_page_size` is cut to it.
    A page size or page number that is not a whole number from 1 up is refused with a field message, not
    silently replaced; a page past the last one is a 404."""

    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        if len(request.query_params.getlist(self.page_size_query_param)) > 1 or not _whole(raw):
            raise ValidationError({self.page_size_query_param: [
                _("Give a whole number from 1 up (at most %(max)d are shown).") % {"max": self.max_page_size}]})
        return min(int(raw), self.max_page_size)

    def get_page_number(self, request, paginator):
        raw = request.query_params.get(self.page_query_param)
        if raw is None or raw in self.last_page_strings:
            return super().get_page_number(request, paginator)
        if len(request.query_params.getlist(self.page_query_param)) > 1 or not _whole(raw):
            raise ValidationError({self.page_query_param: [_("Give a page number from 1 up.")]})
        return raw

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"] = {"type": "integer", "minimum": 1}
                parameter["description"] = f"Results per page (at most {self.max_page_size}; more is cut to that)."
            elif parameter["name"] == self.page_query_param:
                parameter["schema"] = {"type": "integer", "minimum": 1}
        return parameters


def _whole(raw: str) -> bool:
    """A whole number from 1 up, in plain ASCII digits and of a sane length."""
    return raw.isascii() and raw.isdigit() and len(raw) <= 9 and int(raw) >= 1


class CappedCountPagination(DefaultPagination):
    """DefaultPagination over a CappedPaginator, for lists that may hold a million rows (the public
    catalogue): `count` stops at COUNT_CAP and `count_capped` says whether there are more; pages end
    at the cap (a page past it is a 404, as past the last page)."""

    django_paginator_class = CappedPaginator

    def get_paginated_response(self, data):
        response = super().get_paginated_response(data)
        response.data["count_capped"] = self.page.paginator.count_capped
        return response

    def get_paginated_response_schema(self, schema):
        schema = super().get_paginated_response_schema(schema)
        schema["properties"]["count"]["description"] = (
            f"How many match, counted up to {COUNT_CAP}; with count_capped there are more, and the pages end there.")
        schema["properties"]["count_capped"] = {
            "type": "boolean", "description": f"True when more than {COUNT_CAP} match (count is then {COUNT_CAP})."}
        schema["required"] = [*schema["required"], "count_capped"]
        return schema
