"""The SLA API's lists read their pages faster (vendorgov/api/rows.py, sla/api/serializers.py,
issue 15) and still answer exactly as each record's own address and DRF's own
representation do: records built without Model.__init__, shared records built once per
page, texts worked out once per service level, decimals without DRF's quantize, the
versions of a page of SLAs in one compiled query."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal as D

import pytest
from django.db import connection
from django.db.models import Model
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework import serializers

from sla.api.serializers import StoredDecimalField
from sla.choices import Comparator, EvaluationStatus, Unit, VersionStatus, Window
from sla.models import SLA, Dispute, Evaluation, Measurement, ServiceLevel, SLAVersion
from tests.factories import UserFactory
from tests.sla.factories import VersionFactory, measurement, service_level
from vendorgov.api.representation import FastRepresentationMixin
from vendorgov.api.rows import fast_models
from vendorgov.roles import Role

pytestmark = pytest.mark.django_db


def _evaluation(sl, start, status, value, *, excused=False, days_ago=3):
    return Evaluation.objects.create(
        vendor_id=sl.version.sla.vendor_id, sla_id=sl.version.sla_id, service_level=sl,
        window_start=start, window_end=start + timedelta(days=27), status=status,
        value=value, excused=excused,
        evaluated_at=timezone.make_aware(datetime.combine(date(2025, 8, 15), time(23, 30)))
        - timedelta(days=days_ago))


@pytest.fixture
def page(vendor_a):
    """Two SLAs of vendor A: two service levels on one (percent, higher is better; hours,
    lower is better, with a 5-day dispute window and no at-risk band) and one on a second
    version of the other, with evaluations of every status, one disputed, one excused, and
    a value at each side of its target."""
    higher = service_level(vendor_a, target=D("99.5"), breach_threshold=D("99"))
    lower = service_level(vendor_a, version=higher.version, unit=Unit.HOURS,
                          comparator=Comparator.LTE, target=D("4"), breach_threshold=D("4"),
                          window=Window.WEEKLY, position=1)
    older = service_level(vendor_a).version
    SLAVersion.objects.filter(pk=older.pk).update(status=VersionStatus.SUPERSEDED,
                                                  effective_until=date(2025, 6, 30))
    newer = VersionFactory(sla=older.sla, number=2, effective_from=date(2025, 7, 1),
                           dispute_window_days=5, monthly_charge=D("1234.5"),
                           credit_cap_percent=D("7.25"))
    third = service_level(vendor_a, version=newer, target=D("0.25"), breach_threshold=D("0"))
    starts = [date(2025, 1, 6) + timedelta(weeks=n) for n in range(6)]
    cases = [(higher, EvaluationStatus.MET, D("99.5")), (higher, EvaluationStatus.MET, D("100")),
             (higher, EvaluationStatus.AT_RISK, D("99.2500")),
             (higher, EvaluationStatus.BREACHED, D("12.3456")),
             (higher, EvaluationStatus.NO_DATA, None),
             (lower, EvaluationStatus.MET, D("4")), (lower, EvaluationStatus.BREACHED, D("4.5")),
             (third, EvaluationStatus.MET, D("-0.0000"))]
    made = [_evaluation(sl, starts[i % 6], status, value, excused=i == 3, days_ago=i)
            for i, (sl, status, value) in enumerate(cases)]
    Dispute.objects.create(vendor=vendor_a, evaluation=made[3], reason="Probe failure")
    for i, start in enumerate(starts[:3]):
        measurement(higher, start, f"99.{i}5", note="n", external_id=f"x-{i}")
    measurement(lower, starts[0], "3.5")
    return made


@pytest.fixture
def vera_client(token_client):
    return token_client(UserFactory(username="vera-rows", role=Role.VENDOR_MANAGER))


LISTS = ["sla-list", "sla-measurement-list", "sla-evaluation-list"]


@pytest.mark.parametrize("name", LISTS)
def test_each_row_of_an_sla_list_is_its_record_and_drfs_own_answer(vera_client, page,
                                                                   monkeypatch, name):
    listed = vera_client.get(reverse(name), {"page_size": 100})
    rows = listed.json()["results"]
    assert len(rows) >= 2
    for row in rows:
        assert vera_client.get(row["url"]).json() == row, row["url"]
    with monkeypatch.context() as patch:
        patch.setattr(FastRepresentationMixin, "to_representation",
                      lambda self, instance: serializers.Serializer.to_representation(
                          self, instance))
        assert vera_client.get(reverse(name), {"page_size": 100}).content == listed.content
    if name == "sla-evaluation-list":
        assert {row["status"] for row in rows} == set(EvaluationStatus.values)
        assert sum(row["dispute"] is not None for row in rows) == 1
        assert len({row["dispute_deadline"] for row in rows}) > 1
    if name == "sla-list":
        versions = [v for row in rows for v in row["versions"]]
        assert {v["monthly_charge"] for v in versions} >= {"1234.50"}
        assert any(len(v["service_levels"]) == 2 for v in versions)


def test_pages_of_slas_read_their_own_versions(vera_client, page, vendor_b):
    """The versions' query is compiled once and run with each page's SLA ids."""
    other = service_level(vendor_b).version.sla
    for sla in (other, *SLA.objects.filter(vendor=page[0].vendor)):
        rows = vera_client.get(reverse("sla-list"), {"vendor": sla.vendor_id,
                                                     "page_size": 1}).json()["results"]
        first = SLA.objects.filter(vendor=sla.vendor_id).order_by("reference", "pk").first()
        assert rows[0]["id"] == first.pk
        assert [v["number"] for v in rows[0]["versions"]] == list(
            SLAVersion.objects.filter(sla=first).order_by("-number")
            .values_list("number", flat=True))
        assert rows[0]["versions"][0]["service_levels"] == list(
            ServiceLevel.objects.filter(version__sla=first, version__number=rows[0]["versions"][0]
                                        ["number"]).values_list("id", flat=True))


def test_a_page_of_evaluations_builds_no_model_through_init_and_each_service_level_once(
        vera_client, page, monkeypatch):
    built = []
    init = Model.__init__

    def counting(self, *args, **kwargs):
        built.append(type(self))
        init(self, *args, **kwargs)

    monkeypatch.setattr(Model, "__init__", counting)
    rows = list(fast_models(Evaluation.objects.select_related("service_level__version",
                                                              "dispute")))
    assert len(rows) == len(page) and not built
    levels = {id(row.service_level) for row in rows}
    assert len(levels) == len({row.service_level_id for row in rows}) == 3
    response = vera_client.get(reverse("sla-evaluation-list"))
    assert response.status_code == 200
    assert not [model for model in built if model._meta.app_label == "sla"]


def test_an_evaluation_list_reads_its_rows_dispute_ids_as_a_column(vera_client, page,
                                                                   monkeypatch):
    """A list shows each evaluation's dispute id, read with the page's rows: no dispute
    record looked up (or found missing) per row; its count and its choice of rows read no
    dispute."""
    descriptor = type(Evaluation.dispute)
    looked_up, get = [], descriptor.__get__

    def recording(self, instance, cls=None):
        if isinstance(instance, Evaluation):
            looked_up.append(instance.pk)
        return get(self, instance, cls)

    monkeypatch.setattr(descriptor, "__get__", recording)
    with CaptureQueriesContext(connection) as queries:
        rows = vera_client.get(reverse("sla-evaluation-list"), {"page_size": 100}).json()[
            "results"]
    assert looked_up == []
    disputed = Dispute.objects.get(evaluation__in=page)
    assert {row["id"]: row["dispute"] for row in rows if row["dispute"]} == {
        disputed.evaluation_id: disputed.pk}
    page_sql = next(q["sql"] for q in queries.captured_queries if "_vg_bounded" in q["sql"])
    count = page_sql.split("(SELECT COUNT(*) FROM (", 1)[1].split(") _vg_bounded", 1)[0]
    chosen = page_sql.split(" IN (SELECT ", 1)[1]
    assert "sla_dispute" not in count and "sla_dispute" not in chosen


def test_records_built_without_init_are_djangos_own(page):
    queryset = (Evaluation.objects.select_related("service_level__version", "dispute")
                .only("id", "value", "window_start", "service_level__target",
                      "service_level__version__number", "dispute__id").order_by("pk"))
    ours, django = list(fast_models(queryset)), list(queryset)
    assert [type(e) for e in ours] == [type(e) for e in django]
    for mine, theirs in zip(ours, django, strict=True):
        assert (mine.pk, mine.value, mine.window_start) == (theirs.pk, theirs.value,
                                                            theirs.window_start)
        assert not mine._state.adding and mine._state.db == theirs._state.db
        assert mine.service_level.target == theirs.service_level.target
        assert mine.service_level.version.number == theirs.service_level.version.number
        assert mine.get_deferred_fields() == theirs.get_deferred_fields()
        assert mine.label == theirs.label  # a deferred column, read as Django reads it
        try:
            assert mine.dispute.pk == theirs.dispute.pk
            assert mine.dispute.evaluation is mine
        except Dispute.DoesNotExist:
            with pytest.raises(Dispute.DoesNotExist):
                theirs.dispute  # noqa: B018 (a missing reverse record raises the same)


def test_a_models_init_receivers_still_run(page):
    from django.db.models.signals import post_init

    seen = []

    def receiver(sender, instance, **kwargs):
        seen.append(instance)

    post_init.connect(receiver, sender=Measurement)
    try:
        rows = list(fast_models(Measurement.objects.all()))
    finally:
        post_init.disconnect(receiver, sender=Measurement)
    assert rows and seen == rows


def test_the_measurement_lists_count_joins_nothing(vera_client, page):
    """The list's count reads the query's joins too: counting a million measurements
    joined to their service levels and versions took 3-7 ms where 0.4 were needed."""
    with CaptureQueriesContext(connection) as queries:
        rows = vera_client.get(reverse("sla-measurement-list")).json()["results"]
    assert {row["sla"] for row in rows} == {sl.version.sla_id for sl in
                                            ServiceLevel.objects.filter(measurements__isnull=False)}
    page_query = next(q["sql"] for q in queries.captured_queries
                      if 'FROM "sla_measurement"' in q["sql"])
    count = page_query.split("COUNT(*) FROM (", 1)[1].split(") _vg_bounded", 1)[0]
    assert "JOIN" not in count.upper()


@pytest.mark.parametrize("value", ["99.5000", "0.0000", "-0.0000", "-12.3456", "1234567890.1234",
                                   "99.5", "99.50001", "1E+2", "12345678901.0000", "NaN"])
def test_a_stored_decimal_is_drfs_text(value):
    drf = serializers.DecimalField(max_digits=14, decimal_places=4)
    ours = StoredDecimalField(max_digits=14, decimal_places=4)
    try:
        expected = drf.to_representation(D(value))
    except Exception as error:  # noqa: BLE001 (whatever DRF raises, ours raises too)
        with pytest.raises(type(error)):
            ours.to_representation(D(value))
    else:
        assert ours.to_representation(D(value)) == expected
    assert ours.to_representation(None) == drf.to_representation(None)
