"""Benchmark: whole-process wall time of `python -m autograder grade` against stock `nbgrader autograde`.

For each assignment, two notebooks are graded by both tools: the reference-solved notebook
(solutions/<a>/<a>.ipynb) and the stub (exercises/<a>/<a>.ipynb, the untouched student release).
nbgrader runs in a throwaway course built in a temporary folder; its setup is not timed, only
`nbgrader autograde <a> --student s1 --force`. The two tools' runs are interleaved so that any drift
in the machine's load affects both alike. A run that exits non-zero (or whose results show the
grader did not run) is an error, never a time.

    .venv/bin/python benchmarks/bench_grade.py [--runs N | --quick] [--assignments A ...] [--json FILE]

It prints its table and writes it into the bench_grade block of docs/figures.md (benchmarks/figures.py).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from figures import add_arguments, record  # same folder

from autograder.grading.notebook import read_cells, read_notebook

REPO = Path(__file__).resolve().parent.parent
VENV_BIN = REPO / ".venv" / "bin"
PYTHON = VENV_BIN / "python"
ASSIGNMENTS = ("01_neuron", "02_logistic_regression", "03_activation_functions")
SETTLE = 1.0  # seconds of rest after each nbgrader run: its kernel may still be shutting down on the other core
TARGET_SECONDS = 1.0  # autograder median for one notebook, all hidden tests
TARGET_RATIO = 0.5  # autograder median / nbgrader median
TIMEOUT = 600  # seconds; a hung grader is an error, not a very long time
STUDENT = "s1"


class BenchError(Exception):
    """A grading run failed: reported in place of a time."""


@dataclass
class Run:
    seconds: float
    score: float | None = None
    max_score: float | None = None
    isolation: str | None = None


@dataclass
class Row:
    notebook: str  # "<assignment> reference" or "<assignment> stub"
    submission: str  # what was graded, for the record
    autograder: list[Run] = field(default_factory=list)
    nbgrader: list[Run] = field(default_factory=list)
    error: str | None = None
    warnings: list[str] = field(default_factory=list)  # nbgrader's, while grading this notebook


# --- running things -------------------------------------------------------------------------------------


def bench_env() -> dict[str, str]:
    """The venv's bin first on PATH: nbgrader runs `alembic` (and the kernel) by name."""
    env = dict(os.environ)
    env["PATH"] = f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}"
    env.pop("PYTHONPATH", None)  # the venv alone decides what is imported
    return env


def run(cmd: list[str], cwd: Path) -> tuple[float, subprocess.CompletedProcess[str]]:
    """Run `cmd` to completion; its wall time and result. Non-zero exit or a timeout raise BenchError."""
    started = time.perf_counter()
    try:
        done = subprocess.run(cmd, cwd=cwd, env=bench_env(), capture_output=True, text=True, timeout=TIMEOUT)
    except subprocess.TimeoutExpired as exc:
        raise BenchError(f"{' '.join(cmd)}: no result after {TIMEOUT} s") from exc
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        tail = "\n".join((done.stderr or done.stdout).strip().splitlines()[-15:])
        raise BenchError(f"{' '.join(cmd)} exited with {done.returncode}:\n{tail}")
    return seconds, done


def warnings_in(text: str) -> set[str]:
    """Warning lines worth reporting (nbgrader's SAWarnings, checksum and kernel warnings), shortened."""
    found = set()
    for line in text.splitlines():
        if ("WARNING" not in line and "Warning:" not in line) or "Removing existing assignment" in line:
            continue  # that one is just --force doing its job
        line = re.sub(r"^\S*site-packages/", "", line.strip())
        line = re.sub(r" \(should be: \w+, got: \w+\)", "", line)  # the checksums themselves say nothing
        found.add(line.split(" (This warning originated")[0].split(". All communication")[0])
    return found


# --- the autograder -------------------------------------------------------------------------------------


def autograde(notebook: Path, results: Path) -> Run:
    """Time `python -m autograder grade` from the repository root; check its results file."""
    results.unlink(missing_ok=True)  # so a stale file cannot pass for this run's
    seconds, _ = run([str(PYTHON), "-m", "autograder", "grade", str(notebook), "--results", str(results)], REPO)
    if not results.exists():
        raise BenchError(f"autograder wrote no results file for {notebook}")
    data = json.loads(results.read_text(encoding="utf-8"))
    extra = data.get("extra_data", {})
    # The command exits 0 when the notebook cannot be read or recognised: nothing was graded, so no time.
    if extra.get("grader_error") or extra.get("assignment") is None:
        raise BenchError(f"autograder did not grade {notebook}: {extra.get('grader_error') or data.get('output')}")
    return Run(seconds, data.get("score"), extra.get("max_score"), extra.get("isolation"))


# --- nbgrader -------------------------------------------------------------------------------------------


class Course:
    """A throwaway nbgrader course for one assignment, its source copied from solutions/."""

    def __init__(self, root: Path, assignment: str) -> None:
        self.root = root
        self.assignment = assignment
        self.db = f"sqlite:///{root / 'gradebook.db'}"
        self.warnings: set[str] = set()

    @property
    def release_notebook(self) -> Path:
        return self.root / "release" / self.assignment / f"{self.assignment}.ipynb"

    @property
    def source_notebook(self) -> Path:
        return self.root / "source" / self.assignment / f"{self.assignment}.ipynb"

    def nbgrader(self, *args: str) -> float:
        seconds, done = run([str(VENV_BIN / "nbgrader"), *args, "--db", self.db], self.root)
        self.warnings |= warnings_in(done.stderr)
        return seconds

    def setup(self) -> None:
        """Source, config, release and student: everything autograde needs, none of it timed."""
        shutil.copytree(REPO / "solutions" / self.assignment, self.root / "source" / self.assignment)
        stub = read_code_stub()
        (self.root / "nbgrader_config.py").write_text(
            "c = get_config()  # noqa: F821\n"
            f"c.CourseDirectory.root = {str(self.root)!r}\n"
            f"c.ClearSolutions.code_stub = {stub!r}\n",
            encoding="utf-8",
        )
        self.nbgrader("generate_assignment", self.assignment, "--force")
        self.nbgrader("db", "student", "add", STUDENT)

    def submit(self, notebook: Path) -> None:
        folder = self.root / "submitted" / STUDENT / self.assignment
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(notebook, folder / f"{self.assignment}.ipynb")

    def autograde(self) -> Run:
        """Time `nbgrader autograde`; check that it wrote the graded notebook and read the score back."""
        seconds = self.nbgrader("autograde", self.assignment, "--student", STUDENT, "--force")
        graded = self.root / "autograded" / STUDENT / self.assignment / f"{self.assignment}.ipynb"
        if not graded.exists():
            raise BenchError(f"nbgrader autograde exited 0 but wrote no {graded}")
        score, max_score = self.score()
        return Run(seconds, score, max_score)

    def score(self) -> tuple[float, float]:
        """The submission's auto score and maximum, straight from the gradebook (sqlite3: no extra import)."""
        with sqlite3.connect(self.root / "gradebook.db") as db:
            got = db.execute(
                "SELECT COALESCE(SUM(COALESCE(g.manual_score, g.auto_score, 0) + COALESCE(g.extra_credit, 0)), 0)"
                " FROM grade g JOIN submitted_notebook n ON g.notebook_id = n.id"
                " JOIN submitted_assignment a ON n.assignment_id = a.id WHERE a.student_id = ?", (STUDENT,)
            ).fetchone()[0]
            out_of = db.execute("SELECT COALESCE(SUM(max_score), 0) FROM grade_cells").fetchone()[0]
        return float(got), float(out_of)


def read_code_stub() -> dict[str, str]:
    """The repository's ClearSolutions.code_stub, so the throwaway release matches exercises/."""
    # traitlets (an nbgrader dependency) loads the file exactly as nbgrader does; imported here so that
    # `--help` stays instant.
    from traitlets.config.loader import PyFileConfigLoader

    config = PyFileConfigLoader("nbgrader_config.py", path=str(REPO)).load_config()
    return dict(config.ClearSolutions.code_stub)


def splice_solutions(release: Path, source: Path, out: Path) -> Path:
    """The release notebook with the source's answer cells pasted in (matched by grade_id): a solved
    submission that nbgrader's cell-changed checks see as a student's, fair to both tools."""
    answers = {c["nbgrader"]["grade_id"]: c["source"] for c in read_cells(source) if c["nbgrader"].get("solution")}
    notebook = read_notebook(release)
    for cell in notebook["cells"]:
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if grade_id in answers:
            cell["source"] = answers[grade_id]
    out.write_text(json.dumps(notebook, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return out


# --- one assignment -------------------------------------------------------------------------------------


def full_marks(result: Run) -> bool:
    return result.score is not None and result.max_score is not None and result.score >= result.max_score > 0


def bench_assignment(assignment: str, runs: int, notes: list[str]) -> list[Row]:
    with tempfile.TemporaryDirectory(prefix=f"bench-{assignment}-") as tmp:
        root = Path(tmp)
        course = Course(root / "course", assignment)
        try:
            course.setup()
        except BenchError as exc:
            return [Row(f"{assignment} {kind}", "", error=f"nbgrader setup: {exc}") for kind in ("reference", "stub")]
        rows = [bench_notebook(f"{assignment} reference", reference_notebook(course, root, notes), course, root, runs),
                bench_notebook(f"{assignment} stub", stub_notebook(course, notes), course, root, runs)]
        return rows


def reference_notebook(course: Course, tmp: Path, notes: list[str]) -> Path:
    """solutions/<a>/<a>.ipynb, unless nbgrader denies it full marks: then the spliced release notebook."""
    source = REPO / "solutions" / course.assignment / f"{course.assignment}.ipynb"
    course.submit(source)
    try:
        if full_marks(course.autograde()):  # also the untimed warm-up
            return source
    except BenchError:
        pass  # judged again below, on the notebook actually timed
    notes.append(f"{course.assignment}: nbgrader did not give the source notebook full marks; the reference-solved "
                 "notebook for BOTH tools is the release notebook with the solutions pasted in")
    return splice_solutions(course.release_notebook, course.source_notebook, tmp / f"{course.assignment}.ipynb")


def stub_notebook(course: Course, notes: list[str]) -> Path:
    """exercises/<a>/<a>.ipynb; if it is missing, the release nbgrader just generated from the same source."""
    stub = REPO / "exercises" / course.assignment / f"{course.assignment}.ipynb"
    if stub.exists():
        return stub
    notes.append(f"{course.assignment}: {stub.relative_to(REPO)} is missing; the stub timed is the release "
                 "notebook `nbgrader generate_assignment` made from solutions/ (what exercises/ should hold)")
    return course.release_notebook


def bench_notebook(label: str, notebook: Path, course: Course, tmp: Path, runs: int) -> Row:
    """One untimed warm-up of each tool (disk cache, .pyc files), then `runs` interleaved timed runs."""
    shown = notebook.relative_to(REPO) if notebook.is_relative_to(REPO) else notebook.name + " (generated)"
    row = Row(label, str(shown))
    results = tmp / "results.json"
    course.submit(notebook)
    course.warnings.clear()
    try:
        autograde(notebook, results)
        course.autograde()
        for _ in range(runs):
            row.autograder.append(autograde(notebook, results))
            row.nbgrader.append(course.autograde())
            time.sleep(SETTLE)
    except BenchError as exc:
        row.error = str(exc)
    row.warnings = sorted(course.warnings)
    return row


# --- report ---------------------------------------------------------------------------------------------


def machine() -> dict[str, str | int]:
    model = "unknown"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text(encoding="utf-8", errors="replace").splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    version = subprocess.run([str(PYTHON), "-c", "import platform; print(platform.python_version())"],
                             capture_output=True, text=True, check=True).stdout.strip()
    # The CPUs this process may use, which is what a grader run gets (cpu_count ignores affinity/cgroups).
    nproc = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 0
    return {"nproc": nproc, "python": version, "cpu": model, "platform": platform.platform()}


def summary(runs: list[Run]) -> dict[str, float]:
    times = [r.seconds for r in runs]
    return {"median": statistics.median(times), "min": min(times), "max": max(times)}


def score_text(run: Run) -> str:
    if run.score is None or run.max_score is None:
        return "?"
    return f"{run.score:g}/{run.max_score:g}"


def table_lines(rows: list[Row]) -> list[str]:
    lines = ["| notebook | autograder median s (min–max) | nbgrader median s (min–max) | ratio | "
             "score autograder / nbgrader | isolation | meets target |",
             "|---|---|---|---|---|---|---|"]
    for row in rows:
        if row.error:
            lines.append(f"| {row.notebook} | ERROR | ERROR | – | – | – | no (see errors) |")
            continue
        ag, nb = summary(row.autograder), summary(row.nbgrader)
        ratio = ag["median"] / nb["median"]
        meets = ag["median"] <= TARGET_SECONDS and ratio <= TARGET_RATIO
        isolation = ", ".join(sorted({r.isolation or "?" for r in row.autograder}))
        lines.append(f"| {row.notebook} | {ag['median']:.3f} ({ag['min']:.3f}–{ag['max']:.3f}) | "
                     f"{nb['median']:.3f} ({nb['min']:.3f}–{nb['max']:.3f}) | {ratio:.2f} | "
                     f"{score_text(row.autograder[-1])} / {score_text(row.nbgrader[-1])} | {isolation} | "
                     f"{'yes' if meets else 'no'} |")
    return lines


def report(rows: list[Row], info: dict, notes: list[str], warnings: bool = True) -> str:
    """The printed table; `warnings=False` for docs/figures.md, where nbgrader's usual warnings (the
    checksum of a stub's cells, a kernel over TCP) would bury the figures."""
    lines = [f"# Grading benchmark — {info['date']}", "",
             f"Machine: {info['machine']['nproc']} CPUs, {info['machine']['cpu']}; Python {info['machine']['python']}; "
             f"{info['runs']} timed runs per tool and notebook (median, after one untimed warm-up each).",
             f"Target: autograder median ≤ {TARGET_SECONDS:g} s and ≤ {TARGET_RATIO:g} × nbgrader's median.", ""]
    lines += table_lines(rows)
    errors = [f"- {row.notebook}: {row.error}" for row in rows if row.error]
    if errors:
        lines += ["", "Errors:", *errors]
    warned = [f"- {row.notebook}: {w}" for row in rows for w in row.warnings]
    if warned and warnings:
        lines += ["", "nbgrader warnings:", *warned]
    if notes:
        lines += ["", "Notes:", *(f"- {note}" for note in notes)]
    return "\n".join(lines)


def to_json(rows: list[Row], info: dict, notes: list[str]) -> dict:
    out = dict(info, target={"seconds": TARGET_SECONDS, "ratio": TARGET_RATIO}, notes=notes, rows=[])
    for row in rows:
        entry = asdict(row)
        if not row.error:
            entry["summary"] = {"autograder": summary(row.autograder), "nbgrader": summary(row.nbgrader)}
        out["rows"].append(entry)
    return out


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5, help="timed runs per tool and notebook (default 5)")
    parser.add_argument("--quick", action="store_true", help="2 runs: a rough figure, fast")
    parser.add_argument("--assignments", nargs="+", default=list(ASSIGNMENTS), metavar="A",
                        help=f"assignments to time (default: {' '.join(ASSIGNMENTS)})")
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write every time and score to FILE")
    add_arguments(parser)
    args = parser.parse_args(argv)
    if args.quick:
        args.runs = 2
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    unknown = [a for a in args.assignments if not (REPO / "solutions" / a).is_dir()]
    if unknown:
        parser.error(f"no solutions/ folder for: {', '.join(unknown)}")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    info = {"date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
            "machine": machine(), "runs": args.runs}
    rows: list[Row] = []
    notes: list[str] = []
    for assignment in args.assignments:
        print(f"timing {assignment} ...", file=sys.stderr, flush=True)
        rows += bench_assignment(assignment, args.runs, notes)
    for row in rows:
        if not row.error and not full_marks(row.autograder[-1]) and "reference" in row.notebook:
            notes.append(f"{row.notebook}: the autograder did not give full marks ({score_text(row.autograder[-1])})")
    text = report(rows, info, notes)
    print(text)
    if any(row.error for row in rows):
        if not args.no_figures:
            print(f"errors: {args.figures} left as it was", file=sys.stderr)
    else:
        record(args, "bench_grade", report(rows, info, notes, warnings=False), argv)
    if args.json:
        args.json.write_text(json.dumps(to_json(rows, info, notes), indent=2, ensure_ascii=False) + "\n",
                             encoding="utf-8")
    return 1 if any(row.error for row in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
