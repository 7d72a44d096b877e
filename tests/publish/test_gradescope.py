"""Gradescope: the autograder zip run as Gradescope runs it. The zip is unpacked into a scratch root laid out
as Gradescope's (source/, submission/, results/, submission_metadata.json) and mounted at /autograder in a
mount namespace of its own (bubblewrap, as root); setup.sh runs once (its pins from a folder of wheels, as
the image would take them from PyPI), then run_autograder for each kind of upload, and every results.json
is checked against a JSON schema of Gradescope's documented format and for its score and message."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import jsonschema
import pytest
from conftest import ROOT, pin_wheels, read_json, release, source

from autograder.publish.gradescope.bundle import main as write_zips

SCHEMA = read_json(ROOT / "autograder" / "publish" / "gradescope" / "results.schema.json")
EXAMPLES = ROOT / "tests" / "submissions" / "01_neuron"
pytestmark = pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("bwrap"),
                                reason="mounting a root at /autograder needs root and bubblewrap (CI has both)")


def gradescope(root: Path, *command: str, env: dict | None = None) -> subprocess.CompletedProcess:
    """`command` with `root` mounted at /autograder, working directory /autograder, as Gradescope runs it."""
    return subprocess.run(["bwrap", "--dev-bind", "/", "/", "--bind", str(root), "/autograder", "--chdir",
                           "/autograder", "--die-with-parent", *command], capture_output=True, text=True,
                          timeout=600, env=env or dict(os.environ))


@pytest.fixture(scope="module")
def autograder_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not Path("/autograder").exists():  # the mount point (empty; left for the next run)
        Path("/autograder").mkdir()
    out = tmp_path_factory.mktemp("zips")
    assert write_zips(out, ["01_neuron"]) == 0
    root = tmp_path_factory.mktemp("gradescope")
    with zipfile.ZipFile(out / "01_neuron.zip") as bundle:
        assert {"setup.sh", "run_autograder"} <= set(bundle.namelist())  # at the root of the zip
        assert not [n for n in bundle.namelist() if "test_02" in n or "test_03" in n or n.startswith("tests/")]
        bundle.extractall(root / "source")
        for info in bundle.infolist():  # (zipfile drops the modes: Gradescope keeps them)
            os.chmod(root / "source" / info.filename, info.external_attr >> 16 or 0o644)
    shutil.copy2(root / "source" / "run_autograder", root / "run_autograder")
    (root / "submission_metadata.json").write_text(json.dumps({"id": 1, "assignment": {"title": "01_neuron"},
                                                               "users": [{"name": "Ada", "id": 7}]}))
    env = dict(os.environ, PIP_NO_INDEX="1", PIP_FIND_LINKS=str(pin_wheels(f"{sys.version_info[0]}."
                                                                           f"{sys.version_info[1]}")))
    setup = gradescope(root, "bash", "/autograder/source/setup.sh", env=env)
    assert setup.returncode == 0, setup.stdout + setup.stderr
    assert (root / "venv" / "bin" / "python").exists()
    return root


def graded(root: Path, files: dict[str, bytes]) -> tuple[dict, str]:
    """Upload `files` (name -> content), run run_autograder, and read results.json."""
    for folder in ("submission", "results"):
        shutil.rmtree(root / folder, ignore_errors=True)
        (root / folder).mkdir()
    for name, content in files.items():
        (root / "submission" / name).parent.mkdir(parents=True, exist_ok=True)
        (root / "submission" / name).write_bytes(content)
    run = gradescope(root, "/autograder/run_autograder", env={"PATH": "/usr/local/bin:/usr/bin:/bin"})
    assert run.returncode == 0, run.stdout + run.stderr
    results = read_json(root / "results" / "results.json")
    jsonschema.validate(results, SCHEMA)
    return results, run.stdout


UPLOADS = {  # what the student uploads -> (score, a phrase of the message)
    "correct": ({"01_neuron.ipynb": source("01_neuron").read_bytes()}, 5, ""),
    "buggy": ({"01_neuron.ipynb": (EXAMPLES / "bug_forward_missing_bias.ipynb").read_bytes()}, None, "bias"),
    "untouched": ({"01_neuron.ipynb": release("01_neuron").read_bytes()}, 0, "not written yet"),
    "misnamed": ({"Copy of 01_neuron (1).ipynb": source("01_neuron").read_bytes(), "notes.txt": b"hello"}, 5, ""),
    "beside another": ({"01_neuron.ipynb": source("01_neuron").read_bytes(),
                        "old/scratch.ipynb": release("01_neuron").read_bytes()}, 5, ""),
    "not JSON": ({"01_neuron.ipynb": (EXAMPLES / "faulty_not_json.ipynb").read_bytes()}, 0, "not a valid notebook"),
    "empty": ({}, 0, "holds no notebook"),
    "two unnamed": ({"a.ipynb": b"{}", "b.ipynb": b"[]"}, 0, "several notebooks"),
}


@pytest.mark.parametrize("upload", UPLOADS)
def test_run_autograder_grades_each_upload_as_students_make_it(autograder_root, upload):
    files, score, phrase = UPLOADS[upload]
    results, stdout = graded(autograder_root, files)
    if score is None:  # a typical bug: what `grade` gives the same notebook
        score = read_json(EXAMPLES / "bug_forward_missing_bias.expected.json")["score"]
    assert results["score"] == score and results["output_format"] == "md"
    assert all(t["visibility"] == "visible" and t["extra_data"]["function"] for t in results["tests"])
    assert [t["name"].split(":")[0] for t in results["tests"]].count("Neuron.forward") >= 2  # every check listed
    assert phrase in results["output"] and all(phrase in t["output"] for t in results["tests"]
                                               if t["status"] == "failed" and score == 0)
    failed = [t for t in results["tests"] if t["status"] == "failed"]
    assert all(t["tags"] for t in failed if score)  # a bug's failed checks carry its mistake ids
    if not results["extra_data"]["notebook_error"]:
        assert "Your code ran in bubblewrap" in results["output"] and "sandbox: bubblewrap" in stdout


def test_the_students_code_cannot_read_the_autograders_source(autograder_root):
    spy = json.loads(source("01_neuron").read_text(encoding="utf-8"))
    for cell in spy["cells"]:
        if cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") == "neuron_answer":
            cell["source"] = ("import os\nclass Neuron:\n    def __init__(self, num_inputs=3):\n"
                              "        self.weights = [0.0] * num_inputs\n        self.bias = 0.0\n"
                              "    def sigmoid(self, z):\n"
                              "        print('sees', os.path.exists('/autograder/source/solutions'),\n"
                              "              os.path.exists('/autograder/source/autograder/hidden'))\n"
                              "        return z\n"
                              "    def forward(self, inputs):\n        return 0.0\n")
    results, _ = graded(autograder_root, {"01_neuron.ipynb": json.dumps(spy).encode()})
    printed = [t["output"] for t in results["tests"] if "Your code printed" in t["output"]]
    assert printed and all("sees False False" in output for output in printed)
