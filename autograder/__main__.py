"""Command line: `python -m autograder grade NOTEBOOK --results FILE` (and `demo`); see `--help`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .grade import grade
from .plugin import DEFAULT_TIME_LIMIT, SOLUTIONS


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m autograder", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    one = commands.add_parser("grade", help="grade one student notebook")
    one.add_argument("notebook", type=Path)
    one.add_argument("--results", type=Path, required=True, help="where to write results.json (Gradescope format)")
    one.add_argument("--assignment", help="grade as this assignment (default: recognised from the notebook)")
    one.add_argument("--solutions", type=Path, default=SOLUTIONS, help="folder of the source notebooks")
    one.add_argument("--no-sandbox", action="store_true", help="do not use bubblewrap even where it works")
    one.add_argument("--time-limit", type=float, default=DEFAULT_TIME_LIMIT, help="seconds per check")
    one.add_argument("--debug", action="store_true", help="print the grader's own tracebacks (never for students)")
    demo = commands.add_parser("demo", help="grade the sample submissions and show what students get back")
    demo.add_argument("--out", type=Path, default=Path("demo-results"), help="folder for their results files")
    args = parser.parse_args(argv)
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
