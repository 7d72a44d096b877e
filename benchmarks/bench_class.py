"""Benchmark: a whole class graded by `grade-class`, beside stock `nbgrader autograde` in the same run.

The class is generated from the example submissions under tests/submissions/ (students s000, s001, ...,
each with the three assignments, until --submissions notebooks): each notebook is a copy of an example
drawn at random, by kind, with the weights below (correct, bug, hostile = faulty_* and cheat_*; an
assignment without hostile examples, 03_activation_functions, draws correct and bug only).

`grade-class` grades the whole class, once per --jobs value (from scratch each time, --force), then once
more with nothing changed (what a re-run costs), and `report` is timed on its own; then, with the default
--jobs, a class of as many notebooks drawn from the correct and bug examples only (what the hostile ones
cost), and the class again with a zygote of its own for every notebook (what a kernel below Landlock ABI 6
costs: there one zygote may not serve one notebook after another), and the class again while hogs keep
every core busy (two per core), its results compared with the quiet run's. Stock nbgrader grades a stratified
sample of the same class (--nbgrader-sample; 0 = the whole class, which takes long): one
`nbgrader autograde <a> --force` per assignment in a throwaway course, so its start-up is shared as an
instructor's would be. Its kernels run with a 4 GiB address-space limit, so that
the memory hog cannot take the (shared) machine down; everything else is stock.

    .venv/bin/python benchmarks/bench_class.py [--submissions 200] [--jobs 1 2 4] [--nbgrader-sample 30]

It prints its tables and writes them into the bench_class block of docs/figures.md (benchmarks/figures.py).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

from bench_grade import ASSIGNMENTS, PYTHON, REPO, VENV_BIN, bench_env, machine, read_code_stub, run
from bench_load import hogs, verdicts
from figures import add_arguments, record

EXAMPLES = REPO / "tests" / "submissions"
WEIGHTS = {"correct": 0.4, "bug": 0.4, "hostile": 0.2}
NBGRADER_MEMORY = 4 * 2**30
NBGRADER_TIMEOUT = 3600  # seconds for one `nbgrader autograde` of a sample
TARGET_PER_NOTEBOOK = 0.2  # seconds, on 2 cores
TARGET_RATIO = 4.0  # nbgrader's time per submission / grade-class's


@dataclass(frozen=True)
class Submission:
    student: str
    assignment: str
    kind: str
    example: str


def kind_of(example: Path) -> str:
    prefix = example.stem.split("_")[0]
    return "hostile" if prefix in ("faulty", "cheat") else prefix


def make_class(submitted: Path, count: int, seed: int, weights: dict[str, float] = WEIGHTS) -> list[Submission]:
    """`count` notebooks in nbgrader's submitted/ layout, each a copy of an example drawn by kind."""
    examples: dict[tuple[str, str], list[Path]] = defaultdict(list)
    for path in sorted(EXAMPLES.glob("*/*.ipynb")):
        examples[path.parent.name, kind_of(path)].append(path)
    rng = random.Random(seed)
    made = []
    for i in range(count):
        student, assignment = f"s{i // len(ASSIGNMENTS):03d}", ASSIGNMENTS[i % len(ASSIGNMENTS)]
        kinds = [k for k in weights if weights[k] and examples[assignment, k]]
        kind = rng.choices(kinds, weights=[weights[k] for k in kinds])[0]
        example = rng.choice(examples[assignment, kind])
        target = submitted / student / assignment / f"{assignment}.ipynb"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(example, target)
        made.append(Submission(student, assignment, kind, example.stem))
    return made


# --- grade-class ----------------------------------------------------------------------------------------
# `python -m autograder`, with one zygote per notebook as below Landlock ABI 6 (autograder.sandbox.launch.shares_zygote)
PER_NOTEBOOK = ("import sys, autograder.grading.student as s; s.shares_zygote = lambda layers: False; "
                "from autograder.__main__ import main; sys.exit(main(sys.argv[1:]))")


def grade_class(submitted: Path, out: Path, *extra: str, shared: bool = True) -> tuple[float, float]:
    """Wall time of one grade-class, and the machine's load average over the last minute at its end."""
    python = [str(PYTHON), "-m", "autograder"] if shared else [str(PYTHON), "-c", PER_NOTEBOOK]
    seconds, _ = run([*python, "grade-class", str(submitted), "--out", str(out), *extra], REPO)
    return seconds, os.getloadavg()[0]


def moved_by_load(quiet: Path, busy: Path, made: list[Submission]) -> list[str]:
    """The notebooks whose score, or any check's verdict or message, differs between two runs."""
    def read(out: Path, sub: Submission) -> dict:
        return json.loads((out / sub.student / f"{sub.assignment}.results.json").read_text(encoding="utf-8"))

    return [f"{s.student}/{s.assignment}" for s in made if verdicts(read(quiet, s)) != verdicts(read(busy, s))]


def time_per_kind(out: Path, made: list[Submission]) -> dict[str, dict]:
    """Grading time inside the worker (results' execution_time), per kind of submission."""
    times: dict[str, list[float]] = defaultdict(list)
    for sub in made:
        doc = json.loads((out / sub.student / f"{sub.assignment}.results.json").read_text(encoding="utf-8"))
        if doc["extra_data"].get("grader_error"):
            raise RuntimeError(f"the grader failed on {sub}: {doc['extra_data']['grader_error']}")
        times[sub.kind].append(doc["execution_time"])
    return {kind: {"notebooks": len(t), "median": statistics.median(t), "max": max(t), "total": sum(t)}
            for kind, t in sorted(times.items())}


# --- stock nbgrader -------------------------------------------------------------------------------------
def sample(made: list[Submission], size: int, seed: int) -> list[Submission]:
    """A sample stratified by assignment and kind, at least one of each; the whole class when size is 0."""
    if size <= 0 or size >= len(made):
        return made
    strata: dict[tuple[str, str], list[Submission]] = defaultdict(list)
    for sub in made:
        strata[sub.assignment, sub.kind].append(sub)
    rng = random.Random(seed)
    return [s for group in strata.values()
            for s in rng.sample(group, max(1, round(size * len(group) / len(made))))]


def limit_memory() -> None:  # in nbgrader's process, before exec: its kernels inherit the limit
    resource.setrlimit(resource.RLIMIT_AS, (NBGRADER_MEMORY, NBGRADER_MEMORY))


def nbgrader_course(root: Path) -> tuple[Path, list[str]]:
    """A throwaway course with the three assignments generated (not timed); its folder and --db option."""
    course = root / "course"
    for assignment in ASSIGNMENTS:
        shutil.copytree(REPO / "solutions" / assignment, course / "source" / assignment)
    (course / "nbgrader_config.py").write_text(
        "c = get_config()  # noqa: F821\n"
        f"c.CourseDirectory.root = {str(course)!r}\n"
        f"c.ClearSolutions.code_stub = {read_code_stub()!r}\n", encoding="utf-8")
    db = ["--db", f"sqlite:///{course / 'gradebook.db'}"]
    for assignment in ASSIGNMENTS:
        run([str(VENV_BIN / "nbgrader"), "generate_assignment", assignment, "--force", *db], course)
    return course, db


def nbgrader_autograde(chosen: list[Submission], course: Path, db: list[str]) -> tuple[float, int]:
    """Wall time of `nbgrader autograde <a> --force` over the chosen notebooks (one run per assignment), and
    how many it wrote back graded (one it failed on still cost it the time)."""
    for folder in ("submitted", "autograded"):
        shutil.rmtree(course / folder, ignore_errors=True)
    for sub in chosen:
        target = course / "submitted" / sub.student / sub.assignment / f"{sub.assignment}.ipynb"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(EXAMPLES / sub.assignment / f"{sub.example}.ipynb", target)
    started = time.perf_counter()
    for assignment in sorted({s.assignment for s in chosen}):
        subprocess.run([str(VENV_BIN / "nbgrader"), "autograde", assignment, "--force", *db], cwd=course,
                       env=bench_env(), capture_output=True, timeout=NBGRADER_TIMEOUT, preexec_fn=limit_memory)
    return time.perf_counter() - started, len(list((course / "autograded").glob("*/*/*.ipynb")))


def time_nbgrader(made: list[Submission], size: int, seed: int, root: Path) -> dict:
    """Stock nbgrader on a sample: the regular notebooks (correct, bug) and the hostile ones timed apart, then
    the whole class estimated from the two, weighted by its mix."""
    chosen = sample(made, size, seed)
    course, db = nbgrader_course(root)
    groups = {"correct or bug": [s for s in chosen if s.kind != "hostile"],
              "hostile": [s for s in chosen if s.kind == "hostile"]}
    found = {"which": "the whole class" if len(chosen) == len(made) else
             f"a sample of {len(chosen)}, stratified by assignment and kind", "groups": {}}
    estimate = 0.0
    for name, group in groups.items():
        if not group:
            continue
        print(f"nbgrader autograde of {len(group)} {name} notebooks ...", file=sys.stderr, flush=True)
        seconds, graded = nbgrader_autograde(group, course, db)
        found["groups"][name] = {"notebooks": len(group), "seconds": seconds, "graded": graded,
                                 "load": os.getloadavg()[0]}
        in_class = sum(1 for s in made if (s.kind == "hostile") == (name == "hostile"))
        estimate += in_class * seconds / len(group)
    found["estimate"] = estimate
    return found


# --- report ---------------------------------------------------------------------------------------------
def row(what: str, notebooks: int, seconds: float, students: float, load: float | None = None) -> str:
    load_text = "–" if load is None else f"{load:.1f}"
    return (f"| {what} | {notebooks} | {seconds:.1f} | {seconds / notebooks:.3f} | {seconds / students:.3f} | "
            f"{load_text} |")


def report(info: dict) -> str:
    n, students = info["notebooks"], info["students"]
    per_student = n / students  # notebooks per student
    lines = [f"# Class benchmark — {info['date']}", "",
             f"Machine: {info['machine']['nproc']} CPUs, {info['machine']['cpu']}; Python {info['machine']['python']}.",
             f"Class: {n} notebooks of {students} students, from tests/submissions/ (seed {info['seed']}): "
             + ", ".join(f"{c} {k}" for k, c in sorted(info["mix"].items())) + ".", "",
             "| run | notebooks | wall s | s per notebook | s per student | load after |",
             "|---|---|---|---|---|---|"]
    lines += [row(f"`grade-class --jobs {jobs}`", n, wall, students, load)
              for jobs, (wall, load) in info["grade_class"].items()]
    wall, load = info["rerun"]
    lines.append(row("`grade-class`, re-run with nothing changed", n, wall, students, load))
    wall, load = info["regular"]
    lines.append(row("`grade-class`, a class of as many notebooks, none hostile", n, wall, students, load))
    wall, load = info["per_notebook"]
    lines.append(row("`grade-class`, the class, a zygote per notebook (as below Landlock ABI 6)", n, wall, students,
                     load))
    wall, load = info["busy"]["run"]
    lines.append(row(f"`grade-class`, the class, every core also busy ({info['busy']['hogs']} hogs)", n, wall,
                     students, load))
    best = min(wall for wall, _ in info["grade_class"].values()) / n
    nb = info.get("nbgrader")
    if nb:
        for name, group in nb["groups"].items():
            lines.append(row(f"stock `nbgrader autograde`, {group['notebooks']} {name} of the class",
                             group["notebooks"], group["seconds"], group["notebooks"] / per_student, group["load"]))
        lines.append(row("stock `nbgrader autograde`, whole class estimated from these", n, nb["estimate"], students))
    moved = info["busy"]["moved"]
    lines += ["", f"Best grade-class: {best:.3f} s per notebook (target ≤ {TARGET_PER_NOTEBOOK:g} on 2 cores).",
              f"With every core busy: {n - len(moved)} of {n} notebooks graded exactly as on the quiet machine "
              "(score, and every check's verdict and message)" + (f"; moved: {', '.join(moved)}." if moved else ".")]
    if nb:
        lines.append(f"Stock nbgrader ({nb['which']}): {nb['estimate'] / n / best:.1f}× as long per submission "
                     f"(target ≥ {TARGET_RATIO:g}×).")
        failed = [f"{g['notebooks'] - g['graded']} {name}" for name, g in nb["groups"].items()
                  if g["graded"] < g["notebooks"]]
        if failed:
            lines.append(f"nbgrader failed on {', '.join(failed)} notebooks, after spending the time counted.")
    lines += [f"`report` alone (summary, plots, HTML of {n} results files): {info['report']:.2f} s.",
              "Load after: the machine's load average over the minute before the run ended (2 means both cores "
              "were busy): anything above what the run itself puts on the machine is someone else's work, and "
              "slows the run.", "",
              "Where grade-class's time goes (grading time per notebook inside a worker, `--jobs "
              f"{info['per_kind_jobs']}` run):", "",
              "| kind | notebooks | median s | max s | total s |", "|---|---|---|---|---|"]
    for kind, t in info["per_kind"].items():
        lines.append(f"| {kind} | {t['notebooks']} | {t['median']:.3f} | {t['max']:.2f} | {t['total']:.1f} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--submissions", type=int, default=200, help="notebooks in the class (default 200)")
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2, 4], help="grade-class --jobs values to time")
    parser.add_argument("--nbgrader-sample", type=int, default=30,
                        help="notebooks stock nbgrader grades, stratified (default 30; 0 = the whole class)")
    parser.add_argument("--no-nbgrader", action="store_true", help="time grade-class only")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write every figure to FILE")
    add_arguments(parser)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-class-") as tmp:
        root = Path(tmp)
        made = make_class(root / "submitted", args.submissions, args.seed)
        info = {"date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"), "machine": machine(),
                "seed": args.seed, "notebooks": len(made), "students": len({s.student for s in made}),
                "mix": dict(Counter(s.kind for s in made)), "grade_class": {}}
        for jobs in args.jobs:
            print(f"grade-class --jobs {jobs} ...", file=sys.stderr, flush=True)
            info["grade_class"][jobs] = grade_class(root / "submitted", root / f"out-{jobs}", "--jobs", str(jobs),
                                                    "--force")
        first = root / f"out-{args.jobs[0]}"
        info["per_kind"], info["per_kind_jobs"] = time_per_kind(first, made), args.jobs[0]
        info["rerun"] = grade_class(root / "submitted", first, "--jobs", str(args.jobs[0]))
        info["report"], _ = run([str(PYTHON), "-m", "autograder", "report", str(first)], REPO)
        print("grade-class of a class without hostile notebooks ...", file=sys.stderr, flush=True)
        make_class(root / "regular", args.submissions, args.seed, {**WEIGHTS, "hostile": 0})
        info["regular"] = grade_class(root / "regular", root / "out-regular", "--force")
        print("grade-class with a zygote per notebook ...", file=sys.stderr, flush=True)
        info["per_notebook"] = grade_class(root / "submitted", root / "out-per-notebook", "--force", shared=False)
        print("grade-class with every core busy ...", file=sys.stderr, flush=True)
        busy = 2 * (os.cpu_count() or 1)
        with hogs(busy):
            run_busy = grade_class(root / "submitted", root / "out-busy", "--force")
        info["busy"] = {"hogs": busy, "run": run_busy, "moved": moved_by_load(first, root / "out-busy", made)}
        if not args.no_nbgrader:
            info["nbgrader"] = time_nbgrader(made, args.nbgrader_sample, args.seed, root)
    text = report(info)
    print(text)
    record(args, "bench_class", text, argv)
    if args.json:
        args.json.write_text(json.dumps(info, indent=2, default=str) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
