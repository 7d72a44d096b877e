"""Run every notebook's visible checks, as the "Visible checks" workflow does on each push.

    python .github/check_notebooks.py [NOTEBOOK ...]     (default: every <folder>/<folder>.ipynb)

Each notebook runs top to bottom in a Jupyter kernel, going on after an error, so that every check cell
(the cells under each exercise that test it) gets its answer. Prints a Markdown table of the checks and
exits 1 when one of them fails. These are the checks you can see; the grade also uses hidden ones.
"""

import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

CELL_TIMEOUT = 120  # seconds: a cell that runs longer is interrupted and counts as an error


def check_cells(path: Path) -> list[tuple[str, str]]:
    """(check, "" when it passed or the error it raised) for each check cell of the notebook."""
    notebook = nbformat.read(path, as_version=4)
    NotebookClient(notebook, timeout=CELL_TIMEOUT, allow_errors=True, interrupt_on_timeout=True,
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    found = []
    for cell in notebook.cells:
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type == "code" and meta.get("grade"):
            errors = [o for o in cell.outputs if o.output_type == "error"]
            error = ": ".join(filter(None, [errors[0].ename, errors[0].evalue.strip()])) if errors else ""
            found.append((meta.get("grade_id", "?").replace("-", "."), error))
    return found


def main(paths: list[str]) -> int:
    notebooks = [Path(p) for p in paths] or sorted(p for p in Path().glob("*/*.ipynb") if p.stem == p.parent.name)
    print("| notebook | check of | result |\n|---|---|---|")
    failed = 0
    for path in notebooks:
        for name, error in check_cells(path):
            failed += bool(error)
            result = "passed" if not error else "failed: " + error.splitlines()[0][:200].replace("|", "\\|")
            print(f"| {path.name} | `{name}` | {result} |")
    print(f"\n{failed} visible checks failed." if failed else "\nEvery visible check passed.")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
