"""Factories for SLA tests: an SLA in effect, with service levels, in a few lines."""

import datetime
from contextlib import contextmanager
from decimal import Decimal
from unittest import mock

import factory
from django.utils import timezone

from sla import models
from sla.choices import Comparator, Unit, VersionStatus, Window
from tests.factories import ContractFactory, VendorFactory

D = Decimal
START = datetime.date(2025, 1, 1)


@contextmanager
def clock(day: datetime.date):
    """Today is `day` for services, models and history."""
    moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time(9, 0)))
    with (mock.patch("django.utils.timezone.now", lambda: moment),
          mock.patch("django.utils.timezone.localdate", lambda *args, **kwargs: day)):
        yield


class CalendarFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.BusinessCalendar

    vendor = factory.SubFactory(VendorFactory)
    name = "UK business hours"
    time_zone = "Europe/London"


class SLAFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.SLA

    vendor = factory.SubFactory(VendorFactory)
    contract = factory.SubFactory(ContractFactory, vendor=factory.SelfAttribute("..vendor"))
    reference = factory.Sequence(lambda n: f"SLA-{n}")
    name = "Managed services"
    review_due_on = datetime.date(2026, 6, 30)


class VersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.SLAVersion

    sla = factory.SubFactory(SLAFactory)
    number = 1
    status = VersionStatus.EFFECTIVE
    effective_from = START
    monthly_charge = D("100000")
    credit_cap_percent = D("10")
    earn_back_windows = 3
    dispute_window_days = 10


class ServiceLevelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.ServiceLevel

    version = factory.SubFactory(VersionFactory)
    key = factory.Sequence(lambda n: f"level-{n}")
    name = factory.Sequence(lambda n: f"Availability {n}")
    measured = "Uptime from monitoring."
    unit = Unit.PERCENT
    comparator = Comparator.GTE
    target = D("99.5")
    breach_threshold = D("99")
    window = Window.MONTHLY
    credit_percent = D("5")
    bonus_points = 2


def service_level(vendor=None, **kwargs) -> models.ServiceLevel:
    """A service level of an SLA in effect since 1 Jan 2025 (monthly, ≥ 99.5, breach < 99)."""
    vendor = vendor or VendorFactory()
    version = kwargs.pop("version", None) or VersionFactory(sla=SLAFactory(vendor=vendor))
    return ServiceLevelFactory(version=version, **kwargs)


def measurement(sl, start: datetime.date, value, **kwargs) -> models.Measurement:
    from sla import rules
    return models.Measurement.objects.create(
        vendor_id=sl.version.sla.vendor_id, service_level=sl, window_start=start,
        window_end=rules.window_end(sl.window, start), value=D(str(value)),
        source=kwargs.pop("source", "api"), **kwargs)
