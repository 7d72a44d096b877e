"""Classroom 50 entry point: grades one assignment of the course in the student's checkout.

Classroom 50's runner runs this file with the runner's Python, the student's checkout as working
directory and the job's whole environment. It
1. reads the submission's identity from the runner's variables (CLASSROOM, ASSIGNMENT, SUBMISSION_TAG,
   COMMIT_URL, RELEASE_URL, REVIEW_URL, OWNER, ASSIGNMENT_TYPE);
2. installs the pinned packages of requirements.txt beside the job when this Python lacks them;
3. grades in a separate process started with `python -I -B` and an environment of three variables, from a
   scratch folder: the grader, and the student code it runs, see none of the job's variables (tokens,
   GITHUB_OUTPUT...) and none of the checkout's files on their import path. Where bubblewrap cannot run
   as this user (Ubuntu 24.04 forbids unprivileged user namespaces), that process runs as root through
   `sudo -n` so that the student's code still runs in the sandbox;
4. writes result.json and release-body.md into the checkout last, over whatever was there.
Exit status 0 whenever grading ran, whatever the score; 1 when the grader itself could not run (the
runner then records an error instead of a grade).

This file is written by `python -m autograder classroom50`; bundle.json beside it names the assignment.
"""

import datetime
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

BUNDLE = Path(__file__).resolve().parent
IDENTITY = {"classroom": "CLASSROOM", "assignment": "ASSIGNMENT", "submission": "SUBMISSION_TAG",
            "commit": "COMMIT_URL", "release": "RELEASE_URL"}
CHECK = ("import sys\nfrom importlib.metadata import version\n"
         "sys.exit(any(version(n) != v for n, v in (r.split('==') for r in sys.argv[1:])))")
GRADE = ("import sys\nsys.path[:0] = [p for p in sys.argv[1:3] if p]\n"
         "from autograder.publish.classroom50.result import run\nsys.exit(run(sys.argv[3]))")


def identity(checkout: Path) -> dict:
    missing = [name for name in IDENTITY.values() if not os.environ.get(name)]
    if missing:
        sys.exit(f"autograder.py: {', '.join(missing)} not set: run it as Classroom 50's runner does.")
    found = {key: os.environ[name] for key, name in IDENTITY.items()}
    found["review"] = os.environ.get("REVIEW_URL") or found["commit"]
    found["owner"] = os.environ.get("OWNER") or os.environ.get("USERNAME") or os.environ.get("GITHUB_ACTOR") or "-"
    found["assignment_type"] = os.environ.get("ASSIGNMENT_TYPE") or "individual"
    found["datetime"] = commit_time(checkout).strftime("%Y-%m-%dT%H:%M:%SZ")
    found["graded_at"] = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    return found


def commit_time(checkout: Path) -> datetime.datetime:
    """The graded commit's committer date (the runner stamps the same); now when there is no history."""
    run = subprocess.run(["git", "-c", "safe.directory=*", "-C", str(checkout), "log", "-1", "--format=%ct"],
                         capture_output=True, text=True)
    if run.returncode != 0 or not run.stdout.strip().isdigit():
        return datetime.datetime.now(datetime.timezone.utc)
    return datetime.datetime.fromtimestamp(int(run.stdout), datetime.timezone.utc)


def packages() -> str:
    """Where the pinned packages are: "" when this Python has them already, else a folder pip fills once."""
    pins = (BUNDLE / "requirements.txt").read_text().split()
    if subprocess.run([sys.executable, "-I", "-c", CHECK, *pins], capture_output=True).returncode == 0:
        return ""
    target = Path(os.environ.get("RUNNER_TEMP") or tempfile.gettempdir()) / "neuron-course-packages"
    print(f"autograder.py: installing {' '.join(pins)} for Python {sys.version.split()[0]}", flush=True)
    install = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                              "--no-input", "--target", str(target), *pins], cwd=tempfile.gettempdir())
    if install.returncode != 0:
        sys.exit("autograder.py: pip could not install the grader's packages (see above).")
    return str(target)


def as_root_for_sandbox() -> list[str]:
    """`sudo -n` when bubblewrap is installed, refused to this user, and sudo needs no password."""
    if os.geteuid() == 0 or not shutil.which("bwrap") or not shutil.which("sudo"):
        return []
    probe = ["bwrap", "--unshare-user", "--ro-bind", "/", "/", "true"]
    if subprocess.run(probe, capture_output=True).returncode == 0:
        return []
    return ["sudo", "-n"] if subprocess.run(["sudo", "-n", "true"], capture_output=True).returncode == 0 else []


def place(source: Path, target: Path) -> None:
    """Put `source` at `target`, replacing a file, symlink or folder that student code left there."""
    if target.is_dir() and not target.is_symlink():
        shutil.rmtree(target)
    temporary = target.with_name(f".{target.name}.{os.getpid()}")
    shutil.copyfile(source, temporary)
    os.replace(temporary, target)


def main() -> int:
    checkout = Path.cwd()
    bundle = json.loads((BUNDLE / "bundle.json").read_text())
    notebook = next((checkout / p for p in bundle["notebooks"] if (checkout / p).is_file()),
                    checkout / bundle["notebooks"][0])
    job = {"assignment": bundle["assignment"], "identity": identity(checkout), "notebook": str(notebook),
           "label": bundle["notebooks"][0]}
    if sys.version_info[:2] != tuple(bundle["python"]):
        print(f"autograder.py: note: the bundle was built and tested with Python "
              f"{'.'.join(map(str, bundle['python']))}; this is {sys.version.split()[0]}", flush=True)
    deps = packages()
    with tempfile.TemporaryDirectory(prefix="grading-", ignore_cleanup_errors=True) as scratch:
        job["out"] = scratch
        (Path(scratch) / "job.json").write_text(json.dumps(job))
        env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": scratch, "LANG": "C.UTF-8"}
        if os.environ.get("LD_LIBRARY_PATH"):  # set by setup-python: where libpython is
            env["LD_LIBRARY_PATH"] = os.environ["LD_LIBRARY_PATH"]
        command = [*as_root_for_sandbox(), "env", "-i", *(f"{k}={v}" for k, v in env.items()),
                   sys.executable, "-I", "-B", "-c", GRADE, str(BUNDLE), deps, str(Path(scratch) / "job.json")]
        graded = subprocess.run(command, cwd=scratch, stdin=subprocess.DEVNULL, timeout=600)
        outputs = [Path(scratch) / name for name in ("result.json", "release-body.md")]
        if graded.returncode != 0 or not all(p.is_file() for p in outputs):
            print(f"autograder.py: the grader could not run (exit status {graded.returncode}).", file=sys.stderr)
            return 1
        for path in outputs:
            place(path, checkout / path.name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
