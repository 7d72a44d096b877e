"""Nothing crosses from one student process to the next, and nothing one student builds stops the grading of
those after it: where one zygote serves one notebook after another (grade-class, nbgrader autograde).

Each attack here worked against an earlier grader: a chain of folders past PATH_MAX holding a folder that
forbids reading, whose files' sizes spell an answer, outlived the zygote's clear-up and could be read by the
next student process with O_PATH (which Landlock does not govern); the next process could recover the
earlier folders' names from the random generator it inherited; a chain deeper than Python's recursion limit
made the removal raise, which killed the zygote, or under Landlock every later notebook's grading.

Each runs twice: with a tmpfs of its own per student process (scratch.py, where the kernel has user
namespaces, as here) and with the folder removal used where it has none.
"""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, read_json, source
from support.golden import comparable
from support.layers import LAYERS

from autograder.grading.grade import grade
from autograder.grading.notebook import load_assignment
from autograder.grading.program import Program
from autograder.grading.reference import Reference
from autograder.grading.student import Student
from autograder.sandbox import launch as sandbox
from autograder.sandbox.inside.scratch import remove
from autograder.sandbox.launch import bwrap_works

LEAVER = '''
import os

class Neuron:
    def __init__(self, num_inputs=3):
        pass

    def home(self):
        return os.getcwd()

    def leave_deep(self, depth, name, secret):
        """`depth` nested folders called `name`, at the bottom a folder that forbids reading, holding files
        whose sizes spell `secret`: the path of the top."""
        top = os.getcwd()
        for _ in range(depth):
            os.mkdir(name)
            os.chdir(name)
        os.mkdir("box", 0o300)
        for i, byte in enumerate(secret.encode()):
            fd = os.open(f"box/{i:03d}", os.O_CREAT | os.O_WRONLY, 0o600)
            os.ftruncate(fd, byte)
            os.close(fd)
        os.chdir(top)
        return top

    def peek(self, top, depth, name):
        """Walk down from `top` as the next process would, by O_PATH (no right to read needed): what the
        files' sizes spell, or the error that stopped the walk."""
        try:
            fd = os.open(top, os.O_PATH)
            for _ in range(depth):
                below = os.open(name, os.O_PATH, dir_fd=fd)
                os.close(fd)
                fd = below
            sizes = []
            while True:
                try:
                    sizes.append(os.stat(f"box/{len(sizes):03d}", dir_fd=fd).st_size)
                except FileNotFoundError:
                    return bytes(sizes).decode()
        except OSError as error:
            return type(error).__name__

    def inherited_names(self):
        """Whether tempfile's generator of names here is one another process drew from (the zygote's)."""
        import tempfile
        names = tempfile._name_sequence
        return names is not None and getattr(names, "_rng_pid", os.getpid()) != os.getpid()
'''

LONG = (20, "d" * 250)  # 5,000 characters of path: past PATH_MAX (4,096), where walking by path fails
DEEP = (2500, "dd")  # 7,500 characters, and deeper than Python's recursion limit (1,000)
BOTH = [pytest.param(True, id="own-tmpfs"), pytest.param(False, id="removal")]
CORRECT = ROOT / "tests" / "submissions" / "01_neuron" / "correct_matmul_and_list_comprehension.ipynb"


@pytest.fixture
def fresh(monkeypatch, request):
    """A zygote of its own for the test (own tmpfs per student process, or not), ended afterwards."""
    layers, private = request.param

    def start() -> tuple[str, ...]:
        monkeypatch.setattr(sandbox, "PRIVATE_SCRATCH", private)
        old = sandbox._zygotes.pop(layers, None)
        if old is not None:
            old.close()
        return layers

    yield start
    found = sandbox._zygotes.pop(layers, None)
    if found is not None:
        found.close()


def leaver(layers: tuple[str, ...]) -> Student:
    assignment = load_assignment(source("01_neuron"))
    program = Program.of(assignment, [{"cell_type": "code", "source": LEAVER, "position": 1,
                                       "nbgrader": {"grade_id": "neuron_answer"}}])
    return Student(program, Reference(assignment), layers=layers)


def combos() -> list:
    return [pytest.param((layers.values[0], private.values[0]), id=f"{layers.id}-{private.id}", marks=layers.marks)
            for layers in LAYERS for private in BOTH]


@pytest.mark.parametrize("fresh", combos(), indirect=True)
def test_the_next_student_process_cannot_read_what_the_last_one_left(fresh):
    layers = fresh()
    first = leaver(layers)
    top = first.call("Neuron.leave_deep", *LONG, "answers").value
    assert first.call("Neuron.peek", top, *LONG).value == "answers"  # there for the process that made it
    first.close()
    second = leaver(layers)
    assert second.call("Neuron.peek", top, *LONG).value == "FileNotFoundError"
    if not sandbox.PRIVATE_SCRATCH or bwrap_works():  # (where bubblewrap runs, user namespaces exist)
        assert second.own_scratch is sandbox.PRIVATE_SCRATCH
    assert not sandbox.zygote(layers).tainted  # everything was removed: the zygote serves on
    second.close()


@pytest.mark.parametrize("fresh", combos(), indirect=True)
def test_a_student_process_cannot_learn_where_earlier_folders_were(fresh):
    layers = fresh()
    homes = []
    for _ in range(2):
        student = leaver(layers)
        homes.append(student.call("Neuron.home").value)
        assert student.call("Neuron.inherited_names").value is False
        student.close()
    names = [Path(home).name for home in homes]
    assert names[0] != names[1] and all(len(name) == len("student-") + 32 for name in names)  # os.urandom


@pytest.mark.parametrize("fresh", combos(), indirect=True)
def test_a_deep_tree_costs_the_notebooks_graded_after_it_nothing(fresh, monkeypatch):
    layers = fresh()
    first = leaver(layers)
    first.call("Neuron.leave_deep", *DEEP, "x")
    first.close()
    monkeypatch.setattr(sys.modules["autograder.grading.grade"], "LAYERS", layers)  # one zygote, as in a class
    for _ in range(2):
        results = grade(CORRECT)
        assert results.error is None
        assert comparable(results.to_dict()) == read_json(CORRECT.with_suffix(".expected.json"))


@pytest.mark.parametrize("layers", [pytest.param(("landlock",), id="landlock", marks=LAYERS[1].marks),
                                    pytest.param((), id="none")])
def test_a_zygote_that_cannot_clear_up_is_replaced_and_grading_goes_on(layers):
    tainting = sandbox.zygote(layers)
    student = leaver(layers)
    assert student.call("Neuron.home").value
    stuck = Path(tainting._folder, "stuck")  # as if student code had left what no one can remove
    stuck.write_text("x")
    try:
        with open(stuck) as file:
            fcntl.ioctl(file, 0x40086602, (0x10).to_bytes(8, "little"))  # FS_IOC_SETFLAGS: immutable
    except OSError as error:
        stuck.unlink()
        pytest.skip(f"no immutable files here ({error})")
    try:
        student.restart()  # the next process: the zygote finds `stuck`, refuses to fork, and is replaced
        assert student.call("Neuron.home").value
        assert tainting.tainted and sandbox.zygote(layers) is not tainting
        assert tainting.process.poll() is not None  # ended
    finally:
        with open(stuck) as file:
            fcntl.ioctl(file, 0x40086602, (0).to_bytes(8, "little"))
        remove(tainting._folder)
        student.close()


def test_a_zygote_whose_ending_fails_is_still_replaced(monkeypatch):
    old = sandbox.zygote(())
    monkeypatch.setattr(old, "tainted", "left something")

    def fails() -> None:
        raise RecursionError

    monkeypatch.setattr(old, "kill", fails)
    new = sandbox.zygote(())
    assert new is not old and new.usable()
    monkeypatch.undo()
    old.kill()


def test_removal_takes_what_student_code_can_build_and_nothing_outside(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "keep.txt").write_text("the grader's")
    outside.chmod(0o755)
    tree = tmp_path / "tree"
    tree.mkdir()
    fd = os.open(tree, os.O_RDONLY)
    depth, name = DEEP
    for _ in range(depth):  # past PATH_MAX: only relative to a folder's descriptor
        os.mkdir(name, dir_fd=fd)
        below = os.open(name, os.O_RDONLY, dir_fd=fd)
        os.close(fd)
        fd = below
    os.mkdir("box", 0o300, dir_fd=fd)
    os.mkdir("shut", 0o000, dir_fd=fd)
    os.symlink(outside, "to-folder", dir_fd=fd)
    os.symlink(outside / "keep.txt", "to-file", dir_fd=fd)
    os.mkfifo("fifo", dir_fd=fd)
    os.close(fd)
    for name in ("a", "b"):
        (tree / name).write_text("x")
    os.mkfifo(tree / "pipe")
    tree.chmod(0o500)
    assert remove(str(tree)) is True
    assert not tree.exists()
    assert (outside / "keep.txt").read_text() == "the grader's" and outside.stat().st_mode & 0o777 == 0o755
    assert remove(str(tmp_path / "never-there")) is True
    (tmp_path / "file").write_text("x")
    assert remove(str(tmp_path / "file")) is True and not (tmp_path / "file").exists()


FILLER = """
import errno
total = 0
try:
    for i in range(1 << 16):
        with open(f"/tmp/scratch/fill{i}", "wb") as out:
            out.write(bytes(16 << 20))
            total += 16 << 20
except OSError as exc:
    print(errno.errorcode[exc.errno], total)
"""


@pytest.mark.skipif(not bwrap_works() or not sandbox.bwrap_sizes_tmpfs(),
                    reason="needs a bubblewrap that sizes a tmpfs (--size, 0.5 and later)")
def test_the_sandboxes_tmp_holds_a_bounded_amount_where_a_student_process_writes_straight_into_it():
    # Without a tmpfs of its own (no user namespaces inside bubblewrap) a student process writes into the
    # sandbox's /tmp, which is memory: files each below RLIMIT_FSIZE must not add up without bound.
    run = subprocess.run(sandbox.bwrap_command() + [sys.executable, "-I", "-S", "-c", FILLER], capture_output=True,
                         text=True, timeout=120, env=sandbox.CLEAN_ENV)
    code, total = run.stdout.split()
    assert (code, int(total)) == ("ENOSPC", sandbox.TMP_BYTES), run.stderr
