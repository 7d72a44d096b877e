"""The workflow that grades on every push with plain GitHub Actions: `python -m autograder workflow OUT`.

Writes OUT/.github/workflows/grade.yml into a student template (or any repository of the course). It
fetches the instructor's private repository (this one: grader, hidden checks, reference) with a read-only
token, installs the Python and the numpy and pytest versions that run this command (pip's cache keyed on
the workflow file, where they are written), installs bubblewrap, grades each notebook as root so that the
sandbox can start on Ubuntu 24.04, writes the score table and each failed check's feedback to the job
summary, and keeps the results files as an artifact. docs/grading-on-every-push.md (Plain GitHub Actions)
says how to set up the token.
"""

from __future__ import annotations

from pathlib import Path

from .template import pins, python_version, render


def main(out: Path) -> int:
    text = render("grade.yml", python=python_version(), packages=" ".join(pins()))
    path = Path(out) / ".github" / "workflows" / "grade.yml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    print(f"wrote {path}: set the secrets GRADER_TOKEN and GRADER_REPOSITORY (docs/grading-on-every-push.md)")
    return 0
