"""Measurement ingest: every row of a batch checked in memory, then written at once.

Used by the API (single and bulk), the operations form and CSV imports. A batch is
all-or-nothing: one bad row rejects the whole batch, and every bad row is reported with its
index and the reason. Rows whose external id was already submitted with the same content
are counted as unchanged and written again never, so a batch can be resent safely.

The cost is a fixed number of queries whatever the batch size: the service levels the rows
name, the external ids already taken, and the insert (batched by the database driver).
"""

import contextlib
import io
import math
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db import connection
from django.utils import timezone

from sla import rules
from sla.choices import UNIT_SYMBOL, Unit, VersionStatus
from sla.models import Measurement, ServiceLevel
from vendorgov import formats, freshness

MAX_BATCH = 20_000
MAX_VALUE = Decimal("9999999999.9999")  # what the database column holds (14 digits, 4 dp)
FOUR_DP = Decimal("0.0001")
EXTERNAL_ID_MAX = 100
NOTE_MAX = 2000
MAX_ID = 2**63 - 1
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class RowError:
    index: int
    field: str
    message: str

    def as_dict(self) -> dict:
        return {"index": self.index, "field": self.field, "message": self.message}


class RowsRejected(Exception):  # noqa: N818 - reads as what happened
    """The batch was refused; nothing was written."""

    def __init__(self, errors: list[RowError], total: int):
        self.errors, self.total = errors, total
        rows = len({e.index for e in errors})
        if total < rows:  # the batch or file as a whole is wrong
            super().__init__("Nothing was saved: " + errors[0].message)
            return
        super().__init__(f"Nothing was saved: {rows} of {total} row{'s' if total != 1 else ''} "
                         f"{'has' if rows == 1 else 'have'} errors.")


@dataclass
class Row:
    """A row that passed every check."""

    index: int
    service_level: ServiceLevel
    window_start: date
    window_end: date
    value: Decimal
    note: str = ""
    external_id: str = ""
    vendor_id: int = 0


@dataclass
class Checked:
    new: list[Row] = field(default_factory=list)
    unchanged: list[tuple[int, str]] = field(default_factory=list)  # (vendor, external id)
    errors: list[RowError] = field(default_factory=list)


@dataclass
class IngestResult:
    received: int
    created: int
    unchanged: int
    # (service level id, window start) of the new rows: the windows to evaluate.
    windows: set = field(default_factory=set)
    measurements: list = field(default_factory=list)  # the new Measurement rows
    unchanged_keys: list = field(default_factory=list)  # (vendor id, external id)


# -- field parsers: each returns the value or raises ValueError with a sentence ------------


def _service_level_id(raw, *, text_allowed: bool = True) -> int:
    if isinstance(raw, bool) or not isinstance(raw, int):
        if text_allowed and isinstance(raw, str) and raw.strip().isdigit():
            raw = int(raw.strip())
        else:
            raise ValueError("Give the service level's id, a whole number.")
    if not 1 <= raw <= MAX_ID:
        raise ValueError("Give the service level's id, a whole number.")
    return raw


def _window_start(raw, *, text_allowed: bool = True) -> date:
    if isinstance(raw, str) and text_allowed:
        raw = raw.strip()
    if not isinstance(raw, str) or not _DATE.fullmatch(raw):
        raise ValueError("Write the window's first day as YYYY-MM-DD.")
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise ValueError(f"'{raw}' is not a date; write YYYY-MM-DD.") from None


def _value(raw, *, text_allowed: bool) -> Decimal:
    if isinstance(raw, bool):
        raise ValueError("The value must be a number.")
    if isinstance(raw, int | float):
        if isinstance(raw, float) and not math.isfinite(raw):
            raise ValueError("The value must be a finite number.")
        value = Decimal(repr(raw)) if isinstance(raw, float) else Decimal(raw)
    elif isinstance(raw, str) and text_allowed and raw.strip():
        text = raw.strip()
        try:
            value = Decimal(text)
        except InvalidOperation:
            hint = " Use a point for decimals (99.5)." if "," in text else ""
            raise ValueError(f"'{text[:30]}' is not a number.{hint}") from None
        if not value.is_finite():
            raise ValueError("The value must be a finite number.")
    else:
        raise ValueError("The value must be a number.")
    try:
        value = value.quantize(FOUR_DP, rounding=ROUND_HALF_UP)
    except InvalidOperation:  # more digits than a Decimal holds: far out of range
        raise ValueError("The value is too large.") from None
    if abs(value) > MAX_VALUE:
        raise ValueError("The value is too large.")
    return value


def _text(raw, limit: int, what: str) -> str:
    if raw is None:
        return ""
    if not isinstance(raw, str):
        raise ValueError(f"The {what} must be text.")
    if "\x00" in raw:
        raise ValueError(f"The {what} contains a NUL character.")
    if len(raw) > limit:
        raise ValueError(f"The {what} is longer than {limit} characters.")
    return raw.strip()


def unit_matches(given: str, unit: str) -> bool:
    given = given.strip().lower()
    return given in {unit, UNIT_SYMBOL.get(unit, "") or unit, Unit(unit).label.lower()}


# -- the rules a measurement must follow ----------------------------------------------------


def window_problem(sl: ServiceLevel, start: date, today: date,
                   successor_of=None) -> tuple[str, str] | None:
    """(field, message) when `sl` cannot take a value for the window starting on `start`."""
    version = sl.version
    if not rules.is_window_start(sl.window, start):
        aligned = rules.window_start(sl.window, start)
        return "window_start", (f"{start} is not the first day of a {sl.window} window; the "
                                f"window containing it starts on {aligned}.")
    end = rules.window_end(sl.window, start)
    if end >= today:
        return "window_start", (f"The window {rules.window_label(sl.window, start)} has not "
                                f"ended yet (it closes after {formats.date(end, padded=True)}).")
    if version.sla.archived_at is not None:
        return "service_level", "This SLA is archived."
    if version.status in (VersionStatus.DRAFT, VersionStatus.REVIEWED):
        return "service_level", (f"Version {version.number} of {version.sla.reference} is a "
                                 f"{version.get_status_display().lower()}, not in effect.")
    if end < version.effective_from:
        return "window_start", (f"Outside the SLA's effective dates: version "
                                f"{version.number} is in effect from "
                                f"{formats.date(version.effective_from, padded=True)}.")
    if version.effective_until is not None and end > version.effective_until:
        if version.status == VersionStatus.SUPERSEDED:
            successor = successor_of(version.sla_id, sl.key, end) if successor_of else None
            where = (f"; submit it for service level {successor.pk} (version "
                     f"{successor.version.number})" if successor else "")
            until = formats.date(version.effective_until, padded=True)
            return "service_level", (f"Version {version.number} of {version.sla.reference} was "
                                     f"superseded on {until}{where}.")
        return "window_start", (f"Outside the SLA's effective dates: it ended on "
                                f"{formats.date(version.effective_until, padded=True)}.")
    return None


def successor_finder(service_levels: dict[int, ServiceLevel]):
    """A function (sla id, key, window end) -> the service level of a later version that
    governs that window, for the superseded versions among `service_levels` (one query)."""
    superseded = {sl.version.sla_id for sl in service_levels.values()
                  if sl.version.status == VersionStatus.SUPERSEDED}
    later = list(ServiceLevel.objects.filter(
        version__sla_id__in=superseded, version__status__in=[VersionStatus.EFFECTIVE,
                                                              VersionStatus.SUPERSEDED]
    ).select_related("version")) if superseded else []

    def find(sla_id: int, key: str, end: date) -> ServiceLevel | None:
        return next((sl for sl in later if sl.version.sla_id == sla_id and sl.key == key
                     and sl.version.governs(end)), None)

    return find


def check(rows: list, *, service_levels: dict[int, ServiceLevel], taken: dict,
          today: date, text_values: bool = False) -> Checked:
    """Check every row. `service_levels`: those the sender may submit to, by id; `taken`:
    {(vendor id, external id): (service level id, window start, value)} already stored.

    Per service level, the window ends it accepts are worked out once; a row inside them
    needs no more than a comparison, and only a refused row is explained in words."""
    result = Checked()
    seen_ids: dict[tuple[int, str], int] = {}
    seen_windows: dict[tuple[int, date], int] = {}
    successor_of = successor_finder(service_levels)
    accepts = {pk: _accepted_ends(sl, today) for pk, sl in service_levels.items()}
    # Values as sent through the API are of the type the schema names; text (CSV, forms)
    # may be read: "42" as an id, " 2026-01-01 " as a date, "99.5" as a number.
    parsers = (("window_start", lambda v: _window_start(v, text_allowed=text_values)),
               ("value", lambda v: _value(v, text_allowed=text_values)),
               ("note", lambda v: _text(v, NOTE_MAX, "note")),
               ("external_id", lambda v: _text(v, EXTERNAL_ID_MAX, "external id")))
    for index, raw in enumerate(rows):
        if not isinstance(raw, dict):
            result.errors.append(RowError(index, "", "Each measurement must be an object."))
            continue
        errors = []
        sl = start = value = None
        note = external_id = ""
        try:
            sl_id = _service_level_id(raw.get("service_level"), text_allowed=text_values)
            sl = service_levels.get(sl_id)
            if sl is None:
                errors.append(RowError(index, "service_level", f"There is no service level "
                                       f"{sl_id} you may submit measurements for."))
        except ValueError as error:
            errors.append(RowError(index, "service_level", str(error)))
        for name, parse in parsers:
            try:
                parsed = parse(raw.get(name))
            except ValueError as error:
                errors.append(RowError(index, name, str(error)))
                continue
            if name == "window_start":
                start = parsed
            elif name == "value":
                value = parsed
            elif name == "note":
                note = parsed
            else:
                external_id = parsed
        unit = raw.get("unit")
        if unit not in (None, "") and sl is not None and not (
                isinstance(unit, str) and unit_matches(unit, sl.unit)):
            errors.append(RowError(index, "unit", f"Unit mismatch: {sl.name} is measured in "
                                                  f"{Unit(sl.unit).label}, not "
                                                  f"'{str(unit)[:20]}'."))
        end = None
        if sl is not None and start is not None:
            first, last, vendor_id = accepts[sl.pk]
            if rules.window_start(sl.window, start) == start:
                end = rules.window_end(sl.window, start)
            if end is None or not first <= end <= last:
                end = None
                problem = window_problem(sl, start, today, successor_of)
                errors.append(RowError(index, *problem) if problem else RowError(
                    index, "window_start", "This window cannot take a value."))
        if sl is not None and value is not None and not errors:
            if sl.unit == Unit.PERCENT and not 0 <= value <= 100:
                errors.append(RowError(index, "value", "A percentage lies between 0 and 100."))
            elif sl.unit != Unit.SCORE and value < 0:
                errors.append(RowError(index, "value", f"{Unit(sl.unit).label.capitalize()} "
                                                       "cannot be negative."))
        if errors:
            result.errors.extend(errors)
            continue

        if external_id:
            first_index = seen_ids.setdefault((vendor_id, external_id), index)
            if first_index != index:
                result.errors.append(RowError(index, "external_id",
                                              f"Duplicate external id '{external_id}' (also "
                                              f"at index {first_index})."))
                continue
            earlier = taken.get((vendor_id, external_id))
            if earlier is not None:
                if earlier == (sl.pk, start, value):
                    result.unchanged.append((vendor_id, external_id))
                    continue
                result.errors.append(RowError(
                    index, "external_id",
                    f"External id '{external_id}' was already used for another measurement "
                    f"(service level {earlier[0]}, window {earlier[1]}, value "
                    f"{rules.number(earlier[2])}); send a correction with a new external id."))
                continue
        first_index = seen_windows.setdefault((sl.pk, start), index)
        if first_index != index:
            result.errors.append(RowError(
                index, "window_start",
                f"A second value for {sl.name}, {rules.window_label(sl.window, start)} (also at "
                f"index {first_index}); send one value per service level and window."))
            continue
        result.new.append(Row(index, sl, start, end, value, note, external_id, vendor_id))
    return result


def _accepted_ends(sl: ServiceLevel, today: date) -> tuple[date, date, int]:
    """(first, last) window end `sl` takes a value for, and its vendor; an empty range when
    it takes none (draft, archived). `window_problem` says why, row by row."""
    version, sla = sl.version, sl.version.sla
    if not version.in_force or sla.archived_at is not None or version.effective_from is None:
        return date.max, date.min, sla.vendor_id
    last = today - timedelta(days=1)
    if version.effective_until is not None:
        last = min(last, version.effective_until)
    return version.effective_from, last, sla.vendor_id


def service_level_ids(rows: list) -> set[int]:
    """The well-formed service level ids the rows name."""
    ids = set()
    for row in rows:
        if isinstance(row, dict):
            with contextlib.suppress(ValueError):
                ids.add(_service_level_id(row.get("service_level")))
    return ids


def external_ids(rows: list, levels: dict[int, ServiceLevel]) -> set[tuple[int, str]]:
    """(vendor id, external id) of the rows that carry one, for rows naming a known level.
    An id with a NUL character is left out: it is refused with its row (a database cannot
    even look it up)."""
    pairs = set()
    for row in rows:
        if not isinstance(row, dict) or not isinstance(row.get("external_id"), str):
            continue
        with contextlib.suppress(ValueError):
            sl = levels.get(_service_level_id(row.get("service_level")))
            if sl is not None and row["external_id"].strip() and "\x00" not in row["external_id"]:
                pairs.add((sl.version.sla.vendor_id, row["external_id"].strip()))
    return pairs


def taken_external_ids(pairs: set[tuple[int, str]]) -> dict:
    """{(vendor id, external id): (service level id, window start, value)} of those stored,
    in one query (PostgreSQL takes the ids as one array; SQLite, which limits the number of
    parameters of a statement, in chunks)."""
    if not pairs:
        return {}
    vendors = sorted({v for v, _ in pairs})
    ids = sorted({e for _, e in pairs})
    columns = ("vendor_id", "external_id", "service_level_id", "window_start", "value")
    if connection.vendor == "postgresql":
        table = Measurement._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {', '.join(columns)} FROM {table} "
                           "WHERE vendor_id = ANY(%s) AND external_id = ANY(%s)",
                           [vendors, ids])
            rows = cursor.fetchall()
    else:
        rows = [row for offset in range(0, len(ids), 900) for row in Measurement.objects
                .filter(vendor_id__in=vendors, external_id__in=ids[offset:offset + 900])
                .values_list(*columns)]
    return {(vendor_id, external_id): (sl_id, start, value)
            for vendor_id, external_id, sl_id, start, value in rows}


# Above this many rows PostgreSQL gets them by COPY: building a 10,000-row INSERT costs
# Django far more time than the database spends on it.
COPY_FROM = 1000
_COPY_COLUMNS = ("vendor_id", "service_level_id", "window_start", "window_end", "value",
                 "source", "submitted_by_id", "submitted_at", "note", "external_id",
                 "csv_import_id")
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def write(rows: list[Row], *, by, source: str, csv_import=None) -> list[Measurement]:
    """Insert the checked rows in the current transaction; returns the new measurements
    (empty when they went by COPY, which gives no ids back)."""
    now = timezone.now()
    user_id = by.pk if by is not None and getattr(by, "is_authenticated", False) else None
    import_id = csv_import.pk if csv_import is not None else None
    if connection.vendor == "postgresql" and len(rows) >= COPY_FROM:
        _copy(rows, user_id=user_id, source=source, now=now, import_id=import_id)
        return []
    return Measurement.objects.bulk_create(
        [Measurement(vendor_id=r.vendor_id,
                     service_level_id=r.service_level.pk, window_start=r.window_start,
                     window_end=r.window_end, value=r.value, source=source,
                     submitted_by_id=user_id, submitted_at=now, note=r.note,
                     external_id=r.external_id, csv_import_id=import_id) for r in rows],
        batch_size=5000)


def _copy(rows: list[Row], *, user_id, source: str, now, import_id) -> None:
    r"""COPY ... FROM STDIN in text format: tab-separated, \N for null, and backslash, tab
    and line breaks escaped in the free text (NUL characters were refused by the checks)."""
    null = r"\N"
    user, when = (str(user_id) if user_id else null), now.isoformat()
    imported = str(import_id) if import_id else null
    lines = ["\t".join((
        str(r.vendor_id), str(r.service_level.pk),
        r.window_start.isoformat(), r.window_end.isoformat(), str(r.value), source, user, when,
        r.note.translate(_COPY_ESCAPES), r.external_id.translate(_COPY_ESCAPES), imported))
        for r in rows]
    buffer = io.StringIO("\n".join(lines) + "\n")
    # copy_expert is the driver's own method, outside Django's error translation: without
    # this wrapper a unique violation (the same batch resent while the first is still
    # being stored) escapes as psycopg2's error, which no caller recognises, and ends as a
    # 500. Wrapped, it is django.db.IntegrityError like any insert's.
    with connection.cursor() as cursor, connection.wrap_database_errors:
        cursor.copy_expert(f"COPY {Measurement._meta.db_table} ({', '.join(_COPY_COLUMNS)}) "
                           "FROM STDIN", buffer)
    freshness.written([Measurement])  # COPY passes by Django's cursor, which notices writes
