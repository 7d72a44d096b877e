"""Student code is untrusted: what it can reach under each layer (bubblewrap, Landlock) and without one.

A probe submission defines `Neuron` with methods that try what a cheating or careless student might:
read the instructor's files, write the grader's, open a network connection, read the grader's
environment, kill the grader or the zygote, leave a process or a file for the next student process.
`Student.call` returns what the probe saw, as plain data.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket

import pytest
from conftest import ROOT
from support.layers import LANDLOCK_ABI, LAYERS

from autograder.grading.feedback import StudentError
from autograder.grading.mistakes import tag
from autograder.grading.notebook import load_assignment
from autograder.grading.program import Program
from autograder.grading.reference import Reference
from autograder.grading.student import Student
from autograder.sandbox.launch import zygote

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

    def exit_with(self, status):
        os._exit(status)

    def raise_oddly_named(self):
        raise type("train/x y Ärger", (Exception,), {})("odd")

    def leave_a_file(self, name):
        """A file in a folder it then makes read-only (where it may): the path of that folder."""
        folder = os.path.join(os.environ["HOME"], "locked")
        os.mkdir(folder)
        with open(os.path.join(folder, name), "w") as f:
            f.write("left for the next student")
        try:
            os.chmod(folder, 0o500)
        except OSError:
            pass
        return folder

    def exists(self, path):
        return os.path.exists(path)

    def alive(self, pid):
        try:
            os.kill(pid, 0)
            return "alive"
        except OSError as error:
            return type(error).__name__

    def pid(self):
        return os.getpid()

    def kill_each(self, pids):
        """SIGKILL to its parent (the keeper), then to each of `pids`; what each attempt gave."""
        said = []
        for pid in [os.getppid(), *pids]:
            try:
                os.kill(pid, signal.SIGKILL)
                said.append("killed")
            except OSError as error:
                said.append(type(error).__name__)
        return said

    def shared_stores(self):
        """Try what outlives the process outside its folder: a System V shared-memory segment, a key in the
        user's keyring, an extended attribute and times on the folder above its own, its own folder's mode.
        The error of each, or "made"."""
        import ctypes, errno
        libc = ctypes.CDLL(None, use_errno=True)
        above = os.path.dirname(os.environ["HOME"])
        said = []
        for attempt in (lambda: libc.shmget(0x5EED, 4096, 0o1000 | 0o600),  # IPC_CREAT
                        lambda: libc.syscall({"x86_64": 248, "aarch64": 217}[os.uname().machine],  # add_key
                                             b"user", b"answers", b"42", 2, -4),  # to KEY_SPEC_USER_KEYRING
                        lambda: os.setxattr(above, "user.answer", b"42"),
                        lambda: os.utime(above, (0, 42)),
                        lambda: os.chmod(os.environ["HOME"], 0o500)):
            try:
                made = attempt()
                said.append(errno.errorcode.get(ctypes.get_errno(), "?") if made is not None and made < 0
                            else "made")
            except OSError as error:
                said.append(errno.errorcode.get(error.errno, "?"))
        return said

    def leave_a_process_behind(self):
        """Double fork, leave the session: the grandchild loops on, re-parented; returns its pid."""
        read, write = os.pipe()
        child = os.fork()
        if child == 0:
            os.setsid()
            if os.fork():
                os._exit(0)
            os.write(write, str(os.getpid()).encode())
            while True:
                pass
        os.waitpid(child, 0)
        return int(os.read(read, 20))
'''

SOURCE = ROOT / "solutions" / "01_neuron" / "01_neuron.ipynb"
SECRETS = [SOURCE, ROOT / "autograder" / "hidden" / "test_01_neuron.py", ROOT / "autograder" / "grading" / "grade.py"]


def probe_program(assignment) -> Program:
    """A notebook of one cell: the probe, as the answer cell."""
    return Program.of(assignment, [{"cell_type": "code", "source": PROBE, "nbgrader": {"grade_id": "neuron_answer"},
                                    "position": 1}])


@pytest.fixture
def probe(request):
    assignment = load_assignment(SOURCE)
    student = Student(probe_program(assignment), Reference(assignment), layers=request.param)
    yield student
    student.close()


@pytest.fixture
def listening_port():
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    yield server.getsockname()[1]
    server.close()


@pytest.mark.parametrize("probe", LAYERS, indirect=True)
def test_sandboxed_student_code_cannot_read_solutions_hidden_tests_or_grader(probe):
    assert probe.call("Neuron.read", "/usr/lib/os-release").value == "read"  # the system stays readable
    for path in SECRETS:
        assert probe.call("Neuron.read", str(path)).value in ("FileNotFoundError", "PermissionError"), path
    assert probe.isolation == probe.layers[0]


@pytest.mark.parametrize("probe", LAYERS, indirect=True)
def test_sandboxed_student_code_cannot_write_the_repository(probe, tmp_path):
    probe.call("Neuron.environment", "HOME")
    assert probe.isolation == probe.layers[0]  # (never try this on the real files without a sandbox)
    # Whatever the write returns inside (an error, or a file in the sandbox's own /tmp when the repository
    # lives under /tmp), the real files are untouched.
    for target in (ROOT / "gradebook.db", ROOT / "solutions" / "01_neuron" / "01_neuron.ipynb",
                   tmp_path / "results.json"):
        before = target.read_bytes() if target.exists() else None
        probe.call("Neuron.write", str(target))
        assert (target.read_bytes() if target.exists() else None) == before, target
    assert probe.call("Neuron.write", os.devnull).value == "written"  # still there for student code


@pytest.mark.parametrize("probe", LAYERS, indirect=True)
def test_sandboxed_student_code_has_no_network(probe, listening_port):
    assert probe.call("Neuron.connect", listening_port).value != "connected"
    assert probe.isolation == probe.layers[0]


@pytest.mark.parametrize("probe", LAYERS, indirect=True)
def test_sandboxed_student_code_cannot_kill_the_grader(probe):
    # The "parent" it sees is the sandbox's own init, which ignores the signal, or whose death ends the
    # sandbox; under Landlock it is the keeper, which student code may not signal.
    with contextlib.suppress(StudentError):
        probe.call("Neuron.kill_parent")
    assert probe.call("Neuron.environment", "HOME").value.startswith("/tmp")  # this process lives and grades on


@pytest.mark.parametrize("probe", [()], indirect=True)
def test_without_sandbox_grading_still_works_and_says_so(probe, listening_port):
    assert probe.isolation == "none"
    assert probe.call("Neuron.read", str(SOURCE)).value == "read"  # what the sandbox is for
    assert probe.call("Neuron.connect", listening_port).value == "connected"


@pytest.mark.parametrize("probe", [("bubblewrap",), ("landlock",), ()], indirect=True)
def test_student_code_never_sees_the_graders_environment(probe, monkeypatch):
    monkeypatch.setenv("GITHUB_TOKEN", "secret")
    probe.close()  # the next call starts a fresh process, after the variable was set
    assert probe.call("Neuron.environment", "GITHUB_TOKEN").value == "unset"


@pytest.mark.parametrize("probe", [pytest.param(("landlock",), id="landlock"), pytest.param((), id="none")],
                         indirect=True)
def test_no_process_that_student_code_starts_outlives_its_grading(probe):
    # Outside bubblewrap's pid namespace the pid is this machine's own, so the test can watch it.
    pid = probe.call("Neuron.leave_a_process_behind").value
    os.kill(pid, 0)  # it runs, in a session of its own, re-parented to the keeper
    probe.close()
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


@pytest.mark.parametrize("probe", [pytest.param(("landlock",), id="landlock"), pytest.param((), id="none")],
                         indirect=True)
def test_an_exit_status_above_128_is_reported_as_an_exit_not_as_a_signal(probe):
    with pytest.raises(StudentError, match="exit status 200") as raised:
        probe.call("Neuron.exit_with", 200)
    assert raised.value.mistake == "process-ended"


@pytest.mark.parametrize("probe", [()], indirect=True)
def test_a_students_exception_name_never_makes_an_invalid_mistake_id(probe):
    with pytest.raises(StudentError) as raised:
        probe.call("Neuron.raise_oddly_named")
    assert raised.value.mistake == "raised-Exception"
    assert tag("Neuron.forward", "train/x y") == "forward/check-failed"  # an id outside the catalogue


@pytest.mark.parametrize("probe", [*LAYERS, pytest.param((), id="none")], indirect=True)
def test_nothing_one_student_process_leaves_reaches_the_next_one_forked(probe):
    path = probe.call("Neuron.leave_a_file", "answers.txt").value
    pid = probe.call("Neuron.leave_a_process_behind").value
    first = probe.call("Neuron.pid").value
    probe.close()  # the next call gets a new process from the same zygote, in the same sandbox
    assert probe.call("Neuron.pid").value != first
    assert probe.call("Neuron.exists", path).value is False
    assert probe.call("Neuron.alive", pid).value == "ProcessLookupError"  # gone, not merely out of reach


@pytest.mark.parametrize("probe", LAYERS, indirect=True)
@pytest.mark.skipif(LANDLOCK_ABI < 6, reason=f"this kernel's Landlock ABI is {LANDLOCK_ABI}: signals are scoped from 6")
def test_student_code_can_kill_neither_its_keeper_nor_the_zygote(probe):
    # Inside bubblewrap the zygote is pid 2 of its PID namespace; outside, the test knows its pid.
    zygote_pid = 2 if probe.isolation == "bubblewrap" else zygote(probe.layers).process.pid
    assert probe.call("Neuron.kill_each", [zygote_pid]).value == ["PermissionError", "PermissionError"]
    assert probe.call("Neuron.pid").value > 0


@pytest.mark.parametrize("probe", LAYERS, indirect=True)
def test_sandboxed_student_code_has_no_ipc_keyring_or_metadata_to_leave_answers_in(probe):
    # Each outlives the process outside its folder: a speed check's first try could leave its answer there.
    assert probe.call("Neuron.shared_stores").value == ["EPERM"] * 5
    assert probe.isolation == probe.layers[0]


def test_below_landlock_abi_6_each_submission_has_a_zygote_of_its_own(monkeypatch):
    monkeypatch.setattr("autograder.grading.student.shares_zygote", lambda layers: False)
    assignment = load_assignment(SOURCE)
    students = [Student(probe_program(assignment), Reference(assignment), layers=())
                for _ in range(2)]
    assert [s.call("Neuron.pid").value > 0 for s in students] == [True, True]
    own = [s._own_zygote for s in students]
    assert own[0] is not own[1] and zygote(()) not in own
    for student in students:
        student.close()
    assert [z.process.poll() is not None for z in own] == [True, True]  # ended with its submission


@pytest.mark.parametrize("probe", [pytest.param((), id="none")], indirect=True)
def test_a_forked_grading_process_leaves_its_parents_zygote_alone(probe):
    probe.call("Neuron.pid")
    parents = zygote(())
    go_on, wait = os.pipe()
    child = os.fork()
    if child == 0:  # as a pool's worker: it has copies of the parent's zygote and student, and its own zygote
        try:
            os.close(wait)
            probe.close()  # the parent's student process and zygote are not this process's to end
            ours = Student(probe.program, probe.reference, layers=()).call("Neuron.pid")
            os.read(go_on, 1)  # still running while the parent ends its zygote
            os._exit(0 if ours.value > 0 and zygote(()) is not parents else 1)
        finally:
            os._exit(2)
    os.close(go_on)
    assert probe.call("Neuron.pid").value > 0 and zygote(()) is parents  # unharmed by the child
    parents.close()
    assert parents.process.returncode == 0  # it saw its control socket close, with the child still running
    os.write(wait, b"!")
    assert os.waitstatus_to_exitcode(os.waitpid(child, 0)[1]) == 0


@pytest.mark.parametrize("probe", [*LAYERS, pytest.param((), id="none")], indirect=True)
def test_a_zygote_that_has_gone_is_started_again(probe):
    probe.call("Neuron.pid")
    gone = zygote(probe.layers)
    os.killpg(gone.process.pid, signal.SIGKILL)  # as student code could below Landlock ABI 6
    with contextlib.suppress(StudentError):  # the process under check may go with it, or not yet
        probe.call("Neuron.exists", "/")
    probe.close()
    assert probe.call("Neuron.alive", os.getpid()).value in ("alive", "PermissionError", "ProcessLookupError")
    assert zygote(probe.layers) is not gone
