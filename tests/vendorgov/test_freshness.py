"""vendorgov/freshness.py: which statements count as writes, and the writes that bypass
Django's cursor (COPY) renewing their table all the same. (What the homes show after each
kind of write: tests/dashboards/test_home_freshness.py.)"""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from sla import ingest
from sla.choices import MeasurementSource, Window
from sla.models import Measurement
from tests.sla.factories import service_level
from vendorgov import freshness


@pytest.mark.parametrize(("sql", "kind"), [
    ('SELECT "vendors_vendor"."id" FROM "vendors_vendor"', "read"),
    (' (SELECT 1) UNION (SELECT 2)', "read"),
    ('WITH t AS (SELECT 1) SELECT * FROM t', "read"),
    ('WITH t AS (UPDATE "sla_evaluation" SET status = %s RETURNING id) SELECT 1', "write"),
    ('INSERT INTO "governance_actionitem" ("title") VALUES (%s)', "write"),
    ('UPDATE "vendors_vendor" SET "name" = %s', "write"),
    ('DELETE FROM "signs_sign" WHERE id = %s', "write"),
    ('TRUNCATE "vendors_vendor" CASCADE', "write"),
    ('ALTER TABLE "vendors_vendor" ADD COLUMN x int', "write"),
    ('SAVEPOINT "s1"', "neutral"),
    ('RELEASE SAVEPOINT "s1"', "neutral"),
    ("SET LOCAL jit = off", "neutral"),
])
def test_statements_are_reads_writes_or_neither_and_anything_unknown_is_a_write(sql, kind):
    assert freshness.statement_kind(sql) == kind


def test_the_tables_a_statement_names_are_found_whole_quoted_or_not():
    sql = ('UPDATE sla_evaluation SET x = 1 FROM "sla_monthlycompliance" '
           'WHERE "sla_evaluationx" = 1')
    assert freshness.tables_in(sql) == {"sla_evaluation", "sla_monthlycompliance"}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_measurements_copied_by_the_ingest_renew_the_measurement_table(vendor_a):
    """A big batch goes by COPY, which Django's cursor does not see: the ingest renews the
    table itself, so what was computed from the measurements is computed again."""
    level = service_level(vendor_a, window=Window.WEEKLY)

    def count():
        return Measurement.objects.count()

    assert freshness.cached("test-measurements", 1, count) == 0
    freshness.cached("test-measurements", 1, count)  # the tables read are learned first
    with CaptureQueriesContext(connection) as queries:
        assert freshness.cached("test-measurements", 1, count) == 0
    assert len(queries) == 0  # kept
    monday = date(2000, 1, 3)
    rows = [ingest.Row(i, level, monday + timedelta(weeks=i),
                       monday + timedelta(weeks=i, days=7), Decimal("99.9"),
                       vendor_id=vendor_a.pk) for i in range(ingest.COPY_FROM)]
    with transaction.atomic():
        assert ingest.write(rows, by=None, source=MeasurementSource.API) == []  # by COPY
    assert freshness.cached("test-measurements", 1, count) == ingest.COPY_FROM


@pytest.mark.parametrize(("sql", "tables"), [
    # The target, not the tables read.
    ('INSERT INTO "reminders_reminder" ("kind") SELECT "title" FROM "governance_actionitem"',
     {"reminders_reminder"}),
    ('UPDATE sla_evaluation SET x = 1 FROM "sla_monthlycompliance" WHERE 1 = 1',
     {"sla_evaluation"}),
    ('DELETE FROM ONLY "signs_sign" WHERE vendor_id IN (SELECT id FROM vendors_vendor)',
     {"signs_sign"}),
    ('UPDATE public."vendors_vendor" SET "name" = %s', {"vendors_vendor"}),
    # Each data-modifying part of a WITH; a locking clause or ON CONFLICT is no target.
    ('WITH f AS (SELECT id FROM "governance_actionitem" FOR UPDATE SKIP LOCKED), '
     'i AS (INSERT INTO "reminders_reminder" (kind) SELECT 1 FROM f '
     'ON CONFLICT (kind) DO UPDATE SET kind = 2 RETURNING id), '
     's AS (UPDATE "governance_impediment" SET x = 1 FROM i) SELECT * FROM i',
     {"reminders_reminder", "governance_impediment"}),
    # Not plain to see: every table named.
    ('INSERT INTO reminders_reminder_incoming SELECT * FROM "reminders_reminder"',
     {"reminders_reminder"}),
    ('WITH i AS (INSERT INTO temp_rows SELECT 1) UPDATE "vendors_vendor" SET x = 1 '
     'FROM "sla_evaluation"', {"vendors_vendor", "sla_evaluation"}),
    ('TRUNCATE "vendors_vendor", "signs_sign" CASCADE', {"vendors_vendor", "signs_sign"}),
    ('UPDATE "vendors_vendor" SET x = 1; DELETE FROM "signs_sign";',
     {"vendors_vendor", "signs_sign"}),
    ('ALTER TABLE "vendors_vendor" ADD COLUMN x int', {"vendors_vendor"}),
])
def test_a_write_renews_the_tables_it_changes_or_if_unclear_every_table_it_names(sql, tables):
    assert freshness.tables_written(sql) == tables


@pytest.mark.django_db(transaction=True)
def test_a_write_that_changes_no_row_keeps_what_was_computed(vendor_a):
    from vendors.models import Vendor

    def names():
        return sorted(Vendor.objects.values_list("name", flat=True))

    freshness.cached("test-names", 1, names)
    freshness.cached("test-names", 1, names)  # the tables read are learned first
    Vendor.objects.filter(pk=-1).update(name="Nobody")
    Vendor.objects.filter(pk=-1).delete()
    with CaptureQueriesContext(connection) as queries:
        assert freshness.cached("test-names", 1, names) == ["Acme Outsourcing"]
    assert len(queries) == 0  # kept
    Vendor.objects.filter(pk=vendor_a.pk).update(name="Acme Global")
    assert freshness.cached("test-names", 1, names) == ["Acme Global"]
