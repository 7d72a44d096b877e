"""hand-back: nbgrader's feedback pages, per student and zipped, for submissions that never went through its
exchange; no student with a submission is left out silently."""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

from autograder.publish.hand_back import main as hand_back

A = "01_neuron"


def page(root: Path, student: str, name: str = A, text: str = "") -> Path:
    path = root / "feedback" / student / A / f"{name}.html"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text or f"<p>feedback for {student}</p>")
    return path


def submitted(root: Path, *students: str) -> None:
    for student in students:
        (root / "submitted" / student / A).mkdir(parents=True)


def test_each_students_page_is_written_under_their_name_and_zipped(tmp_path, capsys):
    submitted(tmp_path, "ada", "ben")
    page(tmp_path, "ada"), page(tmp_path, "ben")
    assert hand_back(A, tmp_path, tmp_path / "out") == 0
    assert (tmp_path / "out" / A / "ada.html").read_text() == "<p>feedback for ada</p>"
    with zipfile.ZipFile(tmp_path / "out" / f"{A}.zip") as archive:
        assert sorted(archive.namelist()) == ["ada.html", "ben.html"]
        assert archive.read("ben.html") == b"<p>feedback for ben</p>"
    assert "2 student(s)' feedback" in capsys.readouterr().out


def test_a_student_without_feedback_or_with_feedback_older_than_the_grading_is_listed(tmp_path, capsys):
    submitted(tmp_path, "ada", "cy", "dee")
    page(tmp_path, "ada")
    old = page(tmp_path, "dee")
    graded = tmp_path / "autograded" / "dee" / A / f"{A}.ipynb"
    graded.parent.mkdir(parents=True)
    graded.write_text("{}")
    os.utime(old, (graded.stat().st_mtime - 60,) * 2)  # autograded again after generate_feedback
    assert hand_back(A, tmp_path, tmp_path / "out") == 1
    out = capsys.readouterr().out
    assert f"No feedback page (run nbgrader generate_feedback {A}): cy" in out
    assert "older than the last autograde (run nbgrader generate_feedback again): dee" in out
    assert sorted(p.name for p in (tmp_path / "out" / A).iterdir()) == ["ada.html", "dee.html"]


def test_several_notebooks_go_in_a_folder_per_student_and_an_old_hand_back_is_replaced(tmp_path):
    submitted(tmp_path, "ada")
    page(tmp_path, "ada", "part1"), page(tmp_path, "ada", "part2")
    stale = tmp_path / "out" / A / "gone.html"
    stale.parent.mkdir(parents=True)
    stale.write_text("a student no longer in the class")
    assert hand_back(A, tmp_path, tmp_path / "out") == 0
    assert sorted(str(p.relative_to(tmp_path / "out" / A)) for p in (tmp_path / "out" / A).rglob("*.html")) \
        == ["ada/part1.html", "ada/part2.html"]


def test_without_a_feedback_folder_it_says_which_command_comes_first(tmp_path, capsys):
    assert hand_back(A, tmp_path) == 2
    assert f"nbgrader generate_feedback {A}" in capsys.readouterr().out
