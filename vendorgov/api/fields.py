"""Serializer fields that take JSON values of exactly the type the OpenAPI schema names.

DRF's fields coerce: a CharField takes `5` as "5", an IntegerField takes "5", a
BooleanField takes "yes" and 1, a DecimalField takes a JSON number, a ChoiceField takes 1
for "1". The schema promises a string, an integer, a boolean..., so a client generated from
it (and a fuzzer reading it) must be able to rely on any other type being a 400 with the
field's error, never a silent conversion. drf-spectacular documents these fields like the
DRF fields they extend; vendorgov.api.schema adds what only these fields know (patterns,
id ranges).
"""

import re

from django.db import models
from rest_framework import relations, serializers

from vendorgov.api.representation import FastRepresentationMixin

MAX_ID = 2**63 - 1  # the largest id PostgreSQL's bigint and SQLite can hold

#: What each integer column holds on every database we run on. Django takes the limits
#: from the database in use, and SQLite's are 64-bit for all of them: the schema would then
#: promise a PositiveSmallIntegerField up to 2**63 - 1 and PostgreSQL would refuse it.
PORTABLE_INTEGER_RANGES = {
    "SmallIntegerField": (-(2**15), 2**15 - 1),
    "PositiveSmallIntegerField": (0, 2**15 - 1),
    "IntegerField": (-(2**31), 2**31 - 1),
    "PositiveIntegerField": (0, 2**31 - 1),
    "BigIntegerField": (-(2**63), 2**63 - 1),
    "PositiveBigIntegerField": (0, 2**63 - 1),
}


# What str.strip() removes, which DRF's CharField does before it checks for blanks.
_WHITESPACE = (r"\t\n\x0b\x0c\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f"
               r"\u205f\u3000")
#: No NUL character (PostgreSQL cannot store one; DRF refuses it).
NO_NUL = r"^[^\x00]*$"
#: No NUL character, and something besides whitespace (DRF trims, then finds it blank).
NOT_BLANK = rf"^[^\x00]*[^\x00{_WHITESPACE}][^\x00]*$"
# Forms of strings, each a subset of what Django's own validator takes, enforced on the
# string as sent (DRF would trim first) and documented as the schema's pattern. The schema's
# `format: uri`/`email` would promise other strings than Django takes (e.g. "a@b.c0m",
# "https://x.a", a 65-character local part), so these fields document a pattern instead.
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_DOMAIN = rf"{_LABEL}(?:\.{_LABEL})*\.[A-Za-z]{{2,63}}"
#: http(s)://host.example/path
WEB_ADDRESS = rf"https?://{_DOMAIN}(?:/[!-~]*)?"
#: name@host.example (the dot-atom form of Django's EmailValidator)
_ATOM = r"[-!#$%&'*+/=?^_`{}|~0-9A-Za-z]+"
EMAIL_ADDRESS = rf"{_ATOM}(?:\.{_ATOM})*@{_DOMAIN}"
#: letters, digits, hyphens and underscores (Django's validate_slug)
SLUG = r"[-a-zA-Z0-9_]+"
#: RFC 3339's full-date, which the schema's `format: date` means: 2026-01-05
DATE = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
#: RFC 3339's date-time (`format: date-time`): 2026-01-05T10:00:00Z, …T10:00:00.5+01:00
DATE_TIME = (rf"{DATE}[Tt][0-9]{{2}}:[0-9]{{2}}:[0-9]{{2}}(?:\.[0-9]+)?"
             r"(?:[Zz]|[+-][0-9]{2}:[0-9]{2})")


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


class StrictCharField(serializers.CharField):
    """A string. `pattern` is what DRF really takes (see NOT_BLANK); vendorgov.api.schema
    documents it."""

    @property
    def pattern(self) -> str:
        return NO_NUL if self.allow_blank else NOT_BLANK

    def run_validation(self, data=serializers.empty):
        # maxLength is about the string as sent; DRF would measure it after trimming.
        if isinstance(data, str) and self.max_length is not None and len(data) > self.max_length:
            self.fail("max_length", max_length=self.max_length)
        return super().run_validation(data)

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class _FormField(StrictCharField):
    """A string of the form `form` (a regex), exactly as sent: no spaces around it."""

    form: str
    default_error_messages = {"invalid": "Enter a valid value."}

    @property
    def pattern(self) -> str:
        return f"^(?:{self.form})?$" if self.allow_blank else f"^(?:{self.form})$"

    def run_validation(self, data=serializers.empty):
        if isinstance(data, str) and data and not re.fullmatch(self.form, data):
            self.fail("invalid")
        return super().run_validation(data)


class StrictURLField(_FormField):
    form = WEB_ADDRESS
    default_error_messages = {"invalid": "Enter a web address: http(s)://host.example/…"}


class StrictEmailField(_FormField):
    form = EMAIL_ADDRESS
    default_error_messages = {"invalid": "Enter an email address: name@host.example."}


class StrictSlugField(_FormField):
    form = SLUG
    default_error_messages = {"invalid": "Use letters, digits, hyphens and underscores."}


class StrictIntegerField(serializers.IntegerField):
    def to_internal_value(self, data):
        if not _is_int(data):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictBooleanField(serializers.BooleanField):
    def to_internal_value(self, data):
        if not isinstance(data, bool):
            self.fail("invalid", input=data)
        return data


class StrictDecimalField(serializers.DecimalField):
    """A decimal is a string of plain digits such as "1200.50", exactly as the schema's
    pattern says (JSON numbers would arrive as binary floats; Python's Decimal would also
    take "1e3", " 5", "+5" or "1_000")."""

    @property
    def pattern(self) -> str:
        sign = "" if self.min_value is not None and self.min_value >= 0 else "-?"
        whole = "+" if self.max_whole_digits is None else f"{{1,{self.max_whole_digits}}}"
        if not self.decimal_places:
            return f"^{sign}[0-9]{whole}$"
        return f"^{sign}[0-9]{whole}(?:\\.[0-9]{{1,{self.decimal_places}}})?$"

    def validate_empty_values(self, data):
        # DRF's DecimalField reads "" and " " as null when null is allowed; the pattern
        # takes neither (to_internal_value refuses them): null is null.
        if isinstance(data, str) and not self.read_only:
            return (False, data)
        return super().validate_empty_values(data)

    def to_internal_value(self, data):
        if not isinstance(data, str) or not re.fullmatch(self.pattern, data):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictDateField(serializers.DateField):
    """A date written as the schema's `format: date` says, 2026-01-05 (DRF would also read
    "20260105", "2026-W02-1" and "2026-1-5")."""

    def to_internal_value(self, value):
        if not isinstance(value, str) or not re.fullmatch(DATE, value):
            self.fail("invalid", format="YYYY-MM-DD")
        return super().to_internal_value(value)


class StrictChoiceField(serializers.ChoiceField):
    """A choice of the very type it is listed with: 1 is not "1", "1" is not 1."""

    def to_internal_value(self, data):
        if data == "" and self.allow_blank:
            return ""
        if not any(data == key and type(data) is type(key) for key in self.choices):
            self.fail("invalid_choice", input=data)
        return super().to_internal_value(data)


class StrictPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """A related record's id is a JSON integer."""

    def to_internal_value(self, data):
        if not _is_int(data):
            self.fail("incorrect_type", data_type=type(data).__name__)
        return super().to_internal_value(data)


class StrictModelSerializer(FastRepresentationMixin, serializers.ModelSerializer):
    # A ModelSerializer whose generated fields are the strict ones above, and whose
    # integers are limited to what their column holds on any database. (A comment, not a
    # docstring: drf-spectacular would show a docstring on every serializer built on this.)

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.AutoField: StrictIntegerField,
        models.BigAutoField: StrictIntegerField,
        models.BigIntegerField: StrictIntegerField,
        models.IntegerField: StrictIntegerField,
        models.PositiveIntegerField: StrictIntegerField,
        models.PositiveSmallIntegerField: StrictIntegerField,
        models.SmallIntegerField: StrictIntegerField,
        models.BooleanField: StrictBooleanField,
        models.CharField: StrictCharField,
        models.TextField: StrictCharField,
        models.EmailField: StrictEmailField,
        models.SlugField: StrictSlugField,
        models.URLField: StrictURLField,
        models.DecimalField: StrictDecimalField,
        models.DateField: StrictDateField,
    }
    serializer_choice_field = StrictChoiceField
    serializer_related_field = StrictPrimaryKeyRelatedField

    def build_standard_field(self, field_name, model_field):
        field_class, kwargs = super().build_standard_field(field_name, model_field)
        limits = PORTABLE_INTEGER_RANGES.get(model_field.get_internal_type())
        if limits and issubclass(field_class, serializers.IntegerField):
            low, high = limits
            if kwargs.get("min_value") is None or kwargs["min_value"] < low:
                kwargs["min_value"] = low
            if kwargs.get("max_value") is None or kwargs["max_value"] > high:
                kwargs["max_value"] = high
        return field_class, kwargs


class ReadModelSerializer(FastRepresentationMixin, serializers.ModelSerializer):
    # A plain ModelSerializer (DRF's fields) read with FastRepresentationMixin: for
    # read-only representations. (A comment: see StrictModelSerializer.)
    pass


class IdentityUrlField(serializers.HyperlinkedIdentityField):
    """A record's own address (`url`), as HyperlinkedIdentityField gives it, without a
    `reverse()` and an absolute-URI build per row: the address of the first row is built
    once per request and field, and every other row's is that with its own id. A list of
    100 rows spent a tenth of its time here."""

    _SENTINEL = 987654321987

    def to_representation(self, value):
        # After the first row, the rest of this field's rows skip DRF's reading of the
        # context (three walks up to the root serializer per row). The field is this
        # serializer's own (vendorgov.api.representation copies it per serializer), so what
        # it remembers is this request's.
        parts = self.__dict__.get("_vg_parts")
        if parts is not None:
            pk = getattr(value, "pk", None)
            if pk not in (None, ""):
                return relations.Hyperlink(f"{parts[0]}{pk}{parts[1]}", value)
        return super().to_representation(value)

    def get_url(self, obj, view_name, request, format):
        if getattr(obj, "pk", None) in (None, ""):
            return None
        if request is None or format or self.lookup_field != "pk":
            return super().get_url(obj, view_name, request, format)
        cache = request.__dict__.setdefault("_identity_urls", {})
        key = (view_name, self.lookup_url_kwarg)
        if key not in cache:
            url = self.reverse(view_name, kwargs={self.lookup_url_kwarg: self._SENTINEL},
                               request=request, format=format)
            head, sep, tail = url.partition(str(self._SENTINEL))
            cache[key] = (head, tail) if sep else None
        parts = cache[key]
        if parts is None:
            return super().get_url(obj, view_name, request, format)
        if view_name == self.view_name:
            self._vg_parts = parts
        return f"{parts[0]}{obj.pk}{parts[1]}"
