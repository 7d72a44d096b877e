"""The Gradescope autograders: `python -m autograder gradescope OUT [--assignment A]`.

Writes OUT/<a>.zip for each assignment: what an instructor uploads as a programming assignment's autograder.
At its root, setup.sh (run once when Gradescope builds the image: bubblewrap and a virtualenv with the
pinned numpy and pytest) and run_autograder (run for each submission: run.py); beside them what the
Classroom 50 bundle holds, nothing else: this grader package, that assignment's hidden checks, the
reference cut to its answer cells, requirements.txt and bundle.json.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from ..classroom50.bundle import write_bundle
from ..template import assignments

HERE = Path(__file__).resolve().parent
ENTRY_POINTS = ("setup.sh", "run_autograder")


def write_zip(out: Path, assignment: str) -> Path:
    with tempfile.TemporaryDirectory(prefix="gradescope-") as scratch:
        root = Path(scratch) / assignment
        write_bundle(root, assignment)
        (root / "autograder.py").unlink()  # Classroom 50's entry point
        for name in ENTRY_POINTS:
            shutil.copy2(HERE / name, root / name)  # (their modes too: run_autograder is executable)
        return Path(shutil.make_archive(str(Path(out) / assignment), "zip", root_dir=root))


def main(out: Path, chosen: list[str] | None = None) -> int:
    Path(out).mkdir(parents=True, exist_ok=True)
    for assignment in chosen or assignments():
        print(f"wrote {write_zip(out, assignment)} (assignment {assignment})")
    print("Upload each zip as its Gradescope programming assignment's autograder (base image: Ubuntu 24.04).")
    return 0
