"""Suspects shared by the assignments' hidden checks: what the usual slips in the sigmoid give."""

import numpy as np

from autograder.grading.mistakes import mistake


def sigmoid_suspects(z) -> dict:
    """The usual sign and parenthesis slips of 1 / (1 + e^(-z)), each with the value it gives at z."""
    z = np.asarray(z, dtype=float)
    with np.errstate(all="ignore"):  # e^1000 overflows, and 1 - e^(-z) is 0 at z = 0: such suspects match nothing
        return {mistake("sigmoid/exponent-sign"): 1 / (1 + np.exp(z)),
                mistake("sigmoid/denominator-sign"): 1 / (1 - np.exp(-z)),
                mistake("sigmoid/both-signs"): 1 / (1 - np.exp(z)),
                mistake("sigmoid/missing-parentheses"): 1 + np.exp(-z),
                mistake("sigmoid/one-minus"): np.exp(-z) / (1 + np.exp(-z))}
