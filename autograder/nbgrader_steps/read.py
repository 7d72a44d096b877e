"""Read a submitted notebook for `nbgrader autograde`; a file that is no notebook becomes a stand-in.

nbgrader reads each submission with nbformat and, when that fails (not JSON, no cells, a newer format),
logs a traceback, drops the submission and ends the run with an error: the student has no grades. This
exporter, configured as `Autograde.exporter_class`, hands nbgrader a notebook holding only a note instead;
the sanitize steps put the test cells back, the grading step scores them from the submitted file as
`python -m autograder grade` does (0, with the reason, when the grader cannot read it either), and the run
goes on.
"""

from __future__ import annotations

from typing import IO, Any

import nbformat
from nbconvert.exporters import NotebookExporter

from .run import batch_of


class ReadSubmission(NotebookExporter):
    def from_file(self, file_stream: IO, resources: dict | None = None, **kw: Any) -> tuple[str, dict]:
        try:
            nb = nbformat.read(file_stream, as_version=4)
        except Exception as exc:  # whatever a student's file holds: nbformat raises many kinds
            ids = resources["nbgrader"]
            first_line = (str(exc).strip().splitlines() or [""])[0]
            reason = f"{type(exc).__name__}: {first_line[:200]}"
            batch_of(self).unreadable[(ids["student"], ids["assignment"], ids["notebook"])] = reason
            nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(
                f"**nbgrader could not read the submitted file as a notebook** (`{reason}`). Its grades, from the "
                "autograder, are under the test cells below.")])
        return self.from_notebook_node(nb, resources, **kw)
