"""The gradebook on PostgreSQL (nbgrader's `db_url`): a throwaway cluster on a unix socket in a temporary
folder, a small class autograded and exported into it. Skips, saying why, where no server can be started
(.ci/run installs Debian's `postgresql`; the driver is the `postgres` extra)."""

from __future__ import annotations

import csv
import glob
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import ROOT

from autograder.nbgrader_steps.scratch_course import make_course, nbgrader, submit

SUBMISSIONS = ROOT / "tests" / "submissions" / "01_neuron"
CLASS = {"p1": "correct_matmul_and_list_comprehension", "p2": "bug_forward_missing_bias", "p3": "faulty_not_json"}


def server_binaries() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not found:
        pytest.skip("no PostgreSQL server (initdb) under /usr/lib/postgresql: apt-get install postgresql")
    return Path(found[-1]).parent


@pytest.fixture(scope="module")
def postgres_url() -> Iterator[str]:
    """A cluster of its own, run by an unprivileged user (initdb refuses root), listening only on a socket."""
    pytest.importorskip("psycopg", reason="the PostgreSQL driver is missing: pip install '.[postgres]'")
    bin_dir = server_binaries()
    folder = Path(tempfile.mkdtemp(prefix="pg-"))  # short: a socket path has a length limit
    as_user = []
    if os.geteuid() == 0:
        shutil.chown(folder, "nobody")
        as_user = ["runuser", "-u", "nobody", "--"]

    def run(*args: str) -> None:
        done = subprocess.run([*as_user, *args], capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            shutil.rmtree(folder, ignore_errors=True)
            pytest.skip(f"could not start a PostgreSQL server ({Path(args[0]).name}): {done.stderr.strip()[-500:]}")

    run(str(bin_dir / "initdb"), "-D", str(folder / "data"), "-U", "grader", "--auth=trust", "--no-sync")
    run(str(bin_dir / "pg_ctl"), "-D", str(folder / "data"), "-l", str(folder / "log"), "-w", "start",
        "-o", f"-k {folder} -c listen_addresses=''")
    try:
        yield f"postgresql+psycopg://grader@/postgres?host={folder}"
    finally:
        subprocess.run([*as_user, str(bin_dir / "pg_ctl"), "-D", str(folder / "data"), "-m", "immediate", "stop"],
                       capture_output=True, timeout=120)
        shutil.rmtree(folder, ignore_errors=True)


def test_a_class_autogrades_and_exports_into_a_postgresql_gradebook(postgres_url, tmp_path):
    folder = make_course(tmp_path / "course", ["01_neuron"], db_url=postgres_url)
    for student, name in CLASS.items():
        submit(folder, student, "01_neuron", SUBMISSIONS / f"{name}.ipynb")
    for args in (("generate_assignment", "01_neuron"), ("autograde", "01_neuron"), ("export",)):
        run = nbgrader(folder, *args)
        assert run.returncode == 0, (args, run.stderr[-3000:])
    assert not (folder / "gradebook.db").exists()  # nothing went to SQLite
    with open(folder / "grades.csv", newline="") as f:
        scores = {row["student_id"]: float(row["score"]) for row in csv.DictReader(f)}
    assert scores == {"p1": 5.0, "p2": 2.5, "p3": 0.0}
