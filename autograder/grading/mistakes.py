"""The catalogue of recognised mistakes: one stable id per mistake, beside the message a student reads.

An id is `<function>/<slug>`, the function being the last part of the checked member's qualified name
(`compute_cost/missing-mean`). Ids are written into results.json (each failed test's `tags`), so that a
class report can count them: never rename one, add a new one instead.

GENERIC mistakes are recognised by the grader itself for any function (the id is the checked function's
name, a slash, then the slug); their messages are built where they are found, with the values involved.
Each entry of CATALOGUE is recognised by a hidden check's fingerprint; `{fields}` in a message are filled
by the check (`mistake("train/ignores-learning-rate", learning_rate=0.3)`).
"""

from __future__ import annotations

import re
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
}

CATALOGUE = {
    # -- the sigmoid (01 Neuron.sigmoid, 02 LogisticRegressionNN.sigmoid, 03 sigmoid) ---------------------
    "sigmoid/exponent-sign": "it gives 1 / (1 + e^z): the exponent needs a minus sign, e^(-z).",
    "sigmoid/denominator-sign": "it gives 1 / (1 - e^(-z)): the denominator is 1 + e^(-z), with a plus.",
    "sigmoid/both-signs": "it gives 1 / (1 - e^z): both signs are flipped; sigmoid(z) = 1 / (1 + e^(-z)).",
    "sigmoid/one-minus": "it returns e^(-z) / (1 + e^(-z)) = 1 - sigmoid(z): the numerator must be 1.",
    "sigmoid/missing-parentheses": "it computes 1 / 1 + e^(-z) = 1 + e^(-z): put the whole denominator in "
                                   "parentheses, 1 / (1 + np.exp(-z)).",
    "sigmoid/decreasing": "sigmoid decreases as z grows: the exponent needs a minus sign, 1 / (1 + e^(-z)).",
    # -- forward (01 and 02) -----------------------------------------------------------------------------
    "forward/missing-bias": "the bias is missing: z = w·x + b (X w + b for a batch), then sigmoid(z).",
    "forward/missing-sigmoid": "the sigmoid is missing: forward returns z = w·x + b itself, not sigmoid(z).",
    "forward/z-sign": "it computes sigmoid(-z): the sign of z = w·x + b is flipped.",
    "forward/bias-subtracted": "it subtracts the bias: z = w·x + b.",
    "forward/bias-on-inputs": "it adds the bias to every input before the dot product: z = w·x + b.",
    "forward/not-a-number": "for one example forward returns a single number: np.dot of two (n,) vectors is "
                            "already a number, so don't reshape the inputs into a matrix.",
    "forward/not-a-column": "for a batch forward returns one probability per example, shape (m, 1): np.dot(X, "
                            "self.weights) with weights of shape (n, 1) already gives a column, so don't flatten it.",
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
}


@dataclass(frozen=True)
class Mistake:
    """A recognised mistake: its stable id and the message the student reads."""

    id: str
    message: str


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
