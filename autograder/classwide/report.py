"""`python -m autograder report DIR`: grades.csv, summary.json and report.html from a class's results files.

The report is one self-contained HTML file (plots inline as PNG data URIs, no script, no network) that
opens from disk. It reads only `DIR/<student>/<assignment>.results.json`, so it can be rebuilt from results
downloaded from CI; the similar-submission groups need the notebooks, so they come from `grade-class`
(through `similar=`) or from the summary.json a previous run left in DIR.
"""

from __future__ import annotations

import base64
import csv
import json
from pathlib import Path

import jinja2

from ..late.policy import LatePolicy, course_config
from ..late.policy import load as load_policy
from ..late.rule import how_late
from . import plots
from .lateness import Charge, charge, late_list
from .tally import Entry, function_scores, load, note, summarise

TEMPLATE = Path(__file__).with_name("report.html.j2")


def grades_rows(entries: list[Entry], charges: list[Charge]) -> tuple[list[str], list[list]]:
    """grades.csv: student, assignment, score (after any late penalty), max score, the grader's score, when
    it was submitted, how late, the penalty, one column per graded function, and a note that says why."""
    columns: dict[str, None] = {}  # graded functions in the order they were first seen
    scores = [function_scores(entry) for entry in entries]
    for found in scores:
        columns.update(dict.fromkeys(found))
    header = ["student", "assignment", "score", "max_score", "raw_score", "submitted", "late_by", "penalty",
              *columns, "note"]
    rows = []
    for e, found, ch in zip(entries, scores, charges, strict=True):
        late = ch.lateness
        rows.append([e.student, e.assignment, "" if e.doc is None else f"{ch.score:g}",
                     "" if e.doc is None else f"{float(e.extra.get('max_score', 0)):g}",
                     "" if e.doc is None else f"{e.score:g}",
                     f"{late.submitted:%Y-%m-%d %H:%M:%S} UTC" if late and late.submitted else "",
                     how_late(late.seconds) if late and late.seconds else "",
                     f"{ch.penalty:g}" if ch.penalty else "",
                     *(f"{found[c][0]:g}" if c in found else "" for c in columns),
                     "; ".join(filter(None, [ch.explain(), note(e)]))])
    return header, rows


def data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def render(summary: dict) -> str:
    """The HTML page; every plot drawn from the same numbers summary.json holds."""
    images = {}
    for name, a in summary["assignments"].items():
        images[name] = {"histogram": data_uri(plots.score_histogram(a["histogram"]["edges"], a["histogram"]["counts"],
                                                                     a["mean"], a["median"], a["max_score"]))}
        if a["functions"]:
            images[name]["functions"] = data_uri(plots.function_marks(a["functions"]))
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["num"] = lambda x: f"{x:g}"
    return env.from_string(TEMPLATE.read_text(encoding="utf-8")).render(summary=summary, images=images)


def previous_similar(folder: Path) -> dict[str, list[list[str]]]:
    """The similar-submission groups a previous `grade-class` run wrote into DIR/summary.json, if any."""
    try:
        previous = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
        return {name: a["similar"] for name, a in previous["assignments"].items() if a.get("similar") is not None}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}


def course_policy(config: Path | None = None) -> LatePolicy | None:
    """The late policy of `course_config(config)`, checked; None (and why, printed) when it cannot be read."""
    path = course_config(config)
    try:
        return load_policy(path).checked()
    except (OSError, ValueError, SyntaxError) as exc:
        print(f"The late policy in {path} cannot be read: {exc}")
        return None


def main(folder: Path, similar: dict[str, list[list[str]]] | None = None, policy: LatePolicy | None = None) -> int:
    """Write DIR/grades.csv, DIR/summary.json and DIR/report.html; 1 when there are no results files, 2 when
    the late policy cannot be read."""
    folder = Path(folder)
    entries = load(folder)
    if not entries:
        print(f"No results files in {folder}: expected {folder}/<student>/<assignment>.results.json.")
        return 1
    policy = policy or course_policy()
    if policy is None:
        return 2
    charges = [charge(entry, policy) for entry in entries]
    summary = summarise(entries, previous_similar(folder) if similar is None else similar)
    summary["late_policy"] = policy.rule.describe()
    late = late_list(entries, charges)
    for name, a in summary["assignments"].items():
        a["late"] = late.get(name, [])
    header, rows = grades_rows(entries, charges)
    with open(folder / "grades.csv", "w", newline="", encoding="utf-8") as out:
        csv.writer(out).writerows([header, *rows])
    (folder / "summary.json").write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    (folder / "report.html").write_text(render(summary), encoding="utf-8")
    print(f"{len(entries)} results files of {summary['students']} students: "
          f"{folder / 'grades.csv'}, {folder / 'summary.json'}, {folder / 'report.html'}")
    return 0
