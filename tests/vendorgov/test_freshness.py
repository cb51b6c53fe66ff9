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
