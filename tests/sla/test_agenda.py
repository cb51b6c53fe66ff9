"""The SLA sections of review agendas: the weekly review's evaluations since last time, and
the monthly review's results, breaches, incentives and credits, and corrective actions.

The calendar of these tests (2025): a monthly review on the 10th at 14:00, or the Monday
after when the 10th is a weekend day (Thu 10 Jul, Mon 11 Aug, Wed 10 Sep), and a weekly
review on Sundays at 10:00 (20 Jul, 27 Jul, 3 Aug, …); pages are looked at on
15 Aug. Weekly SLA windows run Monday to Sunday; Sunday 27 Jul and Sunday 3 Aug are the
last days of two of them.
"""

import json
from datetime import date, time
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from governance import agenda
from governance import services as governance_services
from governance.models import Meeting
from sla import services
from sla.choices import CorrectiveActionStatus as CA
from sla.choices import MeasurementSource, ResponsibleSide, Window
from sla.models import CorrectiveAction
from tests.governance.factories import monthly_cadence, weekly_cadence
from tests.sla.factories import SLAFactory, VersionFactory, clock, service_level

pytestmark = pytest.mark.django_db
TODAY = date(2025, 8, 15)
PLACEHOLDER = "The SLA capability does not feed this agenda yet."


# -- set-up ---------------------------------------------------------------------------------


def submit(rows):
    with clock(TODAY):
        services.measurements_submit(rows, by=None, source=MeasurementSource.API,
                                     vendor_ids=None, evaluate=False)


def evaluate(day):
    """The periodic evaluation, as it runs on `day` (it evaluates windows closed by then)."""
    with clock(day):
        services.evaluations_refresh()


def monthly_meetings(vendor) -> dict[date, Meeting]:
    with clock(date(2025, 7, 1)):
        cadence = monthly_cadence(vendor, day_of_month=10, at=time(14, 0))
    return {m.local_start.date(): m for m in cadence.meetings.all()}


def weekly_meetings(vendor) -> dict[date, Meeting]:
    with clock(date(2025, 7, 20)):  # a Sunday
        cadence = weekly_cadence(vendor, at=time(10, 0))
    return {m.local_start.date(): m for m in cadence.meetings.all()}


def sections(meeting, day=TODAY) -> dict[str, dict]:
    with clock(day):
        return {s["key"]: s for s in agenda.build(Meeting.objects.get(pk=meeting.pk))}


def agreement(vendor, owner=None, name="Infrastructure", prefix=""):
    """An SLA in effect since January with three service levels:
    availability (monthly, ≥ 99.5%, breached below 99%, 5% credit, 2 bonus points),
    backups (monthly, same terms, 2% credit, 1 bonus point) and
    answering (weekly, ≥ 90%, breached below 80%)."""
    version = VersionFactory(sla=SLAFactory(vendor=vendor, owner=owner, name=name,
                                            reference=f"{prefix}SLA-INFRA"))
    return {
        "avail": service_level(vendor, version=version, key="avail", position=1,
                               name=f"{prefix}Data centre availability"),
        "backups": service_level(vendor, version=version, key="backups", position=2,
                                 name=f"{prefix}Backup success", credit_percent=D("2"),
                                 bonus_points=1),
        "answer": service_level(vendor, version=version, key="answer", position=3,
                                name=f"{prefix}Calls answered in 60 s", window=Window.WEEKLY,
                                target=D("90"), breach_threshold=D("80"),
                                credit_percent=D("0"), bonus_points=0),
    }


# Weekly windows by their first day: June's last one, July's four, August's first.
WEEKS = {"2025-06-23": 50, "2025-06-30": 95, "2025-07-07": 85, "2025-07-14": 95,
         "2025-07-21": 95, "2025-07-28": 50}


def history(levels):
    """June met, July breached for availability; backups met in July; calls answered
    breached in the weeks just outside July and at risk in one week inside it."""
    rows = [{"service_level": levels["avail"].pk, "window_start": "2025-06-01", "value": 99.9},
            {"service_level": levels["avail"].pk, "window_start": "2025-07-01", "value": 98},
            {"service_level": levels["backups"].pk, "window_start": "2025-07-01",
             "value": 99.7}]
    rows += [{"service_level": levels["answer"].pk, "window_start": start, "value": value}
             for start, value in WEEKS.items()]
    submit(rows)


@pytest.fixture
def acme(vendor_a, line_manager):
    levels = agreement(vendor_a, owner=line_manager)
    history(levels)
    evaluate(date(2025, 8, 5))
    return levels


@pytest.fixture
def borealis(vendor_b):
    """Vendor B breaches everything in the same months; none of it may show for vendor A."""
    levels = agreement(vendor_b, name="Borealis infra", prefix="Borealis ")
    submit([{"service_level": sl.pk, "window_start": start, "value": 10}
            for sl in (levels["avail"], levels["backups"])
            for start in ("2025-06-01", "2025-07-01")]
           + [{"service_level": levels["answer"].pk, "window_start": start, "value": 10}
              for start in WEEKS])
    evaluate(date(2025, 8, 5))
    action = CorrectiveAction.objects.filter(vendor=vendor_b).first()
    with clock(date(2025, 7, 20)):
        services.corrective_action_update(
            action, status=CA.VERIFIED, root_cause="Borealis cause",
            side_responsible=ResponsibleSide.VENDOR, verification_note="Borealis checked")
    return levels


# -- the monthly review: results and breaches -------------------------------------------------


def test_the_monthly_review_shows_last_months_results_worst_first_with_money(vendor_a, acme):
    section = sections(monthly_meetings(vendor_a)[date(2025, 8, 11)])["sla_results_and_breaches"]
    assert section["title"] == "SLA results and breaches of July 2025"
    assert not section["unavailable"]
    assert section["note"] == ("July 2025: 1 breached, 1 at risk, 4 met. Incentives: 1 bonus "
                               "point. Service credits: EUR 5,000.00.")
    avail, answer, backups, report = section["entries"]

    assert (avail["text"], avail["status"], avail["status_label"]) == (
        "Data centre availability", "sla_breached", "Breached")
    assert avail["detail"] == ("SLA-INFRA · 98% is below the 99% breach threshold: "
                               "breached.")
    assert avail["flag"] == ("Breached in Jul 2025 (98% vs ≥ 99.5% target); service credit "
                             "EUR 5,000.00; corrective action open")
    july = acme["avail"].evaluations.get(window_start=date(2025, 7, 1))
    assert avail["url"].endswith(f"/evaluations/{july.pk}/")

    # Four weekly windows ended in July; the breached ones ending 29 Jun and 3 Aug did not.
    assert (answer["status"], answer["flag"]) == ("sla_at_risk", "")
    assert answer["detail"] == ("SLA-INFRA · 4 windows: 1 at risk, 3 met · worst w/c 7 Jul "
                                "2025: 85% misses the 90% target but is not below the 80% "
                                "breach threshold: at risk.")
    assert answer["url"].endswith(f"/service-levels/{acme['answer'].pk}/")

    assert backups["status"] == "sla_met"
    assert backups["detail"].endswith("met. · 1 bonus point earned")
    assert report["url"].endswith("/slas/report/?month=2025-07")


def test_an_excused_breach_counts_as_met_and_costs_nothing(vendor_a, acme, alice, line_manager):
    july = acme["avail"].evaluations.get(window_start=date(2025, 7, 1))
    with clock(date(2025, 8, 6)):
        dispute = services.dispute_raise(july, by=alice, reason="The probe was down.")
        services.dispute_decide(dispute, by=line_manager, decision="accepted",
                                note="Our probe, our fault.")
    section = sections(monthly_meetings(vendor_a)[date(2025, 8, 11)])["sla_results_and_breaches"]
    avail = next(e for e in section["entries"] if e["text"] == "Data centre availability")
    assert (avail["status"], avail["status_label"], avail["flag"]) == (
        "sla_excused", "Met (excused)", "")
    assert avail["detail"].endswith("breached. Excused after the vendor's dispute was "
                                    "accepted: counts as met.")
    assert section["note"] == ("July 2025: 1 at risk, 5 met. Incentives: 1 bonus point. "
                               "Service credits: none.")


def test_a_weekly_service_level_met_every_week_says_so_in_a_few_words(vendor_a, acme):
    submit([{"service_level": acme["answer"].pk, "window_start": "2025-07-07", "value": 99}])
    evaluate(TODAY)
    section = sections(monthly_meetings(vendor_a)[date(2025, 8, 11)])["sla_results_and_breaches"]
    answer = next(e for e in section["entries"] if e["text"] == "Calls answered in 60 s")
    assert (answer["status"], answer["detail"]) == ("sla_met", "SLA-INFRA · 4 windows, all met")


def test_credits_earned_back_count_as_incentives(vendor_a):
    sl = service_level(vendor_a, name="Data centre availability")  # earn-back after 3 met
    submit([{"service_level": sl.pk, "window_start": start, "value": value}
            for start, value in (("2025-04-01", 98), ("2025-05-01", 99.5),
                                 ("2025-06-01", 99.5), ("2025-07-01", 99.5))])
    evaluate(TODAY)
    section = sections(monthly_meetings(vendor_a)[date(2025, 8, 11)])["sla_results_and_breaches"]
    assert section["note"] == ("July 2025: 1 met. Incentives: 0 bonus points, EUR 5,000.00 of "
                               "earlier credits earned back. Service credits: none.")


def test_the_monthly_review_of_a_vendor_without_an_sla_says_so(vendor_a):
    section = sections(monthly_meetings(vendor_a)[date(2025, 8, 11)])["sla_results_and_breaches"]
    assert section["entries"] == [] and section["note"] == ""
    assert section["empty"] == "No SLA of this vendor was in effect in July 2025."


def test_a_month_not_over_yet_shows_its_results_so_far(vendor_a, acme):
    meeting = monthly_meetings(vendor_a)[date(2025, 9, 10)]
    section = sections(meeting, day=date(2025, 8, 2))["sla_results_and_breaches"]
    assert section["title"] == "SLA results and breaches of August 2025"
    assert section["entries"] == []
    assert section["empty"] == ("August 2025 has not ended yet: its results appear here once "
                                "its windows close (on Mon 1 Sep 2025 for monthly ones).")
    # The week ending on Sunday 3 Aug closed on the 4th.
    section = sections(meeting)["sla_results_and_breaches"]
    assert [e["text"] for e in section["entries"]] == [
        "Calls answered in 60 s", "The monthly SLA report for August 2025"]
    assert section["note"].startswith("August 2025 so far (the month has not ended): 1 "
                                      "breached.")


# -- the weekly review: evaluations since last time -------------------------------------------


def test_the_weekly_review_shows_windows_closed_since_the_previous_meeting(vendor_a, acme):
    meetings = weekly_meetings(vendor_a)
    section = sections(meetings[date(2025, 8, 3)])["sla_evaluations_since"]
    # Last days 27 Jul (the previous meeting's day: not closed then) to 2 Aug. The week
    # ending on 3 Aug, this meeting's day, has not closed when it starts.
    assert [(e["text"], e["status_label"]) for e in section["entries"]] == [
        ("Data centre availability · Jul 2025", "Breached"),
        ("Calls answered in 60 s · w/c 21 Jul 2025", "Met"),
        ("Backup success · Jul 2025", "Met")]
    breach = section["entries"][0]
    assert breach["flag"] == ("Breached: corrective action “Data centre availability breached "
                              "in Jul 2025” open")
    assert "/slas/evaluations/" in breach["url"]
    assert section["note"] == "3 windows closed since Sun 27 Jul 2025: 1 breached, 2 met."

    # The meeting before saw the week that ended on its own previous meeting's day.
    earlier = sections(meetings[date(2025, 7, 27)])["sla_evaluations_since"]
    assert [e["text"] for e in earlier["entries"]] == ["Calls answered in 60 s · w/c 14 Jul 2025"]


def test_a_closed_window_not_evaluated_yet_says_so_and_is_never_shown_as_met(vendor_a,
                                                                             line_manager):
    levels = agreement(vendor_a, owner=line_manager)
    history(levels)
    evaluate(date(2025, 7, 28))  # July has not closed yet
    meeting = weekly_meetings(vendor_a)[date(2025, 8, 3)]
    entries = sections(meeting, day=date(2025, 8, 1))["sla_evaluations_since"]["entries"]
    assert [(e["text"], e["status"], e["status_label"]) for e in entries] == [
        ("Data centre availability · Jul 2025", "sla_no_data", "Not evaluated yet"),
        ("Backup success · Jul 2025", "sla_no_data", "Not evaluated yet"),
        ("Calls answered in 60 s · w/c 21 Jul 2025", "sla_met", "Met")]
    assert "closed Fri 1 Aug 2025" in entries[0]["detail"]
    evaluate(date(2025, 8, 1))
    entries = sections(meeting, day=date(2025, 8, 1))["sla_evaluations_since"]["entries"]
    assert entries[0]["status_label"] == "Breached"


def test_the_weekly_review_of_a_quiet_week_says_what_closes_when(vendor_a):
    section = sections(weekly_meetings(vendor_a)[date(2025, 8, 3)])["sla_evaluations_since"]
    assert section["entries"] == [] and section["note"] == ""
    assert section["empty"].startswith("No SLA window of this vendor closed since Sun 27 Jul "
                                       "2025. Windows close the day after they end")


def test_another_vendors_slas_never_appear(vendor_a, acme, borealis):
    everything = [sections(m) for m in (monthly_meetings(vendor_a)[date(2025, 8, 11)],
                                        weekly_meetings(vendor_a)[date(2025, 8, 3)])]
    text = json.dumps(everything)
    assert "Borealis" not in text and "10%" not in text
    assert everything[0]["sla_results_and_breaches"]["note"].startswith(
        "July 2025: 1 breached, 1 at risk, 4 met.")
    assert [e["text"] for e in everything[0]["corrective_actions"]["entries"]] == [
        "Calls answered in 60 s breached in w/c 23 Jun 2025",
        "Data centre availability breached in Jul 2025",
        "Calls answered in 60 s breached in w/c 28 Jul 2025"]


# -- the monthly review: corrective actions ---------------------------------------------------


@pytest.fixture
def actions(vendor_a, line_manager, alice):
    """Seven service levels, each breached in June (so each has its own corrective action,
    opened on 1 Jul and due on 31 Jul), worked on in different ways: A untouched, B given to
    the vendor and due later, C done (once too early), D–G verified or rejected around the
    review period of the 11 Aug meeting (10 Jul to 11 Aug)."""
    version = VersionFactory(sla=SLAFactory(vendor=vendor_a, owner=line_manager,
                                            reference="SLA-OPS"))
    levels = {name: service_level(vendor_a, version=version, key=name.lower(), name=name)
              for name in "ABCDEFG"}
    submit([{"service_level": sl.pk, "window_start": "2025-06-01", "value": 90}
            for sl in levels.values()])
    evaluate(date(2025, 7, 1))
    found = {name: CorrectiveAction.objects.get(evaluations__service_level=sl)
             for name, sl in levels.items()}

    def on(day, change, name, **fields):
        with clock(day):
            action = CorrectiveAction.objects.get(pk=found[name].pk)
            if change == "progress":
                services.corrective_action_report_progress(action, by=alice, **fields)
            else:
                services.corrective_action_update(action, by=line_manager, **fields)

    closing = {"root_cause": "Disk firmware", "side_responsible": ResponsibleSide.OURS,
               "verification_note": "Checked the next run"}
    on(date(2025, 7, 2), "update", "B", owner=alice, due_on=date(2025, 8, 8))
    on(date(2025, 7, 20), "progress", "B", status=CA.IN_PROGRESS,
       side_responsible=ResponsibleSide.VENDOR)
    on(date(2025, 8, 1), "progress", "C", status=CA.DONE, root_cause="Disk firmware")
    on(date(2025, 8, 3), "progress", "C", status=CA.IN_PROGRESS)  # not done after all
    on(date(2025, 8, 5), "progress", "C", status=CA.DONE)
    on(date(2025, 7, 10), "update", "D", status=CA.VERIFIED, **closing)  # the period's 1st day
    on(date(2025, 7, 9), "update", "E", status=CA.VERIFIED, **closing)  # the day before
    on(date(2025, 8, 11), "update", "F", status=CA.VERIFIED, **closing)  # the meeting's day
    on(date(2025, 8, 12), "update", "G", status=CA.REJECTED, **closing)  # after the meeting
    return found


def test_corrective_actions_open_awaiting_verification_and_closed_in_the_period(
        vendor_a, actions, line_manager, alice):
    section = sections(monthly_meetings(vendor_a)[date(2025, 8, 11)])["corrective_actions"]
    entries = section["entries"]
    assert [(e["text"][0], e["status"]) for e in entries] == [
        ("A", "sla_open"), ("B", "sla_in_progress"), ("C", "sla_done"),
        ("D", "sla_verified"), ("F", "sla_verified")]
    a, b, c, d, f = entries
    assert a["detail"] == (f"SLA-OPS · owner {line_manager} (our side) · caused by: not yet "
                           "known · open 45 days · due Thu 31 Jul 2025")
    assert (a["flag"], b["flag"]) == ("Overdue by 15 days", "Overdue by 7 days")
    assert f"owner {alice} (vendor side) · caused by: the vendor ·" in b["detail"]
    assert c["flag"] == ""
    assert ("reported done Tue 5 Aug 2025 (since the last review), awaiting our verification "
            "for 10 days · root cause: Disk firmware") in c["detail"]
    assert d["detail"] == ("SLA-OPS · verified Thu 10 Jul 2025 after 9 days · caused by: our "
                           "side · Checked the next run")
    assert f["detail"].startswith("SLA-OPS · verified Mon 11 Aug 2025 after 41 days")
    assert section["note"] == ("2 open, 2 of them overdue; 1 done and awaiting our "
                               "verification; 2 verified or rejected since Thu 10 Jul 2025.")
    assert all(e["url"].startswith("/vendors/acme-outsourcing/slas/corrective-actions/")
               for e in entries)


def test_no_corrective_action_says_how_one_comes(vendor_a):
    section = sections(monthly_meetings(vendor_a)[date(2025, 8, 11)])["corrective_actions"]
    assert section["entries"] == [] and section["note"] == ""
    assert section["empty"] == ("No corrective action is open, and none was verified or "
                                "rejected since Thu 10 Jul 2025. A breached window opens one "
                                "automatically.")


# -- the meeting pages ------------------------------------------------------------------------


def test_the_meeting_pages_show_the_sla_sections_not_the_placeholder(client, vendor_a, acme,
                                                                     line_manager):
    client.force_login(line_manager)
    monthly = monthly_meetings(vendor_a)[date(2025, 8, 11)]
    weekly = weekly_meetings(vendor_a)[date(2025, 8, 3)]
    with clock(TODAY):
        monthly_page = client.get(monthly.get_absolute_url())
        weekly_page = client.get(weekly.get_absolute_url())
    assert monthly_page.status_code == weekly_page.status_code == 200
    for text in ("SLA results and breaches of July 2025", "Service credits: EUR 5,000.00",
                 "Corrective actions required and taken",
                 "Data centre availability breached in Jul 2025", "How is this computed?"):
        assert text in monthly_page.text, text
    for text in ("Results since last time: SLA evaluations",
                 "Data centre availability · Jul 2025", "bi-x-octagon-fill"):
        assert text in weekly_page.text, text
    assert PLACEHOLDER not in monthly_page.text and PLACEHOLDER not in weekly_page.text


def test_a_held_meeting_keeps_its_sla_sections_as_they_were(vendor_a, acme, line_manager):
    meeting = monthly_meetings(vendor_a)[date(2025, 8, 11)]
    with clock(TODAY):
        governance_services.meeting_hold(meeting, by=line_manager)
    submit([{"service_level": acme["backups"].pk, "window_start": "2025-07-01", "value": 50}])
    evaluate(TODAY)
    frozen = {s["key"]: s for s in Meeting.objects.get(pk=meeting.pk)
              .agenda_snapshot["sections"]}
    assert frozen["sla_results_and_breaches"]["note"].startswith(
        "July 2025: 1 breached, 1 at risk, 4 met.")
    assert sections(meeting)["sla_results_and_breaches"]["note"].startswith(
        "July 2025: 2 breached, 1 at risk, 3 met.")


# -- costs ----------------------------------------------------------------------------------


def add_history(vendor, owner, n):
    """n more SLAs with every kind of history: monthly windows met, breached twice in a row
    (one corrective action), weekly windows, and actions verified, done and in progress."""
    for _ in range(n):
        version = VersionFactory(sla=SLAFactory(vendor=vendor, owner=owner))
        monthly = service_level(vendor, version=version, key="monthly")
        weekly = service_level(vendor, version=version, key="weekly", window=Window.WEEKLY)
        verified = service_level(vendor, version=version, key="verified")
        done = service_level(vendor, version=version, key="done")
        submit([{"service_level": monthly.pk, "window_start": f"2025-0{m}-01", "value": v}
                for m, v in ((3, 99.9), (4, 99.7), (5, 99.2), (6, 90), (7, 90))]
               + [{"service_level": weekly.pk, "window_start": start, "value": value}
                  for start, value in WEEKS.items()]
               + [{"service_level": sl.pk, "window_start": "2025-06-01", "value": 90}
                  for sl in (verified, done)])
        evaluate(date(2025, 7, 2))
        for sl, fields in ((verified, {"status": CA.VERIFIED, "verification_note": "Checked",
                                       "side_responsible": ResponsibleSide.SHARED}),
                           (done, {"status": CA.DONE}), (monthly, {"status": CA.IN_PROGRESS})):
            with clock(date(2025, 7, 20)):
                services.corrective_action_update(
                    CorrectiveAction.objects.get(evaluations__service_level=sl),
                    root_cause="Found", **fields)
    evaluate(date(2025, 8, 5))


@pytest.mark.parametrize("tier", ["monthly", "weekly"])
def test_meeting_pages_cost_the_same_queries_however_much_sla_history(client, vendor_a,
                                                                      line_manager, tier):
    meeting = (monthly_meetings(vendor_a)[date(2025, 8, 11)] if tier == "monthly"
               else weekly_meetings(vendor_a)[date(2025, 8, 3)])
    url = meeting.get_absolute_url()
    client.force_login(line_manager)

    def count():
        with clock(TODAY), CaptureQueriesContext(connection) as queries:
            page = client.get(url)
        assert page.status_code == 200 and "Breached" in page.text
        return len(queries)

    add_history(vendor_a, line_manager, 1)
    small = count()
    add_history(vendor_a, line_manager, 4)
    assert count() == small


# -- which month a monthly review looks at ----------------------------------------------------


@pytest.mark.parametrize("organisation", ["Europe/London", "America/New_York"])
@pytest.mark.parametrize(("zone", "at"), [("Europe/London", time(9, 0)),
                                          ("America/New_York", time(20, 0))])
def test_each_months_sla_results_are_on_exactly_one_monthly_agenda(vendor_a, settings,
                                                                   organisation, zone, at):
    """A review on day 31 for two years, in a zone behind ours late in the evening too:
    every month's results appear on one monthly agenda, the month before its own."""
    from django.utils import timezone as tz

    from governance import services as gs
    from governance.choices import Tier
    settings.TIME_ZONE = organisation
    with tz.override(organisation), clock(date(2025, 12, 1)):
        cadence = gs.cadence_create(vendor=vendor_a, tier=Tier.MONTHLY, day_of_month=31,
                                    start_time=at, time_zone=zone)
        gs.meetings_generate(cadence, until=date(2027, 12, 31))
        meetings = list(cadence.meetings.visible().order_by("starts_at"))
        titles = [next(s["title"] for s in agenda.build(m)
                       if s["key"] == "sla_results_and_breaches") for m in meetings]
    assert [m.period for m in meetings] == [f"{y}-{n:02d}" for y in (2025, 2026, 2027)
                                            for n in range(1, 13)][11:]
    wanted = [f"SLA results and breaches of {date(y, n, 1):%B %Y}"
              for y in (2025, 2026, 2027) for n in range(1, 13)][10:-1]
    assert titles == wanted
