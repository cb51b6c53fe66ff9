"""`row_converters` (vendorgov/api/representation.py) kept from one request to the next.

A list that reads nested records as plain rows converts each column as its serializer's
field would (`row_converters`), and building that serializer's fields for it on every
request cost more than converting a page's rows. The conversions depend on the serializer
class, the columns and the time zone in force (a datetime's conversion holds the zone it
writes in), never on the request: they are kept under those three. (It belongs beside
`row_converters`; it lives here while that module is another session's to change.)
"""

from django.utils import timezone

from vendorgov.api.representation import row_converters

_KEPT: dict[tuple, list] = {}


def kept_row_converters(serializer_class, names: tuple[str, ...]) -> list:
    """`row_converters(serializer_class, names)`, built once per time zone."""
    key = (serializer_class, names, timezone.get_current_timezone())
    converters = _KEPT.get(key)
    if converters is None:
        converters = _KEPT[key] = row_converters(serializer_class, names)
    return converters
