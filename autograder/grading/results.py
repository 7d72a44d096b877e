"""Grading results, written in Gradescope's results.json format, and the table a person reads.

Format: https://gradescope-autograders.readthedocs.io/en/latest/specs/ (score, execution_time, output,
tests[] with name, score, max_score, status, output, visibility, tags, extra_data). Grader-specific facts
go in the `extra_data` the format sets aside: per test the graded function (and, for a speed check tried
more than once, each try's CPU time against its budget); for the whole, the assignment,
the maximum score, the isolation layer, why the grader or the notebook failed, which cells had problems,
which cells of the student's own supplied graded code. A failed test's `tags` are the ids of the mistakes it
recognised (mistakes.py).

Points are exact: each check's maximum is a whole number of hundredths of a point, and a function's
checks add up to exactly its points (`apportion`), so totals never read 14.999999999999998.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path


def function_of(test: dict) -> str:
    """The graded function a test of a results.json document belongs to: `extra_data.function`, else the
    name's part before ': ' (results files from elsewhere may lack the field)."""
    extra = test.get("extra_data")
    if isinstance(extra, dict) and extra.get("function"):
        return str(extra["function"])
    return str(test.get("name", "")).split(": ", 1)[0]


def write_json(path: Path, doc: dict) -> None:
    """A results file (or any JSON document), written whole: a reader, or a re-run after Ctrl-C, never sees
    half of one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    tmp.replace(path)


def by_function(tests: list[dict]) -> dict[str, list[dict]]:
    """A results file's tests grouped by the graded function they check, in the order the checks ran."""
    groups: dict[str, list[dict]] = {}
    for test in tests:
        groups.setdefault(function_of(test), []).append(test)
    return groups


def points(tests: list[dict]) -> tuple[float, float]:
    """The points of some tests and their maximum, added as whole hundredths (so 0.1 + 0.2 is 0.3)."""
    return (sum(cents(float(t.get("score", 0))) for t in tests) / 100,
            sum(cents(float(t.get("max_score", 0))) for t in tests) / 100)


def cents(points: float) -> int:
    """Points as a whole number of hundredths."""
    return round(points * 100)


def apportion(total: int, weights: list[int]) -> list[int]:
    """Split `total` in proportion to `weights` into whole numbers that add up to exactly `total`
    (largest remainders first, earlier ones first among equals)."""
    if not weights:
        return []
    whole = sum(weights)
    shares = [total * w // whole for w in weights]
    by_remainder = sorted(range(len(weights)), key=lambda i: (-(total * weights[i] % whole), i))
    for i in by_remainder[:total - sum(shares)]:
        shares[i] += 1
    return shares


@dataclass
class TestResult:
    name: str  # "<qualified name>: <what the check shows>"
    score: float
    max_score: float
    status: str  # "passed" or "failed"
    output: str = ""
    visibility: str = "visible"
    tags: list[str] = field(default_factory=list)  # ids of the mistakes a failed check recognised
    function: str = ""  # the graded function's qualified name
    tries: list[str] = field(default_factory=list)  # a speed check that was tried more than once: each try

    def to_dict(self) -> dict:
        extra = {"function": self.function or self.name.split(":", 1)[0]}
        if self.tries:
            extra["tries"] = self.tries
        return {"name": self.name, "score": self.score, "max_score": self.max_score, "status": self.status,
                "output": self.output, "visibility": self.visibility, "tags": self.tags, "extra_data": extra}


@dataclass
class Results:
    assignment: str | None
    tests: list[TestResult] = field(default_factory=list)
    output: str = ""
    execution_time: float = 0.0
    isolation: str = "none"  # "bubblewrap", "landlock" or "none"
    error: str | None = None  # set when the grader itself could not run
    notebook_error: str | None = None  # why the notebook could not be read or graded at all
    problems: dict[str, str] = field(default_factory=dict)  # cell -> why its code is not all there
    graded_from: list[str] = field(default_factory=list)  # cells of the student's own whose code the checks used

    @property
    def score(self) -> float:
        return sum(cents(t.score) for t in self.tests) / 100

    @property
    def max_score(self) -> float:
        return sum(cents(t.max_score) for t in self.tests) / 100

    def to_dict(self) -> dict:
        """The results.json document; the one place the format is decided."""
        return {
            "score": self.score,
            "execution_time": round(self.execution_time, 3),
            "output": self.output,
            "visibility": "visible",
            "stdout_visibility": "hidden",
            "tests": [t.to_dict() for t in self.tests],
            "extra_data": {"assignment": self.assignment, "max_score": self.max_score,
                           "isolation": self.isolation, "grader_error": self.error,
                           "notebook_error": self.notebook_error, "problems": self.problems,
                           "graded_from": self.graded_from},
        }


    def write(self, path: Path) -> None:
        write_json(Path(path), self.to_dict())

    def by_function(self) -> dict[str, list[TestResult]]:
        groups: dict[str, list[TestResult]] = {}
        for test in self.tests:
            groups.setdefault(test.function or test.name.split(":", 1)[0], []).append(test)
        return groups

    def table(self) -> str:
        """Each graded function, its points, passed or not, and the first line of its feedback."""
        rows = []
        for function, tests in self.by_function().items():
            got, out_of = sum(cents(t.score) for t in tests) / 100, sum(cents(t.max_score) for t in tests) / 100
            failed = [t for t in tests if t.status != "passed"]
            note = failed[0].output.splitlines()[0] if failed and failed[0].output else ""
            mark = "passed" if not failed else f"{len(failed)}/{len(tests)} failed"
            rows.append((function, f"{got:g}/{out_of:g}", mark, note))
        width = max([len(r[0]) for r in rows] + [8])
        lines = [f"{self.assignment or 'unknown assignment'}: {self.score:g}/{self.max_score:g} points"]
        lines += [f"  {f:<{width}}  {p:>7}  {m:<11}  {n[:100]}".rstrip() for f, p, m, n in rows]
        return "\n".join(lines)
