"""Pages of every API list: `?page=N&page_size=M`, with a bounded `count`.

An exact count of a large table is slow (about 200 ms over a million rows on PostgreSQL,
whatever the page), so `count` is exact only while at most `count_cap` (10,000) rows match,
and null above: the count reads at most `count_cap + 1` rows. `next` never depends on it:
each page reads one row more than it shows, and there is a next page when that row exists.

The count and the page are one query: the bounded count is a scalar subquery of the page's
SELECT (evaluated once by the database), so a list costs one query for both. Where the order
needs a joined table, the page's rows are chosen by their ids first (`_ids_first`); so they
are where a list shows more than its rows' columns through joins (a view's `annotate_page`,
given the queryset of the page's rows: names, limits of a related record): the count and the
choice of the page read the filtered table alone, and only the page's rows are joined.
Rows are paged in a total order: whatever a list sorts by (its default or `?ordering=`),
ties are broken by the primary key (`total_order`), or paging through rows with equal sort
keys could show one twice and another never.
A page past the end has no rows: a 404 (page 1 of an empty list is an empty page whose
count is 0).
"""

import re

from django.core.exceptions import EmptyResultSet
from django.core.paginator import Page, Paginator
from django.db.models import IntegerField, QuerySet
from django.db.models.expressions import RawSQL
from django.db.models.query import ModelIterable
from django.utils.functional import cached_property
from rest_framework import exceptions, pagination
from rest_framework.response import Response

from vendorgov.api.rows import FastModelIterable

_WHOLE_NUMBER = re.compile(r"[0-9]+")
_COUNT = "_vg_bounded_count"
_MAX_OFFSET = 2**63 - 1  # PostgreSQL's OFFSET and LIMIT are bigints

COUNT_DESCRIPTION = ("How many records match, when at most {cap:,} do; null when more than "
                     "{cap:,} rows match: narrow the filters or follow `next`.")


def _bounded_count(queryset: QuerySet, cap: int) -> RawSQL:
    """COUNT(*) over at most `cap + 1` rows of `queryset` (its ids, unordered), as a scalar
    subquery. Its SQL is compiled as it stands (table names unaliased: inside the
    subquery they name its own FROM); a Subquery expression would relabel a copy of the
    whole query first, which cost more than the count it saves."""
    inner = queryset.order_by().values("pk")[:cap + 1]
    sql, params = inner.query.get_compiler(using=queryset.db).as_sql()
    return RawSQL(f"SELECT COUNT(*) FROM ({sql}) _vg_bounded", params,
                  output_field=IntegerField())


def _ordering(query) -> list:
    return list(query.order_by or (query.get_meta().ordering if query.default_ordering
                                   else ()))


def total_order(queryset: QuerySet) -> QuerySet:
    """`queryset` in its order, ties broken by the primary key."""
    ordering = _ordering(queryset.query)
    pk = queryset.model._meta.pk.name
    if any(isinstance(f, str) and f.lstrip("-") in ("pk", pk) for f in ordering):
        return queryset
    return queryset.order_by(*ordering, "pk")


def _ids_first(queryset: QuerySet) -> bool:
    """Is the page better chosen by its ids first? When rows come with joined records and
    the order needs another table's column, the database joins and sorts every matching
    row whole to keep 101; sorting only ids and the order's columns took a half to a third
    of that on large tables. Otherwise it only adds a subquery to plan."""
    query = queryset.query
    if query.distinct or not query.select_related:
        return False
    return any("__" in str(field) for field in _ordering(query))


def _records(queryset: QuerySet) -> list:
    """The records of `queryset`, a queryset of this module's own making (not shared),
    built without `Model.__init__` where nothing can tell (vendorgov/api/rows.py)."""
    if queryset._iterable_class is ModelIterable:
        queryset._iterable_class = FastModelIterable
    return list(queryset)


class _BoundedPaginator(Paginator):
    """What the browsable API's page controls read: pages up to the last known one."""

    def __init__(self, count, page_size):
        super().__init__([], page_size)
        self._count = count

    @cached_property
    def count(self):
        return self._count


class PageNumberPagination(pagination.PageNumberPagination):
    """`?page=N&page_size=M` (at most 1000), with a bounded `count` (see the module).

    A `page_size` that is not a whole number from 1 to 1000 is a 400 naming it (DRF would
    quietly fall back to the default); an empty one is the default. A `page` past the end,
    or not a page number at all, is a 404 like any other address that leads nowhere.
    """

    page_size_query_param = "page_size"
    max_page_size = 1000
    #: The most rows counted exactly; above it `count` is null. A class attribute so that a
    #: test (or a subclass) can lower it.
    count_cap = 10_000

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if not raw:  # absent or empty, like every other query parameter
            return self.page_size
        if not _WHOLE_NUMBER.fullmatch(raw) or not 1 <= int(raw) <= self.max_page_size:
            raise exceptions.ValidationError({self.page_size_query_param: [
                f"A whole number from 1 to {self.max_page_size}."]})
        return int(raw)

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        queryset = total_order(queryset)
        page_size = self.get_page_size(request)
        raw = request.query_params.get(self.page_query_param) or "1"
        # A page whose first row lies beyond what the database can even address (OFFSET is
        # a bigint) is past the end of any list: a 404 without a query.
        if (not _WHOLE_NUMBER.fullmatch(raw) or len(raw) > 19 or int(raw) < 1
                or (int(raw) - 1) * page_size + page_size + 1 > _MAX_OFFSET):
            raise exceptions.NotFound(self.invalid_page_message)
        number = int(raw)
        offset = (number - 1) * page_size
        window = slice(offset, offset + page_size + 1)
        annotate_page = getattr(view, "annotate_page", None)
        try:
            count = _bounded_count(queryset, self.count_cap)
        except EmptyResultSet:  # a scope or filter that no row can meet: no query at all
            rows = []
        else:
            if annotate_page is not None:
                # The rows are chosen, and counted, on the filtered table alone; only the
                # page's own rows are joined to what they show besides their columns.
                page = annotate_page(queryset.filter(pk__in=queryset.values("pk")[window]))
                rows = _records(page.annotate(**{_COUNT: count}))
            elif _ids_first(queryset):
                rows = _records(queryset.annotate(**{_COUNT: count}).filter(
                    pk__in=queryset.values("pk")[window]))
            else:
                rows = _records(queryset.annotate(**{_COUNT: count})[window])
        if not rows and number > 1:
            raise exceptions.NotFound(self.invalid_page_message)
        total = getattr(rows[0], _COUNT) if rows else 0
        self.count = total if total <= self.count_cap else None
        self.has_next = len(rows) > page_size
        self.number, self.page_size_used = number, page_size
        rows = rows[:page_size]
        known_pages = (-(-self.count // page_size) if self.count is not None
                       else number + self.has_next)
        self.page = Page(rows, number, _BoundedPaginator(max(known_pages, 1) * page_size,
                                                         page_size))
        if known_pages > 1 and self.template is not None:
            self.display_page_controls = True
        return rows

    def get_next_link(self):
        if not self.has_next:
            return None
        return pagination.replace_query_param(self.request.build_absolute_uri(),
                                              self.page_query_param, self.number + 1)

    def get_previous_link(self):
        if self.number <= 1:
            return None
        url = self.request.build_absolute_uri()
        if self.number == 2:
            return pagination.remove_query_param(url, self.page_query_param)
        return pagination.replace_query_param(url, self.page_query_param, self.number - 1)

    def get_paginated_response(self, data):
        return Response({
            "count": self.count,
            "next": self.get_next_link(),
            "previous": self.get_previous_link(),
            "results": data,
        })

    def get_paginated_response_schema(self, schema):
        response = super().get_paginated_response_schema(schema)
        response["properties"]["count"] = {
            "type": "integer", "nullable": True, "minimum": 0, "maximum": self.count_cap,
            "example": 123, "description": COUNT_DESCRIPTION.format(cap=self.count_cap)}
        response["properties"]["next"]["description"] = (
            "The next page, or null on the last one (whatever `count` says).")
        response["required"] = ["count", "next", "previous", "results"]
        return response

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_query_param:
                parameter["schema"]["minimum"] = 1
            elif parameter["name"] == self.page_size_query_param:
                parameter["schema"].update(minimum=1, maximum=self.max_page_size)
        return parameters
