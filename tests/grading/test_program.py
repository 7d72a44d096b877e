"""What a notebook defines when each check runs (autograder/grading/program.py): which code the grader runs, in which
namespace, and what it says of a name it cannot find. Built from cell lists, without a student process."""

from __future__ import annotations

import pytest
from conftest import ROOT, release

from autograder.grading.notebook import identify, load_assignments, read_cells
from autograder.grading.program import MAIN, Program

ASSIGNMENTS = load_assignments(ROOT / "solutions")
NEURON = ASSIGNMENTS["01_neuron"]
ACTIVATIONS = ASSIGNMENTS["03_activation_functions"]


def cells(*sources: str | tuple[str, str]) -> list[dict]:
    """Code cells in order: a plain string is a cell without metadata; (grade_id, source) one with an id."""
    found = []
    for position, item in enumerate(sources, 1):
        grade_id, source = item if isinstance(item, tuple) else (None, item)
        found.append({"cell_type": "code", "source": source, "position": position,
                      "nbgrader": {"grade_id": grade_id} if grade_id else {}})
    return found


def released(grade_id: str, assignment: str = "01_neuron") -> tuple[str, str]:
    """A cell of the release as it is, id and source."""
    cell = next(c for c in read_cells(release(assignment)) if c["nbgrader"].get("grade_id") == grade_id)
    return grade_id, cell["source"]


NEURON_CLASS = ("class Neuron:\n    def __init__(self, n):\n        self.weights = np.zeros(n)\n"
                "        self.bias = 0\n    def sigmoid(self, x):\n        return logistic(x)\n"
                "    def forward(self, inputs):\n"
                "        return self.sigmoid(np.dot(self.weights, inputs) + self.bias)\n")
TESTS = [released("Neuron-sigmoid"), released("Neuron-forward")]


def run(program: Program, key: str = MAIN) -> list[tuple[str, tuple[int, ...] | None]]:
    """What the program runs in one namespace: (cell label, statements or None for the whole cell)."""
    return [(step.label, step.statements) for step in program.plans[key]]


def test_a_helper_cell_is_taken_statement_by_statement_and_only_what_graded_code_reaches():
    helpers = ("import math\nimport matplotlib.pyplot as plt\n\ndef logistic(z):\n    return 1 / (1 + math.exp(-z))\n"
               "\nprint(logistic(0))\nwhile True:\n    pass\nunused = 3\n")
    program = Program.of(NEURON, cells(released("neuron_imports"), helpers, ("neuron_answer", NEURON_CLASS), *TESTS))
    assert run(program) == [("1", (0,)), ("2", (0, 2)), ("neuron_answer", None)]  # np; math and logistic; the class
    assert program.namespace_of == {"Neuron.sigmoid": MAIN, "Neuron.forward": MAIN}
    assert program.graded_from() == ["cell 2 (`import math`)"]  # the release's own import cell is not listed


def test_a_local_variable_named_like_a_scratch_assignment_does_not_run_it():
    scratch = "model = Neuron(3)\ncosts = model.forward([1, 2, 3])\nEPS = np.finfo(float).eps\n"
    answer = NEURON_CLASS.replace("return logistic(x)", "costs = 1 / (1 + np.exp(-x))\n        return costs + 0 * EPS")
    program = Program.of(NEURON, cells(("neuron_answer", answer), scratch, *TESTS))
    assert run(program) == [("neuron_answer", None), ("2", (2,))]  # EPS, read as a global; not model or costs


def test_a_later_copy_of_the_answer_cell_replaces_the_earlier_one_and_both_run_in_order():
    program = Program.of(NEURON, cells(("neuron_answer", "class Neuron: pass\n"), ("neuron_answer", NEURON_CLASS),
                                       "def logistic(z):\n    return z\n", *TESTS))
    assert run(program) == [("neuron_answer", None), ("2", None), ("3", (0,))]
    assert program.cells[1].kind == "answer" and program.notes() == {}


def test_an_answer_cell_pasted_without_metadata_and_test_cells_known_by_their_source():
    plain_tests = [source for _, source in TESTS]
    program = Program.of(NEURON, cells(NEURON_CLASS, "def logistic(z):\n    return z\n", *plain_tests))
    assert run(program) == [("1", (0,)), ("2", (0,))]
    assert [c.kind for c in program.cells] == ["other", "other", "test", "test"]
    assert program.checkpoints["Neuron.forward"] == (2, 3) and program.notes() == {}


def test_a_name_defined_below_the_check_cell_is_not_there_and_the_message_names_its_cell():
    below = "x = 1\ndef logistic(z):\n    return z\n"
    program = Program.of(NEURON, cells(("neuron_answer", NEURON_CLASS), *TESTS, below))
    assert run(program) == [("neuron_answer", None)]
    message, mistake = program.explain("logistic", "Neuron.sigmoid", {})
    assert mistake == "defined-after-checks"
    assert message.startswith("`logistic` is defined in cell 4, line 2 (`def logistic(z):`), after its check cell "
                              "(cell 2)")


@pytest.mark.parametrize(("source", "mistake", "words"), [
    ("if True:\n    def logistic(z):\n        return z\n", "defined-in-block", "only inside an `if` block"),
    ("for _ in range(1):\n    logistic = abs\n", "defined-in-block", "only inside a `for` loop"),
    ("with open('x') as f:\n    def logistic(z):\n        return z\n", "defined-in-block", "a `with` block"),
    ("def logistic(z)\n    return z\n", "cell-syntax-error", "which has a syntax error (expected ':', line 1)"),
])
def test_a_name_defined_where_the_grader_does_not_run_gets_a_message_that_says_where_and_why(source, mistake, words):
    program = Program.of(NEURON, cells(source, ("neuron_answer", NEURON_CLASS), *TESTS))
    message, found = program.explain("logistic", "Neuron.sigmoid", {})
    assert found == mistake and words in message and "cell 1" in message


def test_a_helper_redefined_below_one_functions_check_gives_that_function_a_namespace_of_its_own():
    answers = {c["nbgrader"]["grade_id"]: c["source"] for c in read_cells(ROOT / "solutions/03_activation_functions/"
                                                                            "03_activation_functions.ipynb")
               if c["nbgrader"].get("solution")}
    sigmoid = ("def sigmoid(z):\n    return 1 / (1 + _exp(-z))\n\n"
               "def sigmoid_derivative(z):\n    return sigmoid(z) * (1 - sigmoid(z))\n")
    notebook = [("act_sigmoid_answer", sigmoid), "def _exp(z):\n    return np.exp(z)\n",
                released("sigmoid", "03_activation_functions"), "def _exp(z):\n    return 0 * z\n",
                *[(k, v) for k, v in answers.items() if k != "act_sigmoid_answer"],
                *[released(g, "03_activation_functions") for g in ACTIVATIONS.tests if g != "sigmoid"]]
    program = Program.of(ACTIVATIONS, cells(*notebook))
    assert program.namespace_of["sigmoid"] == "sigmoid" and program.namespace_of["tanh"] == MAIN
    assert ("2", (0,)) in run(program, "sigmoid") and ("4", (0,)) not in run(program, "sigmoid")
    assert ("4", (0,)) in run(program)  # the check of sigmoid_derivative, further down, sees the second one


def test_an_assignment_to_a_part_of_a_name_is_a_change_of_it():
    patch = "def forward(self, inputs):\n    return 0.5\n\nNeuron.forward = forward\n"
    program = Program.of(NEURON, cells(("neuron_answer", NEURON_CLASS), patch, *TESTS))
    assert ("2", (0, 1)) in run(program)


def test_a_missing_answer_cell_is_noted_only_when_its_names_are_defined_nowhere():
    assert Program.of(NEURON, cells(NEURON_CLASS, *TESTS)).notes() == {}
    notes = Program.of(NEURON, cells("class MyNeuron: pass\n", *TESTS)).notes()
    assert notes == {"neuron_answer": "The answer cell 'neuron_answer' is missing from your notebook, and no other "
                                      "cell defines Neuron."}


def test_a_deleted_test_cell_is_checked_where_nbgrader_would_put_it_back():
    program = Program.of(NEURON, cells(("neuron_answer", NEURON_CLASS), TESTS[0], "def logistic(z):\n    return z\n"))
    assert program.checkpoints["Neuron.sigmoid"] == (1, 1)
    assert program.checkpoints["Neuron.forward"] == (1, None)  # right after Neuron-sigmoid, the cell before it


def test_a_notebook_without_any_metadata_is_recognised_by_its_test_cells_or_by_the_names_it_defines():
    assert identify(cells(NEURON_CLASS, *[s for _, s in TESTS]), ASSIGNMENTS).name == "01_neuron"
    assert identify(cells(NEURON_CLASS), ASSIGNMENTS).name == "01_neuron"
    assert identify(cells("def relu(z):\n    return z\n"), ASSIGNMENTS).name == "03_activation_functions"
    logreg = "class LogisticRegressionNN:\n    def sigmoid(self, z):\n        return z\n\ndef sigmoid(z):\n    return z"
    assert identify(cells(logreg), ASSIGNMENTS).name == "02_logistic_regression"


def test_code_no_analysis_can_take_is_a_cell_with_a_syntax_error_not_a_grader_crash():
    nested = "f = " + "lambda: " * 2000 + "0\n"
    program = Program.of(NEURON, cells(nested, ("neuron_answer", NEURON_CLASS), *TESTS))
    assert ("neuron_answer", None) in run(program)


def test_many_changes_to_one_name_are_all_run_in_order():
    changes = "".join(f"Neuron.k{i} = {i}\n" for i in range(3000))
    program = Program.of(NEURON, cells(("neuron_answer", NEURON_CLASS), changes, *TESTS))
    assert run(program)[-1] == ("2", tuple(range(3000)))


def test_statements_on_one_line_share_what_they_read():
    helper = "logistic = lambda z: helper(z); other = lambda: 0\ndef helper(z):\n    return z\n"
    program = Program.of(NEURON, cells(helper, ("neuron_answer", NEURON_CLASS), *TESTS))
    assert run(program)[0] == ("1", (0, 2))


def test_a_star_import_below_a_definition_wins_as_in_run_all():
    program = Program.of(NEURON, cells("def logistic(z):\n    return z\n", "from math import *\n",
                                       ("neuron_answer", NEURON_CLASS), *TESTS))
    assert [label for label, _ in run(program)] == ["2", "neuron_answer"]


def test_the_same_import_again_below_a_check_changes_nothing_and_is_not_graded_code():
    imports = released("neuron_imports")[1]
    program = Program.of(NEURON, cells(imports, ("neuron_answer", NEURON_CLASS), TESTS[0], imports, TESTS[1],
                                       "def logistic(z):\n    return z\n"))
    assert set(program.namespace_of.values()) == {MAIN} and program.graded_from() == []
