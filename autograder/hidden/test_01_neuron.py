"""Hidden checks of 01_neuron: `Neuron.sigmoid` and `Neuron.forward` against the reference."""

import numpy as np
import pytest

from autograder.feedback import compare, expect, fail

ASSIGNMENT = "01_neuron"


def neuron_state(rng: np.random.Generator, n: int, bias: float = 0.7) -> dict:
    return {"weights": rng.normal(size=n), "bias": bias}


def test_sigmoid_matches_reference(student, reference):
    """Neuron.sigmoid: matches the reference on arrays of several shapes"""
    rng = np.random.default_rng(101)
    for shape in [(5,), (3, 4), (2, 3, 2)]:
        x = rng.normal(scale=4, size=shape)
        got = student.call("Neuron.sigmoid", x, init=(3,)).value
        want = reference.call("Neuron.sigmoid", x, init=(3,)).value
        compare(got, want, what=f"sigmoid(x) with x of shape {shape}", rtol=1e-9, atol=1e-12,
                suspects={"it gives 1 / (1 + e^x): the exponent needs a minus sign, e^(-x).": 1 / (1 + np.exp(x)),
                          "it returns e^(-x) / (1 + e^(-x)) = 1 - sigmoid(x): swap the numerator.":
                          np.exp(-x) / (1 + np.exp(-x))})


def test_sigmoid_scalar(student):
    """Neuron.sigmoid: takes a single number and returns a single number"""
    got = student.call("Neuron.sigmoid", 0.0, init=(3,)).value
    expect(np.ndim(got) == 0, f"sigmoid(0.0) returned {np.shape(got)}-shaped data; expected a single number.")
    compare(got, 0.5, what="sigmoid(0.0)")
    compare(student.call("Neuron.sigmoid", -2.5, init=(3,)).value, 1 / (1 + np.exp(2.5)), what="sigmoid(-2.5)")


def forward_suspects(state: dict, x: np.ndarray) -> dict:
    w, b = state["weights"], state["bias"]
    z = float(np.dot(w, x) + b)
    return {"the bias is missing: z = w·x + b.": 1 / (1 + np.exp(-np.dot(w, x))),
            "the sigmoid is missing: forward returns z = w·x + b itself, not sigmoid(z).": z,
            "it uses sigmoid(-z): the sign of z is flipped.": 1 / (1 + np.exp(z)),
            "it adds the bias to every input before the dot product.": 1 / (1 + np.exp(-np.dot(w, x + b)))}


@pytest.mark.parametrize("n", [1, 3, 6], ids=["1 input", "3 inputs", "6 inputs"])
def test_forward_matches_reference(student, reference, n):
    """Neuron.forward: matches the reference for several input sizes, with a bias"""
    rng = np.random.default_rng(200 + n)
    state = neuron_state(rng, n, bias=-0.4 * n)
    x = rng.normal(size=n)
    got = student.call("Neuron.forward", x, init=(n,), state=state).value
    want = reference.call("Neuron.forward", x, init=(n,), state=state).value
    compare(got, want, what=f"forward(x) with n = {n} inputs", rtol=1e-9, atol=1e-12,
            suspects=forward_suspects(state, x))


def test_forward_accepts_a_list(student, reference):
    """Neuron.forward: accepts a plain Python list of inputs"""
    state = {"weights": np.array([0.5, -1.0, 2.0, 0.25]), "bias": 0.3}
    x = [1.0, -2.0, 0.5, 4.0]
    got = student.call("Neuron.forward", x, init=(4,), state=state).value
    want = reference.call("Neuron.forward", x, init=(4,), state=state).value
    compare(got, want, what="forward([1.0, -2.0, 0.5, 4.0]) (a list)", suspects=forward_suspects(state, np.array(x)))


def test_forward_returns_a_scalar(student):
    """Neuron.forward: returns a single number, not an array"""
    state = {"weights": np.array([0.2, 0.4, -0.1]), "bias": 0.0}
    got = student.call("Neuron.forward", np.array([1.0, 2.0, 3.0]), init=(3,), state=state).value
    if np.ndim(got) != 0:
        fail(f"forward returned data of shape {np.shape(got)}; expected a single number. np.dot of two (n,) "
             "vectors is already a number: don't reshape the inputs into a matrix.")


def test_forward_uses_the_bias_and_state(student, reference):
    """Neuron.forward: uses the neuron's current weights and bias"""
    x = np.array([0.3, -0.7])
    for state in [{"weights": np.array([1.5, 0.5]), "bias": 2.0}, {"weights": np.array([-1.0, 3.0]), "bias": -1.0}]:
        got = student.call("Neuron.forward", x, init=(2,), state=state).value
        want = reference.call("Neuron.forward", x, init=(2,), state=state).value
        compare(got, want, what=f"forward(x) with weights {state['weights'].tolist()} and bias {state['bias']}",
                suspects=forward_suspects(state, x))
