"""Grading results, written in Gradescope's results.json format, and the table a person reads.

Format: https://gradescope-autograders.readthedocs.io/en/latest/specs/ (score, execution_time, output,
tests[] with name, score, max_score, status, output, visibility). Grader-specific facts (assignment,
maximum score, isolation) go in `extra_data`, which the format sets aside for that.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path


@dataclass
class TestResult:
    name: str  # "<qualified name>: <what the check shows>"
    score: float
    max_score: float
    status: str  # "passed" or "failed"
    output: str = ""
    visibility: str = "visible"

    @property
    def function(self) -> str:
        return self.name.split(":", 1)[0]


@dataclass
class Results:
    assignment: str | None
    tests: list[TestResult] = field(default_factory=list)
    output: str = ""
    execution_time: float = 0.0
    isolation: str = "none"
    error: str | None = None  # set when the grader itself could not run

    @property
    def score(self) -> float:
        return round(sum(t.score for t in self.tests), 2)

    @property
    def max_score(self) -> float:
        return round(sum(t.max_score for t in self.tests), 2)

    def to_dict(self) -> dict:
        """The results.json document; the one place the format is decided."""
        return {
            "score": self.score,
            "execution_time": round(self.execution_time, 3),
            "output": self.output,
            "visibility": "visible",
            "stdout_visibility": "hidden",
            "tests": [asdict(t) for t in self.tests],
            "extra_data": {"assignment": self.assignment, "max_score": self.max_score,
                           "isolation": self.isolation, "grader_error": self.error},
        }

    def write(self, path: Path) -> None:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(json.dumps(self.to_dict(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        tmp.replace(path)  # atomic: a reader never sees half a file

    def by_function(self) -> dict[str, list[TestResult]]:
        groups: dict[str, list[TestResult]] = {}
        for test in self.tests:
            groups.setdefault(test.function, []).append(test)
        return groups

    def table(self) -> str:
        """Each graded function, its points, passed or not, and the first line of its feedback."""
        rows = []
        for function, tests in self.by_function().items():
            got, out_of = sum(t.score for t in tests), sum(t.max_score for t in tests)
            failed = [t for t in tests if t.status != "passed"]
            note = failed[0].output.splitlines()[0] if failed and failed[0].output else ""
            mark = "passed" if not failed else f"{len(failed)}/{len(tests)} failed"
            rows.append((function, f"{got:g}/{out_of:g}", mark, note))
        width = max([len(r[0]) for r in rows] + [8])
        lines = [f"{self.assignment or 'unknown assignment'}: {self.score:g}/{self.max_score:g} points"]
        lines += [f"  {f:<{width}}  {p:>7}  {m:<11}  {n[:100]}".rstrip() for f, p, m, n in rows]
        return "\n".join(lines)
