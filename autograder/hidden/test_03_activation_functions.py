"""Hidden checks of 03_activation_functions: sigmoid, tanh, relu, leaky_relu (each with its derivative) and
softmax against the reference.

Every function takes a number or an array of any shape and returns the same shape, so each one is checked
on random arrays of several shapes and, separately, on plain Python numbers (a function that only breaks on
numbers loses only that share). sigmoid and softmax must also be stable for scores of +-1000: right,
finite, and without NumPy's overflow warnings.
"""

import time

import numpy as np
import pytest

from autograder.feedback import compare, describe, fail

ASSIGNMENT = "03_activation_functions"

# Correct formulations differ by ~1e-16 relative (logaddexp, masks, tanh, clipping): far inside these.
RTOL, ATOL = 1e-7, 1e-12
SHAPES = [(7,), (3, 5), (2, 4, 3)]  # 1-D, 2-D (m != n) and 3-D
HUGE = np.array([-1000.0, -750.0, -710.0, -40.0, 0.0, 40.0, 710.0, 750.0, 1000.0])
HUGE_TEXT = "z = [-1000, -750, -710, -40, 0, 40, 710, 750, 1000]"


def random_z(seed: int, shape: tuple, scale: float = 3.0) -> np.ndarray:
    return np.random.default_rng(seed).normal(scale=scale, size=shape)


def as_floats(value) -> np.ndarray | None:
    """The student's value as a float array, or None when it is no numbers at all (compare explains that)."""
    try:
        return np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        return None


def numpy_warnings(outcome) -> list[str]:
    return [w for w in outcome.warnings if w.startswith("RuntimeWarning")]


def call_text(name: str, z, kwargs: dict | None) -> str:
    extra = "".join(f", {k}={v!r}" for k, v in (kwargs or {}).items())
    return f"{name}({z!r}{extra})"


# -- shared checks ----------------------------------------------------------------------------------------
def check_shapes(student, reference, name: str, seed: int, suspects_of, kwargs: dict | None = None,
                 scale: float = 3.0) -> None:
    """The student's `name` matches the reference on random arrays of each shape in SHAPES."""
    rng = np.random.default_rng(seed)
    extra = "".join(f", {k}={v!r}" for k, v in (kwargs or {}).items())
    for shape in SHAPES:
        z = rng.normal(scale=scale, size=shape)
        got = student.call(name, z, kwargs=kwargs).value
        want = reference.call(name, z, kwargs=kwargs).value
        compare(got, want, what=f"{name}(z{extra}) with z of shape {shape}", rtol=RTOL, atol=ATOL,
                suspects=suspects_of(z))


def check_scalars(student, reference, name: str, values: list, kwargs: dict | None = None,
                  suspects_of=None) -> None:
    """A Python float in gives a single number out (np.ndim == 0), of the right value."""
    for z in values:
        got = student.call(name, z, kwargs=kwargs).value
        what = call_text(name, z, kwargs)
        if got is not None and as_floats(got) is not None and np.ndim(got) != 0:
            fail(f"{what} returned {describe(got)}; a number in must give a single number out "
                 "(np.ndim(out) == 0). Don't wrap a number into an array of shape (1,): np.asarray(z, "
                 "dtype=float) turns it into a 0-d array, which keeps the shape ().")
        compare(got, reference.call(name, z, kwargs=kwargs).value, what=what, rtol=RTOL, atol=ATOL,
                suspects=suspects_of(np.asarray(z)) if suspects_of else None)


def check_values(student, reference, name: str, z: np.ndarray, what: str, suspects: dict | None = None,
                 kwargs: dict | None = None) -> None:
    """The student's `name` at z matches the reference's."""
    got = student.call(name, z, kwargs=kwargs).value
    want = reference.call(name, z, kwargs=kwargs).value
    compare(got, want, what=what, rtol=RTOL, atol=ATOL, suspects=suspects)


def expect_finite(got, what: str, advice: str) -> None:
    array = as_floats(got)
    if array is not None and array.size and not np.isfinite(array).all():
        index = tuple(int(i) for i in np.argwhere(~np.isfinite(array))[0]) if array.ndim else ()
        kind = "NaN" if np.isnan(array[index]) else "inf"
        fail(f"{what} returned {kind}{f' at index {index}' if index else ''}; expected a finite number. "
             + advice)


# -- sigmoid ----------------------------------------------------------------------------------------------
SIGMOID_OVERFLOW = (
    "The plain formula 1 / (1 + np.exp(-z)) computes e^1000 for z = -1000. np.where(z >= 0, 1 / (1 + "
    "np.exp(-z)), np.exp(z) / (1 + np.exp(z))) does not avoid it: NumPy computes both branch arrays for "
    "every entry before it chooses, so np.exp of the large entries still overflows. Compute each branch on "
    "its own entries only (boolean masks: pos = z >= 0; out[pos] = 1 / (1 + np.exp(-z[pos])); ...), or "
    "use np.exp(-np.logaddexp(0, -z)).")


def sigmoid_suspects(z: np.ndarray) -> dict:
    with np.errstate(all="ignore"):  # e^1000 may overflow here: keep NumPy's warnings out of the grader
        return {"it gives 1 / (1 + e^z): the exponent needs a minus sign, e^(-z).": 1 / (1 + np.exp(z)),
                "it returns e^(-z) / (1 + e^(-z)) = 1 - sigmoid(z): the numerator must be 1.":
                np.exp(-z) / (1 + np.exp(-z))}


def check_sigmoid_stable(student, reference, z: np.ndarray, what: str) -> None:
    outcome = student.call("sigmoid", z)
    want = reference.call("sigmoid", z).value
    expect_finite(outcome.value, what, "np.exp of a large number overflows to inf. " + SIGMOID_OVERFLOW)
    warned = numpy_warnings(outcome)
    if warned:
        fail(f"{what} made NumPy raise the warning(s) {'; '.join(warned)}: sigmoid must be stable, with no "
             "warning even for z = -1000 or 1000. " + SIGMOID_OVERFLOW)
    compare(outcome.value, want, what=what, rtol=RTOL, atol=ATOL, suspects=sigmoid_suspects(z))


def test_sigmoid_matches_reference(student, reference):
    """sigmoid: matches the reference on random arrays of several shapes"""
    check_shapes(student, reference, "sigmoid", 301, sigmoid_suspects, scale=4.0)


def test_sigmoid_scalar(student, reference):
    """sigmoid: takes a single number and returns a single number"""
    check_scalars(student, reference, "sigmoid", [0.0, -2.5, 3.0])


def test_sigmoid_stable_at_1000(student, reference):
    """sigmoid: is stable at z = ±1000 (exact 0 and 1, no overflow warning)"""
    check_sigmoid_stable(student, reference, HUGE, f"sigmoid(z) with {HUGE_TEXT}")


def test_sigmoid_stable_on_large_array(student, reference):
    """sigmoid: is stable on a 3-D array of large positive and negative values"""
    z = np.random.default_rng(311).uniform(-1000.0, 1000.0, size=(3, 4, 5))
    check_sigmoid_stable(student, reference, z, "sigmoid(z) with z of shape (3, 4, 5), entries up to ±1000")


# -- sigmoid_derivative (the reference's sigmoid stands in for the student's) -----------------------------
def sigmoid_derivative_suspects(z: np.ndarray) -> dict:
    s = np.exp(-np.logaddexp(0.0, -z))
    return {"it computes sigmoid(z) * (1 - z): the second factor must be 1 - sigmoid(z).": s * (1 - z),
            "it uses z in place of sigmoid(z), z * (1 - z): compute s = sigmoid(z) first, then s * (1 - s).":
            z * (1 - z),
            "it returns sigmoid(z) itself, not its derivative sigmoid(z) * (1 - sigmoid(z)).": s,
            "it returns 1 - sigmoid(z): multiply it by sigmoid(z).": 1 - s}


def test_sigmoid_derivative_matches_reference(student, reference):
    """sigmoid_derivative: matches the reference on random arrays of several shapes"""
    check_shapes(student, reference, "sigmoid_derivative", 302, sigmoid_derivative_suspects)


def test_sigmoid_derivative_scalar(student, reference):
    """sigmoid_derivative: takes a single number and returns a single number"""
    check_scalars(student, reference, "sigmoid_derivative", [0.0, 2.0, -1.5])


def test_sigmoid_derivative_far_from_zero(student, reference):
    """sigmoid_derivative: is finite and about 0 for z = ±1000"""
    what = f"sigmoid_derivative(z) with {HUGE_TEXT}"
    got = student.call("sigmoid_derivative", HUGE).value
    expect_finite(got, what, "Compute it from the (stable) sigmoid: s = sigmoid(z), then s * (1 - s); "
                  "e^(-z) / (1 + e^(-z))^2 gives inf / inf = NaN for z = -1000.")
    compare(got, reference.call("sigmoid_derivative", HUGE).value, what=what, rtol=RTOL, atol=ATOL,
            suspects=sigmoid_derivative_suspects(HUGE))


def test_sigmoid_derivative_peak(student, reference):
    """sigmoid_derivative: is 1/4 at z = 0 and falls off symmetrically on both sides"""
    z = np.linspace(-6.0, 6.0, 13)
    check_values(student, reference, "sigmoid_derivative", z, "sigmoid_derivative(z) with z = -6, -5, ..., 6",
                 sigmoid_derivative_suspects(z))


# -- tanh -------------------------------------------------------------------------------------------------
def tanh_suspects(z: np.ndarray) -> dict:
    return {"it computes the sigmoid 1 / (1 + e^(-z)), not tanh(z).": 1 / (1 + np.exp(-z)),
            "it computes tanh(z / 2): tanh(z) = 2 * sigmoid(2z) - 1.": np.tanh(z / 2)}


def test_tanh_matches_reference(student, reference):
    """tanh: matches the reference on random arrays of several shapes"""
    check_shapes(student, reference, "tanh", 303, tanh_suspects)


def test_tanh_scalar(student, reference):
    """tanh: takes a single number and returns a single number"""
    check_scalars(student, reference, "tanh", [0.5, -2.0, 0.0])


def test_tanh_large(student, reference):
    """tanh: is ±1 (finite) for z = ±1000"""
    what = f"tanh(z) with {HUGE_TEXT}"
    got = student.call("tanh", HUGE).value
    expect_finite(got, what, "(e^z - e^(-z)) / (e^z + e^(-z)) gives inf / inf = NaN for large |z|: use "
                  "np.tanh, which is stable for any z.")
    compare(got, reference.call("tanh", HUGE).value, what=what, rtol=RTOL, atol=ATOL)


def test_tanh_odd(student, reference):
    """tanh: is 0 at z = 0 and odd, tanh(-z) = -tanh(z)"""
    z = np.linspace(-3.0, 3.0, 13)
    check_values(student, reference, "tanh", z, "tanh(z) with z = -3, -2.5, ..., 3", tanh_suspects(z))


# -- tanh_derivative (the reference's tanh stands in for the student's) -----------------------------------
def tanh_derivative_suspects(z: np.ndarray) -> dict:
    t = np.tanh(z)
    return {"the square is missing: the derivative is 1 - tanh(z)**2, not 1 - tanh(z).": 1 - t,
            "it squares 1 - tanh(z): only tanh is squared, 1 - tanh(z)**2.": (1 - t) ** 2,
            "it uses z in place of tanh(z), 1 - z**2: compute t = tanh(z) first, then 1 - t**2.": 1 - z**2,
            "it returns tanh(z) itself, not its derivative 1 - tanh(z)**2.": t}


def test_tanh_derivative_matches_reference(student, reference):
    """tanh_derivative: matches the reference on random arrays of several shapes"""
    check_shapes(student, reference, "tanh_derivative", 304, tanh_derivative_suspects, scale=1.5)


def test_tanh_derivative_scalar(student, reference):
    """tanh_derivative: takes a single number and returns a single number"""
    check_scalars(student, reference, "tanh_derivative", [0.0, 0.5, -3.0])


def test_tanh_derivative_far_from_zero(student, reference):
    """tanh_derivative: is finite and about 0 for z = ±1000"""
    what = f"tanh_derivative(z) with {HUGE_TEXT}"
    got = student.call("tanh_derivative", HUGE).value
    expect_finite(got, what, "Compute it from tanh (np.tanh is stable): 1 - tanh(z)**2.")
    compare(got, reference.call("tanh_derivative", HUGE).value, what=what, rtol=RTOL, atol=ATOL,
            suspects=tanh_derivative_suspects(HUGE))


def test_tanh_derivative_peak(student, reference):
    """tanh_derivative: is 1 at z = 0 and falls off symmetrically on both sides"""
    z = np.linspace(-3.0, 3.0, 13)
    check_values(student, reference, "tanh_derivative", z, "tanh_derivative(z) with z = -3, -2.5, ..., 3",
                 tanh_derivative_suspects(z))


# -- relu -------------------------------------------------------------------------------------------------
def relu_suspects(z: np.ndarray) -> dict:
    return {"it returns min(0, z): use np.maximum(0, z).": np.minimum(0, z),
            "it returns |z|: negative values must become 0, np.maximum(0, z).": np.abs(z),
            "it returns z unchanged: negative values must become 0, np.maximum(0, z).": z}


def test_relu_matches_reference(student, reference):
    """relu: matches the reference on random arrays of several shapes"""
    check_shapes(student, reference, "relu", 305, relu_suspects)


def test_relu_scalar(student, reference):
    """relu: takes a single number and returns a single number"""
    check_scalars(student, reference, "relu", [-3.0, 2.5, 0.0])


def test_relu_edges(student, reference):
    """relu: is 0 for z <= 0 and z for z > 0, at 0 and at ±1000 included"""
    z = np.array([[-1000.0, -2.5, -1e-9, 0.0], [-0.0, 1e-9, 2.5, 1000.0]])
    check_values(student, reference, "relu", z,
                 "relu(z) with z = [[-1000, -2.5, -1e-9, 0], [-0, 1e-9, 2.5, 1000]]", relu_suspects(z))


def test_relu_integers(student, reference):
    """relu: works on an array of integers"""
    z = np.array([[-3, 0, 2], [5, -1, 0]])
    check_values(student, reference, "relu", z, "relu(z) with the integer array z = [[-3, 0, 2], [5, -1, 0]]",
                 relu_suspects(z))


# -- relu_derivative --------------------------------------------------------------------------------------
def relu_derivative_suspects(z: np.ndarray) -> dict:
    return {"it returns relu(z) = max(0, z) itself, not its derivative (1.0 where z > 0, else 0.0).":
            np.maximum(0, z),
            "it is 1 where z < 0 and 0 where z > 0: the comparison is the wrong way round, use z > 0.":
            (z < 0) * 1.0,
            "it is 1 at z = 0: use z > 0, not z >= 0 (by convention relu_derivative(0) is 0).":
            (z >= 0) * 1.0,
            "it is 0.5 at z = 0: by convention relu_derivative(0) is 0.": np.where(z == 0, 0.5, z > 0)}


def test_relu_derivative_matches_reference(student, reference):
    """relu_derivative: matches the reference on random arrays of several shapes"""
    check_shapes(student, reference, "relu_derivative", 306, relu_derivative_suspects)


def test_relu_derivative_scalar(student, reference):
    """relu_derivative: takes a single number and returns a single number"""
    # Python floats: `(z > 0).astype(float)` fails on them (a bool has no astype); np.asarray(z) first helps.
    check_scalars(student, reference, "relu_derivative", [2.5, -1.0, 1e-9])


def test_relu_derivative_at_zero(student, reference):
    """relu_derivative: is 0 at z = 0"""
    z = np.array([[0.0, -2.0, 0.0, 3.0], [1e-12, -0.0, -1e-12, 0.0]])
    check_values(student, reference, "relu_derivative", z,
                 "relu_derivative(z) with z = [[0, -2, 0, 3], [1e-12, -0, -1e-12, 0]]",
                 relu_derivative_suspects(z))


def test_relu_derivative_near_zero(student, reference):
    """relu_derivative: is exactly 1 for every z > 0 and 0 for every z < 0, however small or large"""
    z = np.array([1e-300, 1e-9, 0.5, 1e300, -1e-300, -1e-9, -0.5, -1e300])
    check_values(student, reference, "relu_derivative", z,
                 "relu_derivative(z) with z = [1e-300, 1e-9, 0.5, 1e300, -1e-300, -1e-9, -0.5, -1e300]",
                 relu_derivative_suspects(z))


# -- leaky_relu -------------------------------------------------------------------------------------------
def leaky_relu_suspects(z: np.ndarray, alpha: float) -> dict:
    suspects = {}
    if alpha != 0.01:
        suspects[f"alpha={alpha} was ignored: the values are those of the default alpha = 0.01. Use the "
                 "function's `alpha` argument, not a fixed 0.01."] = np.where(z > 0, z, 0.01 * z)
    suspects.update({
        "the leak is missing: negative z gives 0 (that is relu); leaky_relu gives alpha * z for z <= 0.":
        np.maximum(0, z),
        "it gives alpha for z <= 0: the value there is alpha * z.": np.where(z > 0, z, alpha),
        "alpha multiplies the wrong side: z for z > 0, alpha * z for z <= 0.": np.where(z > 0, alpha * z, z)})
    return suspects


def test_leaky_relu_matches_reference(student, reference):
    """leaky_relu: matches the reference on random arrays of several shapes (default alpha)"""
    check_shapes(student, reference, "leaky_relu", 307, lambda z: leaky_relu_suspects(z, 0.01))


def test_leaky_relu_alpha(student, reference):
    """leaky_relu: uses its alpha argument (alpha=0.2, and 0.05 passed by position)"""
    z = random_z(317, (4, 3))
    check_values(student, reference, "leaky_relu", z, "leaky_relu(z, alpha=0.2) with z of shape (4, 3)",
                 leaky_relu_suspects(z, 0.2), kwargs={"alpha": 0.2})
    # alpha by position, as the signature leaky_relu(z, alpha=0.01) allows
    got = student.call("leaky_relu", z, 0.05).value
    compare(got, reference.call("leaky_relu", z, 0.05).value, rtol=RTOL, atol=ATOL,
            what="leaky_relu(z, 0.05) with z of shape (4, 3)", suspects=leaky_relu_suspects(z, 0.05))


def test_leaky_relu_scalar(student, reference):
    """leaky_relu: takes a single number and returns a single number"""
    check_scalars(student, reference, "leaky_relu", [-1.0, 2.0])
    check_scalars(student, reference, "leaky_relu", [-3.0], kwargs={"alpha": 0.2},
                  suspects_of=lambda z: leaky_relu_suspects(z, 0.2))


def test_leaky_relu_edges(student, reference):
    """leaky_relu: is 0 at z = 0, z for z > 0 and alpha * z for z < 0, at ±1000 too"""
    z = np.array([[-1000.0, -2.5, -1e-9, 0.0], [-0.0, 1e-9, 2.5, 1000.0]])
    check_values(student, reference, "leaky_relu", z,
                 "leaky_relu(z, alpha=0.2) with z = [[-1000, -2.5, -1e-9, 0], [-0, 1e-9, 2.5, 1000]]",
                 leaky_relu_suspects(z, 0.2), kwargs={"alpha": 0.2})


# -- leaky_relu_derivative --------------------------------------------------------------------------------
def leaky_relu_derivative_suspects(z: np.ndarray, alpha: float) -> dict:
    suspects = {}
    if alpha != 0.01:
        suspects[f"alpha={alpha} was ignored: the values are those of the default alpha = 0.01. Use the "
                 "function's `alpha` argument, not a fixed 0.01."] = np.where(z > 0, 1.0, 0.01)
    suspects.update({
        "it is 0 at z = 0: by convention the derivative at 0 is alpha (1.0 where z > 0, alpha everywhere "
        "else).": np.where(z > 0, 1.0, np.where(z < 0, alpha, 0.0)),
        "it is 1 at z = 0: use z > 0, not z >= 0 (by convention the derivative at 0 is alpha).":
        np.where(z >= 0, 1.0, alpha),
        "alpha is ignored: it gives 0 for z < 0, like relu_derivative; leaky ReLU's slope there is alpha.":
        np.where(z > 0, 1.0, 0.0),
        "it returns leaky_relu(z) itself, not its derivative (1.0 where z > 0, alpha elsewhere).":
        np.where(z > 0, z, alpha * z)})
    return suspects


def test_leaky_relu_derivative_matches_reference(student, reference):
    """leaky_relu_derivative: matches the reference on random arrays of several shapes (default alpha)"""
    check_shapes(student, reference, "leaky_relu_derivative", 308,
                 lambda z: leaky_relu_derivative_suspects(z, 0.01))


def test_leaky_relu_derivative_alpha(student, reference):
    """leaky_relu_derivative: uses its alpha argument (alpha=0.2, and 0.05 passed by position)"""
    z = random_z(318, (3, 4))
    check_values(student, reference, "leaky_relu_derivative", z,
                 "leaky_relu_derivative(z, alpha=0.2) with z of shape (3, 4)",
                 leaky_relu_derivative_suspects(z, 0.2), kwargs={"alpha": 0.2})
    got = student.call("leaky_relu_derivative", z, 0.05).value
    compare(got, reference.call("leaky_relu_derivative", z, 0.05).value, rtol=RTOL, atol=ATOL,
            what="leaky_relu_derivative(z, 0.05) with z of shape (3, 4)",
            suspects=leaky_relu_derivative_suspects(z, 0.05))


def test_leaky_relu_derivative_at_zero(student, reference):
    """leaky_relu_derivative: is alpha at z = 0"""
    z = np.array([[0.0, -2.0, 0.0, 3.0], [1e-12, -0.0, -1e-12, 0.0]])
    text = "z = [[0, -2, 0, 3], [1e-12, -0, -1e-12, 0]]"
    for kwargs, what in [({"alpha": 0.2}, f"leaky_relu_derivative(z, alpha=0.2) with {text}"),
                         ({}, f"leaky_relu_derivative(z) with {text} (default alpha = 0.01)")]:
        alpha = kwargs.get("alpha", 0.01)
        check_values(student, reference, "leaky_relu_derivative", z, what,
                     leaky_relu_derivative_suspects(z, alpha), kwargs=kwargs)


def test_leaky_relu_derivative_scalar(student, reference):
    """leaky_relu_derivative: takes a single number and returns a single number"""
    check_scalars(student, reference, "leaky_relu_derivative", [3.0, -2.0])
    check_scalars(student, reference, "leaky_relu_derivative", [-0.5], kwargs={"alpha": 0.2},
                  suspects_of=lambda z: leaky_relu_derivative_suspects(z, 0.2))


# -- softmax ----------------------------------------------------------------------------------------------
def normalised(e: np.ndarray, axis) -> np.ndarray:
    return e / np.sum(e, axis=axis, keepdims=True)


def softmax_suspects(z: np.ndarray) -> dict:
    """The values the usual mistakes give: a wrong axis, or a missing keepdims on a square batch."""
    last = "take the max and the sum over the last axis, axis=-1, with keepdims=True"
    by_column = np.exp(z - np.max(z, axis=0, keepdims=True))
    whole = np.exp(z - np.max(z))
    suspects = {}
    if z.ndim >= 2:
        suspects[f"it normalises over axis 0 (down the columns): each row must sum to 1 on its own; "
                 f"{last}."] = normalised(by_column, 0)
        suspects[f"it normalises over the whole array (all entries sum to 1): each row must sum to 1 on "
                 f"its own; {last}."] = whole / np.sum(whole)
        suspects[f"it subtracts the maximum of each column (axis 0), not of each row; {last}."] = \
            normalised(by_column, -1)
    if z.ndim == 3:
        suspects["it normalises over axis 1: for a 3-D array the last axis is axis 2; use axis=-1 (with "
                 "keepdims=True) so that any shape works."] = \
            normalised(np.exp(z - np.max(z, axis=1, keepdims=True)), 1)
    if z.ndim == 2 and z.shape[0] == z.shape[1]:
        e = np.exp(z - np.max(z, axis=-1, keepdims=True))
        suspects["the row sums were used without keepdims=True: an (m,) array broadcasts along the columns "
                 "of an (m, k) one; keep them as a column, np.sum(e, axis=-1, keepdims=True)."] = \
            e / np.sum(e, axis=-1)
        suspects["the row maxima were subtracted without keepdims=True: an (m,) array broadcasts along the "
                 "columns of an (m, k) one; np.max(z, axis=-1, keepdims=True)."] = \
            normalised(np.exp(z - np.max(z, axis=-1)), -1)
    return suspects


SHIFT_ADVICE = ("Subtract the row maximum before np.exp, z - np.max(z, axis=-1, keepdims=True): softmax "
                "does not change when the same number is subtracted from every score of a row, and np.exp "
                "then only sees numbers <= 0.")


def check_softmax_stable(student, reference, z: np.ndarray, what: str) -> None:
    """Finite, no overflow warning, right values; NaN is traced to the missing or the global shift."""
    outcome = student.call("softmax", z)
    want = reference.call("softmax", z).value
    got = as_floats(outcome.value)
    if got is not None and got.shape == want.shape and not np.isfinite(got).all():
        with np.errstate(all="ignore"):  # what a shift by the maximum of the whole array gives
            e = np.exp(z - np.max(z))
            global_shift = e / np.sum(e, axis=-1, keepdims=True)
        if np.isnan(global_shift).any() and np.array_equal(np.isnan(got), np.isnan(global_shift)):
            fail(f"{what} returned NaN for the rows far below the largest score of the whole array: it "
                 "subtracts the maximum of the whole array, so every np.exp of such a row underflows to 0 "
                 "and 0 / 0 is NaN. Subtract each row's own maximum: z - np.max(z, axis=-1, keepdims=True).")
        expect_finite(got, what, "np.exp of a score above about 709 overflows to inf, and inf / inf is NaN. "
                      + SHIFT_ADVICE)
    warned = numpy_warnings(outcome)
    if warned:
        fail(f"{what} made NumPy raise the warning(s) {'; '.join(warned)}: softmax must be stable, with no "
             "warning even for scores of 1000. " + SHIFT_ADVICE)
    with np.errstate(all="ignore"):  # a wrong axis may overflow here: that suspect then matches nothing
        suspects = softmax_suspects(z)
    compare(outcome.value, want, what=what, rtol=RTOL, atol=ATOL, suspects=suspects)


def test_softmax_vector(student, reference):
    """softmax: matches the reference on vectors of scores"""
    rng = np.random.default_rng(309)
    for k in (3, 8):
        z = rng.normal(scale=2.0, size=k)
        check_values(student, reference, "softmax", z, f"softmax(z) with z of shape ({k},)")


def test_softmax_batch(student, reference):
    """softmax: matches the reference on batches of rows"""
    rng = np.random.default_rng(319)
    for shape in [(4, 3), (3, 6), (5, 5)]:
        z = rng.normal(scale=2.0, size=shape)
        check_values(student, reference, "softmax", z, f"softmax(Z) with Z of shape {shape}",
                     softmax_suspects(z))


def test_softmax_rows(student, reference):
    """softmax: works over the last axis (each row sums to 1 and is the softmax of that row alone)"""
    z = random_z(329, (6, 4), scale=2.0) + np.arange(6.0)[:, None]  # rows on different levels
    what = "softmax(Z) with Z of shape (6, 4)"
    got = student.call("softmax", z).value
    want = reference.call("softmax", z).value
    array = as_floats(got)
    if array is None or array.shape != want.shape:
        compare(got, want, what=what)
    sums = np.sum(array, axis=-1)
    if not np.allclose(sums, 1.0, rtol=0, atol=1e-9):
        if np.allclose(np.sum(array, axis=0), 1.0, rtol=0, atol=1e-9):
            fail(f"the columns of {what} sum to 1, not its rows: it normalises over axis 0. Each row is one "
                 "example: take the max and the sum over the last axis, axis=-1, with keepdims=True.")
        if np.isclose(np.sum(array), 1.0, rtol=0, atol=1e-9):
            fail(f"the entries of {what} sum to 1 all together: it normalises over the whole array. Each row "
                 "must sum to 1 on its own: np.sum(e, axis=-1, keepdims=True).")
        row = int(np.argmax(np.abs(sums - 1.0)))
        fail(f"the rows of {what} should each sum to 1; row {row} sums to {sums[row]:.6g}.")
    for i in range(z.shape[0]):
        compare(array[i], reference.call("softmax", z[i]).value, rtol=RTOL, atol=ATOL,
                what=f"row {i} of {what}, against the softmax of that row alone")


def test_softmax_3d(student, reference):
    """softmax: works over the last axis of a 3-D array"""
    z = random_z(339, (2, 3, 4), scale=2.0)
    check_values(student, reference, "softmax", z, "softmax(Z) with Z of shape (2, 3, 4)",
                 softmax_suspects(z))


def test_softmax_one_row_or_one_column(student, reference):
    """softmax: handles a batch of one row and a batch of one score per row"""
    z = random_z(369, (1, 5), scale=2.0)
    check_values(student, reference, "softmax", z, "softmax(Z) with Z of shape (1, 5) (one example)",
                 softmax_suspects(z))
    z = random_z(379, (4, 1), scale=2.0)
    check_values(student, reference, "softmax", z, "softmax(Z) with Z of shape (4, 1) (one score per row: "
                 "every probability is 1)", softmax_suspects(z))


def test_softmax_stable_at_1000(student, reference):
    """softmax: is stable for scores of ±1000 (no NaN, no overflow warning)"""
    z = np.array([[1000.0, 0.0, -1000.0], [-1000.0, 0.0, 1000.0], [1000.0, 1000.0, 0.0], [0.0, -1000.0, 0.0]])
    what = "softmax(Z) with Z = [[1000, 0, -1000], [-1000, 0, 1000], [1000, 1000, 0], [0, -1000, 0]]"
    check_softmax_stable(student, reference, z, what)


def test_softmax_stable_per_row(student, reference):
    """softmax: is stable on a batch whose rows lie far apart (each row shifted by its own maximum)"""
    offsets = np.array([900.0, -900.0, 0.0, 500.0, -500.0])[:, None]
    z = random_z(349, (5, 4), scale=3.0) + offsets
    check_softmax_stable(student, reference, z,
                         "softmax(Z) with Z of shape (5, 4) whose rows are around 900, -900, 0, 500 and -500")


MAX_SLOWDOWN = 25  # times the reference's time; a loop over the rows in Python is ~40 times slower
TIMING_FLOOR = 0.003  # seconds: the reference's time is never taken as less than this


def reference_seconds(function, z: np.ndarray) -> float:
    best = np.inf
    for _ in range(3):
        start = time.perf_counter()
        function(z)
        best = min(best, time.perf_counter() - start)
    return max(best, TIMING_FLOOR)


@pytest.mark.time_limit(30)
def test_softmax_vectorised(student, reference):
    """softmax: is vectorised (a batch of 20 000 rows)"""
    z = random_z(359, (20_000, 10))
    for _ in range(3):  # a slow run is measured again (with the reference's time) before it counts
        budget = MAX_SLOWDOWN * reference_seconds(reference.softmax, z)
        # the timeout stops a per-row loop early; Outcome.seconds is the time inside softmax alone
        if student.call("softmax", z, timeout=budget + 2.0).seconds <= budget:
            return
    fail(f"softmax of a batch of 20 000 rows of 10 scores took more than {MAX_SLOWDOWN} times as long as the "
         "reference's: is there a Python loop over the rows (or np.apply_along_axis, or np.vectorize, which "
         "loop too)? Work on the whole array at once: z - np.max(z, axis=-1, keepdims=True), np.exp, then "
         "divide by np.sum(e, axis=-1, keepdims=True).")
