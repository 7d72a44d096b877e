"""`python -m autograder export-lms GRADES --to canvas|moodle --roster ROSTER --out OUT`: grades an LMS imports.

GRADES is either the grades.csv that `grade-class` and `report` write (a row per student and assignment:
student, assignment, score, max_score, a column per graded function, note) or the CSV of `nbgrader export`
(a row per student and assignment: ..., student_id, ..., raw_score, late_submission_penalty, score,
max_score); the header says which. Each assignment's total becomes one column: nbgrader's `score`, which is
its `raw_score` less the late penalty, or grades.csv's `score`.

The ids in GRADES are this course's (GitHub usernames, nbgrader student ids); an LMS knows its students by
its own. ROSTER maps one to the other (`student_id` plus the LMS's columns, docs/lms-export.md), so the
output has one row per roster student, in the roster's order, and every student who is on one side only is
listed rather than dropped: graded but not on the roster (no row: the LMS could not match it), on the roster
but without a score (the cell is left for the LMS to read as "no grade", never a 0). A grades.csv row that
was not graded (its results file unreadable, or no check run because the grader failed) has no score
either; a missing notebook is graded, 0, in both files, and stays 0.

Canvas: its Gradebook import layout (Student, ID, SIS User ID, SIS Login ID, Section, an assignment per
column, a "Points Possible" row), as Canvas's own exporter writes and its importer reads it. Moodle: the
CSV its grade import maps by hand, a user column (email address or ID number) and a column per grade item.
"""

from __future__ import annotations

import csv
import math
import sys
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from pathlib import Path

# grades.csv as report.grades_rows writes it: these first, then one column per graded function, then note.
GRADE_CLASS_COLUMNS = ["student", "assignment", "score", "max_score"]
# `nbgrader export` (nbgrader.plugins.export.CsvExportPlugin), in its order.
NBGRADER_COLUMNS = ["assignment", "duedate", "timestamp", "student_id", "last_name", "first_name", "email",
                    "raw_score", "late_submission_penalty", "score", "max_score"]

CANVAS_IDENTITY = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
CANVAS_KEYS = ("canvas_id", "sis_user_id", "sis_login_id")  # the roster columns Canvas matches a row by
MOODLE_KEYS = {"email": "Email address", "idnumber": "ID number"}  # roster column -> header, as Moodle names it
# Moodle's "no grade": its import reads "-" (and "") as no grade for an existing grade item, but for a column
# mapped to a *new* grade item only "-" is skipped; "" is stored, and Moodle's database layer turns an empty
# string in a numeric column into 0 (grade/import/csv/classes/load_data.php, import_new_grade_item).
MOODLE_NO_GRADE = "-"


class ExportError(ValueError):
    """An input that cannot be exported as it is; the message says which file, which row and why."""


@dataclass
class Grades:
    """Each student's total per assignment (None: the file has the row but no score) and each assignment's
    points."""

    kind: str  # "grade-class" or "nbgrader"
    scores: dict[str, dict[str, float | None]] = field(default_factory=dict)  # student -> assignment -> score
    points: dict[str, float] = field(default_factory=dict)  # assignment -> points possible
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Student:
    """One row of the roster: this course's id and the LMS's."""

    student_id: str
    name: str = ""
    canvas_id: str = ""
    sis_user_id: str = ""
    sis_login_id: str = ""
    section: str = ""
    email: str = ""
    idnumber: str = ""


@dataclass
class Export:
    """The rows of the output file, and who could not be placed in them."""

    rows: list[list[str]]
    not_on_roster: list[str]  # graded students the roster does not name: no row
    no_lms_id: list[str]  # roster students without the id the LMS matches by: no row
    empty: dict[str, list[str]]  # roster student -> assignments left without a score
    matched: int = 0  # roster students the grades file grades


def read_csv(path: Path, what: str) -> list[list[str]]:
    """A CSV file's rows (a UTF-8 byte-order mark, as Excel writes one, is dropped); blank lines left out."""
    try:
        with open(path, newline="", encoding="utf-8-sig") as f:
            rows = [row for row in csv.reader(f) if any(cell.strip() for cell in row)]
    except UnicodeDecodeError:
        raise ExportError(f"{path}: the {what} is not UTF-8 text (in a spreadsheet, save it as \"CSV UTF-8\")") \
            from None
    except csv.Error as exc:
        raise ExportError(f"{path}: the {what} is not a readable CSV file ({exc})") from None
    if not rows:
        raise ExportError(f"{path}: the {what} is empty")
    return rows


def number(text: str, where: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise ExportError(f"{where}: {text!r} is not a number") from None
    if not math.isfinite(value):
        raise ExportError(f"{where}: {text!r} is not a finite number")
    return value


def read_grades(path: Path) -> Grades:
    """grades.csv from grade-class/report, or nbgrader's export, told apart by the header."""
    path = Path(path)
    header, *rows = read_csv(path, "grades file")
    header = [h.strip() for h in header]
    if header[:4] == GRADE_CLASS_COLUMNS:
        grades, student_column = Grades("grade-class"), "student"
    elif set(NBGRADER_COLUMNS) <= set(header):
        grades, student_column = Grades("nbgrader"), "student_id"
    else:
        raise ExportError(f"{path}: neither a grades.csv of grade-class (student,assignment,score,max_score,...) "
                          f"nor an `nbgrader export` CSV ({','.join(NBGRADER_COLUMNS)}); its header is "
                          f"{','.join(header)}")
    for line, row in enumerate(rows, start=2):
        where = f"{path}, line {line}"
        if grades.kind == "nbgrader":
            record = nbgrader_record(header, row, where)
        else:
            record = dict(zip(header, row, strict=False))
        student, assignment = record.get(student_column, "").strip(), record.get("assignment", "").strip()
        if not student or not assignment:
            raise ExportError(f"{where}: no {student_column} or assignment")
        if assignment in grades.scores.get(student, {}):
            raise ExportError(f"{where}: a second row for {student} and {assignment}")
        score = record.get("score", "").strip()  # nbgrader's score: raw_score less late_submission_penalty
        most = record.get("max_score", "").strip()
        points = number(most, where) if most else 0.0
        if grades.kind == "grade-class" and (not score or points <= 0):
            # an unreadable results file (no score), or one without a single check (the grader could not
            # run): not graded, so no grade, never a 0 in the LMS
            grades.scores.setdefault(student, {})[assignment] = None
            why = record.get("note", "").strip() or "no score"
            grades.warnings.append(f"no grade for {student} in {assignment}: {why}")
            continue
        grades.scores.setdefault(student, {})[assignment] = number(score, where) if score else None
        if most:
            known = grades.points.setdefault(assignment, points)
            if points != known:
                grades.warnings.append(f"{assignment} is out of {known:g} points in some rows and {points:g} in "
                                       f"others ({where}): Points Possible is the larger")
                grades.points[assignment] = max(known, points)
    for assignment in {a for scores in grades.scores.values() for a in scores} - set(grades.points):
        grades.points[assignment] = 0.0
        grades.warnings.append(f"{assignment}: no row of {path} gives its points (max_score)")
    return grades


def nbgrader_record(header: list[str], row: list[str], where: str) -> dict[str, str]:
    """One row of `nbgrader export`. nbgrader writes its fields without CSV quoting, so a comma in a name or
    an email splits the row; the ids come before the names and the numbers after them, so they are still
    where nbgrader put them, counted from either end."""
    if len(row) == len(header):
        return dict(zip(header, row, strict=True))
    if header == NBGRADER_COLUMNS and len(row) > len(header):
        return dict(zip(header[:4], row[:4], strict=True)) | dict(zip(header[-4:], row[-4:], strict=True))
    raise ExportError(f"{where}: {len(row)} fields under a header of {len(header)}")


def read_roster(path: Path, keys: tuple[str, ...] = ()) -> list[Student]:
    """The roster's students, in its order. It needs `student_id` and at least one of the columns `keys`;
    an id used twice (this course's, or an LMS's) is refused, since it would give one student's grade to
    another."""
    path = Path(path)
    header, *rows = read_csv(path, "roster")
    header = [h.strip().lower() for h in header]
    if "student_id" not in header:
        raise ExportError(f"{path}: the roster needs a student_id column (the ids in the grades file); "
                          f"its header is {','.join(header)}")
    if keys and not set(keys) & set(header):
        raise ExportError(f"{path}: the roster needs a column {' or '.join(keys)} to match students in the LMS")
    known = {f.name for f in fields(Student)}
    students, seen = [], {}
    for line, row in enumerate(rows, start=2):
        # a spreadsheet may leave a row's empty trailing cells out: they are empty
        values = {h: v.strip() for h, v in zip(header, row, strict=False) if h in known}
        student = Student(**{"student_id": "", **values})
        if not student.student_id:
            raise ExportError(f"{path}, line {line}: no student_id")
        if student.canvas_id and not student.canvas_id.isdigit():
            raise ExportError(f"{path}, line {line}: canvas_id {student.canvas_id!r} is not Canvas's numeric "
                              "user ID (the ID column of a Canvas gradebook export)")
        for column in ("student_id", *CANVAS_KEYS, *MOODLE_KEYS):
            value = getattr(student, column)
            value = value.casefold() if column == "email" else value
            if value and (column, value) in seen:
                raise ExportError(f"{path}: {column} {getattr(student, column)!r} is on line {seen[column, value]} "
                                  f"and line {line}; each student must appear once, with ids of their own")
            seen.setdefault((column, value), line)
        students.append(student)
    return students


def score_text(value: float) -> str:
    """At most 2 decimals, as a plain number: no exponent, no thousands separator, no "%". (Canvas reads a
    comma as a decimal comma and drops all but the last separator, so 1,234 would read as 1.234.)"""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def chosen(grades: Grades, assignments: list[str] | None) -> list[str]:
    names = sorted(grades.points)
    unknown = [a for a in assignments or [] if a not in grades.points]
    if unknown:
        raise ExportError(f"no assignment {', '.join(unknown)} in the grades file (it has {', '.join(names)})")
    return [a for a in names if not assignments or a in assignments]


def place(grades: Grades, roster: list[Student], assignments: list[str], has_id: Callable[[Student], bool],
          blank: str) -> tuple[list[tuple[Student, list[str]]], Export]:
    """Each roster student that the LMS can match (`has_id`) with their score cells, and who is left out."""
    on_roster = {s.student_id for s in roster}
    export = Export([], sorted(set(grades.scores) - on_roster), [], {})
    placed = []
    for student in roster:
        if not has_id(student):
            export.no_lms_id.append(student.student_id)
            continue
        scores = grades.scores.get(student.student_id, {})
        export.matched += student.student_id in grades.scores
        cells = [blank if scores.get(a) is None else score_text(scores[a]) for a in assignments]
        if missing := [a for a in assignments if scores.get(a) is None]:
            export.empty[student.student_id] = missing
        placed.append((student, cells))
    return placed, export


def to_canvas(grades: Grades, roster: list[Student], *, assignments: list[str] | None = None,
              canvas_ids: dict[str, str] | None = None) -> Export:
    """Canvas's Gradebook import: the header, a Points Possible row, a row per roster student. An assignment
    column is "<name> (<Canvas assignment id>)" when `canvas_ids` gives the id; without one Canvas matches
    the column to an assignment of exactly that name, or creates a new assignment."""
    names = chosen(grades, assignments)
    canvas_ids = canvas_ids or {}
    if unknown := sorted(set(canvas_ids) - set(grades.points)):
        raise ExportError(f"--canvas-id names {', '.join(unknown)}, which the grades file does not grade")
    columns = [f"{a} ({canvas_ids[a]})" if a in canvas_ids else a for a in names]
    placed, export = place(grades, roster, names, lambda s: any(getattr(s, k) for k in CANVAS_KEYS), "")
    # the second row: Canvas reads the points of each assignment column from it (and creates a new assignment
    # with them); its identity cells are empty, as in Canvas's own export
    points = [score_text(grades.points[a]) for a in names]
    export.rows = [CANVAS_IDENTITY + columns, ["Points Possible"] + [""] * (len(CANVAS_IDENTITY) - 1) + points]
    export.rows += [[s.name or s.student_id, s.canvas_id, s.sis_user_id, s.sis_login_id, s.section, *cells]
                    for s, cells in placed]
    return export


def to_moodle(grades: Grades, roster: list[Student], *, key: str = "email",
              assignments: list[str] | None = None) -> Export:
    """Moodle's CSV grade import: the user column (`key`: email or idnumber), then one column per grade item.
    A roster student without that key gets no row: Moodle keeps the previous row's user for a row whose user
    cell is blank, and aborts the whole import for a user it cannot find."""
    if key not in MOODLE_KEYS:
        raise ExportError(f"the Moodle key is email or idnumber, not {key!r}")
    names = chosen(grades, assignments)
    placed, export = place(grades, roster, names, lambda s: bool(getattr(s, key)), MOODLE_NO_GRADE)
    export.rows = [[MOODLE_KEYS[key], *names]] + [[getattr(s, key), *cells] for s, cells in placed]
    return export


def write(rows: list[list[str]], out: Path, *, bom: bool) -> None:
    """UTF-8, CRLF line ends (RFC 4180), quoted where a field needs it."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "w", newline="", encoding="utf-8-sig" if bom else "utf-8") as f:
        csv.writer(f).writerows(rows)


def listed(students: list[str], limit: int = 20) -> str:
    return ", ".join(students[:limit]) + (f" and {len(students) - limit} more" if len(students) > limit else "")


def report(export: Export, target: str, key: str) -> list[str]:
    """The lines stderr gets: everyone the output leaves out or leaves empty."""
    lines = []
    if export.not_on_roster:
        lines.append(f"{len(export.not_on_roster)} graded student(s) not on the roster, so not in the file: "
                     f"{listed(export.not_on_roster)}")
    if export.no_lms_id:
        wanted = "canvas_id, sis_user_id or sis_login_id" if target == "canvas" else key
        lines.append(f"{len(export.no_lms_id)} roster student(s) without {wanted}, so not in the file: "
                     f"{listed(export.no_lms_id)}")
    if export.empty:
        cells = [f"{s} ({', '.join(a)})" for s, a in export.empty.items()]
        blank = "empty cells" if target == "canvas" else f'"{MOODLE_NO_GRADE}", Moodle\'s no grade'
        lines.append(f"{len(cells)} roster student(s) with no score, left ungraded ({blank}, never 0): "
                     f"{listed(cells)}")
    if export.not_on_roster and not export.matched:
        lines.append("no graded student is on the roster: its student_id column must hold the ids of the grades "
                     "file (GitHub usernames, nbgrader student ids)")
    return lines


def main(grades_path: Path, target: str, roster_path: Path, out: Path, *, moodle_key: str = "email",
         canvas_ids: dict[str, str] | None = None, assignments: list[str] | None = None,
         strict: bool = False) -> int:
    """Write OUT; 0 when written (1 with `strict` if anyone is left out or empty), 2 when an input is refused."""
    try:
        if canvas_ids and target != "canvas":
            raise ExportError("--canvas-id is for --to canvas")
        grades = read_grades(grades_path)
        if target == "canvas":
            export = to_canvas(grades, read_roster(roster_path, CANVAS_KEYS), assignments=assignments,
                               canvas_ids=canvas_ids)
        else:
            export = to_moodle(grades, read_roster(roster_path, (moodle_key,)), key=moodle_key,
                               assignments=assignments)
        # Canvas: with a byte-order mark, as Canvas's own Gradebook export writes one for Excel (a user
        # setting), so that a file opened in Excel before the upload keeps its accented names; Canvas's
        # importer takes either (it looks for "Student" within the first header cell, which stays unquoted).
        # Moodle: plain UTF-8, named in its import form's Encoding list (its CSV reader drops a mark anyway).
        write(export.rows, out, bom=target == "canvas")
    except (ExportError, OSError) as exc:
        print(f"export-lms: {exc}", file=sys.stderr)
        return 2
    for line in grades.warnings + report(export, target, moodle_key):
        print(f"export-lms: {line}", file=sys.stderr)
    students = len(export.rows) - (2 if target == "canvas" else 1)
    columns = len(export.rows[0]) - (len(CANVAS_IDENTITY) if target == "canvas" else 1)
    print(f"{out}: {students} student(s), {columns} assignment(s), for {'Canvas' if target == 'canvas' else 'Moodle'}"
          f" (from {grades.kind}'s {Path(grades_path).name})")
    left_out = export.not_on_roster or export.no_lms_id or export.empty
    return 1 if strict and left_out else 0
