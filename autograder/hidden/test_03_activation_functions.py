"""Hidden checks of 03_activation_functions: sigmoid, tanh, relu, leaky_relu (each with its derivative) and
softmax against the reference.

Every function takes a number or an array of any shape and returns the same shape, so each one is checked
on random arrays of several shapes and, separately, on plain Python numbers (a function that only breaks on
numbers loses only that share). sigmoid and softmax must also be stable for scores of +-1000: right,
finite, and without NumPy's overflow warnings. In a check of a derivative, the reference's activation
stands in for the student's (the reference's derivative calls it).
"""

from collections.abc import Callable

import numpy as np
from shared_suspects import sigmoid_suspects  # autograder/hidden/shared_suspects.py

from autograder.grading.checks import Case, check, expect_finite, expect_no_warnings, matches_reference, vectorised
from autograder.grading.feedback import compare, describe, fail, real_numbers
from autograder.grading.mistakes import catalogue, mistake

# The mistakes these checks recognise, beside them (the sigmoid's: shared_suspects.py).
catalogue({
    # -- 03: derivatives and the other activations -------------------------------------------------------
    "sigmoid_derivative/one-minus-z": "it computes sigmoid(z) * (1 - z): the second factor must be 1 - sigmoid(z).",
    "sigmoid_derivative/uses-z": "it uses z in place of sigmoid(z), z * (1 - z): compute s = sigmoid(z) first, "
                                 "then s * (1 - s).",
    "sigmoid_derivative/one-plus": "it computes s * (1 + s): the derivative is s * (1 - s), with a minus.",
    "sigmoid_derivative/returns-sigmoid": "it returns sigmoid(z) itself, not its derivative "
                                          "sigmoid(z) * (1 - sigmoid(z)).",
    "sigmoid_derivative/returns-one-minus": "it returns 1 - sigmoid(z): multiply it by sigmoid(z).",
    "tanh/sigmoid": "it computes the sigmoid 1 / (1 + e^(-z)), not tanh(z).",
    "tanh/half": "it computes tanh(z / 2): tanh(z) = 2 * sigmoid(2z) - 1.",
    "tanh_derivative/missing-square": "the square is missing: the derivative is 1 - tanh(z)**2, not 1 - tanh(z).",
    "tanh_derivative/squares-difference": "it squares 1 - tanh(z): only tanh is squared, 1 - tanh(z)**2.",
    "tanh_derivative/uses-z": "it uses z in place of tanh(z), 1 - z**2: compute t = tanh(z) first, then 1 - t**2.",
    "tanh_derivative/returns-tanh": "it returns tanh(z) itself, not its derivative 1 - tanh(z)**2.",
    "relu/minimum": "it returns min(0, z): use np.maximum(0, z).",
    "relu/absolute": "it returns |z|: negative values must become 0, np.maximum(0, z).",
    "relu/identity": "it returns z unchanged: negative values must become 0, np.maximum(0, z).",
    "relu/boolean-mask": "it returns the mask z > 0 (0 or 1), not the values: np.maximum(0, z), or z * (z > 0).",
    "relu_derivative/returns-relu": "it returns relu(z) = max(0, z) itself, not its derivative (1.0 where z > 0, "
                                    "else 0.0).",
    "relu_derivative/returns-z": "it returns z itself: the derivative is 1.0 where z > 0 and 0.0 elsewhere.",
    "relu_derivative/reversed": "it is 1 where z < 0 and 0 where z > 0: the comparison is the wrong way round, "
                                "use z > 0.",
    "relu_derivative/one-at-zero": "it is 1 at z = 0: use z > 0, not z >= 0 (by convention relu_derivative(0) "
                                   "is 0).",
    "relu_derivative/half-at-zero": "it is 0.5 at z = 0: by convention relu_derivative(0) is 0.",
    "leaky_relu/ignores-alpha": "alpha={alpha} was ignored: the values are those of the default alpha = 0.01. "
                                "Use the function's `alpha` argument, not a fixed 0.01.",
    "leaky_relu/no-leak": "the leak is missing: negative z gives 0 (that is relu); leaky_relu gives alpha * z "
                          "for z <= 0.",
    "leaky_relu/alpha-not-times-z": "it gives alpha for z <= 0: the value there is alpha * z.",
    "leaky_relu/wrong-side": "alpha multiplies the wrong side: z for z > 0, alpha * z for z <= 0.",
    "leaky_relu_derivative/ignores-alpha": "alpha={alpha} was ignored: the values are those of the default "
                                           "alpha = 0.01. Use the function's `alpha` argument, not a fixed 0.01.",
    "leaky_relu_derivative/zero-at-zero": "it is 0 at z = 0: by convention the derivative at 0 is alpha (1.0 "
                                          "where z > 0, alpha everywhere else).",
    "leaky_relu_derivative/one-at-zero": "it is 1 at z = 0: use z > 0, not z >= 0 (by convention the derivative "
                                         "at 0 is alpha).",
    "leaky_relu_derivative/no-leak": "alpha is ignored: it gives 0 for z < 0, like relu_derivative; leaky "
                                     "ReLU's slope there is alpha.",
    "leaky_relu_derivative/returns-leaky-relu": "it returns leaky_relu(z) itself, not its derivative (1.0 where "
                                                "z > 0, alpha elsewhere).",
    "softmax/axis-0": "it normalises over axis 0 (down the columns): each row must sum to 1 on its own; take the "
                      "max and the sum over the last axis, axis=-1, with keepdims=True.",
    "softmax/whole-array": "it normalises over the whole array (all entries sum to 1): each row must sum to 1 on "
                           "its own; take the max and the sum over the last axis, axis=-1, with keepdims=True.",
    "softmax/column-max": "it subtracts the maximum of each column (axis 0), not of each row; take the max and "
                          "the sum over the last axis, axis=-1, with keepdims=True.",
    "softmax/axis-1": "it normalises over axis 1: for a 3-D array the last axis is axis 2; use axis=-1 (with "
                      "keepdims=True) so that any shape works.",
    "softmax/sum-without-keepdims": "the row sums were used without keepdims=True: an (m,) array broadcasts "
                                    "along the columns of an (m, k) one; keep them as a column, np.sum(e, "
                                    "axis=-1, keepdims=True).",
    "softmax/max-without-keepdims": "the row maxima were subtracted without keepdims=True: an (m,) array "
                                    "broadcasts along the columns of an (m, k) one; np.max(z, axis=-1, "
                                    "keepdims=True).",
    "softmax/global-max": "it subtracts the maximum of the whole array, so every np.exp of a row far below it "
                          "underflows to 0 and 0 / 0 is NaN: subtract each row's own maximum.",
    "softmax/no-max-subtracted": "np.exp of a large score overflows: subtract the row maximum before np.exp.",
    "softmax/rows-do-not-sum-to-one": "the rows of softmax's output must each sum to 1.",
})

SHAPES = [(7,), (3, 5), (2, 4, 3)]  # 1-D, 2-D (m != n) and 3-D
HUGE = np.array([-1000.0, -750.0, -710.0, -40.0, 0.0, 40.0, 710.0, 750.0, 1000.0])
HUGE_TEXT = "z = [-1000, -750, -710, -40, 0, 40, 710, 750, 1000]"
EDGES = np.array([[-1000.0, -2.5, -1e-9, 0.0], [-0.0, 1e-9, 2.5, 1000.0]])
EDGES_TEXT = "z = [[-1000, -2.5, -1e-9, 0], [-0, 1e-9, 2.5, 1000]]"
AT_ZERO = np.array([[0.0, -2.0, 0.0, 3.0], [1e-12, -0.0, -1e-12, 0.0]])
AT_ZERO_TEXT = "z = [[0, -2, 0, 3], [1e-12, -0, -1e-12, 0]]"
Suspects = Callable[[np.ndarray], dict]


def random_z(seed: int, shape: tuple, scale: float = 3.0) -> np.ndarray:
    return np.random.default_rng(seed).normal(scale=scale, size=shape)


def call_text(name: str, z, kwargs: dict) -> str:
    return f"{name}({z!r}{''.join(f', {k}={v!r}' for k, v in kwargs.items())})"


def shapes_check(name: str, seed: int, suspects: Suspects, scale: float = 3.0, kwargs: dict | None = None):
    """The student's `name` matches the reference on random arrays of each shape in SHAPES."""
    rng, kwargs = np.random.default_rng(seed), kwargs or {}
    extra = "".join(f", {k}={v!r}" for k, v in kwargs.items())
    zs = [rng.normal(scale=scale, size=shape) for shape in SHAPES]
    alpha = " (default alpha)" if name.startswith("leaky") and not kwargs else ""
    return matches_reference(name, f"matches the reference on random arrays of several shapes{alpha}",
                             [Case((z,), f"{name}(z{extra}) with z of shape {z.shape}", kwargs=kwargs,
                                   suspects=suspects(z)) for z in zs])


def scalars_check(name: str, values: list, kwargs: dict | None = None, suspects: Suspects | None = None,
                  more: list | None = None):
    """A Python float in gives a single number out (np.ndim == 0), of the right value."""
    runs = [(values, kwargs or {}, suspects)] + (more or [])

    @check(name, "takes a single number and returns a single number")
    def test_scalar(student, reference):
        for numbers, options, suspects_of in runs:
            for z in numbers:
                got = student.call(name, z, kwargs=options).value
                what = call_text(name, z, options)
                if got is not None and real_numbers(got) is not None and np.ndim(got) != 0:
                    fail(f"{what} returned {describe(got)}; a number in must give a single number out "
                         "(np.ndim(out) == 0). Don't wrap a number into an array of shape (1,): np.asarray(z, "
                         "dtype=float) turns it into a 0-d array, which keeps the shape ().", "wrong-shape")
                compare(got, reference.call(name, z, kwargs=options).value, what=what,
                        suspects=suspects_of(np.asarray(z)) if suspects_of else None, rtol=1e-7, atol=1e-12)

    return test_scalar


def values_check(name: str, title: str, z: np.ndarray, what: str, suspects: dict | None = None,
                 kwargs: dict | None = None):
    return matches_reference(name, title, [Case((z,), what, kwargs=kwargs or {}, suspects=suspects)])


# -- sigmoid ----------------------------------------------------------------------------------------------
SIGMOID_OVERFLOW = (
    "The plain formula 1 / (1 + np.exp(-z)) computes e^1000 for z = -1000. np.where(z >= 0, 1 / (1 + "
    "np.exp(-z)), np.exp(z) / (1 + np.exp(z))) does not avoid it: NumPy computes both branch arrays for "
    "every entry before it chooses, so np.exp of the large entries still overflows. Compute each branch on "
    "its own entries only (boolean masks: pos = z >= 0; out[pos] = 1 / (1 + np.exp(-z[pos])); ...), or "
    "apply np.where to e = np.exp(-np.abs(z)), which never overflows: np.where(z >= 0, 1 / (1 + e), e / (1 + e)).")


def sigmoid_stable_check(title: str, z: np.ndarray, what: str):
    @check("sigmoid", title)
    def test_stable(student, reference):
        outcome = student.call("sigmoid", z)
        expect_finite(outcome.value, what, "np.exp of a large number overflows to inf. " + SIGMOID_OVERFLOW)
        expect_no_warnings(outcome, what, "sigmoid must be stable, with no warning even for z = -1000 or 1000. "
                           + SIGMOID_OVERFLOW)
        compare(outcome.value, reference.call("sigmoid", z).value, what=what, suspects=sigmoid_suspects(z))

    return test_stable


test_sigmoid_matches_reference = shapes_check("sigmoid", 301, sigmoid_suspects, scale=4.0)
test_sigmoid_scalar = scalars_check("sigmoid", [0.0, -2.5, 3.0], suspects=sigmoid_suspects)
test_sigmoid_stable_at_1000 = sigmoid_stable_check(
    "is stable at z = ±1000 (exact 0 and 1, no overflow warning)", HUGE, f"sigmoid(z) with {HUGE_TEXT}")
test_sigmoid_stable_on_large_array = sigmoid_stable_check(
    "is stable on a 3-D array of large positive and negative values",
    np.random.default_rng(311).uniform(-1000.0, 1000.0, size=(3, 4, 5)),
    "sigmoid(z) with z of shape (3, 4, 5), entries up to ±1000")


# -- sigmoid_derivative -----------------------------------------------------------------------------------
def sigmoid_derivative_suspects(z: np.ndarray) -> dict:
    s = np.exp(-np.logaddexp(0.0, -z))
    return {mistake("sigmoid_derivative/one-minus-z"): s * (1 - z),
            mistake("sigmoid_derivative/uses-z"): z * (1 - z),
            mistake("sigmoid_derivative/one-plus"): s * (1 + s),
            mistake("sigmoid_derivative/returns-sigmoid"): s,
            mistake("sigmoid_derivative/returns-one-minus"): 1 - s}


def far_from_zero_check(name: str, advice: str, suspects: Suspects):
    @check(name, "is finite and about 0 for z = ±1000")
    def test_far(student, reference):
        what = f"{name}(z) with {HUGE_TEXT}"
        got = student.call(name, HUGE).value
        expect_finite(got, what, advice)
        compare(got, reference.call(name, HUGE).value, what=what, suspects=suspects(HUGE))

    return test_far


test_sigmoid_derivative_matches_reference = shapes_check("sigmoid_derivative", 302, sigmoid_derivative_suspects)
test_sigmoid_derivative_scalar = scalars_check("sigmoid_derivative", [0.0, 2.0, -1.5],
                                               suspects=sigmoid_derivative_suspects)
test_sigmoid_derivative_far_from_zero = far_from_zero_check(
    "sigmoid_derivative", "Compute it from the (stable) sigmoid: s = sigmoid(z), then s * (1 - s); "
    "e^(-z) / (1 + e^(-z))^2 gives inf / inf = NaN for z = -1000.", sigmoid_derivative_suspects)
_Z = np.linspace(-6.0, 6.0, 13)
test_sigmoid_derivative_peak = values_check(
    "sigmoid_derivative", "is 1/4 at z = 0 and falls off symmetrically on both sides", _Z,
    "sigmoid_derivative(z) with z = -6, -5, ..., 6", sigmoid_derivative_suspects(_Z))


# -- tanh and its derivative ------------------------------------------------------------------------------
def tanh_suspects(z: np.ndarray) -> dict:
    return {mistake("tanh/sigmoid"): 1 / (1 + np.exp(-z)), mistake("tanh/half"): np.tanh(z / 2)}


def tanh_derivative_suspects(z: np.ndarray) -> dict:
    t = np.tanh(z)
    return {mistake("tanh_derivative/missing-square"): 1 - t,
            mistake("tanh_derivative/squares-difference"): (1 - t) ** 2,
            mistake("tanh_derivative/uses-z"): 1 - z**2,
            mistake("tanh_derivative/returns-tanh"): t}


test_tanh_matches_reference = shapes_check("tanh", 303, tanh_suspects)
test_tanh_scalar = scalars_check("tanh", [0.5, -2.0, 0.0], suspects=tanh_suspects)


@check("tanh", "is ±1 (finite) for z = ±1000")
def test_tanh_large(student, reference):
    what = f"tanh(z) with {HUGE_TEXT}"
    got = student.call("tanh", HUGE).value
    expect_finite(got, what, "(e^z - e^(-z)) / (e^z + e^(-z)) gives inf / inf = NaN for large |z|: use np.tanh, "
                  "which is stable for any z.")
    compare(got, reference.call("tanh", HUGE).value, what=what)


_Z = np.linspace(-3.0, 3.0, 13)
test_tanh_odd = values_check("tanh", "is 0 at z = 0 and odd, tanh(-z) = -tanh(z)", _Z,
                             "tanh(z) with z = -3, -2.5, ..., 3", tanh_suspects(_Z))
test_tanh_derivative_matches_reference = shapes_check("tanh_derivative", 304, tanh_derivative_suspects, scale=1.5)
test_tanh_derivative_scalar = scalars_check("tanh_derivative", [0.0, 0.5, -3.0], suspects=tanh_derivative_suspects)
test_tanh_derivative_far_from_zero = far_from_zero_check(
    "tanh_derivative", "Compute it from tanh (np.tanh is stable): 1 - tanh(z)**2.", tanh_derivative_suspects)
test_tanh_derivative_peak = values_check(
    "tanh_derivative", "is 1 at z = 0 and falls off symmetrically on both sides", _Z,
    "tanh_derivative(z) with z = -3, -2.5, ..., 3", tanh_derivative_suspects(_Z))


# -- relu and its derivative ------------------------------------------------------------------------------
def relu_suspects(z: np.ndarray) -> dict:
    return {mistake("relu/minimum"): np.minimum(0, z), mistake("relu/absolute"): np.abs(z),
            mistake("relu/identity"): z, mistake("relu/boolean-mask"): (z > 0) * 1.0}


def relu_derivative_suspects(z: np.ndarray) -> dict:
    return {mistake("relu_derivative/returns-relu"): np.maximum(0, z),
            mistake("relu_derivative/returns-z"): z,
            mistake("relu_derivative/reversed"): (z < 0) * 1.0,
            mistake("relu_derivative/one-at-zero"): (z >= 0) * 1.0,
            mistake("relu_derivative/half-at-zero"): np.where(z == 0, 0.5, z > 0)}


test_relu_matches_reference = shapes_check("relu", 305, relu_suspects)
test_relu_scalar = scalars_check("relu", [-3.0, 2.5, 0.0], suspects=relu_suspects)
test_relu_edges = values_check("relu", "is 0 for z <= 0 and z for z > 0, at 0 and at ±1000 included", EDGES,
                               f"relu(z) with {EDGES_TEXT}", relu_suspects(EDGES))
_Z = np.array([[-3, 0, 2], [5, -1, 0]])
test_relu_integers = values_check("relu", "works on an array of integers", _Z,
                                  "relu(z) with the integer array z = [[-3, 0, 2], [5, -1, 0]]", relu_suspects(_Z))
test_relu_derivative_matches_reference = shapes_check("relu_derivative", 306, relu_derivative_suspects)
# Python floats: `(z > 0).astype(float)` fails on them (a bool has no astype); np.asarray(z) first helps.
test_relu_derivative_scalar = scalars_check("relu_derivative", [2.5, -1.0, 1e-9], suspects=relu_derivative_suspects)
test_relu_derivative_at_zero = values_check("relu_derivative", "is 0 at z = 0", AT_ZERO,
                                            f"relu_derivative(z) with {AT_ZERO_TEXT}",
                                            relu_derivative_suspects(AT_ZERO))
_Z = np.array([1e-300, 1e-9, 0.5, 1e300, -1e-300, -1e-9, -0.5, -1e300])
test_relu_derivative_near_zero = values_check(
    "relu_derivative", "is exactly 1 for every z > 0 and 0 for every z < 0, however small or large", _Z,
    "relu_derivative(z) with z = [1e-300, 1e-9, 0.5, 1e300, -1e-300, -1e-9, -0.5, -1e300]",
    relu_derivative_suspects(_Z))


# -- leaky_relu and its derivative ------------------------------------------------------------------------
def leaky_relu_suspects(z: np.ndarray, alpha: float = 0.01) -> dict:
    suspects = {mistake("leaky_relu/ignores-alpha", alpha=alpha): np.where(z > 0, z, 0.01 * z)} \
        if alpha != 0.01 else {}
    return {**suspects, mistake("leaky_relu/no-leak"): np.maximum(0, z),
            mistake("leaky_relu/alpha-not-times-z"): np.where(z > 0, z, alpha),
            mistake("leaky_relu/wrong-side"): np.where(z > 0, alpha * z, z)}


def leaky_relu_derivative_suspects(z: np.ndarray, alpha: float = 0.01) -> dict:
    suspects = {mistake("leaky_relu_derivative/ignores-alpha", alpha=alpha): np.where(z > 0, 1.0, 0.01)} \
        if alpha != 0.01 else {}
    return {**suspects,
            mistake("leaky_relu_derivative/zero-at-zero"): np.where(z > 0, 1.0, np.where(z < 0, alpha, 0.0)),
            mistake("leaky_relu_derivative/one-at-zero"): np.where(z >= 0, 1.0, alpha),
            mistake("leaky_relu_derivative/no-leak"): np.where(z > 0, 1.0, 0.0),
            mistake("leaky_relu_derivative/returns-leaky-relu"): np.where(z > 0, z, alpha * z)}


def alpha_check(name: str, seed: int, shape: tuple, suspects: Callable):
    """Uses its alpha argument: by keyword, and by position as the signature `name(z, alpha=0.01)` allows."""
    z = random_z(seed, shape)
    return matches_reference(name, "uses its alpha argument (alpha=0.2, and 0.05 passed by position)", [
        Case((z,), f"{name}(z, alpha=0.2) with z of shape {shape}", kwargs={"alpha": 0.2},
             suspects=suspects(z, 0.2)),
        Case((z, 0.05), f"{name}(z, 0.05) with z of shape {shape}", suspects=suspects(z, 0.05))])


test_leaky_relu_matches_reference = shapes_check("leaky_relu", 307, leaky_relu_suspects)
test_leaky_relu_alpha = alpha_check("leaky_relu", 317, (4, 3), leaky_relu_suspects)
test_leaky_relu_scalar = scalars_check("leaky_relu", [-1.0, 2.0], suspects=leaky_relu_suspects, more=[
    ([-3.0], {"alpha": 0.2}, lambda z: leaky_relu_suspects(z, 0.2))])
test_leaky_relu_edges = values_check(
    "leaky_relu", "is 0 at z = 0, z for z > 0 and alpha * z for z < 0, at ±1000 too", EDGES,
    f"leaky_relu(z, alpha=0.2) with {EDGES_TEXT}", leaky_relu_suspects(EDGES, 0.2), kwargs={"alpha": 0.2})
test_leaky_relu_derivative_matches_reference = shapes_check(
    "leaky_relu_derivative", 308, leaky_relu_derivative_suspects)
test_leaky_relu_derivative_alpha = alpha_check("leaky_relu_derivative", 318, (3, 4), leaky_relu_derivative_suspects)
test_leaky_relu_derivative_at_zero = matches_reference("leaky_relu_derivative", "is alpha at z = 0", [
    Case((AT_ZERO,), f"leaky_relu_derivative(z, alpha=0.2) with {AT_ZERO_TEXT}", kwargs={"alpha": 0.2},
         suspects=leaky_relu_derivative_suspects(AT_ZERO, 0.2)),
    Case((AT_ZERO,), f"leaky_relu_derivative(z) with {AT_ZERO_TEXT} (default alpha = 0.01)",
         suspects=leaky_relu_derivative_suspects(AT_ZERO))])
test_leaky_relu_derivative_scalar = scalars_check(
    "leaky_relu_derivative", [3.0, -2.0], suspects=leaky_relu_derivative_suspects, more=[
    ([-0.5], {"alpha": 0.2}, lambda z: leaky_relu_derivative_suspects(z, 0.2))])


# -- softmax ----------------------------------------------------------------------------------------------
def normalised(e: np.ndarray, axis) -> np.ndarray:
    return e / np.sum(e, axis=axis, keepdims=True)


def softmax_suspects(z: np.ndarray) -> dict:
    """The values the usual mistakes give: a wrong axis, or a missing keepdims on a square batch."""
    with np.errstate(all="ignore"):  # a wrong axis may overflow here: that suspect then matches nothing
        by_column = np.exp(z - np.max(z, axis=0, keepdims=True))
        whole = np.exp(z - np.max(z))
        suspects = {}
        if z.ndim >= 2:
            suspects[mistake("softmax/axis-0")] = normalised(by_column, 0)
            suspects[mistake("softmax/whole-array")] = whole / np.sum(whole)
            suspects[mistake("softmax/column-max")] = normalised(by_column, -1)
        if z.ndim == 3:
            suspects[mistake("softmax/axis-1")] = normalised(np.exp(z - np.max(z, axis=1, keepdims=True)), 1)
        if z.ndim == 2 and z.shape[0] == z.shape[1]:
            e = np.exp(z - np.max(z, axis=-1, keepdims=True))
            suspects[mistake("softmax/sum-without-keepdims")] = e / np.sum(e, axis=-1)
            suspects[mistake("softmax/max-without-keepdims")] = normalised(np.exp(z - np.max(z, axis=-1)), -1)
    return suspects


SHIFT_ADVICE = ("Subtract the row maximum before np.exp, z - np.max(z, axis=-1, keepdims=True): softmax "
                "does not change when the same number is subtracted from every score of a row, and np.exp "
                "then only sees numbers <= 0.")


def softmax_stable_check(title: str, z: np.ndarray, what: str):
    """Finite, no overflow warning, right values; NaN is traced to the missing or the global shift."""

    @check("softmax", title)
    def test_stable(student, reference):
        outcome = student.call("softmax", z)
        want = reference.call("softmax", z).value
        got = real_numbers(outcome.value)
        got = got if got is not None and got.shape == want.shape else None
        if got is not None and not np.isfinite(got).all():
            with np.errstate(all="ignore"):  # what a shift by the maximum of the whole array gives
                global_shift = normalised(np.exp(z - np.max(z)), -1)
            if np.isnan(global_shift).any() and np.array_equal(np.isnan(got), np.isnan(global_shift)):
                fail(f"{what} returned NaN for the rows far below the largest score of the whole array: "
                     + mistake("softmax/global-max").message, "softmax/global-max")
            expect_finite(got, what, "np.exp of a score above about 709 overflows to inf, and inf / inf is NaN. "
                          + SHIFT_ADVICE, "softmax/no-max-subtracted")
        expect_no_warnings(outcome, what, "softmax must be stable, with no warning even for scores of 1000. "
                           + SHIFT_ADVICE)
        compare(outcome.value, want, what=what, suspects=softmax_suspects(z))

    return test_stable


_rng = np.random.default_rng(309)
test_softmax_vector = matches_reference("softmax", "matches the reference on vectors of scores", [
    Case((z,), f"softmax(z) with z of shape ({k},)") for k in (3, 8) for z in [_rng.normal(scale=2.0, size=k)]])
_rng = np.random.default_rng(319)
test_softmax_batch = matches_reference("softmax", "matches the reference on batches of rows", [
    Case((z,), f"softmax(Z) with Z of shape {shape}", suspects=softmax_suspects(z))
    for shape in [(4, 3), (3, 6), (5, 5)] for z in [_rng.normal(scale=2.0, size=shape)]])
_Z = random_z(339, (2, 3, 4), scale=2.0)
test_softmax_3d = values_check("softmax", "works over the last axis of a 3-D array", _Z,
                               "softmax(Z) with Z of shape (2, 3, 4)", softmax_suspects(_Z))
_ROW, _COLUMN = random_z(369, (1, 5), scale=2.0), random_z(379, (4, 1), scale=2.0)
test_softmax_one_row_or_one_column = matches_reference(
    "softmax", "handles a batch of one row and a batch of one score per row", [
        Case((_ROW,), "softmax(Z) with Z of shape (1, 5) (one example)", suspects=softmax_suspects(_ROW)),
        Case((_COLUMN,), "softmax(Z) with Z of shape (4, 1) (one score per row: every probability is 1)",
             suspects=softmax_suspects(_COLUMN))])


@check("softmax", "works over the last axis (each row sums to 1 and is the softmax of that row alone)")
def test_softmax_rows(student, reference):
    z = random_z(329, (6, 4), scale=2.0) + np.arange(6.0)[:, None]  # rows on different levels
    what = "softmax(Z) with Z of shape (6, 4)"
    got = student.call("softmax", z).value
    want = reference.call("softmax", z).value
    array = real_numbers(got)
    if array is None or array.shape != want.shape:
        compare(got, want, what=what)
    sums = np.sum(array, axis=-1)
    if not np.allclose(sums, 1.0, rtol=0, atol=1e-9):
        if np.allclose(np.sum(array, axis=0), 1.0, rtol=0, atol=1e-9):
            fail(f"the columns of {what} sum to 1, not its rows: " + mistake("softmax/axis-0").message,
                 "softmax/axis-0")
        if np.isclose(np.sum(array), 1.0, rtol=0, atol=1e-9):
            fail(f"the entries of {what} sum to 1 all together: " + mistake("softmax/whole-array").message,
                 "softmax/whole-array")
        row = int(np.argmax(np.abs(sums - 1.0)))
        fail(f"the rows of {what} should each sum to 1; row {row} sums to {sums[row]:.6g}.",
             "softmax/rows-do-not-sum-to-one")
    for i in range(z.shape[0]):
        compare(array[i], reference.call("softmax", z[i]).value,
                what=f"row {i} of {what}, against the softmax of that row alone")


test_softmax_stable_at_1000 = softmax_stable_check(
    "is stable for scores of ±1000 (no NaN, no overflow warning)",
    np.array([[1000.0, 0.0, -1000.0], [-1000.0, 0.0, 1000.0], [1000.0, 1000.0, 0.0], [0.0, -1000.0, 0.0]]),
    "softmax(Z) with Z = [[1000, 0, -1000], [-1000, 0, 1000], [1000, 1000, 0], [0, -1000, 0]]")
test_softmax_stable_per_row = softmax_stable_check(
    "is stable on a batch whose rows lie far apart (each row shifted by its own maximum)",
    random_z(349, (5, 4), scale=3.0) + np.array([900.0, -900.0, 0.0, 500.0, -500.0])[:, None],
    "softmax(Z) with Z of shape (5, 4) whose rows are around 900, -900, 0, 500 and -500")

# -- speed: last, so that a function stopped for taking too long has passed the checks above ---------------
test_softmax_vectorised = vectorised(
    "softmax", "is vectorised (a batch of 100 000 rows)",
    # many short rows: a Python loop over them is then about 80 times slower than working on the whole array
    Case((_Z := random_z(359, (100_000, 3)),), "softmax of a batch of 100 000 rows of 3 scores",
         suspects=softmax_suspects(_Z)),
    "is there a Python loop over the rows (or np.apply_along_axis, or np.vectorize, which loop too)? Work on "
    "the whole array at once: z - np.max(z, axis=-1, keepdims=True), np.exp, then divide by np.sum(e, "
    "axis=-1, keepdims=True).")
