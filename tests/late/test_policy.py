"""The course's policy: deadlines in the course's zone, extensions from a CSV, submission times as nbgrader
reads them, and one lateness for a submission whoever asks."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from autograder.late.policy import UTC, LatePolicy, load, submitted_at

A = "02_logistic_regression"
NEW_YORK = {A: "2027-03-13 23:59"}  # the evening before the clocks move on (2027-03-14, 02:00 -> 03:00)


def policy(tmp_path: Path, extension_rows: str = "", **settings) -> LatePolicy:
    if extension_rows:
        (tmp_path / "extensions.csv").write_text(extension_rows, encoding="utf-8")
    settings = {"deadlines": NEW_YORK, "timezone": "America/New_York", "penalty": "per_day", "per_day": 0.1,
                "no_credit_after_days": 5, "extensions": "extensions.csv" if extension_rows else "", **settings}
    return LatePolicy(root=str(tmp_path), **settings).checked()


def utc(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


def test_a_deadline_without_an_offset_is_in_the_course_zone(tmp_path):
    assert policy(tmp_path).deadline(A).astimezone(UTC) == utc(2027, 3, 14, 4, 59)  # EST, UTC-5
    assert policy(tmp_path, deadlines={A: "2027-03-13T23:59+01:00"}).deadline(A).astimezone(UTC) \
        == utc(2027, 3, 13, 22, 59)


def test_at_the_deadline_on_time_one_second_after_a_day_late(tmp_path):
    course = policy(tmp_path)
    assert course.lateness(A, "ada", utc(2027, 3, 14, 4, 59)).fraction == 0
    late = course.lateness(A, "ada", utc(2027, 3, 14, 4, 59, 1))
    assert (late.seconds, late.days, late.fraction) == (1, 1, pytest.approx(0.1))


def test_the_same_wall_clock_time_a_day_later_across_the_clock_change_is_23_hours_and_one_day(tmp_path):
    next_evening = dt.datetime(2027, 3, 14, 23, 59, tzinfo=dt.timezone(dt.timedelta(hours=-4)))  # EDT
    late = policy(tmp_path).lateness(A, "ben", next_evening)
    assert late.seconds == 23 * 3600 and late.days == 1
    assert late.explain() == "late 23 h, 1 day: 10 % off"


def test_a_time_in_any_zone_is_the_same_moment(tmp_path):
    course = policy(tmp_path)
    moments = [utc(2027, 3, 15, 5, 0), dt.datetime(2027, 3, 15, 6, 0, tzinfo=dt.timezone(dt.timedelta(hours=1))),
               dt.datetime(2027, 3, 15, 1, 0, tzinfo=dt.timezone(dt.timedelta(hours=-4)))]
    assert len({course.lateness(A, "cy", m).seconds for m in moments}) == 1


def test_an_extension_moves_a_late_submission_on_time(tmp_path):
    course = policy(tmp_path, "student_id,assignment,new_deadline,extra_days\n"
                              f"cy,{A},,2\ndee,{A},2027-03-20 12:00,\n")
    two_days_later = dt.datetime(2027, 3, 15, 23, 59, tzinfo=dt.timezone(dt.timedelta(hours=-4)))
    assert course.lateness(A, "cy", two_days_later).fraction == 0  # 23:59 two days on, across the change
    assert course.lateness(A, "cy", two_days_later + dt.timedelta(seconds=1)).days == 1
    on_time = course.lateness(A, "dee", utc(2027, 3, 20, 15, 0))
    assert on_time.seconds == 0 and on_time.explain() == "on time (extension to 2027-03-20 16:00 UTC)"
    assert course.lateness(A, "eve", two_days_later).days == 2  # no extension: two days late


@pytest.mark.parametrize("rows, says", [
    ("ada,02_logistic_regression,,\n", "line 2: give new_deadline or extra_days"),
    ("ada,02_logistic_regression,2027-03-20,1\n", "line 2: give new_deadline or extra_days"),
    ("ada,02_logistic_regression,next friday,\n", "line 2: 'next friday' is not a time"),
    ("ada,02_logistic_regression,,two\n", "line 2: extra_days 'two' is not a number"),
    ("ada,02_logistic_regression,,1\nada,02_logistic_regression,,2\n", "line 3: a second extension for ada"),
    (",02_logistic_regression,,1\n", "line 2: no student_id or assignment"),
])
def test_a_bad_extension_row_is_refused_naming_the_file_and_line(tmp_path, rows, says):
    with pytest.raises(ValueError, match=says):
        policy(tmp_path, "student_id,assignment,new_deadline,extra_days\n" + rows)


def test_extra_days_for_an_assignment_without_a_deadline_is_an_error_not_a_silent_pass(tmp_path):
    course = policy(tmp_path, "student_id,assignment,new_deadline,extra_days\nada,01_neuron,,1\n")
    with pytest.raises(ValueError, match="no deadline"):
        course.lateness("01_neuron", "ada", utc(2027, 1, 1))


@pytest.mark.parametrize("settings, says", [(dict(timezone="Mars/Olympus"), "not a time zone"),
                                            (dict(deadlines={A: "soon"}), "'soon' is not a time"),
                                            (dict(extensions="missing.csv"), "cannot read")])
def test_a_policy_that_does_not_read_says_which_setting(tmp_path, settings, says):
    with pytest.raises(ValueError, match=says):
        policy(tmp_path, **settings)


@pytest.mark.parametrize("text", ["2027-03-15 03:59:00.000000 UTC", "2027-03-14T23:59:00-04:00",
                                  "2027-03-15 04:59:00+01:00", "2027-03-15T03:59:00Z"])
def test_timestamps_in_any_zone_read_as_nbgrader_reads_them(tmp_path, text):
    (tmp_path / "timestamp.txt").write_text(text + "\n")
    assert submitted_at(tmp_path) == utc(2027, 3, 15, 3, 59)


def test_an_offset_nbgrader_would_misread_as_seconds_is_refused_with_the_fix(tmp_path):
    (tmp_path / "timestamp.txt").write_text("2027-03-15 03:59:00 -0400\n")
    with pytest.raises(ValueError, match="write 2027-03-15 03:59:00-04:00"):
        submitted_at(tmp_path)


def test_no_timestamp_means_no_time_and_an_unreadable_one_is_an_error(tmp_path):
    assert submitted_at(tmp_path) is None
    (tmp_path / "timestamp.txt").write_text("yesterday-ish\n")
    with pytest.raises(ValueError, match="not a time nbgrader can read"):
        submitted_at(tmp_path)


def test_the_policy_is_read_from_nbgrader_config_py_with_paths_from_the_course_root(tmp_path):
    (tmp_path / "course").mkdir()
    (tmp_path / "course" / "ext.csv").write_text(f"student_id,assignment,extra_days\nada,{A},1\n")
    (tmp_path / "nbgrader_config.py").write_text(
        "c = get_config()\n"
        f"c.CourseDirectory.root = {str(tmp_path / 'course')!r}\n"
        f"c.LatePolicy.deadlines = {{{A!r}: '2027-03-13 23:59'}}\n"
        "c.LatePolicy.timezone = 'America/New_York'\n"
        "c.LatePolicy.penalty = 'zero'\n"
        "c.LatePolicy.extensions = 'ext.csv'\n")
    course = load(tmp_path / "nbgrader_config.py").checked()
    assert course.rule.method == "zero"
    assert course.student_deadline(A, "ada")[0] == utc(2027, 3, 15, 3, 59)


def test_the_course_ships_a_policy_that_charges_nothing():
    from autograder.course import ROOT
    course = load(ROOT / "nbgrader_config.py").checked()
    assert course.rule.method == "none" and course.lateness(A, "ada", utc(2030, 1, 1)).fraction == 0
