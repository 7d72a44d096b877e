"""Command line: `python -m autograder grade NOTEBOOK --results FILE` (and `demo`); see `--help`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .grade import grade
from .settings import Settings, add_options


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m autograder", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    one = commands.add_parser("grade", help="grade one student notebook")
    one.add_argument("notebook", type=Path)
    one.add_argument("--results", type=Path, required=True, help="where to write results.json (Gradescope format)")
    add_options(one.add_argument)
    demo = commands.add_parser("demo", help="grade the sample submissions and show what students get back")
    demo.add_argument("--out", type=Path, default=Path("demo-results"), help="folder for their results files")
    args = parser.parse_args(argv)
    if args.command == "demo":
        from .demo import run_demo

        return run_demo(args.out)
    settings = Settings.from_options(args)
    results = grade(args.notebook, solutions=settings.solutions, assignment=settings.assignment,
                    sandbox=settings.sandbox, limits=settings.limits, results_path=args.results,
                    debug=settings.debug)
    print(results.table())
    if results.output:
        print()
        print(results.output)
    return 1 if results.error else 0


if __name__ == "__main__":
    sys.exit(main())
