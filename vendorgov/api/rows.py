"""A list's page of model instances, built without `Model.__init__`.

A page of 100 evaluations built 300-400 model instances (each evaluation with its service
level, version and dispute), and `Model.__init__` (its two signals, a `setattr` through a
descriptor for every column, the state object) was a fifth of the list's time: more than
the values it sets take to represent. `FastModelIterable` runs the very same query (the
list's filters, order, `select_related` joins, `only()`, annotations, the paginator's
count and ids-first subqueries: it only replaces how rows become instances) and builds
each instance as `Model.from_db` leaves it, the way Python builds an unpickled object: a
bare instance of the model class whose `__dict__` receives the columns under their
attribute names, with its `_state` (not adding, this database), each `select_related`
record cached on it and on its relation's other side as Django's RelatedPopulator does,
and the annotations. A record that many rows point to (a many-to-one relation: a page of
a vendor's evaluations has 100 rows and about 7 service levels with their versions) is
built once per query and given to each row that points to it, as `prefetch_related`
shares its records. The instances are the models' own: their properties, methods and
descriptors, deferred columns, and DRF's own representation, all work on them.

Every paginated API list reads its page this way (vendorgov/api/pagination.py).

Only where nothing is skipped: a model with `pre_init`/`post_init` receivers, an
`__init__` or `from_db` of its own, or a column
whose descriptor does more on assignment than store it (anything but a plain column and
a foreign key's id, whose descriptor only clears a cached record that a new instance does
not have), is built by `from_db` as before; so is a model with a parent (multi-table
inheritance reorders its columns). tests/sla/test_api_rows.py and
tests/api/test_page_rows.py compare both ways.
"""

import functools

from django.db.models import Model, signals
from django.db.models.base import ModelState
from django.db.models.fields.related_descriptors import ForeignKeyDeferredAttribute
from django.db.models.query import BaseIterable, ModelIterable
from django.db.models.query_utils import DeferredAttribute

#: Descriptors whose `__set__` (or its absence) stores the value in `__dict__` and nothing
#: more on a new instance.
_PLAIN = (DeferredAttribute, ForeignKeyDeferredAttribute)


def _builds_bare(model, names: tuple[str, ...]) -> bool:
    """May instances of `model` holding the columns `names` be built without __init__?
    (Asked once per query: a receiver may be connected at any time.)"""
    if signals.pre_init.has_listeners(model) or signals.post_init.has_listeners(model):
        return False
    return _plain_columns(model, names)


@functools.cache
def _plain_columns(model, names: tuple[str, ...]) -> bool:
    # A model with an __init__ or from_db of its own, or a parent, is built as Django does.
    if (model._meta.parents or model.__init__ is not Model.__init__
            or model.from_db.__func__ is not Model.from_db.__func__):
        return False
    return all(type(model.__dict__.get(name)) in _PLAIN for name in names)


def record_builder(klass_info: dict, select: list, db: str, shared: bool = False):
    """A function building a klass_info's instance (and its select_related records) from a
    result row (a compiler's, converted); None where an outer join found no record. Make
    one per query run: the related records it shares are kept for that run's rows.
    `shared`: a record many rows point to (a many-to-one relation), built once per query
    and given to each of them."""
    model = klass_info["model"]
    positions = klass_info["select_fields"]
    if klass_info.get("from_parent"):
        raise NotImplementedError("FastModelIterable does not read inherited models")
    names = tuple(select[i][0].target.attname for i in positions)
    start, end = positions[0], positions[-1] + 1
    pk_at = names.index(model._meta.pk.attname)
    related = [(record_builder(info, select, db, shared=not (info["reverse"]
                                                       or info["field"].unique)),
                info["local_setter"], info["remote_setter"])
               for info in klass_info.get("related_klass_infos", ())]
    bare = _builds_bare(model, names)
    new = object.__new__
    built = {} if shared else None

    def build(row):
        values = row[start:end]
        pk = values[pk_at]
        if pk is None:
            return None
        if built is not None:
            instance = built.get(pk)
            if instance is not None:
                return instance
        if bare:
            instance = new(model)
            state = instance.__dict__["_state"] = ModelState()
            state.adding, state.db = False, db
            instance.__dict__.update(zip(names, values, strict=True))
        else:
            instance = model.from_db(db, names, values)
        for build_related, local_setter, remote_setter in related:
            record = build_related(row)
            local_setter(instance, record)
            if record is not None:
                remote_setter(record, instance)
        if built is not None:
            built[pk] = instance
        return instance

    return build


class FastModelIterable(BaseIterable):
    """Yields a model instance per row of a queryset, built as the module says. Set on a
    queryset (`fast_models`), Django keeps it through the filters, ordering and slicing
    that follow; `.values()` replaces it as usual."""

    def __iter__(self):
        queryset = self.queryset
        if queryset._known_related_objects:  # a related manager's: Django's own
            yield from ModelIterable(queryset, self.chunked_fetch, self.chunk_size)
            return
        compiler = queryset.query.get_compiler(using=queryset.db)
        results = compiler.execute_sql(chunked_fetch=self.chunked_fetch,
                                       chunk_size=self.chunk_size)
        build = record_builder(compiler.klass_info, compiler.select, queryset.db)
        annotations = list(compiler.annotation_col_map.items())
        for row in compiler.results_iter(results):
            instance = build(row)
            for name, at in annotations:
                setattr(instance, name, row[at])
            yield instance


def fast_models(queryset):
    """`queryset`, its instances built by FastModelIterable."""
    queryset = queryset.all()
    queryset._iterable_class = FastModelIterable
    return queryset
