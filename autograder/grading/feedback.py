"""Feedback a student can act on: what a check expected, what came back, and the likely mistake.

Hidden checks fail by raising `Feedback`; its message is all the student sees of the check (never its
source, never a whole expected array), and its `mistake` is the stable id of what was recognised (see
mistakes.py). `compare` recognises the usual mistakes by their fingerprints: a wrong shape, NaN or inf, a
flipped sign, a factor of m, or a named suspect (the value a specific bug would give, computed by the check).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NoReturn

import numpy as np

from ..sandbox.inside.protocol import Opaque
from .mistakes import Mistake


class Feedback(AssertionError):
    """A failed check, worded for the student; `mistake` is a catalogue id, or a generic slug that the
    grader prefixes with the checked function's name ("wrong-shape" -> "forward/wrong-shape")."""

    def __init__(self, message: str, mistake: str | None = None) -> None:
        super().__init__(message)
        self.mistake = mistake


class StudentError(Feedback):
    """The student's code raised an exception, timed out, or ended its process."""


class StudentTimeout(StudentError):
    """The student's code did not finish before the check's deadline (or a timed call's CPU limit)."""

    cpu_seconds = 0.0  # a timed call's: the CPU time it had used when it was stopped


def fail(message: str, mistake: str | None = None) -> NoReturn:
    raise Feedback(message, mistake)


def fmt(x: Any) -> str:
    """A short, stable rendering of a number."""
    if isinstance(x, (bool, np.bool_)):
        return str(bool(x))
    if isinstance(x, (int, np.integer)):
        return str(int(x))
    return f"{float(x):.6g}"


def describe(value: Any) -> str:
    """What a value is, in a few words: its type and shape, never more than a glimpse of its contents.
    Total: whatever the student's code returned, this returns a phrase and never raises."""
    try:
        return _describe(value)
    except Exception:  # a value whose own methods fail (an Opaque aside, only numbers and containers arrive)
        return f"a value of type {type(value).__name__}"


def _describe(value: Any) -> str:
    if value is None:
        return "None"
    if isinstance(value, Opaque):
        return f"a {value.type_name} object"
    if isinstance(value, str):
        return f"a str ({glimpse(value)})"
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape} and dtype {value.dtype}"
    if isinstance(value, (tuple, list)):
        return f"a {type(value).__name__} of {len(value)} items"
    if isinstance(value, dict):
        return f"a dict with {len(value)} keys"
    if isinstance(value, (complex, np.complexfloating)):
        return f"{type(value).__name__} {value}"
    if isinstance(value, (bool, int, float, np.bool_, np.number)):
        return f"{type(value).__name__} {fmt(value)}"
    return f"a {type(value).__name__}"


def glimpse(text: str, limit: int = 30) -> str:
    """A string as Python would show it, cut to about `limit` characters."""
    return repr(text) if len(text) <= limit else repr(text[:limit]) + f"... ({len(text)} characters)"


def real_numbers(value: Any) -> np.ndarray | None:
    """`value` as an array of floats if it is made of real numbers only (bools, integers, floats, or arrays,
    lists and tuples of them, evenly nested); None for anything else: strings such as "0.5", complex numbers,
    objects, ragged lists, dicts."""
    try:
        array = np.asarray(value)
        return array.astype(float) if array.dtype.kind in "biuf" else None
    except Exception:  # ragged nesting (ValueError), odd objects: not numbers, whatever numpy raised
        return None


def readable(value: Any) -> bool:
    """Whether a check can read `value` as numbers: None, real numbers (see `real_numbers`), or a tuple of
    such (a function that returns several results)."""
    if isinstance(value, tuple):
        return all(readable(v) for v in value)
    return value is None or real_numbers(value) is not None


def unreadable(function: str, value: Any, state: Mapping[str, Any]) -> Feedback | None:
    """The student's failure when a check broke on what `function` gave back (its value, or an attribute of
    its instance) rather than failed: a string, an object, a ragged list are not numbers, and a check that
    stumbles on one is no fault of the grader's. None when everything it gave was numbers."""
    name = function.rpartition(".")[2]
    if not readable(value):
        return Feedback(f"{name} returned {describe(value)}; the check expected numbers (a float, or a NumPy "
                        "array of floats) and could not go on.", "not-numbers")
    for attr, attr_value in state.items():
        if not readable(attr_value):
            return Feedback(f"after {name}, self.{attr} is {describe(attr_value)}; the check expected numbers "
                            "(a float, or a NumPy array of floats) and could not go on.", "not-numbers")
    return None


def as_array(value: Any, what: str, want_shape: tuple) -> np.ndarray:
    if value is None:
        fail(f"{what} returned None: is a `return` statement missing?", "returned-none")
    array = real_numbers(value)
    if array is None:
        fail(f"{what} returned {describe(value)}; expected numbers of shape {want_shape}.", "not-numbers")
    return array


def close(got: np.ndarray, want: np.ndarray, rtol: float, atol: float) -> bool:
    return got.shape == want.shape and bool(np.allclose(got, want, rtol=rtol, atol=atol, equal_nan=False))


def compare(got: Any, want: Any, *, what: str, rtol: float = 1e-6, atol: float = 1e-9,
            suspects: Mapping[Mistake, Any] | None = None, m: int | None = None, strict_shape: bool = True) -> None:
    """Fail with a helpful message unless `got` matches `want` in shape and value.

    `what` names the call (e.g. "compute_cost(X, y) with X of shape (7, 3)"); `suspects` maps a mistake
    (its id and message) to the value that bug would give; `m` enables the 1/m fingerprint.
    """
    want = np.asarray(want, dtype=float)
    got = as_array(got, what, want.shape)
    if not strict_shape and got.size == want.size:
        got = got.reshape(want.shape)
    if got.shape != want.shape:
        hint, slug = shape_hint(got.shape, want.shape)
        fail(f"{what} returned shape {got.shape}; expected shape {want.shape}.{hint}", slug)
    bad = ~np.isfinite(got)
    if bad.any() and np.isfinite(want).all():
        index = tuple(int(i) for i in np.argwhere(bad)[0]) if got.ndim else ()
        fail(f"{what} returned {'NaN' if np.isnan(got[index]) else 'inf'}"
             f"{f' at index {index}' if index else ''}; expected a finite number there. "
             "Look for log(0), division by zero or np.exp of a large number.", "not-finite")
    if close(got, want, rtol, atol):
        return
    for suspect, value in (suspects or {}).items():
        value = np.asarray(value, dtype=float)
        if value.size == want.size and close(got, value.reshape(want.shape), rtol, atol):
            fail(f"{what} is wrong: {suspect.message}", suspect.id)
    if np.any(want != 0) and close(got, -want, rtol, atol):
        fail(f"{what} has the right size but the opposite sign everywhere: check the sign of your formula.",
             "opposite-sign")
    if m and m > 1:
        if close(got, want * m, rtol, atol):
            fail(f"{what} is {m} times too large (m = {m}): the average over the m examples needs the 1/m.",
                 "missing-mean")
        if close(got, want / m, rtol, atol):
            fail(f"{what} is {m} times too small (m = {m}): divided by m twice?", "divided-by-m-twice")
    fail(f"{what} is wrong: {mismatch(got, want, rtol, atol)}", "wrong-values")


def shape_hint(got: tuple, want: tuple) -> tuple[str, str]:
    """A hint about a wrong shape, and the mistake's slug."""
    if len(want) == 2 and want[1] == 1 and got == (want[0], want[0]) and want[0] > 1:
        return (" An (m, m) result comes from broadcasting an (m,) array against an (m, 1) one: keep "
                "every vector as a column of shape (m, 1), or flatten both.", "broadcast-m-by-m")
    if int(np.prod(got)) == int(np.prod(want)):
        return f" The values may be right but the shape is not: reshape to {want}.", "wrong-shape"
    return "", "wrong-shape"


def mismatch(got: np.ndarray, want: np.ndarray, rtol: float, atol: float) -> str:
    if got.ndim == 0:
        return f"got {fmt(got)}, expected {fmt(want)}."
    wrong = ~np.isclose(got, want, rtol=rtol, atol=atol)
    index = tuple(int(i) for i in np.argwhere(wrong)[0])
    return (f"{int(wrong.sum())} of {got.size} values differ; the first at index {index}: got "
            f"{fmt(got[index])}, expected {fmt(want[index])}.")


def expect(condition: bool, message: str, mistake: str | None = None) -> None:
    if not condition:
        fail(message, mistake)
