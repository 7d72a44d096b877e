"""A timed call's CPU time, as the grader reads it from the kernel (autograder/sandbox/cpu.py): it counts what the
student's code computes, in the process, its threads and its child processes (an orphan reaped by the
keeper included), and not the time it waits or the machine spends on other work; a call over its CPU limit
is stopped, and later calls still run. Under both sandbox layers."""

from __future__ import annotations

import time

import pytest
from conftest import ROOT
from support.layers import LAYERS

from autograder.grading import student as student_module
from autograder.grading.feedback import StudentError, StudentTimeout
from autograder.grading.notebook import load_assignment
from autograder.grading.program import Program
from autograder.grading.reference import Reference
from autograder.grading.student import STARVED_FACTOR, Student
from autograder.sandbox.inside.seccomp import machine as seccomp_machine

BURN = 0.3  # seconds of CPU time each burning function uses
CODE = f"""
import os, signal, threading, time

def burn(seconds={BURN}):
    end = time.thread_time() + seconds
    while time.thread_time() < end:
        pass

def sleeps():
    time.sleep(0.4)

def sleeps_long():
    time.sleep(5)

def burns_in_a_thread():
    worker = threading.Thread(target=burn)
    worker.start()
    worker.join()

def burns_in_a_child():
    pid = os.fork()
    if pid == 0:
        burn()
        os._exit(0)
    os.waitpid(pid, 0)

def burns_in_an_orphan():
    if os.fork() == 0:  # the child leaves a grandchild, which the keeper adopts and reaps
        if os.fork() == 0:
            burn()
        os._exit(0)
    time.sleep(4 * {BURN})

def burns_in_a_zombie():
    if os.fork() == 0:  # a child that ends and is never waited for
        burn()
        os._exit(0)
    time.sleep(4 * {BURN})

def leaves_a_process():
    if os.fork() == 0:
        time.sleep(30)
        os._exit(0)

def ignores_sigchld():  # the kernel would reap its children without counting their time
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)

def reads_sigchld():
    return signal.getsignal(signal.SIGCHLD) == signal.SIG_DFL

def loops():
    while True:
        pass

def forges_a_request(name, size):  # as the grader's own stand-in would ask, found through gc
    import gc, sys
    channel = next(o for o in gc.get_objects() if type(o).__name__ == "Channel")
    protocol = sys.modules[type(channel).__module__]
    channel.send(dict(op="standin", name=name, args=protocol.encode([[0.5] * size]),
                      kwargs=protocol.encode(dict()), state=protocol.encode(dict())))
    return channel.receive()
"""


@pytest.fixture
def student(request):
    assignment = load_assignment(ROOT / "solutions" / "01_neuron" / "01_neuron.ipynb")
    program = Program.of(assignment, [{"cell_type": "code", "source": CODE, "nbgrader": {"grade_id": "neuron_answer"},
                                       "position": 1}])
    handle = Student(program, Reference(assignment), layers=request.param)
    yield handle
    handle.close()


def timed(student: Student, function: str, limit: float = 5.0):
    with student.check(30.0):
        return student.call(function, own=True, cpu_limit=limit)


@pytest.mark.parametrize("student", LAYERS, indirect=True)
def test_waiting_costs_no_cpu_time(student):
    outcome = timed(student, "sleeps")
    assert outcome.seconds >= 0.4 and outcome.cpu_seconds < 0.1


@pytest.mark.parametrize("student", LAYERS, indirect=True)
@pytest.mark.parametrize("function", ["burn", "burns_in_a_thread", "burns_in_a_child", "burns_in_an_orphan",
                                      "burns_in_a_zombie"])
def test_work_counts_wherever_the_students_code_does_it(student, function):
    assert 0.9 * BURN <= timed(student, function).cpu_seconds <= 3 * BURN


@pytest.mark.parametrize("student", LAYERS, indirect=True)
def test_a_call_over_its_cpu_limit_is_stopped_and_later_calls_still_run(student):
    started = time.monotonic()
    with pytest.raises(StudentTimeout) as stopped:
        timed(student, "loops", limit=0.2)
    assert 0.2 <= stopped.value.cpu_seconds < 1.0 and time.monotonic() - started < 10
    assert 0.9 * BURN <= timed(student, "burn").cpu_seconds <= 3 * BURN


@pytest.mark.parametrize("student", LAYERS, indirect=True)
def test_a_process_left_running_before_a_timed_call_fails_it_rather_than_blur_its_measure(student):
    with student.check(30.0):
        student.call("leaves_a_process", own=True)
    with pytest.raises(StudentError, match="processes your code started were still running") as failed:
        timed(student, "burn")
    assert failed.value.mistake == "too-slow"


@pytest.mark.skipif(seccomp_machine() is None, reason="the seccomp filter does not know this machine")
@pytest.mark.parametrize("student", LAYERS, indirect=True)
def test_student_code_cannot_have_the_kernel_reap_its_children_uncounted(student):
    with student.check(30.0):
        assert student.call("reads_sigchld", own=True).value is True
        with pytest.raises(StudentError, match="PermissionError"):
            student.call("ignores_sigchld", own=True)


@pytest.mark.parametrize("student", LAYERS, indirect=True)
@pytest.mark.parametrize("cpu_limit", [None, 5.0], ids=["untimed", "timed"])
@pytest.mark.parametrize("name", ["no_such_member", "sigmoid"])
def test_a_request_for_a_stand_in_the_call_does_not_offer_fails_it_unread(student, name, cpu_limit, monkeypatch):
    """Reading a large request took the grader half a second, which a speed check once credited to the
    student: a request for a name the call does not offer (here, none) is refused before it is decoded."""
    decoded = []
    monkeypatch.setattr(student_module, "decode", lambda value: decoded.append(value) or value)
    with student.check(30.0), pytest.raises(StudentError, match="does not offer") as refused:
        student.call("forges_a_request", name, 200_000, own=True, cpu_limit=cpu_limit)
    assert refused.value.mistake == "malformed-reply" and decoded == []
    monkeypatch.undo()
    assert 0.9 * BURN <= timed(student, "burn").cpu_seconds <= 3 * BURN  # a fresh process serves on


@pytest.mark.parametrize("student", LAYERS, indirect=True)
def test_a_call_starved_of_cpu_time_gets_more_time_and_an_endless_one_still_ends(student):
    """A check's deadline is wall-clock time, but a call that reaches it having used less CPU time than it
    was allowed (a busy machine took the core; here it sleeps, which looks the same) goes on, up to
    STARVED_FACTOR times the wall-clock time: a grade does not depend on the machine's load."""
    with student.check(0.25):
        assert student.call("sleeps", own=True).value is None  # 0.4 s of sleep in a check of 0.25 s
    started = time.monotonic()
    with student.check(0.3), pytest.raises(StudentTimeout):
        student.call("loops", own=True)  # its CPU time reaches the allowance: stopped, as before
    assert time.monotonic() - started < 0.3 * STARVED_FACTOR
    started = time.monotonic()
    with student.check(0.3), pytest.raises(StudentTimeout):
        student.call("sleeps_long", own=True)  # stopped at the wall-clock backstop
    assert 0.3 * STARVED_FACTOR - 0.1 <= time.monotonic() - started < 0.3 * STARVED_FACTOR + 2
