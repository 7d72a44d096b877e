"""Command line: `python -m autograder grade NOTEBOOK --results FILE` (and `grade-class`, `report`, `demo`);
see `--help`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .grade import grade
from .plugin import DEFAULT_TIME_LIMIT, SOLUTIONS


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1; got {text!r}")
    return int(text)


def _slice(text: str) -> tuple[int, int]:
    k, _, n = text.partition("/")
    if not (k.isdigit() and n.isdigit() and 1 <= int(k) <= int(n)):
        raise argparse.ArgumentTypeError(f"expected K/N with 1 <= K <= N, such as 2/8; got {text!r}")
    return int(k), int(n)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m autograder", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    how = argparse.ArgumentParser(add_help=False)  # how notebooks are graded: shared by grade and grade-class
    how.add_argument("--solutions", type=Path, default=SOLUTIONS, help="folder of the source notebooks")
    how.add_argument("--no-sandbox", action="store_true", help="do not use bubblewrap even where it works")
    how.add_argument("--time-limit", type=float, default=DEFAULT_TIME_LIMIT, help="seconds per check")
    one = commands.add_parser("grade", parents=[how], help="grade one student notebook")
    one.add_argument("notebook", type=Path)
    one.add_argument("--results", type=Path, required=True, help="where to write results.json (Gradescope format)")
    one.add_argument("--assignment", help="grade as this assignment (default: recognised from the notebook)")
    one.add_argument("--debug", action="store_true", help="print the grader's own tracebacks (never for students)")
    demo = commands.add_parser("demo", help="grade the sample submissions and show what students get back")
    demo.add_argument("--out", type=Path, default=Path("demo-results"), help="folder for their results files")
    klass = commands.add_parser("grade-class", parents=[how], help="grade a class's notebooks in parallel, then report")
    klass.add_argument("submitted", type=Path, help="nbgrader's layout: SUBMITTED/<student>/<assignment>/*.ipynb")
    klass.add_argument("--out", type=Path, required=True, help="folder for results files, grades.csv and the report")
    klass.add_argument("--jobs", type=_positive, help="notebooks graded at once (default: one per core)")
    klass.add_argument("--assignment", help="grade only this assignment")
    klass.add_argument("--force", action="store_true", help="regrade notebooks that have not changed")
    klass.add_argument("--slice", type=_slice, default=(1, 1), metavar="K/N",
                       help="grade only the K-th of N slices of the roster (one per machine; merge with `report`)")
    rebuild = commands.add_parser("report", help="rebuild grades.csv, summary.json and report.html from results files")
    rebuild.add_argument("out", type=Path, help="the folder holding <student>/<assignment>.results.json")
    args = parser.parse_args(argv)
    if args.command == "grade-class":
        from .batch import Options
        from .batch import main as grade_class

        options = Options(args.solutions.resolve(), not args.no_sandbox, args.time_limit)
        return grade_class(args.submitted, args.out, jobs=args.jobs, assignment=args.assignment, force=args.force,
                           part=args.slice, options=options)
    if args.command == "report":
        from .report import main as rebuild_report

        return rebuild_report(args.out)
    if args.command == "demo":
        from .demo import run_demo

        return run_demo(args.out)
    results = grade(args.notebook, solutions=args.solutions, assignment=args.assignment,
                    sandbox=not args.no_sandbox, time_limit=args.time_limit, results_path=args.results,
                    debug=args.debug)
    print(results.table())
    if results.output:
        print()
        print(results.output)
    return 1 if results.error else 0


if __name__ == "__main__":
    sys.exit(main())
