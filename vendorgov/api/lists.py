"""A list serializer for records that need more than their own row: it reads what a whole
page needs at once, before any record is represented (Django's per-row prefetch managers
cost most of a list's time)."""

from collections.abc import Callable

from django.db import connections
from django.db.models import QuerySet
from django.db.models.query import ValuesListIterable
from rest_framework import serializers


class PageListSerializer(serializers.ListSerializer):
    """Subclasses name `attach`: a function given the page's records (a list) that sets on
    each what its representation reads, in a fixed number of queries."""

    @staticmethod
    def attach(records: list) -> None:
        raise NotImplementedError

    def to_representation(self, data):
        records = list(data.all() if hasattr(data, "all") else data)
        self.attach(records)
        return super().to_representation(records)


class RowsOfPage:
    """`build(ids).values_list(...)` rows for a page's ids, its SQL compiled once per
    process, database and number of ids: a page reader's query changes only by the ids it
    is given, and building and compiling it again (with a conversion of every id) cost more
    than running it. The rows are what `values_list` gives: the compiler's own converters
    turn each column into its Python value.

    `build` is called with a list of ids and returns a `values_list()` queryset filtered by
    them (`…__in=ids`); a query this class cannot reuse (an id missing from its parameters,
    or named twice, or rows that are not plain columns) is run as Django runs it."""

    _SENTINEL = -(10**15)  # ids below it never exist: placeholders for the page's ids

    def __init__(self, model, build: Callable[[list], QuerySet]):
        self.model, self.build = model, build
        self._compiled = {}

    def __call__(self, ids) -> list[tuple]:
        ids = list(ids)
        if not ids:
            return []
        queryset = None
        key = (len(ids), self.model._default_manager.db)
        compiled = self._compiled.get(key)
        if compiled is None:
            queryset = self.build(ids)
            compiled = self._compile(len(ids), key[1])
            if len(self._compiled) < 64:  # page sizes: a few; never grows without bound
                self._compiled[key] = compiled
        if compiled[0] is None:  # not reusable
            return list(queryset if queryset is not None else self.build(ids))
        db, sql, positions, fixed, converters = compiled
        params = list(fixed)
        for position, index in positions:
            params[position] = ids[index]
        connection = connections[db]  # this thread's
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        if not converters:
            return rows
        # As SQLCompiler.apply_converters, with this thread's connection.
        converted = []
        for row in rows:
            row = list(row)
            for position, (functions, expression) in converters:
                value = row[position]
                for function in functions:
                    value = function(value, expression, connection)
                row[position] = value
            converted.append(tuple(row))
        return converted

    def _compile(self, count: int, db: str) -> tuple:
        placeholders = [self._SENTINEL - i for i in range(count)]
        queryset = self.build(placeholders)
        query = queryset.query
        if (queryset._iterable_class is not ValuesListIterable or query.extra_select
                or query.annotation_select or query.combinator):
            return (None,)
        compiler = query.get_compiler(using=db)
        sql, params = compiler.as_sql()
        fields = [column[0] for column in compiler.select[:compiler.col_count]]
        converters = list(compiler.get_converters(fields).items())
        index = {placeholder: i for i, placeholder in enumerate(placeholders)}
        positions = [(position, index[param]) for position, param in enumerate(params)
                     if type(param) is int and param in index]
        if (sorted(i for _, i in positions) != list(range(count))
                or compiler.has_composite_fields(fields)):
            return (None,)
        return db, sql, positions, tuple(params), converters
