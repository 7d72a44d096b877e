"""Student code is untrusted: what it can reach, with the sandbox and without it.

A probe submission defines `Neuron` with methods that try what a cheating or careless student might:
read the instructor's files, write the grader's, open a network connection, read the grader's
environment, kill the grader. `Student.call` returns what the probe saw, as plain data.
"""

from __future__ import annotations

import contextlib
import os
import socket

import pytest
from conftest import ROOT

from autograder.feedback import StudentError
from autograder.notebook import Cell, load_assignment
from autograder.reference import Reference
from autograder.sandbox import bwrap_works
from autograder.student import Student

PROBE = '''
import os, signal, socket

class Neuron:
    def __init__(self, num_inputs=3):
        pass

    def read(self, path):
        try:
            with open(path) as f:
                f.read(10)
            return "read"
        except OSError as error:
            return type(error).__name__

    def write(self, path):
        try:
            with open(path, "a") as f:
                f.write("tampered")
            return "written"
        except OSError as error:
            return type(error).__name__

    def connect(self, port):
        s = socket.socket()
        s.settimeout(2)
        try:
            s.connect(("127.0.0.1", port))
            return "connected"
        except OSError as error:
            return type(error).__name__

    def environment(self, name):
        return os.environ.get(name, "unset")

    def kill_parent(self):
        os.kill(os.getppid(), signal.SIGKILL)
        return "sent"
'''

SOURCE = ROOT / "solutions" / "01_neuron" / "01_neuron.ipynb"
SECRETS = [SOURCE, ROOT / "autograder" / "hidden" / "test_01_neuron.py", ROOT / "autograder" / "grade.py"]
IN_CI = bool(os.environ.get("CI"))
needs_bwrap = pytest.mark.skipif(not bwrap_works() and not IN_CI,
                                 reason="bubblewrap cannot run here (CI installs it and runs these)")


@pytest.fixture
def probe(request):
    assignment = load_assignment(SOURCE)
    student = Student(assignment, [Cell("neuron_answer", PROBE)], {}, Reference(assignment),
                      sandbox=request.param)
    yield student
    student.close()


@pytest.fixture
def listening_port():
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    yield server.getsockname()[1]
    server.close()


@needs_bwrap
@pytest.mark.parametrize("probe", [True], indirect=True)
def test_sandboxed_student_code_cannot_read_solutions_hidden_tests_or_grader(probe):
    assert probe.isolation == "bubblewrap"
    for path in SECRETS:
        assert probe.call("Neuron.read", str(path)).value == "FileNotFoundError", path


@needs_bwrap
@pytest.mark.parametrize("probe", [True], indirect=True)
def test_sandboxed_student_code_cannot_write_the_repository(probe, tmp_path):
    assert probe.isolation == "bubblewrap"  # (never try this on the real files without the sandbox)
    # Whatever the write returns inside (an error, or a file in the sandbox's own /tmp when the repository
    # lives under /tmp), the real files are untouched.
    for target in (ROOT / "gradebook.db", ROOT / "solutions" / "01_neuron" / "01_neuron.ipynb",
                   tmp_path / "results.json"):
        before = target.read_bytes() if target.exists() else None
        probe.call("Neuron.write", str(target))
        assert (target.read_bytes() if target.exists() else None) == before, target


@needs_bwrap
@pytest.mark.parametrize("probe", [True], indirect=True)
def test_sandboxed_student_code_has_no_network(probe, listening_port):
    assert probe.isolation == "bubblewrap"
    assert probe.call("Neuron.connect", listening_port).value != "connected"


@needs_bwrap
@pytest.mark.parametrize("probe", [True], indirect=True)
def test_sandboxed_student_code_cannot_kill_the_grader(probe):
    # The "parent" it sees is the sandbox's own init, which ignores the signal, or whose death ends the sandbox.
    with contextlib.suppress(StudentError):
        probe.call("Neuron.kill_parent")
    assert probe.call("Neuron.environment", "HOME").value == "/tmp"  # this process lives and grades on


@pytest.mark.parametrize("probe", [False], indirect=True)
def test_without_sandbox_grading_still_works_and_says_so(probe, listening_port):
    assert probe.isolation == "none"
    assert probe.call("Neuron.read", str(SOURCE)).value == "read"  # what the sandbox is for
    assert probe.call("Neuron.connect", listening_port).value == "connected"


@pytest.mark.parametrize("probe", [True, False], indirect=True)
def test_student_code_never_sees_the_graders_environment(probe, monkeypatch):
    monkeypatch.setenv("GITHUB_TOKEN", "secret")
    probe.close()  # the next call starts a fresh process, after the variable was set
    assert probe.call("Neuron.environment", "GITHUB_TOKEN").value == "unset"
