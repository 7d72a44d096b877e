"""Collecting student repositories into nbgrader's submitted/ folder, with local repositories as the class."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import release
from nbgrader.utils import parse_utc

from autograder.publish.collect import main as collect
from autograder.publish.collect import parse_deadline

A = "01_neuron"
DEADLINE = "2026-12-01T23:59:00+01:00"  # 22:59 UTC


def commit(repo: Path, when: str, notebook_text: str | None = None, path: str = f"{A}/{A}.ipynb") -> None:
    """A commit whose committer time is `when` (UTC), writing the notebook (or a README) first."""
    target = repo / (path if notebook_text is not None else "README.md")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(notebook_text if notebook_text is not None else f"notes of {when}\n")
    env = dict(os.environ, GIT_COMMITTER_DATE=when, GIT_AUTHOR_DATE=when)
    git = ["git", "-c", "user.name=Student", "-c", "user.email=student@example.org"]
    subprocess.run([*git, "add", "-A"], cwd=repo, check=True, env=env)
    subprocess.run([*git, "commit", "--quiet", "-m", f"work of {when}"], cwd=repo, check=True, env=env)


def repository(root: Path, name: str) -> Path:
    repo = root / "remotes" / name
    subprocess.run(["git", "init", "--quiet", "--initial-branch", "main", str(repo)], check=True)
    return repo


@pytest.fixture
def course(tmp_path: Path) -> Path:
    """A class of five: on time with late commits after, only late, no repository, no notebook, empty."""
    stub = release(A).read_text()
    ada = repository(tmp_path, "ada")
    commit(ada, "2026-11-30T10:00:00Z", stub)
    commit(ada, "2026-12-01T22:59:00Z", stub.replace("YOUR CODE HERE", "on time"))  # exactly at the deadline
    commit(ada, "2026-12-02T01:29:00Z", stub.replace("YOUR CODE HERE", "late"))
    commit(ada, "2026-12-03T23:00:00Z")
    bob = repository(tmp_path, "bob")
    commit(bob, "2026-12-02T08:00:00Z", stub)
    dan = repository(tmp_path, "dan")
    commit(dan, "2026-11-29T12:00:00Z", stub, path=f"{A}.ipynb")  # at the top, not in its folder
    repository(tmp_path, "eve")
    remotes = tmp_path / "remotes"
    (tmp_path / "roster.csv").write_text(
        "student_id,repository\n"
        f"ada,file://{remotes / 'ada'}\nbob,{remotes / 'bob'}\ncarl,file://{remotes / 'carl'}\n"
        f"dan,file://{remotes / 'dan'}\neve,file://{remotes / 'eve'}\n\n")
    return tmp_path


def test_collect_lays_the_last_notebook_before_the_deadline_into_submitted(course, capsys):
    assert collect(course / "roster.csv", A, DEADLINE, root=course) == 0
    notebook = course / "submitted/ada" / A / f"{A}.ipynb"
    assert "on time" in notebook.read_text() and "late" not in notebook.read_text()
    stamp = (course / "submitted/ada" / A / "timestamp.txt").read_text().strip()
    assert stamp == "2026-12-01 22:59:00.000000 UTC"
    assert parse_utc(stamp) == dt.datetime(2026, 12, 1, 22, 59)  # nbgrader reads it back (as naive UTC)
    assert sorted(p.name for p in (course / "submitted").iterdir()) == ["ada"]
    report = capsys.readouterr().out
    assert "ada: " in report and "2 later commits not collected, late by 2 h 30 min, 2 d 1 min" in report
    assert "bob: no commit at or before the deadline (1 after it, the first 9 h 1 min late)" in report
    assert "carl: " in report and "does not appear to be a git repository" in report
    assert f"dan: no {A}/{A}.ipynb in commit" in report
    assert "eve: the repository has no commits" in report
    assert "Collected 1 of 5" in report


def test_collect_again_fetches_what_was_pushed_since(course, capsys):
    collect(course / "roster.csv", A, DEADLINE, root=course)
    bob = course / "remotes/bob"
    subprocess.run(["git", "checkout", "--quiet", "--orphan", "redo"], cwd=bob, check=True)
    commit(bob, "2026-12-01T20:00:00Z", release(A).read_text().replace("YOUR CODE HERE", "redone"))
    subprocess.run(["git", "branch", "--quiet", "-M", "main"], cwd=bob, check=True)  # history rewritten, force-pushed
    shutil.rmtree(course / "remotes/carl", ignore_errors=True)
    capsys.readouterr()
    assert collect(course / "roster.csv", A, "2026-12-01T22:59:00Z", root=course) == 0
    assert "redone" in (course / "submitted/bob" / A / f"{A}.ipynb").read_text()
    assert "Collected 2 of 5" in capsys.readouterr().out


@pytest.mark.parametrize("text", ["2026-12-01T23:59:00", "next friday"])
def test_a_deadline_without_time_zone_or_not_iso_is_refused_before_anything_is_cloned(text, course, capsys):
    with pytest.raises(ValueError):
        parse_deadline(text)
    assert collect(course / "roster.csv", A, text, root=course) == 2
    assert not (course / ".collect").exists() and "--deadline" in capsys.readouterr().out


def test_deadline_accepts_z_and_offsets():
    assert parse_deadline("2026-12-01T22:59:00Z") == parse_deadline("2026-12-01T23:59:00+01:00")


def test_with_a_per_day_policy_late_work_is_collected_while_it_earns_points_and_extensions_count(course, capsys):
    (course / "extensions.csv").write_text(f"student_id,assignment,new_deadline,extra_days\nbob,{A},,1\n")
    (course / "nbgrader_config.py").write_text(  # the course's own config, as nbgrader would read it there
        "c = get_config()\n"
        f"c.LatePolicy.deadlines = {{{A!r}: '2026-12-01 23:59'}}\n"
        "c.LatePolicy.timezone = 'Europe/Paris'\n"
        "c.LatePolicy.penalty = 'per_day'\n"
        "c.LatePolicy.per_day = 0.25\n"
        "c.LatePolicy.no_credit_after_days = 2\n"
        "c.LatePolicy.extensions = 'extensions.csv'\n")
    assert collect(course / "roster.csv", A, root=course) == 0
    ada = course / "submitted/ada" / A
    assert "late" in (ada / f"{A}.ipynb").read_text()  # 2 h 30 min late still earns 75 %
    assert (ada / "timestamp.txt").read_text().strip() == "2026-12-02 01:29:00.000000 UTC"
    report = capsys.readouterr().out
    assert "late 2 h 30 min, 1 day: 25 % off; 1 later commits not collected, late by 2 d 1 min" in report
    assert "bob: " in report and "on time (extension to 2026-12-02 22:59 UTC)" in report
    assert (course / "submitted/bob" / A / "timestamp.txt").read_text().startswith("2026-12-02 08:00:00")
    assert "Collected 2 of 5" in report


def test_with_no_deadline_anywhere_collect_says_where_to_give_one(course, capsys):
    assert collect(course / "roster.csv", A, root=course) == 2
    assert "give --deadline, or set LatePolicy.deadlines" in capsys.readouterr().out
