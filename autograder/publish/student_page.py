"""What a student reads after a push: one row per graded function, and the feedback of each failed check.

Works on the results.json document (`Results.to_dict()`), so that it reads any results file. The same
Markdown is Classroom 50's release body and the job summary of the grading workflow. Everything that
comes from the student's code (feedback quotes what it printed and raised) is fenced, so that it can
never turn into Markdown or HTML on the page.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..grading.results import by_function, points

CHECK_LIMIT = 3000  # characters of one check's feedback on the page; results.json keeps all of it
PAGE_LIMIT = 120_000  # GitHub refuses a release body over 125,000 characters
SCORE_LINE = re.compile(r"^\S+: [\d.]+ / [\d.]+ points\.?$")  # the output's first line repeats the title


@dataclass
class FunctionRow:
    """One graded function: its points and the checks it failed (results.json test entries)."""

    function: str
    score: float = 0.0
    max_score: float = 0.0
    checks: int = 0
    failed: list[dict] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.failed

    @property
    def tags(self) -> list[str]:
        """The mistake ids recognised in its failed checks."""
        return sorted({tag for test in self.failed for tag in test.get("tags") or []})


def function_rows(results: dict) -> list[FunctionRow]:
    """The rows in the order of the checks; points stay exact multiples of 0.01."""
    rows = []
    for function, tests in by_function(results.get("tests") or []).items():
        score, max_score = points(tests)
        rows.append(FunctionRow(function, score, max_score, len(tests),
                                [t for t in tests if t.get("status") != "passed"]))
    return rows


def fenced(text: str) -> list[str]:
    """`text` as a Markdown code block whose fence is longer than any run of backticks inside it."""
    fence = "`" * max([3] + [len(run) + 1 for run in re.findall(r"`+", text)])
    return [fence, text, fence]


def cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def markdown(results: dict, *, title: str, scale: int = 1, limit: int = PAGE_LIMIT) -> str:
    """The page: score, a table of functions, then what to fix. `scale` > 1 says how the points were scaled."""
    rows = function_rows(results)
    score = round(sum(r.score for r in rows), 2)
    max_score = round(sum(r.max_score for r in rows), 2)
    lines = [f"### {title}: {score:g} / {max_score:g} points", ""]
    if scale != 1:
        lines += [f"Scores in the gradebook are whole numbers, so they count 1/{scale} points: "
                  f"{round(score * scale)} / {round(max_score * scale)}.", ""]
    notes = [line for line in (results.get("output") or "").splitlines() if not SCORE_LINE.match(line)]
    if any(line.strip() for line in notes):
        lines += [*fenced("\n".join(notes).strip()), ""]
    lines += ["| function | points | result |", "|---|---|---|"]
    for row in rows:
        result = "passed" if row.passed else f"{len(row.failed)} of {row.checks} checks failed"
        lines.append(f"| `{cell(row.function)}` | {row.score:g} / {row.max_score:g} | {result} |")
    said = "\n".join(notes)  # a message about the whole notebook is not repeated for every function
    sections = [section for row in rows for section in what_to_fix(row) if section[-2] not in said]
    if sections:
        lines += ["", "#### What to fix"]
    used = sum(len(line) + 1 for line in lines)
    for shown, section in enumerate(sections):
        size = sum(len(line) + 1 for line in section)
        if used + size > limit - 200:
            lines += ["", f"{len(sections) - shown} more messages are not shown (the page has a size limit): "
                      "fix the ones above first."]
            break
        lines += section
        used += size
    return "\n".join(lines).rstrip() + "\n"


def what_to_fix(row: FunctionRow) -> list[list[str]]:
    """One section per distinct message of the function's failed checks, naming the checks that gave it.

    Each section ends with the message, fenced: [..., fence, message, fence].
    """
    by_message: dict[str, list[str]] = {}
    for test in row.failed:
        by_message.setdefault(test.get("output") or "(no message)", []).append(test["name"].partition(": ")[2])
    sections = []
    for message, checks in by_message.items():
        if len(message) > CHECK_LIMIT:
            message = message[:CHECK_LIMIT] + "\n... (cut here: the whole message is in the results file)"
        named = "; ".join(cell(c) for c in checks if c)
        sections.append(["", f"**`{cell(row.function)}`**" + (f": {named}" if named else ""), "", *fenced(message)])
    return sections


def main(paths: list[Path]) -> int:
    """Print the Markdown of each results file (the grading workflow appends it to the job summary)."""
    for path in paths:
        try:
            results = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            print(f"### {Path(path).stem}: no results\n\n{exc}\n")
            continue
        print(markdown(results, title=(results.get("extra_data") or {}).get("assignment") or Path(path).stem))
    return 0
