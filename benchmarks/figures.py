"""The measured figures: each benchmark writes its table into a marked block of docs/figures.md.

A block is what lies between a line `<!-- NAME -->` and a line `<!-- /NAME -->` (NAME is the benchmark's,
say `bench_class`). Writing a block replaces what was between its two markers, and leaves every other byte of
the page as it was: a new measurement edits only its own table, never the notes beside it, and never the
README. The block starts with the date, the machine's core count and the command that measured it.

    --figures FILE    write the block into FILE (default docs/figures.md)
    --no-figures      print the table only
"""

from __future__ import annotations

import argparse
import datetime
import os
import sys
from pathlib import Path

FIGURES = Path(__file__).resolve().parent.parent / "docs" / "figures.md"


class BlockError(ValueError):
    """The page has no block of that name, or more than one, or its markers are out of order."""


def markers(name: str) -> tuple[str, str]:
    return f"<!-- {name} -->", f"<!-- /{name} -->"


def replace_block(text: str, name: str, body: str) -> str:
    """`text` with the lines between the block's two marker lines replaced by `body` (a blank line either side,
    so that Markdown reads the body as it would anywhere else); everything else exactly as it was."""
    start, end = markers(name)
    lines = text.splitlines(keepends=True)
    starts = [i for i, line in enumerate(lines) if line.strip() == start]
    ends = [i for i, line in enumerate(lines) if line.strip() == end]
    if len(starts) != 1 or len(ends) != 1 or ends[0] < starts[0]:
        raise BlockError(f"expected one line {start} followed by one line {end}; found {len(starts)} and "
                         f"{len(ends)}{' in the wrong order' if starts and ends and ends[0] < starts[0] else ''}")
    inside = "\n" + body.strip("\n") + "\n\n"
    return "".join(lines[: starts[0] + 1]) + inside + "".join(lines[ends[0]:])


def cores() -> int:
    """The CPUs this process may use, which is what a grader run gets (cpu_count ignores affinity)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 0


def block(report: str, script: str, argv: list[str] | None) -> str:
    """A benchmark's printed report as a block: its `# title` line replaced by when, where and how it was
    measured."""
    lines = report.strip("\n").splitlines()
    if lines and lines[0].startswith("# "):
        lines = lines[1:]
    while lines and not lines[0].strip():
        lines = lines[1:]
    shown = list(sys.argv[1:] if argv is None else argv)
    if "--figures" in shown:  # where the block goes is not part of how it was measured
        at = shown.index("--figures")
        del shown[at:at + 2]
    command = " ".join([f"benchmarks/{script}", *(a for a in shown if not a.startswith("--figures="))])
    head = f"Measured on {datetime.date.today().isoformat()} ({cores()} cores) by `{command}`:"
    return "\n".join([head, "", *lines]).rstrip() + "\n"


def write_block(path: Path, name: str, body: str) -> None:
    path.write_text(replace_block(path.read_text(encoding="utf-8"), name, body), encoding="utf-8")
    print(f"wrote the {name} block of {path}", file=sys.stderr)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--figures", type=Path, default=FIGURES, metavar="FILE",
                        help="the page whose marked block this benchmark rewrites (default docs/figures.md)")
    parser.add_argument("--no-figures", action="store_true", help="print the table only; write no block")


def record(args: argparse.Namespace, name: str, report: str, argv: list[str] | None) -> None:
    """Write `report` into the block `name` of --figures, unless --no-figures."""
    if not args.no_figures:
        write_block(args.figures, name, block(report, f"{name}.py", argv))
