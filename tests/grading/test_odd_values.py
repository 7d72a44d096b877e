"""Whatever a student's function returns, the feedback describes it and the check fails as the student's:
strings (even "0.5"), bytes, complex numbers, dicts, objects, ragged or deeply nested lists. Nothing a
student returns makes the grader report an internal error, and nothing that is not numbers earns points."""

from __future__ import annotations

import ast
import json

import numpy as np
import pytest
from conftest import read_json, source

from autograder import grade
from autograder.grading.feedback import as_array, describe, real_numbers
from autograder.sandbox.inside.protocol import Opaque, decode, encode

ODD = {  # what the student's function returns, as source text
    "a-string": '"wrong"', "a-number-in-a-string": '"0.5"', "bytes": 'b"\\x00"', "ragged": "[[1.0, 2.0], [3.0], []]",
    "an-object": "object()", "nested-20-deep": "[" * 19 + "1.0" + "]" * 19, "a-dict": '{"a": 1.0}',
    "complex": "1 + 2j", "an-array-of-strings": 'np.array(["0.5"])', "strings-in-a-list": '[["a", 1.0]]',
    "a-tuple-with-a-string": '(np.zeros((3, 1)), "x")',
}
# Every value on the assignment with the most functions; a few on the others (each grade takes a second).
CASES = [("02_logistic_regression", odd) for odd in ODD] + [
    (a, odd) for a in ("01_neuron", "03_activation_functions") for odd in ("a-string", "ragged", "an-object")]


def returning(a: str, value: str) -> dict:
    """The solution notebook of `a` with every graded function of every answer cell made to return `value`."""
    notebook = read_json(source(a))
    for cell in notebook["cells"]:
        if cell["cell_type"] != "code" or not cell["metadata"].get("nbgrader", {}).get("solution"):
            continue
        text, odd = "".join(cell["source"]), []
        for node in ast.parse(text).body:
            if isinstance(node, ast.FunctionDef):
                odd.append(f"def {node.name}(*args, **kwargs):\n    return {value}")
            elif isinstance(node, ast.ClassDef):
                odd += [f"{node.name}.{m.name} = lambda self, *args, **kwargs: {value}" for m in node.body
                        if isinstance(m, ast.FunctionDef) and m.name != "__init__"]
        cell["source"] = text + "\n\n" + "\n".join(odd) + "\n"
    return notebook


@pytest.mark.parametrize(("a", "odd"), CASES, ids=[f"{a[:2]}-{odd}" for a, odd in CASES])
def test_an_odd_return_value_fails_as_the_students_with_its_type_named(a, odd, tmp_path):
    path = tmp_path / f"{odd}.ipynb"
    path.write_text(json.dumps(returning(a, ODD[odd])), encoding="utf-8")
    results = grade(path)
    assert results.error is None and results.score == 0
    for test in results.tests:
        assert test.status == "failed" and "internal error" not in test.output, (test.name, test.output)
    if odd != "nested-20-deep":  # (which is one number, in an array of shape (1, 1, ..., 1))
        assert any("not-numbers" in t.tags[0] for t in results.tests), "no check said the value is not numbers"


@pytest.mark.parametrize(("value", "says"), [
    ("wrong", "a str ('wrong')"), ("0.5", "a str ('0.5')"), ("x" * 500, "... (500 characters)"),
    (Opaque("bytes"), "a bytes object"), ({"a": 1}, "a dict with 1 keys"), ([[1, 2], [3]], "a list of 2 items"),
    (1 + 2j, "complex (1+2j)"), (np.float64(0.25), "float64 0.25"), (True, "bool True"), (3, "int 3"),
    (np.array(["a"]), "an array of shape (1,) and dtype <U1"), (None, "None"), ({1, 2}, "a set"),
])
def test_describe_names_any_value_in_a_few_words(value, says):
    assert says in describe(value) and len(describe(value)) < 80


def test_describe_never_raises_even_on_a_value_whose_methods_do():
    class Hostile:
        def __len__(self):
            raise RuntimeError

    assert describe(Hostile()) == "a Hostile"
    assert describe(type("Bad", (list,), {"__len__": lambda self: 1 / 0})()) == "a value of type Bad"


@pytest.mark.parametrize("value", ["0.5", b"1", [[1.0, 2.0], [3.0]], [1.0, "2"], 1 + 2j, np.array([1j]),
                                   {"a": 1.0}, Opaque("object"), [[[1.0]], [2.0]]])
def test_only_real_numbers_are_read_as_numbers(value):
    assert real_numbers(value) is None
    with pytest.raises(AssertionError, match="expected numbers") as failed:
        as_array(value, "f(x)", (1,))
    assert failed.value.mistake == "not-numbers"


@pytest.mark.parametrize("value", [0.5, 3, True, np.float32(2.0), [[1, 2], [3, 4]], (1.0, 2.0), np.eye(2)])
def test_real_numbers_of_any_kind_are_read_as_floats(value):
    assert real_numbers(value).dtype == float


def test_a_value_nested_deeper_than_the_wire_allows_is_refused_not_followed():
    deep: list = [1.0]
    for _ in range(30):
        deep = [deep]
    with pytest.raises(ValueError, match="nested too deeply"):
        decode(encode(deep))
