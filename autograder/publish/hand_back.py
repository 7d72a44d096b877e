"""Hand nbgrader's feedback back to students who did not submit through its exchange:
`python -m autograder hand-back A [--root COURSE] [--out DIR]`.

nbgrader's "Release feedback" (`nbgrader release_feedback`) puts each page in the exchange under a hash of
the student's submission secret, and `nbgrader fetch_feedback` finds it from the copy that the student's own
`nbgrader submit` left on their machine. A notebook collected from a repository, an LMS or a zip has neither,
so nothing released there could ever reach its student. This writes each student's pages where an instructor
can pass them on (an LMS's feedback upload, an e-mail, a shared folder):

    DIR/<A>/<student>.html        (<student>/<notebook>.html when the assignment has several notebooks)
    DIR/<A>.zip                   the same files, one archive

Every student with a submission folder is accounted for: one without feedback, or whose feedback is older
than their last autograde (generate_feedback not run since), is listed, never left out silently.
"""

from __future__ import annotations

import shutil
import zipfile
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class HandBack:
    written: dict[str, list[Path]] = field(default_factory=dict)  # student -> the pages written
    missing: list[str] = field(default_factory=list)  # submitted, no feedback page
    stale: list[str] = field(default_factory=list)  # a page older than the autograded notebook


def pages(root: Path, student: str, assignment: str) -> list[Path]:
    return sorted((root / "feedback" / student / assignment).glob("*.html"))


def older_than_autograde(page: Path, root: Path, student: str, assignment: str) -> bool:
    graded = root / "autograded" / student / assignment / f"{page.stem}.ipynb"
    return graded.is_file() and graded.stat().st_mtime > page.stat().st_mtime


def hand_back(root: Path, assignment: str, out: Path) -> HandBack:
    """Copy each student's feedback pages of `assignment` into `out` and zip them."""
    students = sorted({p.parent.name for p in (root / "submitted").glob(f"*/{assignment}") if p.is_dir()}
                      | {p.parent.name for p in (root / "feedback").glob(f"*/{assignment}") if p.is_dir()})
    target = out / assignment
    shutil.rmtree(target, ignore_errors=True)  # a page from an earlier hand-back must not outlive its student
    done = HandBack()
    for student in students:
        found = pages(root, student, assignment)
        if not found:
            done.missing.append(student)
            continue
        done.stale += [student] if any(older_than_autograde(p, root, student, assignment) for p in found) else []
        names = [f"{student}.html"] if len(found) == 1 else [f"{student}/{p.name}" for p in found]
        for page, name in zip(found, names, strict=True):
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(page, target / name)
        done.written[student] = [target / name for name in names]
    with zipfile.ZipFile(out / f"{assignment}.zip", "w", zipfile.ZIP_DEFLATED) as archive:
        for paths in done.written.values():
            for path in paths:
                archive.write(path, path.relative_to(target).as_posix())
    return done


def main(assignment: str, root: Path = Path(), out: Path | None = None) -> int:
    """0 when every student with a submission has a current page; 1 when some are missing or stale."""
    root = Path(root)
    out = Path(out) if out is not None else root / "hand-back"
    if not (root / "feedback").is_dir():
        print(f"hand-back: no {root / 'feedback'}/ folder: run `nbgrader generate_feedback {assignment}` first")
        return 2
    out.mkdir(parents=True, exist_ok=True)
    done = hand_back(root, assignment, out)
    print(f"{len(done.written)} student(s)' feedback in {out / assignment}/ and {out / (assignment + '.zip')}")
    if done.missing:
        print(f"No feedback page (run nbgrader generate_feedback {assignment}): " + ", ".join(done.missing))
    if done.stale:
        print("Feedback older than the last autograde (run nbgrader generate_feedback again): "
              + ", ".join(done.stale))
    return 1 if done.missing or done.stale else 0
