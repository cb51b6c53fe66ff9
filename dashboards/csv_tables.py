"""Each table of the quarterly review pack as CSV: the same rows the page shows."""

from collections.abc import Callable
from dataclasses import dataclass

from vendorgov.pages import csv_response


@dataclass(frozen=True)
class Table:
    label: str
    header: list[str]
    rows: Callable  # (pack) -> iterable of rows

    def response(self, pack, filename: str):
        return csv_response(filename, self.header, self.rows(pack))


def _scorecard(p):
    if p.scorecard is None:
        return []
    labels = [period.label for period, _ in p.scorecard.trend]
    for line in p.scorecard.current.lines:
        yield [line.measure.name, line.measure.unit,
               "" if line.actual is None else line.actual.value,
               "" if line.score is None else line.score, line.status.label,
               "; ".join(f"{lab}: {'' if v is None else v}"
                         for lab, v in zip(labels, line.trend_values, strict=True))]


def _sla_levels(p):
    for month, level in p.level_rows:
        for e in level.this_month:
            yield [month.strftime("%Y-%m"), str(level.sla), level.row.service_level.name,
                   e.window_start, e.window_end, "" if e.value is None else e.value,
                   "Excused" if e.excused else e.get_status_display()]


def _money(p):
    for month, sla_, money in p.money_rows:
        currency = money.terms.currency if money.terms else ""
        yield [month.strftime("%Y-%m"), str(sla_), money.bonus_points, currency,
               money.earned_back_amount, money.credit_amount, money.net_amount,
               "yes" if money.capped else "no"]


def _corrective(p):
    ca = p.corrective_actions
    for a in ca.open:
        yield [a.title, str(a.sla), a.get_status_display(), a.due_on, "", ""]
    for a, since in ca.done:
        yield [a.title, str(a.sla), a.get_status_display(), a.due_on, since or "", ""]
    for a in ca.closed:
        yield [a.title, str(a.sla), a.get_status_display(), a.due_on, "", a.closed_on]


def _innovations(p):
    for s in p.innovations:
        yield [s.title, s.get_category_display(), s.get_status_display(), s.currency,
               "" if s.estimated_value is None else s.estimated_value,
               "" if s.realised_value is None else s.realised_value, s.decided_on or ""]


def _decisions_needed(p):
    for d in p.decisions_needed:
        yield [d["kind"], d["what"], d["detail"]]


def _action_items(p):
    for i in p.action_items:
        yield [i.title, i.owner_name, i.get_side_display(), i.due_on, i.get_status_display(),
               i.days_overdue]


def _health(p):
    if p.health is None:
        return []
    return [[c.due_on, c.closed_on or "", "" if score is None else score]
            for c, score in p.health.scores]


TABLES = {
    "scorecard": Table("Scorecard", ["Measure", "Unit", "Actual", "Score", "Status",
                                     "Trend"], _scorecard),
    "sla-windows": Table("SLA windows", ["Month", "SLA", "Service level", "Window start",
                                         "Window end", "Value", "Result"], _sla_levels),
    "sla-money": Table("Incentives and credits", ["Month", "SLA", "Bonus points", "Currency",
                                                  "Earned back", "Credits", "Net credit",
                                                  "Cap applied"], _money),
    "corrective-actions": Table("Corrective actions", ["Title", "SLA", "Status", "Due",
                                                       "Done since", "Closed on"], _corrective),
    "innovations": Table("Innovations assessed", ["Title", "Category", "Status", "Currency",
                                                  "Estimated value a year", "Realised value",
                                                  "Decided on"], _innovations),
    "health": Table("Health checks", ["Due", "Closed", "Overall score (1-5)"], _health),
    "decisions-needed": Table("Decisions needed", ["Kind", "What", "Detail"],
                              _decisions_needed),
    "action-items": Table("Open action items", ["Title", "Owner", "Side", "Due", "Status",
                                                "Days overdue"], _action_items),
}
