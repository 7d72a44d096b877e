"""Hidden checks of 02_logistic_regression: every method of `LogisticRegressionNN`, then the whole class.

Each method is checked with the reference's other methods standing in for the student's (no cascade):
`compute_cost` sees the reference's `forward`, `train` the reference's `compute_gradients`, and so on.
Expected values come from the reference; the suspects (what a typical bug would give) from plain numpy.
"""

import time

import numpy as np
import pytest

from autograder.feedback import StudentTimeout, as_array, compare, describe, expect, fail
from autograder.student import Constant

ASSIGNMENT = "02_logistic_regression"
CLASS = "LogisticRegressionNN"


# -- data and plain-numpy models of the right answer and of the usual mistakes ------------------------------
def problem(seed: int, m: int, n: int, bias: float) -> tuple[np.ndarray, np.ndarray, dict]:
    """Random X (m, n), labels y (m, 1) with both classes, and a model state with a non-zero bias."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(m, n))
    y = (rng.random((m, 1)) > 0.5).astype(int)
    if m > 1:
        y[0, 0], y[1, 0] = 1, 0
    return X, y, {"weights": rng.normal(size=(n, 1)), "bias": np.array([[bias]])}


def sig(z):
    return 1 / (1 + np.exp(-z))


def probabilities(X: np.ndarray, state: dict) -> np.ndarray:
    return sig(X @ state["weights"] + state["bias"])


def same(got, want) -> bool:
    """Equal shapes and values, to the tolerance of the checks."""
    return np.shape(got) == np.shape(want) and bool(np.allclose(got, want, rtol=1e-6, atol=1e-10))


def descend(X, y, w, b, learning_rate, epochs, bias_too=True):
    """Batch gradient descent in plain numpy, for the suspects of `train`."""
    w, b = np.array(w, dtype=float), float(np.asarray(b).item())
    for _ in range(epochs):
        error = sig(X @ w + b) - y
        w, b = w - learning_rate * X.T @ error / len(X), b - learning_rate * float(np.mean(error)) * bias_too
    return w, b


# -- sigmoid -------------------------------------------------------------------------------------------------
def sigmoid_suspects(z: np.ndarray) -> dict:
    return {"it gives 1 / (1 + e^z): the exponent needs a minus sign, e^(-z).": 1 / (1 + np.exp(z)),
            "it computes 1 / 1 + e^(-z) = 1 + e^(-z): put the whole denominator in parentheses, "
            "1 / (1 + np.exp(-z)).": 1 + np.exp(-z),
            "it returns e^(-z) / (1 + e^(-z)) = 1 - sigmoid(z).": np.exp(-z) / (1 + np.exp(-z))}


def test_sigmoid_matches_reference(student, reference):
    """LogisticRegressionNN.sigmoid: matches the reference on arrays of several shapes"""
    rng = np.random.default_rng(101)
    for shape in [(6,), (3, 4), (2, 3, 2)]:
        z = rng.normal(scale=3, size=shape)
        got = student.call(f"{CLASS}.sigmoid", z, init=(3,)).value
        want = reference.call(f"{CLASS}.sigmoid", z, init=(3,)).value
        compare(got, want, what=f"sigmoid(z) with z of shape {shape}", rtol=1e-9, atol=1e-12,
                suspects=sigmoid_suspects(z))


def test_sigmoid_keeps_a_column(student):
    """LogisticRegressionNN.sigmoid: keeps the shape of a column (m, 1), as forward needs"""
    for z in [np.linspace(-5, 4, 7).reshape(-1, 1), np.array([[1.25]])]:
        got = student.call(f"{CLASS}.sigmoid", z, init=(3,)).value
        compare(got, sig(z), what=f"sigmoid(z) with z of shape {z.shape}", rtol=1e-9, atol=1e-12,
                suspects=sigmoid_suspects(z))


def test_sigmoid_scalar(student):
    """LogisticRegressionNN.sigmoid: takes a single number and returns a single number"""
    for z in [0.0, -1.5, 2]:
        got = student.call(f"{CLASS}.sigmoid", z, init=(3,)).value
        if got is not None and np.ndim(got) != 0:
            fail(f"sigmoid({z}) returned {describe(got)}; expected a single number. Apply np.exp to z as it "
                 "is, without turning it into an array of another shape.")
        compare(got, sig(z), what=f"sigmoid({z})", rtol=1e-9, atol=1e-12,
                suspects=sigmoid_suspects(np.asarray(float(z))))


def test_sigmoid_is_an_s_curve(student):
    """LogisticRegressionNN.sigmoid: is 0.5 at 0 and rises from near 0 to near 1"""
    z = np.linspace(-6, 6, 13)
    got = as_array(student.call(f"{CLASS}.sigmoid", z, init=(3,)).value, "sigmoid(z)", z.shape)
    expect(got.shape == z.shape, f"sigmoid(z) with z of shape {z.shape} returned shape {got.shape}; "
                                 "expected the input's shape.")
    expect(bool(np.all(np.isfinite(got))), "sigmoid(z) for z from -6 to 6 returned NaN or inf.")
    expect(np.isclose(got[6], 0.5, rtol=0, atol=1e-12), f"sigmoid(0) gave {got[6]:.6g}; expected 0.5.")
    if np.all(np.diff(got) < 0):
        fail("sigmoid decreases as z grows: the exponent needs a minus sign, 1 / (1 + e^(-z)).")
    expect(bool(np.all(np.diff(got) > 0)), "sigmoid(z) does not increase with z for z from -6 to 6.")
    expect(bool(got[0] < 0.01 and got[-1] > 0.99 and np.all((got > 0) & (got < 1))),
           "sigmoid(z) for z from -6 to 6 should stay between 0 and 1, near 0 at -6 and near 1 at 6.")


# -- forward -------------------------------------------------------------------------------------------------
def forward_suspects(X: np.ndarray, state: dict) -> dict:
    w, b = state["weights"], state["bias"]
    z = X @ w + b
    return {"the bias is missing: the probabilities are sigmoid(X w + b).": sig(X @ w),
            "the sigmoid is missing: forward returns z = X w + b itself, not sigmoid(z).": z,
            "it computes sigmoid(-z): the sign of z = X w + b is flipped.": sig(-z),
            "it subtracts the bias: z = X w + b.": sig(X @ w - b)}


@pytest.mark.parametrize("m, n", [(7, 2), (3, 5)], ids=["7x2", "3x5"])
def test_forward_matches_reference(student, reference, m, n):
    """LogisticRegressionNN.forward: matches the reference on random data, with a bias"""
    X, _, state = problem(200 + m, m, n, bias=0.3 if m > n else -0.7)
    got = student.call(f"{CLASS}.forward", X, init=(n,), state=state).value
    want = reference.call(f"{CLASS}.forward", X, init=(n,), state=state).value
    compare(got, want, what=f"forward(X) with X of shape {X.shape}", rtol=1e-9, atol=1e-12,
            suspects=forward_suspects(X, state), strict_shape=False)


def test_forward_returns_a_column(student):
    """LogisticRegressionNN.forward: returns one probability per example, shape (m, 1)"""
    X, _, state = problem(211, 6, 3, bias=0.5)
    got = student.call(f"{CLASS}.forward", X, init=(3,), state=state).value
    shape = np.shape(got) if got is not None else None
    if shape != (6, 1):
        fail(f"forward(X) with X of shape (6, 3) returned {describe(got)}; expected shape (m, 1) = (6, 1). "
             "np.dot(X, self.weights) with weights of shape (n, 1) already gives a column: don't flatten it.")


def test_forward_uses_the_current_state(student, reference):
    """LogisticRegressionNN.forward: uses the model's current weights and bias"""
    X = np.array([[0.3, -0.7], [1.2, 0.4], [-0.5, -1.1]])
    for w, b in [([1.5, 0.5], 2.0), ([-1.0, 3.0], -1.0)]:
        state = {"weights": np.array(w).reshape(-1, 1), "bias": np.array([[b]])}
        got = student.call(f"{CLASS}.forward", X, init=(2,), state=state).value
        want = reference.call(f"{CLASS}.forward", X, init=(2,), state=state).value
        compare(got, want, what=f"forward(X) with weights {w} and bias {b}", rtol=1e-9, atol=1e-12,
                suspects=forward_suspects(X, state), strict_shape=False)


# -- compute_cost --------------------------------------------------------------------------------------------
def cost_suspects(h: np.ndarray, y: np.ndarray) -> dict:
    m = len(y)
    square = y * np.log(h.ravel()) + (1 - y) * np.log(1 - h.ravel())  # (m, m): h flattened, y a column
    flat = ("the predictions and y have different shapes, (m,) and (m, 1), so y * log(y_hat) broadcasts "
            "into an (m, m) matrix{}: keep both as (m, 1) columns (or flatten both).")
    return {"the term (1 - y) log(1 - y_hat) for the examples with y = 0 is missing.":
                -np.mean(y * np.log(h)),
            "the term y log(y_hat) for the examples with y = 1 is missing.":
                -np.mean((1 - y) * np.log(1 - h)),
            flat.format(""): -np.sum(square) / m,
            flat.format(" (and np.mean averages its m * m entries)"): -np.mean(square),
            "it uses np.log10: the cross-entropy uses the natural logarithm np.log.":
                -np.mean(y * np.log10(h) + (1 - y) * np.log10(1 - h)),
            "it computes the squared error, not the binary cross-entropy.": np.mean((h - y) ** 2)}


@pytest.mark.parametrize("m, n", [(8, 3), (5, 2), (2, 4)], ids=["8x3", "5x2", "2x4"])
def test_cost_matches_reference(student, reference, m, n):
    """LogisticRegressionNN.compute_cost: matches the reference on random data"""
    X, y, state = problem(300 + m, m, n, bias=0.4 if m > n else -1.2)
    got = student.call(f"{CLASS}.compute_cost", X, y, init=(n,), state=state).value
    want = reference.call(f"{CLASS}.compute_cost", X, y, init=(n,), state=state).value
    compare(got, want, what=f"compute_cost(X, y) with X of shape {X.shape}", rtol=1e-6, atol=1e-9,
            suspects=cost_suspects(probabilities(X, state), y), m=m, strict_shape=False)


def test_cost_is_a_number(student):
    """LogisticRegressionNN.compute_cost: returns a single number (a float)"""
    X, y, state = problem(311, 6, 3, bias=0.2)
    got = student.call(f"{CLASS}.compute_cost", X, y, init=(3,), state=state).value
    if got is None:
        fail("compute_cost returned None: is a `return` statement missing?")
    if isinstance(got, (bool, np.bool_)) or not isinstance(got, (int, float, np.number, np.ndarray)) \
            or np.ndim(got) != 0:
        hint = (" y.T @ np.log(y_hat) gives a (1, 1) matrix: turn the result into a number with float(...)."
                if np.shape(got) == (1, 1) else " Sum or average over the examples and return float(...).")
        fail(f"compute_cost(X, y) with X of shape (6, 3) returned {describe(got)}; expected a single number, "
             f"a float.{hint}")


# Saturated predictions: weights that make z = +-1000, and a `forward` that gives the exact 0.0 and 1.0 the
# sigmoid rounds to there, so that an epsilon, a clip or a log-sum-exp from z are all judged alike.
X_SAT = np.array([[1.0, 0.5], [-1.0, 2.0], [1.0, -1.0], [-1.0, 0.0]])
STATE_SAT = {"weights": np.array([[1000.0], [0.0]]), "bias": np.array([[0.0]])}
P_SAT = np.array([[1.0], [0.0], [1.0], [0.0]])


def saturated_cost(student, y: np.ndarray) -> float:
    outcome = student.call(f"{CLASS}.compute_cost", X_SAT, y, init=(2,), state=STATE_SAT,
                           standins={"forward": lambda state, args, kwargs: P_SAT.copy()})
    what = "compute_cost(X, y) when the predictions are exactly 0.0 and 1.0"
    got = as_array(outcome.value, what, ())
    if got.size != 1:
        fail(f"{what} returned {describe(outcome.value)}; expected a single number.")
    cost = float(got.item())
    guard = ("Guard both logarithms, e.g. np.log(y_hat + epsilon) and np.log(1 - y_hat + epsilon) with "
             "epsilon = 1e-15, or clip y_hat.")
    if np.isnan(cost):
        fail(f"{what} returned NaN: 0 * log(0) is NaN. {guard}")
    if np.isinf(cost):
        fail(f"{what} returned inf: log(0) is -inf. {guard}")
    return cost


def test_cost_saturated_wrong(student):
    """LogisticRegressionNN.compute_cost: is finite and large when confident predictions are wrong"""
    # Example 0 has y = 0 but probability 1.0, example 1 has y = 1 but probability 0.0; the others are right.
    cost = saturated_cost(student, np.array([[0], [1], [1], [0]]))
    expect(cost >= 0, f"compute_cost returned {cost:.6g}, a negative cost, for saturated predictions: the "
                      "cross-entropy is never negative (check the minus sign).")
    expect(cost > 3, f"compute_cost returned {cost:.6g} when two of four predictions are confidently wrong "
                     "(probability 1.0 for y = 0, 0.0 for y = 1); such mistakes must cost a lot (more than 3 "
                     "here). Is the epsilon or the clip too large?")


def test_cost_saturated_right(student):
    """LogisticRegressionNN.compute_cost: is finite and about 0 when saturated predictions are all right"""
    cost = saturated_cost(student, np.array([[1], [0], [1], [0]]))
    expect(cost >= -1e-9, f"compute_cost returned {cost:.6g}, a negative cost, for perfect saturated "
                          "predictions: the cross-entropy is never negative (check the minus sign).")
    expect(cost < 1e-4, f"compute_cost returned {cost:.6g} for predictions that are exactly right "
                        "(probability 1.0 for y = 1, 0.0 for y = 0); expected about 0.")


# -- compute_gradients ---------------------------------------------------------------------------------------
def dw_shape_problem(shape: tuple, m: int, n: int) -> str | None:
    """Why dw of this shape is not the weights' (n, 1), for X of shape (m, n); None if it is."""
    if shape == (n, 1):
        return None
    if m > 1 and m != n and shape in [(n, m), (m, m)]:
        return ("y_hat - y became an (m, m) matrix: y_hat of shape (m,) minus y of shape (m, 1) broadcasts. "
                "Keep both as (m, 1) columns.")
    if m > 1 and m != n and shape == (m, n):
        return "it has one row per example: sum over the examples with X.T @ (y_hat - y)."
    if shape == (1, n):
        return "(y_hat - y).T @ X gives a row (1, n): compute X.T @ (y_hat - y) instead."
    if shape == (n,):
        return "keep it a column like self.weights: don't flatten it."
    return ""


def gradients(value, X: np.ndarray) -> tuple:
    """The student's (dw, db), once it is known to be a pair whose dw holds one number per weight."""
    m, n = X.shape
    what = f"compute_gradients(X, y) with X of shape {X.shape}"
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        fail(f"{what} returned {describe(value)}; expected the pair (dw, db): `return dw, db`.")
    dw, db = value
    dw = as_array(dw, f"dw of {what}", (n, 1))
    if dw.size != n:
        fail(f"{what} returned dw of shape {dw.shape}; expected the weights' shape ({n}, 1): "
             f"{dw_shape_problem(dw.shape, m, n)}".rstrip(": "))
    db = as_array(db, f"db of {what}", ())
    if db.size != 1:
        fail(f"{what} returned db as {describe(db)}; expected a single number: sum (and divide by m) "
             "y_hat - y over all the examples.")
    return dw, db


def gradient_suspects(X: np.ndarray, y: np.ndarray, state: dict) -> tuple[dict, dict]:
    m = len(X)
    h, z = probabilities(X, state), X @ state["weights"] + state["bias"]
    no_bias = sig(X @ state["weights"])
    squared = ("it multiplies by sigmoid'(z) = y_hat (1 - y_hat): that is the gradient of the squared "
               "error. For the cross-entropy the derivative with respect to z is just y_hat - y.")
    raw = ("it uses z = X w + b instead of the probabilities y_hat = sigmoid(z): get y_hat from "
           "self.forward(X).")
    bias = "y_hat is computed without the bias: get y_hat from self.forward(X)."
    dw = {squared: X.T @ ((h - y) * h * (1 - h)) / m, raw: X.T @ (z - y) / m, bias: X.T @ (no_bias - y) / m}
    db = {squared: np.mean((h - y) * h * (1 - h)), raw: np.mean(z - y), bias: np.mean(no_bias - y)}
    return dw, db


@pytest.mark.parametrize("m, n", [(6, 2), (3, 5), (10, 1)], ids=["6x2", "3x5", "10x1"])
def test_gradients_match_reference(student, reference, m, n):
    """LogisticRegressionNN.compute_gradients: gives the reference's dw and db on random data"""
    X, y, state = problem(400 + m, m, n, bias=0.5 if m > n else -0.25)
    dw, db = gradients(student.call(f"{CLASS}.compute_gradients", X, y, init=(n,), state=state).value, X)
    want_dw, want_db = reference.call(f"{CLASS}.compute_gradients", X, y, init=(n,), state=state).value
    dw_suspects, db_suspects = gradient_suspects(X, y, state)
    what = f"compute_gradients(X, y) with X of shape {X.shape}"
    # Values only: the shapes are the next check's business, so that a flat dw costs one check, not all.
    compare(dw, want_dw, what=f"dw of {what}", rtol=1e-6, atol=1e-10, suspects=dw_suspects, m=m,
            strict_shape=False)
    compare(db, want_db, what=f"db of {what}", rtol=1e-6, atol=1e-10, suspects=db_suspects, m=m,
            strict_shape=False)


def test_gradients_shapes(student):
    """LogisticRegressionNN.compute_gradients: dw has the weights' shape (n, 1) and db is one number"""
    X, y, state = problem(411, 7, 4, bias=0.1)
    dw, _ = gradients(student.call(f"{CLASS}.compute_gradients", X, y, init=(4,), state=state).value, X)
    problem_ = dw_shape_problem(dw.shape, 7, 4)
    if problem_ is not None:
        fail(f"compute_gradients(X, y) with X of shape (7, 4) returned dw of shape {dw.shape}; it must have "
             "the weights' shape (n, 1) = (4, 1), so that self.weights -= learning_rate * dw keeps the "
             f"weights a column. {problem_}".rstrip())


def test_gradients_leave_the_model_unchanged(student):
    """LogisticRegressionNN.compute_gradients: leaves the weights and the bias unchanged"""
    X, y, state = problem(431, 6, 3, bias=0.7)
    after = student.call(f"{CLASS}.compute_gradients", X, y, init=(3,), state=state).state
    for name in ("weights", "bias"):
        value = np.ravel(after.get(name, np.nan))  # a bias of shape (1, 1) or a float: the same bias
        expect(same(value, np.ravel(state[name])), f"compute_gradients changed self.{name}: it should only "
                                                    "compute the gradients; train makes the update.")


# -- gradient_check ------------------------------------------------------------------------------------------
def checked_gradient(student, X, y, state, standins=None) -> tuple[float, int]:
    """The student's gradient_check(X, y) and how often it called compute_gradients, once it is known to be
    one number and to leave the parameters as they were."""
    outcome = student.call(f"{CLASS}.gradient_check", X, y, init=(X.shape[1],), state=state, standins=standins)
    what = f"gradient_check(X, y) with X of shape {X.shape}"
    got = as_array(outcome.value, what, ())
    if got.size != 1:
        fail(f"{what} returned {describe(outcome.value)}; expected a single number, the relative difference.")
    for name in ("weights", "bias"):
        before, after = np.ravel(state[name]), np.ravel(outcome.state.get(name, np.nan))
        if after.shape != before.shape or not np.allclose(after, before, rtol=0, atol=1e-12):
            shift = np.max(np.abs(after - before)) if after.shape == before.shape else np.nan
            fail(f"{what} left self.{name} changed (by up to {shift:.3g}): save each value before you change "
                 "it and put it back afterwards, so that the model is the same after the check as before.")
    return float(got.item()), outcome.calls.get("compute_gradients", 0)


def test_gradient_check_passes_a_right_gradient(student, reference):
    """LogisticRegressionNN.gradient_check: is below 1e-7 for a right gradient and leaves the parameters unchanged"""
    for seed, m, n, bias in [(351, 8, 3, 0.4), (352, 5, 1, -0.8)]:
        X, y, state = problem(seed, m, n, bias)
        want = reference.call(f"{CLASS}.gradient_check", X, y, init=(n,), state=state).value
        got, _ = checked_gradient(student, X, y, state)
        what = f"gradient_check(X, y) with X of shape {X.shape} and the right compute_gradients"
        if np.isclose(got, 1 / 3, rtol=1e-3):
            fail(f"{what} gave 1/3: the numerical gradient is twice too large. The centred difference "
                 "(J(theta + epsilon) - J(theta - epsilon)) / (2 epsilon) divides by 2 epsilon.")
        if np.isclose(got, 1.0, rtol=1e-6):
            fail(f"{what} gave 1.0: one of the two gradients is all zeros. Change self.weights and self.bias "
                 "themselves (not a copy), so that self.compute_cost sees each change.")
        expect(got < 1e-7, f"{what} gave {got:.3g}; expected below 1e-7 (the reference gives {want:.1g}). Use "
                           "the centred difference for each weight and then the bias, one at a time.")


def test_gradient_check_catches_a_wrong_gradient(student):
    """LogisticRegressionNN.gradient_check: gives the relative difference for a wrong gradient (the squared error's)"""
    X, y, state = problem(361, 7, 3, bias=0.2)
    h = probabilities(X, state)
    right = np.append(X.T @ (h - y) / len(X), np.mean(h - y))  # equal to the centred differences, to ~1e-9
    error = (h - y) * h * (1 - h)
    wrong_dw, wrong_db = X.T @ error / len(X), float(np.mean(error))
    wrong = np.append(wrong_dw, wrong_db)
    got, calls = checked_gradient(student, X, y, state, {"compute_gradients": Constant((wrong_dw, wrong_db))})
    if calls == 0:
        fail("gradient_check did not call self.compute_gradients(X, y): the analytic gradient it checks must come "
             "from there.")
    norm = np.linalg.norm
    suspects = {
        "it leaves out the bias: the gradient has n + 1 entries, the n weights and then the bias.":
            norm(wrong[:-1] - right[:-1]) / (norm(wrong[:-1]) + norm(right[:-1])),
        "it returns ||g - g_num|| itself: divide it by ||g|| + ||g_num|| to make it relative.": norm(wrong - right),
        "it divides by ||g|| alone: the relative difference divides by ||g|| + ||g_num||.":
            norm(wrong - right) / norm(wrong),
        "the numerical gradient is twice too large: the centred difference divides by 2 epsilon.":
            norm(wrong - 2 * right) / (norm(wrong) + 2 * norm(right)),
        "the numerical gradient is all zeros: change self.weights and self.bias themselves (not a copy), so "
        "that self.compute_cost sees each change.": 1.0,
    }
    compare(got, norm(wrong - right) / (norm(wrong) + norm(right)), rtol=1e-4, atol=0, suspects=suspects,
            what="gradient_check(X, y) with X of shape (7, 3) when compute_gradients gives the squared error's "
                 "gradient")


# -- train ---------------------------------------------------------------------------------------------------
def trained(outcome) -> tuple:
    """The weights and the bias that a call left in the model."""
    for name, step in (("weights", "dw"), ("bias", "db")):
        if name not in outcome.state:
            fail(f"after train, the model has no numeric self.{name} any more: update it in place, e.g. "
                 f"self.{name} -= learning_rate * {step}.")
    return outcome.state["weights"], outcome.state["bias"]


def train_suspects(X, y, state, learning_rate, epochs) -> dict:
    """What the usual mistakes of `train` give: hint -> (weights, bias)."""
    n = X.shape[1]
    w, b = state["weights"], float(np.asarray(state["bias"]).item())
    redrawn = np.random.RandomState(0)  # the student process seeds 0 before each call, and __init__ draws
    redrawn.randn(n, 1)                 # first: a re-initialisation in train draws the next numbers
    loop = "Loop `for _ in range(epochs)`."
    restart = "train must continue from the current self.weights and self.bias, not re-initialise them."
    suspects = {
        f"self.weights and self.bias are unchanged with epochs={epochs}: each epoch must take one step, "
        "self.weights -= learning_rate * dw and self.bias -= learning_rate * db.": (w, b),
        f"it ignores learning_rate={learning_rate} (uses 0.01?): use the argument.":
            descend(X, y, w, b, 0.01, epochs),
        f"it takes {epochs - 1} steps for epochs={epochs}: one epoch short. {loop}":
            descend(X, y, w, b, learning_rate, epochs - 1),
        f"it takes {epochs + 1} steps for epochs={epochs}: one epoch too many. {loop}":
            descend(X, y, w, b, learning_rate, epochs + 1),
        f"it starts from zero weights: {restart}":
            descend(X, y, np.zeros((n, 1)), 0.0, learning_rate, epochs),
        f"it starts from new random weights: {restart}":
            descend(X, y, redrawn.randn(n, 1), 0.0, learning_rate, epochs),
        "it resets the bias to 0 before training: continue from the current self.bias.":
            descend(X, y, w, 0.0, learning_rate, epochs),
        "it adds the gradients: gradient descent subtracts them, self.weights -= learning_rate * dw.":
            descend(X, y, w, b, -learning_rate, epochs),
        "the bias is not updated: also do self.bias -= learning_rate * db.":
            descend(X, y, w, b, learning_rate, epochs, bias_too=False),
    }
    if epochs != 1000:
        suspects[f"it ignores epochs={epochs} (runs 1000 epochs?): use the argument."] = \
            descend(X, y, w, b, learning_rate, 1000)
    return suspects


def check_training(student, reference, X, y, state, kwargs):
    """Train the student's model (with the reference's compute_gradients) and compare with the reference."""
    n = X.shape[1]
    learning_rate, epochs = kwargs.get("learning_rate", 0.01), kwargs.get("epochs", 1000)
    outcome = student.call(f"{CLASS}.train", X, y, init=(n,), state=state, kwargs=kwargs)
    want = reference.call(f"{CLASS}.train", X, y, init=(n,), state=state, kwargs=kwargs).state
    weights, bias = trained(outcome)
    args = "".join(f", {k}={v}" for k, v in kwargs.items())
    what = f"train(X, y{args}) with X of shape {X.shape}"
    right_w = same(weights, want["weights"])
    if right_w and np.size(bias) == 1 and same(np.ravel(bias), np.ravel(want["bias"])):
        return  # the suspects below cost thousands of numpy steps: only for a wrong answer
    steps = outcome.calls.get("compute_gradients", 0)
    if not right_w and steps not in (0, epochs):
        fail(f"{what} called self.compute_gradients {steps} times; expected exactly {epochs}, one gradient "
             "step per epoch.")
    suspects = train_suspects(X, y, state, learning_rate, epochs)
    compare(weights, want["weights"], what=f"self.weights after {what}", rtol=1e-6, atol=1e-10,
            suspects={hint: w for hint, (w, _) in suspects.items()})
    # The weights are right: of the suspects, only those that also get the weights right explain the bias.
    compare(bias, want["bias"], what=f"self.bias after {what}", rtol=1e-6, atol=1e-10, strict_shape=False,
            suspects={hint: b for hint, (w, b) in suspects.items() if same(w, weights)})


def test_train_matches_reference(student, reference):
    """LogisticRegressionNN.train: matches the reference after a few steps on random data"""
    for seed, m, n, bias, kwargs in [(501, 9, 2, 0.2, {"learning_rate": 0.3, "epochs": 5}),
                                     (502, 5, 4, -0.6, {"learning_rate": 0.8, "epochs": 3})]:
        X, y, state = problem(seed, m, n, bias)
        check_training(student, reference, X, y, state, kwargs)


def test_train_takes_exactly_epochs_steps(student, reference):
    """LogisticRegressionNN.train: takes exactly `epochs` steps (0, 1 and 6)"""
    X, y, state = problem(511, 6, 3, bias=0.4)
    for epochs in (0, 1, 6):
        check_training(student, reference, X, y, state, {"learning_rate": 0.5, "epochs": epochs})


def test_train_uses_the_learning_rate(student, reference):
    """LogisticRegressionNN.train: uses the learning rate it is given"""
    X, y, state = problem(521, 7, 2, bias=-0.3)
    for learning_rate in (0.05, 1.5):
        check_training(student, reference, X, y, state, {"learning_rate": learning_rate, "epochs": 4})


def test_train_continues_from_the_current_model(student, reference):
    """LogisticRegressionNN.train: continues from the current weights and bias"""
    X, y, _ = problem(531, 8, 3, bias=0.0)
    state = {"weights": np.array([[2.5], [-1.75], [0.5]]), "bias": np.array([[0.9]])}
    check_training(student, reference, X, y, state, {"learning_rate": 0.2, "epochs": 3})


def test_train_defaults(student, reference):
    """LogisticRegressionNN.train: uses the defaults learning_rate=0.01 and epochs=1000"""
    X, y, state = problem(541, 3, 2, bias=0.25)
    # A constant gradient, answered inside the student process (1000 round trips would cost ~0.4 s): each
    # step then moves the model by the same amount, so the result shows both the steps and the rate.
    dw, db = np.array([[0.5], [-0.25]]), 0.125
    outcome = student.call(f"{CLASS}.train", X, y, init=(2,), state=state,
                           standins={"compute_gradients": Constant((dw, db))})
    steps = outcome.calls.get("compute_gradients", 0)
    if steps == 0:  # gradients written inline rather than through self.compute_gradients: judge the result
        return check_training(student, reference, X, y, state, {})
    expect(steps == 1000, f"train(X, y) took {steps} gradient steps; with the default epochs=1000 it must take "
                          "1000: give the parameter its default, `epochs=1000`, and loop `for _ in range(epochs)`.")
    weights, bias = trained(outcome)
    w0, b0 = state["weights"], float(np.asarray(state["bias"]).item())
    rate_hints = {f"it uses learning_rate={rate} instead of the default 0.01.": w0 - rate * 1000 * dw
                  for rate in (0.1, 0.001, 1.0)}
    compare(weights, w0 - 0.01 * 1000 * dw, what="self.weights after train(X, y) with default arguments",
            rtol=1e-9, atol=1e-9, suspects=rate_hints)
    compare(bias, b0 - 0.01 * 1000 * db, what="self.bias after train(X, y) with default arguments",
            rtol=1e-9, atol=1e-9, strict_shape=False)


# -- predict -------------------------------------------------------------------------------------------------
def predict_suspects(p: np.ndarray, threshold: float) -> dict:
    return {f"it ignores threshold={threshold} and compares with 0.5: use the argument.": p >= 0.5,
            "it gives 1 where the probability is below the threshold: the comparison is reversed.":
                p < threshold,
            "it returns the probabilities, not the classes: compare them with the threshold.": p}


def check_predict(student, reference, X, state, kwargs, what):
    n = X.shape[1]
    got = student.call(f"{CLASS}.predict", X, init=(n,), state=state, kwargs=kwargs).value
    want = reference.call(f"{CLASS}.predict", X, init=(n,), state=state, kwargs=kwargs).value
    # Values only (0 or 1 per example): the shape and the dtype are one check of their own.
    compare(got, want, what=what, rtol=0, atol=1e-12, strict_shape=False,
            suspects=predict_suspects(probabilities(X, state), kwargs.get("threshold", 0.5)))


def test_predict_matches_reference(student, reference):
    """LogisticRegressionNN.predict: matches the reference on random data"""
    for seed, m, n, bias in [(601, 9, 3, 0.15), (602, 4, 5, -0.5)]:
        X, _, state = problem(seed, m, n, bias)
        check_predict(student, reference, X, state, {}, f"predict(X) with X of shape {X.shape}")


def test_predict_returns_integers(student):
    """LogisticRegressionNN.predict: returns integers 0 and 1 of shape (m, 1)"""
    X, _, state = problem(611, 6, 2, bias=0.1)
    got = student.call(f"{CLASS}.predict", X, init=(2,), state=state).value
    if got is None:
        fail("predict(X) returned None: is a `return` statement missing?")
    array = np.asarray(got) if isinstance(got, (list, np.ndarray)) else None
    if array is None or array.shape != (6, 1):
        fail(f"predict(X) with X of shape (6, 2) returned {describe(got)}; expected an array of shape "
             "(m, 1) = (6, 1), like the probabilities of forward.")
    if array.dtype == bool:
        fail("predict(X) returned booleans; expected the integers 0 and 1: convert with .astype(int).")
    if not np.issubdtype(array.dtype, np.integer):
        fail(f"predict(X) returned an array of dtype {array.dtype}; expected the integers 0 and 1: convert "
             "the comparison with .astype(int).")


def test_predict_at_the_threshold(student, reference):
    """LogisticRegressionNN.predict: gives 1 where the probability equals the threshold (>=)"""
    # Rows of zeros with a zero bias give z = 0 exactly, so a probability of exactly 0.5.
    X = np.array([[0.0, 0.0, 0.0], [1.0, -2.0, 0.5], [0.0, 0.0, 0.0], [-1.5, 0.25, 2.0]])
    state = {"weights": np.array([[0.8], [0.6], [-0.4]]), "bias": np.array([[0.0]])}
    p = probabilities(X, state)
    suspects = {"where the probability is exactly the threshold it gives 0: a probability >= threshold is "
                "class 1 (use >=, not >).": p > 0.5, **predict_suspects(p, 0.5)}
    for kwargs in ({}, {"threshold": 0.5}):
        call = "predict(X, threshold=0.5)" if kwargs else "predict(X)"
        got = student.call(f"{CLASS}.predict", X, init=(3,), state=state, kwargs=kwargs).value
        want = reference.call(f"{CLASS}.predict", X, init=(3,), state=state, kwargs=kwargs).value
        compare(got, want, what=f"{call} where rows 0 and 2 have probability exactly 0.5", rtol=0, atol=1e-12,
                strict_shape=False, suspects=suspects)


def test_predict_uses_the_threshold(student, reference):
    """LogisticRegressionNN.predict: uses the threshold it is given"""
    X, _, state = problem(621, 10, 2, bias=0.2)
    for threshold in (0.25, 0.8):
        check_predict(student, reference, X, state, {"threshold": threshold},
                      f"predict(X, threshold={threshold}) with X of shape {X.shape}")


# -- the whole class -----------------------------------------------------------------------------------------
def separable(seed: int, m: int) -> tuple[np.ndarray, np.ndarray]:
    """m points in the plane, labelled 1 on one side of the line 1.5 x1 - x2 + 0.4 = 0."""
    X = np.random.default_rng(seed).normal(size=(m, 2))
    return X, (1.5 * X[:, :1] - X[:, 1:] + 0.4 > 0).astype(int)


def test_end_to_end(student):
    """LogisticRegressionNN: a fresh model trained on separable 2-D data classifies it well"""
    X, y = separable(701, 120)
    own = {"init": (2,), "own": True, "seed": 1}  # the student's whole class, from its own random start
    weights, bias = trained(student.call(f"{CLASS}.train", X, y, kwargs={"learning_rate": 0.5, "epochs": 300},
                                         **own))
    pred = student.call(f"{CLASS}.predict", X, state={"weights": weights, "bias": bias}, **own).value
    expect(np.shape(pred) == (120, 1), f"after training, predict(X) with X of shape (120, 2) returned "
                                       f"{describe(pred)}; expected shape (120, 1).")
    accuracy = float(np.mean(as_array(pred, "predict(X)", (120, 1)) == y))
    expect(accuracy >= 0.9, f"a fresh model trained with train(X, y, learning_rate=0.5, epochs=300) on 120 "
                            f"separable points classifies {accuracy:.0%} of them right with predict(X); "
                            "expected at least 90%.")


# -- speed: last, so that a train stopped for taking too long cannot fail the checks above ------------------
SLOWER = 25  # how many times as long as the reference's train the student's may take
SLOW = (f"train took more than {SLOWER} times as long as a vectorised version on m = 20 000 examples: "
        "replace loops over examples with matrix operations (np.dot(X, w), np.dot(X.T, y_hat - y), np.sum).")


@pytest.mark.time_limit(30)
def test_train_is_vectorised(student, reference):
    """LogisticRegressionNN.train: is vectorised (m = 20 000)"""
    X, y = separable(801, 20_000)
    state = {"weights": np.array([[0.3], [-0.2]]), "bias": np.array([[0.0]])}
    kwargs = {"learning_rate": 0.1, "epochs": 60}  # about 8 ms for the reference
    best = float("inf")
    for _ in range(2):
        start = time.perf_counter()
        reference.call(f"{CLASS}.train", X, y, init=(2,), state=state, kwargs=kwargs)
        best = min(best, time.perf_counter() - start)
    allowed = SLOWER * max(best, 0.005)  # a floor against the noise of a very fast machine
    for _ in range(2):  # a second try only after a slow first one: one hiccup of the machine is forgiven
        try:  # the student's whole class: a loop over the examples in compute_gradients counts too
            outcome = student.call(f"{CLASS}.train", X, y, init=(2,), state=state, kwargs=kwargs, own=True,
                                   timeout=allowed + 2)
        except StudentTimeout:
            fail(SLOW)
        weights, _ = trained(outcome)
        expect(np.shape(weights) != (2, 1) or not np.allclose(weights, state["weights"]),
               "train(X, y, learning_rate=0.1, epochs=60) left the weights unchanged, so its speed cannot "
               "be judged.")
        if outcome.seconds <= allowed:
            return
    fail(SLOW)
