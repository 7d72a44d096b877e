"""Autograde as the formgrader runs it: nbgrader's API inside a Jupyter server process, which outlives the
run. The closing list must reach the run's log (what the autograde dialog shows), and nothing of the run may
stay in the server. Then the formgrader itself, in headless Chromium driven by Playwright: a scratch course, a
Jupyter server on a free port with a token, autograde and generate feedback clicked for each student."""

from __future__ import annotations

import contextlib
import json
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import ROOT, env_with_venv, release
from support.browser import chromium_page, playwright_and_chromium
from support.leaks import hidden_lines, leaked, seen_by_student

from autograder.grading.grade import grade
from autograder.nbgrader_steps.scratch_course import make_course, nbgrader, submit

SUBMISSIONS = ROOT / "tests" / "submissions" / "01_neuron"
A = "01_neuron"
IN_THE_SERVER = """
import gc, json
from jupyter_server.serverapp import ServerApp
ServerApp.instance()  # what the formgrader runs in: the server is the traitlets singleton
from nbgrader.apps.api import NbGraderAPI
from nbgrader.coursedir import CourseDirectory
from traitlets.config.loader import PyFileConfigLoader
from autograder.nbgrader_steps import run

config = PyFileConfigLoader("nbgrader_config.py", path=".").load_config()
api = NbGraderAPI(CourseDirectory(config=config), config=config)
logs = {s: api.autograde("01_neuron", s) for s in ("ann", "bob")}  # two clicks, one per student
gc.collect()
print(json.dumps({"logs": {s: r["log"] for s, r in logs.items()}, "success": [r["success"] for r in logs.values()],
                  "batches": len(run._BATCHES), "in_terminal": run.launched_from_command_line()}))
print("END OF RUN")
"""


@pytest.fixture(scope="module")
def server_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, str]:
    folder = make_course(tmp_path_factory.mktemp("formgrader") / "course", [A])
    assert nbgrader(folder, "generate_assignment", A).returncode == 0
    submit(folder, "ann", A, SUBMISSIONS / "correct_matmul_and_list_comprehension.ipynb")
    submit(folder, "bob", A, SUBMISSIONS / "faulty_forward_loops_forever.ipynb")
    run = subprocess.run([sys.executable, "-c", IN_THE_SERVER], cwd=folder, capture_output=True, text=True,
                         timeout=600, env=env_with_venv())
    assert run.returncode == 0, run.stderr[-3000:]
    head, _, tail = run.stdout.partition("END OF RUN")
    return json.loads(head.strip().splitlines()[-1]), tail


def test_inside_a_jupyter_server_autograde_is_not_taken_for_the_command_line(server_run):
    result, _ = server_run
    assert result["in_terminal"] is False and all(result["success"])


def test_each_clicked_run_logs_its_own_needs_a_look_list_where_the_dialog_shows_it(server_run):
    logs = server_run[0]["logs"]
    assert "[1/1] ann 01_neuron 5/5" in logs["ann"] and "Nothing needs a look (1 submission)." in logs["ann"]
    assert "[1/1] bob 01_neuron 2/5  needs a look" in logs["bob"]
    assert "Needs a look: 1 of 1 submission\n      bob 01_neuron: Neuron.forward timed out" in logs["bob"]
    assert "ann" not in logs["bob"]  # one run's list is that run's


def test_nothing_of_a_run_stays_in_the_server_or_waits_for_its_shutdown(server_run):
    result, after_the_runs = server_run
    assert result["batches"] == 0
    assert "Needs a look" not in after_the_runs and "needs a look" not in after_the_runs


# -- the formgrader in headless Chromium, clicked as an instructor clicks it ---------------------------------
CLICKED = {  # student: the notebook handed in
    "ann": SUBMISSIONS / "correct_matmul_and_list_comprehension.ipynb",
    "bob": SUBMISSIONS / "faulty_forward_loops_forever.ipynb",
    "cat": SUBMISSIONS / "bug_forward_missing_bias.ipynb",
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def jupyter_server(folder: Path) -> Iterator[str]:
    """A Jupyter server for the course on a free 127.0.0.1 port with a token; yields its URL."""
    port, token = free_port(), secrets.token_hex(16)
    with open(folder / "server.log", "w") as log:
        server = subprocess.Popen(
            [str(Path(sys.executable).parent / "jupyter"), "server", "--no-browser", "--allow-root",
             "--ServerApp.ip=127.0.0.1", f"--port={port}", f"--IdentityProvider.token={token}",
             f"--ServerApp.root_dir={folder}"], cwd=folder, stdout=log, stderr=subprocess.STDOUT,
            env=env_with_venv())
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2)
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError((folder / "server.log").read_text()[-3000:]) from None
                time.sleep(0.2)
        yield f"{base}#{token}"
    finally:
        server.terminate()
        server.wait(30)


@pytest.fixture(scope="module")
def clicked(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Autograde clicked for each student, then each manual-grading page read and feedback generated."""
    playwright_and_chromium("drive the formgrader")  # skips before the course is made, if either is missing
    folder = make_course(tmp_path_factory.mktemp("clicked") / "course", [A])
    assert nbgrader(folder, "generate_assignment", A).returncode == 0
    for student, notebook in CLICKED.items():
        submit(folder, student, A, notebook)
    seen: dict = {"folder": folder, "autograde": {}, "manual": {}, "feedback": {}}
    started = time.perf_counter()
    with jupyter_server(folder) as url:
        base, token = url.split("#")
        with chromium_page("drive the formgrader", offline=False,
                           extra_http_headers={"Authorization": f"token {token}"}) as (page, _):
            read_the_formgrader(page, base, seen)
    seen["seconds"] = time.perf_counter() - started
    print(f"formgrader: {len(CLICKED)} students autograded, read and fed back in {seen['seconds']:.1f} s")
    return seen


def read_the_formgrader(page, base: str, seen: dict) -> None:
    """Autograde clicked for each student, the scores read, feedback generated, each manual-grading page read."""
    page.set_default_timeout(300_000)  # an autograde on a busy machine
    page.goto(f"{base}/formgrader/manage_submissions/{A}")
    for student in CLICKED:
        seen["autograde"][student] = click_and_read(page, student, "td.autograde a")
    page.reload()
    page.wait_for_selector("td.autograde a")
    seen["scores"] = {s: page.locator("tr", has_text=s).locator("td.score").inner_text() for s in CLICKED}
    for student in CLICKED:
        seen["feedback"][student] = click_and_read(page, student, "td.generate-feedback a")
    for student in CLICKED:
        page.goto(f"{base}/formgrader/manage_students/{student}/{A}")
        page.locator("a[href*='/formgrader/submissions/']").first.click()
        page.wait_for_load_state("networkidle")
        seen["manual"][student] = page.inner_text("body")


def click_and_read(page, student: str, link: str) -> str:
    """Click a row's button, wait for the dialog nbgrader opens, read it, close it."""
    page.locator("tr", has_text=student).locator(link).click()
    dialog = page.locator("#success-modal, #error-modal")
    dialog.wait_for()
    text = dialog.inner_text()
    dialog.locator("button.close, button[data-dismiss='modal']").first.click()
    page.wait_for_selector("#success-modal, #error-modal", state="detached")
    return text


def test_autograde_clicked_in_the_formgrader_scores_what_grade_gives(clicked):
    for student, notebook in CLICKED.items():
        got = grade(notebook, assignment=A)
        assert clicked["scores"][student] == f"{got.score:g} / {got.max_score:g}", student
        assert f"Successfully autograded '{A}' for student '{student}'" in clicked["autograde"][student]


def test_the_autograde_dialog_shows_the_submissions_line_and_its_needs_a_look_list(clicked):
    dialogs = clicked["autograde"]
    assert "[1/1] ann 01_neuron 5/5" in dialogs["ann"] and "Nothing needs a look (1 submission)." in dialogs["ann"]
    assert "Needs a look: 1 of 1 submission" in dialogs["bob"] and "bob 01_neuron: Neuron.forward timed out" \
        in dialogs["bob"]


def test_manual_grading_shows_every_test_cells_checks_and_no_hidden_check(clicked):
    hidden = hidden_lines()
    public = seen_by_student(release(A))
    for student, notebook in CLICKED.items():
        text = clicked["manual"][student]
        for function in ("Neuron.sigmoid", "Neuron.forward"):
            assert re.search(rf"{re.escape(function)}: [\d.]+ of \d+ points", text), (student, function)
        assert not leaked(text, public | seen_by_student(notebook), hidden), student


def test_generate_feedback_clicked_writes_each_students_page(clicked):
    for student in CLICKED:
        assert f"Successfully generated feedback for '{A}' for student '{student}'" in clicked["feedback"][student]
        assert (clicked["folder"] / "feedback" / student / A / f"{A}.html").is_file()
