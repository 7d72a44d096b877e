"""Command line: `python -m autograder grade NOTEBOOK --results FILE` (and `demo`, `grade-class`, `report`...);
see `--help`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .grading.grade import grade
from .grading.settings import Settings, add_options


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m autograder", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    one = commands.add_parser("grade", help="grade one student notebook")
    one.add_argument("notebook", type=Path)
    one.add_argument("--results", type=Path, required=True, help="where to write results.json (Gradescope format)")
    add_options(one.add_argument)
    demo = commands.add_parser("demo", help="grade the sample submissions and show what students get back")
    demo.add_argument("--out", type=Path, default=Path("demo-results"), help="folder for their results files")
    add_push_commands(commands)
    add_class_commands(commands)
    args = parser.parse_args(argv)
    if args.command in CLASS_COMMANDS:
        return run_class_command(args)
    if args.command == "demo":
        from .demo import run_demo

        return run_demo(args.out)
    if args.command in PUSH_COMMANDS:
        return run_push_command(args)
    settings = Settings.from_options(args)
    results = grade(args.notebook, solutions=settings.solutions, assignment=settings.assignment,
                    sandbox=settings.sandbox, limits=settings.limits, results_path=args.results,
                    debug=settings.debug)
    print(results.table())
    if results.output:
        print()
        print(results.output)
    return 1 if results.error else 0


# -- grading on every push: student template, Actions workflow, Classroom 50, collecting repositories ----
PUSH_COMMANDS = ("template", "workflow", "classroom50", "gradescope", "collect", "hand-back", "student-page",
                 "summary")


def add_push_commands(commands: argparse._SubParsersAction) -> None:
    template = commands.add_parser("template", help="write the repository a student receives")
    template.add_argument("out", type=Path)
    template.add_argument("--assignment", action="append", help="only this assignment (repeatable)")
    template.add_argument("--workflow", action="store_true", help="also add the grading workflow (see `workflow`)")
    workflow = commands.add_parser("workflow", help="add the GitHub Actions workflow that grades on every push")
    workflow.add_argument("out", type=Path, help="the student template (or repository) to add it to")
    bundles = commands.add_parser("classroom50", help="write Classroom 50 autograders for a classroom")
    bundles.add_argument("out", type=Path)
    bundles.add_argument("--classroom", required=True, help="the classroom's short name")
    bundles.add_argument("--assignment", action="append", help="only this assignment (repeatable)")
    gradescope = commands.add_parser("gradescope", help="write Gradescope autograder zips, one per assignment")
    gradescope.add_argument("out", type=Path)
    gradescope.add_argument("--assignment", action="append", help="only this assignment (repeatable)")
    collect = commands.add_parser("collect", help="collect student repositories into nbgrader's submitted/")
    collect.add_argument("roster", type=Path, help="CSV file with the columns student_id,repository")
    collect.add_argument("assignment")
    collect.add_argument("--deadline", help="ISO 8601 with a time zone, e.g. 2026-12-01T23:59+01:00 (default: the "
                                            "late policy's, docs/late-policy.md)")
    collect.add_argument("--root", type=Path, default=Path(), help="nbgrader's course folder (default: here)")
    # `summary` was this command's first name: workflows already in students' repositories still call it.
    back = commands.add_parser("hand-back", help="each student's nbgrader feedback as files and a zip, for "
                                                 "submissions that did not come through nbgrader's exchange")
    back.add_argument("assignment")
    back.add_argument("--root", type=Path, default=Path(), help="nbgrader's course folder (default: here)")
    back.add_argument("--out", type=Path, help="where to write <assignment>/ and <assignment>.zip "
                                               "(default: ROOT/hand-back)")
    page = commands.add_parser("student-page", aliases=["summary"],
                               help="the student's page: Markdown of results files, score table and feedback")
    page.add_argument("results", type=Path, nargs="+")


def run_push_command(args: argparse.Namespace) -> int:
    if args.command == "template":
        from .publish.template import main as template
        from .publish.workflow import main as workflow

        code = template(args.out, args.assignment)
        return workflow(args.out) if code == 0 and args.workflow else code
    if args.command == "workflow":
        from .publish.workflow import main as workflow

        return workflow(args.out)
    if args.command == "classroom50":
        from .publish.classroom50.bundle import main as classroom50

        return classroom50(args.out, args.classroom, args.assignment)
    if args.command == "gradescope":
        from .publish.gradescope.bundle import main as gradescope

        return gradescope(args.out, args.assignment)
    if args.command == "hand-back":
        from .publish.hand_back import main as hand_back

        return hand_back(args.assignment, args.root, args.out)
    if args.command == "collect":
        from .publish.collect import main as collect

        return collect(args.roster, args.assignment, args.deadline, args.root)
    from .publish.student_page import main as student_page

    return student_page(args.results)


# -- a whole class: grade-class, its report, and its grades for an LMS ---------------------------------------
CLASS_COMMANDS = ("grade-class", "report", "export-lms")


def add_class_commands(commands: argparse._SubParsersAction) -> None:
    def positive(text: str) -> int:
        if not text.isdigit() or int(text) < 1:
            raise argparse.ArgumentTypeError(f"expected a whole number of at least 1; got {text!r}")
        return int(text)

    def part(text: str) -> tuple[int, int]:
        k, _, n = text.partition("/")
        if not (k.isdigit() and n.isdigit() and 1 <= int(k) <= int(n)):
            raise argparse.ArgumentTypeError(f"expected K/N with 1 <= K <= N, such as 2/8; got {text!r}")
        return int(k), int(n)

    def assignment_id(text: str) -> tuple[str, str]:
        name, _, number = text.partition("=")
        if not (name.strip() and number.strip().isdigit()):
            raise argparse.ArgumentTypeError(f"expected ASSIGNMENT=ID with Canvas's numeric id, such as "
                                             f"01_neuron=12345; got {text!r}")
        return name.strip(), number.strip()

    klass = commands.add_parser("grade-class", help="grade a class's notebooks in parallel, then report")
    klass.add_argument("submitted", type=Path, help="nbgrader's layout: SUBMITTED/<student>/<assignment>/*.ipynb")
    klass.add_argument("--out", type=Path, required=True, help="folder for results files, grades.csv and the report")
    klass.add_argument("--jobs", type=positive, help="notebooks graded at once (default: one per core)")
    klass.add_argument("--assignment", help="grade only this assignment")
    klass.add_argument("--force", action="store_true", help="regrade notebooks that have not changed")
    klass.add_argument("--slice", type=part, default=(1, 1), metavar="K/N",
                       help="grade only the K-th of N slices of the roster (one per machine; merge with `report`)")
    klass.add_argument("--no-sandbox", action="store_true", help="run student code without bubblewrap or Landlock")
    rebuild = commands.add_parser("report", help="rebuild grades.csv, summary.json and report.html from results files")
    rebuild.add_argument("out", type=Path, help="the folder holding <student>/<assignment>.results.json")
    for command in (klass, rebuild):
        command.add_argument("--config", type=Path, metavar="NBGRADER_CONFIG",
                             help="the nbgrader_config.py whose late policy applies (default: the current "
                                  "folder's, else the repository's; docs/late-policy.md)")
    lms = commands.add_parser("export-lms", help="grades.csv (or nbgrader's export) as a Canvas or Moodle import")
    lms.add_argument("grades", type=Path, help="grades.csv of grade-class/report, or the CSV of `nbgrader export`")
    lms.add_argument("--to", choices=("canvas", "moodle"), required=True, help="the LMS that imports it")
    lms.add_argument("--roster", type=Path, required=True,
                     help="CSV: student_id and the LMS's ids for each student (docs/lms-export.md)")
    lms.add_argument("--out", type=Path, required=True, help="the CSV file to write")
    lms.add_argument("--moodle-key", choices=("email", "idnumber"), default="email",
                     help="the roster column Moodle finds each user by (default: email)")
    lms.add_argument("--canvas-id", type=assignment_id, action="append", metavar="ASSIGNMENT=ID",
                     help="fill this Canvas assignment (repeatable); otherwise Canvas matches the column by name "
                          "or creates an assignment")
    lms.add_argument("--assignment", action="append", help="only this assignment (repeatable)")
    lms.add_argument("--strict", action="store_true",
                     help="exit 1 when a student is left out of the file or a score is left empty")


def run_class_command(args: argparse.Namespace) -> int:
    if args.command == "grade-class":
        from .classwide.grade_class import main as grade_class

        return grade_class(args.submitted, args.out, jobs=args.jobs, assignment=args.assignment, force=args.force,
                           part=args.slice, sandbox=not args.no_sandbox, config=args.config)
    if args.command == "export-lms":
        from .classwide.lms import main as export_lms

        return export_lms(args.grades, args.to, args.roster, args.out, moodle_key=args.moodle_key,
                          canvas_ids=dict(args.canvas_id or []), assignments=args.assignment, strict=args.strict)
    from .classwide.report import course_policy
    from .classwide.report import main as report

    policy = course_policy(args.config)
    return report(args.out, policy=policy) if policy else 2


if __name__ == "__main__":
    sys.exit(main())
