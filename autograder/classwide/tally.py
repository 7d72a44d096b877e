"""A class's numbers, from its results files alone: scores, each function's marks, mistakes, who needs a look.

Input is `DIR/<student>/<assignment>.results.json` (what `grade-class` writes, or results files downloaded
from CI and put in that layout), so the numbers can be rebuilt anywhere. Mistakes are the grader's stable
ids in each failed check's `tags` (`<member>/<slug>`), counted once per student.
"""

from __future__ import annotations

import json
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..grading.results import by_function, function_of, points

SUFFIX = ".results.json"
HISTOGRAM_BINS = 10


@dataclass
class Entry:
    """One student's results for one assignment: the document, or why it could not be read."""

    student: str
    assignment: str
    doc: dict | None
    error: str | None = None

    @property
    def score(self) -> float | None:
        return float(self.doc.get("score", 0)) if self.doc else None

    @property
    def extra(self) -> dict:
        extra = self.doc.get("extra_data") if self.doc else None
        return extra if isinstance(extra, dict) else {}

    @property
    def missing(self) -> bool:
        """No notebook was submitted: grade-class wrote this zero (every check listed) for the gradebook."""
        return bool(self.extra.get("missing"))

    @property
    def tests(self) -> list[dict]:
        tests = self.doc.get("tests") if self.doc else None
        return [t for t in tests if isinstance(t, dict)] if isinstance(tests, list) else []


def load(folder: Path) -> list[Entry]:
    """Every results file under `folder`, sorted by assignment then student."""
    entries = []
    for path in sorted(Path(folder).glob(f"*/*{SUFFIX}")):
        student, assignment = path.parent.name, path.name.removesuffix(SUFFIX)
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
            if not isinstance(doc, dict):
                raise ValueError("not a JSON object")
            entries.append(Entry(student, assignment, doc))
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            entries.append(Entry(student, assignment, None, f"its results file could not be read ({exc})"))
    return sorted(entries, key=lambda e: (e.assignment, e.student))


def tags(test: dict) -> list[str]:
    found = test.get("tags")
    return [str(t) for t in found] if isinstance(found, list) else []


def function_scores(entry: Entry) -> dict[str, tuple[float, float]]:
    """Each graded function's (score, maximum), in the order the checks ran."""
    return {function: points(tests) for function, tests in by_function(entry.tests).items()}


def needs_a_look(entry: Entry, *, unsandboxed: bool = True) -> list[str]:
    """Why an instructor should open this submission: grader failures, timeouts, crashes, invalid
    notebooks, no sandbox (unless `unsandboxed` is false), tampering, and (information, never a penalty)
    graded code that came from cells other than the answer cells. Empty for an ordinary submission,
    however low its score. Both grade-class's report and `nbgrader autograde`'s closing list say these."""
    if entry.doc is None:
        return [entry.error or "no results"]
    extra = entry.extra
    reasons = []
    if extra.get("grader_error"):
        reasons.append(f"the grader could not run: {extra['grader_error']}")
    if extra.get("notebook_error"):
        reasons.append(f"the notebook could not be graded: {extra['notebook_error']}")
    stops = {"timeout": "timed out", "process-ended": "ended the student process (crash, exit or memory)"}
    for test in entry.tests:
        for tag in tags(test):
            kind = tag.rpartition("/")[2]
            if kind in stops and (reason := f"{function_of(test)} {stops[kind]}") not in reasons:
                reasons.append(reason)
    if unsandboxed and extra.get("isolation") == "none" and not extra.get("notebook_error"):  # (else no code ran)
        reasons.append("graded without a sandbox")
    graded_from = extra.get("graded_from")
    if isinstance(graded_from, list) and graded_from:  # information for the instructor, never a penalty
        reasons.append("graded code came from cells other than the answer cells: " + "; ".join(map(str, graded_from)))
    tampering = extra.get("tampering")
    if isinstance(tampering, list):
        reasons += [f"tampering: {t}" for t in tampering]
    return reasons


def note(entry: Entry) -> str:
    """Why a row of grades.csv is what it is, when one reason explains it: its needs-a-look reasons, or the
    one message every check failed with (an unreadable or missing notebook, a renamed class)."""
    if entry.missing:
        return "no notebook submitted"
    reasons, tests = needs_a_look(entry), entry.tests
    firsts = {first_line(t.get("output")) for t in tests}
    if tests and all(t.get("status") != "passed" for t in tests) and len(firsts) == 1:
        reasons.append(firsts.pop())
    elif not tests and entry.doc and not entry.extra.get("grader_error"):  # no assignment recognised: the
        reasons.append(first_line(entry.doc.get("output")))  # summary says why
    # a message already inside a longer reason ("the notebook could not be graded: <it>") is said once
    return "; ".join(r for r in dict.fromkeys(reasons) if r and not any(r != o and r in o for o in reasons))


def first_line(text: object) -> str:
    return (str(text or "").strip().splitlines() or [""])[0]


def summarise(entries: list[Entry], similar: dict[str, list[list[str]]] | None = None) -> dict:
    """The numbers behind the report: the same ones that summary.json holds. `similar` gives each
    assignment's groups of similar submissions; an assignment it does not name gets None (not compared)."""
    by_assignment: dict[str, list[Entry]] = defaultdict(list)
    for entry in entries:
        by_assignment[entry.assignment].append(entry)
    return {"students": len({e.student for e in entries}),
            "assignments": {name: assignment_summary(group, (similar or {}).get(name))
                            for name, group in sorted(by_assignment.items())}}


def assignment_summary(entries: list[Entry], similar: list[list[str]] | None) -> dict:
    """One assignment's numbers, over the notebooks submitted (the missing ones are only listed)."""
    submitted = [e for e in entries if not e.missing]
    scored = [e for e in submitted if e.doc is not None]
    scores = [e.score for e in scored]
    max_score = max((float(e.extra.get("max_score", 0)) for e in entries if e.doc), default=0.0)
    counts, edges = np.histogram(scores, bins=HISTOGRAM_BINS, range=(0, max_score or 1))
    return {
        "submissions": len(submitted),
        "missing": [e.student for e in entries if e.missing],
        "max_score": max_score,
        "mean": round(statistics.fmean(scores), 2) if scores else None,
        "median": round(statistics.median(scores), 2) if scores else None,
        "histogram": {"edges": [round(float(x), 4) for x in edges], "counts": [int(c) for c in counts]},
        "functions": functions(scored),
        "mistakes": mistakes([e for e in scored if not e.extra.get("notebook_error")], len(submitted)),
        "needs_look": [{"student": e.student, "reasons": r} for e in submitted if (r := needs_a_look(e))],
        "similar": similar,
    }


def functions(entries: list[Entry]) -> list[dict]:
    """For each graded function: its points and how many students got full marks, partial or zero."""
    tally: dict[str, Counter] = {}
    points: dict[str, float] = {}
    for entry in entries:
        for name, (got, out_of) in function_scores(entry).items():
            points[name] = max(points.get(name, 0.0), out_of)
            kind = "zero" if got <= 0 else "full" if got >= out_of else "partial"
            tally.setdefault(name, Counter())[kind] += 1
    return [{"name": name, "points": points[name], **{k: tally[name][k] for k in ("full", "partial", "zero")}}
            for name in tally]


def mistakes(entries: list[Entry], submissions: int) -> list[dict]:
    """Each mistake id seen: which students made it (and what share of the submissions), and the feedback
    they most often read for it. (A notebook that could not be graded at all is a reason to look, listed
    once, rather than a mistake in each function.)"""
    students: dict[str, set[str]] = defaultdict(set)
    texts: dict[str, Counter] = defaultdict(Counter)
    function: dict[str, str] = {}
    for entry in entries:
        for test in entry.tests:
            for tag in tags(test):
                students[tag].add(entry.student)
                texts[tag][str(test.get("output", "")).strip()] += 1
                function.setdefault(tag, function_of(test))
    found = [{"id": tag, "function": function[tag], "count": len(who), "share": round(len(who) / submissions, 4),
              "feedback": texts[tag].most_common(1)[0][0], "students": sorted(who)}
             for tag, who in students.items()]
    return sorted(found, key=lambda m: (-m["count"], m["id"]))
