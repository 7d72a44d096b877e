"""Hidden checks of 01_neuron: `Neuron.sigmoid` and `Neuron.forward` against the reference."""

import numpy as np
from shared_suspects import sigmoid_suspects  # autograder/hidden/shared_suspects.py

from autograder.grading.checks import Case, check, matches_reference
from autograder.grading.feedback import as_array, compare, expect, fail
from autograder.grading.mistakes import mistake

EXACT = {"rtol": 1e-9, "atol": 1e-12}


def sigmoid_cases() -> list[Case]:
    rng = np.random.default_rng(101)
    zs = [rng.normal(scale=4, size=shape) for shape in [(5,), (3, 4), (2, 3, 2)]]
    return [Case((z,), f"sigmoid(z) with z of shape {z.shape}", init=(3,), suspects=sigmoid_suspects(z)) for z in zs]


test_sigmoid_matches_reference = matches_reference(
    "Neuron.sigmoid", "matches the reference on arrays of several shapes", sigmoid_cases(), **EXACT)


@check("Neuron.sigmoid", "takes a single number and returns a single number")
def test_sigmoid_scalar(student):
    got = student.call("Neuron.sigmoid", 0.0, init=(3,)).value
    expect(np.ndim(got) == 0, f"sigmoid(0.0) returned {np.shape(got)}-shaped data; expected a single number.",
           "wrong-shape")
    compare(got, 0.5, what="sigmoid(0.0)")
    compare(student.call("Neuron.sigmoid", -2.5, init=(3,)).value, 1 / (1 + np.exp(2.5)), what="sigmoid(-2.5)",
            suspects=sigmoid_suspects(-2.5))


def forward_suspects(state: dict, x: np.ndarray) -> dict:
    w, b = state["weights"], state["bias"]
    z = float(np.dot(w, x) + b)
    return {mistake("forward/missing-bias"): 1 / (1 + np.exp(-np.dot(w, x))),
            mistake("forward/missing-sigmoid"): z,
            mistake("forward/z-sign"): 1 / (1 + np.exp(z)),
            mistake("forward/bias-on-inputs"): 1 / (1 + np.exp(-np.dot(w, x + b)))}


def forward_case(x, state: dict, what: str, case_id: str | None = None) -> Case:
    return Case((x,), what, init=(len(x),), state=state, suspects=forward_suspects(state, np.asarray(x)), id=case_id)


def sized_forward_case(n: int) -> Case:
    rng = np.random.default_rng(200 + n)
    state = {"weights": rng.normal(size=n), "bias": -0.4 * n}
    return forward_case(rng.normal(size=n), state, f"forward(x) with n = {n} inputs",
                        f"{n} input{'s' if n > 1 else ''}")


test_forward_matches_reference = matches_reference(
    "Neuron.forward", "matches the reference for several input sizes, with a bias",
    [sized_forward_case(n) for n in (1, 3, 6)], each=True, **EXACT)

test_forward_accepts_a_list = matches_reference(
    "Neuron.forward", "accepts a plain Python list of inputs",
    [forward_case([1.0, -2.0, 0.5, 4.0], {"weights": np.array([0.5, -1.0, 2.0, 0.25]), "bias": 0.3},
                  "forward([1.0, -2.0, 0.5, 4.0]) (a list)")])

test_forward_uses_the_bias_and_state = matches_reference(
    "Neuron.forward", "uses the neuron's current weights and bias",
    [forward_case(np.array([0.3, -0.7]), state,
                  f"forward(x) with weights {state['weights'].tolist()} and bias {state['bias']}")
     for state in [{"weights": np.array([1.5, 0.5]), "bias": 2.0}, {"weights": np.array([-1.0, 3.0]), "bias": -1.0}]])


@check("Neuron.forward", "returns a single number, not an array")
def test_forward_returns_a_scalar(student):
    state = {"weights": np.array([0.2, 0.4, -0.1]), "bias": 0.0}
    got = student.call("Neuron.forward", np.array([1.0, 2.0, 3.0]), init=(3,), state=state).value
    got = as_array(got, "forward(x) with n = 3 inputs", ())  # (a string is no number, whatever its shape)
    if np.ndim(got) != 0:
        fail(f"forward returned data of shape {np.shape(got)}; " + mistake("forward/not-a-number").message,
             "forward/not-a-number")
