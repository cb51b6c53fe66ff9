"""Scorecards for tests, built through the services like the real thing."""

import datetime
from decimal import Decimal

from django.utils import timezone

from scorecards import services
from scorecards.choices import DataSource, Direction
from scorecards.models import (
    Measure,
    Period,
    Scorecard,
    ScorecardTemplate,
    TemplateMeasure,
    TemplateObjective,
    TemplatePerspective,
    period_bounds,
)

D = Decimal


def quarter_start(quarters_ago: int) -> datetime.date:
    """The first day of the quarter `quarters_ago` quarters before today's."""
    _, start, _ = period_bounds("quarterly", timezone.localdate())
    for _ in range(quarters_ago):
        _, start, _ = period_bounds("quarterly", start - datetime.timedelta(days=1))
    return start


def label_of(quarters_ago: int) -> str:
    return period_bounds("quarterly", quarter_start(quarters_ago))[0]


# name: (perspective, objective, unit, direction, target, amber, red, weight, source, range)
MEASURES = {
    "Availability": ("Customer / service quality", "Reliable services", "%", Direction.HIGHER,
                     "99.9", "99.5", "99", 60, DataSource.VENDOR, ("0", "100")),
    "Resolution": ("Customer / service quality", "Reliable services", "%", Direction.HIGHER,
                   "95", "90", "80", 40, DataSource.INTERNAL, ("0", "100")),
    "Cost against budget": ("Financial / value", "Value for money", "%", Direction.LOWER,
                            "100", "103", "108", 1, DataSource.INTERNAL, ("0", None)),
}


def make_template(name="Test template", *, by=None, tag="") -> ScorecardTemplate:
    template = services.template_create(by=by, name=f"{tag} {name}".strip())
    perspectives, objectives = {}, {}
    for position, (m_name, spec) in enumerate(MEASURES.items(), start=1):
        p_name, o_name, unit, direction, target, amber, red, weight, source, (low, high) = spec
        if p_name not in perspectives:
            perspectives[p_name] = services.part_create(
                TemplatePerspective, by=by, template=template, name=f"{tag} {p_name}".strip(),
                weight=D(50), position=len(perspectives) + 1)
        if o_name not in objectives:
            objectives[o_name] = services.part_create(
                TemplateObjective, by=by, perspective=perspectives[p_name],
                name=f"{tag} {o_name}".strip(), weight=D(1))
        services.part_create(
            TemplateMeasure, by=by, objective=objectives[o_name], name=f"{tag} {m_name}".strip(),
            definition=f"{tag} definition of {m_name}".strip(), unit=unit, direction=direction,
            target=D(target), amber_threshold=D(amber), red_threshold=D(red), weight=D(weight),
            data_source=source, position=position, min_value=D(low),
            max_value=None if high is None else D(high))
    return template


def make_scorecard(vendor, *, template=None, quarters=3, by=None, tag="") -> Scorecard:
    """A scorecard for `vendor` whose first period began `quarters` quarters ago (so that
    many periods have ended, and the current one is open)."""
    template = template or make_template(f"Template for {vendor.slug}", tag=tag)
    return services.template_apply(template, vendor=vendor, by=by,
                                   starts_on=quarter_start(quarters))


def measure(vendor, name) -> Measure:
    return Measure.objects.get(vendor=vendor, name__endswith=name)


def period(vendor, quarters_ago=1) -> Period:
    return Period.objects.get(vendor=vendor, label=label_of(quarters_ago))
