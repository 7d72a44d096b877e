"""Hidden checks of 02_logistic_regression: every method of `LogisticRegressionNN`, then the whole class.

In a check of a method, the reference stands in for the graded methods that the reference's own version
calls (`compute_cost` sees the reference's `forward`, `train` the reference's `compute_gradients`), so
one bug costs one method. Expected values come from the reference; the suspects (what a typical mistake
gives) from plain numpy.
"""

import numpy as np
import pytest
from shared_suspects import sigmoid_suspects  # autograder/hidden/shared_suspects.py

from autograder.grading.checks import Case, check, matches_reference, vectorised
from autograder.grading.feedback import StudentError, as_array, compare, describe, expect, fail, readable
from autograder.grading.mistakes import catalogue, mistake
from autograder.grading.student import Constant

# The mistakes these checks recognise, beside them (the sigmoid's and forward's: shared_suspects.py).
catalogue({
    # -- forward (the rest of its mistakes, shared with 01_neuron: shared_suspects.py) ---------------------
    "forward/sums-nothing": "it multiplies each input by its weight but never adds the products up: the weighted "
                            "sum is missing. np.dot(X, self.weights) (or X @ self.weights) sums w_j x_j over the "
                            "n features and gives one z per example, shape (m, 1).",
    # -- compute_cost ------------------------------------------------------------------------------------
    "compute_cost/missing-negative-term": "the term (1 - y) log(1 - y_hat) for the examples with y = 0 is missing.",
    "compute_cost/missing-positive-term": "the term y log(y_hat) for the examples with y = 1 is missing.",
    "compute_cost/broadcast": "the predictions and y have different shapes, (m,) and (m, 1), so y * log(y_hat) "
                              "broadcasts into an (m, m) matrix: keep both as (m, 1) columns (or flatten both).",
    "compute_cost/broadcast-mean": "the predictions and y have different shapes, (m,) and (m, 1), so y * "
                                   "log(y_hat) broadcasts into an (m, m) matrix (and np.mean averages its m * m "
                                   "entries): keep both as (m, 1) columns (or flatten both).",
    "compute_cost/log10": "it uses np.log10: the cross-entropy uses the natural logarithm np.log.",
    "compute_cost/squared-error": "it computes the squared error, not the binary cross-entropy.",
    "compute_cost/not-a-number": "compute_cost must return a single number (a float): sum or average over the "
                                 "examples and return float(...).",
    "compute_cost/unguarded-log": "log(0) gives -inf (and 0 * log(0) NaN) when a prediction is exactly 0 or 1: "
                                  "guard both logarithms with an epsilon, or clip y_hat.",
    "compute_cost/negative": "the cost is negative: the cross-entropy is never negative (check the minus sign).",
    "compute_cost/guard-too-large": "confidently wrong predictions cost too little: the epsilon or the clip is "
                                    "too large.",
    # -- compute_gradients -------------------------------------------------------------------------------
    "compute_gradients/squared-error": "it multiplies by sigmoid'(z) = y_hat (1 - y_hat): that is the gradient "
                                       "of the squared error. For the cross-entropy the derivative with respect "
                                       "to z is just y_hat - y.",
    "compute_gradients/uses-z": "it uses z = X w + b instead of the probabilities y_hat = sigmoid(z): get y_hat "
                                "from self.forward(X).",
    "compute_gradients/missing-bias": "y_hat is computed without the bias: get y_hat from self.forward(X).",
    "compute_gradients/forgot-y": "it uses y_hat where the error y_hat - y belongs: subtract the labels, "
                                  "X.T @ (y_hat - y).",
    "compute_gradients/not-a-pair": "compute_gradients must return the pair (dw, db): `return dw, db`.",
    "compute_gradients/dw-shape": "dw must have the weights' shape (n, 1), so that self.weights -= "
                                  "learning_rate * dw keeps the weights a column.",
    "compute_gradients/db-shape": "db must be a single number: sum (and divide by m) y_hat - y over all the "
                                  "examples.",
    "compute_gradients/changes-model": "compute_gradients changed the weights or the bias: it should only "
                                       "compute the gradients; train makes the update.",
    # -- gradient_check --------------------------------------------------------------------------------
    "gradient_check/not-a-number": "gradient_check must return a single number, the relative difference.",
    "gradient_check/not-restored": "save each value before you change it and put it back afterwards, so that the "
                                   "model is the same after the check as before.",
    "gradient_check/twice-too-large": "the numerical gradient is twice too large: the centred difference "
                                      "(J(theta + epsilon) - J(theta - epsilon)) / (2 epsilon) divides by 2 epsilon.",
    "gradient_check/perturbs-a-copy": "the numerical gradient is all zeros: change self.weights and self.bias "
                                      "themselves (not a copy), so that self.compute_cost sees each change.",
    "gradient_check/ignores-compute-gradients": "gradient_check did not call self.compute_gradients(X, y): the "
                                                "analytic gradient it checks must come from there.",
    "gradient_check/leaves-out-bias": "it leaves out the bias: the gradient has n + 1 entries, the n weights and "
                                      "then the bias.",
    "gradient_check/absolute-difference": "it returns ||g - g_num|| itself: divide it by ||g|| + ||g_num|| to make "
                                          "it relative.",
    "gradient_check/one-sided": "it uses the one-sided difference (J(theta + epsilon) - J(theta)) / epsilon: its "
                                "error shrinks only like epsilon, and with epsilon = 1e-4 the check of a right "
                                "gradient gives about 1e-5. Use the centred difference (J(theta + epsilon) - "
                                "J(theta - epsilon)) / (2 epsilon), whose error shrinks like epsilon squared.",
    "gradient_check/relative-to-one-norm": "it divides by ||g|| alone: the relative difference divides by ||g|| + "
                                           "||g_num||.",
    # -- train -------------------------------------------------------------------------------------------
    "train/no-step": "self.weights and self.bias are unchanged with epochs={epochs}: each epoch must take one "
                     "step, self.weights -= learning_rate * dw and self.bias -= learning_rate * db.",
    "train/ignores-learning-rate": "it ignores learning_rate={learning_rate} (uses 0.01?): use the argument.",
    "train/one-epoch-short": "it takes {steps} steps for epochs={epochs}: one epoch short. Loop "
                             "`for _ in range(epochs)`.",
    "train/one-epoch-too-many": "it takes {steps} steps for epochs={epochs}: one epoch too many. Loop "
                                "`for _ in range(epochs)`.",
    "train/restarts-from-zero": "it starts from zero weights: train must continue from the current "
                                "self.weights and self.bias, not re-initialise them.",
    "train/restarts-at-random": "it starts from new random weights: train must continue from the current "
                                "self.weights and self.bias, not re-initialise them.",
    "train/resets-bias": "it resets the bias to 0 before training: continue from the current self.bias.",
    "train/adds-gradient": "it adds the gradients: gradient descent subtracts them, self.weights -= "
                           "learning_rate * dw.",
    "train/bias-not-updated": "the bias is not updated: also do self.bias -= learning_rate * db.",
    "train/ignores-epochs": "it ignores epochs={epochs} (runs 1000 epochs?): use the argument.",
    "train/wrong-step-count": "train called self.compute_gradients a different number of times than epochs: "
                              "take exactly one gradient step per epoch.",
    "train/wrong-default-rate": "it uses learning_rate={rate} instead of the default 0.01.",
    "train/lost-parameters": "after train, the model has no numeric self.weights or self.bias any more: update "
                             "them in place, e.g. self.weights -= learning_rate * dw.",
    # -- predict -----------------------------------------------------------------------------------------
    "predict/ignores-threshold": "it ignores threshold={threshold} and compares with 0.5: use the argument.",
    "predict/reversed": "it gives 1 where the probability is below the threshold: the comparison is reversed.",
    "predict/probabilities": "it returns the probabilities, not the classes: compare them with the threshold.",
    "predict/strict-greater": "where the probability is exactly the threshold it gives 0: a probability >= "
                              "threshold is class 1 (use >=, not >).",
    "predict/booleans": "predict returned booleans; expected the integers 0 and 1: convert with .astype(int).",
    "predict/not-integers": "predict must return the integers 0 and 1: convert the comparison with .astype(int).",
})

CLASS = "LogisticRegressionNN"
EXACT = {"rtol": 1e-9, "atol": 1e-12}
CLOSE = {"rtol": 1e-6, "atol": 1e-10}


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
    return np.shape(got) == np.shape(want) and bool(np.allclose(got, want, **CLOSE))


def descend(X, y, w, b, learning_rate, epochs, bias_too=True):
    """Batch gradient descent in plain numpy, for the suspects of `train`."""
    w, b = np.array(w, dtype=float), float(np.asarray(b).item())
    for _ in range(epochs):
        error = sig(X @ w + b) - y
        w, b = w - learning_rate * X.T @ error / len(X), b - learning_rate * float(np.mean(error)) * bias_too
    return w, b


def separable(seed: int, m: int) -> tuple[np.ndarray, np.ndarray]:
    """m points in the plane, labelled 1 on one side of the line 1.5 x1 - x2 + 0.4 = 0."""
    X = np.random.default_rng(seed).normal(size=(m, 2))
    return X, (1.5 * X[:, :1] - X[:, 1:] + 0.4 > 0).astype(int)


# -- sigmoid -------------------------------------------------------------------------------------------------
def sigmoid_case(z: np.ndarray) -> Case:
    return Case((z,), f"sigmoid(z) with z of shape {z.shape}", init=(3,), suspects=sigmoid_suspects(z))


_rng = np.random.default_rng(101)
test_sigmoid_matches_reference = matches_reference(
    f"{CLASS}.sigmoid", "matches the reference on arrays of several shapes",
    [sigmoid_case(_rng.normal(scale=3, size=shape)) for shape in [(6,), (3, 4), (2, 3, 2)]], **EXACT)

test_sigmoid_keeps_a_column = matches_reference(
    f"{CLASS}.sigmoid", "keeps the shape of a column (m, 1), as forward needs",
    [sigmoid_case(np.linspace(-5, 4, 7).reshape(-1, 1)), sigmoid_case(np.array([[1.25]]))], **EXACT)


@check(f"{CLASS}.sigmoid", "takes a single number and returns a single number")
def test_sigmoid_scalar(student):
    for z in [0.0, -1.5, 2]:
        got = student.call(f"{CLASS}.sigmoid", z, init=(3,)).value
        if got is not None and np.ndim(got) != 0:
            fail(f"sigmoid({z}) returned {describe(got)}; expected a single number. Apply np.exp to z as it "
                 "is, without turning it into an array of another shape.", "wrong-shape")
        compare(got, sig(z), what=f"sigmoid({z})", suspects=sigmoid_suspects(z), **EXACT)


@check(f"{CLASS}.sigmoid", "is 0.5 at 0 and rises from near 0 to near 1")
def test_sigmoid_is_an_s_curve(student):
    z = np.linspace(-6, 6, 13)
    got = as_array(student.call(f"{CLASS}.sigmoid", z, init=(3,)).value, "sigmoid(z)", z.shape)
    expect(got.shape == z.shape, f"sigmoid(z) with z of shape {z.shape} returned shape {got.shape}; "
                                 "expected the input's shape.", "wrong-shape")
    expect(bool(np.all(np.isfinite(got))), "sigmoid(z) for z from -6 to 6 returned NaN or inf.", "not-finite")
    expect(np.isclose(got[6], 0.5, rtol=0, atol=1e-12), f"sigmoid(0) gave {got[6]:.6g}; expected 0.5.")
    if np.all(np.diff(got) < 0):
        fail(mistake("sigmoid/decreasing").message, "sigmoid/decreasing")
    expect(bool(np.all(np.diff(got) > 0)), "sigmoid(z) does not increase with z for z from -6 to 6.")
    expect(bool(got[0] < 0.01 and got[-1] > 0.99 and np.all((got > 0) & (got < 1))),
           "sigmoid(z) for z from -6 to 6 should stay between 0 and 1, near 0 at -6 and near 1 at 6.")


# -- forward -------------------------------------------------------------------------------------------------
def forward_case(X: np.ndarray, state: dict, what: str, case_id: str | None = None) -> Case:
    w, b = state["weights"], state["bias"]
    z = X @ w + b
    suspects = {mistake("forward/missing-bias"): sig(X @ w), mistake("forward/missing-sigmoid"): z,
                mistake("forward/z-sign"): sig(-z), mistake("forward/bias-subtracted"): sig(X @ w - b)}
    return Case((X,), what, init=(X.shape[1],), state=state, suspects=suspects, id=case_id)


def random_forward_case(m: int, n: int) -> Case:
    X, _, state = problem(200 + m, m, n, bias=0.3 if m > n else -0.7)
    return forward_case(X, state, f"forward(X) with X of shape {X.shape}", f"{m}x{n}")


def sums_nothing(got, X: np.ndarray, state: dict) -> bool:
    """Whether forward gave sigmoid(x_j w_j + b) for every input j apart: the products, never summed."""
    unsummed = sig(X * np.ravel(state["weights"]) + np.ravel(state["bias"]))
    return X.shape[1] > 1 and readable(got) and np.shape(got) == X.shape \
        and bool(np.allclose(np.asarray(got, dtype=float), unsummed, **CLOSE))


def judge_forward(student, reference, case: Case) -> None:
    """The student's forward on a case against the reference's, naming the sum that is missing first (its
    (m, n) answer would otherwise read as a mere wrong shape)."""
    got = case.on_student(student, f"{CLASS}.forward").value
    if sums_nothing(got, case.args[0], case.state):
        fail(f"{case.what} returned shape {np.shape(got)}, one value per input: "
             + mistake("forward/sums-nothing").message, "forward/sums-nothing")
    compare(got, case.on_reference(reference, f"{CLASS}.forward").value, what=case.what, suspects=case.suspects,
            strict_shape=False, **EXACT)


_FORWARD_CASES = [random_forward_case(7, 2), random_forward_case(3, 5)]


@pytest.mark.parametrize("case", _FORWARD_CASES, ids=[c.id for c in _FORWARD_CASES])
@check(f"{CLASS}.forward", "matches the reference on random data, with a bias")
def test_forward_matches_reference(student, reference, case):
    judge_forward(student, reference, case)


_X = np.array([[0.3, -0.7], [1.2, 0.4], [-0.5, -1.1]])


@check(f"{CLASS}.forward", "uses the model's current weights and bias")
def test_forward_uses_the_current_state(student, reference):
    for w, b in [([1.5, 0.5], 2.0), ([-1.0, 3.0], -1.0)]:
        state = {"weights": np.array(w).reshape(-1, 1), "bias": np.array([[b]])}
        judge_forward(student, reference, forward_case(_X, state, f"forward(X) with weights {w} and bias {b}"))


@check(f"{CLASS}.forward", "returns one probability per example, shape (m, 1)")
def test_forward_returns_a_column(student):
    X, _, state = problem(211, 6, 3, bias=0.5)
    got = student.call(f"{CLASS}.forward", X, init=(3,), state=state).value
    if sums_nothing(got, X, state):
        fail("forward(X) with X of shape (6, 3) returned shape (6, 3), one value per input: "
             + mistake("forward/sums-nothing").message, "forward/sums-nothing")
    if (np.shape(got) if got is not None else None) != (6, 1):
        fail(f"forward(X) with X of shape (6, 3) returned {describe(got)}; "
             + mistake("forward/not-a-column").message, "forward/not-a-column")


# -- compute_cost --------------------------------------------------------------------------------------------
def cost_case(m: int, n: int) -> Case:
    X, y, state = problem(300 + m, m, n, bias=0.4 if m > n else -1.2)
    h = probabilities(X, state)
    square = y * np.log(h.ravel()) + (1 - y) * np.log(1 - h.ravel())  # (m, m): h flattened, y a column
    suspects = {mistake("compute_cost/missing-negative-term"): -np.mean(y * np.log(h)),
                mistake("compute_cost/missing-positive-term"): -np.mean((1 - y) * np.log(1 - h)),
                mistake("compute_cost/broadcast"): -np.sum(square) / m,
                mistake("compute_cost/broadcast-mean"): -np.mean(square),
                mistake("compute_cost/log10"): -np.mean(y * np.log10(h) + (1 - y) * np.log10(1 - h)),
                mistake("compute_cost/squared-error"): np.mean((h - y) ** 2)}
    return Case((X, y), f"compute_cost(X, y) with X of shape {X.shape}", init=(n,), state=state,
                suspects=suspects, m=m, id=f"{m}x{n}")


test_cost_matches_reference = matches_reference(
    f"{CLASS}.compute_cost", "matches the reference on random data",
    [cost_case(8, 3), cost_case(5, 2), cost_case(2, 4)], each=True, rtol=1e-6, atol=1e-9, strict_shape=False)


@check(f"{CLASS}.compute_cost", "returns a single number (a float)")
def test_cost_is_a_number(student):
    X, y, state = problem(311, 6, 3, bias=0.2)
    got = student.call(f"{CLASS}.compute_cost", X, y, init=(3,), state=state).value
    if got is None:
        fail("compute_cost returned None: is a `return` statement missing?", "returned-none")
    if isinstance(got, (bool, np.bool_)) or not isinstance(got, (int, float, np.number, np.ndarray)) \
            or np.ndim(got) != 0:
        hint = (" y.T @ np.log(y_hat) gives a (1, 1) matrix: turn the result into a number with float(...)."
                if np.shape(got) == (1, 1) else " Sum or average over the examples and return float(...).")
        fail(f"compute_cost(X, y) with X of shape (6, 3) returned {describe(got)}; expected a single number, "
             f"a float.{hint}", "compute_cost/not-a-number")


# Saturated predictions: weights that make z = +-1000, and a `forward` that gives the exact 0.0 and 1.0 the
# sigmoid rounds to there, so that an epsilon, a clip or a log-sum-exp from z are all judged alike.
X_SAT = np.array([[1.0, 0.5], [-1.0, 2.0], [1.0, -1.0], [-1.0, 0.0]])
STATE_SAT = {"weights": np.array([[1000.0], [0.0]]), "bias": np.array([[0.0]])}
P_SAT = np.array([[1.0], [0.0], [1.0], [0.0]])


def saturated_cost(student, y: np.ndarray) -> float:
    outcome = student.call(f"{CLASS}.compute_cost", X_SAT, y, init=(2,), state=STATE_SAT,
                           standins={"forward": Constant(P_SAT)})
    what = "compute_cost(X, y) when the predictions are exactly 0.0 and 1.0"
    got = as_array(outcome.value, what, ())
    if got.size != 1:
        fail(f"{what} returned {describe(outcome.value)}; expected a single number.", "compute_cost/not-a-number")
    cost = float(got.item())
    if not np.isfinite(cost):
        fail(f"{what} returned {'NaN' if np.isnan(cost) else 'inf'}: {mistake('compute_cost/unguarded-log').message}",
             "compute_cost/unguarded-log")
    return cost


@check(f"{CLASS}.compute_cost", "is finite and large when confident predictions are wrong")
def test_cost_saturated_wrong(student):
    # Example 0 has y = 0 but probability 1.0, example 1 has y = 1 but probability 0.0; the others are right.
    cost = saturated_cost(student, np.array([[0], [1], [1], [0]]))
    expect(cost >= 0, f"compute_cost returned {cost:.6g} for saturated predictions: "
                      + mistake("compute_cost/negative").message, "compute_cost/negative")
    expect(cost > 3, f"compute_cost returned {cost:.6g} when two of four predictions are confidently wrong "
                     "(probability 1.0 for y = 0, 0.0 for y = 1); such mistakes must cost a lot (more than 3 "
                     "here). Is the epsilon or the clip too large?", "compute_cost/guard-too-large")


@check(f"{CLASS}.compute_cost", "is finite and about 0 when saturated predictions are all right")
def test_cost_saturated_right(student):
    cost = saturated_cost(student, np.array([[1], [0], [1], [0]]))
    expect(cost >= -1e-9, f"compute_cost returned {cost:.6g} for perfect saturated predictions: "
                          + mistake("compute_cost/negative").message, "compute_cost/negative")
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
        fail(f"{what} returned {describe(value)}; expected the pair (dw, db): `return dw, db`.",
             "compute_gradients/not-a-pair")
    dw, db = value
    dw = as_array(dw, f"dw of {what}", (n, 1))
    if dw.size != n:
        fail(f"{what} returned dw of shape {dw.shape}; expected the weights' shape ({n}, 1): "
             f"{dw_shape_problem(dw.shape, m, n)}".rstrip(": "), "compute_gradients/dw-shape")
    db = as_array(db, f"db of {what}", ())
    if db.size != 1:
        fail(f"{what} returned db as {describe(db)}; expected a single number: sum (and divide by m) "
             "y_hat - y over all the examples.", "compute_gradients/db-shape")
    return dw, db


def gradient_suspects(X: np.ndarray, y: np.ndarray, state: dict) -> tuple[dict, dict]:
    m = len(X)
    h, z = probabilities(X, state), X @ state["weights"] + state["bias"]
    no_bias = sig(X @ state["weights"])
    squared, raw = mistake("compute_gradients/squared-error"), mistake("compute_gradients/uses-z")
    bias, forgot_y = mistake("compute_gradients/missing-bias"), mistake("compute_gradients/forgot-y")
    dw = {squared: X.T @ ((h - y) * h * (1 - h)) / m, raw: X.T @ (z - y) / m, bias: X.T @ (no_bias - y) / m,
          forgot_y: X.T @ h / m}
    db = {squared: np.mean((h - y) * h * (1 - h)), raw: np.mean(z - y), bias: np.mean(no_bias - y),
          forgot_y: np.mean(h)}
    return dw, db


@pytest.mark.parametrize("m, n", [(6, 2), (3, 5), (10, 1)], ids=["6x2", "3x5", "10x1"])
@check(f"{CLASS}.compute_gradients", "gives the reference's dw and db on random data")
def test_gradients_match_reference(student, reference, m, n):
    X, y, state = problem(400 + m, m, n, bias=0.5 if m > n else -0.25)
    value = student.call(f"{CLASS}.compute_gradients", X, y, init=(n,), state=state).value
    compare_gradients(value, reference, X, y, state)


def compare_gradients(value, reference, X: np.ndarray, y: np.ndarray, state: dict) -> None:
    """The student's (dw, db) against the reference's, by value: the shapes are a check of their own, so
    that a flat dw costs one check, not all."""
    dw, db = gradients(value, X)
    want_dw, want_db = reference.call(f"{CLASS}.compute_gradients", X, y, init=(X.shape[1],), state=state).value
    dw_suspects, db_suspects = gradient_suspects(X, y, state)
    what = f"compute_gradients(X, y) with X of shape {X.shape}"
    compare(dw, want_dw, what=f"dw of {what}", suspects=dw_suspects, m=len(X), strict_shape=False, **CLOSE)
    compare(db, want_db, what=f"db of {what}", suspects=db_suspects, m=len(X), strict_shape=False, **CLOSE)


@check(f"{CLASS}.compute_gradients", "dw has the weights' shape (n, 1) and db is one number")
def test_gradients_shapes(student):
    X, y, state = problem(411, 7, 4, bias=0.1)
    dw, _ = gradients(student.call(f"{CLASS}.compute_gradients", X, y, init=(4,), state=state).value, X)
    problem_ = dw_shape_problem(dw.shape, 7, 4)
    if problem_ is not None:
        fail(f"compute_gradients(X, y) with X of shape (7, 4) returned dw of shape {dw.shape}; it must have "
             "the weights' shape (n, 1) = (4, 1), so that self.weights -= learning_rate * dw keeps the "
             f"weights a column. {problem_}".rstrip(), "compute_gradients/dw-shape")


@check(f"{CLASS}.compute_gradients", "leaves the weights and the bias unchanged")
def test_gradients_leave_the_model_unchanged(student):
    X, y, state = problem(431, 6, 3, bias=0.7)
    outcome = student.call(f"{CLASS}.compute_gradients", X, y, init=(3,), state=state)
    pair = outcome.value
    if not (isinstance(pair, (tuple, list)) and len(pair) == 2 and all(readable(v) for v in pair)):
        gradients(pair, X)  # says what came back: leaving the model alone earns nothing without two results
    after = outcome.state
    for name in ("weights", "bias"):
        value = np.ravel(after.get(name, np.nan))  # a bias of shape (1, 1) or a float: the same bias
        expect(same(value, np.ravel(state[name])), f"compute_gradients changed self.{name}: it should only "
               "compute the gradients; train makes the update.", "compute_gradients/changes-model")


# -- gradient_check (the reference's compute_cost and compute_gradients stand in) -------------------------
def checked_gradient(student, X, y, state, standins=None) -> tuple[float, int]:
    """The student's gradient_check(X, y) and how often it called compute_gradients, once it is known to be
    one number and to leave the parameters as they were."""
    outcome = student.call(f"{CLASS}.gradient_check", X, y, init=(X.shape[1],), state=state, standins=standins)
    what = f"gradient_check(X, y) with X of shape {X.shape}"
    got = as_array(outcome.value, what, ())
    if got.size != 1:
        fail(f"{what} returned {describe(outcome.value)}; expected a single number, the relative difference.",
             "gradient_check/not-a-number")
    for name in ("weights", "bias"):
        before, after = np.ravel(state[name]), np.ravel(outcome.state.get(name, np.nan))
        if after.shape != before.shape or not np.allclose(after, before, rtol=0, atol=1e-12):
            shift = np.max(np.abs(after - before)) if after.shape == before.shape else np.nan
            fail(f"{what} left self.{name} changed (by up to {shift:.3g}): "
                 + mistake("gradient_check/not-restored").message, "gradient_check/not-restored")
    return float(got.item()), outcome.calls.get("compute_gradients", 0)


@check(f"{CLASS}.gradient_check", "is below 1e-7 for a right gradient and leaves the parameters unchanged")
def test_gradient_check_passes_a_right_gradient(student, reference):
    for seed, m, n, bias in [(351, 8, 3, 0.4), (352, 5, 1, -0.8)]:
        X, y, state = problem(seed, m, n, bias)
        want = reference.call(f"{CLASS}.gradient_check", X, y, init=(n,), state=state).value
        got, _ = checked_gradient(student, X, y, state)
        what = f"gradient_check(X, y) with X of shape {X.shape} and the right compute_gradients"
        if np.isclose(got, 1 / 3, rtol=1e-3):
            fail(f"{what} gave 1/3: " + mistake("gradient_check/twice-too-large").message,
                 "gradient_check/twice-too-large")
        if np.isclose(got, 1.0, rtol=1e-6):
            fail(f"{what} gave 1.0: " + mistake("gradient_check/perturbs-a-copy").message,
                 "gradient_check/perturbs-a-copy")
        expect(got < 1e-7, f"{what} gave {got:.3g}; expected below 1e-7 (the reference gives {want:.1g}). Use "
                           "the centred difference for each weight and then the bias, one at a time.")


def cost(X: np.ndarray, y: np.ndarray, w: np.ndarray, b: float) -> float:
    h = sig(X @ w + b)
    return float(-np.mean(y * np.log(h) + (1 - y) * np.log(1 - h)))


def one_sided_differences(X, y, state, epsilon) -> list[float]:
    """What gradient_check gives for a right gradient with the forward and with the backward one-sided
    difference, (J(theta + eps) - J(theta)) / eps and (J(theta) - J(theta - eps)) / eps."""
    w, b = np.array(state["weights"], dtype=float), float(np.asarray(state["bias"]).item())
    h = probabilities(X, state)
    right = np.append(X.T @ (h - y) / len(X), np.mean(h - y))
    here, differences = cost(X, y, w, b), []
    for sign in (1, -1):
        numerical = []
        for i in range(len(w) + 1):
            step = np.zeros(len(w) + 1)
            step[i] = sign * epsilon
            numerical.append(sign * (cost(X, y, w + step[:-1, None], b + step[-1]) - here) / epsilon)
        numerical = np.array(numerical)
        norms = np.linalg.norm(right) + np.linalg.norm(numerical)
        differences.append(float(np.linalg.norm(right - numerical) / norms))
    return differences


@check(f"{CLASS}.gradient_check", "uses the centred difference: below 1e-7 for a right gradient with epsilon=1e-4")
def test_gradient_check_uses_the_centred_difference(student, reference):
    # With epsilon = 1e-4 the centred difference is off by about 5e-10 and a one-sided one by about 2e-5; with
    # the default 1e-7 both pass below 1e-7, so only a larger step tells them apart.
    X, y, state = problem(356, 8, 3, bias=0.4)
    want = reference.call(f"{CLASS}.gradient_check", X, y, init=(3,), state=state, kwargs={"epsilon": 1e-4}).value
    outcome = student.call(f"{CLASS}.gradient_check", X, y, init=(3,), state=state, kwargs={"epsilon": 1e-4})
    what = "gradient_check(X, y, epsilon=1e-4) with X of shape (8, 3) and the right compute_gradients"
    got = as_array(outcome.value, what, ())
    if got.size != 1:
        fail(f"{what} returned {describe(outcome.value)}; expected a single number, the relative difference.",
             "gradient_check/not-a-number")
    got = float(got.item())
    if np.isclose(got, 1 / 3, rtol=1e-3):
        fail(f"{what} gave 1/3: " + mistake("gradient_check/twice-too-large").message, "gradient_check/twice-too-large")
    if any(np.isclose(got, value, rtol=1e-2, atol=0) for value in one_sided_differences(X, y, state, 1e-4)):
        fail(f"{what} gave {got:.3g}: " + mistake("gradient_check/one-sided").message, "gradient_check/one-sided")
    expect(got < 1e-7, f"{what} gave {got:.3g}; expected below 1e-7 (the reference gives {want:.1g}). Use the "
                       "centred difference (J(theta + epsilon) - J(theta - epsilon)) / (2 epsilon) with the "
                       "epsilon it is given, for each weight and then the bias.")


@check(f"{CLASS}.gradient_check", "gives the relative difference for a wrong gradient (the squared error's)")
def test_gradient_check_catches_a_wrong_gradient(student):
    X, y, state = problem(361, 7, 3, bias=0.2)
    h = probabilities(X, state)
    right = np.append(X.T @ (h - y) / len(X), np.mean(h - y))  # equal to the centred differences, to ~1e-9
    error = (h - y) * h * (1 - h)
    wrong_dw, wrong_db = X.T @ error / len(X), float(np.mean(error))
    wrong = np.append(wrong_dw, wrong_db)
    got, calls = checked_gradient(student, X, y, state, {"compute_gradients": Constant((wrong_dw, wrong_db))})
    if calls == 0:
        fail(mistake("gradient_check/ignores-compute-gradients").message, "gradient_check/ignores-compute-gradients")
    norm = np.linalg.norm
    suspects = {
        mistake("gradient_check/leaves-out-bias"):
            norm(wrong[:-1] - right[:-1]) / (norm(wrong[:-1]) + norm(right[:-1])),
        mistake("gradient_check/absolute-difference"): norm(wrong - right),
        mistake("gradient_check/relative-to-one-norm"): norm(wrong - right) / norm(wrong),
        mistake("gradient_check/twice-too-large"): norm(wrong - 2 * right) / (norm(wrong) + 2 * norm(right)),
        mistake("gradient_check/perturbs-a-copy"): 1.0,
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
                 f"self.{name} -= learning_rate * {step}.", "train/lost-parameters")
    return outcome.state["weights"], outcome.state["bias"]


def train_suspects(X, y, state, learning_rate, epochs) -> dict:
    """What the usual mistakes of `train` give: mistake -> (weights, bias)."""
    n = X.shape[1]
    w, b = state["weights"], float(np.asarray(state["bias"]).item())
    redrawn = np.random.RandomState(0)  # the student process seeds 0 before each call, and __init__ draws
    redrawn.randn(n, 1)                 # first: a re-initialisation in train draws the next numbers
    suspects = {
        mistake("train/no-step", epochs=epochs): (w, b),
        mistake("train/ignores-learning-rate", learning_rate=learning_rate): descend(X, y, w, b, 0.01, epochs),
        mistake("train/one-epoch-short", steps=epochs - 1, epochs=epochs):
            descend(X, y, w, b, learning_rate, epochs - 1),
        mistake("train/one-epoch-too-many", steps=epochs + 1, epochs=epochs):
            descend(X, y, w, b, learning_rate, epochs + 1),
        mistake("train/restarts-from-zero"): descend(X, y, np.zeros((n, 1)), 0.0, learning_rate, epochs),
        mistake("train/restarts-at-random"): descend(X, y, redrawn.randn(n, 1), 0.0, learning_rate, epochs),
        mistake("train/resets-bias"): descend(X, y, w, 0.0, learning_rate, epochs),
        mistake("train/adds-gradient"): descend(X, y, w, b, -learning_rate, epochs),
        mistake("train/bias-not-updated"): descend(X, y, w, b, learning_rate, epochs, bias_too=False),
    }
    if epochs != 1000:
        suspects[mistake("train/ignores-epochs", epochs=epochs)] = descend(X, y, w, b, learning_rate, 1000)
    return suspects


def check_training(student, reference, X, y, state, kwargs):
    """Train the student's model (with the reference's compute_gradients) and compare with the reference."""
    outcome = student.call(f"{CLASS}.train", X, y, init=(X.shape[1],), state=state, kwargs=kwargs)
    judge_training(outcome, reference, X, y, state, kwargs)


def judge_training(outcome, reference, X, y, state, kwargs):
    """The model a call of train left against the reference's, naming the usual mistakes."""
    n = X.shape[1]
    learning_rate, epochs = kwargs.get("learning_rate", 0.01), kwargs.get("epochs", 1000)
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
             "step per epoch.", "train/wrong-step-count")
    suspects = train_suspects(X, y, state, learning_rate, epochs)
    compare(weights, want["weights"], what=f"self.weights after {what}",
            suspects={found: w for found, (w, _) in suspects.items()}, **CLOSE)
    # The weights are right: of the suspects, only those that also get the weights right explain the bias.
    compare(bias, want["bias"], what=f"self.bias after {what}", strict_shape=False,
            suspects={found: b for found, (w, b) in suspects.items() if same(w, weights)}, **CLOSE)


@check(f"{CLASS}.train", "matches the reference after a few steps on random data")
def test_train_matches_reference(student, reference):
    for seed, m, n, bias, kwargs in [(501, 9, 2, 0.2, {"learning_rate": 0.3, "epochs": 5}),
                                     (502, 5, 4, -0.6, {"learning_rate": 0.8, "epochs": 3})]:
        X, y, state = problem(seed, m, n, bias)
        check_training(student, reference, X, y, state, kwargs)


@check(f"{CLASS}.train", "takes exactly `epochs` steps (0, 1 and 6)")
def test_train_takes_exactly_epochs_steps(student, reference):
    X, y, state = problem(511, 6, 3, bias=0.4)
    for epochs in (0, 1, 6):
        check_training(student, reference, X, y, state, {"learning_rate": 0.5, "epochs": epochs})


@check(f"{CLASS}.train", "uses the learning rate it is given")
def test_train_uses_the_learning_rate(student, reference):
    X, y, state = problem(521, 7, 2, bias=-0.3)
    for learning_rate in (0.05, 1.5):
        check_training(student, reference, X, y, state, {"learning_rate": learning_rate, "epochs": 4})


@check(f"{CLASS}.train", "continues from the current weights and bias")
def test_train_continues_from_the_current_model(student, reference):
    X, y, _ = problem(531, 8, 3, bias=0.0)
    state = {"weights": np.array([[2.5], [-1.75], [0.5]]), "bias": np.array([[0.9]])}
    check_training(student, reference, X, y, state, {"learning_rate": 0.2, "epochs": 3})


def constant_members(X: np.ndarray, y: np.ndarray, state: dict) -> dict:
    """Stand-ins answered inside the student process, the same at every call: the gradient and the
    predictions at `state`. Many epochs then cost no round trips, and whether a train calls
    compute_gradients or computes the gradient from self.forward, each step moves the model alike."""
    h = probabilities(X, state)
    return {"compute_gradients": Constant((X.T @ (h - y) / len(X), float(np.mean(h - y)))), "forward": Constant(h)}


def used_constant_members(outcome) -> bool:
    """Whether train took its gradients from the stand-ins of constant_members: then every step saw the same
    gradient; else it computed them inline, and its result is the real one."""
    return bool(outcome.calls.get("compute_gradients") or outcome.calls.get("forward"))


@check(f"{CLASS}.train", "uses the defaults learning_rate=0.01 and epochs=1000", seconds=10)  # 1000 epochs
def test_train_defaults(student, reference):
    X, y, state = problem(541, 3, 2, bias=0.25)
    constants = constant_members(X, y, state)
    outcome = student.call(f"{CLASS}.train", X, y, init=(2,), state=state, standins=constants)
    if not used_constant_members(outcome):
        return judge_training(outcome, reference, X, y, state, {})  # the gradient computed inline: the real result
    steps = outcome.calls.get("compute_gradients", 0)
    expect(steps in (0, 1000), f"train(X, y) took {steps} gradient steps; with the default epochs=1000 it must "
                               "take 1000: give the parameter its default, `epochs=1000`, and loop "
                               "`for _ in range(epochs)`.", "train/wrong-step-count")
    weights, bias = trained(outcome)
    (dw, db), w0, b0 = constants["compute_gradients"].value, state["weights"], float(state["bias"].item())
    suspects = {mistake("train/wrong-default-rate", rate=r): w0 - r * 1000 * dw for r in (0.1, 0.001, 1.0)}
    suspects.update({mistake("train/adds-gradient"): w0 + 0.01 * 1000 * dw,
                     mistake("train/one-epoch-short", steps=999, epochs=1000): w0 - 0.01 * 999 * dw,
                     mistake("train/one-epoch-too-many", steps=1001, epochs=1000): w0 - 0.01 * 1001 * dw})
    compare(weights, w0 - 0.01 * 1000 * dw, what="self.weights after train(X, y) with default arguments",
            rtol=1e-9, atol=1e-9, suspects=suspects)
    compare(bias, b0 - 0.01 * 1000 * db, what="self.bias after train(X, y) with default arguments",
            rtol=1e-9, atol=1e-9, strict_shape=False)


# -- predict -------------------------------------------------------------------------------------------------
def predict_case(X: np.ndarray, state: dict, kwargs: dict, what: str, p_extra: dict | None = None) -> Case:
    p, threshold = probabilities(X, state), kwargs.get("threshold", 0.5)
    suspects = {**(p_extra or {}), mistake("predict/ignores-threshold", threshold=threshold): p >= 0.5,
                mistake("predict/reversed"): p < threshold, mistake("predict/probabilities"): p}
    return Case((X,), what, kwargs=kwargs, init=(X.shape[1],), state=state, suspects=suspects)


def random_predict_case(seed: int, m: int, n: int, bias: float, kwargs: dict) -> Case:
    X, _, state = problem(seed, m, n, bias)
    call = f"predict(X{''.join(f', {k}={v}' for k, v in kwargs.items())})"
    return predict_case(X, state, kwargs, f"{call} with X of shape {X.shape}")


# Values only (0 or 1 per example): the shape and the dtype are one check of their own.
VALUES = {"rtol": 0, "atol": 1e-12, "strict_shape": False}
test_predict_matches_reference = matches_reference(
    f"{CLASS}.predict", "matches the reference on random data",
    [random_predict_case(601, 9, 3, 0.15, {}), random_predict_case(602, 4, 5, -0.5, {})], **VALUES)

test_predict_uses_the_threshold = matches_reference(
    f"{CLASS}.predict", "uses the threshold it is given",
    [random_predict_case(621, 10, 2, 0.2, {"threshold": t}) for t in (0.25, 0.8)], **VALUES)

# Rows of zeros with a zero bias give z = 0 exactly, so a probability of exactly 0.5.
_X_HALF = np.array([[0.0, 0.0, 0.0], [1.0, -2.0, 0.5], [0.0, 0.0, 0.0], [-1.5, 0.25, 2.0]])
_STATE_HALF = {"weights": np.array([[0.8], [0.6], [-0.4]]), "bias": np.array([[0.0]])}
test_predict_at_the_threshold = matches_reference(
    f"{CLASS}.predict", "gives 1 where the probability equals the threshold (>=)",
    [predict_case(_X_HALF, _STATE_HALF, kwargs, f"{call} where rows 0 and 2 have probability exactly 0.5",
                  {mistake("predict/strict-greater"): probabilities(_X_HALF, _STATE_HALF) > 0.5})
     for kwargs, call in [({}, "predict(X)"), ({"threshold": 0.5}, "predict(X, threshold=0.5)")]], **VALUES)


@check(f"{CLASS}.predict", "returns integers 0 and 1 of shape (m, 1)")
def test_predict_returns_integers(student):
    X, _, state = problem(611, 6, 2, bias=0.1)
    got = student.call(f"{CLASS}.predict", X, init=(2,), state=state).value
    if got is None:
        fail("predict(X) returned None: is a `return` statement missing?", "returned-none")
    array = np.asarray(got) if isinstance(got, (list, np.ndarray)) else None
    if array is None or array.shape != (6, 1):
        fail(f"predict(X) with X of shape (6, 2) returned {describe(got)}; expected an array of shape "
             "(m, 1) = (6, 1), like the probabilities of forward.", "wrong-shape")
    if array.dtype == bool:
        fail(mistake("predict/booleans").message, "predict/booleans")
    if not np.issubdtype(array.dtype, np.integer):
        fail(f"predict(X) returned an array of dtype {array.dtype}; expected the integers 0 and 1: convert "
             "the comparison with .astype(int).", "predict/not-integers")


# -- the whole class: the one check that uses every method of the student's own ------------------------------
ALL_TOGETHER = ("This is the one check that runs all your methods together, none of them replaced by the "
                "reference: if the check of a method above failed, fix that first.")


@check(CLASS, "the whole class, end to end: a fresh model trained on separable 2-D data classifies it well")
def test_end_to_end(student):
    X, y = separable(701, 120)
    own = {"init": (2,), "own": True, "seed": 1}  # the student's whole class, from its own random start
    try:
        weights, bias = trained(student.call(f"{CLASS}.train", X, y,
                                             kwargs={"learning_rate": 0.5, "epochs": 300}, **own))
        pred = student.call(f"{CLASS}.predict", X, state={"weights": weights, "bias": bias}, **own).value
    except StudentError as error:  # (a timeout too) the error is the student's; the advice is this check's
        error.args = (f"{error.args[0]}\n{ALL_TOGETHER}",)
        raise
    expect(np.shape(pred) == (120, 1), f"after training, predict(X) with X of shape (120, 2) returned "
                                       f"{describe(pred)}; expected shape (120, 1). {ALL_TOGETHER}", "wrong-shape")
    accuracy = float(np.mean(as_array(pred, "predict(X)", (120, 1)) == y))
    expect(accuracy >= 0.9, f"a fresh model trained with train(X, y, learning_rate=0.5, epochs=300) on 120 "
                            f"separable points classifies {accuracy:.0%} of them right with predict(X); "
                            f"expected at least 90%. {ALL_TOGETHER}")


# -- speed: last, so that a function stopped for taking too long has passed the checks above ---------------
_X_FAST, _Y_FAST = separable(811, 100_000)
_STATE_FAST = {"weights": np.array([[0.3], [-0.2]]), "bias": np.array([[0.1]])}
_H_FAST = probabilities(_X_FAST, _STATE_FAST)
test_gradients_are_vectorised = vectorised(
    f"{CLASS}.compute_gradients", "is vectorised (m = 100 000)",
    Case((_X_FAST, _Y_FAST), "compute_gradients(X, y) with X of shape (100000, 2)", init=(2,), state=_STATE_FAST),
    "replace loops over the examples with matrix operations (np.dot(X.T, y_hat - y), np.sum).",
    # the reference's own predictions, answered inside the student process: the same cost for everyone
    standins={"forward": Constant(_H_FAST)},
    expect=lambda outcome, reference: compare_gradients(outcome.value, reference, _X_FAST, _Y_FAST, _STATE_FAST))

_X_SPEED, _Y_SPEED = separable(801, 20_000)
_STATE_SPEED = {"weights": np.array([[0.3], [-0.2]]), "bias": np.array([[0.0]])}
_CONSTANTS_SPEED = constant_members(_X_SPEED, _Y_SPEED, _STATE_SPEED)
_TRAIN_SPEED = Case((_X_SPEED, _Y_SPEED), "train(X, y, learning_rate=0.1, epochs=60) with X of shape (20000, 2)",
                    init=(2,), state=_STATE_SPEED, kwargs={"learning_rate": 0.1, "epochs": 60})


def trained_while_timed(outcome, reference) -> None:
    """With the gradient held constant, 60 steps move the weights by 60 times one step; a train that
    computes everything itself with NumPy gets the reference's weights. Either shows real work was timed."""
    weights, _ = trained(outcome)
    moved = 0.1 * 60 * _CONSTANTS_SPEED["compute_gradients"].value[0]
    if not same(weights, _STATE_SPEED["weights"] - moved):
        suspects = {found: w for found, (w, _) in
                    train_suspects(_X_SPEED, _Y_SPEED, _STATE_SPEED, learning_rate=0.1, epochs=60).items()}
        if used_constant_members(outcome):
            suspects[mistake("train/adds-gradient")] = _STATE_SPEED["weights"] + moved
        compare(weights, _TRAIN_SPEED.on_reference(reference, f"{CLASS}.train").state["weights"],
                what=f"self.weights after {_TRAIN_SPEED.what}, which is timed", suspects=suspects, **CLOSE)


test_train_is_vectorised = vectorised(
    f"{CLASS}.train", "is vectorised (m = 20 000)", _TRAIN_SPEED,
    "replace loops over the examples with matrix operations (self.compute_gradients(X, y) gives the gradients "
    "of all the examples at once).",
    # the same constant answers for every submission: only the student's own loop is timed
    standins=_CONSTANTS_SPEED, expect=trained_while_timed)
