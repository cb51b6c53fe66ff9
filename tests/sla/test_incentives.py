"""Incentives before credits: bonus points, service credits with their cap, earn-back."""

from datetime import date
from decimal import Decimal as D

from sla import incentives, rules
from sla.choices import EvaluationStatus, Window
from sla.incentives import MonthTerms, Outcome

MET, AT_RISK, BREACHED, NO_DATA = (EvaluationStatus.MET, EvaluationStatus.AT_RISK,
                                   EvaluationStatus.BREACHED, EvaluationStatus.NO_DATA)
TERMS = MonthTerms(charge=D("100000"), cap_percent=D("10"), currency="EUR")


def run(statuses, *, key="avail", sla=1, credit="5", earn_back=3, start=date(2026, 1, 1),
        beats=(), bonus=0, excused=()):
    """Monthly windows from `start`, one status each."""
    outcomes, window = [], start
    for i, status in enumerate(statuses):
        outcomes.append(Outcome(sla, key, key.title(), window,
                                rules.window_end(Window.MONTHLY, window), status, D(credit),
                                bonus, earn_back, beats_target=i in beats, excused=i in excused,
                                label=f"{window:%b}", evaluation_id=i))
        window = rules.next_window(Window.MONTHLY, window)
    return outcomes


def ledger(outcomes, terms=TERMS):
    return incentives.ledger(outcomes, lambda sla_id, month: terms)


def test_a_breach_costs_its_credit_of_the_monthly_charge_in_the_month_it_closes():
    credits, _ = ledger(run([MET, BREACHED]))
    (credit,) = credits
    assert credit.month == date(2026, 2, 1)
    assert (credit.percent, credit.applied_percent, credit.amount) == (D("5"), D("5"),
                                                                        D("5000.00"))


def test_at_risk_and_no_data_cost_nothing_and_neither_do_excused_breaches():
    credits, _ = ledger(run([AT_RISK, NO_DATA, BREACHED], excused={2}))
    assert credits == []


def test_the_monthly_cap_scales_every_credit_of_that_month_down_in_proportion():
    outcomes = (run([BREACHED], key="a", credit="8") + run([BREACHED], key="b", credit="4")
                + run([MET, BREACHED], key="c", credit="8"))
    credits, _ = ledger(outcomes)
    january = [c for c in credits if c.month == date(2026, 1, 1)]
    assert sum(c.applied_percent for c in january) == D("10.0000")  # capped from 12
    assert {c.outcome.key: c.amount for c in january} == {"a": D("6666.67"), "b": D("3333.33")}
    february = next(c for c in credits if c.month == date(2026, 2, 1))
    assert february.applied_percent == D("8")  # under the cap: untouched
    summary = incentives.month_summary(date(2026, 1, 1), credits, [], lambda *a: TERMS, [1])
    assert summary[1].capped and summary[1].uncapped_percent == D("12")
    assert summary[1].applied_percent == D("10")
    assert summary[1].credit_amount == D("10000.00")


def test_a_credit_is_earned_back_after_the_next_n_windows_are_all_met():
    credits, _ = ledger(run([BREACHED, MET, MET, MET]))
    (credit,) = credits
    assert credit.earned_back_on == date(2026, 4, 30)
    summary = incentives.month_summary(date(2026, 4, 1), credits, [], lambda *a: TERMS, [1])
    assert summary[1].earned_back_amount == D("5000.00")
    assert summary[1].net_amount == D("-5000.00")  # nothing new this month, one returned


def test_an_at_risk_window_in_the_run_loses_the_earn_back():
    (credit,), _ = ledger(run([BREACHED, MET, AT_RISK, MET, MET]))
    assert credit.earned_back_on is None
    assert credit.earn_back_note.startswith("Not earned back: at risk")


def test_no_data_also_ends_the_run_but_an_excused_window_counts_as_met():
    (lost,), _ = ledger(run([BREACHED, NO_DATA, MET, MET]))
    assert lost.earned_back_on is None
    (kept,), _ = ledger(run([BREACHED, MET, BREACHED, MET], excused={2}))
    assert kept.earned_back_on == date(2026, 4, 30)


def test_earn_back_waits_for_windows_not_yet_evaluated_and_can_be_switched_off():
    (pending,), _ = ledger(run([BREACHED, MET]))
    assert pending.earned_back_on is None and "pending" in pending.earn_back_note
    (never,), _ = ledger(run([BREACHED, MET, MET, MET], earn_back=0))
    assert never.earned_back_on is None and "No earn-back" in never.earn_back_note


def test_a_second_breach_keeps_both_credits_and_starts_its_own_run():
    credits, _ = ledger(run([BREACHED, BREACHED, MET, MET, MET]))
    first, second = sorted(credits, key=lambda c: c.outcome.start)
    assert first.earned_back_on is None
    assert second.earned_back_on == date(2026, 5, 31)


def test_a_capped_credit_returns_only_what_it_cost():
    outcomes = run([BREACHED, MET, MET, MET], credit="20")
    (credit,), _ = ledger(outcomes)
    assert credit.applied_percent == D("10") and credit.amount == D("10000.00")


def test_bonus_points_come_from_windows_better_than_target():
    _, bonuses = ledger(run([MET, MET, AT_RISK], beats={1}, bonus=3))
    assert [(b.outcome.start, b.points) for b in bonuses] == [(date(2026, 2, 1), 3)]
    summary = incentives.month_summary(date(2026, 2, 1), [], bonuses, lambda *a: TERMS, [1])
    assert summary[1].bonus_points == 3


def test_a_capped_month_never_exceeds_its_cap_by_a_cent_after_rounding():
    # A 1,000 charge capped at 1 %: 10.00. Six breaches of 1 % each are scaled to 1/6 of
    # 10.00 = 1.6667 each; rounded one by one that is 6 × 1.67 = 10.02.
    terms = MonthTerms(charge=D("1000"), cap_percent=D("1"), currency="EUR")
    outcomes = [o for key in "abcdef" for o in run([BREACHED], key=key, credit="1")]
    credits, _ = ledger(outcomes, terms)
    assert sum(c.amount for c in credits) == D("10.00")
    assert sorted(c.amount for c in credits) == [D("1.66")] * 2 + [D("1.67")] * 4
    summary = incentives.month_summary(date(2026, 1, 1), credits, [], lambda *a: terms, [1])
    assert summary[1].capped and summary[1].credit_amount == D("10.00")


def test_credits_that_add_up_to_the_cap_exactly_do_not_pass_it_when_rounded():
    # 0.5 % + 0.5 % + … of 333.33 at a 1.5 % cap: each 1.666650 rounds up to 1.67.
    terms = MonthTerms(charge=D("333.33"), cap_percent=D("1.5"), currency="EUR")
    outcomes = [o for key in "abc" for o in run([BREACHED], key=key, credit="0.5")]
    credits, _ = ledger(outcomes, terms)
    assert sum(c.amount for c in credits) == D("4.99")  # the cap, 4.99995, in whole cents
