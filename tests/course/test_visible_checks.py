"""The visible checks blame the right function: a submission with one typical bug, run top to bottom as a
student runs it, fails the check cells of that function and of no function that does not call it, and the
failing check says what to use instead."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from conftest import ROOT
from nbclient import NotebookClient

SUBMISSIONS = ROOT / "tests" / "submissions"
CASES = {  # submission: (the check cells that must fail, the words the first failure must hold)
    # forward's check gives the neuron a sigmoid of its own: a flipped sigmoid fails only the sigmoid's check
    "01_neuron/bug_sigmoid_sign_flipped": ({"Neuron-sigmoid"}, "sigmoid([-2, 0, 2]) should be"),
    "03_activation_functions/bug_leaky_relu_ignores_alpha": ({"leaky_relu"}, "alpha"),
    "03_activation_functions/bug_relu_python_max": ({"relu"}, "np.maximum"),
    "03_activation_functions/bug_softmax_sum_without_keepdims": ({"softmax"}, "keepdims=True"),
    "03_activation_functions/bug_sigmoid_np_where_overflows": ({"sigmoid"}, "np.exp"),
    # a flipped sigmoid is wrong wherever the class uses it, but gradient_check's check tests gradient_check
    "02_logistic_regression/bug_sigmoid_flipped_sign": (
        {"LogisticRegressionNN-sigmoid", "LogisticRegressionNN-forward", "LogisticRegressionNN-compute_cost",
         "LogisticRegressionNN-compute_gradients", "LogisticRegressionNN-train", "LogisticRegressionNN-predict",
         "LogisticRegressionNN"}, "sigmoid"),
    "02_logistic_regression/bug_gradient_check_one_sided": ({"LogisticRegressionNN-gradient_check"}, "one-sided"),
    "02_logistic_regression/bug_sigmoid_math_exp_fails_on_arrays": (None, "use np.exp"),
    "02_logistic_regression/bug_cost_missing_1_over_m": ({"LogisticRegressionNN-compute_cost"}, "divide by m"),
    # train and the whole class use the student's gradients: their checks fail too, after the gradients' own
    "02_logistic_regression/bug_gradients_wrong_sign": (
        {"LogisticRegressionNN-compute_gradients", "LogisticRegressionNN-train", "LogisticRegressionNN"},
        "the prediction minus the label"),
    "02_logistic_regression/bug_train_adds_gradient": ({"LogisticRegressionNN-train", "LogisticRegressionNN"},
                                                       "uphill"),
}


def failing_check_cells(path: Path) -> tuple[list[str], list[str]]:
    """Run the notebook in a kernel, every cell even after an error; the graded test cells that failed, in
    order, and their error messages."""
    nb = nbformat.read(path, as_version=4)
    folder = ROOT / "exercises" / path.parent.name  # where its data and figures are
    NotebookClient(nb, kernel_name="python3", timeout=300, allow_errors=True,
                   resources={"metadata": {"path": str(folder)}}).execute()
    failed = [(c.metadata["nbgrader"]["grade_id"], o.get("evalue", "")) for c in nb.cells
              if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("grade")
              and not c.metadata["nbgrader"].get("solution")
              for o in c.outputs if o.output_type == "error"]
    return [f for f, _ in failed], [m for _, m in failed]


@pytest.mark.parametrize("case", CASES, ids=CASES)
def test_one_bug_fails_the_checks_of_its_own_function_and_says_what_to_use(case):
    cells, messages = failing_check_cells(SUBMISSIONS / f"{case}.ipynb")
    should_fail, words = CASES[case]
    if should_fail is not None:
        assert set(cells) == should_fail, messages
    assert messages and words in messages[0], messages
