"""The late rule alone: days charged from seconds late, the fraction lost, how long late work is taken."""

from __future__ import annotations

import datetime as dt

import pytest

from autograder.late.rule import DAY, Rule, how_late, penalty_points

TEN_A_DAY = Rule("per_day", per_day=0.10, no_credit_after_days=5)


def test_a_submission_exactly_at_the_deadline_is_on_time_and_one_second_after_is_a_day_late():
    assert TEN_A_DAY.days(0) == 0 and TEN_A_DAY.fraction(0) == 0
    assert TEN_A_DAY.days(1) == 1 and TEN_A_DAY.fraction(1) == pytest.approx(0.10)


def test_each_day_or_part_of_a_day_costs_the_same_until_the_cap_takes_everything():
    assert TEN_A_DAY.days(DAY) == 1 and TEN_A_DAY.days(DAY + 1) == 2
    assert [TEN_A_DAY.fraction(d * DAY) for d in range(1, 6)] == pytest.approx([0.1, 0.2, 0.3, 0.4, 0.5])
    assert TEN_A_DAY.fraction(5 * DAY + 1) == 1.0  # a sixth day: no credit


def test_without_a_cap_the_penalty_stops_at_the_whole_score():
    assert Rule("per_day", per_day=0.3).fraction(10 * DAY) == 1.0


def test_the_zero_policy_takes_everything_for_a_second_and_none_records_without_charging():
    assert Rule("zero").fraction(1) == 1.0 and Rule("zero").fraction(0) == 0.0
    assert Rule("none").fraction(30 * DAY) == 0.0 and Rule("none").days(30 * DAY) == 30


def test_within_the_grace_a_submission_is_on_time_and_after_it_lateness_counts_from_the_deadline():
    rule = Rule("per_day", per_day=0.1, grace_minutes=15)
    assert rule.fraction(15 * 60) == 0 and rule.days(15 * 60 + 1) == 1


def test_collect_takes_late_work_while_it_can_still_earn_points():
    deadline = dt.datetime(2027, 1, 22, 23, 59, tzinfo=dt.timezone.utc)
    assert TEN_A_DAY.accepts_until(deadline) == deadline + dt.timedelta(days=5)
    assert Rule("per_day", per_day=0.1).accepts_until(deadline) is None
    assert Rule("zero", grace_minutes=10).accepts_until(deadline) == deadline + dt.timedelta(minutes=10)
    assert Rule("none").accepts_until(deadline) == deadline


@pytest.mark.parametrize("bad", [dict(method="weekly"), dict(method="per_day", per_day=10),
                                 dict(method="per_day", no_credit_after_days=-1), dict(grace_minutes=-5)])
def test_a_rule_that_makes_no_sense_is_refused_naming_the_setting(bad):
    with pytest.raises(ValueError, match="LatePolicy"):
        Rule(**bad)


def test_penalties_are_points_to_the_cent_and_never_make_a_negative_score_worse():
    assert penalty_points(17, 0.1) == 1.7 and penalty_points(14.335, 0.1) == 1.43
    assert penalty_points(-2, 0.5) == 0 and penalty_points(5, 0) == 0


def test_lateness_reads_in_days_hours_and_minutes():
    assert how_late(DAY + 2 * 3600 + 5 * 60 + 30) == "1 d 2 h 5 min"
    assert how_late(9 * 3600 + 60) == "9 h 1 min" and how_late(42) == "42 s"
    assert how_late(6 * DAY) == "6 d" and how_late(23 * 3600) == "23 h"


def test_the_rule_describes_itself_in_a_sentence():
    assert TEN_A_DAY.describe() == "10 % of the score per day or part of a day late, no credit after 5 days"
    assert Rule("zero").describe() == "no credit for late work"
