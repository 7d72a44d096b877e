"""Suspects shared by the assignments' hidden checks: what the usual slips in the sigmoid give."""

import numpy as np

from autograder.grading.mistakes import catalogue, mistake

# The mistakes of the functions several assignments grade: the sigmoid and forward.
catalogue({
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
})


def sigmoid_suspects(z) -> dict:
    """The usual sign and parenthesis slips of 1 / (1 + e^(-z)), each with the value it gives at z."""
    z = np.asarray(z, dtype=float)
    with np.errstate(all="ignore"):  # e^1000 overflows, and 1 - e^(-z) is 0 at z = 0: such suspects match nothing
        return {mistake("sigmoid/exponent-sign"): 1 / (1 + np.exp(z)),
                mistake("sigmoid/denominator-sign"): 1 / (1 - np.exp(-z)),
                mistake("sigmoid/both-signs"): 1 / (1 - np.exp(z)),
                mistake("sigmoid/missing-parentheses"): 1 + np.exp(-z),
                mistake("sigmoid/one-minus"): np.exp(-z) / (1 + np.exp(-z))}
