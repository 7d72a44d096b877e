"""The catalogue of recognised mistakes: one stable id per mistake, beside the message a student reads.

An id is `<function>/<slug>`, the function being the last part of the checked member's qualified name
(`compute_cost/missing-mean`). Ids are written into results.json (each failed test's `tags`), so that a
class report can count them: never rename one, add a new one instead.

GENERIC mistakes are recognised by the grader itself for any function (the id is the checked function's
name, a slash, then the slug); their messages are built where they are found, with the values involved.
CATALOGUE holds the course's own mistakes, declared by the hidden-check modules beside the checks that
recognise them (`catalogue({...})` in autograder/hidden/), so that adding an assignment edits no engine
file; `{fields}` in a message are filled by the check (`mistake("train/ignores-learning-rate", learning_rate=0.3)`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

GENERIC = {
    "notebook-unreadable": "could not be graded: the notebook is not valid JSON or has none of the graded cells",
    "timeout": "did not finish within the check's time limit (an endless or very slow loop)",
    "process-ended": "ended or crashed the student process (os._exit, a crash, too much memory)",
    "not-written": "still raises NotImplementedError",
    "missing": "is not defined (renamed, deleted, or its cell failed)",
    "defined-after-checks": "uses a name that the notebook defines only below the function's check cell",
    "defined-in-block": "uses a name defined only inside a block (if, for, with...) of a cell of the student's own",
    "set-by-code-not-run": "uses a name set in a cell of the student's own by a call or other code the grader does "
                           "not run",
    "cell-syntax-error": "uses a name defined in a cell of the student's own that has a syntax error",
    "non-course-library": "imports a library other than NumPy and the standard library",
    "malformed-reply": "made the student process send data the grader cannot read",
    "returned-none": "returned None (a missing `return`)",
    "not-numbers": "returned something that is not numbers",
    "wrong-shape": "returned the wrong shape",
    "broadcast-m-by-m": "returned an (m, m) array: an (m,) array broadcast against an (m, 1) one",
    "not-finite": "returned NaN or inf",
    "opposite-sign": "returned the right values with the opposite sign",
    "missing-mean": "is m times too large: the 1/m of the average is missing",
    "divided-by-m-twice": "is m times too small: divided by m twice",
    "wrong-values": "returned wrong values that match no known mistake",
    "overflow-warning": "made NumPy warn (overflow or invalid value)",
    "too-slow": "is not vectorised: far slower than the reference on a large input",
    "check-failed": "failed a check that recognised no specific mistake",
    # raised-<ExceptionType> (e.g. "raised-TypeError"): the function raised that exception.
    "math-on-array": "used a function of Python's math module on an array",
    "truth-value-of-array": "compared a whole array as one number (max(0, z), or an if on an array)",
    "sum-drops-axis": "combined arrays that do not broadcast, usually a sum or max without keepdims=True",
}

# Exceptions whose message names a typical cause, and what to use instead: (type, message pattern, generic
# slug, advice). A raised exception that matches is recorded under the slug, with the advice below it.
RAISED_CAUSES = [
    ("TypeError", re.compile(r"only (length-1|0-dimensional|size-1) arrays can be converted to Python scalars"),
     "math-on-array", "A function of Python's math module (math.exp, math.log, math.tanh) takes one number, not "
     "an array: use NumPy's np.exp, np.log, np.tanh, which work element-wise on arrays of any shape."),
    ("ValueError", re.compile(r"truth value of an array with more than one element is ambiguous"),
     "truth-value-of-array", "Python's max(0, z), min(...) or an `if` on an array compares one number at a "
     "time: use np.maximum(0, z), np.minimum(...) or np.where(condition, a, b), which work element-wise."),
    ("ValueError", re.compile(r"operands could not be broadcast together"),
     "sum-drops-axis", "Two arrays whose shapes do not broadcast were combined. A sum or max over an axis drops "
     "that axis unless keepdims=True keeps it: np.sum(e, axis=-1, keepdims=True) has shape (m, 1), which "
     "divides an (m, n) array row by row."),
]


def raised_cause(kind: str, text: str) -> tuple[str, str] | None:
    """(generic slug, advice) for an exception whose message names a typical cause; None otherwise."""
    return next(((slug, advice) for name, pattern, slug, advice in RAISED_CAUSES
                 if kind == name and pattern.search(text)), None)

CATALOGUE: dict[str, str] = {}  # the course's mistakes: each hidden-check module adds its own (catalogue)


@dataclass(frozen=True)
class Mistake:
    """A recognised mistake: its stable id and the message the student reads."""

    id: str
    message: str


def catalogue(entries: Mapping[str, str]) -> None:
    """Add the course's mistakes (id -> message), as a hidden-check module declares those it recognises; an
    id declared twice must say the same (a module shared by several assignments declares theirs once)."""
    for mistake_id, message in entries.items():
        function, _, slug = mistake_id.partition("/")
        if not (function and SLUG.fullmatch(slug)) or CATALOGUE.get(mistake_id, message) != message:
            raise ValueError(f"mistake id {mistake_id!r}: not <function>/<slug>, or declared with another message")
        CATALOGUE[mistake_id] = message


def mistake(mistake_id: str, **fields: object) -> Mistake:
    """The catalogue's mistake `mistake_id`, its message filled with `fields`; KeyError for an unknown id."""
    return Mistake(mistake_id, CATALOGUE[mistake_id].format(**fields))


SLUG = re.compile(r"[A-Za-z0-9_-]{1,80}")


def tag(function: str, found: str | None) -> str:
    """The id to record for a failure of a check of `function`: a catalogue id as it is, a generic slug
    prefixed with the function's name; anything else (an id not catalogued) as "check-failed"."""
    if found in CATALOGUE:
        return found
    slug = found if found and SLUG.fullmatch(found) else "check-failed"
    return f"{function.rpartition('.')[2]}/{slug}"
