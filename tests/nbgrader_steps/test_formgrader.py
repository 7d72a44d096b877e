"""Autograde as the formgrader runs it: nbgrader's API inside a Jupyter server process, which outlives the
run. The closing list must reach the run's log (what the autograde dialog shows), and nothing of the run may
stay in the server."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from conftest import ROOT, env_with_venv

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
