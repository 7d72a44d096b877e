"""Benchmark: does a grade move with load? The golden correct and buggy submissions, graded by
`grade-class --jobs 2` while hogs keep every core busy, round after round, each notebook's results compared
with its expected results file (the quiet run's, approved).

    .venv/bin/python benchmarks/bench_load.py [--rounds 5] [--hogs-per-core 2] [--tree PATH]

`--tree` grades with the grader of another checkout of this repository (say, a `git worktree` of an older
commit, beside this one under the same parent folder) against that checkout's own expected files: how the
figure in docs/figures.md for the wall-clock measure this grader used before was taken. Only a run of this
checkout's own grader writes its block there.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from bench_grade import PYTHON, REPO, bench_env, machine
from figures import add_arguments, record

HOG_SECONDS = 900  # a hog's own end, should this script be killed before it stops them
HOG = f"import time\nend = time.monotonic() + {HOG_SECONDS}\nwhile time.monotonic() < end:\n    pass\n"


@contextlib.contextmanager
def hogs(count: int) -> Iterator[list[subprocess.Popen]]:
    """`count` processes that keep a core busy each, for the length of the block."""
    started = [subprocess.Popen([sys.executable, "-c", HOG]) for _ in range(count)]
    try:
        yield started
    finally:
        for hog in started:
            hog.kill()
            hog.wait()


def verdicts(doc: dict) -> dict:
    """What must not move with load: the score and each check's verdict and message."""
    return {"score": doc["score"],
            "tests": [(t["name"], t["score"], t["status"], t["output"], t["tags"]) for t in doc["tests"]]}


def graded_class(tree: Path, root: Path) -> list[Path]:
    """The tree's golden correct and buggy submissions in grade-class's layout, one student each."""
    found = sorted(p for p in (tree / "tests" / "submissions").glob("*/*.ipynb")
                   if p.stem.startswith(("correct_", "bug_")))
    for path in found:
        folder = root / f"{path.parent.name[:2]}-{path.stem}" / path.parent.name
        folder.mkdir(parents=True)
        shutil.copyfile(path, folder / f"{path.parent.name}.ipynb")
    return found


def one_round(tree: Path, submitted: Path, found: list[Path], out: Path, busy: int) -> tuple[float, list[str]]:
    """Wall time of one grade-class under `busy` hogs, and the notebooks whose results moved (with how)."""
    with hogs(busy):
        started = time.perf_counter()
        subprocess.run([str(PYTHON), "-m", "autograder", "grade-class", str(submitted), "--out", str(out),
                        "--jobs", "2", "--force"], cwd=tree, env=bench_env(), capture_output=True, check=True)
        seconds = time.perf_counter() - started
    moved = []
    for path in found:
        got = json.loads((out / f"{path.parent.name[:2]}-{path.stem}" / f"{path.parent.name}.results.json")
                         .read_text(encoding="utf-8"))
        want = json.loads(path.with_suffix(".expected.json").read_text(encoding="utf-8"))
        if verdicts(got) != verdicts(want):
            changed = [g[0] for g, w in zip(verdicts(got)["tests"], verdicts(want)["tests"], strict=False) if g != w]
            moved.append(f"{path.parent.name}/{path.stem}: {got['score']:g} instead of {want['score']:g} "
                         f"({'; '.join(changed) or 'other checks'})")
    return seconds, moved


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--hogs-per-core", type=int, default=2)
    parser.add_argument("--tree", type=Path, default=REPO, help="the checkout whose grader is measured")
    add_arguments(parser)
    args = parser.parse_args(argv)
    tree, busy = args.tree.resolve(), args.hogs_per_core * (os.cpu_count() or 1)
    lines = [f"# Grades under load — {time.strftime('%Y-%m-%d %H:%M')}", "",
             f"Machine: {machine()['nproc']} CPUs; grader of {'this checkout' if tree == REPO else tree} (commit "
             f"{git_head(tree)}); {busy} hogs; `grade-class --jobs 2`.", "",
             "| round | notebooks | wall s | notebooks whose results moved |", "|---|---|---|---|"]
    print("\n".join(lines), flush=True)
    moved_rounds = 0
    with tempfile.TemporaryDirectory(prefix="bench-load-") as tmp:
        found = graded_class(tree, Path(tmp) / "submitted")
        for number in range(1, args.rounds + 1):
            seconds, moved = one_round(tree, Path(tmp) / "submitted", found, Path(tmp) / f"out-{number}", busy)
            moved_rounds += bool(moved)
            lines.append(f"| {number} | {len(found)} | {seconds:.1f} | {len(moved)}{': ' if moved else ''}"
                         f"{'<br>'.join(moved)} |")
            print(lines[-1], flush=True)
    lines += ["", f"Rounds with a result that moved: {moved_rounds} of {args.rounds}."]
    print("\n".join(lines[-2:]))
    if tree == REPO:
        record(args, "bench_load", "\n".join(lines), argv)
    elif not args.no_figures:
        print(f"another checkout's grader: {args.figures} left as it was", file=sys.stderr)
    return 0


def git_head(tree: Path) -> str:
    run = subprocess.run(["git", "-C", str(tree), "describe", "--always", "--dirty"], capture_output=True, text=True)
    return run.stdout.strip() or "unknown"


if __name__ == "__main__":
    sys.exit(main())
