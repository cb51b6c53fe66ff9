"""A faster `to_representation` for model serializers, giving the very same JSON.

DRF turns each field of each row into JSON through generic machinery: a generator over the
fields, `get_attribute` walking a list of source parts with a try/except, a `PKOnlyObject`
for every related id, a `to_representation` call even for a string that is already one.
On a list of 100 rows of 20 fields that is 2,000 rounds of it, and it was a third of the
time of the API's larger lists.

`FastRepresentationMixin` reads the serializer's fields once per serializer (per request,
per model class) and sorts each into the cheapest way that gives DRF's answer:

* a model column or annotation read straight from the instance (`getattr`), converted with
  the field's own `to_representation`, skipped only where DRF's conversion returns the value
  unchanged (a `str` for a CharField, an `int` for an IntegerField, a `bool` for a
  BooleanField, a `str` or an `int` for a ChoiceField whose choices are all of that type);
  a DateTimeField's time zone is looked up once, not for every value, and a DateField's
  date is written by its `isoformat()` without DRF's checks around it;
* a method DRF would call (no argument needed), called, then the same;
* a related record's id (`PrimaryKeyRelatedField`) read from its `<name>_id` column, which
  is exactly what DRF's `PKOnlyObject` carries;
* a field on the whole record (`source="*"`: record URLs, `SerializerMethodField`): its
  `to_representation(instance)`, as DRF calls it;
* anything else (dotted sources, methods to call, reverse relations, nested lists): DRF's
  own steps for that field, unchanged.

The fields themselves are built once per serializer class, not on every request: ModelSerializer
makes each from the model's field (kwargs, mappings, a deep copy of the declared ones) for
every serializer it builds, which was a third of a short list's time (see `_field_copies`).

A row that meets an AttributeError or a missing related record on the fast path is done
again by DRF's own `to_representation`, so even an unexpected record is answered as DRF
would (and fails as DRF would). tests/api/test_representation.py compares both for every
list of the API.
"""

import copy
import datetime
import functools
import inspect

from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist
from django.db.models.query_utils import DeferredAttribute
from django.utils import timezone
from django.utils.functional import cached_property
from rest_framework import serializers
from rest_framework.fields import SkipField
from rest_framework.relations import PKOnlyObject, PrimaryKeyRelatedField, RelatedField
from rest_framework.settings import ISO_8601, api_settings

_ATTR, _CALL, _FK, _WHOLE, _DRF = range(5)

#: Field classes whose to_representation returns a value of this type unchanged.
_UNCHANGED = ((serializers.CharField, str), (serializers.IntegerField, int),
              (serializers.BooleanField, bool))


def _unchanged_type(field) -> tuple:
    for base, kind in _UNCHANGED:
        if isinstance(field, base) and type(field).to_representation is base.to_representation:
            return (kind,)
    base = serializers.ChoiceField
    if isinstance(field, base) and type(field).to_representation is base.to_representation:
        # DRF answers `choice_strings_to_values.get(str(value), value)`: when every choice
        # is a plain str (or a plain int), a value of that very type comes back as itself
        # or as the equal choice, and JSON cannot tell them apart.
        keys = field.choice_strings_to_values.items()
        for kind in (str, int):
            if keys and all(type(key) is kind and text == str(key) for text, key in keys):
                return (kind,)
    return ()


def _converter(field):
    """The field's `to_representation`; for DRF's DateTimeField in ISO 8601 (ours), the
    same steps with the time zone looked up once instead of on every value; for its
    DateField in ISO 8601, a date's `isoformat()` without the checks around it."""
    kind = type(field)
    if (isinstance(field, serializers.DateField)
            and kind.to_representation is serializers.DateField.to_representation):
        output_format = getattr(field, "format", api_settings.DATE_FORMAT)
        if output_format is None or output_format.lower() != ISO_8601:
            return field.to_representation

        def date_representation(value):
            # Exactly a date (a datetime is a date too: DRF refuses that one).
            if type(value) is datetime.date:
                return value.isoformat()
            return field.to_representation(value)

        return date_representation
    base = serializers.DateTimeField
    if not (isinstance(field, base) and kind.to_representation is base.to_representation
            and kind.enforce_timezone is base.enforce_timezone
            and kind.default_timezone is base.default_timezone):
        return field.to_representation
    output_format = getattr(field, "format", api_settings.DATETIME_FORMAT)
    zone = field.timezone if hasattr(field, "timezone") else field.default_timezone()
    if output_format is None or output_format.lower() != ISO_8601 or zone is None:
        return field.to_representation

    def to_representation(value):
        if type(value) is not datetime.datetime or value.utcoffset() is None:
            return field.to_representation(value)  # naive, or not a datetime: DRF's way
        try:
            text = value.astimezone(zone).isoformat()
        except OverflowError:
            return field.to_representation(value)
        return text[:-6] + "Z" if text.endswith("+00:00") else text

    return to_representation


# The checks below read the model class only: asked once per model and name, not once per
# request (they were a millisecond of every request of a short list).
@functools.cache
def _plain_attribute(model, name: str) -> bool:
    """Is `model().<name>` a value read without a call or a relation lookup: a column
    (or a foreign key's `_id`), a property, or an instance attribute such as an annotation?"""
    attr = inspect.getattr_static(model, name, None)
    if attr is None:
        return not name.startswith("_")
    return isinstance(attr, DeferredAttribute | property | cached_property
                      | functools.cached_property)


@functools.cache
def _simple_method(model, name: str) -> bool:
    """Is `model().<name>` a method DRF calls without arguments (its `is_simple_callable`:
    every parameter but `self` has a default)?"""
    attr = inspect.getattr_static(model, name, None)
    if not inspect.isfunction(attr):
        return False
    params = list(inspect.signature(attr).parameters.values())[1:]
    return all(p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD) or p.default is not p.empty
               for p in params)


@functools.cache
def _foreign_key_column(model, name: str) -> str | None:
    """`<name>_id` when `name` is a forward foreign key (or one-to-one) of `model`."""
    try:
        model_field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    if model_field.concrete and (model_field.many_to_one or model_field.one_to_one):
        return model_field.attname
    return None


def _plan(serializer, model) -> list[tuple]:
    plan = []
    for field in serializer._readable_fields:
        name, parts = field.field_name, field.source_attrs
        if field.source == "*" and not (isinstance(field, RelatedField)
                                        and field.use_pk_only_optimization()):
            plan.append((name, _WHOLE, None, (), field.to_representation))
            continue
        if (isinstance(field, PrimaryKeyRelatedField) and field.pk_field is None
                and len(parts) == 1):
            column = _foreign_key_column(model, parts[0])
            if column is not None:
                plan.append((name, _FK, column, (), None))
                continue
        if len(parts) == 1 and not isinstance(field, RelatedField | serializers.BaseSerializer):
            if _plain_attribute(model, parts[0]):
                plan.append((name, _ATTR, parts[0], _unchanged_type(field), _converter(field)))
                continue
            if _simple_method(model, parts[0]):
                plan.append((name, _CALL, parts[0], _unchanged_type(field), _converter(field)))
                continue
        plan.append((name, _DRF, field, (), None))
    return plan


def _own_settings_only(field) -> bool:
    """Does `field.to_representation` read nothing but the field's own settings (DRF's own
    fields: no parent, context or request), so that an unbound copy answers as a bound one?"""
    return type(field).to_representation.__module__ == "rest_framework.fields"


def _fresh(field):
    """A copy of an unbound prototype field that this serializer may bind (DRF's
    BindingDict sets its name, parent, label and source). A plain field keeps nothing but
    its own settings, so a copy of its attributes is enough; a field holding a bound child
    (a nested serializer, a list of related records, a ListField) is deep-copied as DRF
    would, so that its child answers to this copy and this request."""
    if (isinstance(field, serializers.BaseSerializer | serializers.ManyRelatedField)
            or hasattr(field, "child") or hasattr(field, "child_relation")):
        return copy.deepcopy(field)
    fresh = object.__new__(type(field))
    fresh.__dict__.update(field.__dict__)
    return fresh


class FastRepresentationMixin:
    # Serializers built on this answer as DRF does, faster (see the module). (A comment,
    # not a docstring: drf-spectacular would show a docstring on every serializer.)

    def get_fields(self):
        # The fields of a serializer that only represents records (no data given to it or
        # to the serializer it belongs to) are copies of prototypes built once per class:
        # ModelSerializer.get_fields reads only the class (Meta, declared fields, model),
        # never the instance, its context or the request. A serializer given data builds
        # its own as DRF does, so validation never shares anything with another request.
        if hasattr(self, "initial_data") or hasattr(self.root, "initial_data"):
            return super().get_fields()
        cls = type(self)
        prototypes = cls.__dict__.get("_vg_prototype_fields")
        if prototypes is None:
            prototypes = super().get_fields()  # never bound: BindingDict binds the copies
            cls._vg_prototype_fields = prototypes
        return {name: _fresh(field) for name, field in prototypes.items()}

    def _fast_plan(self, model) -> list[tuple]:
        """This serializer's plan for records of `model`: from the class's recipe (see
        `_recipe`) where it may have one, binding only the fields a row needs bound; else
        worked out from this serializer's own fields."""
        recipe = self._recipe(model)
        if recipe is None:
            return _plan(self, model)
        plan = []
        for name, kind, source, unchanged, convert, prototype in recipe:
            if prototype is None:
                plan.append((name, kind, source, unchanged, convert))
                continue
            field = _fresh(prototype)
            field.bind(field_name=name, parent=self)  # as DRF's BindingDict binds it
            if kind is _WHOLE:
                plan.append((name, kind, None, (), field.to_representation))
            elif kind is _DRF:
                plan.append((name, kind, field, (), None))
            else:
                plan.append((name, kind, source, unchanged, _converter(field)))
        return plan

    def _recipe(self, model) -> list[tuple] | None:
        # How this serializer class represents `model`, worked out once per class, model
        # and current time zone (a DateTimeField's zone is part of it) instead of on every
        # request: which fields are read as columns, ids, methods or whole records, their
        # conversions. A conversion that reads only its field's own settings (DRF's own
        # fields) comes from the class's unbound prototype; every field that answers to
        # its request (record URLs, method fields, nested or custom fields) is bound anew
        # for each serializer. None where the fields may differ from the class's: a
        # serializer given data, one whose fields were built or changed already (its own
        # __init__), or a class that chooses its fields itself (its own get_fields).
        if (type(self).get_fields is not FastRepresentationMixin.get_fields
                or "fields" in self.__dict__ or hasattr(self, "initial_data")
                or hasattr(self.root, "initial_data")):
            return None
        cls = type(self)
        recipes = cls.__dict__.get("_vg_recipes")
        if recipes is None:
            recipes = cls._vg_recipes = {}
        key = (model, timezone.get_current_timezone())
        recipe = recipes.get(key)
        if recipe is None:
            # From this serializer's own bound fields, once; the prototypes exist now.
            plan = _plan(self, model)
            prototypes = cls.__dict__["_vg_prototype_fields"]
            recipe = []
            for name, kind, source, unchanged, _ in plan:
                prototype = prototypes[name]
                if kind is _FK:
                    recipe.append((name, kind, source, (), None, None))
                elif kind in (_ATTR, _CALL) and _own_settings_only(prototype):
                    recipe.append((name, kind, source, unchanged, _converter(prototype), None))
                else:
                    recipe.append((name, kind, source if kind in (_ATTR, _CALL) else None,
                                   unchanged, None, prototype))
            if len(recipes) < 64:  # models x time zones: a few
                recipes[key] = recipe
        return recipe

    def to_representation(self, instance):
        plans = self.__dict__.setdefault("_fast_plans", {})
        # `__class__`, not type(): the signed-in user of a session (/me) is a lazy object
        # standing for the record, which answers `__class__` for it.
        model = instance.__class__
        plan = plans.get(model)
        if plan is None:
            plan = plans[model] = self._fast_plan(model)
        ret = {}
        # What a page's reader (vendorgov.api.lists) has already represented for this record,
        # by field name: nested lists read as plain rows (see `row_converters`).
        given = instance.__dict__.get("_vg_represented")
        try:
            for name, kind, source, unchanged, convert in plan:
                if given is not None and name in given:
                    ret[name] = given[name]
                elif kind is _ATTR:
                    value = getattr(instance, source)
                    ret[name] = (value if value is None or type(value) in unchanged
                                 else convert(value))
                elif kind is _CALL:
                    value = getattr(instance, source)()
                    ret[name] = (value if value is None or type(value) in unchanged
                                 else convert(value))
                elif kind is _FK:
                    ret[name] = getattr(instance, source)
                elif kind is _WHOLE:
                    ret[name] = convert(instance)
                else:  # DRF's own steps (Serializer.to_representation) for this field
                    try:
                        attribute = source.get_attribute(instance)
                    except SkipField:
                        continue
                    check = attribute.pk if isinstance(attribute, PKOnlyObject) else attribute
                    ret[name] = None if check is None else source.to_representation(attribute)
        except (AttributeError, ObjectDoesNotExist):
            return super().to_representation(instance)
        return ret


_ROW_CONVERTERS: dict[tuple, list] = {}


def row_converters(serializer_class, names: tuple[str, ...]) -> list[tuple]:
    """(name, unchanged types, convert) for each field `names` of `serializer_class`, taken
    from the serializer's own fields: a page reader that reads nested records as plain
    rows (`.values_list()`) turns each column into what DRF gives for the field, without
    a model instance per row. `represent_row` applies them.

    Kept from one request to the next: building the serializer's fields for them on every
    request cost more than converting a page's rows, and they depend only on the class,
    the columns and the time zone in force (a datetime's conversion holds the zone it
    writes in), never on the request."""
    key = (serializer_class, tuple(names), timezone.get_current_timezone())
    converters = _ROW_CONVERTERS.get(key)
    if converters is None:
        converters = _ROW_CONVERTERS[key] = _row_converters(serializer_class, names)
    return converters


def _row_converters(serializer_class, names) -> list[tuple]:
    fields = serializer_class().fields
    converters = []
    for name in names:
        field = fields[name]
        if isinstance(field, PrimaryKeyRelatedField) and field.pk_field is None:
            converters.append((name, (int,), None))  # the `<name>_id` column, as _FK reads it
        else:
            converters.append((name, _unchanged_type(field), _converter(field)))
    return converters


def represent_row(converters: list[tuple], values) -> dict:
    """One row's representation: `values` in the order of `converters`; None stays None,
    as DRF never converts it."""
    return {name: (value if value is None or type(value) in unchanged else convert(value))
            for (name, unchanged, convert), value in zip(converters, values, strict=True)}
